//! What a Stash plugin process needs from the double, as Stash v0.30.1 does it: the `session`
//! cookie of a logged-in user authorizes a request without the API key (`n_auth.txt`: no or a
//! wrong credential is 401 with an empty body and `Www-Authenticate: FormBased`), and plugin
//! settings stored by `configurePlugin` come back through `configuration { plugins }` with
//! their JSON types (`r_plugin_raw_task.txt`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Env;
use serde_json::{Value, json};

async fn post_cookie(env: &Env, cookie: Option<&str>) -> (u16, Option<String>, String) {
    let mut req = env
        .http
        .post(env.double.graphql_url())
        .json(&json!({"query": "{ version { version } }"}));
    if let Some(c) = cookie {
        req = req.header("Cookie", c);
    }
    let r = req.send().await.unwrap();
    let www = r
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    (r.status().as_u16(), www, r.text().await.unwrap())
}

#[tokio::test]
async fn a_session_cookie_authorizes_like_the_api_key() {
    let env = Env::with(|c| c.api_key = Some("secret-key".into())).await;
    let (s, www, body) = post_cookie(&env, None).await;
    assert_eq!(
        (s, www.as_deref(), body.as_str()),
        (401, Some("FormBased"), "")
    );
    let (s, www, body) = post_cookie(&env, Some("session=forged")).await;
    assert_eq!(
        (s, www.as_deref(), body.as_str()),
        (401, Some("FormBased"), ""),
        "a cookie the server never issued is refused"
    );
    let session = env.double.log_in();
    let (s, _, body) = post_cookie(&env, Some(&format!("session={session}"))).await;
    assert_eq!(s, 200, "{body}");
    assert!(body.contains("v0.30.1"), "{body}");
    let (s, _, _) = post_cookie(&env, Some(&format!("theme=dark; session={session}"))).await;
    assert_eq!(s, 200, "found among other cookies");
    let (s, _, _) = post_cookie(&env, Some(&format!("other={session}"))).await;
    assert_eq!(s, 401, "only the cookie named session counts");
}

#[tokio::test]
async fn without_credentials_a_cookie_is_not_needed() {
    let env = Env::start().await;
    let (s, _, _) = post_cookie(&env, None).await;
    assert_eq!(s, 200);
    let (s, _, _) = post_cookie(&env, Some("session=anything")).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn configure_plugin_then_read_it_back_with_types() {
    let env = Env::start().await;
    let none = env
        .ok(
            r#"{ configuration { plugins(include: ["fansly-stash"]) } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        none,
        json!({"configuration": {"plugins": {}}}),
        "an unconfigured plugin is absent"
    );
    let stored = env
        .ok(
            r#"mutation { configurePlugin(plugin_id: "fansly-stash", input: {metadata_db: "postgres://x", batch_size: 100, tag_previews_trailer: false}) }"#,
            json!({}),
        )
        .await;
    assert_eq!(stored["configurePlugin"]["batch_size"], json!(100));
    env.ok(
        r#"mutation($i: Map!) { configurePlugin(plugin_id: "other", input: $i) }"#,
        json!({"i": {"a": "b"}}),
    )
    .await;
    let read = env
        .ok(
            r#"query($ids: [ID!]) { configuration { plugins(include: $ids) } }"#,
            json!({"ids": ["fansly-stash"]}),
        )
        .await;
    assert_eq!(
        read,
        json!({"configuration": {"plugins": {"fansly-stash": {
            "batch_size": 100, "metadata_db": "postgres://x", "tag_previews_trailer": false
        }}}})
    );
    let all = env.ok("{ configuration { plugins } }", json!({})).await;
    let ids: Vec<&String> = match &all["configuration"]["plugins"] {
        Value::Object(m) => m.keys().collect(),
        other => panic!("{other}"),
    };
    assert_eq!(ids, ["fansly-stash", "other"]);
    // configurePlugin replaces the whole map.
    env.ok(
        r#"mutation { configurePlugin(plugin_id: "fansly-stash", input: {batch_size: 7}) }"#,
        json!({}),
    )
    .await;
    let read = env
        .ok(
            r#"{ configuration { plugins(include: ["fansly-stash"]) } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        read["configuration"]["plugins"]["fansly-stash"],
        json!({"batch_size": 7})
    );
}
