//! Entity of the upstream `post_mentions` table: mentions of accounts in posts (no FK on the account).
//!
//! Column names are the upstream ones, exactly (quoted camelCase where upstream uses it).

use sea_orm::entity::prelude::*;

/// One `post_mentions` row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "post_mentions")]
pub struct Model {
    /// `postId`.
    #[sea_orm(column_name = "postId")]
    pub post_id: i64,
    /// `accountId`: may name an account we do not know, or be null.
    #[sea_orm(column_name = "accountId")]
    pub account_id: Option<i64>,
    /// `handle` as written.
    pub handle: String,
    /// `id` (serial).
    #[sea_orm(primary_key)]
    pub id: i32,
}

/// No relations are declared: the store joins by batched `IN` queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
