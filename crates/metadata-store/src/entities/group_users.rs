//! Entity of the upstream `group_users` table: conversation members (no FK on the account).
//!
//! Column names are the upstream ones, exactly (quoted camelCase where upstream uses it).

use sea_orm::entity::prelude::*;

/// One `group_users` row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "group_users")]
pub struct Model {
    /// `groupId`.
    #[sea_orm(primary_key, auto_increment = false, column_name = "groupId")]
    pub group_id: i64,
    /// `accountId`.
    #[sea_orm(primary_key, auto_increment = false, column_name = "accountId")]
    pub account_id: i64,
}

/// No relations are declared: the store joins by batched `IN` queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
