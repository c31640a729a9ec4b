//! Our own migrations: they create the upstream tables sync reads in an *empty* SQLite or
//! PostgreSQL database (our embedded default, and test databases).
//!
//! They never touch a database written by fansly-scraper: [`crate::MetadataStore::open`] runs
//! them only when the database has no `alembic_version` and no `accounts` table, or was created
//! by these migrations (it has `seaql_migrations`).

mod m0001_upstream_tables;
mod m0002_import_tables;

use sea_orm_migration::prelude::*;

/// The migrator of the metadata schema (history in `seaql_migrations`).
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_upstream_tables::Migration),
            Box::new(m0002_import_tables::Migration),
        ]
    }
}
