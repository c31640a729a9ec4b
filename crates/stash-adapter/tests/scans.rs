//! Scans and jobs: explicit flags, FINISHED / FAILED / CANCELLED as terminal states with the
//! job's error surfaced, a job that vanished from the 10-job history, the overall deadline,
//! and the read-back confirming scanned files are visible.
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

#[tokio::test]
async fn a_scan_finishes_and_its_files_become_visible() {
    let lab = Lab::start().await;
    let paths = lab.write_files("new", "v", "mp4", 3);
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
    let wanted: Vec<String> = paths
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let missing = client
        .wait_for_files(&wanted, Duration::from_secs(10))
        .await
        .unwrap();
    assert!(missing.is_empty(), "{missing:?}");
    let absent = client
        .wait_for_files(
            &[format!("{}/nope.mp4", lab.folder("new"))],
            Duration::from_millis(200),
        )
        .await
        .unwrap();
    assert_eq!(absent.len(), 1);
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
