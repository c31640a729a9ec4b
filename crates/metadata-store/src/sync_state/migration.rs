//! The sync-state database's own schema (a file of ours, never the upstream tables), with its
//! own migration history table so it can share nothing with the metadata migrations.
//!
//! Every step is idempotent (`IF NOT EXISTS`, column checks): SQLite migrations are not run in
//! one transaction, so a process killed between a step and its history row must be able to
//! run the step again on the next start.

use sea_orm_migration::prelude::*;

/// Migrator of the sync-state schema.
pub struct StateMigrator;

#[async_trait::async_trait]
impl MigratorTrait for StateMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(CreateStateTables), Box::new(AddFieldHashes)]
    }

    fn migration_table_name() -> DynIden {
        Alias::new("fansly_stash_state_migrations").into_iden()
    }
}

struct CreateStateTables;

impl MigrationName for CreateStateTables {
    fn name(&self) -> &str {
        "s0001_records_and_runs"
    }
}

// sea-orm-migration's trait spells `&SchemaManager` without a lifetime; `'_` would not match.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for CreateStateTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("sync_records"))
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Alias::new("creator"))
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Alias::new("kind")).string().not_null())
                    .col(ColumnDef::new(Alias::new("key")).string().not_null())
                    .col(ColumnDef::new(Alias::new("stash_id")).string().null())
                    .col(
                        ColumnDef::new(Alias::new("fingerprint"))
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Alias::new("written_at_ms"))
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(Alias::new("last_error")).string().null())
                    .primary_key(
                        Index::create()
                            .col(Alias::new("creator"))
                            .col(Alias::new("kind"))
                            .col(Alias::new("key")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("sync_runs"))
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Alias::new("id"))
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Alias::new("started_at_ms"))
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Alias::new("finished_at_ms"))
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(Alias::new("outcome")).string().not_null())
                    .col(ColumnDef::new(Alias::new("summary")).string().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("sync_runs")).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Alias::new("sync_records")).to_owned())
            .await
    }
}

/// Per-field ownership: the hashes of the scalar values we last wrote, per record. Existing
/// state files get the column with `NULL` (records written before fields were tracked).
struct AddFieldHashes;

impl MigrationName for AddFieldHashes {
    fn name(&self) -> &str {
        "s0002_field_hashes"
    }
}

#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for AddFieldHashes {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.has_column("sync_records", "field_hashes").await? {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("sync_records"))
                    .add_column(
                        ColumnDef::new(Alias::new("field_hashes"))
                            .string()
                            .null()
                            .default(Option::<String>::None),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("sync_records"))
                    .drop_column(Alias::new("field_hashes"))
                    .to_owned(),
            )
            .await
    }
}
