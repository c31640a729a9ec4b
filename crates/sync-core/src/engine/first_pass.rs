//! The index phase: one light pass over a creator's items, page by page, keeping only what later
//! phases need before any item is planned: the media index (owners, file names; see
//! [`crate::index`]), each item's needs (its media, performer keys and tags, so the entities
//! phase resolves only what items with matched files refer to), the performer specs (computed
//! once per item), the read-back sample, and the notes about bad rows and unnamed mentions.
//!
//! Why two passes (this one, then the items pass) instead of keeping the items: the items of a
//! creator with tens of thousands of posts weigh hundreds of megabytes, the indices a few
//! (see ARCHITECTURE.md, "Memory: two passes over the items").

use std::collections::{BTreeMap, HashSet};

use domain::content::{ContentItem, MediaRole};
use domain::ids::{AccountId, MediaId};
use domain::ports::{ContentCursor, ContentPage, EntityKind};
use domain::stash::PerformerSpec;

use super::entities::EntityNeeds;
use super::outcome::Outcome;
use super::read_back::{READ_BACK_SAMPLE, ReadBackSample};
use super::run::CreatorRun;
use crate::convert::{TRAILER_TAG, item_performer_specs, unnamed_mention, unnamed_mention_reason};
use crate::error::CreatorError;
use crate::index::MediaIndex;
use crate::monitor::Phase;
use crate::state::{StateKey, SyncState};

/// What the index pass keeps.
#[derive(Debug, Default)]
pub(crate) struct FirstPass {
    pub(crate) media: MediaIndex,
    pub(crate) needs: ItemNeeds,
    /// The newest media never matched, when a scan's files are to be read back.
    pub(crate) sample: Option<ReadBackSample>,
    /// How many items the creator has.
    pub(crate) items: u64,
    /// Mentioned accounts known only by their id: the first item mentioning each, and how
    /// many do.
    unnamed: BTreeMap<AccountId, (StateKey, usize)>,
}

/// The light needs of one item.
#[derive(Debug)]
struct NeedsOf {
    media: Vec<MediaId>,
    performers: Vec<String>,
    tags: Vec<String>,
}

/// What every item needs, kept until the entities phase.
#[derive(Debug, Default)]
pub(crate) struct ItemNeeds {
    items: Vec<NeedsOf>,
    specs: BTreeMap<String, PerformerSpec>,
    previews: HashSet<MediaId>,
}

impl ItemNeeds {
    fn add(&mut self, item: &ContentItem) {
        let specs = item_performer_specs(item);
        let mut tags: Vec<String> = item
            .hashtags
            .iter()
            .map(|h| h.as_str().to_owned())
            .collect();
        tags.dedup();
        self.items.push(NeedsOf {
            media: item.media.iter().map(|m| m.media.id).collect(),
            performers: specs.iter().map(|s| s.key.clone()).collect(),
            tags,
        });
        for s in specs {
            self.specs.entry(s.key.clone()).or_insert(s);
        }
        let previews = item.media.iter().filter(|m| m.role == MediaRole::Preview);
        self.previews.extend(previews.map(|m| m.media.id));
    }

    /// The entities that items with a matched media refer to (plus `Trailer` when a matched
    /// media is a preview and `trailer` is on).
    pub(crate) fn for_media(self, matched: &HashSet<MediaId>, trailer: bool) -> EntityNeeds {
        let mut needs = EntityNeeds::default();
        let mut seen_tags = HashSet::new();
        let wanted = self
            .items
            .iter()
            .filter(|n| n.media.iter().any(|m| matched.contains(m)));
        for n in wanted {
            for p in &n.performers {
                if let Some(spec) = self.specs.get(p) {
                    needs
                        .performers
                        .entry(p.clone())
                        .or_insert_with(|| spec.clone());
                }
            }
            for t in &n.tags {
                if seen_tags.insert(t.clone()) {
                    needs.tags.push(t.clone());
                }
            }
        }
        if trailer && self.previews.iter().any(|m| matched.contains(m)) {
            needs.tags.push(TRAILER_TAG.to_owned());
        }
        needs
    }
}

impl FirstPass {
    fn add(&mut self, item: &ContentItem, state: &SyncState) {
        self.media.add_item(item);
        if let Some(sample) = &mut self.sample {
            sample.offer(item, state);
        }
        for id in item.mentions.iter().filter_map(unnamed_mention) {
            let seen = self
                .unnamed
                .entry(id)
                .or_insert_with(|| (StateKey::of_item(&item.source), 0));
            seen.1 += 1;
        }
        self.needs.add(item);
        self.items += 1;
    }

    /// One skip per mentioned account known only by its id, naming the first item.
    fn note_unnamed(&mut self, out: &mut Outcome) {
        for (id, (first, count)) in std::mem::take(&mut self.unnamed) {
            let more = match count {
                1 => String::new(),
                n => format!(" and {} more item(s)", n - 1),
            };
            out.skipped(
                EntityKind::Performer,
                format!("mention of account {id} in {first}{more}"),
                &unnamed_mention_reason(id),
            );
        }
    }
}

impl CreatorRun<'_> {
    /// The index phase: reads every page once; `sample`: also pick the files a scan's
    /// read-back confirms.
    pub(crate) async fn index(&mut self, sample: bool) -> Result<FirstPass, CreatorError> {
        self.phase(Phase::Index);
        let mut first = FirstPass {
            sample: sample.then(|| ReadBackSample::new(READ_BACK_SAMPLE)),
            ..FirstPass::default()
        };
        let mut step = self.outcome.fresh();
        let mut cursor = None;
        loop {
            let page = self.page(cursor.take()).await?;
            for item in &page.items {
                first.add(item, self.state.loaded());
            }
            for w in &page.warnings {
                step.note(format!("{} {}", w.table, w.id), &w.message);
            }
            self.progress(Phase::Index, first.items, None);
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        first.note_unnamed(&mut step);
        self.absorb(step);
        Ok(first)
    }

    /// One page of the creator's items.
    pub(super) async fn page(
        &self,
        cursor: Option<ContentCursor>,
    ) -> Result<ContentPage, CreatorError> {
        let size = self.engine.batches.batch_size;
        Ok(self
            .engine
            .repo
            .content_page(self.account_id(), cursor, size)
            .await?)
    }
}
