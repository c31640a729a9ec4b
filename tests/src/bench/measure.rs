//! The measuring side of the benchmark: one sync, wired as the CLI wires it (metadata store,
//! Stash adapter, SQLite sync state, engine), run in a process of its own so the CPU time and
//! peak memory it reports are the sync's alone.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::ports::{MediaServer, MetadataRepository, SyncStateStore};
use metadata_store::sync_state::SqliteSyncState;
use metadata_store::{MetadataStore, StoreOptions};
use stash_adapter::{BatchLimits, StashClient, StashConfig};
use sync_core::{CancelFlag, PathMapping, SyncEngine, SyncMonitor, SyncOptions};

use super::BenchError;
use super::measurement::Measurement;
use super::process_stats::ProcessStats;

/// How the adapter talks to Stash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Our adapter as shipped: batched lookups and plural mutations.
    Batched,
    /// The same adapter with batching off: one request per lookup, one mutation per object
    /// (the pattern of the Python original).
    Naive,
}

impl Mode {
    /// `batched` or `naive` (the command-line and table spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Batched => "batched",
            Mode::Naive => "naive",
        }
    }

    /// The mode named by [`Mode::as_str`].
    pub fn parse(s: &str) -> Option<Mode> {
        [Mode::Batched, Mode::Naive]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// Everything one measured sync needs.
#[derive(Debug, Clone)]
pub struct MeasureArgs {
    /// The metadata database URL.
    pub db_url: String,
    /// The download root (Stash sees it at the same path).
    pub root: PathBuf,
    /// Stash's base URL (without `/graphql`).
    pub stash_url: String,
    /// The sync-state file (kept between the runs of one scenario).
    pub state: PathBuf,
    /// Batched or naive.
    pub mode: Mode,
}

impl MeasureArgs {
    /// The command-line form read back by [`MeasureArgs::parse`].
    pub fn to_args(&self) -> Vec<String> {
        vec![
            "--db-url".into(),
            self.db_url.clone(),
            "--root".into(),
            self.root.display().to_string(),
            "--stash-url".into(),
            self.stash_url.clone(),
            "--state".into(),
            self.state.display().to_string(),
            "--mode".into(),
            self.mode.as_str().into(),
        ]
    }

    /// Reads the flags written by [`MeasureArgs::to_args`].
    pub fn parse(args: &[String]) -> Result<MeasureArgs, BenchError> {
        let mut db_url = None;
        let mut root = None;
        let mut stash_url = None;
        let mut state = None;
        let mut mode = Mode::Batched;
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let value = it
                .next()
                .ok_or_else(|| BenchError(format!("measure: {flag} needs a value")))?
                .clone();
            match flag.as_str() {
                "--db-url" => db_url = Some(value),
                "--root" => root = Some(PathBuf::from(value)),
                "--stash-url" => stash_url = Some(value),
                "--state" => state = Some(PathBuf::from(value)),
                "--mode" => {
                    mode = Mode::parse(&value).ok_or_else(|| {
                        BenchError(format!(
                            "measure: --mode is batched or naive, not '{value}'"
                        ))
                    })?;
                }
                other => return Err(BenchError(format!("measure: unknown flag '{other}'"))),
            }
        }
        let need = |v: Option<String>, flag: &str| {
            v.ok_or_else(|| BenchError(format!("measure: {flag} is required")))
        };
        Ok(MeasureArgs {
            db_url: need(db_url, "--db-url")?,
            root: root.ok_or_else(|| BenchError("measure: --root is required".into()))?,
            stash_url: need(stash_url, "--stash-url")?,
            state: state.ok_or_else(|| BenchError("measure: --state is required".into()))?,
            mode,
        })
    }
}

/// The adapter configuration of a measured run: defaults (as the CLI ships them), batching
/// off in naive mode, and a long request timeout so a slow double is measured, not failed.
pub fn stash_config(url: &str, mode: Mode) -> StashConfig {
    let mut config = StashConfig::new(url);
    config.request_timeout = Duration::from_secs(600);
    config.batch = BatchLimits {
        batching: mode == Mode::Batched,
        ..BatchLimits::default()
    };
    config
}

/// Runs one sync of every creator in the store and measures it.
pub async fn measure(args: &MeasureArgs) -> Result<Measurement, BenchError> {
    let before = ProcessStats::read().unwrap_or_default();
    let started = Instant::now();

    let store = Arc::new(
        MetadataStore::open(&args.db_url, StoreOptions::default())
            .await
            .map_err(|e| BenchError(format!("opening the metadata database: {e}")))?,
    );
    let client = Arc::new(
        StashClient::connect(stash_config(&args.stash_url, args.mode))
            .await
            .map_err(|e| BenchError(format!("connecting to the double: {e}")))?,
    );
    let state = Arc::new(
        SqliteSyncState::open(&args.state.display().to_string())
            .await
            .map_err(|e| BenchError(format!("opening the sync state: {e}")))?,
    );
    let creators: Vec<_> = store
        .list_creators()
        .await
        .map_err(|e| BenchError(format!("listing creators: {e}")))?
        .into_iter()
        .map(|c| c.account)
        .collect();
    let repo: Arc<dyn MetadataRepository> = store.clone();
    let stash: Arc<dyn MediaServer> = client.clone();
    let state_store: Arc<dyn SyncStateStore> = state;
    let opts = SyncOptions::new(PathMapping::identity(args.root.display().to_string()));
    let engine = SyncEngine::new(repo, stash, state_store, opts);
    let report = engine
        .sync_creators(&creators, &SyncMonitor::silent(), &CancelFlag::new())
        .await
        .map_err(|e| BenchError(format!("the sync stopped: {e}")))?;

    let wall = started.elapsed();
    let after = ProcessStats::read().unwrap_or_default();
    let written = report
        .totals()
        .values()
        .map(|c| c.created + c.updated)
        .sum();
    Ok(Measurement {
        wall_secs: wall.as_secs_f64(),
        cpu_secs: after.cpu.saturating_sub(before.cpu).as_secs_f64(),
        peak_rss_kib: after.peak_rss_kib,
        db_queries: store.query_count(),
        written_objects: written,
        outcome: report.outcome().to_string(),
        summary: report.summary_line(),
        errors: u64::try_from(report.errors.len()).unwrap_or(u64::MAX),
        ..Measurement::default()
    }
    .with_requests(&client.request_stats()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_flags_round_trip() {
        let args = MeasureArgs {
            db_url: "sqlite:///tmp/x.sqlite3?mode=rwc".into(),
            root: "/tmp/lib/downloads".into(),
            stash_url: "http://127.0.0.1:1234".into(),
            state: "/tmp/state.sqlite3".into(),
            mode: Mode::Naive,
        };
        let back = MeasureArgs::parse(&args.to_args()).unwrap();
        assert_eq!(back.to_args(), args.to_args());
        assert_eq!(back.mode, Mode::Naive);
        let err = MeasureArgs::parse(&["--mode".into(), "fast".into()]).unwrap_err();
        assert!(err.0.contains("fast"), "{err}");
        let err = MeasureArgs::parse(&[]).unwrap_err();
        assert!(err.0.contains("--db-url"), "{err}");
    }

    #[test]
    fn naive_mode_switches_batching_off() {
        assert!(stash_config("http://x", Mode::Batched).batch.batching);
        assert!(!stash_config("http://x", Mode::Naive).batch.batching);
    }
}
