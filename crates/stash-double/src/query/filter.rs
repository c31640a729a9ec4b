//! Object filters (`SceneFilterType`, ...): string, int, multi and hierarchical criteria,
//! booleans, and one AND/OR/NOT sub-filter per level, with Stash's semantics and errors.

use std::collections::BTreeSet;

use regex::Regex;
use serde_json::{Map, Value};

use super::like::Like;
use crate::model::{Id, State};

/// What an object offers to a criterion.
pub(crate) enum FieldValue {
    /// String values; an empty list is SQL NULL. Multi-valued fields (urls, paths, aliases)
    /// match when any value matches.
    Strings(Vec<String>),
    Int(Option<i64>),
    Ids(BTreeSet<Id>),
    /// The object's studio, for hierarchical studio criteria.
    Studio(Option<Id>),
    Bool(bool),
}

/// An object that can be filtered.
pub(crate) trait Row {
    /// The value of criterion `name`, or `None` when the double does not know it.
    fn field(&self, st: &State, name: &str) -> Option<FieldValue>;
}

enum StrMatch {
    Like(Like, bool),
    AnyWord(Vec<Like>, bool),
    Regex(Regex, bool),
    Null(bool),
}

enum Criterion {
    Str(StrMatch),
    Int {
        modifier: String,
        value: i64,
        value2: Option<i64>,
    },
    Multi {
        modifier: String,
        values: BTreeSet<Id>,
        excludes: BTreeSet<Id>,
        depth: i64,
    },
    Bool(bool),
}

/// A validated, compiled filter.
pub(crate) struct Filter {
    criteria: Vec<(String, Criterion)>,
    sub: Option<(&'static str, Box<Filter>)>,
}

fn parse_ids(v: Option<&Value>) -> BTreeSet<Id> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(crate::graphql::args::id_of).collect())
        .unwrap_or_default()
}

fn words(value: &str) -> Vec<String> {
    let t = value.trim();
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        return vec![t[1..t.len() - 1].to_owned()];
    }
    t.split_whitespace().map(str::to_owned).collect()
}

fn compile_string(c: &Map<String, Value>) -> Result<StrMatch, String> {
    let value = c.get("value").and_then(Value::as_str).unwrap_or_default();
    let modifier = c
        .get("modifier")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Ok(match modifier {
        "EQUALS" => StrMatch::Like(Like::new(value), true),
        "NOT_EQUALS" => StrMatch::Like(Like::new(value), false),
        "INCLUDES" => StrMatch::AnyWord(
            words(value).iter().map(|w| Like::containing(w)).collect(),
            true,
        ),
        "EXCLUDES" => StrMatch::AnyWord(
            words(value).iter().map(|w| Like::containing(w)).collect(),
            false,
        ),
        "MATCHES_REGEX" | "NOT_MATCHES_REGEX" => {
            let re = Regex::new(value).map_err(|e| format!("invalid regex {value:?}: {e}"))?;
            StrMatch::Regex(re, modifier == "MATCHES_REGEX")
        }
        "IS_NULL" => StrMatch::Null(true),
        "NOT_NULL" => StrMatch::Null(false),
        other => {
            return Err(format!(
                "Internal system error. Error <unsupported string filter modifier: {other}>"
            ));
        }
    })
}

impl StrMatch {
    fn eval(&self, values: &[String]) -> bool {
        match self {
            Self::Like(like, true) => values.iter().any(|v| like.matches(v)),
            Self::Like(like, false) => values.iter().any(|v| !like.matches(v)),
            Self::AnyWord(likes, true) => values.iter().any(|v| likes.iter().any(|l| l.matches(v))),
            Self::AnyWord(likes, false) => {
                values.is_empty() || values.iter().any(|v| likes.iter().all(|l| !l.matches(v)))
            }
            Self::Regex(re, true) => values.iter().any(|v| re.is_match(v)),
            Self::Regex(re, false) => values.is_empty() || values.iter().any(|v| !re.is_match(v)),
            Self::Null(want_null) => {
                let is_null = values.iter().all(|v| v.trim().is_empty());
                is_null == *want_null
            }
        }
    }
}

impl Filter {
    /// Validates and compiles a filter argument (`None`/null: matches everything).
    pub fn compile(arg: Option<&Value>) -> Result<Option<Self>, String> {
        match arg {
            Some(Value::Object(m)) => Self::compile_map(m).map(Some),
            _ => Ok(None),
        }
    }

    fn compile_map(m: &Map<String, Value>) -> Result<Self, String> {
        let has = |k: &str| m.get(k).is_some_and(|v| !v.is_null());
        for (a, b) in [("AND", "OR"), ("AND", "NOT"), ("OR", "NOT")] {
            if has(a) && has(b) {
                return Err(format!("cannot have {a} and {b} in the same filter"));
            }
        }
        let mut criteria = Vec::new();
        let mut sub = None;
        for (key, v) in m {
            if v.is_null() {
                continue;
            }
            match key.as_str() {
                "AND" | "OR" | "NOT" => {
                    let label = match key.as_str() {
                        "AND" => "AND",
                        "OR" => "OR",
                        _ => "NOT",
                    };
                    if let Value::Object(inner) = v {
                        sub = Some((label, Box::new(Self::compile_map(inner)?)));
                    }
                }
                _ => {
                    let criterion = match v {
                        Value::Bool(b) => Criterion::Bool(*b),
                        Value::Object(c)
                            if c.contains_key("value2")
                                || c.get("value").is_some_and(Value::is_i64) =>
                        {
                            Criterion::Int {
                                modifier: c
                                    .get("modifier")
                                    .and_then(Value::as_str)
                                    .unwrap_or_default()
                                    .to_owned(),
                                value: c.get("value").and_then(Value::as_i64).unwrap_or_default(),
                                value2: c.get("value2").and_then(Value::as_i64),
                            }
                        }
                        Value::Object(c) if c.get("value").is_some_and(Value::is_string) => {
                            Criterion::Str(compile_string(c)?)
                        }
                        Value::Object(c) => {
                            let modifier = c
                                .get("modifier")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_owned();
                            if modifier == "NOT_EQUALS" {
                                return Err("not equals modifier is not supported for multi criterion input".into());
                            }
                            Criterion::Multi {
                                modifier,
                                values: parse_ids(c.get("value")),
                                excludes: parse_ids(c.get("excludes")),
                                depth: c.get("depth").and_then(Value::as_i64).unwrap_or(0),
                            }
                        }
                        _ => continue,
                    };
                    criteria.push((key.clone(), criterion));
                }
            }
        }
        Ok(Self { criteria, sub })
    }

    /// Whether `row` passes this filter.
    pub fn matches(&self, st: &State, row: &dyn Row) -> bool {
        let level = self
            .criteria
            .iter()
            .all(|(name, c)| match row.field(st, name) {
                None => true,
                Some(v) => eval(st, c, &v),
            });
        match &self.sub {
            None => level,
            Some(("AND", f)) => level && f.matches(st, row),
            Some(("OR", f)) if self.criteria.is_empty() => f.matches(st, row),
            Some(("OR", f)) => level || f.matches(st, row),
            Some((_, f)) => level && !f.matches(st, row),
        }
    }
}

fn eval(st: &State, c: &Criterion, v: &FieldValue) -> bool {
    match (c, v) {
        (Criterion::Str(m), FieldValue::Strings(values)) => m.eval(values),
        (Criterion::Bool(b), FieldValue::Bool(x)) => b == x,
        (
            Criterion::Int {
                modifier,
                value,
                value2,
            },
            FieldValue::Int(x),
        ) => {
            let Some(x) = *x else {
                return modifier == "IS_NULL";
            };
            let v2 = value2.unwrap_or(*value);
            match modifier.as_str() {
                "EQUALS" => x == *value,
                "NOT_EQUALS" => x != *value,
                "GREATER_THAN" => x > *value,
                "LESS_THAN" => x < *value,
                "BETWEEN" => x >= *value && x <= v2,
                "NOT_BETWEEN" => x < *value || x > v2,
                "IS_NULL" => false,
                "NOT_NULL" => true,
                _ => true,
            }
        }
        (
            Criterion::Multi {
                modifier,
                values,
                excludes,
                depth,
            },
            FieldValue::Studio(studio),
        ) => {
            let mut wanted = BTreeSet::new();
            for v in values {
                wanted.extend(st.studio_with_descendants(*v, *depth));
            }
            let mut unwanted = BTreeSet::new();
            for v in excludes {
                unwanted.extend(st.studio_with_descendants(*v, *depth));
            }
            let has: BTreeSet<Id> = studio.iter().copied().collect();
            multi(modifier, &wanted, &unwanted, &has)
        }
        (
            Criterion::Multi {
                modifier,
                values,
                excludes,
                ..
            },
            FieldValue::Ids(has),
        ) => multi(modifier, values, excludes, has),
        _ => true,
    }
}

fn multi(
    modifier: &str,
    values: &BTreeSet<Id>,
    excludes: &BTreeSet<Id>,
    has: &BTreeSet<Id>,
) -> bool {
    if excludes.iter().any(|e| has.contains(e)) {
        return false;
    }
    match modifier {
        "INCLUDES" => values.is_empty() || values.iter().any(|v| has.contains(v)),
        "INCLUDES_ALL" => values.iter().all(|v| has.contains(v)),
        "EQUALS" => values == has,
        "EXCLUDES" => values.iter().all(|v| !has.contains(v)),
        "IS_NULL" => has.is_empty(),
        "NOT_NULL" => !has.is_empty(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct R(Vec<String>);
    impl Row for R {
        fn field(&self, _: &State, name: &str) -> Option<FieldValue> {
            (name == "title").then(|| FieldValue::Strings(self.0.clone()))
        }
    }

    fn check(filter: Value, title: Option<&str>) -> bool {
        let f = Filter::compile(Some(&filter)).unwrap().unwrap();
        f.matches(
            &State::default(),
            &R(title.map(str::to_owned).into_iter().collect()),
        )
    }

    #[test]
    fn includes_splits_words_unless_quoted() {
        let inc = |v: &str| json!({"title": {"value": v, "modifier": "INCLUDES"}});
        assert!(check(inc("foo bar"), Some("only bar here")));
        assert!(!check(inc("\"foo bar\""), Some("only bar here")));
        assert!(check(inc("\"foo bar\""), Some("a foo bar b")));
    }

    #[test]
    fn null_modifiers_treat_blank_as_null() {
        let f = |m: &str| json!({"title": {"value": "", "modifier": m}});
        assert!(check(f("IS_NULL"), None));
        assert!(check(f("IS_NULL"), Some("  ")));
        assert!(check(f("NOT_NULL"), Some("x")));
    }

    #[test]
    fn and_or_not_are_exclusive_per_level() {
        let e = Filter::compile(Some(&json!({"AND": {}, "OR": {}}))).err();
        assert_eq!(
            e.as_deref(),
            Some("cannot have AND and OR in the same filter")
        );
        let e = Filter::compile(Some(&json!({"OR": {}, "NOT": {}}))).err();
        assert_eq!(
            e.as_deref(),
            Some("cannot have OR and NOT in the same filter")
        );
    }
}
