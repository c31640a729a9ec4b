//! `sync-once`: one sync run wired from arguments, without the CLI, so the crash-safety suite
//! can kill a real sync process (SIGKILL at a random point) and start it again.
//!
//! ```text
//! sync-once --db-url <metadata URL> --root <download root> --stash-url <base URL>
//!           --state <sync-state file> [--batch-size N]
//! ```
//!
//! Wires the metadata store, the Stash adapter, the SQLite sync state and the engine exactly
//! as the binary does, syncs every creator, prints the report's summary line and exits 0; on
//! a run error prints it and exits 1. Each phase start is logged to stderr as it happens
//! (`phase started ... phase=<name>`), so the crash-safety suite can tell where a kill landed.

use std::process::ExitCode;
use std::sync::Arc;

use domain::ports::{MediaServer, MetadataRepository, SyncStateStore};
use fansly_stash_tests::world::{all_creators, test_retry_policy};
use metadata_store::sync_state::SqliteSyncState;
use metadata_store::{MetadataStore, StoreOptions};
use stash_adapter::{StashClient, StashConfig};
use sync_core::{CancelFlag, PathMapping, SyncEngine, SyncMonitor, SyncOptions};

type AnyError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Default)]
struct Args {
    db_url: String,
    root: String,
    stash_url: String,
    state: String,
    batch_size: Option<usize>,
}

const USAGE: &str = "usage: sync-once --db-url <URL> --root <PATH> --stash-url <URL> --state <PATH> [--batch-size N]";

fn parse_args() -> Result<Args, AnyError> {
    let mut args = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value; {USAGE}"))?;
        match flag.as_str() {
            "--db-url" => args.db_url = value,
            "--root" => args.root = value,
            "--stash-url" => args.stash_url = value,
            "--state" => args.state = value,
            "--batch-size" => {
                args.batch_size = Some(
                    value
                        .parse()
                        .map_err(|e| format!("--batch-size {value}: {e}; {USAGE}"))?,
                )
            }
            other => return Err(format!("unknown argument {other}; {USAGE}").into()),
        }
    }
    for (name, v) in [
        ("--db-url", &args.db_url),
        ("--root", &args.root),
        ("--stash-url", &args.stash_url),
        ("--state", &args.state),
    ] {
        if v.is_empty() {
            return Err(format!("{name} is required; {USAGE}").into());
        }
    }
    Ok(args)
}

async fn run(args: Args) -> Result<String, AnyError> {
    let repo: Arc<dyn MetadataRepository> =
        Arc::new(MetadataStore::open(&args.db_url, StoreOptions::default()).await?);
    let mut cfg = StashConfig::new(args.stash_url.clone());
    cfg.retry = test_retry_policy();
    let stash: Arc<dyn MediaServer> = Arc::new(StashClient::connect(cfg).await?);
    let state: Arc<dyn SyncStateStore> = Arc::new(SqliteSyncState::open(&args.state).await?);
    let mut opts = SyncOptions::new(PathMapping::identity(args.root.clone()));
    if let Some(n) = args.batch_size {
        opts.batch_size = n;
    }
    let creators = all_creators(repo.as_ref()).await?;
    let engine = SyncEngine::new(repo, stash, state, opts);
    let report = engine
        .sync_creators(&creators, &SyncMonitor::silent(), &CancelFlag::new())
        .await?;
    if !report.errors.is_empty() {
        return Err(format!(
            "{} items failed, first: {:?}",
            report.errors.len(),
            report.errors.first()
        )
        .into());
    }
    Ok(report.summary_line())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("warn,sync_core::monitor=info")
            }),
        )
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("sync-once: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sync-once: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(args)) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sync-once: the sync failed: {e}");
            ExitCode::from(1)
        }
    }
}
