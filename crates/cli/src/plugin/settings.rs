//! The plugin's settings (Settings > Plugins > fansly-stash in Stash's UI): one table,
//! [`SETTINGS`], that the YAML's `settings:` must match (a test checks both ways), and the
//! conversion of what Stash stores into a [`SettingsLayer`] over the configuration file.
//!
//! Stash stores only what the user set: an absent key, `null` or an empty text means "not
//! set", so the configuration file (or the default) applies. BOOLEAN settings read "off" until
//! the user switches them on, so each is phrased so that off is the default behaviour.

use std::collections::BTreeMap;

use serde_json::{Map, Number, Value};

use crate::config::SettingsLayer;
use crate::exit::CliError;

/// The plugin id: the YAML file's base name (`fansly-stash.yml`).
pub const PLUGIN_ID: &str = "fansly-stash";

/// A setting's type as Stash's YAML names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingType {
    /// `STRING`: a text box.
    String,
    /// `NUMBER`: a number box (stored as a JSON number).
    Number,
    /// `BOOLEAN`: a switch (stored as `true`/`false`).
    Boolean,
}

impl SettingType {
    /// The YAML spelling.
    pub fn as_yaml(self) -> &'static str {
        match self {
            SettingType::String => "STRING",
            SettingType::Number => "NUMBER",
            SettingType::Boolean => "BOOLEAN",
        }
    }
}

/// Where a setting's value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The configuration key of the same name.
    Config,
    /// `folder_suffix`, where `none` stands for the empty suffix (an empty box means "not set").
    FolderSuffix,
    /// `tag_previews_trailer`, inverted (the switch reads "do not tag").
    NoTrailerTag,
    /// The creators a task covers (plugin only).
    Creators,
    /// Log at debug level (plugin only).
    DebugLog,
}

/// One setting of the plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluginSetting {
    /// The key Stash stores it under.
    pub key: &'static str,
    /// The label in Stash's UI.
    pub display_name: &'static str,
    /// Its type.
    pub kind: SettingType,
    /// What it sets.
    pub target: Target,
}

const fn setting(
    key: &'static str,
    display_name: &'static str,
    kind: SettingType,
    target: Target,
) -> PluginSetting {
    PluginSetting {
        key,
        display_name,
        kind,
        target,
    }
}

/// Every plugin setting, in the order the README lists them.
pub const SETTINGS: &[PluginSetting] = &[
    setting(
        "metadata_db",
        "Metadata database",
        SettingType::String,
        Target::Config,
    ),
    setting(
        "download_root",
        "Download folder",
        SettingType::String,
        Target::Config,
    ),
    setting(
        "folder_suffix",
        "Creator folder suffix",
        SettingType::String,
        Target::FolderSuffix,
    ),
    setting(
        "network_studio",
        "Network studio",
        SettingType::String,
        Target::Config,
    ),
    setting(
        "creators",
        "Only these creators",
        SettingType::String,
        Target::Creators,
    ),
    setting(
        "batch_size",
        "Batch size",
        SettingType::Number,
        Target::Config,
    ),
    setting(
        "read_concurrency",
        "Parallel reads",
        SettingType::Number,
        Target::Config,
    ),
    setting(
        "no_trailer_tag",
        "Do not tag previews as Trailer",
        SettingType::Boolean,
        Target::NoTrailerTag,
    ),
    setting(
        "write_back_stash_ids",
        "Write Stash ids back to the metadata database",
        SettingType::Boolean,
        Target::Config,
    ),
    setting(
        "galleries_organized",
        "Create galleries marked organized",
        SettingType::Boolean,
        Target::Config,
    ),
    setting(
        "state_db",
        "Sync-state file",
        SettingType::String,
        Target::Config,
    ),
    setting(
        "debug_log",
        "Detailed log",
        SettingType::Boolean,
        Target::DebugLog,
    ),
];

/// Where a setting is shown, for messages: `the plugin setting 'Batch size' (Settings >
/// Plugins > fansly-stash)`.
pub fn origin_of(s: &PluginSetting) -> String {
    format!(
        "the plugin setting '{}' (Settings > Plugins > {PLUGIN_ID})",
        s.display_name
    )
}

/// The setting stored under `key`.
pub fn by_key(key: &str) -> Option<&'static PluginSetting> {
    SETTINGS.iter().find(|s| s.key == key)
}

/// The plugin-only choices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PluginOptions {
    /// Usernames to cover; empty = every creator.
    pub creators: Vec<String>,
    /// Log at debug level.
    pub debug_log: bool,
}

/// The stored settings as a configuration layer plus the plugin-only options. Unknown keys
/// (from an older version of the plugin) are ignored.
pub fn from_stored(
    stored: &Map<String, Value>,
) -> Result<(SettingsLayer, PluginOptions), CliError> {
    let mut layer = SettingsLayer {
        values: Map::new(),
        origins: BTreeMap::new(),
    };
    let mut options = PluginOptions::default();
    for (key, raw) in stored {
        let Some(s) = by_key(key) else {
            continue;
        };
        let Some(value) = typed(s, raw)? else {
            continue;
        };
        let config_key = match s.target {
            Target::Config => s.key,
            Target::FolderSuffix => "folder_suffix",
            Target::NoTrailerTag => "tag_previews_trailer",
            Target::Creators => {
                options.creators = value
                    .as_str()
                    .unwrap_or_default()
                    .split([',', ' ', '\n'])
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(|n| n.trim_start_matches('@').to_owned())
                    .collect();
                continue;
            }
            Target::DebugLog => {
                options.debug_log = value.as_bool().unwrap_or(false);
                continue;
            }
        };
        let value = match (s.target, value) {
            (Target::FolderSuffix, Value::String(v)) if v.eq_ignore_ascii_case("none") => {
                Value::String(String::new())
            }
            (Target::NoTrailerTag, Value::Bool(b)) => Value::Bool(!b),
            (_, v) => v,
        };
        layer.values.insert(config_key.to_owned(), value);
        layer.origins.insert(config_key.to_owned(), origin_of(s));
    }
    Ok((layer, options))
}

/// The value as its declared type; `None` when it means "not set".
fn typed(s: &PluginSetting, raw: &Value) -> Result<Option<Value>, CliError> {
    let bad = |want: &str| {
        CliError::config(format!(
            "{} is {raw}, which is not {want}: fix it in Settings > Plugins > {PLUGIN_ID} (clear it to use the default)",
            origin_of(s)
        ))
    };
    Ok(match (s.kind, raw) {
        (_, Value::Null) => None,
        (SettingType::String, Value::String(v)) if v.trim().is_empty() => None,
        (SettingType::String, Value::String(v)) => Some(Value::String(v.trim().to_owned())),
        (SettingType::String, Value::Number(n)) => Some(Value::String(n.to_string())),
        (SettingType::String, _) => return Err(bad("a text")),
        (SettingType::Number, Value::String(v)) if v.trim().is_empty() => None,
        (SettingType::Number, Value::String(v)) => Some(
            whole(v.trim().parse::<f64>().map_err(|_| bad("a number"))?)
                .ok_or_else(|| bad("a whole number"))?,
        ),
        (SettingType::Number, Value::Number(n)) => Some(
            n.as_f64()
                .and_then(whole)
                .ok_or_else(|| bad("a whole number"))?,
        ),
        (SettingType::Number, _) => return Err(bad("a number")),
        (SettingType::Boolean, Value::Bool(b)) => Some(Value::Bool(*b)),
        (SettingType::Boolean, Value::String(v)) => match v.trim() {
            "" => None,
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => return Err(bad("on or off")),
        },
        (SettingType::Boolean, _) => return Err(bad("on or off")),
    })
}

/// A non-negative whole number as a JSON integer (Stash may store `100` as `100.0`).
fn whole(f: f64) -> Option<Value> {
    if f.is_finite() && f.fract() == 0.0 && f >= 0.0 && f <= u32::MAX as f64 {
        Some(Value::Number(Number::from(f as u64)))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stored(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn stored_values_become_config_keys_with_their_origin() {
        let (layer, opts) = from_stored(&stored(json!({
            "metadata_db": " postgres://x ",
            "batch_size": 100.0,
            "folder_suffix": "none",
            "no_trailer_tag": true,
            "creators": "alice, @bob\ncarol",
            "debug_log": true,
            "network_studio": "",
            "state_db": null,
            "from_an_older_version": 3,
        })))
        .unwrap();
        assert_eq!(
            Value::Object(layer.values.clone()),
            json!({
                "metadata_db": "postgres://x",
                "batch_size": 100,
                "folder_suffix": "",
                "tag_previews_trailer": false,
            })
        );
        assert_eq!(
            layer.origins["batch_size"],
            "the plugin setting 'Batch size' (Settings > Plugins > fansly-stash)"
        );
        assert_eq!(
            layer.origins["tag_previews_trailer"],
            "the plugin setting 'Do not tag previews as Trailer' (Settings > Plugins > fansly-stash)"
        );
        assert_eq!(opts.creators, ["alice", "bob", "carol"]);
        assert!(opts.debug_log);
    }

    #[test]
    fn wrong_types_name_the_setting() {
        for (v, needle) in [
            (
                json!({"batch_size": 2.5}),
                "is 2.5, which is not a whole number",
            ),
            (json!({"batch_size": -1}), "whole number"),
            (json!({"batch_size": "many"}), "not a number"),
            (json!({"no_trailer_tag": 3}), "on or off"),
            (json!({"download_root": ["a"]}), "'Download folder'"),
        ] {
            let e = from_stored(&stored(v.clone())).unwrap_err();
            assert!(e.message.contains(needle), "{v}: {}", e.message);
            assert_eq!(e.exit, crate::exit::Exit::Usage);
        }
    }

    #[test]
    fn every_config_target_is_a_configuration_key() {
        for s in SETTINGS {
            if s.target == Target::Config {
                assert!(crate::config::KEYS.contains(&s.key), "{}", s.key);
            }
        }
    }
}
