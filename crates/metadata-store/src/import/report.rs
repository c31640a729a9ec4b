//! What an import tells its caller: per-file outcome ([`FileReport`]), rows written per table,
//! counted warnings ([`ImportWarning`]) and errors ([`ImportError`]) that name the file and the
//! JSON path, and the run's [`ImportReport`].

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Options of an import run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    /// How many warnings per file are kept with their text; the rest are only counted.
    pub warnings_kept_per_file: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            warnings_kept_per_file: 100,
        }
    }
}

/// Something the importer did not like but could work around (unknown field, dangling
/// reference, repaired text). The file still imports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportWarning {
    /// Where in the document, when it is about one place (`response.posts[2].likeCount`).
    pub json_path: Option<String>,
    /// What happened and what was done about it.
    pub message: String,
}

impl std::fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.json_path {
            Some(p) => write!(f, "at {p}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Counted warnings of one file; the first `cap` are kept with their text.
#[derive(Debug, Clone, Default)]
pub struct Warnings {
    count: u64,
    kept: Vec<ImportWarning>,
    cap: usize,
}

impl Warnings {
    /// Keeps the first `cap` warnings' text.
    pub fn new(cap: usize) -> Self {
        Self {
            count: 0,
            kept: Vec::new(),
            cap,
        }
    }

    /// Counts one warning.
    pub fn add(&mut self, json_path: Option<String>, message: impl Into<String>) {
        self.count += 1;
        if self.kept.len() < self.cap {
            self.kept.push(ImportWarning {
                json_path,
                message: message.into(),
            });
        }
    }

    /// How many warnings were counted.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The kept warnings.
    pub fn kept(&self) -> &[ImportWarning] {
        &self.kept
    }
}

/// Why one file did not import. Nothing of that file was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The file or folder could not be read.
    #[error("{path}: cannot read it: {message}. Check that it exists and is readable")]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's reason.
        message: String,
    },
    /// The bytes are not JSON.
    #[error(
        "{path}: not valid JSON (line {line}, column {column}): {message}. Import the raw body \
         of a Fansly API response, as saved"
    )]
    NotJson {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// serde_json's description.
        message: String,
    },
    /// JSON, but not a Fansly API response of a kind we import, or a value of the wrong type.
    #[error(
        "{path}: at {json_path}: {message}. The file was not imported; fix or remove that \
         value, or leave the file out"
    )]
    Shape {
        /// The file.
        path: PathBuf,
        /// Where in the document (`response.posts[3].id`).
        json_path: String,
        /// What is wrong there.
        message: String,
    },
    /// The database refused the rows; the file's transaction was rolled back.
    #[error(
        "{path}: writing to the metadata database failed: {message}. Nothing from this file was \
         written (its transaction was rolled back); check the database and import it again"
    )]
    Database {
        /// The file.
        path: PathBuf,
        /// The database's reason.
        message: String,
    },
}

/// The outcome of one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// What kind of response it was (`timeline`, `messages`, `groups`, ...), once known.
    pub kind: Option<String>,
    /// Rows written (inserted or updated) per table; empty when the file failed.
    pub rows: BTreeMap<&'static str, u64>,
    /// Warnings counted for this file.
    pub warning_count: u64,
    /// The first warnings with their text (see [`ImportOptions::warnings_kept_per_file`]).
    pub warnings: Vec<ImportWarning>,
    /// Why the file failed, if it did.
    pub error: Option<ImportError>,
}

impl FileReport {
    /// Total rows written from this file.
    pub fn total_rows(&self) -> u64 {
        self.rows.values().sum()
    }

    /// Whether the file imported.
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// The outcome of an import run: one report per file, in the order imported.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Per file.
    pub files: Vec<FileReport>,
}

impl ImportReport {
    /// Files that failed.
    pub fn failed(&self) -> impl Iterator<Item = &FileReport> {
        self.files.iter().filter(|f| !f.ok())
    }

    /// Whether any file failed.
    pub fn has_failures(&self) -> bool {
        self.failed().next().is_some()
    }

    /// Rows written over all files.
    pub fn total_rows(&self) -> u64 {
        self.files.iter().map(FileReport::total_rows).sum()
    }

    /// Warnings over all files.
    pub fn total_warnings(&self) -> u64 {
        self.files.iter().map(|f| f.warning_count).sum()
    }
}
