//! Resolver errors: HTTP 200 with `errors[{message, path}]`, the field null (or `data`
//! null for non-null fields), and Stash's exact duplicate-name texts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Env;
use serde_json::{Value, json};

#[tokio::test]
async fn resolver_error_is_200_with_aliased_path_and_null_field() {
    let env = Env::start().await;
    env.create("tagCreate", json!({"name": "dup"})).await;
    let body = env
        .gql(
            r#"mutation { first: tagCreate(input: {name: "dup"}) { id } second: tagCreate(input: {name: "fresh"}) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["message"],
        "tag with name 'dup' already exists"
    );
    assert_eq!(body["errors"][0]["path"], json!(["first"]));
    assert!(body["errors"][0].get("locations").is_none());
    assert_eq!(body["data"]["first"], Value::Null);
    assert!(
        body["data"]["second"]["id"].is_string(),
        "later fields still run: {body}"
    );
}

#[tokio::test]
async fn non_null_field_error_nulls_data() {
    let env = Env::with(|c| c.ffmpeg = false).await;
    let body = env
        .gql("mutation { metadataScan(input: {}) }", json!({}))
        .await;
    assert_eq!(
        body["errors"][0]["message"],
        "missing ffmpeg and/or ffprobe"
    );
    assert_eq!(body["errors"][0]["path"], json!(["metadataScan"]));
    assert_eq!(body["data"], Value::Null);

    let body = env
        .gql(
            r#"mutation { addGalleryImages(input: {gallery_id: "99", image_ids: []}) }"#,
            json!({}),
        )
        .await;
    assert_eq!(body["errors"][0]["message"], "gallery with id 99 not found");
    assert_eq!(body["data"], Value::Null);
}

#[tokio::test]
async fn performer_duplicates_respect_disambiguation() {
    let env = Env::start().await;
    env.create("performerCreate", json!({"name": "Jane"})).await;
    let q = "mutation($i: PerformerCreateInput!){ performerCreate(input: $i){ id } }";
    assert_eq!(
        env.err(q, json!({"i": {"name": "jane"}})).await,
        "performer with name 'jane' already exists"
    );
    env.create(
        "performerCreate",
        json!({"name": "Jane", "disambiguation": "2"}),
    )
    .await;
    assert_eq!(
        env.err(q, json!({"i": {"name": "Jane", "disambiguation": "2"}}))
            .await,
        "performer with name 'Jane' and disambiguation '2' already exists"
    );
    assert_eq!(
        env.err(q, json!({"i": {"name": "  "}})).await,
        "performer name must not be blank"
    );
    assert_eq!(
        env.err(q, json!({"i": {"name": "Ann", "alias_list": ["ann"]}}))
            .await,
        "performer contains duplicate alias 'ann'"
    );
    // Empty disambiguation is stored as null, so it clashes with the plain name.
    assert_eq!(
        env.err(q, json!({"i": {"name": "Jane", "disambiguation": ""}}))
            .await,
        "performer with name 'Jane' already exists"
    );
    let d = env.ok("{ findPerformers { count } }", json!({})).await;
    assert_eq!(d["findPerformers"]["count"], 2);
}

#[tokio::test]
async fn studio_and_tag_names_are_checked_against_names_and_aliases() {
    let env = Env::start().await;
    env.create(
        "studioCreate",
        json!({"name": "Acme", "aliases": ["ACME Films"]}),
    )
    .await;
    let q = "mutation($i: StudioCreateInput!){ studioCreate(input: $i){ id } }";
    assert_eq!(
        env.err(q, json!({"i": {"name": "acme"}})).await,
        "studio with name 'acme' already exists"
    );
    assert_eq!(
        env.err(q, json!({"i": {"name": "acme films"}})).await,
        "name 'acme films' is used as alias for 'Acme'"
    );
    assert_eq!(
        env.err(q, json!({"i": {"name": "Other", "aliases": ["Acme"]}}))
            .await,
        "studio with name 'Acme' already exists"
    );
    assert_eq!(
        env.err(q, json!({"i": {"name": "X", "aliases": [""]}}))
            .await,
        "studio alias must not be an empty string"
    );
    assert_eq!(
        env.err(q, json!({"i": {"name": "Y", "parent_id": "77"}}))
            .await,
        "FOREIGN KEY constraint failed"
    );

    env.create("tagCreate", json!({"name": "Solo", "aliases": ["alone"]}))
        .await;
    let t = "mutation($i: TagCreateInput!){ tagCreate(input: $i){ id } }";
    assert_eq!(
        env.err(t, json!({"i": {"name": "SOLO"}})).await,
        "tag with name 'SOLO' already exists"
    );
    assert_eq!(
        env.err(t, json!({"i": {"name": "Alone"}})).await,
        "name 'Alone' is used as alias for 'Solo'"
    );
    assert_eq!(
        env.err(t, json!({"i": {"name": ""}})).await,
        "tag name must not be blank"
    );
}

#[tokio::test]
async fn like_wildcards_cause_false_duplicates_like_stash() {
    let env = Env::start().await;
    env.create("tagCreate", json!({"name": "AxB"})).await;
    let t = "mutation($i: TagCreateInput!){ tagCreate(input: $i){ id } }";
    assert_eq!(
        env.err(t, json!({"i": {"name": "A_B"}})).await,
        "tag with name 'A_B' already exists"
    );
    // Non-ASCII case differences are not duplicates.
    env.create("tagCreate", json!({"name": "Émilie"})).await;
    env.create("tagCreate", json!({"name": "émilie"})).await;
}

#[tokio::test]
async fn names_are_trimmed_on_create() {
    let env = Env::start().await;
    let d = env
        .ok(r#"mutation { performerCreate(input: {name: "  Jo  ", urls: [" https://x/ "]}) { name urls disambiguation } }"#, json!({}))
        .await;
    assert_eq!(
        d["performerCreate"],
        json!({"name": "Jo", "urls": ["https://x/"], "disambiguation": null})
    );
}
