//! `cargo xtask bench [--quick] [--pg] [--only sync|watch]`: builds the `stash-double`,
//! `fansly-stash` and `bench` binaries in release mode, runs the sync and the watch benchmarks
//! (`--only` picks one; with `--pg`, against a throwaway PostgreSQL cluster too) and, unless
//! `--quick`, rewrites the section of BENCHMARKS.md of each benchmark that ran between its
//! markers, keeping every other section (the import benchmark's) as it is.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, cargo, cargo_bin, pg};

/// Start marker of the sync section (the bench binary uses the same strings).
pub const SECTION_START: &str = "<!-- sync-bench:start -->";
/// End marker of the sync section.
pub const SECTION_END: &str = "<!-- sync-bench:end -->";
/// Start marker of the watch section.
pub const WATCH_START: &str = "<!-- watch-bench:start -->";
/// End marker of the watch section.
pub const WATCH_END: &str = "<!-- watch-bench:end -->";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default()
}

/// What `cargo xtask bench` was asked for.
struct BenchArgs {
    quick: bool,
    with_pg: bool,
    /// `sync` or `watch`: only that benchmark.
    only: Option<String>,
}

impl BenchArgs {
    fn parse(args: &[String]) -> Result<BenchArgs> {
        const USAGE: &str = "use `cargo xtask bench [--quick] [--pg] [--only sync|watch]`";
        let mut out = BenchArgs {
            quick: false,
            with_pg: false,
            only: None,
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--quick" => out.quick = true,
                "--pg" => out.with_pg = true,
                "--only" => match it.next().map(String::as_str) {
                    Some(which @ ("sync" | "watch")) => out.only = Some(which.to_owned()),
                    other => {
                        return Err(format!(
                            "--only takes sync or watch, not {other:?}; {USAGE}"
                        ));
                    }
                },
                other => return Err(format!("unknown bench flag '{other}'; {USAGE}")),
            }
        }
        Ok(out)
    }

    fn sync(&self) -> bool {
        self.only.as_deref() != Some("watch")
    }

    fn watch(&self) -> bool {
        self.only.as_deref() != Some("sync")
    }
}

/// Runs the benchmark.
pub fn run(args: &[String]) -> Result<()> {
    let args = BenchArgs::parse(args)?;
    build(&args)?;
    let cluster = if args.with_pg {
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
    let watch_file = std::env::temp_dir().join(format!(
        "fansly-stash-bench-watch-section-{}.md",
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
    if args.quick {
        cmd.arg("--quick");
    }
    if let Some(c) = &cluster {
        cmd.arg("--pg").env(pg::URL_VAR, c.url());
    }
    if let Some(which) = &args.only {
        cmd.args(["--only", which]);
    }
    cmd.arg("--section-out").arg(&section_file);
    cmd.arg("--watch-section-out").arg(&watch_file);
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run the bench: {e}"))?;
    drop(cluster);
    let read = |file: &Path, wanted: bool| -> Result<Option<String>> {
        if !wanted {
            return Ok(None);
        }
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("the bench wrote no section to {}: {e}", file.display()));
        let _ = std::fs::remove_file(file);
        text.map(Some)
    };
    if !status.success() {
        let _ = std::fs::remove_file(&section_file);
        let _ = std::fs::remove_file(&watch_file);
        return Err("the benchmark failed (see above)".into());
    }
    let sync_section = read(&section_file, args.sync())?;
    let watch_section = read(&watch_file, args.watch())?;
    if args.quick {
        println!("xtask: --quick: BENCHMARKS.md left as it is (it holds the full run's numbers)");
        return Ok(());
    }
    write_sections(sync_section.as_deref(), watch_section.as_deref())
}

/// Builds, in release mode, the binaries the chosen benchmarks run.
fn build(args: &BenchArgs) -> Result<()> {
    println!("xtask: building the benchmark (release)");
    let release =
        |package: &str, bin: &str| cargo(&["build", "--release", "-p", package, "--bin", bin]);
    if args.sync() {
        release("fansly-stash-stash-double", "stash-double")?;
    }
    release("fansly-stash-tests", "bench")?;
    if args.watch() {
        release("fansly-stash", "fansly-stash")?;
    }
    Ok(())
}

/// Replaces the sections of BENCHMARKS.md the benchmarks wrote, keeping every other one.
fn write_sections(sync_section: Option<&str>, watch_section: Option<&str>) -> Result<()> {
    let path = repo_root().join("BENCHMARKS.md");
    let mut document = std::fs::read_to_string(&path).unwrap_or_default();
    if let Some(section) = sync_section {
        document = splice(&document, section);
    }
    if let Some(section) = watch_section {
        document = splice_between(&document, section, WATCH_START, WATCH_END);
    }
    std::fs::write(&path, document).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("xtask: wrote the benchmark sections of {}", path.display());
    Ok(())
}

/// `document` with the text between the sync markers replaced by `section`; without markers
/// the section is appended (a new document gets a title first).
pub fn splice(document: &str, section: &str) -> String {
    splice_between(document, section, SECTION_START, SECTION_END)
}

/// [`splice`] between any pair of markers.
pub fn splice_between(
    document: &str,
    section: &str,
    start_marker: &str,
    end_marker: &str,
) -> String {
    let block = format!("{start_marker}\n{}\n{end_marker}", section.trim_end());
    if let (Some(start), Some(end)) = (document.find(start_marker), document.find(end_marker))
        && start < end
    {
        let after = &document[end + end_marker.len()..];
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
    fn the_watch_section_has_markers_of_its_own() {
        let doc = format!("# Benchmarks\n\n{SECTION_START}\nsync\n{SECTION_END}\n");
        let out = splice_between(&doc, "## Watch", WATCH_START, WATCH_END);
        assert!(
            out.contains(&format!("{SECTION_START}\nsync\n{SECTION_END}")),
            "{out}"
        );
        assert!(
            out.ends_with(&format!("{WATCH_START}\n## Watch\n{WATCH_END}\n")),
            "{out}"
        );
        let again = splice_between(&out, "## Watch 2", WATCH_START, WATCH_END);
        assert!(
            again.contains("## Watch 2") && !again.contains("## Watch\n"),
            "{again}"
        );
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
