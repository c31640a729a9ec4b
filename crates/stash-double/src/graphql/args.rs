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

/// How string inputs are stored: trimmed (`strings.TrimSpace`, v0.30+: stash PR 6226) or as
/// sent (older releases). Only the inputs Stash runs through it use it: titles, codes,
/// details, URLs, names, aliases, disambiguations and descriptions, but not a gallery title on
/// update nor a chapter title (those Stash stores as sent on every version).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Strings {
    trim: bool,
}

impl Strings {
    /// The rule of the configured release.
    pub(crate) fn of(cfg: &crate::config::DoubleConfig) -> Self {
        Self {
            trim: cfg.trims_strings(),
        }
    }

    /// A `String` input as stored.
    pub(crate) fn one(self, v: &Value) -> String {
        let s = v.as_str().unwrap_or_default();
        if self.trim { s.trim() } else { s }.to_owned()
    }

    /// An optional `String` input as stored (`None` when absent or null).
    pub(crate) fn opt(self, v: Option<&Value>) -> Option<String> {
        v.filter(|v| !v.is_null()).map(|v| self.one(v))
    }

    /// A `[String!]` input as stored.
    pub(crate) fn list(self, v: &Value) -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().map(|x| self.one(x)).collect())
            .unwrap_or_default()
    }
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
