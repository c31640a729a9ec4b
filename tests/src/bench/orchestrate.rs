//! The orchestrating side of the benchmark: generates each scenario's library, starts the
//! Stash double processes, has them scan, and runs every measured sync in a fresh child
//! process (the bench binary re-executed in `measure` mode), in the order first sync,
//! no-change re-sync, +1% content, incremental sync.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::ports::MediaServer;
use domain::stash::{JobOutcome, ScanRequest};
use stash_adapter::StashClient;
use tracing::{info, info_span};

use crate::library::Library;

use super::BenchError;
use super::double_process::DoubleProcess;
use super::measure::{MeasureArgs, Mode, stash_config};
use super::measurement::Measurement;
use super::report::{Phase, Row};
use super::scenario::{Backend, IMAGES_PER_NEW_POST, Scenario};

/// What every scenario needs from the command line.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The `stash-double` binary.
    pub double_binary: PathBuf,
    /// This executable (re-run in `measure` mode).
    pub self_exe: PathBuf,
}

/// Runs `work` on a runtime of its own, then drops every task still on it.
///
/// The orchestrator must not steal CPU from the measured child processes, so nothing it
/// spawned (a Stash double's tasks, a connection pool's) outlives its step.
pub fn block_on<F: Future>(work: F) -> Result<F::Output, BenchError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| BenchError(format!("cannot start the async runtime: {e}")))?;
    let out = rt.block_on(work);
    rt.shutdown_background();
    Ok(out)
}

/// Asks a double to scan its whole library and waits for the job.
async fn scan(double: &DoubleProcess) -> Result<(), BenchError> {
    let client = StashClient::connect(stash_config(double.base_url(), Mode::Batched))
        .await
        .map_err(|e| BenchError(format!("connecting to the double to scan: {e}")))?;
    let client: Arc<dyn MediaServer> = Arc::new(client);
    let job = client
        .start_scan(&ScanRequest::default())
        .await
        .map_err(|e| BenchError(format!("starting the scan: {e}")))?;
    match client
        .wait_for_job(&job, Duration::from_secs(1800))
        .await
        .map_err(|e| BenchError(format!("waiting for the scan: {e}")))?
    {
        JobOutcome::Finished | JobOutcome::Vanished => Ok(()),
        other => Err(BenchError(format!("the scan did not finish: {other:?}"))),
    }
}

/// Runs one measured sync in a child process and reads its measurement.
fn run_child(setup: &Setup, args: &MeasureArgs) -> Result<Measurement, BenchError> {
    let out = Command::new(&setup.self_exe)
        .arg("measure")
        .args(args.to_args())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| BenchError(format!("cannot run {}: {e}", setup.self_exe.display())))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(BenchError(format!(
            "the measuring process failed ({}); its output: {stdout}",
            out.status
        )));
    }
    let last = stdout.lines().last().unwrap_or_default();
    let value = serde_json::from_str(last)
        .map_err(|e| BenchError(format!("cannot read the measurement '{last}': {e}")))?;
    Measurement::from_json(&value).map_err(BenchError)
}

/// One double (batched or naive) with its own sync state.
struct Side {
    mode: Mode,
    double: DoubleProcess,
    state: PathBuf,
}

impl Side {
    fn start(
        setup: &Setup,
        scenario: &Scenario,
        lib: &Library,
        mode: Mode,
        dir: &Path,
    ) -> Result<Side, BenchError> {
        let double = DoubleProcess::start(&setup.double_binary, &lib.root, scenario.costs)?;
        let started = Instant::now();
        block_on(scan(&double))??;
        info!(
            mode = mode.as_str(),
            secs = started.elapsed().as_secs_f64(),
            "scanned"
        );
        Ok(Side {
            mode,
            double,
            state: dir.join(format!("state-{}.sqlite3", mode.as_str())),
        })
    }

    fn measure(
        &self,
        setup: &Setup,
        scenario: &Scenario,
        lib: &Library,
        phase: Phase,
    ) -> Result<Row, BenchError> {
        let args = MeasureArgs {
            db_url: lib.db_url.clone(),
            root: lib.root.clone(),
            stash_url: self.double.base_url().to_owned(),
            state: self.state.clone(),
            mode: self.mode,
        };
        let m = run_child(setup, &args)?;
        if m.outcome != "ok" {
            return Err(BenchError(format!(
                "{} {} ({}) did not sync cleanly: {} ({} errors)",
                scenario.name,
                phase.label(),
                self.mode.as_str(),
                m.outcome,
                m.errors
            )));
        }
        let row = Row {
            scenario: scenario.name.clone(),
            role: scenario.role,
            phase,
            mode: self.mode,
            media_items: scenario.media_items(),
            costs: scenario.costs,
            m,
        };
        println!(
            "  {:<20} {:<8} {:>6} requests ({:>5} mutations), {:>7.2} s wall, {:>6.2} s CPU, {:>6.1} MB peak",
            phase.label(),
            self.mode.as_str(),
            row.m.requests(),
            row.m.mutation_requests(),
            row.m.wall_secs,
            row.m.cpu_secs,
            row.peak_rss_mb()
        );
        Ok(row)
    }
}

/// The metadata database of a scenario: a SQLite file in the scenario's folder, or a fresh
/// PostgreSQL database with the upstream schema (dropped with the guard).
fn database(
    scenario: &Scenario,
) -> Result<(Option<String>, Option<metadata_store::testing::TestDb>), BenchError> {
    match scenario.backend {
        Backend::Sqlite => Ok((None, None)),
        Backend::Postgres => {
            let db = metadata_store::testing::pg_test_database().ok_or_else(|| {
                BenchError(
                    "--pg needs a PostgreSQL server: run through `cargo xtask bench --pg`, which \
                     starts one, or set FANSLY_STASH_TEST_PG_URL"
                        .into(),
                )
            })?;
            Ok((Some(db.url.clone()), Some(db)))
        }
    }
}

/// Runs every measurement of one scenario.
pub fn run_scenario(setup: &Setup, scenario: &Scenario) -> Result<Vec<Row>, BenchError> {
    let _span = info_span!("scenario", name = %scenario.name).entered();
    println!("\n{}: {}", scenario.name, scenario.describe_library());
    let dir =
        tempfile::tempdir().map_err(|e| BenchError(format!("cannot create a temp dir: {e}")))?;
    let (db_url, _pg_guard) = database(scenario)?;
    let started = Instant::now();
    let mut lib = block_on(Library::generate(
        &scenario.shape,
        dir.path(),
        db_url.as_deref(),
    ))?
    .map_err(|e| BenchError(format!("generating the library: {e}")))?;
    println!(
        "  generated {} files in {:.1} s",
        scenario.files(),
        started.elapsed().as_secs_f64()
    );
    let mut sides = vec![Side::start(
        setup,
        scenario,
        &lib,
        Mode::Batched,
        dir.path(),
    )?];
    if scenario.naive {
        sides.push(Side::start(setup, scenario, &lib, Mode::Naive, dir.path())?);
    }
    let mut rows = Vec::new();
    for side in &sides {
        rows.push(side.measure(setup, scenario, &lib, Phase::First)?);
        rows.push(side.measure(setup, scenario, &lib, Phase::Resync)?);
    }
    if scenario.incremental {
        let posts = scenario.new_posts_per_creator();
        block_on(async {
            for c in 0..lib.creators.len() {
                lib.add_posts(c, posts, IMAGES_PER_NEW_POST)
                    .await
                    .map_err(|e| BenchError(format!("adding new posts: {e}")))?;
            }
            Ok::<(), BenchError>(())
        })??;
        for side in &sides {
            block_on(scan(&side.double))??;
            rows.push(side.measure(setup, scenario, &lib, Phase::Incremental)?);
        }
    }
    rows.sort_by_key(|r| (r.phase as u8, r.mode as u8));
    Ok(rows)
}
