//! Import of saved Fansly API responses (JSON files) into the metadata store, for users without
//! fansly-scraper or whose fansly-scraper database lost its attachments.
//!
//! [`import_paths`] walks files and folders (`*.json`, sorted), and imports each file in its own
//! transaction: a file either lands whole or not at all, and a bad file never stops the others.
//! Each file's [`FileReport`] lists rows written per table, counted warnings and the error.
//!
//! What a file may be: timeline and wall pages, message pages, message groups, conversations,
//! account lookups, account-media and bundle responses, stories; with the
//! `{"success": …, "response": …}` envelope or bare. The kind is told by shape. Rows follow
//! upstream's rules (`fansly-metadata-facts.md` §4), except that attachments and mentions ARE
//! stored (upstream 0.13–0.15.1 drops them), and that message groups link both members.
//!
//! Choices where the input is odd:
//! - **Unknown fields** are ignored, as upstream does, and counted as warnings naming the
//!   file and JSON path; they never fail a file unless the shape around them is wrong.
//! - **Unpaired UTF-16 surrogate escapes** (`"\ud83d"` alone) are turned into U+FFFD, as
//!   upstream does, with one warning giving the line and column of the first.
//! - **Errors** (not JSON, wrong shape, out-of-range id, missing required key, wrong value type)
//!   fail the file and name the file and the JSON path (`response.posts[3].id`).
//! - **Dangling references** (a post's account, a message's group, an account media's preview
//!   that neither the file nor the store has) get placeholder rows so foreign keys hold; an
//!   account placeholder's username is its id. Each one is a warning. Bundle items naming
//!   unknown account media are left out (warning), as upstream leaves them unresolved.
//! - **Username clashes**: the file wins; an account that held the username gets its id as
//!   username (warning).
//! - **Re-import** of the same file changes nothing: upserts write the same values, child rows
//!   are replaced by identical ones, attachments and mentions are only replaced when different.

mod hashtags;
mod json;
mod parse;
mod report;
mod rows;
mod surrogates;
mod write;

use std::path::{Path, PathBuf};

use sea_orm::TransactionTrait;
use tracing::Instrument;

pub use report::{FileReport, ImportError, ImportOptions, ImportReport, ImportWarning};

use crate::MetadataStore;
use report::Warnings;

/// Imports every JSON file under `paths` (files as given, folders walked for `*.json`, sorted),
/// one transaction per file, continuing after a bad file.
pub async fn import_paths(
    store: &MetadataStore,
    paths: &[PathBuf],
    opts: ImportOptions,
) -> ImportReport {
    let mut report = ImportReport::default();
    for path in paths {
        match files_under(path) {
            Ok(files) => {
                for file in files {
                    let r = import_file(store, &file, opts).await;
                    report.files.push(r);
                }
            }
            Err(error) => report.files.push(failed(path, None, error)),
        }
    }
    report
}

/// Imports one file in one transaction.
pub async fn import_file(store: &MetadataStore, path: &Path, opts: ImportOptions) -> FileReport {
    let span = tracing::info_span!("import_file", file = %path.display());
    async move {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                let error = ImportError::Read {
                    path: path.to_owned(),
                    message: e.to_string(),
                };
                return failed(path, None, error);
            }
        };
        let report = import_bytes(store, path, &bytes, opts).await;
        match &report.error {
            None => tracing::info!(
                kind = report.kind.as_deref().unwrap_or("?"),
                rows = report.total_rows(),
                warnings = report.warning_count,
                "imported"
            ),
            Some(e) => tracing::warn!(error = %e, "not imported"),
        }
        report
    }
    .instrument(span)
    .await
}

/// Imports one document given as bytes; `path` names it in the report and in errors.
pub async fn import_bytes(
    store: &MetadataStore,
    path: &Path,
    bytes: &[u8],
    opts: ImportOptions,
) -> FileReport {
    let mut w = Warnings::new(opts.warnings_kept_per_file);
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, repaired) = surrogates::repair(bytes);
    if let Some(first) = repaired.first() {
        w.add(
            None,
            format!(
                "{} unpaired UTF-16 surrogate escape(s) replaced with U+FFFD, as upstream does \
                 (first at line {}, column {})",
                repaired.len(),
                first.line,
                first.column
            ),
        );
    }
    let value: serde_json::Value = match serde_json::from_slice(&text) {
        Ok(v) => v,
        Err(e) => {
            let error = ImportError::NotJson {
                path: path.to_owned(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            };
            return with_warnings(failed(path, None, error), w);
        }
    };
    let mut batch = match parse::document(&value, &mut w) {
        Ok(b) => b,
        Err(e) => {
            let error = ImportError::Shape {
                path: path.to_owned(),
                json_path: e.path,
                message: e.message,
            };
            return with_warnings(failed(path, None, error), w);
        }
    };
    drop(value);
    let kind = Some(batch.kinds.iter().copied().collect::<Vec<_>>().join(", "));
    let db_err = |e: sea_orm::DbErr| ImportError::Database {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let result = async {
        let txn = store.connection().inner().begin().await.map_err(db_err)?;
        let writer = write::Writer::new(&txn);
        let outcome = writer.write(&mut batch, &mut w).await;
        match outcome {
            Ok(done) => {
                txn.commit().await.map_err(db_err)?;
                Ok(done)
            }
            Err(e) => {
                // Dropping would roll back too; say it explicitly.
                let _ = txn.rollback().await;
                Err(db_err(e))
            }
        }
    }
    .await;
    match result {
        Ok((rows, statements)) => {
            // The writer's statements, plus begin and commit.
            store.connection().add(statements + 2);
            FileReport {
                path: path.to_owned(),
                kind,
                rows,
                warning_count: w.count(),
                warnings: w.kept().to_vec(),
                error: None,
            }
        }
        Err(error) => with_warnings(failed(path, kind, error), w),
    }
}

fn failed(path: &Path, kind: Option<String>, error: ImportError) -> FileReport {
    FileReport {
        path: path.to_owned(),
        kind,
        rows: Default::default(),
        warning_count: 0,
        warnings: Vec::new(),
        error: Some(error),
    }
}

fn with_warnings(mut r: FileReport, w: Warnings) -> FileReport {
    r.warning_count = w.count();
    r.warnings = w.kept().to_vec();
    r
}

/// The files to import under `path`: the file itself, or a folder's `*.json` files (all
/// levels), sorted by path.
fn files_under(path: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let read_err = |p: &Path, e: std::io::Error| ImportError::Read {
        path: p.to_owned(),
        message: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(|e| read_err(path, e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| read_err(&dir, e))? {
            let entry = entry.map_err(|e| read_err(&dir, e))?;
            let p = entry.path();
            let ft = entry.file_type().map_err(|e| read_err(&p, e))?;
            if ft.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}
