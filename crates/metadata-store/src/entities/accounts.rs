//! Entity of the upstream `accounts` table: a Fansly user or creator.
//!
//! Column names are the upstream ones, exactly (quoted camelCase where upstream uses it).

use sea_orm::entity::prelude::*;

/// One `accounts` row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    /// `id` (snowflake).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// `username` (unique).
    pub username: String,
    /// `displayName`.
    #[sea_orm(column_name = "displayName")]
    pub display_name: Option<String>,
    /// `flags`.
    pub flags: Option<i32>,
    /// `version`.
    pub version: Option<i32>,
    /// `about`.
    pub about: Option<String>,
    /// `location`.
    pub location: Option<String>,
    /// `following`.
    pub following: Option<bool>,
    /// `profileAccess`.
    #[sea_orm(column_name = "profileAccess")]
    pub profile_access: Option<bool>,
    /// `createdAt`.
    #[sea_orm(column_name = "createdAt")]
    pub created_at: Option<DateTimeUtc>,
    /// `subscribed`.
    pub subscribed: Option<bool>,
    /// `stash_id`: the Stash performer id.
    pub stash_id: Option<i32>,
}

/// No relations are declared: the store joins by batched `IN` queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
