//! Plugin settings as Stash keeps them: `configurePlugin(plugin_id, input)` replaces one
//! plugin's whole settings map; `configuration { plugins(include) }` answers a map of plugin
//! id to settings, with only the included plugins that have a non-empty map (all plugins
//! without `include`), as Stash v0.30.1 does. Values come back as they were stored (numbers
//! as JSON numbers).

use apollo_compiler::resolvers::ResolveInfo;
use serde_json::{Map, Value};

use crate::model::State;

fn arguments(info: &ResolveInfo<'_>) -> Map<String, Value> {
    match serde_json::to_value(info.arguments()) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// `ConfigResult.plugins(include: [ID!])`.
pub(crate) fn plugins(st: &State, info: &ResolveInfo<'_>) -> Value {
    let include: Option<Vec<String>> = arguments(info)
        .get("include")
        .and_then(Value::as_array)
        .filter(|ids| !ids.is_empty())
        .map(|ids| {
            ids.iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect()
        });
    let mut out = Map::new();
    for (id, settings) in &st.plugin_settings {
        let wanted = include.as_ref().is_none_or(|ids| ids.contains(id));
        if wanted && !settings.is_empty() {
            out.insert(id.clone(), Value::Object(settings.clone()));
        }
    }
    Value::Object(out)
}

/// `Mutation.configurePlugin(plugin_id: ID!, input: Map!): Map!`: replaces the settings and
/// answers them.
pub(crate) fn configure(st: &mut State, info: &ResolveInfo<'_>) -> Result<Value, String> {
    let args = arguments(info);
    let id = match args.get("plugin_id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err("plugin_id is required".to_owned()),
    };
    let input = match args.get("input") {
        Some(Value::Object(m)) => m.clone(),
        _ => return Err("input must be a map".to_owned()),
    };
    st.plugin_settings.insert(id, input.clone());
    Ok(Value::Object(input))
}
