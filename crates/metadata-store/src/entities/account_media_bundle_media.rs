//! Entity of the upstream `account_media_bundle_media` table: the ordered junction from bundles to account media.
//!
//! Column names are the upstream ones, exactly (quoted camelCase where upstream uses it).

use sea_orm::entity::prelude::*;

/// One `account_media_bundle_media` row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "account_media_bundle_media")]
pub struct Model {
    /// `bundle_id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub bundle_id: i64,
    /// `media_id`: an `account_media.id` (not a `media.id`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub media_id: i64,
    /// `pos`: 0-based order in the bundle.
    pub pos: i32,
}

/// No relations are declared: the store joins by batched `IN` queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
