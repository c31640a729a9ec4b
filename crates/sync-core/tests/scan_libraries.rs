//! The scan phase against Stash's library paths: a creator folder outside every library is
//! not scanned (Stash would skip it silently) and the creator reports why and how to fix it,
//! then is synced with what Stash already has, as after a failed scan; a library that excludes
//! images or videos gives a note; the library paths are read once per run; a stop while the
//! scan job runs ends the wait at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::fixtures::{ROOT, World, alice, file_of, media, post};
use domain::content::MediaRole;
use domain::ids::AccountId;
use domain::ports::MediaServerError;
use domain::stash::LibraryPath;
use sync_core::{CancelFlag, RunOutcome, ScanOptions, SyncError, SyncEvent, SyncMonitor};

fn scanning(w: &mut World) {
    w.opts.scan = Some(ScanOptions {
        rescan: false,
        generate: Default::default(),
        deadline: std::time::Duration::from_secs(60),
    });
}

fn bob() -> domain::fansly::Account {
    domain::fansly::Account {
        id: AccountId(2),
        username: "bob".into(),
        display_name: None,
        about: None,
        created_at: None,
        stash_id: None,
    }
}

#[tokio::test]
async fn a_folder_outside_every_library_is_not_scanned_and_the_creator_says_why_and_what_to_do() {
    let mut w = World::standard();
    scanning(&mut w);
    // `/stash/alice` shares a name prefix with the creator folder `/stash/alice_fansly` but
    // does not contain it.
    w.fake().libraries = Some(vec![
        LibraryPath::new("/media/other"),
        LibraryPath::new("/stash/alice"),
    ]);
    let (report, log) = w.run().await;
    {
        let s = w.fake();
        assert_eq!(s.calls("library_paths"), 1);
        assert_eq!(s.calls("start_scan"), 0, "the scan is not started");
        assert_eq!(s.calls("wait_for_job"), 0);
        assert_eq!(s.calls("wait_for_files"), 0);
    }
    let error = report.creators[0]
        .error
        .as_deref()
        .expect("a creator error");
    for part in [
        ROOT,
        "not inside any of Stash's library paths (/media/other, /stash/alice)",
        "Add /stash as a library in Stash (Settings > Library)",
        "set stash_root to the folder where Stash sees the downloads",
    ] {
        assert!(error.contains(part), "{part:?} missing from {error}");
    }
    assert_eq!(report.outcome(), RunOutcome::Partial);
    assert!(log.events().iter().any(|e| matches!(
        e,
        SyncEvent::CreatorFinished { error: Some(m), .. } if m == error
    )));

    // As after a failed scan, the creator is synced with what Stash already has: the same
    // counts as a run without a scan.
    let plain = World::standard();
    let (plain_report, _) = plain.run().await;
    assert_eq!(report.totals(), plain_report.totals());
    assert!(plain_report.creators[0].error.is_none());
}

#[tokio::test]
async fn without_any_library_the_error_says_so() {
    let mut w = World::standard();
    scanning(&mut w);
    w.fake().libraries = Some(vec![]);
    let (report, _) = w.run().await;
    assert_eq!(w.fake().calls("start_scan"), 0);
    let error = report.creators[0].error.as_deref().unwrap();
    assert!(
        !error.starts_with("stopped"),
        "the creator was synced, not stopped: {error}"
    );
    assert!(
        error.contains("Stash has no library path configured")
            && error.contains("Settings > Library"),
        "{error}"
    );
}

#[tokio::test]
async fn a_library_that_excludes_images_is_scanned_with_a_note_saying_so() {
    let mut w = World::standard();
    scanning(&mut w);
    w.fake().libraries = Some(vec![LibraryPath {
        exclude_image: true,
        ..LibraryPath::new("/stash/")
    }]);
    let (report, _) = w.run().await;
    assert_eq!(w.fake().calls("start_scan"), 1);
    assert!(report.creators[0].error.is_none(), "{:?}", report.creators);
    let notes: Vec<_> = report
        .skipped
        .iter()
        .filter(|n| n.reason.contains("excludes images"))
        .collect();
    assert_eq!(notes.len(), 1, "{:?}", report.skipped);
    assert_eq!(notes[0].what, ROOT);
    assert!(
        notes[0].reason.contains("/stash/") && notes[0].reason.contains("Settings > Library"),
        "{}",
        notes[0].reason
    );

    // A library that takes both gives no such note.
    let mut w = World::standard();
    scanning(&mut w);
    let (report, _) = w.run().await;
    assert!(!report.skipped.iter().any(|n| n.reason.contains("excludes")));
}

#[tokio::test]
async fn library_paths_are_read_once_per_run_not_once_per_creator() {
    let mut w = World::standard();
    scanning(&mut w);
    let m = media(7_001, "image/jpeg", MediaRole::Main);
    w.fake()
        .add_file("/stash/bob_fansly/Timeline", &file_of(&m));
    w.items
        .lock()
        .unwrap()
        .push(post(&bob(), 7_000, "Bob's first post here", 9, vec![m]));
    for _ in 0..2 {
        w.fake().reset_calls();
        let (monitor, _) = SyncMonitor::collecting();
        let report = w
            .engine(None)
            .sync_creators(&[alice(), bob()], &monitor, &CancelFlag::new())
            .await
            .unwrap();
        assert!(report.creators.iter().all(|c| c.error.is_none()));
        let s = w.fake();
        assert_eq!(s.calls("library_paths"), 1);
        assert_eq!(s.calls("start_scan"), 2);
    }

    // A dry run does not scan, so it does not read them either.
    w.opts.dry_run = true;
    w.fake().reset_calls();
    let (monitor, _) = SyncMonitor::collecting();
    w.engine(None)
        .sync_creators(&[alice()], &monitor, &CancelFlag::new())
        .await
        .unwrap();
    assert_eq!(w.fake().calls("library_paths"), 0);
}

#[tokio::test]
async fn a_failed_library_read_stops_only_the_creator_unless_stash_is_unusable() {
    let mut w = World::standard();
    scanning(&mut w);
    w.fake().library_error = Some(MediaServerError::Server {
        status: 500,
        body: "boom".into(),
    });
    let (report, _) = w.run().await;
    assert_eq!(w.fake().calls("start_scan"), 0);
    let error = report.creators[0].error.as_deref().unwrap();
    assert!(
        error.contains("Stash request failed") && error.contains("500"),
        "{error}"
    );

    w.fake().library_error = Some(MediaServerError::Unauthorized);
    let result = w.run_with(None, &CancelFlag::new()).await;
    assert!(matches!(
        result,
        Err(SyncError::Stash(MediaServerError::Unauthorized))
    ));
}

#[tokio::test]
async fn a_stop_while_the_scan_job_runs_ends_the_wait_and_the_run_is_interrupted() {
    let mut w = World::standard();
    scanning(&mut w);
    let flag = CancelFlag::new();
    // The stop arrives once the job is started: the wait for it must not outlast the stop.
    w.fake().cancel_on = Some(("start_scan".into(), flag.clone()));
    let (report, log) = w.run_with(None, &flag).await.unwrap();
    assert!(report.interrupted);
    assert_eq!(report.outcome(), RunOutcome::Interrupted);
    assert!(matches!(
        log.events().last(),
        Some(SyncEvent::RunFinished { interrupted: true })
    ));
    {
        let s = w.fake();
        let calls: Vec<&str> = s.calls.keys().map(String::as_str).collect();
        // No read-back, no file listing, no write: nothing after the scan phase.
        assert_eq!(calls, ["library_paths", "server_info", "start_scan"]);
        assert_eq!(s.calls("start_scan"), 1);
    }

    // The next run scans again and completes.
    w.fake().cancel_on = None;
    let (report, _) = w.run().await;
    assert_eq!(report.outcome(), RunOutcome::Ok, "{:?}", report.creators);
    assert_eq!(w.fake().calls("start_scan"), 1);
    assert_eq!(w.fake().calls("wait_for_job"), 1);
}
