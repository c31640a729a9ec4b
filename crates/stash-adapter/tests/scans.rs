//! Scans and jobs: explicit flags, FINISHED / FAILED / CANCELLED as terminal states with the
//! job's error surfaced, a job that vanished from the 10-job history, the overall deadline,
//! and the read-back (through the port) confirming scanned files are visible.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::Lab;
use domain::ports::{MediaServer, MediaServerError};
use domain::stash::{JobOutcome, ScanRequest};
use stash_double::{DoubleConfig, Fault};

fn scan_of(path: &str) -> ScanRequest {
    ScanRequest {
        paths: vec![path.to_owned()],
        ..ScanRequest::default()
    }
}

fn names_of(paths: &[std::path::PathBuf]) -> Vec<String> {
    paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[tokio::test]
async fn a_scan_finishes_and_its_files_become_visible() {
    let lab = Lab::start().await;
    let mut paths = lab.write_files("new", "v", "mp4", 3);
    paths.extend(lab.write_files("new/Timeline", "i", "jpg", 2));
    let client = lab.client().await;
    let job = client
        .start_scan(&scan_of(&lab.folder("new")))
        .await
        .unwrap();
    let outcome = client
        .wait_for_job(&job, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(outcome, JobOutcome::Finished);
    let (scenes_before, images_before) = (
        lab.double.counters().requests_with("findScenes"),
        lab.double.counters().requests_with("findImages"),
    );
    let missing = client
        .wait_for_files(
            &lab.folder("new"),
            &names_of(&paths),
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    assert!(missing.is_empty(), "{missing:?}");
    // All there at the first look: one request per kind, no sleeping.
    assert_eq!(
        lab.double.counters().requests_with("findScenes") - scenes_before,
        1
    );
    assert_eq!(
        lab.double.counters().requests_with("findImages") - images_before,
        1
    );

    let absent = client
        .wait_for_files(
            &lab.folder("new"),
            &["nope.mp4".to_owned(), "v00000.mp4".to_owned()],
            Duration::from_millis(300),
        )
        .await
        .unwrap();
    assert_eq!(absent, vec!["nope.mp4".to_owned()]);
}

#[tokio::test]
async fn files_a_running_scan_adds_are_seen_once_they_appear() {
    let lab = Lab::start_with(DoubleConfig {
        cost_per_written_object: Duration::from_millis(60),
        ..DoubleConfig::default()
    })
    .await;
    let paths = lab.write_files("slow", "v", "mp4", 10);
    let client = lab.client().await;
    let job = client
        .start_scan(&scan_of(&lab.folder("slow")))
        .await
        .unwrap();
    // Not waiting for the job: the read-back itself must wait until the files are indexed.
    let missing = client
        .wait_for_files(
            &lab.folder("slow"),
            &names_of(&paths),
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    assert!(missing.is_empty(), "{missing:?}");
    assert!(
        lab.double.counters().requests_with("findScenes") >= 2,
        "the first look cannot have seen all ten files of a scan that writes for 600 ms"
    );
    assert_eq!(
        client
            .wait_for_job(&job, Duration::from_secs(30))
            .await
            .unwrap(),
        JobOutcome::Finished
    );
}

#[tokio::test]
async fn a_file_of_the_same_name_elsewhere_does_not_count() {
    let lab = Lab::start().await;
    let elsewhere = lab.write_files("alice_fansly2", "v", "mp4", 1);
    lab.write_files("alice_fansly", "w", "mp4", 1);
    lab.scan().await;
    let client = lab.client().await;
    let missing = client
        .wait_for_files(
            &lab.folder("alice_fansly"),
            &names_of(&elsewhere),
            Duration::from_millis(200),
        )
        .await
        .unwrap();
    assert_eq!(missing, names_of(&elsewhere));
    // The same name, asked under its own folder, is there.
    let found = client
        .wait_for_files(
            &lab.folder("alice_fansly2"),
            &names_of(&elsewhere),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert!(found.is_empty(), "{found:?}");
}

#[tokio::test]
async fn a_failed_job_is_terminal_and_its_error_surfaces() {
    let lab = Lab::start().await;
    lab.write_files("f", "v", "mp4", 1);
    let client = lab.client().await;
    lab.double
        .faults()
        .inject(None, 1, Fault::FailNextJob("disk on fire".into()));
    let job = client.start_scan(&scan_of(&lab.folder("f"))).await.unwrap();
    let outcome = client
        .wait_for_job(&job, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(outcome, JobOutcome::Failed("disk on fire".into()));

    lab.double.faults().inject(None, 1, Fault::CancelNextJob);
    let job = client.start_scan(&scan_of(&lab.folder("f"))).await.unwrap();
    assert_eq!(
        client
            .wait_for_job(&job, Duration::from_secs(30))
            .await
            .unwrap(),
        JobOutcome::Cancelled
    );
}

#[tokio::test]
async fn a_job_that_left_the_history_counts_as_vanished() {
    let lab = Lab::start().await;
    lab.write_files("h", "v", "mp4", 1);
    let client = lab.client().await;
    let first = client.start_scan(&scan_of(&lab.folder("h"))).await.unwrap();
    let mut last = first.clone();
    for _ in 0..11 {
        last = client.start_scan(&scan_of(&lab.folder("h"))).await.unwrap();
    }
    assert_eq!(
        client
            .wait_for_job(&last, Duration::from_secs(30))
            .await
            .unwrap(),
        JobOutcome::Finished
    );
    assert_eq!(
        client
            .wait_for_job(&first, Duration::from_secs(30))
            .await
            .unwrap(),
        JobOutcome::Vanished
    );
}

#[tokio::test]
async fn waiting_honours_the_deadline() {
    let lab = Lab::start_with(DoubleConfig {
        cost_per_written_object: Duration::from_millis(300),
        ..DoubleConfig::default()
    })
    .await;
    lab.write_files("slow", "v", "mp4", 20);
    let client = lab.client().await;
    let job = client
        .start_scan(&scan_of(&lab.folder("slow")))
        .await
        .unwrap();
    let err = client
        .wait_for_job(&job, Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(
        matches!(err, MediaServerError::JobDeadline { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_scan_without_ffmpeg_fails_at_once_with_the_server_message() {
    let lab = Lab::start_with(DoubleConfig {
        ffmpeg: false,
        ..DoubleConfig::default()
    })
    .await;
    let client = lab.client().await;
    let err = client
        .start_scan(&ScanRequest::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("ffmpeg"), "{err}");
    // A job start is not idempotent: the GraphQL error is not retried.
    assert_eq!(lab.double.counters().requests_with("metadataScan"), 1);
}
