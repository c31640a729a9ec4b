//! Transport behaviour over real HTTP: validation (422, or 400 for `Accept: */*` on
//! v0.29+), malformed JSON, variable coercion errors, health, API-key auth, path prefix,
//! `version` and `systemStatus`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Env;
use serde_json::{Value, json};
use stash_double::SystemStatusKind;

async fn post_with_accept(env: &Env, accept: Option<&str>, body: &str) -> (u16, String, Value) {
    let mut req = env
        .http
        .post(env.double.graphql_url())
        .header("Content-Type", "application/json")
        .body(body.to_owned());
    if let Some(a) = accept {
        req = req.header("Accept", a);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = r.text().await.unwrap();
    (
        status,
        ct,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn unknown_field_is_422_with_validation_code_and_location() {
    let env = Env::start().await;
    let body = json!({"query": "{ findScenes { scenes { id nope } } }"}).to_string();
    let (status, ct, v) = post_with_accept(&env, Some("application/json"), &body).await;
    assert_eq!(status, 422);
    assert!(ct.starts_with("application/json"));
    assert_eq!(v["data"], Value::Null);
    let e = &v["errors"][0];
    assert_eq!(
        e["message"],
        "Cannot query field \"nope\" on type \"Scene\". Did you mean \"code\"?"
    );
    assert_eq!(e["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
    assert_eq!(e["locations"][0]["line"], 1);
}

#[tokio::test]
async fn accept_star_gives_400_graphql_response_on_new_versions_only() {
    let env = Env::start().await;
    let body = json!({"query": "{ findScenes { nope } }"}).to_string();
    let (status, ct, v) = post_with_accept(&env, Some("*/*"), &body).await;
    assert_eq!(status, 400);
    assert_eq!(ct, "application/graphql-response+json");
    assert_eq!(
        v["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    let (status, _, _) = post_with_accept(&env, Some("application/*"), &body).await;
    assert_eq!(status, 400);
    let (status, _, _) = post_with_accept(&env, Some("application/json"), &body).await;
    assert_eq!(status, 422);

    let old = Env::with(|c| c.version = "v0.28.1".into()).await;
    let (status, _, _) = post_with_accept(&old, Some("*/*"), &body).await;
    assert_eq!(status, 422, "servers before v0.29 always answer 422");
}

#[tokio::test]
async fn syntax_error_has_parse_failed_code() {
    let env = Env::start().await;
    let body = json!({"query": "{ findScenes { "}).to_string();
    let (status, _, v) = post_with_accept(&env, Some("application/json"), &body).await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["extensions"]["code"], "GRAPHQL_PARSE_FAILED");
}

#[tokio::test]
async fn malformed_json_is_400() {
    let env = Env::start().await;
    let (status, _, v) = post_with_accept(&env, Some("application/json"), "{not json").await;
    assert_eq!(status, 400);
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("could not be decoded")
    );
}

#[tokio::test]
async fn unknown_input_field_in_variables_is_reported_at_its_path() {
    let env = Env::start().await;
    let (status, v) = env
        .post_raw(&json!({
            "query": "mutation($input: ScanMetadataInput!){ metadataScan(input: $input) }",
            "variables": {"input": {"useFileMetadata": true}}
        }))
        .await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["message"], "unknown field");
    assert_eq!(
        v["errors"][0]["path"],
        json!(["variable", "input", "useFileMetadata"])
    );
    assert_eq!(v["data"], Value::Null);
    assert!(
        env.double.dump()["jobs"].as_array().unwrap().is_empty(),
        "nothing ran"
    );
}

#[tokio::test]
async fn inline_unknown_input_field_is_a_validation_error() {
    let env = Env::start().await;
    let (status, v) = env
        .post_raw(&json!({"query": "mutation { metadataScan(input: {useFileMetadata: true}) }"}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        v["errors"][0]["message"],
        "Field \"useFileMetadata\" is not defined by type \"ScanMetadataInput\"."
    );
}

#[tokio::test]
async fn bad_variable_types_are_rejected() {
    let env = Env::start().await;
    let q = "query($f: FindFilterType){ findTags(filter: $f){ count } }";
    let (status, v) = env
        .post_raw(&json!({"query": q, "variables": {"f": {"per_page": "ten"}}}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["message"], "cannot use string as Int");
    assert_eq!(v["errors"][0]["path"], json!(["variable", "f", "per_page"]));
    let (status, v) = env
        .post_raw(&json!({"query": q, "variables": {"f": {"direction": "UP"}}}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        v["errors"][0]["message"],
        "UP is not a valid SortDirectionEnum"
    );
    let (status, v) = env
        .post_raw(
            &json!({"query": "query($id: ID!){ findGallery(id: $id){ id } }", "variables": {}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(v["errors"][0]["message"], "must be defined");
}

#[tokio::test]
async fn imagecreate_does_not_exist() {
    let env = Env::start().await;
    let (status, v) = env
        .post_raw(&json!({"query": "mutation { imageCreate(input: {}) { id } }"}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        v["errors"][0]["message"],
        "Cannot query field \"imageCreate\" on type \"Mutation\". Did you mean \"imageUpdate\", \"tagCreate\", or \"imagesUpdate\"?",
        "gqlparser's hint, from the fields our subset declares"
    );
}

#[tokio::test]
async fn healthz_answers_before_auth() {
    let env = Env::with(|c| c.api_key = Some("k".into())).await;
    let r = env
        .http
        .get(format!("http://{}/healthz", env.double.addr()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.text().await.unwrap(), ".");
}

async fn post_key(env: &Env, key: Option<&str>, url: &str) -> (u16, Option<String>, String) {
    let mut req = env
        .http
        .post(url)
        .json(&json!({"query": "{ version { version } }"}));
    if let Some(k) = key {
        req = req.header("ApiKey", k);
    }
    let r = req.send().await.unwrap();
    let www = r
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    (r.status().as_u16(), www, r.text().await.unwrap())
}

#[tokio::test]
async fn api_key_auth() {
    let env = Env::with(|c| c.api_key = Some("secret-key".into())).await;
    let url = env.double.graphql_url();
    let (s, www, body) = post_key(&env, None, &url).await;
    assert_eq!(
        (s, www.as_deref(), body.as_str()),
        (401, Some("FormBased"), "")
    );
    let (s, _, body) = post_key(&env, Some("wrong"), &url).await;
    assert_eq!((s, body.as_str()), (401, ""));
    let (s, _, body) = post_key(&env, Some("secret-key"), &url).await;
    assert_eq!(s, 200, "{body}");
    let (s, _, _) = post_key(&env, None, &format!("{url}?apikey=secret-key")).await;
    assert_eq!(s, 200, "query parameter works too");
    assert_eq!(
        env.double.counters().http_requests,
        4,
        "rejected requests are counted"
    );

    let open = Env::start().await;
    let (s, _, body) = post_key(&open, Some("unexpected"), &open.double.graphql_url()).await;
    assert_eq!(
        (s, body.as_str()),
        (401, ""),
        "a key sent to a server without one is refused"
    );
}

#[tokio::test]
async fn path_prefix_moves_the_endpoint() {
    let env = Env::with(|c| c.path_prefix = "/stash".into()).await;
    assert!(env.double.graphql_url().ends_with("/stash/graphql"));
    let d = env
        .ok("{ version { version hash build_time } }", json!({}))
        .await;
    assert_eq!(d["version"]["version"], "v0.30.1");
    let r = env
        .http
        .post(format!("http://{}/graphql", env.double.addr()))
        .json(&json!({"query": "{ version { version } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn version_and_system_status_are_configurable() {
    let env = Env::with(|c| {
        c.version = "v0.27.2".into();
        c.app_schema = 68;
        c.status = SystemStatusKind::NeedsMigration;
        c.ffmpeg = false;
    })
    .await;
    let q = "{ version { version } systemStatus { status appSchema databaseSchema ffmpegPath } }";
    let d = env.ok(q, json!({})).await;
    assert_eq!(d["version"]["version"], "v0.27.2");
    assert_eq!(d["systemStatus"]["status"], "NEEDS_MIGRATION");
    assert_eq!(d["systemStatus"]["appSchema"], 68);
    assert_eq!(d["systemStatus"]["databaseSchema"], 67);
    assert_eq!(d["systemStatus"]["ffmpegPath"], Value::Null);
    env.double.set_status(SystemStatusKind::Setup);
    assert_eq!(
        env.ok(q, json!({})).await["systemStatus"]["status"],
        "SETUP"
    );
    env.double.set_status(SystemStatusKind::Ok);
    let d = env.ok(q, json!({})).await;
    assert_eq!(d["systemStatus"]["status"], "OK");
    assert_eq!(d["systemStatus"]["databaseSchema"], 68);
}

#[tokio::test]
async fn aliases_fragments_unions_and_typename_are_honoured() {
    let env = Env::start().await;
    env.scanned(&["v.mp4", "i.png"]).await;
    let q = r#"
        fragment F on BaseFile { __typename basename fingerprint(type: "md5") }
        query Q {
          a: findImages { images { visual_files { __typename ... on ImageFile { format } ... on VideoFile { duration } } } }
          b: findFiles(filter: {sort: "id"}) { count files { ...F } }
        }"#;
    let d = env.ok(q, json!({})).await;
    assert_eq!(
        d["a"]["images"][0]["visual_files"][0],
        json!({"__typename": "ImageFile", "format": "png"})
    );
    assert_eq!(d["b"]["count"], 2);
    let types: Vec<&str> = d["b"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["__typename"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["ImageFile", "VideoFile"]);
    assert_eq!(
        d["b"]["files"][0]["fingerprint"].as_str().unwrap().len(),
        32
    );
}
