//! Issue 7's acceptance, end to end: a real SQLite metadata store, real files on disk scanned
//! by the Stash double, the real adapter over HTTP, the real SQLite sync state; against a
//! double answering as every supported Stash release, from v0.27.2 to the development head
//! (issue 13).
//!
//! - A creator with 300 posts, 40 messages, 1,000 images and 200 videos syncs completely in at
//!   most 60 HTTP requests, every mapped field checked in the double's state.
//! - A second run makes no mutation and at most 5 requests (connect included).
//! - After 10 new posts, a third run touches only those.
//! - A run interrupted after each phase resumes to the same final state, with no duplicates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use domain::ports::{MediaServer, MetadataRepository, SyncStateStore};
use fansly_stash_tests::canonical::{canonical, canonical_in, diff, duplicates};
use fansly_stash_tests::expect::{expected_state, mismatches};
use fansly_stash_tests::library::{Library, LibraryShape};
use fansly_stash_tests::tripwire::{TripRepo, TripStash};
use fansly_stash_tests::world::{
    StashWorld, client_config, open_state, run_sync, start_stash, sync_options,
};
use serde_json::Value;
use stash_adapter::StashClient;
use stash_double::{DoubleConfig, StashDouble, StashVersion};
use sync_core::{CancelFlag, SyncEngine, SyncMonitor, SyncReport};

/// The acceptance creator: 300 posts, 40 messages, 1,000 images, 200 videos (each video with
/// a preview), 20 bundles of 5.
fn acceptance_shape() -> LibraryShape {
    LibraryShape {
        bundles: 20,
        bundle_size: 5,
        ..LibraryShape::one_creator(300, 40, 1_000, 200)
    }
}

async fn sync_once(
    lib: &Library,
    stash: Arc<dyn MediaServer>,
    state: Arc<dyn SyncStateStore>,
) -> SyncReport {
    let repo: Arc<dyn MetadataRepository> = Arc::new(lib.store().await.unwrap());
    run_sync(repo, stash, state, sync_options(lib), None)
        .await
        .unwrap()
}

/// A fresh client, as a new process of the CLI would connect.
async fn connect(double: &StashDouble) -> Arc<StashClient> {
    Arc::new(StashClient::connect(client_config(double)).await.unwrap())
}

fn assert_no_errors(report: &SyncReport) {
    assert!(
        report.errors.is_empty(),
        "{} errors, first: {:?}",
        report.errors.len(),
        &report.errors[..report.errors.len().min(3)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_creator_syncs_completely_within_budget_then_resyncs_for_free() {
    for version in StashVersion::ALL {
        println!("acceptance against a double answering as Stash {version:?}");
        acceptance(version).await;
    }
}

async fn acceptance(version: StashVersion) {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = Library::generate(&acceptance_shape(), dir.path(), None)
        .await
        .unwrap();
    let StashWorld {
        double,
        client,
        scan,
    } = start_stash(&lib, DoubleConfig::impersonating(version))
        .await
        .unwrap();
    assert_eq!(scan.files_added, 1_400, "{scan:?}");
    let state = open_state(&dir.path().join("state.sqlite3")).await.unwrap();

    // First run: everything, in at most 60 requests (the connect included).
    let report = sync_once(&lib, client, state.clone()).await;
    assert_no_errors(&report);
    let first = double.counters();
    println!(
        "first sync: {} requests {:?}",
        first.http_requests, first.by_root_field
    );
    assert!(
        first.http_requests <= 60,
        "{version:?}: first sync made {} requests: {:?}",
        first.http_requests,
        first.by_root_field
    );
    let dump = double.dump();
    let canon = canonical(&dump);
    assert!(duplicates(&canon).is_empty(), "{:?}", duplicates(&canon));
    let repo = lib.store().await.unwrap();
    let expected = expected_state(&lib, &repo, "Fansly (network)")
        .await
        .unwrap();
    assert_eq!(
        (expected.images.len(), expected.scenes.len()),
        (1_200, 200),
        "the generator's shape"
    );
    assert_eq!(expected.galleries.len(), 340);
    let wrong = mismatches(&expected, &canon, 20);
    assert!(
        wrong.is_empty(),
        "{version:?}: {} mismatches:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    // Nothing else was created: one performer, two studios, ten hashtags and Trailer.
    for (kind, n) in [
        ("performers", 1),
        ("studios", 2),
        ("tags", 11),
        ("galleries", 340),
    ] {
        assert_eq!(
            canon[kind].as_object().unwrap().len(),
            n,
            "{version:?}: {kind}"
        );
    }

    // Second run (a new process): no mutation, at most 5 requests.
    double.reset_counters();
    let report = sync_once(&lib, connect(&double).await, state.clone()).await;
    assert_no_errors(&report);
    let second = double.counters();
    assert_eq!(
        second.mutation_requests, 0,
        "{version:?}: {:?}",
        second.by_root_field
    );
    assert!(
        second.http_requests <= 5,
        "re-run made {} requests: {:?}",
        second.http_requests,
        second.by_root_field
    );
    assert_eq!(double.dump(), dump, "a no-change re-run changes nothing");

    // Third run after 10 new posts: only those are touched.
    let added = lib.add_posts(0, 10, 2).await.unwrap();
    let rescan = double.scan_now(&[]).await;
    assert_eq!(rescan.images_created, 20);
    let before = canonical(&double.dump());
    double.reset_counters();
    let report = sync_once(&lib, connect(&double).await, state.clone()).await;
    assert_no_errors(&report);
    let third = double.counters();
    let after_dump = double.dump();
    let after_canon = canonical(&after_dump);
    // Every object but the new posts' images and galleries is exactly as before (Stash's
    // second-resolution `updated_at` cannot tell, so the content is compared).
    let new_files: Vec<String> = added
        .files
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let new_galleries: Vec<String> = added.posts.iter().map(|p| format!("code:{p}")).collect();
    let mut changed = Vec::new();
    for (kind, objects) in after_canon.as_object().unwrap() {
        for (key, now) in objects.as_object().unwrap() {
            if before[kind][key] != *now {
                changed.push(format!("{kind} {key}"));
            }
        }
    }
    let mut want: Vec<String> = new_files
        .iter()
        .map(|f| format!("images {f}"))
        .chain(new_galleries.iter().map(|g| format!("galleries {g}")))
        .collect();
    want.sort();
    changed.sort();
    assert_eq!(
        changed, want,
        "the third run touches only the new posts' objects"
    );
    // Written objects: 20 images stamped, 10 galleries created and filled.
    println!(
        "third sync: {} requests, {} written {:?}",
        third.http_requests, third.written_objects, third.by_root_field
    );
    assert!(third.written_objects <= 40, "{:?}", third);
    let expected = expected_state(&lib, &repo, "Fansly (network)")
        .await
        .unwrap();
    let wrong = mismatches(&expected, &after_canon, 20);
    assert!(wrong.is_empty(), "{version:?}: {}", wrong.join("\n"));
    assert!(third.http_requests <= 15, "{:?}", third.by_root_field);
}

/// Runs one sync where `trip` decides when the run is cancelled; returns the report.
async fn interrupted_run(
    lib: &Library,
    double: &StashDouble,
    state: Arc<dyn SyncStateStore>,
    trip: &str,
) -> SyncReport {
    let cancel = CancelFlag::new();
    let store: Arc<dyn MetadataRepository> = Arc::new(lib.store().await.unwrap());
    let client: Arc<dyn MediaServer> = connect(double).await;
    let (repo, stash): (Arc<dyn MetadataRepository>, Arc<dyn MediaServer>) = match trip {
        "content_page" => (Arc::new(TripRepo::new(store, cancel.clone())), client),
        method => {
            let method: &'static str = match method {
                "list_files" => "list_files",
                "find_or_create_performers" => "find_or_create_performers",
                "create_galleries" => "create_galleries",
                _ => "update_images",
            };
            (
                store,
                Arc::new(TripStash::new(client, cancel.clone(), method)),
            )
        }
    };
    let accounts = fansly_stash_tests::world::all_creators(repo.as_ref())
        .await
        .unwrap();
    let engine = SyncEngine::new(repo, stash, state, sync_options(lib));
    engine
        .sync_creators(&accounts, &SyncMonitor::silent(), &cancel)
        .await
        .unwrap()
}

async fn reference_state(shape: &LibraryShape, dir: &Path) -> Value {
    let lib = Library::generate(shape, dir, None).await.unwrap();
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let state = open_state(&dir.join("state.sqlite3")).await.unwrap();
    let report = sync_once(&lib, world.client.clone(), state).await;
    assert_no_errors(&report);
    canonical_in(&world.double.dump(), &lib.root)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_interrupted_after_each_phase_resumes_to_the_same_state() {
    let shape = LibraryShape {
        creators: 2,
        bundles: 4,
        unattached: 5,
        ..LibraryShape::one_creator(60, 10, 150, 30)
    };
    let reference_dir = tempfile::tempdir().unwrap();
    let reference = reference_state(&shape, reference_dir.path()).await;
    assert!(duplicates(&reference).is_empty());
    // A small batch size makes the items phase several batches, so the cut lands mid-way.
    for trip in [
        "content_page",
        "list_files",
        "find_or_create_performers",
        "create_galleries",
        "update_images",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::generate(&shape, dir.path(), None).await.unwrap();
        let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
        let state = open_state(&dir.path().join("state.sqlite3")).await.unwrap();
        let cut = interrupted_run(&lib, &world.double, state.clone(), trip).await;
        assert!(cut.interrupted, "{trip}: the run was cut short");
        let partial = canonical_in(&world.double.dump(), &lib.root);
        assert_ne!(partial, reference, "{trip}: the cut left work undone");
        // Resume twice (the second resume must find nothing to do).
        let report = sync_once(&lib, connect(&world.double).await, state.clone()).await;
        assert_no_errors(&report);
        assert!(!report.interrupted);
        let resumed = canonical_in(&world.double.dump(), &lib.root);
        assert!(
            duplicates(&resumed).is_empty(),
            "{trip}: {:?}",
            duplicates(&resumed)
        );
        let d = diff(&reference, &resumed, 10);
        assert!(
            d.is_empty(),
            "{trip}: resumed state differs:\n{}",
            d.join("\n")
        );
        world.double.reset_counters();
        sync_once(&lib, connect(&world.double).await, state).await;
        assert_eq!(world.double.counters().mutation_requests, 0, "{trip}");
    }
}
