//! Natural-key matching. Stash's `EQUALS` is SQL `LIKE` (ASCII case-insensitive, `_` and `%`
//! wildcards), so lookups go out as anchored, escaped RE2 regexes and every hit is verified
//! here, client-side, before it is adopted.

/// Escapes RE2 metacharacters (Go's `regexp.QuoteMeta`).
pub(crate) fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `(?i)^(?:a|b|c)$` over the escaped values (case-insensitive: a superset of what we adopt).
pub(crate) fn any_of_regex<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut alts: Vec<String> = values
        .into_iter()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(quote_meta)
        .collect();
    alts.sort();
    alts.dedup();
    if alts.is_empty() {
        None
    } else {
        Some(format!("(?i)^(?:{})$", alts.join("|")))
    }
}

/// `(?i)^<escaped prefix>/(?:.*/)?(?:a|b)$`: files named one of `names` anywhere under the
/// folder `prefix` (case-insensitive: a superset of what is verified client-side).
pub(crate) fn names_under_regex<'a>(
    prefix: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let mut alts: Vec<String> = names
        .into_iter()
        .filter(|n| !n.is_empty())
        .map(quote_meta)
        .collect();
    alts.sort();
    alts.dedup();
    if alts.is_empty() {
        None
    } else {
        Some(format!(
            "(?i)^{}/(?:.*/)?(?:{})$",
            quote_meta(prefix.trim_end_matches('/')),
            alts.join("|")
        ))
    }
}

/// `^<escaped prefix>/`: files under a folder.
pub(crate) fn under_folder_regex(prefix: &str) -> String {
    format!("^{}/", quote_meta(prefix.trim_end_matches('/')))
}

/// Name equality as Stash's uniqueness rules see it, but without wildcards: trimmed and
/// case-insensitive.
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    a == b || a.to_lowercase() == b.to_lowercase()
}

/// Whether `path` lies under the folder `prefix`.
pub(crate) fn is_under(path: &str, prefix: &str) -> bool {
    let folder = prefix.trim_end_matches('/');
    path.strip_prefix(folder)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether a create failed because the name is taken (the texts are stable since v0.24).
pub(crate) fn is_duplicate_name(message: &str) -> bool {
    message.contains("already exists") || message.contains("is used as alias for")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metacharacters_are_escaped() {
        assert_eq!(quote_meta("a.b*(c)"), r"a\.b\*\(c\)");
        assert_eq!(
            any_of_regex(["x_y", "a+b", " ", "x_y"]).unwrap(),
            r"(?i)^(?:a\+b|x_y)$"
        );
        assert_eq!(any_of_regex([""]), None);
        assert_eq!(under_folder_regex("/data/a.b/"), r"^/data/a\.b/");
        assert_eq!(
            names_under_regex("/data/a.b/", ["2_x.mp4", "1.jpg", ""]).unwrap(),
            r"(?i)^/data/a\.b/(?:.*/)?(?:1\.jpg|2_x\.mp4)$"
        );
        assert_eq!(names_under_regex("/data", [""]), None);
    }

    #[test]
    fn names_compare_without_wildcards() {
        assert!(same_name("Alice", "alice "));
        assert!(same_name("Émilie", "émilie"));
        assert!(!same_name("A_B", "AxB"));
        assert!(!same_name("100%", "1000"));
    }

    #[test]
    fn paths_must_lie_under_the_folder() {
        assert!(is_under("/data/alice/a.mp4", "/data/alice"));
        assert!(is_under("/data/alice/x/a.mp4", "/data/alice/"));
        assert!(!is_under("/data/alice2/a.mp4", "/data/alice"));
        assert!(!is_under("/data/alice", "/data/alice"));
    }

    #[test]
    fn duplicate_name_errors_are_recognised() {
        assert!(is_duplicate_name("tag with name 'x' already exists"));
        assert!(is_duplicate_name("name 'x' is used as alias for 'y'"));
        assert!(!is_duplicate_name("FOREIGN KEY constraint failed"));
    }
}
