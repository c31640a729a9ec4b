//! gqlparser's "Did you mean ...?" hints on validation errors (observed on v0.27.2:
//! `Field "urls" is not defined by type "StudioCreateInput". Did you mean "url"?`).
//!
//! The candidates are the names our schema subset declares, so a hint may name fewer fields
//! than the real server's (which knows every field); for the names fansly-stash sends this
//! makes no difference.

use apollo_compiler::Schema;
use apollo_compiler::schema::ExtendedType;

/// Adds the hint Stash's validator would add to a validation message, if any.
pub(crate) fn with_hint(schema: &Schema, message: &str) -> String {
    let hint = if let Some((field, ty)) = parse(message, "Field \"", "\" is not defined by type \"")
    {
        match schema.types.get(ty.as_str()) {
            Some(ExtendedType::InputObject(o)) => {
                did_you_mean(&field, o.fields.keys().map(|k| k.as_str()))
            }
            _ => None,
        }
    } else if let Some((field, ty)) = parse(message, "Cannot query field \"", "\" on type \"") {
        field_hint(schema, &field, &ty)
    } else {
        None
    };
    match hint {
        Some(h) => format!("{message} {h}"),
        None => message.to_owned(),
    }
}

/// gqlparser places an unknown input field's error at the field's name; apollo-compiler at its
/// value. Moves `locations[0]` of such an error back to the name on the same line.
pub(crate) fn point_at_field_name(query: &str, error: &mut serde_json::Value) {
    let Some(message) = error.get("message").and_then(serde_json::Value::as_str) else {
        return;
    };
    let Some((field, _)) =
        parse(message, "Field \"", "\" is not defined by type \"").or_else(|| {
            // With a hint appended the message no longer ends at the type name.
            let cut = message.find(". Did you mean").map(|i| &message[..=i])?;
            parse(cut, "Field \"", "\" is not defined by type \"")
        })
    else {
        return;
    };
    let Some(loc) = error
        .get_mut("locations")
        .and_then(|l| l.get_mut(0))
        .and_then(serde_json::Value::as_object_mut)
    else {
        return;
    };
    let (Some(line), Some(column)) = (
        loc.get("line").and_then(serde_json::Value::as_u64),
        loc.get("column").and_then(serde_json::Value::as_u64),
    ) else {
        return;
    };
    let Some(text) = query.lines().nth(line.saturating_sub(1) as usize) else {
        return;
    };
    let chars: Vec<char> = text.chars().collect();
    let end = (column as usize).saturating_sub(1).min(chars.len());
    let before: String = chars[..end].iter().collect();
    // The last `<field>` followed by optional blanks and `:` before the value.
    let Some(at) = before.rmatch_indices(field.as_str()).find_map(|(i, _)| {
        let after = before[i + field.len()..].trim_start();
        after.starts_with(':').then_some(i)
    }) else {
        return;
    };
    let col = before[..at].chars().count() + 1;
    loc.insert("column".into(), serde_json::Value::from(col));
}

/// `<prefix><a><middle><b>".` → (a, b).
fn parse(message: &str, prefix: &str, middle: &str) -> Option<(String, String)> {
    let rest = message.strip_prefix(prefix)?;
    let (a, rest) = rest.split_once(middle)?;
    let b = rest.strip_suffix("\".")?;
    Some((a.to_owned(), b.to_owned()))
}

fn field_hint(schema: &Schema, field: &str, ty: &str) -> Option<String> {
    match schema.types.get(ty)? {
        ExtendedType::Object(o) => did_you_mean(field, o.fields.keys().map(|k| k.as_str())),
        ExtendedType::Interface(i) => {
            let types: Vec<&str> = schema
                .types
                .iter()
                .filter_map(|(name, t)| match t {
                    ExtendedType::Object(o)
                        if o.implements_interfaces.iter().any(|x| x.name == ty)
                            && o.fields.contains_key(field) =>
                    {
                        Some(name.as_str())
                    }
                    _ => None,
                })
                .collect();
            if types.is_empty() {
                did_you_mean(field, i.fields.keys().map(|k| k.as_str()))
            } else {
                Some(format!(
                    "Did you mean to use an inline fragment on {}?",
                    quoted_or_list(&types)
                ))
            }
        }
        ExtendedType::Union(u) => {
            let types: Vec<&str> = u
                .members
                .iter()
                .map(|m| m.name.as_str())
                .filter(|m| {
                    matches!(schema.types.get(*m), Some(ExtendedType::Object(o)) if o.fields.contains_key(field))
                })
                .collect();
            (!types.is_empty()).then(|| {
                format!(
                    "Did you mean to use an inline fragment on {}?",
                    quoted_or_list(&types)
                )
            })
        }
        _ => None,
    }
}

fn did_you_mean<'a>(typed: &str, options: impl Iterator<Item = &'a str>) -> Option<String> {
    let found = suggestion_list(typed, options);
    (!found.is_empty()).then(|| format!("Did you mean {}?", quoted_or_list(&found)))
}

/// The options within gqlparser's threshold (`floor(0.4 * len) + 1` edits), closest first.
fn suggestion_list<'a>(typed: &str, options: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let threshold = (typed.len() * 2 / 5 + 1).max(1);
    let mut found: Vec<(usize, &str)> = options
        .map(|o| (lexical_distance(typed, o), o))
        .filter(|(d, _)| *d <= threshold)
        .collect();
    found.sort_by_key(|(d, _)| *d);
    found.into_iter().map(|(_, o)| o).collect()
}

/// Levenshtein distance, where a difference of case only counts as one edit.
fn lexical_distance(a: &str, b: &str) -> usize {
    if a == b {
        return 0;
    }
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    if a == b {
        return 1;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut row = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            row[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1);
        }
        prev = row;
    }
    prev[b.len()]
}

/// `"a"`, `"a" or "b"`, `"a", "b", or "c"` (at most five).
fn quoted_or_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().take(5).map(|i| format!("\"{i}\"")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        [init @ .., last] => format!("{}, or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_lists_follow_gqlparser() {
        assert_eq!(lexical_distance("urls", "url"), 1);
        assert_eq!(lexical_distance("Url", "url"), 1);
        assert_eq!(lexical_distance("kitten", "sitting"), 3);
        assert_eq!(
            suggestion_list("urls", ["name", "url", "parent_id"].into_iter()),
            ["url"]
        );
        assert!(suggestion_list("bogusField", ["count", "scenes"].into_iter()).is_empty());
        assert_eq!(quoted_or_list(&["a", "b"]), "\"a\" or \"b\"");
        assert_eq!(quoted_or_list(&["a", "b", "c"]), "\"a\", \"b\", or \"c\"");
    }

    #[test]
    fn hints_are_added_to_validation_messages() {
        let schema = Schema::parse_and_validate(
            "type Query { s(i: I): S } type S { id: ID url: String } input I { name: String url: String }",
            "s.graphql",
        )
        .unwrap();
        assert_eq!(
            with_hint(&schema, "Field \"urls\" is not defined by type \"I\"."),
            "Field \"urls\" is not defined by type \"I\". Did you mean \"url\"?"
        );
        assert_eq!(
            with_hint(&schema, "Cannot query field \"urll\" on type \"S\"."),
            "Cannot query field \"urll\" on type \"S\". Did you mean \"url\"?"
        );
        assert_eq!(
            with_hint(&schema, "Cannot query field \"bogus\" on type \"S\"."),
            "Cannot query field \"bogus\" on type \"S\"."
        );
    }
}
