//! Entity of the upstream `hashtags` table: hashtags (lowercase, no `#`).
//!
//! Column names are the upstream ones, exactly (quoted camelCase where upstream uses it).

use sea_orm::entity::prelude::*;

/// One `hashtags` row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "hashtags")]
pub struct Model {
    /// `id` (serial).
    #[sea_orm(primary_key)]
    pub id: i32,
    /// `value`.
    pub value: String,
    /// `stash_id`.
    pub stash_id: Option<i32>,
}

/// No relations are declared: the store joins by batched `IN` queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
