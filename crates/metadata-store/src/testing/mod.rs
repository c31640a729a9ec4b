//! Test support, public behind the `testing` feature so other crates' tests and benchmarks can
//! use it: PostgreSQL test databases ([`pg_test_database`], loaded with the real upstream
//! schema dump, or [`pg_empty_database`] for our own migrations), in-memory SQLite stores
//! ([`sqlite_memory_store`]), and a [`FixtureBuilder`] that inserts rows into either backend with
//! multi-row inserts.
//!
//! Suites needing PostgreSQL read `FANSLY_STASH_TEST_PG_URL` (set by `cargo xtask ci` and
//! `cargo xtask pg`). When it is unset they FAIL if `FANSLY_STASH_REQUIRE_SERVICES=1` or `CI`
//! is set, and otherwise print a loud notice and skip.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fixture;
mod pg;

pub use fixture::{CreatorShape, FixtureBuilder, GeneratedCreator};
pub use pg::{TestDb, UPSTREAM_SCHEMA, pg_empty_database, pg_test_database, services_required};

use crate::{MetadataStore, StoreOptions};

/// A fresh in-memory SQLite store, schema created by our migrations (read-only options).
pub async fn sqlite_memory_store() -> MetadataStore {
    sqlite_memory_store_with(StoreOptions::default()).await
}

/// A fresh in-memory SQLite store with the given options.
pub async fn sqlite_memory_store_with(options: StoreOptions) -> MetadataStore {
    MetadataStore::open("sqlite::memory:", options)
        .await
        .expect("an in-memory SQLite metadata store opens")
}

/// Every row of every upstream table the reader knows, as sorted `table: {json}` lines, with
/// the `stash_id` of `accounts`, `media`, `posts` and `messages` left out: what a write-back
/// of Stash ids must leave exactly as it was.
pub async fn rows_but_stash_ids(store: &MetadataStore) -> Vec<String> {
    use sea_orm::{ConnectionTrait, FromQueryResult, JsonValue, Statement};
    let conn = store.connection().inner();
    let mut out = Vec::new();
    for table in crate::store::REQUIRED_TABLES {
        let sql = format!("SELECT * FROM \"{table}\"");
        let stmt = Statement::from_string(conn.get_database_backend(), sql);
        let mut rows: Vec<String> = JsonValue::find_by_statement(stmt)
            .all(conn)
            .await
            .unwrap()
            .into_iter()
            .map(|mut row| {
                if ["accounts", "media", "posts", "messages"].contains(&table) {
                    row.as_object_mut().unwrap().remove("stash_id").unwrap();
                }
                format!("{table}: {row}")
            })
            .collect();
        rows.sort();
        out.extend(rows);
    }
    out
}
