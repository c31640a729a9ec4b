//! [`SyncEngine`]: runs the phases for each creator (scan, index, files, entities, items) using
//! only the three ports, and turns what happened into a [`SyncReport`].
//!
//! Request budget, per creator: `list_files` pages; one find-or-create per entity kind for
//! entities the sync state does not know yet; per batch, one read per object kind for objects
//! that are new or whose fingerprint changed, then one write per kind. A re-run on unchanged
//! data therefore costs `server_info` and the file listing, and writes nothing. With a scan:
//! once per run `library_paths` (a folder outside Stash's libraries is not scanned, see
//! [`scan`]); per creator `start_scan`, `wait_for_job`, then one `wait_for_files` read-back of
//! at most [`read_back::READ_BACK_SAMPLE`] names (the adapter polls it until they show or the
//! deadline).
//! Only when something the state remembers is gone from Stash: one gallery lookup by code per
//! batch with such galleries, and once per creator one find-or-create per entity kind plus one
//! more read and write of the batch that failed on the stale ids (see [`heal`]).

mod entities;
mod heal;
mod outcome;
mod prepare;
mod read_back;
mod scan;
mod write;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use chrono::Utc;
use domain::content::MediaRole;
use domain::fansly::Account;
use domain::ids::{AccountId, StudioId};
use domain::ports::{EntityKind, MediaServer, MetadataRepository, SyncStateStore};
use domain::stash::ServerStatus;
use tracing::Instrument;

use crate::batch::BatchProcessor;
use crate::cancel::CancelFlag;
use crate::convert::{
    EntityIds, TRAILER_TAG, item_performer_specs, unnamed_creator_reason, unnamed_mention,
    unnamed_mention_reason,
};
use crate::error::{CreatorError, SyncError};
use crate::index::{FileMatches, MediaIndex};
use crate::monitor::{Phase, SyncEvent, SyncMonitor};
use crate::options::SyncOptions;
use crate::planner::Plan;
use crate::report::{CreatorReport, SyncReport};
use crate::state::SyncState;
use entities::EntityNeeds;
use heal::Healer;
use outcome::{CreatorOutcome, Tally};
use prepare::{CurrentIds, PrepareCtx};
use read_back::{READ_BACK_SAMPLE, ReadBackSample};
use scan::LibraryCache;

/// The sync engine.
pub struct SyncEngine {
    repo: Arc<dyn MetadataRepository>,
    stash: Arc<dyn MediaServer>,
    store: Arc<dyn SyncStateStore>,
    opts: SyncOptions,
    batches: BatchProcessor,
}

impl std::fmt::Debug for SyncEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncEngine")
            .field("opts", &self.opts)
            .finish_non_exhaustive()
    }
}

/// The light per-item needs kept from the index pass.
struct ItemNeeds {
    media: Vec<domain::ids::MediaId>,
    performers: Vec<String>,
    tags: Vec<String>,
}

impl SyncEngine {
    /// An engine over the three ports.
    pub fn new(
        repo: Arc<dyn MetadataRepository>,
        stash: Arc<dyn MediaServer>,
        store: Arc<dyn SyncStateStore>,
        opts: SyncOptions,
    ) -> Self {
        let batches = BatchProcessor::new(opts.batch_size, opts.read_concurrency);
        Self {
            repo,
            stash,
            store,
            opts,
            batches,
        }
    }

    /// The options the engine runs with.
    pub fn options(&self) -> &SyncOptions {
        &self.opts
    }

    /// Syncs each creator in turn. Item failures are recorded and reported, not returned; a
    /// creator that cannot be finished is reported and the run goes on; only a Stash or state
    /// store that is unusable as a whole stops the run with an error.
    pub async fn sync_creators(
        &self,
        creators: &[Account],
        monitor: &SyncMonitor,
        cancel: &CancelFlag,
    ) -> Result<SyncReport, SyncError> {
        let started = Instant::now();
        let dry = self.opts.dry_run;
        monitor.emit(SyncEvent::RunStarted {
            creators: creators.len(),
            dry_run: dry,
        });
        let info = self.stash.server_info().await.map_err(SyncError::Stash)?;
        match info.status {
            ServerStatus::Ok => {}
            ServerStatus::Setup => return Err(SyncError::StashNotReady("setup not done".into())),
            ServerStatus::NeedsMigration => {
                return Err(SyncError::StashNotReady(
                    "its database needs a migration".into(),
                ));
            }
        }
        let run_id = if dry {
            None
        } else {
            Some(
                self.store
                    .start_run(Utc::now())
                    .await
                    .map_err(SyncError::State)?,
            )
        };
        let mut report = SyncReport {
            dry_run: dry,
            ..SyncReport::default()
        };
        let mut plan = Plan::default();
        let mut network: Option<StudioId> = None;
        let mut libraries = LibraryCache::default();
        let mut fatal: Option<SyncError> = None;
        for (i, account) in creators.iter().enumerate() {
            if cancel.is_cancelled() {
                report.interrupted = true;
                break;
            }
            monitor.emit(SyncEvent::CreatorStarted {
                creator: account.username.clone(),
                index: i + 1,
                total: creators.len(),
            });
            let mut outcome = CreatorOutcome::new(&account.username);
            let span =
                tracing::info_span!("creator", username = %account.username, id = %account.id);
            let result = self
                .sync_creator(
                    account,
                    monitor,
                    cancel,
                    &mut network,
                    &mut libraries,
                    &mut outcome,
                )
                .instrument(span)
                .await;
            let error = match result {
                // A folder that could not be scanned: synced with what Stash had, but reported.
                Ok(()) => outcome.scan_error.take(),
                Err(CreatorError::Creator(msg)) => Some(format!("stopped: {msg}")),
                Err(CreatorError::NotSynced(msg)) => Some(format!("not synced: {msg}")),
                Err(CreatorError::Fatal(e)) => {
                    let msg = format!("stopped: {e}");
                    fatal = Some(e);
                    Some(msg)
                }
            };
            monitor.emit(SyncEvent::CreatorFinished {
                creator: account.username.clone(),
                counts: outcome.counts.iter().map(|(k, c)| (*k, *c)).collect(),
                error: error.clone(),
            });
            report.interrupted |= outcome.interrupted;
            report.errors.append(&mut outcome.errors);
            report.skipped.append(&mut outcome.skipped);
            report.healed.append(&mut outcome.healed);
            plan.changes.append(&mut outcome.plan);
            report.creators.push(CreatorReport {
                creator: account.username.clone(),
                counts: outcome.counts,
                error,
                awaiting_files: outcome.awaiting_files,
            });
            if fatal.is_some() || report.interrupted {
                break;
            }
        }
        report.requests = self.stash.request_stats();
        report.duration = started.elapsed();
        if dry {
            report.plan = Some(plan);
        }
        if let Some(id) = run_id {
            let outcome = if fatal.is_some() {
                "failed"
            } else {
                report.outcome()
            };
            self.store
                .finish_run(id, Utc::now(), outcome, &report.summary_line())
                .await
                .map_err(SyncError::State)?;
        }
        monitor.emit(SyncEvent::RunFinished {
            interrupted: report.interrupted,
        });
        match fatal {
            Some(e) => Err(e),
            None => Ok(report),
        }
    }

    async fn sync_creator(
        &self,
        account: &Account,
        monitor: &SyncMonitor,
        cancel: &CancelFlag,
        network: &mut Option<StudioId>,
        libraries: &mut LibraryCache,
        outcome: &mut CreatorOutcome,
    ) -> Result<(), CreatorError> {
        if account.is_unnamed() {
            // It would become a performer and a studio named by a number.
            return Err(CreatorError::NotSynced(unnamed_creator_reason(account)));
        }
        let creator = account.username.as_str();
        let root = self.opts.creator_root(creator);
        let phase = |p| {
            monitor.emit(SyncEvent::PhaseStarted {
                creator: creator.to_owned(),
                phase: p,
            })
        };

        // After a scan that ended, how long to wait for its files to show (read back later,
        // once the index pass knows which files to expect).
        let mut read_back_deadline = None;
        if let (Some(scan), false) = (&self.opts.scan, self.opts.dry_run) {
            phase(Phase::Scan);
            read_back_deadline = self
                .scan_folder(creator, &root, scan, libraries, outcome, monitor)
                .await?;
        }

        let state = SyncState::new(account.id, self.store.load_creator(account.id).await?);

        // Index: one light pass over the items.
        phase(Phase::Index);
        let mut index = MediaIndex::default();
        let mut needs: Vec<ItemNeeds> = Vec::new();
        let mut specs = BTreeMap::new();
        let mut previews = HashSet::new();
        let mut sample = read_back_deadline.map(|_| ReadBackSample::new(READ_BACK_SAMPLE));
        let mut tally = Tally::default();
        // Mentioned accounts known only by their id: the first item mentioning each, and how
        // many do.
        let mut unnamed: BTreeMap<AccountId, (String, usize)> = BTreeMap::new();
        let mut cursor = None;
        loop {
            let page = self
                .repo
                .content_page(account.id, cursor.take(), self.batches.batch_size)
                .await?;
            for item in &page.items {
                index.add_item(item);
                if let Some(sample) = &mut sample {
                    sample.offer(item, &state);
                }
                for id in item.mentions.iter().filter_map(unnamed_mention) {
                    let seen = unnamed.entry(id).or_insert_with(|| (item.source.key(), 0));
                    seen.1 += 1;
                }
                let performer_specs = item_performer_specs(item);
                let mut item_needs = ItemNeeds {
                    media: item.media.iter().map(|m| m.media.id).collect(),
                    performers: performer_specs.iter().map(|s| s.key.clone()).collect(),
                    tags: item
                        .hashtags
                        .iter()
                        .map(|h| h.as_str().to_owned())
                        .collect(),
                };
                for s in performer_specs {
                    specs.entry(s.key.clone()).or_insert(s);
                }
                for m in &item.media {
                    if m.role == MediaRole::Preview {
                        previews.insert(m.media.id);
                    }
                }
                item_needs.tags.dedup();
                needs.push(item_needs);
            }
            for w in &page.warnings {
                tally.note(creator, &format!("{} {}", w.table, w.id), &w.message);
            }
            monitor.emit(SyncEvent::Progress {
                creator: creator.to_owned(),
                phase: Phase::Index,
                done: needs.len() as u64,
                total: None,
            });
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let total_items = needs.len() as u64;
        for (id, (first, count)) in unnamed {
            let more = match count {
                1 => String::new(),
                n => format!(" and {} more item(s)", n - 1),
            };
            tally.skipped(
                creator,
                EntityKind::Performer,
                &format!("mention of account {id} in {first}{more}"),
                &unnamed_mention_reason(id),
            );
        }
        outcome.absorb(std::mem::take(&mut tally), monitor);
        if cancel.is_cancelled() {
            outcome.interrupted = true;
            return Ok(());
        }

        // Files: confirm the scan's files are visible, then list what Stash has under the
        // creator's folder and match it.
        phase(Phase::Files);
        let unseen = match (read_back_deadline, &sample) {
            (Some(deadline), Some(sample)) => {
                let unseen = self
                    .read_back(creator, &root, sample, deadline, &mut tally)
                    .await?;
                outcome.absorb(std::mem::take(&mut tally), monitor);
                unseen
            }
            _ => HashSet::new(),
        };
        drop(sample);
        let mut matches = FileMatches::default();
        let mut cursor = None;
        loop {
            let page = self.stash.list_files(&root, cursor.take()).await?;
            for f in &page.files {
                matches.add_file(&index, f);
            }
            monitor.emit(SyncEvent::Progress {
                creator: creator.to_owned(),
                phase: Phase::Files,
                done: matches.files_seen as u64,
                total: None,
            });
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        for s in &matches.skipped {
            tally.note(creator, &s.path, &s.reason);
        }
        outcome.absorb(std::mem::take(&mut tally), monitor);
        if cancel.is_cancelled() {
            outcome.interrupted = true;
            return Ok(());
        }
        let state = Mutex::new(state);
        if matches.objects.is_empty() {
            tracing::info!(
                files = matches.files_seen,
                "no Stash file matches this creator's media"
            );
            return Ok(());
        }

        // Entities: only what items with matched media refer to.
        phase(Phase::Entities);
        let matched = matches.matched_media();
        let mut entity_needs = EntityNeeds::default();
        let mut seen_tags = HashSet::new();
        for n in needs
            .iter()
            .filter(|n| n.media.iter().any(|m| matched.contains(m)))
        {
            for p in &n.performers {
                if let Some(spec) = specs.get(p) {
                    entity_needs
                        .performers
                        .entry(p.clone())
                        .or_insert_with(|| spec.clone());
                }
            }
            for t in &n.tags {
                if seen_tags.insert(t.clone()) {
                    entity_needs.tags.push(t.clone());
                }
            }
        }
        if self.opts.tag_previews_trailer && previews.iter().any(|m| matched.contains(m)) {
            entity_needs.tags.push(TRAILER_TAG.to_owned());
        }
        drop(needs);
        let ids: EntityIds = {
            let mut st = match state.lock() {
                Ok(s) => s.clone(),
                Err(p) => p.into_inner().clone(),
            };
            let ids = self
                .resolve_entities(account, &entity_needs, &mut st, network, &mut tally)
                .await?;
            match state.lock() {
                Ok(mut s) => *s = st,
                Err(p) => *p.into_inner() = st,
            }
            ids
        };
        outcome.absorb(std::mem::take(&mut tally), monitor);
        let ids = RwLock::new(CurrentIds { generation: 0, ids });
        let ctx = PrepareCtx {
            creator,
            root: &root,
            index: &index,
            matches: &matches,
            ids: &ids,
            state: &state,
            unseen: &unseen,
        };
        self.save_state(&ctx).await?;
        if cancel.is_cancelled() {
            outcome.interrupted = true;
            return Ok(());
        }

        // Items: a reading stage and one writer, joined by a bounded queue.
        phase(Phase::Items);
        let (tx, rx) = self.batches.queue();
        let ctx_ref = &ctx;
        let reader = async move {
            let tx = tx;
            let read = async {
                let mut cursor = None;
                loop {
                    if cancel.is_cancelled() {
                        return Ok::<bool, CreatorError>(true);
                    }
                    let page = self
                        .repo
                        .content_page(account.id, cursor.take(), self.batches.batch_size)
                        .await?;
                    let mut batch = self
                        .prepare_batch(ctx_ref, &page.items, None)
                        .instrument(tracing::debug_span!("batch", items = page.items.len()))
                        .await?;
                    batch.source = page.items;
                    if tx.send(batch).await.is_err() {
                        return Ok(false);
                    }
                    match page.next {
                        Some(next) => cursor = Some(next),
                        None => return Ok(false),
                    }
                }
            }
            .await;
            drop(tx);
            read
        };
        let mut healer = Healer {
            account,
            needs: &entity_needs,
            done: false,
        };
        let writer = async move {
            let mut rx = rx;
            let mut done = 0u64;
            let mut stopped = false;
            while let Some(mut batch) = rx.recv().await {
                done += batch.items as u64;
                let source = std::mem::take(&mut batch.source);
                let generation = match ctx_ref.ids.read() {
                    Ok(i) => i.generation,
                    Err(p) => p.into_inner().generation,
                };
                if batch.generation != generation {
                    // Planned with ids healed since: plan it again with the new ones.
                    batch = self.prepare_batch(ctx_ref, &source, None).await?;
                }
                self.write_healing(
                    ctx_ref,
                    batch,
                    &source,
                    &mut healer,
                    network,
                    outcome,
                    monitor,
                )
                .await?;
                monitor.emit(SyncEvent::Progress {
                    creator: creator.to_owned(),
                    phase: Phase::Items,
                    done,
                    total: Some(total_items),
                });
                // Ctrl-C: the batch in flight is finished and saved; batches read ahead are dropped.
                if cancel.is_cancelled() && done < total_items {
                    stopped = true;
                    break;
                }
            }
            drop(rx);
            Ok::<(&mut CreatorOutcome, bool), CreatorError>((outcome, stopped))
        };
        let (read, written) = tokio::join!(reader, writer);
        let (outcome, stopped) = written?;
        if read? || stopped {
            outcome.interrupted = true;
        }
        Ok(())
    }
}
