//! The argument-count rule: `clippy::too_many_arguments` is never allowed (not by an
//! attribute, a crate or workspace `[lints]` table, nor a raised threshold in `clippy.toml`).
//! A function that needs that many inputs wants a value that owns them.

use syn::visit::Visit;

const LINT: &str = "too_many_arguments";

/// `allow`/`expect` attributes (also inside `cfg_attr`) that silence the lint in one file.
pub fn in_source(rel: &str, source: &str) -> Vec<String> {
    let Ok(file) = syn::parse_file(source) else {
        return Vec::new();
    };
    let mut v = Attrs {
        rel,
        out: Vec::new(),
    };
    v.visit_file(&file);
    v.out
}

struct Attrs<'a> {
    rel: &'a str,
    out: Vec<String>,
}

impl<'ast> Visit<'ast> for Attrs<'_> {
    fn visit_attribute(&mut self, a: &'ast syn::Attribute) {
        let silences = ["allow", "expect", "cfg_attr"]
            .iter()
            .any(|p| a.path().is_ident(p));
        let tokens = match &a.meta {
            syn::Meta::List(l) => l.tokens.to_string(),
            _ => String::new(),
        };
        if silences && tokens.contains(LINT) {
            self.out.push(format!(
                "{}:{}: `clippy::{LINT}` is allowed here: give the function a value that owns \
                 its inputs instead",
                self.rel,
                a.pound_token.span.start().line
            ));
        }
    }
}

/// A `[lints.clippy]` / `[workspace.lints.clippy]` entry or a `clippy.toml` threshold that
/// silences the lint.
pub fn in_config(rel: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    if rel.ends_with("clippy.toml") {
        if text.contains("too-many-arguments-threshold") {
            out.push(format!(
                "{rel}: raises `too-many-arguments-threshold`; keep clippy's default"
            ));
        }
        return out;
    }
    let Ok(value) = text.parse::<toml::Table>() else {
        return out;
    };
    let tables = [
        value.get("lints"),
        value.get("workspace").and_then(|w| w.get("lints")),
    ];
    for clippy in tables.into_iter().flatten().filter_map(|l| l.get("clippy")) {
        if let Some(level) = clippy.get(LINT) {
            let level = level
                .as_str()
                .or_else(|| level.get("level").and_then(toml::Value::as_str))
                .unwrap_or("");
            if level == "allow" {
                out.push(format!("{rel}: `clippy::{LINT}` is allowed in [lints]"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_of_allowing_the_lint_is_found() {
        let src = "#[allow(clippy::too_many_arguments)]\nfn f() {}\n\
                   #[cfg_attr(test, expect(clippy::too_many_arguments))]\nfn g() {}\n\
                   #[allow(clippy::needless_pass_by_value)]\nfn h() {}\n";
        let p = in_source("a.rs", src);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(
            p[0].starts_with("a.rs:1:") && p[1].starts_with("a.rs:3:"),
            "{p:?}"
        );
        let toml = "[lints.clippy]\ntoo_many_arguments = \"allow\"\n";
        assert_eq!(in_config("x/Cargo.toml", toml).len(), 1);
        let ws = "[workspace.lints.clippy]\ntoo_many_arguments = { level = \"allow\" }\n";
        assert_eq!(in_config("Cargo.toml", ws).len(), 1);
        assert_eq!(
            in_config("clippy.toml", "too-many-arguments-threshold = 12\n").len(),
            1
        );
        assert!(in_config("clippy.toml", "allow-unwrap-in-tests = true\n").is_empty());
    }
}
