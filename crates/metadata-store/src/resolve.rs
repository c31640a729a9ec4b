//! Assembly of [`ContentItem`]s from a loaded [`Graph`]: attachments in `pos` order, account
//! media to main + preview, bundles to their members in `pos` order plus the bundle preview,
//! quoted posts recursively (with a cycle guard), variants, hashtags and mentions. Dangling
//! references and unknown content types are skipped with a [`Warnings`] entry.

use std::collections::HashSet;

use domain::content::{AggregatedPost, ContentItem, ItemMedia, ItemSource, MediaRole};
use domain::fansly::{Account, ContentKind, Hashtag, Media, Mention};
use domain::ids::{AccountMediaId, GroupId, MessageId, PostId};

use crate::convert;
use crate::entities::{attachments, messages, posts};
use crate::load::Graph;
use crate::warnings::Warnings;

/// Builds items from one page's graph.
pub struct Assembler<'a> {
    graph: &'a Graph,
    warnings: &'a mut Warnings,
}

/// Media and quoted posts collected for one item.
#[derive(Default)]
struct Collected {
    media: Vec<ItemMedia>,
    aggregated: Vec<AggregatedPost>,
    seen_aggregated: HashSet<i64>,
}

impl<'a> Assembler<'a> {
    /// An assembler writing its warnings into `warnings`.
    pub fn new(graph: &'a Graph, warnings: &'a mut Warnings) -> Self {
        Self { graph, warnings }
    }

    /// A post of the creator as an item.
    pub fn post_item(&mut self, owner: &Account, post: &posts::Model) -> ContentItem {
        let mut c = Collected::default();
        let mut path = vec![post.id];
        if let Some(atts) = self.graph.post_attachments.get(&post.id) {
            self.collect(atts, None, &mut path, &mut c);
        }
        let content = post.content.clone().unwrap_or_default();
        ContentItem {
            source: ItemSource::Post(PostId(post.id)),
            owner: owner.clone(),
            hashtags: self.hashtags(post.id, &content),
            mentions: self.mentions(post.id),
            content,
            created_at: post.created_at,
            media: c.media,
            aggregated: c.aggregated,
            stash_id: post.stash_id,
        }
    }

    /// A message of one of the creator's conversations as an item (owner: the creator).
    pub fn message_item(&mut self, owner: &Account, message: &messages::Model) -> ContentItem {
        let mut c = Collected::default();
        let mut path = Vec::new();
        if let Some(atts) = self.graph.message_attachments.get(&message.id) {
            self.collect(atts, None, &mut path, &mut c);
        }
        ContentItem {
            source: ItemSource::Message {
                id: MessageId(message.id),
                group_id: message.group_id.map(GroupId),
            },
            owner: owner.clone(),
            content: message.content.clone(),
            created_at: Some(message.created_at),
            media: c.media,
            aggregated: c.aggregated,
            hashtags: Vec::new(),
            mentions: Vec::new(),
            stash_id: message.stash_id,
        }
    }

    fn collect(
        &mut self,
        atts: &[attachments::Model],
        via: Option<PostId>,
        path: &mut Vec<i64>,
        c: &mut Collected,
    ) {
        for att in atts {
            let kind = match ContentKind::from_db_name(&att.content_type) {
                Ok(k) => k,
                Err(e) => {
                    self.warnings
                        .skip("attachments", att.id, format!("{e}; attachment skipped"));
                    continue;
                }
            };
            match kind {
                ContentKind::AccountMedia => {
                    self.account_media(att.content_id, via, "attachments", att.id, c);
                }
                ContentKind::Bundle => self.bundle(att, via, c),
                ContentKind::AggregatedPost => self.aggregated(att, path, c),
                ContentKind::Story | ContentKind::Poll | ContentKind::TipGoal => {
                    tracing::debug!(attachment = att.id, %kind, "attachment carries no media");
                }
            }
        }
    }

    fn bundle(&mut self, att: &attachments::Model, via: Option<PostId>, c: &mut Collected) {
        let graph = self.graph;
        let Some(bundle) = graph.bundles.get(&att.content_id) else {
            self.warnings.skip(
                "attachments",
                att.id,
                format!(
                    "refers to bundle {} which does not exist; attachment skipped",
                    att.content_id
                ),
            );
            return;
        };
        for member in graph
            .bundle_members
            .get(&bundle.id)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            self.account_media(
                member.media_id,
                via,
                "account_media_bundle_media",
                format!("{}:{}", member.bundle_id, member.media_id),
                c,
            );
        }
        if let Some(preview_id) = bundle.preview_id
            && let Some(preview) = self.media(preview_id, "account_media_bundles", bundle.id)
        {
            c.media.push(ItemMedia {
                media: preview,
                role: MediaRole::Preview,
                account_media_id: None,
                via_aggregated: via,
            });
        }
    }

    fn aggregated(&mut self, att: &attachments::Model, path: &mut Vec<i64>, c: &mut Collected) {
        let graph = self.graph;
        let quoted_id = att.content_id;
        if path.contains(&quoted_id) {
            self.warnings.skip(
                "attachments",
                att.id,
                format!("quoted post {quoted_id} quotes itself (a cycle); not followed again"),
            );
            return;
        }
        let Some(quoted) = graph.posts.get(&quoted_id) else {
            self.warnings.skip(
                "attachments",
                att.id,
                format!(
                    "refers to quoted post {quoted_id} which does not exist (or is nested deeper \
                     than {} levels); attachment skipped",
                    crate::load::MAX_AGGREGATION_DEPTH
                ),
            );
            return;
        };
        if c.seen_aggregated.insert(quoted_id) {
            c.aggregated.push(AggregatedPost {
                id: PostId(quoted_id),
                content: quoted.content.clone().unwrap_or_default(),
                created_at: quoted.created_at,
            });
        }
        if let Some(atts) = graph.post_attachments.get(&quoted_id) {
            path.push(quoted_id);
            self.collect(atts, Some(PostId(quoted_id)), path, c);
            path.pop();
        }
    }

    fn account_media(
        &mut self,
        id: i64,
        via: Option<PostId>,
        referrer_table: &str,
        referrer_id: impl ToString,
        c: &mut Collected,
    ) {
        let Some(am) = self.graph.account_media.get(&id) else {
            self.warnings.skip(
                referrer_table,
                referrer_id,
                format!("refers to account media {id} which does not exist; skipped"),
            );
            return;
        };
        if let Some(main) = self.media(am.media_id, "account_media", am.id) {
            c.media.push(ItemMedia {
                media: main,
                role: MediaRole::Main,
                account_media_id: Some(AccountMediaId(am.id)),
                via_aggregated: via,
            });
        }
        if let Some(preview_id) = am.preview_id
            && let Some(preview) = self.media(preview_id, "account_media", am.id)
        {
            c.media.push(ItemMedia {
                media: preview,
                role: MediaRole::Preview,
                account_media_id: Some(AccountMediaId(am.id)),
                via_aggregated: via,
            });
        }
    }

    fn media(&mut self, id: i64, referrer_table: &str, referrer_id: i64) -> Option<Media> {
        let graph = self.graph;
        let Some(row) = graph.media.get(&id) else {
            self.warnings.skip(
                referrer_table,
                referrer_id,
                format!("refers to media {id} which does not exist; skipped"),
            );
            return None;
        };
        let mut variants = Vec::new();
        for vid in graph
            .variants
            .get(&id)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            match graph.media.get(vid) {
                Some(v) => variants.push(convert::variant(v)),
                None => self.warnings.skip(
                    "media_variants",
                    format!("{id}:{vid}"),
                    format!("variant {vid} of media {id} does not exist; variant skipped"),
                ),
            }
        }
        Some(convert::media(row, variants))
    }

    /// Hashtags in first-seen order: by where `#tag` first appears in the text, then by id.
    fn hashtags(&self, post_id: i64, content: &str) -> Vec<Hashtag> {
        let lower = content.to_lowercase();
        let mut tags: Vec<(usize, i32, Hashtag)> = self
            .graph
            .hashtags
            .get(&post_id)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|h| {
                let tag = Hashtag::new(&h.value);
                let at = lower
                    .find(&format!("#{}", tag.as_str()))
                    .unwrap_or(usize::MAX);
                (at, h.id, tag)
            })
            .filter(|(_, _, tag)| !tag.as_str().is_empty())
            .collect();
        tags.sort_by_key(|t| (t.0, t.1));
        let mut seen = HashSet::new();
        tags.into_iter()
            .filter(|(_, _, t)| seen.insert(t.clone()))
            .map(|(_, _, t)| t)
            .collect()
    }

    fn mentions(&self, post_id: i64) -> Vec<Mention> {
        self.graph
            .mentions
            .get(&post_id)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|m| Mention {
                handle: m.handle.clone(),
                account: m
                    .account_id
                    .and_then(|id| self.graph.mentioned_accounts.get(&id))
                    .map(convert::account),
            })
            .collect()
    }
}
