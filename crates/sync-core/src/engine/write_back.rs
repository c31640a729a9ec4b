//! Writing Stash ids back to the metadata database (opt-in: `write_back_stash_ids`), as
//! fansly-scraper does: after each batch is written and its state saved, the ids the sync
//! state knows for the batch's items go to the upstream `stash_id` columns: the performer id
//! on the creator's account (and on mentioned accounts), the scene or image id on each media
//! row (the object the media's file is in; scene or image follows the mimetype, as upstream),
//! and the gallery id on the post or message row (a column upstream defines but never fills).
//!
//! Only ids that differ from what the rows hold are sent (each item carries its row's
//! `stash_id`), so a run with nothing new writes nothing, and a batch costs one call of
//! [`MetadataRepository::record_stash_ids`](domain::ports::MetadataRepository) (a fixed
//! number of statements). Since the ids come from the sync state, not from this batch's
//! writes, a kill between the Stash write and the write-back is repaired by the next run
//! (the state was saved first; the rows still differ), and turning the setting on later
//! fills the columns for everything synced before. Objects whose record holds an error are
//! left out (their id may be gone from Stash).
//!
//! A failed write-back does not stop the sync: it is reported as the creator's error (the
//! run is partial) and not tried again for that creator in this run.

use std::collections::HashSet;

use domain::content::ContentItem;
use domain::fansly::{Account, MediaKind};
use domain::ids::AccountId;
use domain::ports::{EntityKind, StashIdWriteback};

use super::run::CreatorRun;
use crate::convert::performer_key;
use crate::state::{StateKey, StateWriter};

/// What the write-back of one creator's run remembers between batches.
#[derive(Debug, Default)]
pub(crate) struct WriteBack {
    /// Accounts whose performer id was written (or found in place) in this run.
    accounts: HashSet<AccountId>,
    /// Why it failed; then it is not tried again in this run.
    pub(crate) error: Option<String>,
}

impl CreatorRun<'_> {
    /// Writes back the ids of `source`'s objects that the metadata database lacks.
    pub(crate) async fn write_back(&mut self, source: &[ContentItem]) {
        let opts = &self.engine.opts;
        if !opts.write_back_stash_ids || opts.dry_run || self.write_back.error.is_some() {
            return;
        }
        let ids = self.ids_to_write_back(source);
        if ids.is_empty() {
            return;
        }
        match self.engine.repo.record_stash_ids(&ids).await {
            Ok(()) => tracing::debug!(rows = ids.len(), "wrote Stash ids back"),
            Err(e) => {
                tracing::warn!(error = %e, "writing Stash ids back failed");
                self.write_back.error = Some(format!(
                    "synced, but writing Stash ids back to the metadata database failed: {e}. \
                     The next run writes them; the database user needs UPDATE on accounts, \
                     media, posts and messages (or turn write_back_stash_ids off)"
                ));
            }
        }
    }

    /// The ids the state knows for `source` that differ from the rows' `stash_id`.
    fn ids_to_write_back(&mut self, source: &[ContentItem]) -> StashIdWriteback {
        let mut out = StashIdWriteback::default();
        for item in source {
            self.account_id_to_write(&item.owner, &mut out);
            for m in &item.mentions {
                if let Some(a) = &m.account {
                    self.account_id_to_write(a, &mut out);
                }
            }
            let key = StateKey::of_item(&item.source);
            let gallery = known_id(&self.state, EntityKind::Gallery, &key);
            match (&item.source, gallery) {
                (domain::content::ItemSource::Post(id), Some(g)) if item.stash_id != Some(g) => {
                    out.posts.push((*id, g));
                }
                (domain::content::ItemSource::Message { id, .. }, Some(g))
                    if item.stash_id != Some(g) =>
                {
                    out.messages.push((*id, g));
                }
                _ => {}
            }
            for m in &item.media {
                let kind = match m.media.kind() {
                    MediaKind::Video => EntityKind::Scene,
                    MediaKind::Image => EntityKind::Image,
                    _ => continue,
                };
                let known = known_id(&self.state, kind, &StateKey::Media(m.media.id));
                if let Some(id) = known.filter(|id| m.media.stash_id != Some(*id))
                    && !out.media.iter().any(|(x, _)| *x == m.media.id)
                {
                    out.media.push((m.media.id, id));
                }
            }
        }
        out
    }

    /// The account's performer id, once per run, when the row does not hold it.
    fn account_id_to_write(&mut self, account: &Account, out: &mut StashIdWriteback) {
        if self.write_back.accounts.contains(&account.id) {
            return;
        }
        let performers = &self.ids.ids.performers;
        let Some(id) = performers
            .get(&performer_key(&account.username))
            .and_then(|p| p.as_str().parse::<i32>().ok())
        else {
            return;
        };
        self.write_back.accounts.insert(account.id);
        if account.stash_id != Some(id) {
            out.accounts.push((account.id, id));
        }
    }
}

/// The Stash id the state holds for an object whose last write did not fail.
fn known_id(state: &StateWriter, kind: EntityKind, key: &StateKey) -> Option<i32> {
    state
        .get(kind, key)
        .filter(|r| r.last_error.is_none())
        .and_then(|r| r.stash_id.as_deref())
        .and_then(|id| id.parse().ok())
}
