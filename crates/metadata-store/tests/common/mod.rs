//! Shared by the integration suites: run one check on every backend (SQLite created by our
//! migrations, PostgreSQL loaded with the upstream dump, PostgreSQL created by our migrations);
//! the import suites' helpers are in [`import`]. (Every crate's test helpers live in
//! `tests/common/`.)

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code, unused_imports)]

pub use metadata_store::testing::{
    FixtureBuilder, pg_empty_database, pg_test_database, sqlite_memory_store_with,
};
pub use metadata_store::{MetadataStore, StoreOptions};

pub mod import;

/// Generates `sqlite`, `postgres_upstream` and `postgres_ours` tests calling
/// `check(store).await` (the check is an `async fn(MetadataStore)`).
#[macro_export]
macro_rules! on_every_backend {
    ($check:ident) => {
        on_every_backend!($check, $crate::common::StoreOptions::default());
    };
    ($check:ident, $opts:expr) => {
        mod $check {
            #[tokio::test]
            async fn sqlite() {
                let store = $crate::common::sqlite_memory_store_with($opts).await;
                super::$check(store).await;
            }

            #[tokio::test]
            async fn postgres_upstream() {
                let Some(db) = $crate::common::pg_test_database() else {
                    return;
                };
                let store = $crate::common::MetadataStore::open(&db.url, $opts)
                    .await
                    .unwrap();
                super::$check(store).await;
            }

            #[tokio::test]
            async fn postgres_ours() {
                let Some(db) = $crate::common::pg_empty_database() else {
                    return;
                };
                let store = $crate::common::MetadataStore::open(&db.url, $opts)
                    .await
                    .unwrap();
                super::$check(store).await;
            }
        }
    };
}
