//! `watch`: keeps Stash in step while fansly-scraper downloads. Every `watch_interval_secs`
//! it asks the metadata database for every creator's [`ContentFingerprint`] (one query) and
//! syncs, through the same engine as `sync`, only the creators whose content changed (all of
//! them once at start: the catch-up), plus those whose last sync left something to do (see
//! [`tracker`]). An idle cycle is that one query: no Stash request, nothing printed but at `-v`.
//!
//! It never stops for a service that is down (the metadata database, Stash, the sync-state
//! file): [`health`] logs one line and backs off, and the next cycle catches up. It stops with
//! an error only for configuration (exit 2: no `download_root`, an unknown creator) and what
//! waiting cannot fix (exit 3: a Stash that refuses the API key, a database server that
//! refuses the credentials, a database that is not a fansly-scraper one).
//! SIGTERM or Ctrl-C finishes the batch in flight, keeps the sync state and exits 0.
//! What a creator's data lacks (downloads no post or message reaches, no download folder
//! here) is said once per `watch`, on the cycle that first syncs the creator.
//!
//! This module wires and loops; what to sync lives in [`tracker`], outages in [`health`], what
//! is printed in [`lines`].

mod health;
mod lines;
mod tracker;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::fansly::Account;
use domain::ids::AccountId;
use domain::ports::{
    ContentFingerprint, MediaServer, MediaServerError, MetadataRepository, RepositoryError,
    SyncStateStore,
};
use metadata_store::MetadataStore;
use metadata_store::sync_state::SqliteSyncState;
use stash_adapter::StashClient;
use sync_core::{CancelFlag, SyncError, SyncMonitor, SyncOptions, SyncReport};

use super::Context;
use super::sync::{self, RunRequest};
use crate::cli::WatchArgs;
use crate::exit::{CliError, CmdResult, Exit};
use crate::signal::StopSignal;
use crate::wiring;
use health::{Health, Service};
use tracker::{Due, Tracker, Unfinished};

/// Runs `watch` until a stop signal (exit 0) or an error that waiting cannot fix.
pub async fn run(ctx: &Context, args: WatchArgs) -> CmdResult {
    let opts = sync_options(ctx, &args)?;
    let interval = match args.interval_ms {
        Some(ms) => Duration::from_millis(ms.max(1)),
        None => ctx.config.watch_interval(),
    };
    let selection = if args.selection.creators.is_empty() {
        Selection::All
    } else {
        Selection::Named(args.selection.creators.clone())
    };
    let (stop, listener) = StopSignal::install(CancelFlag::new());
    let mut watcher = Watcher {
        ctx,
        opts,
        interval,
        selection,
        repo: None,
        stash: None,
        state: None,
        accounts: BTreeMap::new(),
        tracker: Tracker::default(),
        health: Health::new(interval),
        cycle: 0,
        quiet: ctx.global.quiet,
        verbose: ctx.global.verbose > 0,
        told: HashSet::new(),
    };
    let result = watcher.run(&stop).await;
    listener.abort();
    result
}

/// The engine options of every cycle's sync: those of `sync` for [`RunRequest::from_watch`].
fn sync_options(ctx: &Context, args: &WatchArgs) -> Result<SyncOptions, CliError> {
    let config = &ctx.config;
    let mapping = sync::path_mapping(config)?;
    Ok(sync::sync_options(
        config,
        &RunRequest::from_watch(args),
        mapping,
    ))
}

/// Which creators are watched.
enum Selection {
    /// Every creator, including ones that appear later.
    All,
    /// These `--creator` names, looked up on the first cycle that reaches the database.
    Named(Vec<String>),
    /// The named creators, looked up.
    Resolved,
}

/// What one cycle leads to.
enum Flow {
    /// Wait the interval.
    Next,
    /// A stop was asked for during the cycle.
    Stop,
}

/// Why a cycle could not go on.
enum Trouble {
    /// A service is down or failing: wait and try again.
    Down(Service, String),
    /// Waiting will not help: stop with this error.
    Fatal(CliError),
}

struct Watcher<'a> {
    ctx: &'a Context,
    opts: SyncOptions,
    interval: Duration,
    selection: Selection,
    repo: Option<Arc<MetadataStore>>,
    stash: Option<Arc<StashClient>>,
    state: Option<Arc<SqliteSyncState>>,
    /// The creators watched, by id (all mode: every creator seen so far).
    accounts: BTreeMap<AccountId, Account>,
    tracker: Tracker,
    health: Health,
    cycle: u64,
    quiet: bool,
    verbose: bool,
    /// Notes about a creator's data already said (see [`Watcher::data_notes`]).
    told: HashSet<String>,
}

impl Watcher<'_> {
    async fn run(&mut self, stop: &StopSignal) -> CmdResult {
        lines::say(
            self.quiet,
            &format!(
                "Watching {} every {} (SIGTERM or Ctrl-C stops).",
                match &self.selection {
                    Selection::Named(names) => names.join(", "),
                    _ => "every creator".to_owned(),
                },
                health::human(self.interval)
            ),
        );
        while !stop.is_requested() {
            self.cycle += 1;
            let wait = match self.cycle(stop).await {
                Ok(Flow::Next) => self.interval,
                Ok(Flow::Stop) => break,
                Err(Trouble::Down(service, message)) => self.health.down(service, &message),
                Err(Trouble::Fatal(e)) => return Err(e),
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = stop.requested() => break,
            }
        }
        self.close_state().await;
        lines::say(
            self.quiet,
            &format!(
                "watch stopped after {} cycles; the sync state is saved.",
                self.cycle
            ),
        );
        Ok(Exit::Ok)
    }

    /// One cycle: the fingerprints, then a sync of the creators that are due.
    async fn cycle(&mut self, stop: &StopSignal) -> Result<Flow, Trouble> {
        let queries_before = self.repo.as_ref().map_or(0, |r| r.query_count());
        let requests_before = self.stash_requests();
        let repo = self.metadata().await?;
        let current = repo
            .content_fingerprints()
            .await
            .map_err(|e| self.metadata_trouble(&e))?;
        self.learn_accounts(&repo, &current).await?;
        self.health.up(Service::Metadata);
        let due = self
            .tracker
            .due(self.cycle, self.accounts.keys().copied(), &current);
        if due.is_empty() {
            if self.verbose {
                lines::say(
                    self.quiet,
                    &lines::idle(
                        self.cycle,
                        repo.query_count() - queries_before,
                        self.stash_requests() - requests_before,
                    ),
                );
            }
            return Ok(Flow::Next);
        }
        if stop.is_requested() {
            return Ok(Flow::Stop);
        }
        self.sync(repo, &due, &current, stop).await
    }

    /// Syncs the creators that are due and records what each sync left to do.
    async fn sync(
        &mut self,
        repo: Arc<MetadataStore>,
        due: &[Due],
        current: &HashMap<AccountId, ContentFingerprint>,
        stop: &StopSignal,
    ) -> Result<Flow, Trouble> {
        let stash = self.connect().await?;
        let state = self.state().await?;
        let accounts: Vec<Account> = due
            .iter()
            .filter_map(|d| self.accounts.get(&d.id).cloned())
            .collect();
        let started = Instant::now();
        let requests_before = stash.request_stats().total();
        let repo_port: Arc<dyn MetadataRepository> = repo;
        let stash_port: Arc<dyn MediaServer> = stash.clone();
        let state_port: Arc<dyn SyncStateStore> = state;
        let engine = wiring::engine(repo_port, stash_port, state_port, self.opts.clone());
        let result = engine
            .sync_creators(&accounts, &SyncMonitor::silent(), stop.cancel_flag())
            .await;
        drop(engine);
        let report = match result {
            Ok(report) => report,
            Err(e) => return Err(self.sync_trouble(e)),
        };
        self.health.up(Service::Stash);
        self.health.up(Service::State);
        let requests = stash.request_stats().total() - requests_before;
        self.record(&report, due, current, started.elapsed(), requests);
        Ok(if report.interrupted || stop.is_requested() {
            Flow::Stop
        } else {
            Flow::Next
        })
    }

    /// Prints the cycle's line and the notices, and tells the tracker how each creator went.
    fn record(
        &mut self,
        report: &SyncReport,
        due: &[Due],
        current: &HashMap<AccountId, ContentFingerprint>,
        took: Duration,
        requests: u64,
    ) {
        let by_name: HashMap<&str, &Due> = due
            .iter()
            .filter_map(|d| self.accounts.get(&d.id).map(|a| (a.username.as_str(), d)))
            .collect();
        let mut synced = Vec::new();
        let mut notices = Vec::new();
        for c in &report.creators {
            let Some(d) = by_name.get(c.creator.as_str()) else {
                continue;
            };
            let Some(seen) = current.get(&d.id) else {
                continue;
            };
            synced.push(format!("{} ({})", c.creator, lines::why(&d.why)));
            if report.interrupted && c.error.is_none() {
                // Cut short by the stop: nothing to remember, the process ends.
                continue;
            }
            let left = Unfinished {
                awaiting_files: c.awaiting_files,
                failed_items: report
                    .errors
                    .iter()
                    .filter(|e| e.creator == c.creator)
                    .count(),
                error: c.error.clone(),
            };
            if let Some(n) = self.tracker.finished(d.id, *seen, left, self.cycle) {
                notices.push(lines::notice(&c.creator, &n, self.interval));
            }
        }
        // Said once per creator by its notice; the items themselves go to the log.
        for e in &report.errors {
            tracing::info!(creator = %e.creator, kind = e.kind.as_str(), key = %e.key, "failed: {}", e.error);
        }
        let text = format!(
            "cycle {}: {} {}: {} [{} Stash requests, {}]",
            self.cycle,
            if report.interrupted {
                "stopped while syncing"
            } else {
                "synced"
            },
            lines::creators(&synced),
            lines::written(report),
            requests,
            health::human(took)
        );
        // Looking again without result (files still not in Stash) is not news.
        let news = !notices.is_empty()
            || report.interrupted
            || lines::wrote_anything(report)
            || due.iter().any(|d| !matches!(d.why, tracker::Why::Again(_)));
        if news || self.verbose {
            lines::say(self.quiet, &text);
        } else {
            lines::log_only(&text);
        }
        for n in notices {
            lines::say(self.quiet, &n);
        }
        for line in self.data_notes(report) {
            lines::say(self.quiet, &line);
        }
    }

    /// What the metadata and the disk could not give (media no post or message reaches, no
    /// download folder here), each creator said once per `watch`, not every cycle.
    fn data_notes(&mut self, report: &SyncReport) -> Vec<String> {
        let mut out = Vec::new();
        for c in &report.creators {
            if let Some(line) = crate::attachments::line(&c.creator, &c.attachments)
                && self.told.insert(format!("unattached:{}", c.creator))
            {
                out.push(line);
            }
        }
        let new_absent = report
            .absent_folders()
            .filter(|c| self.told.insert(format!("absent:{}", c.creator)))
            .count();
        if new_absent > 0
            && let Some(line) = crate::report::absent_folders_line(report)
        {
            out.push(line);
        }
        out
    }

    /// The metadata store, opened on first use (and kept: its pool reconnects by itself).
    async fn metadata(&mut self) -> Result<Arc<MetadataStore>, Trouble> {
        if let Some(repo) = &self.repo {
            return Ok(repo.clone());
        }
        let repo = match wiring::metadata_store(&self.ctx.config).await {
            Ok(r) => Arc::new(r),
            Err(e) => return Err(self.metadata_trouble(&e)),
        };
        self.repo = Some(repo.clone());
        Ok(repo)
    }

    /// A repository failure: a database that is not a fansly-scraper one, or a server that
    /// refuses the credentials, stops `watch`; any other failure (down, restarting, a failing
    /// query) is waited out.
    fn metadata_trouble(&self, e: &RepositoryError) -> Trouble {
        let err = wiring::repository_error(&self.ctx.config, e);
        match e {
            RepositoryError::Schema(_) | RepositoryError::Refused { .. } => Trouble::Fatal(err),
            _ => Trouble::Down(Service::Metadata, err.message),
        }
    }

    /// Looks up creators not known yet: the `--creator` names on the first cycle (an unknown
    /// name is a configuration error), or every new creator the fingerprints name.
    async fn learn_accounts(
        &mut self,
        repo: &MetadataStore,
        current: &HashMap<AccountId, ContentFingerprint>,
    ) -> Result<(), Trouble> {
        match &self.selection {
            Selection::Resolved => Ok(()),
            Selection::Named(names) => {
                let selection = crate::cli::CreatorSelection {
                    creators: names.clone(),
                    all: false,
                };
                let accounts = super::sync::select_creators(repo, &selection, &self.ctx.config)
                    .await
                    .map_err(|e| match e.exit {
                        Exit::Usage => Trouble::Fatal(e),
                        _ => Trouble::Down(Service::Metadata, e.message),
                    })?;
                self.accounts = accounts.into_iter().map(|a| (a.id, a)).collect();
                self.selection = Selection::Resolved;
                Ok(())
            }
            Selection::All => {
                let new: Vec<AccountId> = current
                    .keys()
                    .filter(|id| !self.accounts.contains_key(id))
                    .copied()
                    .collect();
                if new.is_empty() {
                    return Ok(());
                }
                let found = repo
                    .accounts_by_ids(&new)
                    .await
                    .map_err(|e| self.metadata_trouble(&e))?;
                self.accounts.extend(found);
                Ok(())
            }
        }
    }

    /// The Stash client, connected when first needed and again after Stash failed.
    async fn connect(&mut self) -> Result<Arc<StashClient>, Trouble> {
        if let Some(s) = &self.stash {
            return Ok(s.clone());
        }
        match StashClient::connect(wiring::stash_config(&self.ctx.config)).await {
            Ok(client) => {
                let client = Arc::new(client);
                self.stash = Some(client.clone());
                Ok(client)
            }
            Err(e) => Err(self.stash_trouble(&e)),
        }
    }

    /// A Stash failure: a refused API key stops `watch`; anything else is waited out (and the
    /// client dropped, so the next try connects afresh, e.g. to a restarted Stash).
    fn stash_trouble(&mut self, e: &MediaServerError) -> Trouble {
        let err = wiring::stash_error(&self.ctx.config, e);
        self.stash = None;
        match e {
            MediaServerError::Unauthorized | MediaServerError::Forbidden => Trouble::Fatal(err),
            _ => Trouble::Down(Service::Stash, err.message),
        }
    }

    /// The sync-state store, opened on first use.
    async fn state(&mut self) -> Result<Arc<SqliteSyncState>, Trouble> {
        if let Some(s) = &self.state {
            return Ok(s.clone());
        }
        match wiring::open_state(&self.ctx.config, false).await {
            Ok(Some(s)) => {
                let s = Arc::new(s);
                self.state = Some(s.clone());
                Ok(s)
            }
            Ok(None) => Err(Trouble::Down(
                Service::State,
                format!(
                    "cannot open the sync-state file {}",
                    self.ctx.config.state_db().display()
                ),
            )),
            Err(e) => Err(Trouble::Down(Service::State, e.message)),
        }
    }

    /// Why the engine stopped a whole run, as trouble.
    fn sync_trouble(&mut self, e: SyncError) -> Trouble {
        match e {
            SyncError::Stash(inner) => self.stash_trouble(&inner),
            SyncError::StashNotReady(_) => {
                self.stash = None;
                Trouble::Down(Service::Stash, e.to_string())
            }
            SyncError::Repository(inner) => self.metadata_trouble(&inner),
            SyncError::State(_) => {
                self.state = None;
                Trouble::Down(
                    Service::State,
                    wiring::sync_error(&self.ctx.config, e).message,
                )
            }
        }
    }

    /// Closes the sync-state file (everything written is on disk when the process ends).
    async fn close_state(&mut self) {
        if let Some(state) = self.state.take()
            && let Ok(state) = Arc::try_unwrap(state)
            && let Err(e) = state.close().await
        {
            tracing::warn!("closing the sync-state file: {e}");
        }
    }

    fn stash_requests(&self) -> u64 {
        self.stash.as_ref().map_or(0, |s| s.request_stats().total())
    }
}
