//! Failures: retries on injected 500s, 503s and 429s (waiting as long as `Retry-After` asks,
//! within the policy), timeouts, dropped connections and "database is locked"; creates never
//! retried blindly (look up by natural key first); bisection isolating a bad item; failures
//! never reported as "not found" or "empty".
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{Lab, owners_under};
use domain::Patch;
use domain::ids::{SceneId, StudioId};
use domain::ports::{MediaServer, MediaServerError};
use domain::stash::{NewGallery, ScenePatch};
use stash_adapter::{RetryPolicy, StashClient};
use stash_double::Fault;

fn gallery(code: &str) -> NewGallery {
    NewGallery {
        key: code.into(),
        title: format!("Gallery {code}"),
        code: Some(code.into()),
        details: None,
        date: None,
        urls: vec![],
        organized: false,
        studio_id: None,
        performer_ids: vec![],
        tag_ids: vec![],
        scene_ids: vec![],
    }
}

async fn lab_with_scenes(n: usize) -> (Lab, StashClient, Vec<SceneId>) {
    let lab = Lab::start().await;
    lab.write_files("s", "v", "mp4", n);
    lab.scan().await;
    let client = lab.client().await;
    let (scenes, _) = owners_under(&client, &lab.folder("s")).await;
    lab.double.reset_counters();
    (lab, client, scenes)
}

#[tokio::test]
async fn queries_are_retried_on_500_and_503() {
    let (lab, client, scenes) = lab_with_scenes(3).await;
    lab.double
        .faults()
        .inject(Some("findScenes"), 2, Fault::Http500);
    let before = client
        .request_stats()
        .per_operation
        .get("FindScenesByIds")
        .copied()
        .unwrap_or(0);
    let found = client.scenes_by_ids(&scenes).await.unwrap();
    assert_eq!(found.len(), 3);
    assert_eq!(
        client.request_stats().per_operation["FindScenesByIds"] - before,
        3
    );
    assert_eq!(lab.double.counters().http_requests, 3);

    lab.double
        .faults()
        .inject(Some("findScenes"), 1, Fault::Status(503));
    assert_eq!(client.scenes_by_ids(&scenes).await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_failure_that_persists_is_an_error_never_an_empty_result() {
    let (lab, client, scenes) = lab_with_scenes(2).await;
    lab.double
        .faults()
        .inject(Some("findScenes"), 10, Fault::Http500);
    let err = client.scenes_by_ids(&scenes).await.unwrap_err();
    assert!(
        matches!(err, MediaServerError::Server { status: 500, .. }),
        "{err:?}"
    );
    // 1 attempt + 3 retries (the test policy), then the error surfaces.
    assert_eq!(lab.double.counters().http_requests, 4);
    lab.double.faults().clear();

    lab.double
        .faults()
        .inject(Some("findScenes"), 10, Fault::Http500);
    let err = client.list_files(&lab.folder("s"), None).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
}

#[tokio::test]
async fn timeouts_are_typed_and_retried() {
    let (lab, _, scenes) = lab_with_scenes(2).await;
    let mut cfg = lab.config();
    cfg.request_timeout = Duration::from_millis(300);
    let client = StashClient::connect(cfg.clone()).await.unwrap();
    lab.double
        .faults()
        .inject(Some("findScenes"), 1, Fault::Delay(Duration::from_secs(3)));
    assert_eq!(client.scenes_by_ids(&scenes).await.unwrap().len(), 2);
    assert_eq!(client.request_stats().per_operation["FindScenesByIds"], 2);

    cfg.retry = RetryPolicy::none();
    let client = StashClient::connect(cfg).await.unwrap();
    lab.double
        .faults()
        .inject(Some("findScenes"), 1, Fault::Delay(Duration::from_secs(3)));
    let err = client.scenes_by_ids(&scenes).await.unwrap_err();
    match err {
        MediaServerError::Timeout { operation, after } => {
            assert_eq!(operation, "FindScenesByIds");
            assert_eq!(after, Duration::from_millis(300));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn dropped_connections_are_retried_for_updates() {
    let (lab, client, scenes) = lab_with_scenes(4).await;
    lab.double
        .faults()
        .inject(Some("scenesUpdate"), 1, Fault::DropConnection);
    let patches: Vec<ScenePatch> = scenes
        .iter()
        .map(|id| ScenePatch {
            details: Patch::Set("d".into()),
            ..ScenePatch::new(id.clone())
        })
        .collect();
    let outcome = client.update_scenes(&patches).await.unwrap();
    assert_eq!(outcome.applied.len(), 4);
    assert_eq!(lab.double.counters().requests_with("scenesUpdate"), 2);
}

#[tokio::test]
async fn database_is_locked_is_retried() {
    let (lab, client, scenes) = lab_with_scenes(3).await;
    lab.double
        .faults()
        .inject(Some("scenesUpdate"), 2, Fault::DatabaseLocked);
    let patches: Vec<ScenePatch> = scenes
        .iter()
        .map(|id| ScenePatch {
            title: Patch::Set("locked?".into()),
            ..ScenePatch::new(id.clone())
        })
        .collect();
    let outcome = client.update_scenes(&patches).await.unwrap();
    assert_eq!(outcome.applied.len(), 3);
    assert!(outcome.failed.is_empty());
    assert_eq!(client.request_stats().per_operation["ScenesUpdate"], 3);
    let scenes_now = client.scenes_by_ids(&scenes).await.unwrap();
    assert!(
        scenes_now
            .values()
            .all(|s| s.fields.title.as_deref() == Some("locked?"))
    );
}

#[tokio::test]
async fn a_create_is_never_retried_blindly() {
    let lab = Lab::start().await;
    let client = lab.client().await;
    lab.double.reset_counters();
    // The first create request fails with a 500 (nothing written): the adapter looks the
    // codes up first, then creates what is missing, once.
    lab.double
        .faults()
        .inject(Some("galleryCreate"), 1, Fault::Http500);
    let made = client
        .create_galleries(&[gallery("111"), gallery("222")])
        .await
        .unwrap();
    assert!(made.values().all(Result::is_ok), "{made:?}");
    let c = lab.double.counters();
    assert_eq!(c.requests_with("galleryCreate"), 2);
    assert_eq!(c.requests_with("findGalleries"), 1);
    assert_eq!(lab.double.dump()["galleries"].as_array().unwrap().len(), 2);

    // The objects exist already (as after a create whose answer was lost): the unclear
    // failure leads to adoption, no second create.
    lab.double.reset_counters();
    lab.double
        .faults()
        .inject(Some("galleryCreate"), 1, Fault::DropConnection);
    let again = client.create_galleries(&[gallery("111")]).await.unwrap();
    let adopted = again["111"].as_ref().unwrap();
    assert_eq!(adopted.id, made["111"].as_ref().unwrap().id);
    assert_eq!(lab.double.counters().requests_with("galleryCreate"), 1);
    assert_eq!(lab.double.dump()["galleries"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_create_refused_for_one_item_reports_that_item_only() {
    let lab = Lab::start().await;
    let client = lab.client().await;
    let mut bad = gallery("333");
    bad.studio_id = Some(StudioId::new("9999"));
    let made = client
        .create_galleries(&[gallery("444"), bad])
        .await
        .unwrap();
    assert!(made["444"].is_ok());
    let err = made["333"].as_ref().unwrap_err();
    // Stash refuses it over the unknown studio id: told apart as a stale reference.
    assert!(
        matches!(err, MediaServerError::StaleReference { .. }),
        "{err:?}"
    );
    assert_eq!(lab.double.dump()["galleries"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_refused_chunk_is_bisected_to_isolate_the_bad_item() {
    let (lab, client, scenes) = lab_with_scenes(8).await;
    let mut patches: Vec<ScenePatch> = scenes
        .iter()
        .map(|id| ScenePatch {
            code: Patch::Set("ok".into()),
            ..ScenePatch::new(id.clone())
        })
        .collect();
    patches[5].id = SceneId::new("77777");
    let outcome = client.update_scenes(&patches).await.unwrap();
    assert_eq!(outcome.applied.len(), 7);
    assert_eq!(outcome.failed.len(), 1);
    assert_eq!(outcome.failed[0].0, SceneId::new("77777"));
    assert!(
        outcome.failed[0].1.to_string().contains("not found"),
        "{}",
        outcome.failed[0].1
    );
    let now = client.scenes_by_ids(&scenes).await.unwrap();
    assert_eq!(
        now.values()
            .filter(|s| s.fields.code.as_deref() == Some("ok"))
            .count(),
        7
    );
    // 1 refused chunk of 8, then halves: far fewer requests than one per item.
    assert!(lab.double.counters().requests_with("scenesUpdate") <= 7);
}

/// A client with many cheap retries, so that only `Retry-After` makes the delays long: the
/// number of requests inside the total budget then shows which delays were used.
async fn client_with_budget(lab: &Lab, max_delay: Duration, total: Duration) -> StashClient {
    let mut cfg = lab.config();
    cfg.retry = RetryPolicy {
        max_retries: 20,
        min_delay: Duration::from_millis(1),
        max_delay,
        max_total_delay: total,
    };
    StashClient::connect(cfg).await.unwrap()
}

#[tokio::test]
async fn retry_after_is_waited_for_within_the_total_budget() {
    let (lab, _, scenes) = lab_with_scenes(2).await;
    let client = client_with_budget(&lab, Duration::from_secs(5), Duration::from_secs(2)).await;
    lab.double.reset_counters();
    lab.double
        .faults()
        .inject(Some("findScenes"), 10, Fault::StatusWithRetryAfter(503, 1));
    let err = client.scenes_by_ids(&scenes).await.unwrap_err();
    assert!(
        matches!(err, MediaServerError::Server { status: 503, .. }),
        "{err:?}"
    );
    // Waits of 1 s (not the 1 ms backoff) fill the 2 s budget after two retries; the
    // backoff alone would have retried far more often in that time.
    assert_eq!(lab.double.counters().requests_with("findScenes"), 3);
    lab.double.faults().clear();

    // Once the server is ready again, the retry succeeds.
    lab.double.reset_counters();
    lab.double
        .faults()
        .inject(Some("findScenes"), 1, Fault::StatusWithRetryAfter(429, 1));
    assert_eq!(client.scenes_by_ids(&scenes).await.unwrap().len(), 2);
    assert_eq!(lab.double.counters().requests_with("findScenes"), 2);
}

#[tokio::test]
async fn a_long_retry_after_is_capped_by_the_largest_delay() {
    let (lab, _, scenes) = lab_with_scenes(1).await;
    let client = client_with_budget(&lab, Duration::from_millis(300), Duration::from_secs(1)).await;
    lab.double.reset_counters();
    lab.double.faults().inject(
        Some("findScenes"),
        20,
        Fault::StatusWithRetryAfter(429, 120),
    );
    let err = client.scenes_by_ids(&scenes).await.unwrap_err();
    assert!(
        matches!(err, MediaServerError::Server { status: 429, .. }),
        "{err:?}"
    );
    // 300 + 300 + 300 + the 100 ms left of the budget: four retries, never a 120 s wait.
    assert_eq!(lab.double.counters().requests_with("findScenes"), 5);
}

#[tokio::test]
async fn a_create_refused_with_429_is_retried_after_the_wait_and_made_once() {
    let lab = Lab::start().await;
    let client = client_with_budget(&lab, Duration::from_secs(5), Duration::from_secs(5)).await;
    lab.double.reset_counters();
    lab.double.faults().inject(
        Some("galleryCreate"),
        1,
        Fault::StatusWithRetryAfter(429, 1),
    );
    let made = client.create_galleries(&[gallery("555")]).await.unwrap();
    assert!(made["555"].is_ok(), "{made:?}");
    assert_eq!(lab.double.counters().requests_with("galleryCreate"), 2);
    assert_eq!(lab.double.dump()["galleries"].as_array().unwrap().len(), 1);
}
