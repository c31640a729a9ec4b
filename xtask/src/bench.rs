//! `cargo xtask bench [--quick] [--pg]`: builds the `stash-double` and `bench` binaries in
//! release mode, runs the sync benchmark (with `--pg`, against a throwaway PostgreSQL cluster
//! too) and, unless `--quick`, rewrites the sync section of BENCHMARKS.md between its markers,
//! keeping every other section (the import benchmark's) as it is.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, cargo, cargo_bin, pg};

/// Start marker of the sync section (the bench binary uses the same strings).
pub const SECTION_START: &str = "<!-- sync-bench:start -->";
/// End marker of the sync section.
pub const SECTION_END: &str = "<!-- sync-bench:end -->";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default()
}

/// Runs the benchmark.
pub fn run(args: &[String]) -> Result<()> {
    let mut quick = false;
    let mut with_pg = false;
    for a in args {
        match a.as_str() {
            "--quick" => quick = true,
            "--pg" => with_pg = true,
            other => {
                return Err(format!(
                    "unknown bench flag '{other}'; use `cargo xtask bench [--quick] [--pg]`"
                ));
            }
        }
    }
    println!("xtask: building the benchmark (release)");
    cargo(&[
        "build",
        "--release",
        "-p",
        "fansly-stash-stash-double",
        "--bin",
        "stash-double",
    ])?;
    cargo(&[
        "build",
        "--release",
        "-p",
        "fansly-stash-tests",
        "--bin",
        "bench",
    ])?;
    let cluster = if with_pg {
        let c = pg::Cluster::for_tests()?;
        println!("xtask: PostgreSQL at {}", c.url_redacted());
        Some(c)
    } else {
        None
    };
    let section_file = std::env::temp_dir().join(format!(
        "fansly-stash-bench-section-{}.md",
        std::process::id()
    ));
    let mut cmd = Command::new(cargo_bin());
    cmd.args([
        "run",
        "--release",
        "-q",
        "-p",
        "fansly-stash-tests",
        "--bin",
        "bench",
        "--",
    ]);
    if quick {
        cmd.arg("--quick");
    }
    if let Some(c) = &cluster {
        cmd.arg("--pg").env(pg::URL_VAR, c.url());
    }
    cmd.arg("--section-out").arg(&section_file);
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run the bench: {e}"))?;
    drop(cluster);
    if !status.success() {
        let _ = std::fs::remove_file(&section_file);
        return Err("the benchmark failed (see above)".into());
    }
    let section = std::fs::read_to_string(&section_file).map_err(|e| {
        format!(
            "the bench wrote no section to {}: {e}",
            section_file.display()
        )
    })?;
    let _ = std::fs::remove_file(&section_file);
    if quick {
        println!("xtask: --quick: BENCHMARKS.md left as it is (it holds the full run's numbers)");
        return Ok(());
    }
    let path = repo_root().join("BENCHMARKS.md");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::write(&path, splice(&current, &section))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("xtask: wrote the sync section of {}", path.display());
    Ok(())
}

/// `document` with the text between the sync markers replaced by `section`; without markers
/// the section is appended (a new document gets a title first).
pub fn splice(document: &str, section: &str) -> String {
    let block = format!("{SECTION_START}\n{}\n{SECTION_END}", section.trim_end());
    if let (Some(start), Some(end)) = (document.find(SECTION_START), document.find(SECTION_END))
        && start < end
    {
        let after = &document[end + SECTION_END.len()..];
        return format!("{}{block}{after}", &document[..start]);
    }
    if document.trim().is_empty() {
        return format!("# Benchmarks\n\n{block}\n");
    }
    format!("{}\n\n{block}\n", document.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_is_replaced_and_the_rest_kept() {
        let doc = format!(
            "# Benchmarks\n\n## Import\n\nimport numbers\n\n{SECTION_START}\nold\n{SECTION_END}\n\n## Notes\n\nkept\n"
        );
        let out = splice(&doc, "## Sync\n\nnew numbers\n");
        assert!(out.contains("## Import\n\nimport numbers"), "{out}");
        assert!(out.contains("new numbers") && !out.contains("old"), "{out}");
        assert!(out.ends_with("## Notes\n\nkept\n"), "{out}");
        assert_eq!(splice(&out, "## Sync\n\nnew numbers\n"), out);
    }

    #[test]
    fn without_markers_the_section_is_appended() {
        let out = splice("# Benchmarks\n\n## Import\n\nx\n", "## Sync");
        assert!(
            out.starts_with("# Benchmarks\n\n## Import\n\nx\n\n"),
            "{out}"
        );
        assert!(out.ends_with(&format!("{SECTION_START}\n## Sync\n{SECTION_END}\n")));
        assert!(splice("", "## Sync").starts_with("# Benchmarks\n\n"));
    }
}
