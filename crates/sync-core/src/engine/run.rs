//! [`CreatorRun`]: one creator's sync as one value. It owns what the creator's run changes
//! (its sync state, the resolved entity ids, the outcome) and borrows what the run shares
//! across creators (the sink, the network studio, Stash's library paths). Its phases are
//! methods, in this order (see [`CreatorRun::run`]):
//!
//! 0. [`folder_absent`](CreatorRun::folder_absent) (`engine/folder.rs`): no download folder
//!    on this machine, nothing to do;
//! 1. [`scan`](CreatorRun::scan) (`engine/scan.rs`): ask Stash to scan the creator's folder;
//! 2. [`index`](CreatorRun::index) (`engine/first_pass.rs`): one light pass over the items;
//! 3. [`match_files`](CreatorRun::match_files) (`engine/files.rs`): Stash's files to media;
//! 4. [`resolve_entities`](CreatorRun::resolve_entities) (`engine/entities.rs`): performers,
//!    studios and tags to ids;
//! 5. [`items`](CreatorRun::items) (`engine/items.rs`): plan each batch (a read-only
//!    [`BatchPlanner`](super::plan_batch::BatchPlanner)) and apply it (the single writer,
//!    healing stale ids in `engine/heal.rs`) to the [`Sink`].

use domain::fansly::Account;
use domain::ids::AccountId;

use super::SyncEngine;
use super::entities::{EntityNeeds, NetworkStudio};
use super::outcome::Outcome;
use super::scan::LibraryCache;
use super::sink::Sink;
use super::write_back::WriteBack;
use crate::cancel::CancelFlag;
use crate::convert::EntityIds;
use crate::error::CreatorError;
use crate::monitor::{Phase, SyncEvent, SyncMonitor};
use crate::state::StateWriter;

/// What the creators of one run share: where writes go, the network studio (resolved once)
/// and Stash's library paths (read at the first scan).
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) sink: Sink,
    pub(crate) network: NetworkStudio,
    pub(crate) libraries: LibraryCache,
}

/// Who hears about a run, and what may stop it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Watch<'r> {
    pub(crate) monitor: &'r SyncMonitor,
    pub(crate) cancel: &'r CancelFlag,
}

/// The entity ids batches are planned with, and how many times they were healed: a batch
/// planned with an older generation is planned again before it is written.
#[derive(Debug, Clone, Default)]
pub(crate) struct CurrentIds {
    pub(crate) generation: u32,
    pub(crate) ids: EntityIds,
}

/// One creator's sync.
pub(crate) struct CreatorRun<'r> {
    pub(super) engine: &'r SyncEngine,
    pub(super) account: &'r Account,
    pub(super) watch: Watch<'r>,
    /// The creator's folder as Stash sees it.
    pub(super) root: String,
    /// The single writer of the creator's sync state.
    pub(super) state: StateWriter,
    /// Performer, studio and tag ids (replaced when stale ids are healed).
    pub(super) ids: CurrentIds,
    /// What the items refer to (kept to resolve it again when healing).
    pub(super) needs: EntityNeeds,
    pub(super) shared: &'r mut Shared,
    pub(super) outcome: Outcome,
    /// Healed (and retried) already in this run: later stale failures keep their errors.
    pub(super) healed: bool,
    pub(super) interrupted: bool,
    /// Why the creator's folder was not scanned (it lies outside Stash's libraries): reported
    /// as the creator's error although the rest of its sync ran.
    pub(super) scan_error: Option<String>,
    /// The creator's local download folder, when it does not exist (nothing was done).
    pub(super) absent_folder: Option<String>,
    /// The write-back of Stash ids to the metadata database (when enabled).
    pub(super) write_back: WriteBack,
}

/// What is left of a creator's run for the report.
#[derive(Debug)]
pub(crate) struct CreatorEnd {
    pub(crate) outcome: Outcome,
    pub(crate) interrupted: bool,
    pub(crate) scan_error: Option<String>,
    pub(crate) absent_folder: Option<String>,
    /// Why writing Stash ids back to the metadata database failed (the sync itself ran).
    pub(crate) write_back_error: Option<String>,
}

impl CreatorEnd {
    /// The end of a creator that was not synced at all.
    pub(crate) fn new(account: &Account) -> Self {
        Self {
            outcome: Outcome::new(&account.username),
            interrupted: false,
            scan_error: None,
            absent_folder: None,
            write_back_error: None,
        }
    }
}

impl<'r> CreatorRun<'r> {
    /// A run of `account` with its state as loaded.
    pub(crate) fn new(
        engine: &'r SyncEngine,
        account: &'r Account,
        state: StateWriter,
        shared: &'r mut Shared,
        watch: Watch<'r>,
    ) -> Self {
        Self {
            engine,
            account,
            watch,
            root: engine.opts.creator_root(&account.username),
            state,
            ids: CurrentIds::default(),
            needs: EntityNeeds::default(),
            shared,
            outcome: Outcome::new(&account.username),
            healed: false,
            interrupted: false,
            scan_error: None,
            absent_folder: None,
            write_back: WriteBack::default(),
        }
    }

    /// The path of one creator's data: (its folder,) scan, index, files, entities, items. A
    /// cancel is honoured between phases (and between batches of the items phase).
    pub(crate) async fn run(&mut self) -> Result<(), CreatorError> {
        if self.folder_absent().await {
            return Ok(());
        }
        let read_back = self.scan().await?;
        if self.stopped() {
            return Ok(());
        }
        let first = self.index(read_back.is_some()).await?;
        if self.stopped() {
            return Ok(());
        }
        let files = self
            .match_files(&first.media, first.sample, read_back)
            .await?;
        if self.stopped() || files.nothing_matched() {
            return Ok(());
        }
        self.phase(Phase::Entities);
        let matched = files.matches.matched_media();
        self.needs = first
            .needs
            .for_media(&matched, self.engine.opts.tag_previews_trailer);
        let mut step = self.outcome.fresh();
        self.ids.ids = self.resolve_entities(&mut step).await?;
        self.absorb(step);
        self.save().await?;
        if self.stopped() {
            return Ok(());
        }
        self.items(&first.media, &files, first.items).await
    }

    /// What the report needs of the run.
    pub(crate) fn end(self) -> CreatorEnd {
        CreatorEnd {
            outcome: self.outcome,
            interrupted: self.interrupted,
            scan_error: self.scan_error,
            absent_folder: self.absent_folder,
            write_back_error: self.write_back.error,
        }
    }

    pub(super) fn creator(&self) -> &'r str {
        &self.account.username
    }

    pub(super) fn account_id(&self) -> AccountId {
        self.account.id
    }

    /// Tells the monitor a phase started.
    pub(super) fn phase(&self, phase: Phase) {
        self.watch.monitor.emit(SyncEvent::PhaseStarted {
            creator: self.creator().to_owned(),
            phase,
        });
    }

    /// Tells the monitor how far a phase got.
    pub(super) fn progress(&self, phase: Phase, done: u64, total: Option<u64>) {
        self.watch.monitor.emit(SyncEvent::Progress {
            creator: self.creator().to_owned(),
            phase,
            done,
            total,
        });
    }

    /// Folds a step's outcome into the creator's.
    pub(super) fn absorb(&mut self, step: Outcome) {
        self.outcome.absorb(step, self.watch.monitor);
    }

    /// Whether a cancel asks the run to stop here (then the creator counts as interrupted).
    pub(super) fn stopped(&mut self) -> bool {
        if self.watch.cancel.is_cancelled() {
            self.interrupted = true;
        }
        self.interrupted
    }

    /// Saves what changed in the state since the last save (nothing in a dry run).
    pub(super) async fn save(&mut self) -> Result<(), CreatorError> {
        self.shared.sink.save(&mut self.state).await
    }
}
