//! `configuration { general { stashes } }` over HTTP: the double reports its library roots as
//! Stash's library paths, in order, with videos and images both included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::json;

const QUERY: &str = "query LibraryPaths { configuration { general { stashes { path excludeVideo excludeImage } } } }";

#[tokio::test]
async fn library_roots_are_reported_as_stash_library_paths() {
    let extra = tempfile::tempdir().unwrap();
    let extra_path = extra.path().to_path_buf();
    let env = common::Env::with(|cfg| cfg.library_roots.push(extra_path)).await;
    let d = env.ok(QUERY, json!({})).await;
    let stashes = d["configuration"]["general"]["stashes"].as_array().unwrap();
    assert_eq!(
        stashes,
        &vec![
            json!({"path": env.root().to_string_lossy(), "excludeVideo": false, "excludeImage": false}),
            json!({"path": extra.path().to_string_lossy(), "excludeVideo": false, "excludeImage": false}),
        ]
    );
    let counters = env.double.counters();
    assert_eq!(counters.requests_named("LibraryPaths"), 1);
    assert_eq!(counters.requests_with("configuration"), 1);
}

#[tokio::test]
async fn a_double_without_library_roots_has_no_library_paths() {
    let env = common::Env::with(|cfg| cfg.library_roots.clear()).await;
    let d = env.ok(QUERY, json!({})).await;
    assert_eq!(d["configuration"]["general"]["stashes"], json!([]));
}

#[tokio::test]
async fn configuration_fields_outside_the_subset_are_refused() {
    let env = common::Env::start().await;
    let (status, body) = env
        .post_raw(&json!({"query": "{ configuration { general { databasePath } } }"}))
        .await;
    assert_eq!(status, 422, "{body}");
    let errors = body["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["message"].as_str().unwrap().contains("\"databasePath\"")),
        "{body}"
    );
}
