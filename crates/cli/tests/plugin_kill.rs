//! Stop in Stash kills the plugin process (SIGKILL on Unix; there is no gentler signal). The
//! engine saves its state after every batch, so running the task again continues where the
//! killed run stopped.
//!
//! Each round kills a real plugin run in the middle of its writes, found by counting, not by
//! timing: the double holds the answer to the plugin's k-th request of one kind of write
//! (performers, galleries, images; the write itself is applied, as when Stash commits and the
//! plugin dies before reading the answer), and the test kills the process while it waits for
//! that answer. The state the kill leaves must hold some of the run's writes but not all
//! (the kill really hit mid-run), with no duplicates; running the task again must reach
//! exactly the state `fansly-stash sync --all` gives on a fresh double.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::process::Child;
use std::time::{Duration, Instant};

use common::plugin::{Stash, input, plugin_command, run_cli, run_plugin};
use fansly_stash_tests::canonical::{canonical_in, diff, duplicates};
use fansly_stash_tests::library::{Library, LibraryShape};
use fansly_stash_tests::world::start_stash;
use serde_json::json;
use stash_double::{DoubleConfig, Fault, RequestCounters, StashDouble};

/// Longer than any test run: the held answer never arrives before the kill.
const HELD: Duration = Duration::from_secs(600);

/// Hang guard for waiting on the plugin to reach the held request (never a timing assertion).
const HANG_GUARD: Duration = Duration::from_secs(120);

/// Where a round kills the run: at the k-th request carrying this mutation root field.
#[derive(Debug, Clone, Copy)]
struct KillPoint {
    root_field: &'static str,
    nth: u64,
}

/// The kill points: the entities phase (performers, galleries) and the items phase (its first
/// batch of images, and one halfway through the images of the whole run).
fn kill_points(reference: &RequestCounters) -> Vec<KillPoint> {
    let images = reference.requests_with("imagesUpdate");
    assert!(
        images >= 3,
        "the reference run sends {images} imagesUpdate requests; the halfway kill needs a \
         write after it: {reference:?}"
    );
    let points = vec![
        KillPoint {
            root_field: "performerCreate",
            nth: 1,
        },
        KillPoint {
            root_field: "galleryCreate",
            nth: 1,
        },
        KillPoint {
            root_field: "imagesUpdate",
            nth: 1,
        },
        KillPoint {
            root_field: "imagesUpdate",
            nth: images / 2 + 1,
        },
    ];
    for p in &points {
        let sent = reference.requests_with(p.root_field);
        assert!(
            p.nth <= sent,
            "{p:?}: the reference run sends only {sent} such requests"
        );
    }
    points
}

/// Arms the double so that the `point.nth` request with `point.root_field` is applied but
/// its answer is held for [`HELD`].
fn hold_at(double: &StashDouble, point: KillPoint) {
    let faults = double.faults();
    let before = u32::try_from(point.nth - 1).unwrap();
    // Faults armed earlier are served first: the requests before the k-th go through as is.
    faults.inject(Some(point.root_field), before, Fault::Delay(Duration::ZERO));
    faults.inject(Some(point.root_field), 1, Fault::SlowAnswer(HELD));
}

/// Waits until the plugin has sent the held request; panics when it exits first.
async fn wait_until_held(double: &StashDouble, point: KillPoint, child: &mut Child) {
    let deadline = Instant::now() + HANG_GUARD;
    while double.counters().requests_with(point.root_field) < point.nth {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the plugin exited ({status}) before reaching {point:?}");
        }
        assert!(
            Instant::now() < deadline,
            "the plugin did not reach {point:?} within the hang guard"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
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

    for (round, point) in kill_points(&reference.double.counters())
        .into_iter()
        .enumerate()
    {
        let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
        let before = canonical_in(&world.double.dump(), &lib.root);
        let stash = Stash::new(&world.double, dir.path().join(format!("stash-{round}")));
        stash
            .configure(json!({"metadata_db": lib.db_url, "download_root": lib.root_str(), "batch_size": 10}))
            .await;
        hold_at(&world.double, point);
        let home = tempfile::tempdir().unwrap();
        let mut child = plugin_command(home.path()).spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input(&stash, "127.0.0.1", None, "sync").as_bytes())
            .unwrap();
        wait_until_held(&world.double, point, &mut child).await;
        assert!(
            child.try_wait().unwrap().is_none(),
            "round {round}: the plugin stopped waiting for the held answer to {point:?}"
        );
        child.kill().unwrap(); // SIGKILL, as Stash's Stop does
        let out = tokio::task::block_in_place(|| child.wait_with_output().unwrap());
        world.double.faults().clear();
        // Whatever it wrote before the kill is valid protocol (no torn line).
        let err = String::from_utf8_lossy(&out.stderr);
        let complete = match err.rfind('\n') {
            Some(i) => &err[..=i],
            None => "",
        };
        common::plugin::parse_stderr(complete);

        let partial = canonical_in(&world.double.dump(), &lib.root);
        assert!(
            !diff(&before, &partial, 1).is_empty(),
            "round {round}, killed at {point:?}: nothing of the run landed before the kill"
        );
        assert!(
            !diff(&want, &partial, 1).is_empty(),
            "round {round}, killed at {point:?}: the state is already complete, the kill did \
             not land mid-run"
        );
        assert!(
            duplicates(&partial).is_empty(),
            "round {round}: {:?}",
            duplicates(&partial)
        );

        run_plugin(&input(&stash, "127.0.0.1", None, "sync"))
            .await
            .expect_ok();
        let got = canonical_in(&world.double.dump(), &lib.root);
        assert!(
            duplicates(&got).is_empty(),
            "round {round}: {:?}",
            duplicates(&got)
        );
        let d = diff(&want, &got, 10);
        assert!(
            d.is_empty(),
            "round {round}, killed at {point:?}:\n{}",
            d.join("\n")
        );
    }
}
