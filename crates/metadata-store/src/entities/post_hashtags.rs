//! Entity of the upstream `post_hashtags` table: the post/hashtag junction. Upstream has no primary key here, only a UNIQUE constraint on the pair; sea-orm needs a key, so the pair is declared as one (the conformance test knows).
//!
//! Column names are the upstream ones, exactly (quoted camelCase where upstream uses it).

use sea_orm::entity::prelude::*;

/// One `post_hashtags` row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "post_hashtags")]
pub struct Model {
    /// `postId`.
    #[sea_orm(primary_key, auto_increment = false, column_name = "postId")]
    pub post_id: i64,
    /// `hashtagId`.
    #[sea_orm(primary_key, auto_increment = false, column_name = "hashtagId")]
    pub hashtag_id: i32,
}

/// No relations are declared: the store joins by batched `IN` queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
