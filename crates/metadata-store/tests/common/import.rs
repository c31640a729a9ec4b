//! Shared by the import suites: sample paths, fresh stores, row counts and whole-database dumps
//! (for "importing twice changes nothing").

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use metadata_store::MetadataStore;
use metadata_store::import::{FileReport, ImportOptions, ImportReport, import_paths};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

/// Every table the importer writes.
pub const TABLES: [&str; 19] = [
    "accounts",
    "media",
    "media_variants",
    "media_locations",
    "account_avatar",
    "account_banner",
    "account_media",
    "account_media_bundles",
    "account_media_bundle_media",
    "posts",
    "groups",
    "group_users",
    "messages",
    "attachments",
    "hashtags",
    "post_hashtags",
    "post_mentions",
    "media_stories",
    "seaql_migrations",
];

/// A sample response from the shared upstream folder (read, never copied).
pub fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/upstream/fansly-api-samples")
        .join(name)
}

/// The folder of samples.
pub fn samples_dir() -> PathBuf {
    sample("")
}

/// A fresh in-memory SQLite store.
pub async fn store() -> MetadataStore {
    metadata_store::testing::sqlite_memory_store().await
}

/// Imports paths with default options.
pub async fn import(store: &MetadataStore, paths: &[PathBuf]) -> ImportReport {
    import_paths(store, paths, ImportOptions::default()).await
}

/// Imports one file and asserts it imported.
pub async fn import_ok(store: &MetadataStore, path: PathBuf) -> FileReport {
    let report = import(store, &[path]).await;
    assert_eq!(report.files.len(), 1);
    let file = report.files.into_iter().next().unwrap();
    assert!(
        file.error.is_none(),
        "import failed: {}",
        file.error.unwrap()
    );
    file
}

/// `SELECT COUNT(*)` of a table.
pub async fn count(store: &MetadataStore, table: &str) -> i64 {
    let db = store.connection();
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM \"{table}\""),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// Row counts of every imported table that has rows.
pub async fn counts(store: &MetadataStore) -> BTreeMap<&'static str, i64> {
    let mut out = BTreeMap::new();
    for t in TABLES.iter().filter(|t| **t != "seaql_migrations") {
        let n = count(store, t).await;
        if n > 0 {
            out.insert(*t, n);
        }
    }
    out
}

/// Every row of every imported table as text, sorted (a content snapshot).
pub async fn dump(store: &MetadataStore) -> BTreeMap<&'static str, Vec<String>> {
    let db = store.connection();
    let backend = db.get_database_backend();
    let mut out = BTreeMap::new();
    for t in TABLES.iter().filter(|t| **t != "seaql_migrations") {
        let sql = match backend {
            DbBackend::Postgres => format!("SELECT CAST(t AS TEXT) AS r FROM \"{t}\" t"),
            _ => {
                let cols = db
                    .query_all(Statement::from_string(
                        backend,
                        format!("PRAGMA table_info(\"{t}\")"),
                    ))
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| format!("quote(\"{}\")", r.try_get::<String>("", "name").unwrap()))
                    .collect::<Vec<_>>();
                format!("SELECT {} AS r FROM \"{t}\"", cols.join(" || '|' || "))
            }
        };
        let mut rows: Vec<String> = db
            .query_all(Statement::from_string(backend, sql))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String>("", "r").unwrap())
            .collect();
        rows.sort();
        out.insert(*t, rows);
    }
    out
}

/// Runs a query returning one column of 64-bit integers (NULL as `None`).
pub async fn ints(store: &MetadataStore, sql: &str) -> Vec<Option<i64>> {
    let db = store.connection();
    db.query_all(Statement::from_string(
        db.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get_by_index::<Option<i64>>(0).unwrap())
    .collect()
}

/// Runs a query returning one column of text (NULL as `None`).
pub async fn texts(store: &MetadataStore, sql: &str) -> Vec<Option<String>> {
    let db = store.connection();
    db.query_all(Statement::from_string(
        db.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get_by_index::<Option<String>>(0).unwrap())
    .collect()
}

/// Writes `text` to a file named `name` in `dir` and returns its path.
pub fn write(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}
