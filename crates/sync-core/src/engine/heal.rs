//! Healing stale ids: when the user deletes in Stash a performer, studio or tag the sync state
//! remembers, writes that refer to it fail ("FOREIGN KEY constraint failed"). Nothing is
//! checked up front (the happy path costs no request); when such a failure shows, the creator's
//! remembered performer, studio and tag ids are forgotten and found or created again by natural
//! key, once per creator and run, and the rest of the run uses the new ids (batches already
//! planned with the old ones are planned again). The batch whose writes failed is then planned
//! again with the new ids and written once more, in the same run, leaving out the objects its
//! first attempt wrote: the failed objects are retried, and objects the fingerprints called
//! unchanged but that refer to a healed id (Stash dropped the deleted studio or tag from them)
//! are written too. What fails again keeps its error and is retried on the next run; it is
//! not retried a third time. The network studio is kept: if it is gone too, creating the
//! creator's studio under it fails and heals it (see `entities`).
//!
//! What healing costs, once per creator and run: one find-or-create per entity kind, then for
//! the batch written once more one read per object kind and the writes it needs; a batch read
//! ahead with the old ids is read again.

use std::collections::HashMap;

use tracing::Instrument;

use domain::content::ContentItem;
use domain::fansly::Account;
use domain::ids::StudioId;
use domain::ports::EntityKind;

use super::SyncEngine;
use super::entities::EntityNeeds;
use super::outcome::{CreatorOutcome, Tally};
use super::prepare::{PlannedBatch, PrepareCtx};
use crate::convert::EntityIds;
use crate::error::CreatorError;
use crate::monitor::SyncMonitor;
use crate::report::SkipNote;

/// What the writer needs to heal a creator's stale ids mid-run, and whether it did already.
pub(crate) struct Healer<'a> {
    pub(crate) account: &'a Account,
    pub(crate) needs: &'a EntityNeeds,
    /// Healed (and retried) already in this run: later stale failures keep their errors.
    pub(crate) done: bool,
}

/// Whether an error says a write refers to a performer, studio or tag that does not exist.
pub(crate) fn is_stale_reference(message: &str) -> bool {
    if message.contains("FOREIGN KEY constraint failed") {
        return true;
    }
    let lower = message.to_ascii_lowercase();
    lower.contains("not found")
        && ["performer with id", "studio with id", "tag with id"]
            .iter()
            .any(|p| lower.contains(p))
}

impl SyncEngine {
    /// Writes one batch planned from `source` and folds what happened into `outcome`. When a
    /// write met a stale id and the creator was not healed yet in this run: heals, then plans
    /// the batch again with the healed ids and writes it once more, leaving out the objects
    /// the first attempt wrote (those stand); the retry's results replace the first attempt's
    /// failures, unchanged and skipped counts and notes.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn write_healing(
        &self,
        ctx: &PrepareCtx<'_>,
        batch: PlannedBatch,
        source: &[ContentItem],
        healer: &mut Healer<'_>,
        network: &mut Option<StudioId>,
        outcome: &mut CreatorOutcome,
        monitor: &SyncMonitor,
    ) -> Result<(), CreatorError> {
        let first = self.write_batch(ctx, batch).await?;
        if !first.stale || healer.done {
            outcome.absorb(first.tally, monitor);
            return Ok(());
        }
        healer.done = true;
        let mut stands = first.tally;
        let replanned = stands.take_replanned();
        let failed = replanned.errors.len();
        let mut healing = Tally::default();
        let healed = self
            .heal_entities(
                healer.account,
                healer.needs,
                ctx,
                network,
                failed,
                &mut healing,
            )
            .await;
        outcome.absorb(stands, monitor);
        outcome.absorb(healing, monitor);
        if let Err(e) = healed {
            outcome.absorb(replanned, monitor);
            return Err(e);
        }
        let noted: Vec<SkipNote> = outcome.healed.clone();
        let again = async {
            let planned = self
                .prepare_batch(ctx, source, Some(&first.written))
                .await?;
            self.write_batch(ctx, planned).await
        }
        .instrument(tracing::info_span!(
            "retry",
            failed,
            written = first.written.len()
        ))
        .await;
        match again {
            Ok(mut again) => {
                again.tally.healed.retain(|n| !noted.contains(n));
                tracing::info!(
                    failed_before = failed,
                    failed_again = again.tally.errors.len(),
                    "wrote the batch once more with the healed ids"
                );
                outcome.absorb(again.tally, monitor);
                Ok(())
            }
            Err(e) => {
                outcome.absorb(replanned, monitor);
                Err(e)
            }
        }
    }

    /// Forgets the creator's performer, studio and tag ids and resolves them again; the new
    /// ids replace the old ones for the batches still to come.
    pub(crate) async fn heal_entities(
        &self,
        account: &Account,
        needs: &EntityNeeds,
        ctx: &PrepareCtx<'_>,
        network: &mut Option<StudioId>,
        failed: usize,
        tally: &mut Tally,
    ) -> Result<(), CreatorError> {
        let mut st = match ctx.state.lock() {
            Ok(s) => s.clone(),
            Err(p) => p.into_inner().clone(),
        };
        let network_key = super::entities::state_key(EntityKind::Studio, &self.opts.network_studio);
        let forgotten = st.forget_where(|kind, key| match kind {
            EntityKind::Performer | EntityKind::Tag => true,
            EntityKind::Studio => key != network_key,
            _ => false,
        });
        tracing::warn!(
            forgotten,
            "a write referred to an object Stash no longer has; re-resolving performers, studios and tags"
        );
        let ids = self
            .resolve_entities(account, needs, &mut st, network, tally)
            .await?;
        match ctx.state.lock() {
            Ok(mut s) => *s = st,
            Err(p) => *p.into_inner() = st,
        }
        let changed = {
            let mut current = match ctx.ids.write() {
                Ok(i) => i,
                Err(p) => p.into_inner(),
            };
            let changed = changed_ids(&current.ids, &ids);
            current.ids = ids;
            current.generation += 1;
            changed
        };
        tally.healed(
            ctx.creator,
            "performers, studios and tags",
            &format!(
                "a write failed on an id Stash no longer has (deleted there?); forgot {forgotten} \
                 remembered id(s) and found or created them again by name ({} changed: {}); the \
                 batch that failed is planned and written once more now ({failed} object(s) \
                 had failed)",
                changed.len(),
                if changed.is_empty() {
                    "none".to_owned()
                } else {
                    changed.join(", ")
                }
            ),
        );
        self.save_state(ctx).await
    }
}

/// `kind name` of every entity whose id differs between `old` and `new`.
fn changed_ids(old: &EntityIds, new: &EntityIds) -> Vec<String> {
    fn changed<V: PartialEq>(
        kind: &str,
        old: &HashMap<String, V>,
        new: &HashMap<String, V>,
        out: &mut Vec<String>,
    ) {
        let mut names: Vec<String> = new
            .iter()
            .filter(|(k, v)| old.get(*k) != Some(*v))
            .map(|(k, _)| format!("{kind} {k}"))
            .collect();
        names.sort();
        out.extend(names);
    }
    let mut out = Vec::new();
    changed("performer", &old.performers, &new.performers, &mut out);
    changed("studio", &old.studios, &new.studios, &mut out);
    changed("tag", &old.tags, &new.tags, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_references_are_told_from_other_failures() {
        assert!(is_stale_reference(
            "updating the image failed: Stash reported: FOREIGN KEY constraint failed"
        ));
        assert!(is_stale_reference(
            "Stash reported: studio with id 12 not found"
        ));
        assert!(is_stale_reference("Tag with ID 3 not found"));
        assert!(!is_stale_reference(
            "Stash reported: scene with id 12 not found"
        ));
        assert!(!is_stale_reference("gallery with id 4 not found"));
        assert!(!is_stale_reference("Stash answered HTTP 500: oops"));
    }
}
