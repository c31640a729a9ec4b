//! Entity of the upstream `attachments` table: the attachment list of posts and messages.
//!
//! Column names are the upstream ones, exactly (quoted camelCase where upstream uses it).

use sea_orm::entity::prelude::*;

/// One `attachments` row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    /// `id` (sequence-generated).
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `postId` (exclusive with `messageId`).
    #[sea_orm(column_name = "postId")]
    pub post_id: Option<i64>,
    /// `messageId`.
    #[sea_orm(column_name = "messageId")]
    pub message_id: Option<i64>,
    /// `contentId`: its table follows `contentType`.
    #[sea_orm(column_name = "contentId")]
    pub content_id: i64,
    /// `pos`: order within the owner.
    pub pos: i32,
    /// `contentType`: the `contenttype` enum, read as text (`CAST(... AS TEXT)`, see
    /// `load::attachments_where_in`) so a name we do not know is a value, not a decode error.
    #[sea_orm(column_name = "contentType", column_type = "custom(\"contenttype\")")]
    pub content_type: String,
}

/// No relations are declared: the store joins by batched `IN` queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
