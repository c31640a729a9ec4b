//! Reading coerced GraphQL arguments: ids, strings, and the three states of an input key
//! (absent, explicit null, value) that Stash's partial updates depend on.

use serde_json::{Map, Value};

use crate::model::Id;

/// Parses an `ID` (string or integer) into a numeric id.
pub(crate) fn id_of(v: &Value) -> Option<Id> {
    match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// One key of an input object.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Key<'a> {
    Absent,
    Null,
    Value(&'a Value),
}

/// Looks up `key` keeping "absent" and "null" apart.
pub(crate) fn key<'a>(m: &'a Map<String, Value>, key: &str) -> Key<'a> {
    match m.get(key) {
        None => Key::Absent,
        Some(Value::Null) => Key::Null,
        Some(v) => Key::Value(v),
    }
}

/// A string input, trimmed (Stash trims names, aliases and URLs).
pub(crate) fn trimmed(v: &Value) -> String {
    v.as_str().unwrap_or_default().trim().to_owned()
}

/// A `[String!]` input, each element trimmed.
pub(crate) fn string_list(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(trimmed).collect())
        .unwrap_or_default()
}

/// An `ID` input that must parse, else Stash's `strconv.Atoi` error.
pub(crate) fn parse_id(v: &Value) -> Result<Id, String> {
    id_of(v).ok_or_else(|| format!("strconv.Atoi: parsing {v}: invalid syntax"))
}

/// A `[ID!]` input.
pub(crate) fn id_list(v: &Value) -> Result<Vec<Id>, String> {
    v.as_array()
        .map(|a| a.iter().map(parse_id).collect())
        .unwrap_or_else(|| Ok(Vec::new()))
}
