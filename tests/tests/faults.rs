//! Issue 10, faults: with bursts of 5xx, timeouts, dropped connections and "database is
//! locked" injected by the double, and a batch carrying one bad id, a sync completes, retries
//! stay bounded, the bad item is isolated and reported, a second run finishes the job, and
//! no object is ever duplicated. Final states are compared with an uninterrupted run on a
//! clean double.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use domain::ports::{MediaServer, MetadataRepository, SyncStateStore};
use fansly_stash_tests::canonical::{canonical_in, diff, duplicates};
use fansly_stash_tests::library::{Library, LibraryShape};
use fansly_stash_tests::tripwire::TripStash;
use fansly_stash_tests::world::{client_config, open_state, run_sync, start_stash, sync_options};
use serde_json::Value;
use stash_adapter::StashClient;
use stash_double::{DoubleConfig, Fault, StashDouble};
use sync_core::SyncReport;

fn shape() -> LibraryShape {
    LibraryShape {
        bundles: 3,
        unattached: 4,
        ..LibraryShape::one_creator(40, 6, 100, 20)
    }
}

/// A client with a 1 s request timeout (so an injected 2 s delay is a timeout).
async fn impatient_client(double: &StashDouble) -> Arc<StashClient> {
    let mut cfg = client_config(double);
    cfg.request_timeout = Duration::from_secs(1);
    Arc::new(StashClient::connect(cfg).await.unwrap())
}

async fn sync(
    lib: &Library,
    stash: Arc<dyn MediaServer>,
    state: Arc<dyn SyncStateStore>,
) -> Result<SyncReport, String> {
    let repo: Arc<dyn MetadataRepository> = Arc::new(lib.store().await.unwrap());
    run_sync(repo, stash, state, sync_options(lib), None)
        .await
        .map_err(|e| e.to_string())
}

/// The reference: the same library synced once on a clean double, and what that cost.
async fn reference() -> (Value, u64) {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&shape(), dir.path(), None).await.unwrap();
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let state = open_state(&dir.path().join("state.sqlite3")).await.unwrap();
    let report = sync(&lib, world.client.clone(), state).await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    (
        canonical_in(&world.double.dump(), &lib.root),
        world.double.counters().http_requests,
    )
}

fn assert_same(reference: &Value, got: &Value, what: &str) {
    assert!(duplicates(got).is_empty(), "{what}: {:?}", duplicates(got));
    let d = diff(reference, got, 10);
    assert!(d.is_empty(), "{what}: state differs:\n{}", d.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_faults_are_retried_and_the_run_completes() {
    let (reference, clean_requests) = reference().await;
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&shape(), dir.path(), None).await.unwrap();
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let client = impatient_client(&world.double).await;
    world.double.reset_counters();
    let faults = world.double.faults();
    let injected = [
        (Some("findImages"), 3, Fault::Status(503)),
        (Some("findScenes"), 2, Fault::DropConnection),
        (
            Some("findGalleries"),
            1,
            Fault::Delay(Duration::from_secs(2)),
        ),
        (Some("imagesUpdate"), 2, Fault::Http500),
        (Some("scenesUpdate"), 2, Fault::DatabaseLocked),
        (Some("galleryCreate"), 1, Fault::DatabaseLocked),
        (Some("addGalleryImages"), 2, Fault::Status(429)),
        (Some("tagCreate"), 1, Fault::Status(502)),
    ];
    let mut total = 0;
    for (field, times, fault) in injected {
        faults.inject(field, times, fault);
        total += u64::from(times);
    }
    let state = open_state(&dir.path().join("state.sqlite3")).await.unwrap();
    let report = sync(&lib, client, state.clone()).await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(faults.pending(), 0, "every injected fault was hit");
    let counters = world.double.counters();
    // Bounded: the clean cost, plus one request per injected fault, plus at most a few
    // look-ups before retrying an unclear create.
    assert!(
        counters.http_requests <= clean_requests + total + 4,
        "{} requests (clean run {clean_requests}, {total} faults): {:?}",
        counters.http_requests,
        counters.by_root_field
    );
    assert_same(
        &reference,
        &canonical_in(&world.double.dump(), &lib.root),
        "after faults",
    );
    // And nothing is left to do.
    world.double.reset_counters();
    sync(&lib, impatient_client(&world.double).await, state)
        .await
        .unwrap();
    assert_eq!(world.double.counters().mutation_requests, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_failures_are_bounded_reported_and_finished_by_the_next_run() {
    let (reference, _) = reference().await;
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&shape(), dir.path(), None).await.unwrap();
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let client = impatient_client(&world.double).await;
    let faults = world.double.faults();
    // Stash keeps failing image updates and, for a while, gallery creates.
    faults.inject(Some("imagesUpdate"), 1_000, Fault::Http500);
    faults.inject(Some("galleryCreate"), 1_000, Fault::Status(503));
    world.double.reset_counters();
    let state = open_state(&dir.path().join("state.sqlite3")).await.unwrap();
    let report = sync(&lib, client, state.clone()).await.unwrap();
    let counters = world.double.counters();
    // Every failing call was tried at most 1 + max_retries (4) times.
    let image_calls = counters.requests_with("imagesUpdate");
    let create_calls = counters.requests_with("galleryCreate");
    assert!(
        (1..=5).contains(&image_calls),
        "{:?}",
        counters.by_root_field
    );
    assert!(
        create_calls <= 5 * 2,
        "creates are never retried blindly: {:?}",
        counters.by_root_field
    );
    // The failures are reported per item, with the server's answer.
    assert!(!report.errors.is_empty());
    let images_failed = report
        .errors
        .iter()
        .filter(|e| e.kind == domain::ports::EntityKind::Image)
        .count();
    assert!(images_failed > 0, "{:?}", &report.errors[..3]);
    assert!(
        report
            .errors
            .iter()
            .all(|e| e.error.contains("500") || e.error.contains("503")),
        "{:?}",
        report.errors.iter().find(|e| !e.error.contains("50"))
    );
    // Stash recovers; the next run finishes the job, without duplicates.
    faults.clear();
    let report = sync(&lib, impatient_client(&world.double).await, state.clone())
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors.first());
    assert_same(
        &reference,
        &canonical_in(&world.double.dump(), &lib.root),
        "after recovery",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_bad_id_fails_only_its_item_and_the_next_run_fixes_it() {
    let (reference, _) = reference().await;
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&shape(), dir.path(), None).await.unwrap();
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let stash: Arc<dyn MediaServer> = Arc::new(TripStash::stale_image_once(world.client.clone()));
    let state = open_state(&dir.path().join("state.sqlite3")).await.unwrap();
    world.double.reset_counters();
    let report = sync(&lib, stash, state.clone()).await.unwrap();
    // Exactly one item failed, named, with Stash's reason.
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let bad = &report.errors[0];
    assert_eq!(bad.kind, domain::ports::EntityKind::Image);
    assert!(bad.key.starts_with("media:"), "{bad:?}");
    assert!(bad.error.contains("not found"), "{bad:?}");
    // The batch was bisected, not dropped: every other image is stamped.
    let counters = world.double.counters();
    assert!(
        counters.requests_with("imagesUpdate") >= 3,
        "{:?}",
        counters.by_root_field
    );
    let now = canonical_in(&world.double.dump(), &lib.root);
    let d = diff(&reference, &now, 50);
    assert!(
        !d.is_empty() && d.len() <= 8,
        "only the bad image differs: {d:#?}"
    );
    let media_id = bad.key.trim_start_matches("media:");
    assert!(
        d.iter()
            .all(|line| line.starts_with("/images/") || line.starts_with("/galleries/")),
        "{d:#?}"
    );
    assert!(
        d.iter()
            .any(|l| l.contains(media_id) || l.contains("/code")),
        "{d:#?}"
    );
    // The next (clean) run retries the failed item and converges.
    let report = sync(&lib, world.client.clone(), state).await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_same(
        &reference,
        &canonical_in(&world.double.dump(), &lib.root),
        "after the fix-up run",
    );
}
