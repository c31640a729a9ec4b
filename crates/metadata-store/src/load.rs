//! Batched loading of everything one page of items refers to: a fixed number of `IN (...)`
//! queries per page (plus two per level of quoted-post nesting), never one per item.
//!
//! `IN` lists are split into chunks of [`IN_CHUNK`] ids to stay below the bind-parameter limits
//! of PostgreSQL (65,535) and SQLite (32,766), so a page costs
//! `sum(ceil(ids_per_step / IN_CHUNK))` queries, which for pages of the default size is one
//! query per step.

use std::collections::{BTreeSet, HashMap};

use domain::fansly::ContentKind;
use sea_orm::sea_query::{Alias, Expr};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::entities::{
    account_media, account_media_bundle_media, account_media_bundles, accounts, attachments,
    hashtags, media, media_variants, messages, post_hashtags, post_mentions, posts,
};

/// Most ids in one `IN (...)` list.
pub const IN_CHUNK: usize = 5_000;

/// How many levels of quoted (aggregated) posts are followed.
pub const MAX_AGGREGATION_DEPTH: usize = 16;

/// Rows of `E` whose `column` is one of `ids` (deduplicated, chunked).
pub async fn rows_where_in<E, C>(
    db: &C,
    column: E::Column,
    ids: impl IntoIterator<Item = i64>,
) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let ids: Vec<i64> = ids
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut out = Vec::new();
    for chunk in ids.chunks(IN_CHUNK) {
        out.extend(
            E::find()
                .filter(column.is_in(chunk.iter().copied()))
                .all(db)
                .await?,
        );
    }
    Ok(out)
}

/// Attachments whose `column` (`postId` or `messageId`) is one of `ids`, with `contentType`
/// cast to text on both backends.
pub async fn attachments_where_in<C: ConnectionTrait>(
    db: &C,
    column: attachments::Column,
    ids: impl IntoIterator<Item = i64>,
) -> Result<Vec<attachments::Model>, DbErr> {
    use attachments::Column as A;
    let ids: Vec<i64> = ids
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut out = Vec::new();
    for chunk in ids.chunks(IN_CHUNK) {
        out.extend(
            attachments::Entity::find()
                .select_only()
                .columns([A::Id, A::PostId, A::MessageId, A::ContentId, A::Pos])
                .column_as(
                    Expr::col((attachments::Entity, A::ContentType)).cast_as(Alias::new("TEXT")),
                    "contentType",
                )
                .filter(column.is_in(chunk.iter().copied()))
                .into_model::<attachments::Model>()
                .all(db)
                .await?,
        );
    }
    Ok(out)
}

/// Everything a page of posts and messages refers to, keyed for assembly.
#[derive(Debug, Default)]
pub struct Graph {
    /// Top-level and quoted posts by id.
    pub posts: HashMap<i64, posts::Model>,
    /// Attachments per post, in `pos` order.
    pub post_attachments: HashMap<i64, Vec<attachments::Model>>,
    /// Attachments per message, in `pos` order.
    pub message_attachments: HashMap<i64, Vec<attachments::Model>>,
    /// Account media by id.
    pub account_media: HashMap<i64, account_media::Model>,
    /// Bundles by id.
    pub bundles: HashMap<i64, account_media_bundles::Model>,
    /// Members per bundle, in `pos` order.
    pub bundle_members: HashMap<i64, Vec<account_media_bundle_media::Model>>,
    /// Media (main, previews, variants) by id.
    pub media: HashMap<i64, media::Model>,
    /// Variant ids per parent media, ascending.
    pub variants: HashMap<i64, Vec<i64>>,
    /// Hashtags per post.
    pub hashtags: HashMap<i64, Vec<hashtags::Model>>,
    /// Mentions per post, by mention id.
    pub mentions: HashMap<i64, Vec<post_mentions::Model>>,
    /// Mentioned accounts that exist, by id.
    pub mentioned_accounts: HashMap<i64, accounts::Model>,
}

fn kind(a: &attachments::Model) -> Option<ContentKind> {
    ContentKind::from_db_name(&a.content_type).ok()
}

fn group_attachments(
    rows: Vec<attachments::Model>,
    owner: impl Fn(&attachments::Model) -> Option<i64>,
) -> HashMap<i64, Vec<attachments::Model>> {
    let mut map: HashMap<i64, Vec<attachments::Model>> = HashMap::new();
    for row in rows {
        if let Some(o) = owner(&row) {
            map.entry(o).or_default().push(row);
        }
    }
    for list in map.values_mut() {
        list.sort_by_key(|a| (a.pos, a.id));
    }
    map
}

impl Graph {
    /// Loads what `top_posts` and `top_messages` refer to.
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        top_posts: &[posts::Model],
        top_messages: &[messages::Model],
    ) -> Result<Graph, DbErr> {
        let mut g = Graph::default();
        for p in top_posts {
            g.posts.insert(p.id, p.clone());
        }

        if !top_posts.is_empty() {
            let rows = attachments_where_in(
                db,
                attachments::Column::PostId,
                top_posts.iter().map(|p| p.id),
            )
            .await?;
            g.post_attachments = group_attachments(rows, |a| a.post_id);
        }
        if !top_messages.is_empty() {
            let rows = attachments_where_in(
                db,
                attachments::Column::MessageId,
                top_messages.iter().map(|m| m.id),
            )
            .await?;
            g.message_attachments = group_attachments(rows, |a| a.message_id);
        }

        g.load_quoted_posts(db).await?;
        g.load_bundles(db).await?;
        g.load_account_media(db).await?;
        g.load_media(db).await?;
        g.load_tags_and_mentions(db, top_posts).await?;
        Ok(g)
    }

    /// Quoted posts, level by level; posts already loaded are not loaded again (cycles).
    async fn load_quoted_posts<C: ConnectionTrait>(&mut self, db: &C) -> Result<(), DbErr> {
        for _ in 0..MAX_AGGREGATION_DEPTH {
            let wanted: BTreeSet<i64> = self
                .all_attachments()
                .filter(|a| kind(a) == Some(ContentKind::AggregatedPost))
                .map(|a| a.content_id)
                .filter(|id| !self.posts.contains_key(id))
                .collect();
            if wanted.is_empty() {
                break;
            }
            let found =
                rows_where_in::<posts::Entity, _>(db, posts::Column::Id, wanted.iter().copied())
                    .await?;
            if found.is_empty() {
                break;
            }
            let ids: Vec<i64> = found.iter().map(|p| p.id).collect();
            for p in found {
                self.posts.insert(p.id, p);
            }
            let rows =
                attachments_where_in(db, attachments::Column::PostId, ids.iter().copied()).await?;
            for (k, v) in group_attachments(rows, |a| a.post_id) {
                self.post_attachments.insert(k, v);
            }
        }
        Ok(())
    }

    /// Bundles and their members.
    async fn load_bundles<C: ConnectionTrait>(&mut self, db: &C) -> Result<(), DbErr> {
        let bundle_ids: BTreeSet<i64> = self
            .all_attachments()
            .filter(|a| kind(a) == Some(ContentKind::Bundle))
            .map(|a| a.content_id)
            .collect();
        if !bundle_ids.is_empty() {
            for b in rows_where_in::<account_media_bundles::Entity, _>(
                db,
                account_media_bundles::Column::Id,
                bundle_ids.iter().copied(),
            )
            .await?
            {
                self.bundles.insert(b.id, b);
            }
            for m in rows_where_in::<account_media_bundle_media::Entity, _>(
                db,
                account_media_bundle_media::Column::BundleId,
                self.bundles.keys().copied().collect::<Vec<_>>(),
            )
            .await?
            {
                self.bundle_members.entry(m.bundle_id).or_default().push(m);
            }
            for list in self.bundle_members.values_mut() {
                list.sort_by_key(|m| (m.pos, m.media_id));
            }
        }
        Ok(())
    }

    /// Account media, direct and through bundles.
    async fn load_account_media<C: ConnectionTrait>(&mut self, db: &C) -> Result<(), DbErr> {
        let am_ids: BTreeSet<i64> = self
            .all_attachments()
            .filter(|a| kind(a) == Some(ContentKind::AccountMedia))
            .map(|a| a.content_id)
            .chain(self.bundle_members.values().flatten().map(|m| m.media_id))
            .collect();
        if !am_ids.is_empty() {
            for am in rows_where_in::<account_media::Entity, _>(
                db,
                account_media::Column::Id,
                am_ids.iter().copied(),
            )
            .await?
            {
                self.account_media.insert(am.id, am);
            }
        }
        Ok(())
    }

    /// Media: main, previews, bundle previews, then their variants.
    async fn load_media<C: ConnectionTrait>(&mut self, db: &C) -> Result<(), DbErr> {
        let mut media_ids: BTreeSet<i64> = self
            .account_media
            .values()
            .flat_map(|am| std::iter::once(am.media_id).chain(am.preview_id))
            .chain(self.bundles.values().filter_map(|b| b.preview_id))
            .collect();
        if !media_ids.is_empty() {
            for v in rows_where_in::<media_variants::Entity, _>(
                db,
                media_variants::Column::MediaId,
                media_ids.iter().copied(),
            )
            .await?
            {
                media_ids.insert(v.variant_id);
                self.variants
                    .entry(v.media_id)
                    .or_default()
                    .push(v.variant_id);
            }
            for list in self.variants.values_mut() {
                list.sort_unstable();
            }
            for m in rows_where_in::<media::Entity, _>(db, media::Column::Id, media_ids).await? {
                self.media.insert(m.id, m);
            }
        }
        Ok(())
    }

    /// Hashtags and mentions of the top-level posts.
    async fn load_tags_and_mentions<C: ConnectionTrait>(
        &mut self,
        db: &C,
        top_posts: &[posts::Model],
    ) -> Result<(), DbErr> {
        if top_posts.is_empty() {
            return Ok(());
        }
        {
            let links = rows_where_in::<post_hashtags::Entity, _>(
                db,
                post_hashtags::Column::PostId,
                top_posts.iter().map(|p| p.id),
            )
            .await?;
            if !links.is_empty() {
                let tags: HashMap<i32, hashtags::Model> = rows_where_in::<hashtags::Entity, _>(
                    db,
                    hashtags::Column::Id,
                    links.iter().map(|l| i64::from(l.hashtag_id)),
                )
                .await?
                .into_iter()
                .map(|h| (h.id, h))
                .collect();
                for link in links {
                    if let Some(tag) = tags.get(&link.hashtag_id) {
                        self.hashtags
                            .entry(link.post_id)
                            .or_default()
                            .push(tag.clone());
                    }
                }
            }

            let mentions = rows_where_in::<post_mentions::Entity, _>(
                db,
                post_mentions::Column::PostId,
                top_posts.iter().map(|p| p.id),
            )
            .await?;
            let account_ids: BTreeSet<i64> = mentions.iter().filter_map(|m| m.account_id).collect();
            if !account_ids.is_empty() {
                for a in rows_where_in::<accounts::Entity, _>(db, accounts::Column::Id, account_ids)
                    .await?
                {
                    self.mentioned_accounts.insert(a.id, a);
                }
            }
            for m in mentions {
                self.mentions.entry(m.post_id).or_default().push(m);
            }
            for list in self.mentions.values_mut() {
                list.sort_by_key(|m| m.id);
            }
        }
        Ok(())
    }

    fn all_attachments(&self) -> impl Iterator<Item = &attachments::Model> {
        self.post_attachments
            .values()
            .chain(self.message_attachments.values())
            .flatten()
    }
}
