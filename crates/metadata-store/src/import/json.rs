//! Walking a `serde_json::Value` with the JSON path that reached each node, so every error and
//! warning names where in the file it is (`response.posts[3].id`), and typed getters that
//! apply upstream's conversion rules: ids as strings or integers validated as snowflakes,
//! `*At` timestamps in seconds or milliseconds, three-state fields (absent, null, value).

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Map, Value};

use super::report::Warnings;

/// Smallest Fansly snowflake id upstream accepts (10^15).
pub const MIN_SNOWFLAKE: i64 = 1_000_000_000_000_000;

/// A number above this under a `*At` key is milliseconds, otherwise seconds (upstream's rule).
const MILLIS_THRESHOLD: f64 = 1e10;

/// What is wrong at one place of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Where: `response.posts[3].id`.
    pub path: String,
    /// What: "expected a string or an integer id, found true".
    pub message: String,
}

/// Results of the walk.
pub type JResult<T> = Result<T, JsonError>;

/// A field read with upstream's merge semantics: `None` when the key is absent (keep what the
/// store has), `Some(None)` for an explicit `null`, `Some(Some(v))` for a value.
pub type Field<T> = Option<Option<T>>;

/// Describes a JSON value in messages ("a string", "an array", ...).
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value and its path.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    /// The value.
    pub value: &'a Value,
    /// Its JSON path.
    pub path: String,
}

impl<'a> Node<'a> {
    /// The document root, named `name` in paths (`$` or `response`).
    pub fn root(value: &'a Value, name: &str) -> Self {
        Node {
            value,
            path: name.to_owned(),
        }
    }

    /// An error at this node.
    pub fn err(&self, message: impl Into<String>) -> JsonError {
        JsonError {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    /// This node as an object, or an error saying what it is instead.
    pub fn object(&self, what: &str) -> JResult<Obj<'a>> {
        match self.value {
            Value::Object(map) => Ok(Obj {
                map,
                path: self.path.clone(),
            }),
            other => Err(self.err(format!(
                "expected {what} (a JSON object), found {}",
                kind_of(other)
            ))),
        }
    }

    /// This node's elements, or an error if it is not an array.
    pub fn elements(&self, what: &str) -> JResult<Vec<Node<'a>>> {
        match self.value {
            Value::Array(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, value)| Node {
                    value,
                    path: format!("{}[{i}]", self.path),
                })
                .collect()),
            other => Err(self.err(format!(
                "expected a list of {what} (a JSON array), found {}",
                kind_of(other)
            ))),
        }
    }
}

/// An object and its path, with typed getters.
#[derive(Debug, Clone)]
pub struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    /// The object's path.
    pub fn path(&self) -> &str {
        &self.path
    }

    fn key_path(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    fn key_err(&self, key: &str, message: impl Into<String>) -> JsonError {
        JsonError {
            path: self.key_path(key),
            message: message.into(),
        }
    }

    /// Whether the key is present (even if null).
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// The raw value under `key`, `None` when absent or null.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// The child node under `key` (absent or null: `None`).
    pub fn node(&self, key: &str) -> Option<Node<'a>> {
        self.get(key).map(|value| Node {
            value,
            path: self.key_path(key),
        })
    }

    /// The child object under `key` (absent or null: `None`).
    pub fn object(&self, key: &str, what: &str) -> JResult<Option<Obj<'a>>> {
        self.node(key).map(|n| n.object(what)).transpose()
    }

    /// The elements of the array under `key` (absent or null: empty, `present` false).
    pub fn array(&self, key: &str, what: &str) -> JResult<Vec<Node<'a>>> {
        match self.node(key) {
            Some(n) => n.elements(what),
            None => Ok(Vec::new()),
        }
    }

    /// Counts a warning for every key not in `known` (upstream ignores unknown keys; we say so).
    pub fn check_keys(&self, known: &[&str], what: &str, warnings: &mut Warnings) {
        for key in self.map.keys() {
            if !known.contains(&key.as_str()) {
                warnings.add(
                    Some(self.key_path(key)),
                    format!("unknown field `{key}` in {what}; ignored"),
                );
            }
        }
    }

    /// A required Fansly id (snowflake).
    pub fn id(&self, key: &str) -> JResult<i64> {
        match self.opt_id(key)? {
            Some(Some(id)) => Ok(id),
            Some(None) => Err(self.key_err(key, format!("required id `{key}` is null"))),
            None => Err(self.key_err(key, format!("required key `{key}` is missing"))),
        }
    }

    /// An optional Fansly id (snowflake), as a string or an integer.
    pub fn opt_id(&self, key: &str) -> JResult<Field<i64>> {
        let Some(v) = self.map.get(key) else {
            return Ok(None);
        };
        if v.is_null() {
            return Ok(Some(None));
        }
        snowflake(v)
            .map(|id| Some(Some(id)))
            .map_err(|m| self.key_err(key, m))
    }

    /// A small integer given as a string or a number (e.g. `locationId: "102"`).
    pub fn small_int(&self, key: &str) -> JResult<Option<i64>> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let n = match v {
            Value::String(s) => s.trim().parse::<i64>().ok(),
            Value::Number(n) => n.as_i64(),
            _ => None,
        };
        n.map(Some).ok_or_else(|| {
            self.key_err(
                key,
                format!("expected an integer (or a string of digits), found {v}"),
            )
        })
    }

    /// An optional string.
    pub fn str(&self, key: &str) -> JResult<Field<String>> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
            Some(other) => {
                Err(self.key_err(key, format!("expected a string, found {}", kind_of(other))))
            }
        }
    }

    /// An optional 32-bit integer.
    pub fn i32(&self, key: &str) -> JResult<Field<i32>> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::Number(n)) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
                Some(i) => Ok(Some(Some(i))),
                None => Err(self.key_err(
                    key,
                    format!("expected a 32-bit integer, found {n} (out of range or fractional)"),
                )),
            },
            Some(other) => Err(self.key_err(
                key,
                format!("expected an integer, found {}", kind_of(other)),
            )),
        }
    }

    /// An optional boolean.
    pub fn bool(&self, key: &str) -> JResult<Field<bool>> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::Bool(b)) => Ok(Some(Some(*b))),
            Some(other) => Err(self.key_err(
                key,
                format!("expected true or false, found {}", kind_of(other)),
            )),
        }
    }

    /// An optional `*At` timestamp: a number of seconds, or of milliseconds above 1e10.
    pub fn time(&self, key: &str) -> JResult<Field<DateTime<Utc>>> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::Number(n)) => {
                let Some(x) = n.as_f64() else {
                    return Err(self.key_err(key, format!("timestamp {n} is not a number")));
                };
                timestamp(x)
                    .map(|t| Some(Some(t)))
                    .ok_or_else(|| self.key_err(key, format!("timestamp {n} is out of range")))
            }
            Some(other) => Err(self.key_err(
                key,
                format!(
                    "expected a timestamp (seconds or milliseconds since 1970), found {}",
                    kind_of(other)
                ),
            )),
        }
    }
}

/// Validates a snowflake id given as a string of digits or an integer.
pub fn snowflake(v: &Value) -> Result<i64, String> {
    let parsed: Option<i128> = match v {
        Value::String(s) => s.trim().parse::<i128>().ok(),
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from)),
        _ => None,
    };
    let Some(n) = parsed else {
        return Err(format!(
            "expected an id (a string of digits or an integer), found {v}"
        ));
    };
    match i64::try_from(n) {
        Ok(id) if id >= MIN_SNOWFLAKE => Ok(id),
        _ => Err(format!(
            "id {n} is out of range: Fansly ids are between 10^15 and 2^63-1"
        )),
    }
}

/// Seconds or milliseconds (above 1e10) since 1970 as UTC.
pub fn timestamp(x: f64) -> Option<DateTime<Utc>> {
    if !x.is_finite() {
        return None;
    }
    let millis = if x.abs() > MILLIS_THRESHOLD {
        x
    } else {
        x * 1000.0
    };
    let millis = millis.round();
    if millis.abs() > 8.0e15 {
        return None;
    }
    // In range by the check above.
    #[allow(clippy::cast_possible_truncation)]
    Utc.timestamp_millis_opt(millis as i64).single()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_come_as_strings_or_integers_and_are_range_checked() {
        assert_eq!(
            snowflake(&json!("720419390651346944")),
            Ok(720419390651346944)
        );
        assert_eq!(
            snowflake(&json!(720419390651346944_i64)),
            Ok(720419390651346944)
        );
        assert!(snowflake(&json!("999999999999999")).is_err());
        assert!(snowflake(&json!("9223372036854775808")).is_err());
        assert!(snowflake(&json!("12ab")).is_err());
        assert!(snowflake(&json!(1.5)).is_err());
        assert!(snowflake(&json!(true)).is_err());
    }

    #[test]
    fn timestamps_above_1e10_are_milliseconds() {
        let s = timestamp(1_737_290_985.0).unwrap();
        let ms = timestamp(1_673_792_358_000.0).unwrap();
        assert_eq!(s.timestamp(), 1_737_290_985);
        assert_eq!(ms.timestamp(), 1_673_792_358);
        assert_eq!(timestamp(1e10).unwrap().timestamp(), 10_000_000_000);
        assert!(timestamp(f64::NAN).is_none());
        assert!(timestamp(1e300).is_none());
    }

    #[test]
    fn errors_name_the_json_path() {
        let v = json!({"posts": [{"id": "1"}]});
        let root = Node::root(&v, "response").object("a page").unwrap();
        let posts = root.array("posts", "posts").unwrap();
        let post = posts[0].object("a post").unwrap();
        let e = post.id("id").unwrap_err();
        assert_eq!(e.path, "response.posts[0].id");
        assert!(e.message.contains("out of range"), "{}", e.message);
        let e = post.id("accountId").unwrap_err();
        assert_eq!(e.path, "response.posts[0].accountId");
        assert!(e.message.contains("missing"));
    }

    #[test]
    fn fields_are_three_state() {
        let v = json!({"a": null, "b": "x", "c": 3, "d": 3_000_000_000_i64});
        let o = Node::root(&v, "$").object("x").unwrap();
        assert_eq!(o.str("a").unwrap(), Some(None));
        assert_eq!(o.str("b").unwrap(), Some(Some("x".to_owned())));
        assert_eq!(o.str("z").unwrap(), None);
        assert_eq!(o.i32("c").unwrap(), Some(Some(3)));
        assert_eq!(o.i32("d").unwrap_err().path, "$.d");
        assert!(o.str("c").is_err());
    }
}
