//! Entity of the upstream `account_media` table: the access wrapper around a media (target of attachment type 1).
//!
//! Column names are the upstream ones, exactly (quoted camelCase where upstream uses it).

use sea_orm::entity::prelude::*;

/// One `account_media` row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "account_media")]
pub struct Model {
    /// `id` (snowflake).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// `accountId`.
    #[sea_orm(column_name = "accountId")]
    pub account_id: i64,
    /// `mediaId`: the main media.
    #[sea_orm(column_name = "mediaId")]
    pub media_id: i64,
    /// `previewId`: the teaser media.
    #[sea_orm(column_name = "previewId")]
    pub preview_id: Option<i64>,
    /// `createdAt`.
    #[sea_orm(column_name = "createdAt")]
    pub created_at: DateTimeUtc,
    /// `deletedAt`.
    #[sea_orm(column_name = "deletedAt")]
    pub deleted_at: Option<DateTimeUtc>,
    /// `deleted`.
    pub deleted: bool,
    /// `access`.
    pub access: bool,
    /// `stash_id` (never written upstream).
    pub stash_id: Option<i32>,
}

/// No relations are declared: the store joins by batched `IN` queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
