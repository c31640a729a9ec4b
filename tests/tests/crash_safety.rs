//! Issue 10, crash safety: a real sync process (`sync-once`) is killed with SIGKILL at a
//! random (seeded) moment, 20 times, each time against a fresh Stash double; after each kill
//! a normal run converges to exactly the Stash state of an uninterrupted run on another
//! double (id-free dumps compared), with no duplicates, and a further run writes nothing.
//! The kills landing mid-run are counted (all 20 did when written; at least one must).
//!
//! The doubles add a few milliseconds per request and per written object so that a run
//! lasts long enough for kills to land in every phase.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fansly_stash_tests::canonical::{canonical_in, diff, duplicates};
use fansly_stash_tests::library::{Library, LibraryShape};
use fansly_stash_tests::world::{open_state, run_sync, start_stash, sync_options};
use stash_double::{DoubleConfig, StashDouble};

const KILLS: usize = 20;

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
    let mut killed_mid_run = 0;
    for round in 0..KILLS {
        let world = start_stash(&lib, slow_double()).await.unwrap();
        let state = dir.path().join(format!("state-{round}.sqlite3"));
        let delay = Duration::from_millis(rng.below(window));
        let mut child = sync_once(&lib, &world.double, &state).spawn().unwrap();
        tokio::time::sleep(delay).await;
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL on Unix
            killed_mid_run += 1;
        }
        child.wait().unwrap();
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
    println!("{killed_mid_run} of {KILLS} kills landed mid-run (window {window} ms)");
    assert!(
        killed_mid_run > 0,
        "no kill landed while the sync was running"
    );
}
