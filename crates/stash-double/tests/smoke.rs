//! A first end-to-end pass over real HTTP: status, create, scan, find, update.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::json;

#[tokio::test]
async fn vertical_slice_works_over_http() {
    let env = common::Env::start().await;
    let d = env
        .ok(
            "{ version { version } systemStatus { status appSchema } }",
            json!({}),
        )
        .await;
    assert_eq!(d["version"]["version"], "v0.30.1");
    assert_eq!(d["systemStatus"]["status"], "OK");
    let p = env.create("performerCreate", json!({"name": "Jane"})).await;
    let paths = env.scanned(&["a/v1.mp4", "a/i1.jpg"]).await;
    let scene = env.scene_id_by_path(&paths[0]).await;
    let d = env
        .ok(
            "mutation($i:SceneUpdateInput!){sceneUpdate(input:$i){id title performers{name} files{path basename}}}",
            json!({"i": {"id": scene, "title": "Hello", "performer_ids": [p]}}),
        )
        .await;
    assert_eq!(d["sceneUpdate"]["title"], "Hello");
    assert_eq!(d["sceneUpdate"]["performers"][0]["name"], "Jane");
    assert_eq!(d["sceneUpdate"]["files"][0]["basename"], "v1.mp4");
    let c = env.double.counters();
    assert_eq!(c.requests_with("sceneUpdate"), 1);
    assert_eq!(env.double.dump()["images"].as_array().unwrap().len(), 1);
}
