//! The `watch` benchmark: what an idle `fansly-stash watch` costs, and the change query it runs
//! every cycle.
//!
//! - Idle: the real release binary (`fansly-stash watch --interval-ms 10 -v`) against the Stash
//!   double (in this process, with realistic costs, after scanning the library) and a
//!   generated library. After its catch-up sync, its `/proc/<pid>` memory and CPU time are
//!   read at the 10th and at the 1,000th idle cycle; the double's counters prove that idle
//!   cycles make no Stash request, and the watcher's own `-v` lines give the database
//!   statements per idle cycle. A second library has 30 creators of which the watcher watches
//!   the first, so its change query runs over 30 creators' rows.
//! - Change query: `MetadataRepository::content_fingerprints` timed in this process over
//!   metadata-only libraries of 30 and 200 typical fans, on SQLite and (with `--pg`) on the
//!   upstream PostgreSQL schema.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use domain::ports::MetadataRepository;
use metadata_store::testing::{CreatorShape, FixtureBuilder};
use metadata_store::{MetadataStore, StoreOptions};
use stash_double::{DoubleConfig, StashDouble};

use super::BenchError;
use super::orchestrate::block_on;
use super::process_stats::ProcessStats;
use super::report::RunInfo;
use super::scenario::{Backend, small_fan, typical_fan};
use crate::library::{CREATOR_ID_STRIDE, Library, LibraryShape, creator_username, sqlite_url};

/// Markers around the watch section in BENCHMARKS.md.
pub const SECTION_START: &str = "<!-- watch-bench:start -->";
/// See [`SECTION_START`].
pub const SECTION_END: &str = "<!-- watch-bench:end -->";

/// The idle cycle at which the first reading is taken.
const EARLY: u64 = 10;
/// The interval of the idle benchmark.
const INTERVAL_MS: u64 = 10;

/// One idle measurement.
#[derive(Debug, Clone)]
pub struct IdleScenario {
    /// Shown in the table.
    pub name: String,
    /// The library (every creator with files; the watcher watches the first).
    pub shape: LibraryShape,
    /// Idle cycles to run.
    pub cycles: u64,
}

/// What an idle run measured.
#[derive(Debug, Clone)]
pub struct IdleRow {
    /// The scenario.
    pub name: String,
    /// Media rows in the database.
    pub media_rows: u64,
    /// Idle cycles run.
    pub cycles: u64,
    /// Resident memory at idle cycle [`EARLY`] and at the last, KiB.
    pub rss_kib: (u64, u64),
    /// Peak resident memory at idle cycle [`EARLY`] and at the last, KiB.
    pub peak_kib: (u64, u64),
    /// CPU time per idle cycle between the two readings, ms.
    pub cpu_ms_per_cycle: f64,
    /// Wall time per idle cycle between the two readings, ms (interval included).
    pub wall_ms_per_cycle: f64,
    /// The most database statements any idle cycle ran (its own `-v` line).
    pub max_queries: u64,
    /// Stash requests the double answered between the two readings.
    pub stash_requests: u64,
}

/// One timing of the change query.
#[derive(Debug, Clone)]
pub struct QueryRow {
    /// The backend.
    pub backend: Backend,
    /// Creators in the database.
    pub creators: usize,
    /// Media rows in the database.
    pub media_rows: u64,
    /// Median wall time of one query, ms.
    pub median_ms: f64,
    /// Our CPU per query, ms (SQLite runs in this process; PostgreSQL in its server).
    pub cpu_ms: f64,
}

/// The idle scenarios.
pub fn idle_scenarios(quick: bool) -> Vec<IdleScenario> {
    let (fan, label, cycles): (fn(usize) -> LibraryShape, _, _) = if quick {
        (small_fan, "small fan (--quick)", 200)
    } else {
        (typical_fan, "typical fan", 1_000)
    };
    vec![
        IdleScenario {
            name: label.to_owned(),
            shape: fan(1),
            cycles,
        },
        IdleScenario {
            name: format!("30 × {label}, one watched"),
            shape: fan(30),
            cycles,
        },
    ]
}

fn media_per_creator(shape: &LibraryShape) -> u64 {
    u64::try_from(shape.files_per_creator()).unwrap_or(0)
}

fn err(what: &str) -> impl Fn(String) -> BenchError + '_ {
    move |e| BenchError(format!("{what}: {e}"))
}

/// Where the `fansly-stash` binary is: next to the running executable (same profile).
pub fn locate_cli() -> Result<PathBuf, BenchError> {
    let exe = std::env::current_exe()
        .map_err(|e| BenchError(format!("cannot find the running executable: {e}")))?;
    let dir = exe.parent().map(Path::to_owned).unwrap_or_default();
    let candidate = dir.join(format!("fansly-stash{}", std::env::consts::EXE_SUFFIX));
    if candidate.exists() {
        Ok(candidate)
    } else {
        Err(BenchError(format!(
            "the fansly-stash binary is not at {}: build it with the same profile (`cargo build \
             --release -p fansly-stash`, which `cargo xtask bench` does)",
            candidate.display()
        )))
    }
}

/// Fills the empty database at `url` with `creators` creators of `shape`, metadata only (no
/// files), inserted ten creators at a time.
async fn metadata_only_library(
    url: &str,
    shape: &LibraryShape,
    creators: usize,
) -> Result<(), String> {
    let store = MetadataStore::open(url, StoreOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let mut builder = FixtureBuilder::new();
    for first in (0..creators).step_by(10) {
        for i in first..(first + 10).min(creators) {
            builder.generate_creator(&CreatorShape {
                account_id: CREATOR_ID_STRIDE * i64::try_from(i + 1).unwrap_or(1),
                username: creator_username(i),
                posts: shape.posts,
                messages: shape.messages,
                images: shape.images,
                videos: shape.videos,
                bundles: shape.bundles,
                bundle_size: shape.bundle_size,
                unattached: shape.unattached,
            });
        }
        builder.insert(&store).await.map_err(|e| e.to_string())?;
        builder = builder.next_builder();
    }
    Ok(())
}

/// Runs one idle scenario.
pub fn run_idle(cli: &Path, s: &IdleScenario) -> Result<IdleRow, BenchError> {
    println!("\nwatch, idle: {}", s.name);
    let dir =
        tempfile::tempdir().map_err(|e| BenchError(format!("cannot create a temp dir: {e}")))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| BenchError(format!("cannot start the async runtime: {e}")))?;
    let (lib, double) = rt
        .block_on(async {
            let lib = Library::generate(&s.shape, dir.path(), None)
                .await
                .map_err(|e| format!("{e}"))?;
            let double = StashDouble::start(DoubleConfig {
                library_roots: vec![lib.root.clone()],
                latency_per_request: Duration::from_millis(2),
                cost_per_written_object: Duration::from_micros(500),
                ..DoubleConfig::default()
            })
            .await
            .map_err(|e| e.to_string())?;
            double.scan_now(&[]).await;
            Ok::<_, String>((lib, Arc::new(double)))
        })
        .map_err(err("preparing the library and the double"))?;
    let home = dir.path().join("home");
    let mut child = Command::new(cli)
        .env_clear()
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("FANSLY_STASH_STASH_URL", double.base_url())
        .env("FANSLY_STASH_METADATA_DB", &lib.db_url)
        .env("FANSLY_STASH_DOWNLOAD_ROOT", &lib.root)
        .args(["watch", "--creator", &lib.creators[0].username])
        .args(["--interval-ms", &INTERVAL_MS.to_string(), "-v"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| BenchError(format!("cannot run {}: {e}", cli.display())))?;
    let pid = child.id();
    let (tx, rx) = mpsc::channel::<String>();
    if let Some(stderr) = child.stderr.take() {
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
    }
    let result = measure_idle(&rx, pid, s.cycles, &double);
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let status = child.wait().map_err(|e| BenchError(e.to_string()))?;
    rt.shutdown_background();
    let mut row = result?;
    if !status.success() {
        return Err(BenchError(format!(
            "watch exited with {status} after SIGTERM"
        )));
    }
    row.name = s.name.clone();
    row.media_rows = media_per_creator(&s.shape) * s.shape.creators as u64;
    println!(
        "  RSS {:.1} -> {:.1} MB, peak {:.1} -> {:.1} MB, {:.3} ms CPU per idle cycle, {} queries, {} Stash requests",
        mb(row.rss_kib.0),
        mb(row.rss_kib.1),
        mb(row.peak_kib.0),
        mb(row.peak_kib.1),
        row.cpu_ms_per_cycle,
        row.max_queries,
        row.stash_requests
    );
    Ok(row)
}

fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// `(N database queries, M Stash requests)` of an idle line (singular or plural).
fn idle_costs(line: &str) -> Option<(u64, u64)> {
    let rest = &line[line.find(": no change (")? + ": no change (".len()..];
    let mut numbers = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .map(str::parse::<u64>);
    Some((numbers.next()?.ok()?, numbers.next()?.ok()?))
}

/// Reads the watcher's lines until `cycles` idle cycles, taking the readings.
fn measure_idle(
    rx: &mpsc::Receiver<String>,
    pid: u32,
    cycles: u64,
    double: &StashDouble,
) -> Result<IdleRow, BenchError> {
    let guard = Instant::now() + Duration::from_secs(1800);
    let mut idle = 0u64;
    let mut max_queries = 0;
    let mut early: Option<(ProcessStats, u64, Instant)> = None;
    let mut seen = Vec::new();
    loop {
        let left = guard.saturating_duration_since(Instant::now());
        let line = rx.recv_timeout(left).map_err(|_| {
            BenchError(format!(
                "watch stopped talking after {idle} idle cycles; its last lines:\n{}",
                seen.join("\n")
            ))
        })?;
        if seen.len() == 20 {
            seen.remove(0);
        }
        seen.push(line.clone());
        let Some((queries, _)) = idle_costs(&line) else {
            if line.contains(": synced ") && idle > 0 {
                return Err(BenchError(format!("an idle watch synced: {line}")));
            }
            continue;
        };
        idle += 1;
        max_queries = max_queries.max(queries);
        if idle == EARLY {
            let (stats, rss) = ProcessStats::read_pid(pid)
                .ok_or_else(|| BenchError("cannot read /proc for the watcher".into()))?;
            double.reset_counters();
            early = Some((stats, rss, Instant::now()));
        }
        if idle == cycles {
            let (stats, rss) = ProcessStats::read_pid(pid)
                .ok_or_else(|| BenchError("cannot read /proc for the watcher".into()))?;
            let (e_stats, e_rss, e_at) = early
                .ok_or_else(|| BenchError("fewer idle cycles than the early reading".into()))?;
            let n = (cycles - EARLY) as f64;
            return Ok(IdleRow {
                name: String::new(),
                media_rows: 0,
                cycles,
                rss_kib: (e_rss, rss),
                peak_kib: (e_stats.peak_rss_kib, stats.peak_rss_kib),
                cpu_ms_per_cycle: (stats.cpu.saturating_sub(e_stats.cpu)).as_secs_f64() * 1000.0
                    / n,
                wall_ms_per_cycle: e_at.elapsed().as_secs_f64() * 1000.0 / n,
                max_queries,
                stash_requests: double.counters().http_requests,
            });
        }
    }
}

/// Times the change query over `creators` typical fans of metadata on `backend`.
pub fn run_query_cost(
    backend: Backend,
    creators: usize,
    shape: &LibraryShape,
) -> Result<QueryRow, BenchError> {
    println!(
        "\nwatch, change query: {creators} creators on {}",
        backend.label()
    );
    let dir =
        tempfile::tempdir().map_err(|e| BenchError(format!("cannot create a temp dir: {e}")))?;
    let pg = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            Some(metadata_store::testing::pg_test_database().ok_or_else(|| {
                BenchError(
                    "--pg needs a PostgreSQL server: run through `cargo xtask bench --pg`, which \
                 starts one, or set FANSLY_STASH_TEST_PG_URL"
                        .into(),
                )
            })?)
        }
    };
    let url = pg
        .as_ref()
        .map_or_else(|| sqlite_url(dir.path()), |db| db.url.clone());
    block_on(async {
        let started = Instant::now();
        metadata_only_library(&url, shape, creators).await?;
        println!("  generated in {:.1} s", started.elapsed().as_secs_f64());
        let store = MetadataStore::open(&url, StoreOptions::default())
            .await
            .map_err(|e| e.to_string())?;
        let fps = store
            .content_fingerprints()
            .await
            .map_err(|e| e.to_string())?;
        if fps.len() != creators {
            return Err(format!(
                "{} fingerprints for {creators} creators",
                fps.len()
            ));
        }
        let mut walls = Vec::new();
        let cpu_before = ProcessStats::read().map(|s| s.cpu).unwrap_or_default();
        for _ in 0..7 {
            let t = Instant::now();
            store
                .content_fingerprints()
                .await
                .map_err(|e| e.to_string())?;
            walls.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let cpu = ProcessStats::read()
            .map(|s| s.cpu)
            .unwrap_or_default()
            .saturating_sub(cpu_before);
        walls.sort_by(f64::total_cmp);
        let row = QueryRow {
            backend,
            creators,
            media_rows: media_per_creator(shape) * creators as u64,
            median_ms: walls[walls.len() / 2],
            cpu_ms: cpu.as_secs_f64() * 1000.0 / walls.len() as f64,
        };
        println!(
            "  {:.1} ms per query (median of 7), {:.1} ms of our CPU",
            row.median_ms, row.cpu_ms
        );
        Ok(row)
    })?
    .map_err(err("timing the change query"))
}

/// Every watch measurement of a run.
pub fn run_all(quick: bool, pg: bool) -> Result<(Vec<IdleRow>, Vec<QueryRow>), BenchError> {
    let cli = locate_cli()?;
    let mut idle = Vec::new();
    for s in idle_scenarios(quick) {
        idle.push(run_idle(&cli, &s)?);
    }
    let (shape, sizes): (LibraryShape, &[usize]) = if quick {
        (small_fan(1), &[3, 20])
    } else {
        (typical_fan(1), &[30, 200])
    };
    let mut backends = vec![Backend::Sqlite];
    if pg {
        backends.push(Backend::Postgres);
    }
    let mut queries = Vec::new();
    for backend in backends {
        for &n in sizes {
            queries.push(run_query_cost(backend, n, &shape)?);
        }
    }
    Ok((idle, queries))
}

/// The watch section of BENCHMARKS.md.
pub fn section(info: &RunInfo, idle: &[IdleRow], queries: &[QueryRow]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## Watch\n");
    let _ = writeln!(
        s,
        "Measured by `cargo xtask bench --only watch{}` on {}, in {:.0} s.\n\nMachine: {}.\n",
        if info.quick { " --quick" } else { "" },
        info.date,
        info.total_secs,
        info.machine.describe()
    );
    let _ = writeln!(
        s,
        "**Idle.** The release binary runs `fansly-stash watch --creator creator00 --interval-ms \
         {INTERVAL_MS} -v` against the Stash double (2 ms/request, 0.5 ms/written object) and a \
         SQLite metadata database. After its catch-up sync, memory and CPU time are read from \
         `/proc/<pid>` at the {EARLY}th idle cycle and at the last; queries per idle cycle are \
         the watcher's own count of statements (its `-v` line), Stash requests the double's \
         counter between the two readings. CPU time includes the change query, which SQLite \
         runs in the watcher's process.\n"
    );
    let _ = writeln!(
        s,
        "| library | media rows | idle cycles | RSS at cycle {EARLY} → last (MB) | peak RSS at cycle {EARLY} → last (MB) | CPU ms / idle cycle | DB queries / idle cycle | Stash requests while idle |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in idle {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.1} → {:.1} | {:.1} → {:.1} | {:.3} | {} | {} |",
            r.name,
            r.media_rows,
            r.cycles,
            mb(r.rss_kib.0),
            mb(r.rss_kib.1),
            mb(r.peak_kib.0),
            mb(r.peak_kib.1),
            r.cpu_ms_per_cycle,
            r.max_queries,
            r.stash_requests
        );
    }
    let _ = writeln!(
        s,
        "\n**Change query.** `content_fingerprints` (one statement: per-creator counts, largest \
         ids and a download checksum over posts, messages, attachments, account media and \
         media) timed in-process, median of 7, over metadata-only libraries of typical fans. It \
         reads every row of those tables once; at the default `watch_interval_secs = 60` its \
         share of a core is the median divided by 60 s.\n"
    );
    let _ = writeln!(
        s,
        "| backend | creators | media rows | ms per query | our CPU ms per query |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|");
    for q in queries {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.1} | {:.1} |",
            q.backend.label(),
            q.creators,
            q.media_rows,
            q.median_ms,
            q.cpu_ms
        );
    }
    let _ = writeln!(s, "\n### Targets\n");
    let _ = writeln!(s, "| target | measured | met |\n|---|---|---|");
    for r in idle {
        let grew = mb(r.peak_kib.1) - mb(r.peak_kib.0);
        let _ = writeln!(
            s,
            "| {}: peak RSS after {} idle cycles within a few MB of after {EARLY} | +{:.1} MB (RSS {:+.1} MB) | {} |",
            r.name,
            r.cycles,
            grew,
            mb(r.rss_kib.1) - mb(r.rss_kib.0),
            yes(grew <= 4.0)
        );
        let _ = writeln!(
            s,
            "| {}: an idle cycle makes at most 2 DB queries and 0 Stash requests | {} {}, {} {} | {} |",
            r.name,
            r.max_queries,
            if r.max_queries == 1 {
                "query"
            } else {
                "queries"
            },
            r.stash_requests,
            if r.stash_requests == 1 {
                "request"
            } else {
                "requests"
            },
            yes(r.max_queries <= 2 && r.stash_requests == 0)
        );
    }
    s
}

fn yes(ok: bool) -> &'static str {
    if ok { "yes" } else { "**no**" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_lines_give_their_costs() {
        assert_eq!(
            idle_costs(
                "2026-01-01 10:00:00 cycle 7: no change (1 database query, 0 Stash requests)"
            ),
            Some((1, 0))
        );
        assert_eq!(
            idle_costs("2026-01-01 10:00:00 cycle 1: synced creator00"),
            None
        );
    }

    #[test]
    fn the_idle_scenarios_watch_one_creator_of_one_and_of_thirty() {
        let s = idle_scenarios(false);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].shape.creators, s[1].shape.creators), (1, 30));
        assert_eq!(s[0].cycles, 1_000);
    }
}
