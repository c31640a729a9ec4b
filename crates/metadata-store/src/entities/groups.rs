//! Entity of the upstream `groups` table: direct-message conversations.
//!
//! Column names are the upstream ones, exactly (quoted camelCase where upstream uses it).

use sea_orm::entity::prelude::*;

/// One `groups` row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "groups")]
pub struct Model {
    /// `id` (snowflake).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// `createdBy`.
    #[sea_orm(column_name = "createdBy")]
    pub created_by: i64,
    /// `lastMessageId` (no FK).
    #[sea_orm(column_name = "lastMessageId")]
    pub last_message_id: Option<i64>,
}

/// No relations are declared: the store joins by batched `IN` queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
