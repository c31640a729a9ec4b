//! Issue 10, crash safety: a real sync process (`sync-once`) is killed with SIGKILL, 20 times,
//! each time against a fresh Stash double; after each kill a normal run converges to exactly
//! the Stash state of an uninterrupted run on another double (id-free dumps compared), with no
//! duplicates, and a further run writes nothing.
//!
//! The kills cover every phase a sync without a scan has (index, files, entities, items):
//! round `n` waits for `sync-once` to log the start of phase `PHASES[n % 4]` and kills it
//! then (in the items phase after a further random, seeded delay, so kills land between and
//! inside batches). The phase each process died in is read from its log, and the test asserts
//! that every phase saw at least one kill.
//!
//! The doubles add a few milliseconds per request and per written object so that each phase
//! lasts long enough for a kill to land in it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fansly_stash_tests::canonical::{canonical_in, diff, duplicates};
use fansly_stash_tests::library::{Library, LibraryShape};
use fansly_stash_tests::world::{open_state, run_sync, start_stash, sync_options};
use stash_double::{DoubleConfig, StashDouble};

const KILLS: usize = 20;

/// The phases of a sync without a scan, in order: each must see a kill.
const PHASES: [&str; 4] = ["index", "files", "entities", "items"];

/// The phase a `sync-once` log line says started, if it says so.
fn phase_of(line: &str) -> Option<String> {
    if !line.contains("phase started") {
        return None;
    }
    let rest = line.split("phase=").nth(1)?;
    Some(rest.split_whitespace().next()?.trim_matches('"').to_owned())
}

/// The child's stderr, line by line, as it comes.
fn stderr_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let stderr = child.stderr.take().expect("stderr is piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits until the child logs the start of `target` (or ends, or `limit` passes); returns
/// the last phase it logged.
fn wait_for_phase(lines: &mpsc::Receiver<String>, target: &str, limit: Duration) -> Option<String> {
    let deadline = Instant::now() + limit;
    let mut last = None;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) => {
                if let Some(p) = phase_of(&line) {
                    let reached = p == target;
                    last = Some(p);
                    if reached {
                        break;
                    }
                }
            }
            Err(_) => break,
        }
    }
    last
}

fn shape() -> LibraryShape {
    LibraryShape {
        creators: 2,
        bundles: 3,
        unattached: 4,
        ..LibraryShape::one_creator(40, 8, 100, 20)
    }
}

fn slow_double() -> DoubleConfig {
    DoubleConfig {
        latency_per_request: Duration::from_millis(4),
        cost_per_written_object: Duration::from_millis(1),
        ..DoubleConfig::default()
    }
}

/// A small deterministic generator (xorshift64*), so the kill points are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn sync_once(lib: &Library, double: &StashDouble, state: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sync-once"));
    cmd.args(["--db-url", &lib.db_url])
        .args(["--root", &lib.root_str()])
        .args(["--stash-url", &double.base_url()])
        .args(["--state", &state.display().to_string()])
        .args(["--batch-size", "40"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Runs `sync-once` to completion; panics with its stderr when it fails.
fn run_to_completion(lib: &Library, double: &StashDouble, state: &Path) {
    let out = sync_once(lib, double, state).output().unwrap();
    assert!(
        out.status.success(),
        "sync-once failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_runs_resume_to_the_state_of_an_uninterrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&shape(), dir.path(), None).await.unwrap();

    // The reference: one uninterrupted run in this process.
    let reference = {
        let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
        let state = open_state(&dir.path().join("reference-state.sqlite3"))
            .await
            .unwrap();
        let repo = std::sync::Arc::new(lib.store().await.unwrap());
        let report = run_sync(repo, world.client.clone(), state, sync_options(&lib), None)
            .await
            .unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        canonical_in(&world.double.dump(), &lib.root)
    };
    assert!(duplicates(&reference).is_empty());

    // How long one uninterrupted process run takes on a slow double: kills land within it.
    let full_run = {
        let world = start_stash(&lib, slow_double()).await.unwrap();
        let state = dir.path().join("timing-state.sqlite3");
        let started = Instant::now();
        tokio::task::block_in_place(|| run_to_completion(&lib, &world.double, &state));
        let took = started.elapsed();
        let got = canonical_in(&world.double.dump(), &lib.root);
        let d = diff(&reference, &got, 10);
        assert!(
            d.is_empty(),
            "the process run differs from the in-process run:\n{}",
            d.join("\n")
        );
        took
    };
    let window = u64::try_from(full_run.as_millis()).unwrap_or(1_000).max(50);

    let mut rng = Rng(0x5EED_F00D_1234_5678);
    // Per phase, how many processes died in it.
    let mut landed: BTreeMap<String, usize> = BTreeMap::new();
    for round in 0..KILLS {
        let world = start_stash(&lib, slow_double()).await.unwrap();
        let state = dir.path().join(format!("state-{round}.sqlite3"));
        let target = PHASES[round % PHASES.len()];
        let delay = match target {
            "items" => Duration::from_millis(rng.below(window / 2)),
            _ => Duration::ZERO,
        };
        let mut child = sync_once(&lib, &world.double, &state).spawn().unwrap();
        let lines = stderr_lines(&mut child);
        let limit = Duration::from_millis(window * 4);
        let mut last = tokio::task::block_in_place(|| wait_for_phase(&lines, target, limit));
        tokio::time::sleep(delay).await;
        let killed = child.try_wait().unwrap().is_none();
        if killed {
            child.kill().unwrap(); // SIGKILL on Unix
        }
        child.wait().unwrap();
        // What the process logged before it died (the reader ends at EOF).
        last = lines.iter().filter_map(|l| phase_of(&l)).last().or(last);
        let died_in = last.unwrap_or_else(|| "before the index phase".to_owned());
        if killed {
            *landed.entry(died_in.clone()).or_default() += 1;
        }
        println!("round {round}: aimed at {target} (+{delay:?}), killed: {killed}, in {died_in}");
        let partial = canonical_in(&world.double.dump(), &lib.root);
        assert!(
            duplicates(&partial).is_empty(),
            "round {round}: a kill after {delay:?} left duplicates: {:?}",
            duplicates(&partial)
        );
        tokio::task::block_in_place(|| run_to_completion(&lib, &world.double, &state));
        let resumed = canonical_in(&world.double.dump(), &lib.root);
        assert!(
            duplicates(&resumed).is_empty(),
            "round {round}: {:?}",
            duplicates(&resumed)
        );
        let d = diff(&reference, &resumed, 10);
        assert!(
            d.is_empty(),
            "round {round}: killed after {delay:?}, the resumed state differs:\n{}",
            d.join("\n")
        );
        // Converged means converged: one more run writes nothing (checked every 5th round
        // to keep the suite short).
        if round % 5 != 0 {
            continue;
        }
        world.double.reset_counters();
        tokio::task::block_in_place(|| run_to_completion(&lib, &world.double, &state));
        assert_eq!(
            world.double.counters().mutation_requests,
            0,
            "round {round}: {:?}",
            world.double.counters().by_root_field
        );
    }
    println!("kills per phase (window {window} ms): {landed:?}");
    for phase in PHASES {
        assert!(
            landed.get(phase).is_some_and(|n| *n > 0),
            "no kill landed in the {phase} phase: {landed:?}"
        );
    }
}
