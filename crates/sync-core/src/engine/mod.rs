//! [`SyncEngine`]: runs each creator's sync (a [`CreatorRun`], see [`run`]) using only the
//! three ports, and turns what happened into a [`SyncReport`].
//!
//! Request budget, per creator: none when its download folder is absent on this machine (see
//! [`SyncEngine::with_downloads`]); else `list_files` pages; one find-or-create per entity kind for
//! entities the sync state does not know yet; per batch, one read per object kind for objects
//! that are new or whose fingerprint changed, then one write per kind. A re-run on unchanged
//! data therefore costs `server_info` and the file listing, and writes nothing. With a scan:
//! once per run `library_paths` (a folder outside Stash's libraries is not scanned, see
//! [`scan`]); per creator `start_scan`, `wait_for_job`, then one `wait_for_files` read-back of
//! at most [`read_back::READ_BACK_SAMPLE`] names (the adapter polls it until they show or the
//! deadline).
//! Only when something the state remembers is gone from Stash: one gallery lookup by code per
//! batch with such galleries, and once per creator one find-or-create per entity kind plus one
//! more read and write of the batch that failed on the stale ids (see [`heal`]). A dry run
//! looks entities up without creating: one [`MediaServer::find_entities`] per creator, for what
//! the state does not know.
//!
//! Metadata queries beside the items: one per run, the [`AttachmentCoverage`] of every creator
//! of the run (how many downloaded media no post or message reaches; see the report). It is a
//! note, not the sync: when only that query fails, the run goes on without the note.

mod entities;
mod files;
mod first_pass;
mod folder;
mod heal;
mod items;
mod members;
mod outcome;
mod plan_batch;
mod plan_entities;
mod read_back;
mod run;
mod scan;
mod sink;
mod stamps;
mod wanted;
mod write;
mod write_back;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use domain::fansly::Account;
use domain::ids::AccountId;
use domain::ports::{
    AttachmentCoverage, Downloads, MediaServer, MetadataRepository, RepositoryError,
    SyncStateStore, UnknownDownloads,
};
use domain::stash::ServerStatus;
use tracing::Instrument;

use crate::batch::BatchProcessor;
use crate::cancel::CancelFlag;
use crate::error::{CreatorError, SyncError};
use crate::monitor::{SyncEvent, SyncMonitor};
use crate::options::SyncOptions;
use crate::planner::Plan;
use crate::report::{CreatorReport, RunOutcome, SyncReport};
use crate::state::{StateWriter, SyncState};
use entities::NetworkStudio;
use run::{CreatorEnd, CreatorRun, Shared, Watch};
use scan::LibraryCache;
use sink::Sink;

/// The sync engine.
pub struct SyncEngine {
    repo: Arc<dyn MetadataRepository>,
    stash: Arc<dyn MediaServer>,
    store: Arc<dyn SyncStateStore>,
    downloads: Arc<dyn Downloads>,
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

/// What one run keeps across its creators.
struct Run {
    report: SyncReport,
    shared: Shared,
    fatal: Option<SyncError>,
    /// Per creator of the run, read once at its start.
    coverage: HashMap<AccountId, AttachmentCoverage>,
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
            downloads: Arc::new(UnknownDownloads),
            opts,
            batches,
        }
    }

    /// Where the engine looks whether a creator's download folder exists on this machine
    /// (`download_root/<username><suffix>`): an absent one is not scanned and its files are
    /// not listed in Stash (the report says so). Without it ([`UnknownDownloads`]) every
    /// creator's files are listed.
    pub fn with_downloads(mut self, downloads: Arc<dyn Downloads>) -> Self {
        self.downloads = downloads;
        self
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
        let dry_run = self.opts.dry_run;
        monitor.emit(SyncEvent::RunStarted {
            creators: creators.len(),
            dry_run,
        });
        self.check_server().await?;
        let ids: Vec<AccountId> = creators.iter().map(|a| a.id).collect();
        let coverage = self.read_coverage(&ids).await?;
        let run_id = match dry_run {
            true => None,
            false => Some(
                self.store
                    .start_run(Utc::now())
                    .await
                    .map_err(SyncError::State)?,
            ),
        };
        let mut run = Run {
            report: SyncReport {
                dry_run,
                ..SyncReport::default()
            },
            shared: Shared {
                sink: Sink::for_options(&self.opts, &self.stash, &self.store),
                network: NetworkStudio::default(),
                libraries: LibraryCache::default(),
            },
            fatal: None,
            coverage,
        };
        for (i, account) in creators.iter().enumerate() {
            if cancel.is_cancelled() {
                run.report.interrupted = true;
                break;
            }
            monitor.emit(SyncEvent::CreatorStarted {
                creator: account.username.clone(),
                index: i + 1,
                total: creators.len(),
            });
            let span =
                tracing::info_span!("creator", username = %account.username, id = %account.id);
            let (end, result) = self
                .sync_creator(account, &mut run.shared, Watch { monitor, cancel })
                .instrument(span)
                .await;
            run.record(account, end, result, monitor);
            if run.fatal.is_some() || run.report.interrupted {
                break;
            }
        }
        self.finish(run, run_id, started, monitor).await
    }

    /// Stash must be set up and migrated before anything is synced.
    async fn check_server(&self) -> Result<(), SyncError> {
        let info = self.stash.server_info().await.map_err(SyncError::Stash)?;
        match info.status {
            ServerStatus::Ok => Ok(()),
            ServerStatus::Setup => Err(SyncError::StashNotReady("setup not done".into())),
            ServerStatus::NeedsMigration => Err(SyncError::StashNotReady(
                "its database needs a migration".into(),
            )),
        }
    }

    /// The [`AttachmentCoverage`] of the run's creators, for the report. Only a metadata
    /// database that cannot be used at all (unreachable, refusing us, not a metadata database)
    /// stops the run here, as the first page would; a failure of this one query is logged
    /// and the creators are reported without the note.
    async fn read_coverage(
        &self,
        ids: &[AccountId],
    ) -> Result<HashMap<AccountId, AttachmentCoverage>, SyncError> {
        match self.repo.attachment_coverage(ids).await {
            Ok(coverage) => Ok(coverage),
            Err(
                e @ (RepositoryError::Connection { .. }
                | RepositoryError::Refused { .. }
                | RepositoryError::Schema(_)),
            ) => Err(SyncError::Repository(e)),
            Err(e) => {
                tracing::warn!(
                    error = %e,
                    "could not count the downloaded media no post or message reaches; the sync goes on, its report without that count"
                );
                Ok(HashMap::new())
            }
        }
    }

    /// One creator's run: its state is loaded, its phases run (see [`CreatorRun::run`]).
    async fn sync_creator(
        &self,
        account: &Account,
        shared: &mut Shared,
        watch: Watch<'_>,
    ) -> (CreatorEnd, Result<(), CreatorError>) {
        if account.is_unnamed() {
            // It would become a performer and a studio named by a number.
            let reason = crate::convert::unnamed_creator_reason(account);
            return (
                CreatorEnd::new(account),
                Err(CreatorError::NotSynced(reason)),
            );
        }
        let records = match self.store.load_creator(account.id).await {
            Ok(r) => r,
            Err(e) => return (CreatorEnd::new(account), Err(e.into())),
        };
        let state = StateWriter::new(SyncState::new(account.id, records));
        let mut creator = CreatorRun::new(self, account, state, shared, watch);
        let result = creator.run().await;
        (creator.end(), result)
    }

    /// Saves the run's record (not in a dry run) and hands the report out.
    async fn finish(
        &self,
        mut run: Run,
        run_id: Option<i64>,
        started: Instant,
        monitor: &SyncMonitor,
    ) -> Result<SyncReport, SyncError> {
        let report = &mut run.report;
        report.requests = self.stash.request_stats();
        report.duration = started.elapsed();
        report.plan = run.shared.sink.into_plan().map(|changes| Plan { changes });
        if let Some(id) = run_id {
            let outcome = match run.fatal {
                Some(_) => RunOutcome::Failed,
                None => report.outcome(),
            };
            self.store
                .finish_run(id, Utc::now(), outcome.as_str(), &report.summary_line())
                .await
                .map_err(SyncError::State)?;
        }
        monitor.emit(SyncEvent::RunFinished {
            interrupted: report.interrupted,
        });
        match run.fatal {
            Some(e) => Err(e),
            None => Ok(run.report),
        }
    }
}

impl Run {
    /// Folds one creator's end into the report; a fatal error stops the run.
    fn record(
        &mut self,
        account: &Account,
        end: CreatorEnd,
        result: Result<(), CreatorError>,
        monitor: &SyncMonitor,
    ) {
        let CreatorEnd {
            mut outcome,
            interrupted,
            scan_error,
            absent_folder,
            write_back_error,
        } = end;
        let error = match result {
            // A folder that could not be scanned: synced with what Stash had, but reported;
            // likewise a write-back of Stash ids that failed.
            Ok(()) => match (scan_error, write_back_error) {
                (Some(a), Some(b)) => Some(format!("{a}; {b}")),
                (a, b) => a.or(b),
            },
            Err(CreatorError::Creator(msg)) => Some(format!("stopped: {msg}")),
            Err(CreatorError::NotSynced(msg)) => Some(format!("not synced: {msg}")),
            Err(CreatorError::Fatal(e)) => {
                let msg = format!("stopped: {e}");
                self.fatal = Some(e);
                Some(msg)
            }
        };
        monitor.emit(SyncEvent::CreatorFinished {
            creator: account.username.clone(),
            counts: outcome.counts.iter().map(|(k, c)| (*k, *c)).collect(),
            error: error.clone(),
        });
        let report = &mut self.report;
        report.interrupted |= interrupted;
        report.errors.append(&mut outcome.errors);
        report.skipped.append(&mut outcome.skipped);
        report.healed.append(&mut outcome.healed);
        report.creators.push(CreatorReport {
            creator: account.username.clone(),
            counts: outcome.counts,
            error,
            awaiting_files: outcome.awaiting_files,
            attachments: self.coverage.get(&account.id).copied().unwrap_or_default(),
            absent_folder,
        });
    }
}
