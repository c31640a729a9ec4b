//! The function-length rule: no non-test function longer than [`MAX_LINES`] lines (signature
//! to closing brace), so each one is a step a reader can take in at a glance. Declarative
//! tables that are long by nature are allowed by name in [`ALLOWED`], each with its reason.
//!
//! Test code does not count: `#[test]`-like functions, `#[cfg(test)]` items and the files of
//! integration-test targets (`tests/` folders of a crate, the `tests` crate's `tests/`).

use std::path::Path;

use proc_macro2::Span;
use syn::visit::Visit;

/// The longest a non-test function may be, in lines.
pub const MAX_LINES: usize = 100;

/// Functions allowed to be longer: (file, function, why). Only declarative tables belong here.
pub const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "crates/metadata-store/src/migration/m0001_upstream_tables.rs",
        "tables",
        "the upstream schema, one table definition after another (a DDL table)",
    ),
    (
        "crates/stash-double/src/graphql/root_query.rs",
        "resolve",
        "one match arm per root query field: the Query type as a table",
    ),
    (
        "crates/stash-double/src/model/dump.rs",
        "dump",
        "the JSON shape of every table of the double's state, one after another",
    ),
];

/// One function and its length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FnLength {
    /// The file, relative to the repository root.
    pub file: String,
    /// `Type::name` for methods, `name` for free functions.
    pub name: String,
    /// First line (the `fn` keyword).
    pub line: usize,
    /// Lines from the signature to the closing brace.
    pub lines: usize,
}

/// Whether a file holds only test code (an integration-test target).
pub fn is_test_file(rel: &str) -> bool {
    let parts: Vec<&str> = rel.split('/').collect();
    matches!(
        parts.as_slice(),
        ["crates", _, "tests", ..] | ["crates", _, "benches", ..] | ["tests", "tests", ..]
    )
}

/// The non-test functions of one source file with their lengths.
pub fn functions(rel: &str, source: &str) -> Result<Vec<FnLength>, String> {
    let file = syn::parse_file(source).map_err(|e| format!("{rel}: cannot parse: {e}"))?;
    let mut v = Lengths {
        file: rel.to_owned(),
        owner: Vec::new(),
        out: Vec::new(),
    };
    v.visit_file(&file);
    Ok(v.out)
}

/// Problems: functions over the limit that are not allowed by name.
pub fn problems(all: &[FnLength]) -> Vec<String> {
    all.iter()
        .filter(|f| f.lines > MAX_LINES)
        .filter(|f| {
            !ALLOWED
                .iter()
                .any(|(file, name, _)| *file == f.file && *name == f.name)
        })
        .map(|f| {
            format!(
                "{}:{}: `{}` is {} lines long (at most {MAX_LINES}): split it into steps, each a \
                 function or method with a name that says what it does",
                f.file, f.line, f.name, f.lines
            )
        })
        .collect()
}

/// The `n` longest functions, longest first.
pub fn longest(all: &[FnLength], n: usize) -> Vec<FnLength> {
    let mut sorted = all.to_vec();
    sorted.sort_by(|a, b| b.lines.cmp(&a.lines).then_with(|| a.file.cmp(&b.file)));
    sorted.truncate(n);
    sorted
}

struct Lengths {
    file: String,
    owner: Vec<String>,
    out: Vec<FnLength>,
}

fn is_test_attr(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        let path = a.path();
        let last = path.segments.last().map(|s| s.ident.to_string());
        if last.as_deref() == Some("test") {
            return true;
        }
        path.is_ident("cfg")
            && a.parse_args::<proc_macro2::TokenStream>()
                .is_ok_and(|t| t.to_string().split_whitespace().any(|w| w == "test"))
    })
}

impl Lengths {
    fn record(&mut self, name: &syn::Ident, start: Span, end: Span) {
        let name = match self.owner.last() {
            Some(owner) => format!("{owner}::{name}"),
            None => name.to_string(),
        };
        let (line, last) = (start.start().line, end.end().line);
        self.out.push(FnLength {
            file: self.file.clone(),
            name,
            line,
            lines: last + 1 - line,
        });
    }
}

impl<'ast> Visit<'ast> for Lengths {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_test_attr(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if is_test_attr(&f.attrs) {
            return;
        }
        self.record(
            &f.sig.ident,
            f.sig.fn_token.span,
            f.block.brace_token.span.close(),
        );
        syn::visit::visit_item_fn(self, f);
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if is_test_attr(&i.attrs) {
            return;
        }
        let owner = match &*i.self_ty {
            syn::Type::Path(p) => p
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default(),
            _ => "impl".to_owned(),
        };
        self.owner.push(owner);
        syn::visit::visit_item_impl(self, i);
        self.owner.pop();
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if is_test_attr(&f.attrs) {
            return;
        }
        self.record(
            &f.sig.ident,
            f.sig.fn_token.span,
            f.block.brace_token.span.close(),
        );
        syn::visit::visit_impl_item_fn(self, f);
    }

    fn visit_item_trait(&mut self, t: &'ast syn::ItemTrait) {
        self.owner.push(t.ident.to_string());
        syn::visit::visit_item_trait(self, t);
        self.owner.pop();
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(block) = &f.default
            && !is_test_attr(&f.attrs)
        {
            self.record(
                &f.sig.ident,
                f.sig.fn_token.span,
                block.brace_token.span.close(),
            );
        }
        syn::visit::visit_trait_item_fn(self, f);
    }
}

/// Every non-test function under `root`'s Rust files.
pub fn measure(root: &Path, files: &[std::path::PathBuf]) -> (Vec<FnLength>, Vec<String>) {
    let mut all = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        let rel = super::rel(root, file);
        if is_test_file(&rel) {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap_or_default();
        match functions(&rel, &text) {
            Ok(f) => all.extend(f),
            Err(e) => errors.push(e),
        }
    }
    (all, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(lines: usize) -> String {
        (0..lines)
            .map(|i| format!("    let _x{i} = {i};\n"))
            .collect()
    }

    #[test]
    fn a_long_function_fails_and_tests_do_not_count() {
        let src = format!(
            "fn short() {{\n{}}}\n\nstruct S;\nimpl S {{\n    fn long(&self) {{\n{}    }}\n}}\n\n\
             #[test]\nfn long_test() {{\n{}}}\n\n#[cfg(test)]\nmod tests {{\n    fn helper() {{\n{}    }}\n}}\n",
            body(10),
            body(MAX_LINES),
            body(200),
            body(200)
        );
        let all = functions("crates/x/src/lib.rs", &src).unwrap();
        let names: Vec<(&str, usize)> = all.iter().map(|f| (f.name.as_str(), f.lines)).collect();
        assert_eq!(names, [("short", 12), ("S::long", MAX_LINES + 2)]);
        let p = problems(&all);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("`S::long` is 102 lines long"), "{p:?}");
        assert_eq!(longest(&all, 1)[0].name, "S::long");
    }

    #[test]
    fn allowed_functions_exist_and_say_why() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for (file, name, why) in ALLOWED {
            let text = std::fs::read_to_string(root.join(file)).unwrap();
            let all = functions(file, &text).unwrap();
            assert!(
                all.iter().any(|f| f.name == *name && f.lines > MAX_LINES),
                "{file}: `{name}` is no longer over {MAX_LINES} lines: drop it from ALLOWED"
            );
            assert!(why.len() > 20, "{file} `{name}`: say why it may be long");
        }
    }

    #[test]
    fn integration_test_files_are_test_code() {
        assert!(is_test_file("crates/sync-core/tests/engine.rs"));
        assert!(is_test_file("tests/tests/stale_ids.rs"));
        assert!(!is_test_file("tests/src/library.rs"));
        assert!(!is_test_file("crates/sync-core/src/engine/mod.rs"));
    }
}
