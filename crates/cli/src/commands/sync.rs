//! `sync` and `plan`: select creators, connect everything, run the engine with progress and
//! Ctrl-C handling, print the report (or the plan table) and map the outcome to an exit code.

use std::sync::Arc;
use std::time::Duration;

use domain::fansly::Account;
use domain::ports::{MediaServer, MetadataRepository, SyncStateStore};
use domain::stash::ScanGenerate;
use metadata_store::MetadataStore;
use metadata_store::sync_state::SqliteSyncState;
use sync_core::{
    CancelFlag, PathMapping, RunOutcome, ScanOptions, SyncEngine, SyncMonitor, SyncOptions,
    SyncReport,
};

use super::Context;
use crate::cli::{CreatorSelection, PlanArgs, SyncArgs, WatchArgs};
use crate::config::Config;
use crate::exit::{CliError, CmdResult, Exit};
use crate::{progress, report, signal, wiring};

/// What to run.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// Which creators.
    pub selection: CreatorSelection,
    /// With no selection, take every creator (plan) instead of refusing (sync).
    pub default_all: bool,
    /// Write nothing.
    pub dry_run: bool,
    /// Scan first.
    pub scan: bool,
    /// Re-scan known files.
    pub rescan: bool,
    /// Take over organized objects, rewrite unchanged ones.
    pub force: bool,
}

impl RunRequest {
    /// From `sync` flags.
    pub fn from_sync(a: SyncArgs) -> Self {
        Self {
            selection: a.selection,
            default_all: false,
            dry_run: a.dry_run,
            scan: a.scan,
            rescan: a.rescan,
            force: a.force,
        }
    }

    /// What every `watch` cycle runs: a sync (no dry run, no force) of the creators that are
    /// due, with a scan of each first under `--scan`.
    pub fn from_watch(a: &WatchArgs) -> Self {
        Self {
            selection: a.selection.clone(),
            default_all: true,
            dry_run: false,
            scan: a.scan,
            rescan: false,
            force: false,
        }
    }

    /// From `plan` flags: a dry run, every creator by default.
    pub fn from_plan(a: PlanArgs) -> Self {
        Self {
            selection: a.selection,
            default_all: true,
            dry_run: true,
            scan: false,
            rescan: false,
            force: a.force,
        }
    }
}

/// Runs a sync or a plan.
pub async fn run(ctx: &Context, req: RunRequest) -> CmdResult {
    let config = &ctx.config;
    let mapping = path_mapping(config)?;
    if !req.selection.all && req.selection.creators.is_empty() && !req.default_all {
        return Err(CliError::config(
            "say which creators to sync: --creator NAME (repeat it for several) or --all; `fansly-stash plan` shows what would change",
        ));
    }
    let repo = wiring::open_metadata(config).await?;
    let accounts = select_creators(&repo, &req.selection, config).await?;
    if accounts.is_empty() {
        println!(
            "No creators in the metadata database {}: nothing to do. Point metadata_db at fansly-scraper's database, or import some metadata first.",
            config.metadata_db()
        );
        return Ok(Exit::Ok);
    }
    let engine = engine_for(config, repo, &req, mapping).await?;
    tracing::info!(
        creators = accounts.len(),
        dry_run = req.dry_run,
        scan = req.scan,
        force = req.force,
        "run starting"
    );
    let cancel = CancelFlag::new();
    let ctrl_c = signal::install(cancel.clone());
    let (monitor, rx) = SyncMonitor::channel();
    let renderer = tokio::spawn(progress::drive(
        rx,
        progress::Mode::detect(ctx.global.quiet),
    ));
    let result = engine.sync_creators(&accounts, &monitor, &cancel).await;
    drop(monitor);
    drop(engine);
    let _ = renderer.await;
    let interrupted = cancel.is_cancelled();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            ctrl_c.abort();
            let err = wiring::sync_error(config, e);
            return Err(if interrupted {
                CliError {
                    exit: Exit::Interrupted,
                    message: err.message,
                }
            } else {
                err
            });
        }
    };
    tracing::info!(
        outcome = %report.outcome(),
        summary = %report.summary_line(),
        requests = report.requests.total(),
        "run finished"
    );
    print_outcome(ctx, &report);
    let exit = if report.interrupted || interrupted {
        Exit::Interrupted
    } else if report.outcome() == RunOutcome::Partial {
        Exit::SomeFailed
    } else {
        Exit::Ok
    };
    // The handler stays armed until the report is out, so a Ctrl-C while printing is not lost.
    ctrl_c.abort();
    Ok(exit)
}

/// Connects Stash, opens the sync state (a dry run never creates it) and builds the engine
/// over `repo` with the options `config` and `req` ask for. Shared by `sync`, `plan` and the
/// Stash plugin's tasks.
pub async fn engine_for(
    config: &Config,
    repo: MetadataStore,
    req: &RunRequest,
    mapping: PathMapping,
) -> Result<SyncEngine, CliError> {
    let stash = wiring::connect_stash(config).await?;
    let state: Arc<dyn SyncStateStore> = if req.dry_run {
        // A plan reads the state but must not create it.
        match wiring::open_state(config, true).await? {
            Some(s) => Arc::new(s),
            None => Arc::new(
                SqliteSyncState::in_memory()
                    .await
                    .map_err(|e| wiring::state_error(config, &e))?,
            ),
        }
    } else {
        match wiring::open_state(config, false).await? {
            Some(s) => Arc::new(s),
            None => {
                return Err(CliError::unavailable(format!(
                    "cannot open the sync-state file {}",
                    config.state_db().display()
                )));
            }
        }
    };
    let repo: Arc<dyn MetadataRepository> = Arc::new(repo);
    let stash: Arc<dyn MediaServer> = stash;
    Ok(wiring::engine(
        repo,
        stash,
        state,
        sync_options(config, req, mapping),
    ))
}

/// Where the downloads are, for us and for Stash; a configuration error when `download_root`
/// is not set. Shared by `sync`, `plan` and `watch`.
pub fn path_mapping(config: &Config) -> Result<PathMapping, CliError> {
    config.path_mapping().ok_or_else(|| {
        CliError::config(
            "download_root is not set: set it to fansly-scraper's download_directory (in the configuration file, FANSLY_STASH_DOWNLOAD_ROOT, or --download-root), and stash_root too if Stash sees that folder at another path",
        )
    })
}

/// The engine options for `req` under `config` (`sync`, `plan`, `watch` and the plugin's tasks).
pub fn sync_options(config: &Config, req: &RunRequest, mapping: PathMapping) -> SyncOptions {
    let s = &config.settings;
    let mut opts = SyncOptions::new(mapping);
    opts.network_studio = s.network_studio.clone();
    opts.folder_suffix = s.folder_suffix.clone();
    opts.batch_size = s.batch_size;
    opts.read_concurrency = s.read_concurrency;
    opts.dry_run = req.dry_run;
    opts.force = req.force;
    opts.tag_previews_trailer = s.tag_previews_trailer;
    opts.write_back_stash_ids = s.write_back_stash_ids;
    opts.galleries_organized = s.galleries_organized;
    opts.scan = req.scan.then(|| ScanOptions {
        rescan: req.rescan,
        generate: ScanGenerate::default(),
        deadline: Duration::from_secs(s.scan_timeout_secs),
    });
    opts
}

fn print_outcome(ctx: &Context, report: &SyncReport) {
    let quiet = ctx.global.quiet;
    if let Some(plan) = &report.plan {
        print!("{}", crate::plan_table::render(plan));
    }
    if quiet && report.outcome() == RunOutcome::Ok {
        return;
    }
    let text = report::render(report, &ctx.log.describe(), ctx.global.verbose > 0);
    if quiet {
        eprint!("{text}");
    } else {
        print!("{text}");
    }
}

/// The accounts to run over: named ones (all must exist), or every creator.
pub async fn select_creators(
    repo: &MetadataStore,
    selection: &CreatorSelection,
    config: &crate::config::Config,
) -> Result<Vec<Account>, CliError> {
    if selection.creators.is_empty() {
        let mut creators = repo
            .list_creators()
            .await
            .map_err(|e| wiring::repository_error(config, &e))?;
        creators.sort_by(|a, b| a.account.username.cmp(&b.account.username));
        return Ok(creators.into_iter().map(|c| c.account).collect());
    }
    let found = repo
        .accounts_by_username(&selection.creators)
        .await
        .map_err(|e| wiring::repository_error(config, &e))?;
    let missing: Vec<&String> = selection
        .creators
        .iter()
        .filter(|n| !found.contains_key(*n))
        .collect();
    if !missing.is_empty() {
        let known = repo
            .list_creators()
            .await
            .map(|cs| {
                let names: Vec<String> = cs
                    .into_iter()
                    .take(20)
                    .map(|c| c.account.username)
                    .collect();
                if names.is_empty() {
                    "the database has no creators".to_owned()
                } else {
                    format!("known creators include: {}", names.join(", "))
                }
            })
            .unwrap_or_else(|e| format!("listing creators failed too: {e}"));
        return Err(CliError::config(format!(
            "unknown creator {}: no such username in the metadata database {} ({known}). Check the spelling (case does not matter), or use --all",
            missing
                .iter()
                .map(|n| format!("'{n}'"))
                .collect::<Vec<_>>()
                .join(", "),
            config.metadata_db()
        )));
    }
    let mut out = Vec::new();
    for name in &selection.creators {
        if let Some(a) = found.get(name)
            && !out.iter().any(|x: &Account| x.id == a.id)
        {
            out.push(a.clone());
        }
    }
    Ok(out)
}
