//! Entity of the upstream `messages` table: direct messages.
//!
//! Column names are the upstream ones, exactly (quoted camelCase where upstream uses it).

use sea_orm::entity::prelude::*;

/// One `messages` row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    /// `id` (snowflake).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// `groupId`: the conversation.
    #[sea_orm(column_name = "groupId")]
    pub group_id: Option<i64>,
    /// `senderId`.
    #[sea_orm(column_name = "senderId")]
    pub sender_id: i64,
    /// `createdAt`.
    #[sea_orm(column_name = "createdAt")]
    pub created_at: DateTimeUtc,
    /// `deletedAt`.
    #[sea_orm(column_name = "deletedAt")]
    pub deleted_at: Option<DateTimeUtc>,
    /// `deleted`.
    pub deleted: bool,
    /// `content`.
    pub content: String,
    /// `recipientId`.
    #[sea_orm(column_name = "recipientId")]
    pub recipient_id: Option<i64>,
    /// `stash_id`.
    pub stash_id: Option<i32>,
}

/// No relations are declared: the store joins by batched `IN` queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
