//! Creates the two upstream tables only the JSON importer writes: `media_locations` (CDN
//! locations of a media) and `media_stories` (stories), with upstream's names, types, keys and
//! foreign keys (fansly-scraper head `b6d60f698c27`).

use sea_orm_migration::prelude::*;

/// The second migration.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_import_tables"
    }
}

fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}

fn fk(table: &str, column: &str, target: &str, cascade: bool) -> ForeignKeyCreateStatement {
    let mut f = ForeignKey::create();
    f.name(format!("{table}_{column}_fkey"))
        .from(Alias::new(table), Alias::new(column))
        .to(Alias::new(target), Alias::new("id"));
    if cascade {
        f.on_delete(ForeignKeyAction::Cascade);
    }
    f
}

fn index(table: &str, name: &str, columns: &[&str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table));
    for c in columns {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i
}

// sea-orm-migration's trait spells `&SchemaManager` without a lifetime; `'_` would not match.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // No primary key, as upstream: a UNIQUE pair.
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("media_locations"))
                    .col(col("mediaId").big_integer().not_null())
                    .col(col("locationId").big_integer().not_null())
                    .col(col("location").string().null())
                    .foreign_key(&mut fk("media_locations", "mediaId", "media", true))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "media_locations",
                "media_locations_mediaId_locationId_key",
                &["mediaId", "locationId"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("media_stories"))
                    .col(col("id").big_integer().not_null().primary_key())
                    .col(col("accountId").big_integer().not_null())
                    .col(col("contentType").integer().null())
                    .col(col("contentId").big_integer().null())
                    .col(col("createdAt").timestamp_with_time_zone().not_null())
                    .col(col("updatedAt").timestamp_with_time_zone().null())
                    .foreign_key(&mut fk("media_stories", "accountId", "accounts", false))
                    .foreign_key(&mut fk(
                        "media_stories",
                        "contentId",
                        "account_media",
                        false,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "media_stories",
                "ix_media_stories_accountId",
                &["accountId"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "media_stories",
                "ix_media_stories_contentId",
                &["contentId"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["media_stories", "media_locations"] {
            manager
                .drop_table(Table::drop().table(Alias::new(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
