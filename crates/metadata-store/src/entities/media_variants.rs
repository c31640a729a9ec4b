//! Entity of the upstream `media_variants` table: renditions of a media.
//!
//! Column names are the upstream ones, exactly (quoted camelCase where upstream uses it).

use sea_orm::entity::prelude::*;

/// One `media_variants` row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "media_variants")]
pub struct Model {
    /// `mediaId`: the parent media.
    #[sea_orm(primary_key, auto_increment = false, column_name = "mediaId")]
    pub media_id: i64,
    /// `variantId`: the variant, itself a media row.
    #[sea_orm(primary_key, auto_increment = false, column_name = "variantId")]
    pub variant_id: i64,
}

/// No relations are declared: the store joins by batched `IN` queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
