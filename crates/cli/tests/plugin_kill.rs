//! Stop in Stash kills the plugin process (SIGKILL on Unix; there is no gentler signal). The
//! engine saves its state after every batch, so running the task again continues where the
//! killed run stopped: this test kills a real plugin run at seeded moments on a slow Stash
//! double, runs the task again, and requires no duplicates and exactly the state that
//! `fansly-stash sync --all` gives on a fresh double.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod plugin_support;

use std::io::Write;
use std::time::{Duration, Instant};

use fansly_stash_tests::canonical::{canonical_in, diff, duplicates};
use fansly_stash_tests::library::{Library, LibraryShape};
use fansly_stash_tests::world::start_stash;
use plugin_support::{Stash, input, plugin_command, run_cli, run_plugin};
use serde_json::json;
use stash_double::DoubleConfig;

const KILLS: u64 = 4;

fn slow_double() -> DoubleConfig {
    DoubleConfig {
        latency_per_request: Duration::from_millis(4),
        cost_per_written_object: Duration::from_millis(1),
        ..DoubleConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_task_run_again_finishes_the_job_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let shape = LibraryShape {
        creators: 2,
        bundles: 2,
        unattached: 2,
        ..LibraryShape::one_creator(30, 6, 60, 10)
    };
    let lib = Library::generate(&shape, &dir.path().join("lib"), None)
        .await
        .unwrap();
    let reference = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    run_cli(
        &lib,
        &reference.double,
        &dir.path().join("cli-home"),
        &["sync", "--all"],
    )
    .await
    .expect_code(0);
    let want = canonical_in(&reference.double.dump(), &lib.root);

    // How long a whole run takes on the slow double: the kills land inside it.
    let timing = start_stash(&lib, slow_double()).await.unwrap();
    let stash = Stash::new(&timing.double, dir.path().join("timing"));
    stash
        .configure(
            json!({"metadata_db": lib.db_url, "download_root": lib.root_str(), "batch_size": 10}),
        )
        .await;
    let started = Instant::now();
    run_plugin(&input(&stash, "127.0.0.1", None, "sync"))
        .await
        .expect_ok();
    let window = started.elapsed().as_millis().max(50) as u64;

    let mut landed = 0;
    for round in 0..KILLS {
        let world = start_stash(&lib, slow_double()).await.unwrap();
        let stash = Stash::new(&world.double, dir.path().join(format!("stash-{round}")));
        stash
            .configure(json!({"metadata_db": lib.db_url, "download_root": lib.root_str(), "batch_size": 10}))
            .await;
        // Spread over the run: 20%, 40%, 60%, 80% of it.
        let delay = Duration::from_millis(window * (round + 1) / (KILLS + 1));
        let home = tempfile::tempdir().unwrap();
        let mut child = plugin_command(home.path()).spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input(&stash, "127.0.0.1", None, "sync").as_bytes())
            .unwrap();
        tokio::time::sleep(delay).await;
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL, as Stash's Stop does
            landed += 1;
        }
        let out = tokio::task::block_in_place(|| child.wait_with_output().unwrap());
        // Whatever it wrote before the kill is valid protocol (no torn line).
        let err = String::from_utf8_lossy(&out.stderr);
        let complete = match err.rfind('\n') {
            Some(i) => &err[..=i],
            None => "",
        };
        plugin_support::parse_stderr(complete);
        let partial = canonical_in(&world.double.dump(), &lib.root);
        assert!(
            duplicates(&partial).is_empty(),
            "round {round}: {:?}",
            duplicates(&partial)
        );

        let again = run_plugin(&input(&stash, "127.0.0.1", None, "sync")).await;
        again.expect_ok();
        let got = canonical_in(&world.double.dump(), &lib.root);
        assert!(
            duplicates(&got).is_empty(),
            "round {round}: {:?}",
            duplicates(&got)
        );
        let d = diff(&want, &got, 10);
        assert!(
            d.is_empty(),
            "round {round}, killed after {delay:?}:\n{}",
            d.join("\n")
        );
    }
    println!("{landed} of {KILLS} kills landed mid-run (run takes {window} ms)");
    assert!(landed > 0, "no kill landed while the plugin was running");
}
