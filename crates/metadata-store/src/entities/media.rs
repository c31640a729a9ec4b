//! Entity of the upstream `media` table: every media object, including variants and previews.
//!
//! Column names are the upstream ones, exactly (quoted camelCase where upstream uses it).

use sea_orm::entity::prelude::*;

/// One `media` row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "media")]
pub struct Model {
    /// `id` (snowflake).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// `accountId`: the owner.
    #[sea_orm(column_name = "accountId")]
    pub account_id: i64,
    /// `location`: CDN path.
    pub location: Option<String>,
    /// `mimetype` (simplified by upstream).
    pub mimetype: Option<String>,
    /// `height`.
    pub height: Option<i32>,
    /// `width`.
    pub width: Option<i32>,
    /// `type`: 1 image, 2 video, 302 HLS variant.
    #[sea_orm(column_name = "type")]
    pub media_type: Option<i32>,
    /// `status`.
    pub status: Option<i32>,
    /// `createdAt`.
    #[sea_orm(column_name = "createdAt")]
    pub created_at: Option<DateTimeUtc>,
    /// `updatedAt`.
    #[sea_orm(column_name = "updatedAt")]
    pub updated_at: Option<DateTimeUtc>,
    /// `flags`.
    pub flags: Option<i32>,
    /// `meta_info`: the raw API metadata JSON string.
    pub meta_info: Option<String>,
    /// `duration` in seconds.
    #[sea_orm(column_type = "Double")]
    pub duration: Option<f64>,
    /// `local_filename`: basename of the downloaded file; not unique.
    pub local_filename: Option<String>,
    /// `content_hash`.
    pub content_hash: Option<String>,
    /// `is_downloaded`.
    pub is_downloaded: bool,
    /// `stash_id`: a Stash scene or image id.
    pub stash_id: Option<i32>,
}

/// No relations are declared: the store joins by batched `IN` queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
