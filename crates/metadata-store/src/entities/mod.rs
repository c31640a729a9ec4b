//! sea-orm entities of the upstream fansly-scraper tables that sync reads.
//!
//! Table and column names are upstream's exactly; ids are `bigint` snowflakes (`i64`),
//! timestamps `timestamptz` read as UTC, the `contenttype` enum read as text. Tables sync does
//! not read (stories, walls, subscriptions, ...) have no entity. [`describe_all`] lists what the
//! entities declare so a test can compare it with the upstream schema dump.

pub mod account_media;
pub mod account_media_bundle_media;
pub mod account_media_bundles;
pub mod accounts;
pub mod attachments;
pub mod group_users;
pub mod groups;
pub mod hashtags;
pub mod media;
pub mod media_variants;
pub mod messages;
pub mod post_hashtags;
pub mod post_mentions;
pub mod posts;

use sea_orm::sea_query::ColumnType;
use sea_orm::{ColumnTrait, EntityTrait, IdenStatic, Iterable, PrimaryKeyToColumn};

/// One column as an entity declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDescription {
    /// The column name in the database.
    pub name: String,
    /// The declared column type.
    pub column_type: ColumnType,
    /// Whether NULL is allowed.
    pub nullable: bool,
}

/// One table as an entity declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableDescription {
    /// The table name.
    pub name: String,
    /// Columns in declaration order.
    pub columns: Vec<ColumnDescription>,
    /// Primary-key column names.
    pub primary_key: Vec<String>,
}

/// Describes one entity.
pub fn describe<E: EntityTrait>() -> TableDescription {
    let entity = E::default();
    let columns = E::Column::iter()
        .map(|c| {
            let def = c.def();
            ColumnDescription {
                name: c.as_str().to_owned(),
                column_type: def.get_column_type().clone(),
                nullable: def.is_null(),
            }
        })
        .collect();
    let primary_key = E::PrimaryKey::iter()
        .map(|k| k.into_column().as_str().to_owned())
        .collect();
    TableDescription {
        name: entity.table_name().to_owned(),
        columns,
        primary_key,
    }
}

/// Every entity of this crate.
pub fn describe_all() -> Vec<TableDescription> {
    vec![
        describe::<accounts::Entity>(),
        describe::<media::Entity>(),
        describe::<media_variants::Entity>(),
        describe::<account_media::Entity>(),
        describe::<account_media_bundles::Entity>(),
        describe::<account_media_bundle_media::Entity>(),
        describe::<posts::Entity>(),
        describe::<messages::Entity>(),
        describe::<groups::Entity>(),
        describe::<group_users::Entity>(),
        describe::<attachments::Entity>(),
        describe::<hashtags::Entity>(),
        describe::<post_hashtags::Entity>(),
        describe::<post_mentions::Entity>(),
    ]
}
