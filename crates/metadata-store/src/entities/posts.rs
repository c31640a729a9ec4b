//! Entity of the upstream `posts` table: timeline and wall posts (and aggregated posts).
//!
//! Column names are the upstream ones, exactly (quoted camelCase where upstream uses it).

use sea_orm::entity::prelude::*;

/// One `posts` row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "posts")]
pub struct Model {
    /// `id` (snowflake).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// `accountId`: the author.
    #[sea_orm(column_name = "accountId")]
    pub account_id: i64,
    /// `content` (nullable upstream).
    pub content: Option<String>,
    /// `fypFlag`.
    #[sea_orm(column_name = "fypFlag")]
    pub fyp_flag: Option<i32>,
    /// `inReplyTo`.
    #[sea_orm(column_name = "inReplyTo")]
    pub in_reply_to: Option<i64>,
    /// `inReplyToRoot`.
    #[sea_orm(column_name = "inReplyToRoot")]
    pub in_reply_to_root: Option<i64>,
    /// `createdAt` (null on stub posts).
    #[sea_orm(column_name = "createdAt")]
    pub created_at: Option<DateTimeUtc>,
    /// `expiresAt`.
    #[sea_orm(column_name = "expiresAt")]
    pub expires_at: Option<DateTimeUtc>,
    /// `stash_id`.
    pub stash_id: Option<i32>,
}

/// No relations are declared: the store joins by batched `IN` queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
