//! Healing stale ids: when the user deletes in Stash a performer, studio or tag the sync state
//! remembers, writes that refer to it fail (the adapter reports
//! [`MediaServerError::StaleReference`](domain::ports::MediaServerError::StaleReference)).
//! Nothing is checked up front (the happy path costs no request); when such a failure shows,
//! the creator's remembered performer, studio and tag ids are forgotten and found or created
//! again by natural key, once per creator and run, and the rest of the run uses the new ids
//! (batches already planned with the old ones are planned again). The batch whose writes
//! failed is then planned again with the new ids and written once more, in the same run,
//! leaving out the objects its first attempt wrote: the failed objects are retried, and
//! objects the fingerprints called unchanged but that refer to a healed id (Stash dropped the
//! deleted studio or tag from them) are written too. What fails again keeps its error and is
//! retried on the next run; it is not retried a third time. The network studio is kept: if it
//! is gone too, creating the creator's studio under it fails and heals it (see `entities`).
//!
//! What healing costs, once per creator and run: one find-or-create per entity kind, then for
//! the batch written once more one read per object kind and the writes it needs; a batch read
//! ahead with the old ids is read again.

use std::collections::HashMap;
use std::sync::Arc;

use domain::content::ContentItem;
use domain::ports::EntityKind;
use tokio::sync::watch;
use tracing::Instrument;

use super::outcome::Outcome;
use super::plan_batch::{BatchPlanner, PlannedBatch};
use super::run::{CreatorRun, CurrentIds};
use super::sink::Applied;
use crate::convert::EntityIds;
use crate::error::CreatorError;
use crate::report::SkipNote;
use crate::state::StateKey;

impl CreatorRun<'_> {
    /// Writes one batch planned from `source` and folds what happened into the outcome. When a
    /// write met a stale id and the creator was not healed yet in this run: heals (publishing
    /// the new ids on `ids`), then plans the batch again with them and writes it once more,
    /// leaving out the objects the first attempt wrote (those stand); the retry's results
    /// replace the first attempt's failures, unchanged and skipped counts and notes.
    pub(crate) async fn write_healing(
        &mut self,
        planner: &BatchPlanner<'_>,
        batch: PlannedBatch,
        source: &[ContentItem],
        ids: &watch::Sender<Arc<CurrentIds>>,
    ) -> Result<(), CreatorError> {
        let first = self.shared.sink.apply(batch, &mut self.state).await?;
        if !first.stale || self.healed {
            self.absorb(first.outcome);
            return Ok(());
        }
        self.healed = true;
        let Applied {
            outcome: mut stands,
            written,
            ..
        } = first;
        let replanned = stands.take_replanned();
        let failed = replanned.errors.len();
        let mut healing = self.outcome.fresh();
        let healed = self.heal_entities(failed, &mut healing).await;
        self.absorb(stands);
        self.absorb(healing);
        if let Err(e) = healed {
            self.absorb(replanned);
            return Err(e);
        }
        ids.send_replace(Arc::new(self.ids.clone()));
        let noted: Vec<SkipNote> = self.outcome.healed.clone();
        let span = tracing::info_span!("retry", failed, written = written.len());
        let again = async {
            let planned = planner.plan(source, &self.ids, &written).await?;
            self.shared.sink.apply(planned, &mut self.state).await
        }
        .instrument(span)
        .await;
        match again {
            Ok(mut again) => {
                again.outcome.healed.retain(|n| !noted.contains(n));
                tracing::info!(
                    failed_before = failed,
                    failed_again = again.outcome.errors.len(),
                    "wrote the batch once more with the healed ids"
                );
                self.absorb(again.outcome);
                Ok(())
            }
            Err(e) => {
                self.absorb(replanned);
                Err(e)
            }
        }
    }

    /// Forgets the creator's performer, studio and tag ids (not the network studio's) and
    /// resolves them again; the new ids replace the old ones for the batches still to come.
    async fn heal_entities(
        &mut self,
        failed: usize,
        out: &mut Outcome,
    ) -> Result<(), CreatorError> {
        let network = StateKey::Studio(self.engine.opts.network_studio.clone());
        let forgotten = self.state.forget_where(|kind, key| match kind {
            EntityKind::Performer | EntityKind::Tag => true,
            EntityKind::Studio => *key != network,
            _ => false,
        });
        tracing::warn!(
            forgotten,
            "a write referred to an object Stash no longer has; re-resolving performers, studios and tags"
        );
        let ids = self.resolve_entities(out).await?;
        let changed = changed_ids(&self.ids.ids, &ids);
        self.ids = CurrentIds {
            generation: self.ids.generation + 1,
            ids,
        };
        out.healed(
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
        self.save().await
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
