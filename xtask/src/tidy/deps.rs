//! The dependency rule: each crate depends only on the crates of ours that the table in
//! `ARCHITECTURE.md` (section "Crates") allows. The table is the rule: its third column
//! names what a crate's `[dependencies]` and `[build-dependencies]` may hold, its fourth what
//! its `[dev-dependencies]` may add; names are in backticks (`domain`, `sync-core`, ...),
//! "nothing of ours" allows none and "all of ours" allows every crate.

use std::collections::{BTreeMap, BTreeSet};

/// The prefix of our crates' package names.
const OURS: &str = "fansly-stash-";

/// What one crate may depend on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Allowed {
    /// For `[dependencies]` and `[build-dependencies]`; `None`: all of ours.
    pub normal: Option<BTreeSet<String>>,
    /// Added for `[dev-dependencies]`; `None`: all of ours.
    pub dev: Option<BTreeSet<String>>,
}

fn names(cell: &str) -> Option<BTreeSet<String>> {
    if cell.contains("all of ours") {
        return None;
    }
    Some(
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect(),
    )
}

/// The rows of the table: crate folder (`crates/domain`, `tests`, ...) to what it may use.
pub fn table(architecture: &str) -> Result<BTreeMap<String, Allowed>, String> {
    let section = architecture
        .split("\n## ")
        .find(|s| s.starts_with("Crates"))
        .ok_or("ARCHITECTURE.md has no `## Crates` section")?;
    let mut out = BTreeMap::new();
    for line in section.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [krate, _, normal, dev, ..] = cells.as_slice() else {
            continue;
        };
        let Some(folder) = krate.split('`').nth(1) else {
            continue;
        };
        out.insert(
            folder.to_owned(),
            Allowed {
                normal: names(normal),
                dev: names(dev),
            },
        );
    }
    if out.is_empty() {
        return Err("the `## Crates` table of ARCHITECTURE.md has no rows".into());
    }
    Ok(out)
}

/// Our crates a manifest depends on, by section (`dependencies`, `build-dependencies`,
/// `dev-dependencies`), as short names (`domain`, ...). A crate's dependency on itself (for
/// features in its own tests) is left out.
pub fn ours(manifest: &str) -> Result<BTreeMap<&'static str, BTreeSet<String>>, String> {
    let value: toml::Table = manifest.parse().map_err(|e| format!("{e}"))?;
    let own = value
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(toml::Value::as_str)
        .unwrap_or("");
    let mut out = BTreeMap::new();
    for section in ["dependencies", "build-dependencies", "dev-dependencies"] {
        let deps: BTreeSet<String> = value
            .get(section)
            .and_then(toml::Value::as_table)
            .map(|t| {
                t.keys()
                    .filter(|k| k.as_str() != own)
                    .filter_map(|k| k.strip_prefix(OURS))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        out.insert(section, deps);
    }
    Ok(out)
}

/// Dependencies of `folder` (with manifest text `manifest`) the table does not allow.
pub fn problems(folder: &str, manifest: &str, table: &BTreeMap<String, Allowed>) -> Vec<String> {
    let Some(allowed) = table.get(folder) else {
        return vec![format!(
            "{folder}: not in the `## Crates` table of ARCHITECTURE.md; add a row saying what it may depend on"
        )];
    };
    let deps = match ours(manifest) {
        Ok(d) => d,
        Err(e) => return vec![format!("{folder}/Cargo.toml: cannot parse: {e}")],
    };
    let mut out = Vec::new();
    for (section, names) in deps {
        for name in names {
            let normal = allowed.normal.as_ref().is_none_or(|a| a.contains(&name));
            let dev = allowed.dev.as_ref().is_none_or(|a| a.contains(&name));
            let ok = match section {
                "dev-dependencies" => normal || dev,
                _ => normal,
            };
            if !ok {
                out.push(format!(
                    "{folder}/Cargo.toml: [{section}] has `{OURS}{name}`, which the ARCHITECTURE.md \
                     table does not allow for {folder}; depend on a port instead, or change the \
                     table (and the design) on purpose"
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARCH: &str = "# A\n\n## Crates\n\n| crate | what | may depend on | its tests may also use |\n\
        |---|---|---|---|\n\
        | `crates/domain` | pure | nothing of ours | nothing of ours |\n\
        | `crates/sync-core` | engine | `domain` | nothing of ours |\n\
        | `crates/cli` | binary | `domain`, `sync-core` | `stash-double` |\n\
        | `tests` | suites | all of ours | all of ours |\n\n## Next\n| `x` | y | `z` | |\n";

    #[test]
    fn the_table_is_read() {
        let t = table(ARCH).unwrap();
        assert_eq!(t.len(), 4, "{t:?}");
        assert_eq!(
            t["crates/cli"].normal,
            Some(["domain".to_owned(), "sync-core".to_owned()].into())
        );
        assert_eq!(t["crates/domain"].normal, Some(BTreeSet::new()));
        assert_eq!(t["tests"].normal, None);
    }

    #[test]
    fn a_dependency_the_table_does_not_allow_fails() {
        let t = table(ARCH).unwrap();
        let core = "[package]\nname = \"fansly-stash-sync-core\"\n[dependencies]\n\
                    fansly-stash-domain.workspace = true\nfansly-stash-stash-adapter.workspace = true\n";
        let p = problems("crates/sync-core", core, &t);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("fansly-stash-stash-adapter"), "{p:?}");
        let cli = "[package]\nname = \"fansly-stash-cli\"\n[dependencies]\nfansly-stash-sync-core.workspace = true\n\
                   [dev-dependencies]\nfansly-stash-stash-double.workspace = true\n";
        assert!(problems("crates/cli", cli, &t).is_empty());
        let cli_ships_double = "[package]\nname = \"c\"\n[dependencies]\nfansly-stash-stash-double = { path = \"x\" }\n";
        assert_eq!(problems("crates/cli", cli_ships_double, &t).len(), 1);
        let own = "[package]\nname = \"fansly-stash-domain\"\n[dev-dependencies]\nfansly-stash-domain = { path = \".\" }\n";
        assert!(problems("crates/domain", own, &t).is_empty());
        assert_eq!(
            problems("crates/new", own, &t).len(),
            1,
            "a crate without a row"
        );
        assert!(problems("tests", core, &t).is_empty());
    }
}
