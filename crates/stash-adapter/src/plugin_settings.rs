//! A plugin's settings as Stash stores them (Settings > Plugins): one
//! `configuration { plugins(include: [id]) }` read. Stash answers a map of plugin id to a map
//! of the keys the user has set (NUMBER settings as JSON numbers, BOOLEAN as booleans); a
//! plugin nobody configured is absent, which reads as no settings.
//!
//! This needs no [`crate::StashClient::connect`]: the plugin reads its settings before it
//! knows how (timeouts, batch sizes) to connect for the run.

use cynic::QueryBuilder;
use domain::ports::MediaServerError;
use serde_json::{Map, Value};

use crate::config::StashConfig;
use crate::schema::schema;
use crate::transport::{Safety, Transport};

/// Stash's `PluginConfigMap` scalar: plugin id to its settings.
#[derive(cynic::Scalar, Debug, Clone)]
#[cynic(graphql_type = "PluginConfigMap")]
pub struct PluginConfigMap(pub Value);

/// Variables of [`PluginSettingsQuery`].
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct PluginSettingsVariables {
    /// The plugin ids to read (always one).
    pub include: Option<Vec<cynic::Id>>,
}

/// `configuration { plugins(include: $include) }`.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Query",
    variables = "PluginSettingsVariables"
)]
pub struct PluginSettingsQuery {
    /// The configuration, plugins section only.
    pub configuration: PluginConfiguration,
}

/// `configuration.plugins`.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "ConfigResult",
    variables = "PluginSettingsVariables"
)]
pub struct PluginConfiguration {
    /// Plugin id to settings.
    #[arguments(include: $include)]
    pub plugins: PluginConfigMap,
}

/// The query for `plugin_id`'s settings (also used by the upstream-schema check).
pub fn plugin_settings_operation(
    plugin_id: &str,
) -> cynic::Operation<PluginSettingsQuery, PluginSettingsVariables> {
    PluginSettingsQuery::build(PluginSettingsVariables {
        include: Some(vec![cynic::Id::new(plugin_id)]),
    })
}

/// Reads the settings of `plugin_id` in one request (retried like any read). Keys the user
/// never set are absent; a plugin with no settings gives an empty map.
pub async fn read_plugin_settings(
    config: &StashConfig,
    plugin_id: &str,
) -> Result<Map<String, Value>, MediaServerError> {
    let transport = Transport::new(config)?;
    let reply = transport
        .run(plugin_settings_operation(plugin_id), Safety::Idempotent)
        .await?;
    settings_of(reply.configuration.plugins.0, plugin_id)
}

fn settings_of(all: Value, plugin_id: &str) -> Result<Map<String, Value>, MediaServerError> {
    match all {
        Value::Object(mut plugins) => match plugins.remove(plugin_id) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(settings)) => Ok(settings),
            Some(other) => Err(MediaServerError::Decode {
                operation: "PluginSettingsQuery".into(),
                message: format!("the settings of plugin {plugin_id} are not a map: {other}"),
            }),
        },
        Value::Null => Ok(Map::new()),
        other => Err(MediaServerError::Decode {
            operation: "PluginSettingsQuery".into(),
            message: format!("configuration.plugins is not a map: {other}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_plugins_map_is_narrowed_to_one_plugin() {
        let all = json!({"fansly-stash": {"batch_size": 100, "metadata_db": "postgres://x"}});
        let s = settings_of(all, "fansly-stash").unwrap();
        assert_eq!(s["batch_size"], json!(100));
        assert!(settings_of(json!({}), "fansly-stash").unwrap().is_empty());
        assert!(
            settings_of(json!({"other": {"a": 1}}), "x")
                .unwrap()
                .is_empty()
        );
        assert!(settings_of(json!({"x": 3}), "x").is_err());
    }
}
