//! `import`: loads saved Fansly API responses (JSON files, or folders of them) into the metadata
//! database named by `metadata_db` (a SQLite file by default, created if missing; or
//! PostgreSQL), one transaction per file, and prints a per-file summary. Exit 1 if some files
//! failed (the others are imported), 0 otherwise. Works without Stash.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use metadata_store::import::{FileReport, ImportOptions, ImportReport, import_paths};
use metadata_store::{MetadataStore, StoreOptions};

use super::Context;
use crate::cli::ImportArgs;
use crate::exit::{CliError, CmdResult, Exit};
use crate::wiring;

/// Warnings printed per file unless `-v` is given.
const WARNINGS_SHOWN: usize = 3;

/// Imports the files and prints the summary.
pub async fn run(ctx: &Context, args: &ImportArgs) -> CmdResult {
    let config = &ctx.config;
    let url = writable(config.metadata_db().expose());
    let store = MetadataStore::open(&url, StoreOptions::default())
        .await
        .map_err(|e| wiring::repository_error(config, &e))?;
    let report = import_paths(&store, &args.paths, ImportOptions::default()).await;
    if report.files.is_empty() {
        return Err(CliError::config(format!(
            "no *.json files under {}: give the saved Fansly API responses (files, or folders \
             holding .json files)",
            shown(&args.paths)
        )));
    }
    let all_warnings = ctx.global.verbose > 0;
    let text = render(&report, all_warnings);
    if ctx.global.quiet {
        if report.has_failures() {
            eprint!("{text}");
        }
    } else {
        print!("{text}");
    }
    tracing::info!(
        files = report.files.len(),
        failed = report.failed().count(),
        rows = report.total_rows(),
        warnings = report.total_warnings(),
        "import finished"
    );
    Ok(if report.has_failures() {
        Exit::SomeFailed
    } else {
        Exit::Ok
    })
}

fn shown(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A SQLite URL that creates the file when missing (`mode=rwc`), its folder created too;
/// other URLs unchanged.
pub fn writable(url: &str) -> String {
    let Some(rest) = url.strip_prefix("sqlite:") else {
        return url.to_owned();
    };
    if rest.starts_with(":memory:") || url.contains("mode=") {
        return url.to_owned();
    }
    let path = rest.trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if let Some(parent) = Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        // Best effort: opening reports a clear error if this did not work.
        let _ = std::fs::create_dir_all(parent);
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}mode=rwc")
}

/// The per-file summary and the totals.
pub fn render(report: &ImportReport, all_warnings: bool) -> String {
    let mut out = String::new();
    for f in &report.files {
        file_lines(&mut out, f, all_warnings);
    }
    let failed = report.failed().count();
    let _ = writeln!(
        out,
        "Imported {} of {} files: {} rows, {} warnings{}.",
        report.files.len() - failed,
        report.files.len(),
        report.total_rows(),
        report.total_warnings(),
        if failed > 0 {
            format!("; {failed} failed (nothing of those was written)")
        } else {
            String::new()
        }
    );
    out
}

fn file_lines(out: &mut String, f: &FileReport, all_warnings: bool) {
    let path = f.path.display();
    match &f.error {
        Some(e) => {
            let _ = writeln!(out, "FAILED  {path}");
            let _ = writeln!(out, "        error: {e}");
        }
        None => {
            let _ = writeln!(
                out,
                "ok      {path}  [{}] {} rows, {} warnings",
                f.kind.as_deref().unwrap_or("?"),
                f.total_rows(),
                f.warning_count
            );
            if !f.rows.is_empty() {
                let tables: Vec<String> = f.rows.iter().map(|(t, n)| format!("{t} {n}")).collect();
                let _ = writeln!(out, "        {}", tables.join(", "));
            }
        }
    }
    let shown = if all_warnings {
        f.warnings.len()
    } else {
        WARNINGS_SHOWN.min(f.warnings.len())
    };
    for w in &f.warnings[..shown] {
        let _ = writeln!(out, "        warning {w}");
    }
    let hidden = f.warning_count.saturating_sub(shown as u64);
    if hidden > 0 {
        let _ = writeln!(
            out,
            "        ... and {hidden} more warnings{}",
            if all_warnings { "" } else { " (-v shows more)" }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_create_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub/meta.sqlite3");
        let url = format!("sqlite://{}", file.display());
        assert_eq!(writable(&url), format!("{url}?mode=rwc"));
        assert!(dir.path().join("sub").is_dir());
        assert_eq!(writable("sqlite://x.db?mode=ro"), "sqlite://x.db?mode=ro");
        assert_eq!(writable("sqlite::memory:"), "sqlite::memory:");
        assert_eq!(writable("postgres://u@h/db"), "postgres://u@h/db");
    }
}
