//! `find*` semantics: string criteria (EQUALS as LIKE, INCLUDES words/phrases, regex,
//! null checks), path on any file, AND/OR/NOT, paging, sorting and `ids` lookups.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Env;
use serde_json::{Value, json};

async fn tag_names(env: &Env, filter: Value) -> Vec<String> {
    let d = env
        .ok(
            "query($f: TagFilterType){ findTags(tag_filter: $f, filter: {sort: \"id\", per_page: -1}){ tags { name } } }",
            json!({"f": filter}),
        )
        .await;
    d["findTags"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn seed_tags(env: &Env) {
    for (name, desc) in [
        ("red apple", Some("fruit")),
        ("green pear", None),
        ("A_B", Some("  ")),
        ("AxB", Some("x")),
        ("Éclair", None),
    ] {
        let mut input = json!({"name": name});
        if let Some(d) = desc {
            input["description"] = json!(d);
        }
        env.create("tagCreate", input).await;
    }
}

#[tokio::test]
async fn equals_is_case_insensitive_like_with_wildcards() {
    let env = Env::start().await;
    seed_tags(&env).await;
    let eq = |v: &str| json!({"name": {"value": v, "modifier": "EQUALS"}});
    assert_eq!(tag_names(&env, eq("RED APPLE")).await, vec!["red apple"]);
    assert_eq!(tag_names(&env, eq("a_b")).await, vec!["A_B", "AxB"]);
    assert_eq!(tag_names(&env, eq("%pear")).await, vec!["green pear"]);
    assert_eq!(
        tag_names(&env, eq("éclair")).await,
        Vec::<String>::new(),
        "ASCII-only case folding"
    );
    let ne = json!({"name": {"value": "%e%", "modifier": "NOT_EQUALS"}});
    assert_eq!(tag_names(&env, ne).await, vec!["A_B", "AxB", "Éclair"]);
}

#[tokio::test]
async fn includes_splits_on_whitespace_unless_quoted() {
    let env = Env::start().await;
    seed_tags(&env).await;
    let inc = |v: &str| json!({"name": {"value": v, "modifier": "INCLUDES"}});
    assert_eq!(
        tag_names(&env, inc("apple pear")).await,
        vec!["red apple", "green pear"]
    );
    assert_eq!(
        tag_names(&env, inc("\"apple pear\"")).await,
        Vec::<String>::new()
    );
    assert_eq!(
        tag_names(&env, inc("\"red apple\"")).await,
        vec!["red apple"]
    );
    let exc = json!({"name": {"value": "apple pear", "modifier": "EXCLUDES"}});
    assert_eq!(tag_names(&env, exc).await, vec!["A_B", "AxB", "Éclair"]);
}

#[tokio::test]
async fn regex_and_null_modifiers() {
    let env = Env::start().await;
    seed_tags(&env).await;
    let re = json!({"name": {"value": "^A.B$", "modifier": "MATCHES_REGEX"}});
    assert_eq!(tag_names(&env, re).await, vec!["A_B", "AxB"]);
    let re_ci = json!({"name": {"value": "(?i)^a_b$", "modifier": "MATCHES_REGEX"}});
    assert_eq!(tag_names(&env, re_ci).await, vec!["A_B"]);
    let not_re = json!({"name": {"value": "^A", "modifier": "NOT_MATCHES_REGEX"}});
    assert_eq!(
        tag_names(&env, not_re).await,
        vec!["red apple", "green pear", "Éclair"]
    );
    let is_null = json!({"description": {"value": "", "modifier": "IS_NULL"}});
    assert_eq!(
        tag_names(&env, is_null).await,
        vec!["green pear", "A_B", "Éclair"],
        "blank counts as null"
    );
    let not_null = json!({"description": {"value": "", "modifier": "NOT_NULL"}});
    assert_eq!(tag_names(&env, not_null).await, vec!["red apple", "AxB"]);
    let bad = env
        .err(
            "{ findTags(tag_filter: {name: {value: \"(\", modifier: MATCHES_REGEX}}) { count } }",
            json!({}),
        )
        .await;
    assert!(bad.contains("regex"), "{bad}");
    let unsupported = env
        .err(
            "{ findTags(tag_filter: {name: {value: \"x\", modifier: GREATER_THAN}}) { count } }",
            json!({}),
        )
        .await;
    assert!(
        unsupported.starts_with("Internal system error"),
        "{unsupported}"
    );
}

#[tokio::test]
async fn and_or_not_nest_one_per_level() {
    let env = Env::start().await;
    seed_tags(&env).await;
    let name = |v: &str| json!({"value": v, "modifier": "EQUALS"});
    let three = json!({"name": name("red apple"), "OR": {"name": name("green pear"), "OR": {"name": name("AxB")}}});
    assert_eq!(
        tag_names(&env, three).await,
        vec!["red apple", "green pear", "AxB"]
    );
    let and =
        json!({"name": name("a%"), "AND": {"description": {"value": "x", "modifier": "EQUALS"}}});
    assert_eq!(tag_names(&env, and).await, vec!["AxB"]);
    let not = json!({"name": name("a%"), "NOT": {"name": name("AxB")}});
    assert_eq!(tag_names(&env, not).await, vec!["A_B"]);
    let both = env
        .err(
            "query($f: TagFilterType){ findTags(tag_filter: $f){ count } }",
            json!({"f": {"AND": {"name": name("x")}, "OR": {"name": name("y")}}}),
        )
        .await;
    assert_eq!(both, "cannot have AND and OR in the same filter");
}

#[tokio::test]
async fn paging_sorting_and_per_page_minus_one() {
    let env = Env::start().await;
    for i in 0..30 {
        env.create("tagCreate", json!({"name": format!("t{i:02}")}))
            .await;
    }
    let q = "query($f: FindFilterType){ findTags(filter: $f){ count tags { id name } } }";
    let d = env.ok(q, json!({"f": null})).await;
    assert_eq!(d["findTags"]["count"], 30);
    assert_eq!(
        d["findTags"]["tags"].as_array().unwrap().len(),
        25,
        "default per_page is 25"
    );
    let d = env.ok(q, json!({"f": {"per_page": -1}})).await;
    assert_eq!(d["findTags"]["tags"].as_array().unwrap().len(), 30);
    let d = env
        .ok(
            q,
            json!({"f": {"per_page": 10, "page": 3, "sort": "id", "direction": "ASC"}}),
        )
        .await;
    assert_eq!(d["findTags"]["tags"][0]["name"], "t20");
    let d = env
        .ok(
            q,
            json!({"f": {"per_page": 1, "sort": "name", "direction": "DESC"}}),
        )
        .await;
    assert_eq!(d["findTags"]["tags"][0]["name"], "t29");
    let d = env.ok(q, json!({"f": {"per_page": 0}})).await;
    assert_eq!(d["findTags"]["tags"], json!([]));
    assert_eq!(
        env.err(q, json!({"f": {"sort": "bogus"}})).await,
        "invalid sort: bogus"
    );
}

#[tokio::test]
async fn ids_lookups_keep_order_and_fail_on_missing_or_duplicated() {
    let env = Env::start().await;
    let a = env.create("tagCreate", json!({"name": "a"})).await;
    let b = env.create("tagCreate", json!({"name": "b"})).await;
    let q = "query($ids: [ID!]){ findTags(ids: $ids, tag_filter: {name: {value: \"zzz\", modifier: EQUALS}}){ count tags { id } } }";
    let d = env.ok(q, json!({"ids": [b, a]})).await;
    assert_eq!(
        d["findTags"]["tags"],
        json!([{"id": b}, {"id": a}]),
        "input order, filters ignored"
    );
    assert_eq!(
        env.err(q, json!({"ids": [a, "99"]})).await,
        "tag with id 99 not found"
    );
    assert_eq!(
        env.err(q, json!({"ids": [a, a]})).await,
        format!("validating ids: duplicate id found: {a}"),
        "v0.30 checks the list first"
    );
    assert_eq!(
        env.err(q, json!({"ids": ["x"]})).await,
        "converting ids: strconv.Atoi: parsing \"x\": invalid syntax"
    );
    let old = Env::with(|c| c.version = "v0.29.3".into()).await;
    let a = old.create("tagCreate", json!({"name": "a"})).await;
    assert_eq!(
        old.err(q, json!({"ids": [a, a]})).await,
        format!("tag with id {a} not found"),
        "before v0.30 a duplicate is not found"
    );
    assert_eq!(
        old.err(q, json!({"ids": ["x"]})).await,
        "strconv.Atoi: parsing \"x\": invalid syntax"
    );
}

#[tokio::test]
async fn path_matches_any_file_of_the_object() {
    let env = Env::start().await;
    let root = env.root().to_path_buf();
    let first = env.write("one/clip.mp4");
    env.double.scan_now(&[]).await;
    // Same bytes at a second path: merged into the same scene as a second file.
    common::write_bytes(
        &root.join("two/copy_of_clip.mp4"),
        &std::fs::read(&first).unwrap(),
    );
    env.double.scan_now(&[]).await;
    let q = "query($p: String!){ findScenes(scene_filter: {path: {value: $p, modifier: EQUALS}}){ count scenes { files { path } } } }";
    let by_second = env
        .ok(
            q,
            json!({"p": root.join("two/copy_of_clip.mp4").to_string_lossy()}),
        )
        .await;
    assert_eq!(by_second["findScenes"]["count"], 1);
    assert_eq!(
        by_second["findScenes"]["scenes"][0]["files"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let q2 = "query($p: String!){ findScenes(scene_filter: {path: {value: $p, modifier: INCLUDES}}){ count } }";
    assert_eq!(
        env.ok(q2, json!({"p": "copy_of"})).await["findScenes"]["count"],
        1
    );
    assert_eq!(
        env.ok(q2, json!({"p": "nothing here"})).await["findScenes"]["count"],
        0
    );
}

#[tokio::test]
async fn multi_criteria_on_relations() {
    let env = Env::start().await;
    let paths = env.scanned(&["m/a.mp4", "m/b.mp4", "m/c.mp4"]).await;
    let t1 = env.create("tagCreate", json!({"name": "t1"})).await;
    let t2 = env.create("tagCreate", json!({"name": "t2"})).await;
    let mut ids = Vec::new();
    for p in &paths {
        ids.push(env.scene_id_by_path(p).await);
    }
    let upd = "mutation($i: [SceneUpdateInput!]!){ scenesUpdate(input: $i){ id } }";
    env.ok(
        upd,
        json!({"i": [{"id": ids[0], "tag_ids": [t1]}, {"id": ids[1], "tag_ids": [t1, t2]}]}),
    )
    .await;
    let q = "query($f: SceneFilterType){ findScenes(scene_filter: $f, filter: {sort: \"id\"}){ scenes { id } } }";
    let run = |m: &str, v: Vec<String>| json!({"f": {"tags": {"value": v, "modifier": m}}});
    let got = |d: Value| -> Vec<String> {
        d["findScenes"]["scenes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        got(env.ok(q, run("INCLUDES", vec![t2.clone()])).await),
        vec![ids[1].clone()]
    );
    assert_eq!(
        got(env
            .ok(q, run("INCLUDES_ALL", vec![t1.clone(), t2.clone()]))
            .await),
        vec![ids[1].clone()]
    );
    assert_eq!(
        got(env.ok(q, run("EXCLUDES", vec![t2.clone()])).await),
        vec![ids[0].clone(), ids[2].clone()]
    );
    assert_eq!(
        got(env.ok(q, run("IS_NULL", vec![])).await),
        vec![ids[2].clone()]
    );
    assert_eq!(
        got(env.ok(q, run("EQUALS", vec![t1.clone()])).await),
        vec![ids[0].clone()]
    );
    let e = env
        .err(
            q,
            json!({"f": {"performers": {"value": [], "modifier": "NOT_EQUALS"}}}),
        )
        .await;
    assert_eq!(
        e,
        "not equals modifier is not supported for multi criterion input"
    );
}

/// A gallery's images in the order Stash shows them (and counts chapter indexes in): sorted
/// by path as its `NATURAL_CI` collation does (numbers by value, case ignored), the folder's
/// path and the file name run together, then by title.
#[tokio::test]
async fn images_sorted_by_path_follow_stash_natural_order() {
    let env = Env::start().await;
    let paths = env
        .scanned(&[
            "g/img10.jpg",
            "g/IMG2.jpg",
            "g/img1.jpg",
            "g/b/x.jpg",
            "g/a.jpg",
        ])
        .await;
    let mut ids = Vec::new();
    for p in &paths {
        ids.push(env.image_id_by_path(p).await);
    }
    let gallery = env.create("galleryCreate", json!({"title": "G"})).await;
    env.ok(
        "mutation($g: ID!, $i: [ID!]!){ addGalleryImages(input: {gallery_id: $g, image_ids: $i}) }",
        json!({"g": gallery, "i": ids}),
    )
    .await;
    let d = env
        .ok(
            "query($g: [ID!]){ findImages(image_filter: {galleries: {value: $g, modifier: INCLUDES}}, filter: {sort: \"path\", direction: ASC, per_page: -1}){ images { visual_files { ... on ImageFile { basename } } } } }",
            json!({"g": [gallery]}),
        )
        .await;
    let names: Vec<&str> = d["findImages"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["visual_files"][0]["basename"].as_str().unwrap())
        .collect();
    // The folder and the name are compared as one string: `.../g/b` + `x.jpg` comes before
    // `.../g` + `a.jpg` (`/` sorts before letters).
    assert_eq!(
        names,
        ["x.jpg", "a.jpg", "img1.jpg", "IMG2.jpg", "img10.jpg"]
    );
}
