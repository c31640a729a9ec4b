//! Fault injection (HTTP 500/other statuses, delays, dropped connections, locked database),
//! latency, one writer at a time, request counters and the state dump.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::Env;
use serde_json::json;
use stash_double::Fault;

#[tokio::test]
async fn http_status_faults_hit_matching_requests_only() {
    let env = Env::start().await;
    env.double
        .faults()
        .inject(Some("tagCreate"), 1, Fault::Http500);
    env.double.faults().inject(None, 1, Fault::Status(503));
    let (s, _) = env
        .post_raw(&json!({"query": "{ version { version } }"}))
        .await;
    assert_eq!(s, 503, "the any-request fault takes the first request");
    let r = env
        .http
        .post(env.double.graphql_url())
        .json(&json!({"query": "mutation { tagCreate(input: {name: \"t\"}) { id } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 500);
    assert_eq!(r.text().await.unwrap(), "internal error");
    assert_eq!(
        env.double.dump()["tags"].as_array().unwrap().len(),
        0,
        "nothing written"
    );
    env.create("tagCreate", json!({"name": "t"})).await;
    assert_eq!(env.double.faults().pending(), 0);
}

#[tokio::test]
async fn delay_fault_and_latency_trip_client_timeouts() {
    let env = Env::start().await;
    env.double.faults().inject(
        Some("findTags"),
        1,
        Fault::Delay(Duration::from_millis(800)),
    );
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let r = client
        .post(env.double.graphql_url())
        .json(&json!({"query": "{ findTags { count } }"}))
        .send()
        .await;
    assert!(r.unwrap_err().is_timeout());
    let r = client
        .post(env.double.graphql_url())
        .json(&json!({"query": "{ findTags { count } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "the delay was used up");

    let slow = Env::with(|c| c.latency_per_request = Duration::from_millis(800)).await;
    let r = client
        .post(slow.double.graphql_url())
        .json(&json!({"query": "{ version { version } }"}))
        .send()
        .await;
    assert!(
        r.unwrap_err().is_timeout(),
        "configured latency applies to every request"
    );
}

#[tokio::test]
async fn a_slow_answer_writes_at_once_and_answers_late() {
    let env = Env::start().await;
    env.double.faults().inject(
        Some("tagCreate"),
        1,
        Fault::SlowAnswer(Duration::from_millis(800)),
    );
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let r = client
        .post(env.double.graphql_url())
        .json(&json!({"query": "mutation { tagCreate(input: {name: \"Late\"}) { id } }"}))
        .send()
        .await;
    assert!(r.unwrap_err().is_timeout(), "the answer came late");
    let tags = env.double.dump()["tags"].as_array().unwrap().clone();
    assert_eq!(
        tags.len(),
        1,
        "the write happened before the answer: {tags:?}"
    );
}

#[tokio::test]
async fn dropped_connection_gives_no_http_response() {
    let env = Env::start().await;
    env.double
        .faults()
        .inject(Some("findScenes"), 1, Fault::DropConnection);
    let err = env
        .http
        .post(env.double.graphql_url())
        .json(&json!({"query": "{ findScenes { count } }"}))
        .send()
        .await
        .unwrap_err();
    assert!(err.status().is_none() && !err.is_timeout(), "{err:?}");
    env.ok("{ findScenes { count } }", json!({})).await;
}

#[tokio::test]
async fn database_locked_fails_every_root_field_and_writes_nothing() {
    let env = Env::start().await;
    env.double
        .faults()
        .inject(Some("tagCreate"), 1, Fault::DatabaseLocked);
    let body = env
        .gql("mutation { a: tagCreate(input: {name: \"a\"}) { id } b: tagCreate(input: {name: \"b\"}) { id } }", json!({}))
        .await;
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(
        errors[0]["message"],
        "beginning transaction: database is locked"
    );
    assert_eq!(errors[1]["path"], json!(["b"]));
    assert_eq!(env.double.dump()["tags"], json!([]));
    assert_eq!(env.double.counters().written_objects, 0);
}

#[tokio::test]
async fn mutations_run_one_at_a_time_while_queries_continue() {
    let env = Env::with(|c| c.cost_per_written_object = Duration::from_millis(200)).await;
    let url = env.double.graphql_url();
    let http = env.http.clone();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<&'static str>();
    let send = |label: &'static str, query: String| {
        let (http, url, tx) = (http.clone(), url.clone(), tx.clone());
        tokio::spawn(async move {
            let r = http
                .post(url)
                .json(&json!({"query": query}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200);
            r.text().await.unwrap();
            tx.send(label).unwrap();
        })
    };
    // The first mutation writes 4 objects (4 x cost); the second writes 1.
    let big = "mutation { a: tagCreate(input: {name: \"a\"}) { id } b: tagCreate(input: {name: \"b\"}) { id } c: tagCreate(input: {name: \"c\"}) { id } d: tagCreate(input: {name: \"d\"}) { id } }";
    let h1 = send("big", big.to_owned());
    // Wait until the big mutation has executed (it then holds the writer for 4 x 200 ms), so
    // the order below does not depend on how fast a loaded machine delivers the first request.
    let tags_written = || env.double.dump()["tags"].as_array().map_or(0, Vec::len);
    while tags_written() < 4 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let h2 = send(
        "small",
        "mutation { tagCreate(input: {name: \"e\"}) { id } }".to_owned(),
    );
    let h3 = send("query", "{ findTags { count } }".to_owned());
    for h in [h1, h2, h3] {
        h.await.unwrap();
    }
    let order: Vec<&str> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
    assert_eq!(
        order,
        vec!["query", "big", "small"],
        "the small write waited for the big one; the read did not"
    );
}

#[tokio::test]
async fn counters_count_requests_operations_fields_and_writes() {
    let env = Env::start().await;
    env.ok(
        "query Probe { version { version } systemStatus { status } }",
        json!({}),
    )
    .await;
    env.ok("mutation Make { x: tagCreate(input: {name: \"x\"}) { id } y: tagCreate(input: {name: \"y\"}) { id } }", json!({})).await;
    env.ok("{ findTags { count } }", json!({})).await;
    let (s, _) = env.post_raw(&json!({"query": "{ nope }"})).await;
    assert_eq!(s, 422);
    let c = env.double.counters();
    assert_eq!(c.http_requests, 4);
    assert_eq!(c.requests_named("Probe"), 1);
    assert_eq!(c.requests_named("Make"), 1);
    assert_eq!(
        c.requests_named("<anonymous>"),
        1,
        "invalid documents are not counted as operations"
    );
    assert_eq!(c.requests_with("tagCreate"), 1);
    assert_eq!(c.root_field_calls["tagCreate"], 2);
    assert_eq!(c.mutation_requests, 1);
    assert_eq!(c.written_objects, 2);
    env.double.reset_counters();
    assert_eq!(
        env.double.counters(),
        stash_double::RequestCounters::default()
    );
}

#[tokio::test]
async fn dump_is_ordered_and_reflects_writes() {
    let env = Env::start().await;
    env.create("tagCreate", json!({"name": "b"})).await;
    env.create("tagCreate", json!({"name": "a"})).await;
    let p = env.scanned(&["d/v.mp4"]).await;
    let scene = env.scene_id_by_path(&p[0]).await;
    env.ok(
        "mutation($i: SceneUpdateInput!){ sceneUpdate(input: $i){ id } }",
        json!({"i": {"id": scene, "tag_ids": ["2", "1"]}}),
    )
    .await;
    let dump = env.double.dump();
    let names: Vec<&str> = dump["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["b", "a"], "ordered by id");
    assert_eq!(dump["scenes"][0]["tag_ids"], json!(["1", "2"]));
    assert_eq!(
        dump["files"][0]["path"],
        p[0].to_string_lossy().into_owned()
    );
    assert_eq!(dump, env.double.dump(), "stable between calls");
}
