//! Partial updates (omitted / null / value), all-or-nothing plural updates, bulk
//! SET/ADD/REMOVE, gallery membership rules and chapters.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Env;
use serde_json::{Value, json};

const SCENE: &str = "mutation($i: SceneUpdateInput!){ sceneUpdate(input: $i){ id title code details urls date organized studio { id } tags { id } performers { id } galleries { id } } }";

async fn one_scene(env: &Env) -> String {
    let p = env.scanned(&["s/one.mp4"]).await;
    env.scene_id_by_path(&p[0]).await
}

#[tokio::test]
async fn omitted_fields_stay_and_null_clears() {
    let env = Env::start().await;
    let id = one_scene(&env).await;
    let tag = env.create("tagCreate", json!({"name": "t"})).await;
    let studio = env.create("studioCreate", json!({"name": "s"})).await;
    let full = json!({"id": id, "title": "T", "code": "C", "details": "D", "urls": ["u1", "u2"], "date": "2024-05",
                      "organized": true, "studio_id": studio, "tag_ids": [tag]});
    let d = env.ok(SCENE, json!({"i": full})).await;
    assert_eq!(
        d["sceneUpdate"]["date"], "2024-05",
        "partial dates keep their precision"
    );
    let d = env
        .ok(SCENE, json!({"i": {"id": id, "details": "D2"}}))
        .await;
    let s = &d["sceneUpdate"];
    assert_eq!(
        (
            s["title"].as_str(),
            s["code"].as_str(),
            s["details"].as_str()
        ),
        (Some("T"), Some("C"), Some("D2"))
    );
    assert_eq!(s["urls"], json!(["u1", "u2"]));
    assert_eq!(s["tags"], json!([{"id": tag}]));
    assert_eq!(s["organized"], true);
    let d = env
        .ok(SCENE, json!({"i": {"id": id, "title": null, "studio_id": null, "urls": null, "tag_ids": null, "date": ""}}))
        .await;
    let s = &d["sceneUpdate"];
    assert_eq!(
        s["title"], "",
        "a cleared title reads back empty, never null"
    );
    assert_eq!(s["studio"], Value::Null);
    assert_eq!(s["urls"], json!([]));
    assert_eq!(s["tags"], json!([]));
    assert_eq!(s["date"], Value::Null);
    assert_eq!(s["code"], "C");
}

#[tokio::test]
async fn null_organized_is_an_internal_error_and_writes_nothing() {
    let env = Env::start().await;
    let id = one_scene(&env).await;
    let e = env
        .err(
            SCENE,
            json!({"i": {"id": id, "title": "x", "organized": null}}),
        )
        .await;
    assert_eq!(
        e,
        "Internal system error. Error <null value not allowed in optional bool>"
    );
    let d = env
        .ok(
            "query($id: ID){ findScene(id: $id){ title } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(d["findScene"]["title"], "");
}

#[tokio::test]
async fn unknown_relations_fail_with_foreign_key_errors() {
    let env = Env::start().await;
    let id = one_scene(&env).await;
    assert_eq!(
        env.err(SCENE, json!({"i": {"id": id, "tag_ids": ["404"]}}))
            .await,
        format!(
            "error executing `INSERT INTO scenes_tags (scene_id, tag_id) VALUES (?, ?) ON CONFLICT (scene_id, tag_id) DO NOTHING` [[{id} 404]]: FOREIGN KEY constraint failed"
        )
    );
    assert_eq!(
        env.err(SCENE, json!({"i": {"id": "999", "title": "x"}}))
            .await,
        "scene with id 999 not found"
    );
    let e = env
        .err(SCENE, json!({"i": {"id": id, "date": "2024-02-31"}}))
        .await;
    assert!(
        e.starts_with("converting date: failed to parse date \"2024-02-31\""),
        "{e}"
    );
}

#[tokio::test]
async fn plural_updates_are_all_or_nothing() {
    let env = Env::start().await;
    let paths = env.scanned(&["p/a.mp4", "p/b.mp4"]).await;
    let a = env.scene_id_by_path(&paths[0]).await;
    let b = env.scene_id_by_path(&paths[1]).await;
    let q = "mutation($i: [SceneUpdateInput!]!){ scenesUpdate(input: $i){ id title } }";
    let body = env
        .gql(q, json!({"i": [{"id": a, "title": "A"}, {"id": "999", "title": "X"}, {"id": b, "title": "B"}]}))
        .await;
    assert_eq!(body["errors"][0]["message"], "scene with id 999 not found");
    assert_eq!(body["errors"][0]["path"], json!(["scenesUpdate"]));
    assert_eq!(body["data"]["scenesUpdate"], Value::Null);
    let titles = env
        .ok("{ findScenes { scenes { title } } }", json!({}))
        .await;
    assert_eq!(
        titles["findScenes"]["scenes"],
        json!([{"title": ""}, {"title": ""}])
    );
    let d = env
        .ok(
            q,
            json!({"i": [{"id": a, "title": "A"}, {"id": b, "code": "B"}]}),
        )
        .await;
    assert_eq!(
        d["scenesUpdate"],
        json!([{"id": a, "title": "A"}, {"id": b, "title": ""}]),
        "key presence per element"
    );
    assert_eq!(env.double.counters().written_objects, 2);

    // Images and galleries behave the same way.
    let imgs = env.scanned(&["p/i.jpg"]).await;
    let img = env.image_id_by_path(&imgs[0]).await;
    let iq = "mutation($i: [ImageUpdateInput!]!){ imagesUpdate(input: $i){ id } }";
    assert_eq!(
        env.err(iq, json!({"i": [{"id": img, "title": "x"}, {"id": "77"}]}))
            .await,
        "image with id 77 not found"
    );
    let gq = "mutation($i: [GalleryUpdateInput!]!){ galleriesUpdate(input: $i){ id } }";
    assert_eq!(
        env.err(gq, json!({"i": [{"id": "5"}]})).await,
        "gallery with id 5 not found"
    );
}

#[tokio::test]
async fn bulk_updates_set_add_remove() {
    let env = Env::start().await;
    let paths = env.scanned(&["b/1.mp4", "b/2.mp4"]).await;
    let s1 = env.scene_id_by_path(&paths[0]).await;
    let s2 = env.scene_id_by_path(&paths[1]).await;
    let t: Vec<String> = futures_join(&env, &["x", "y", "z"]).await;
    let q =
        "mutation($i: BulkSceneUpdateInput!){ bulkSceneUpdate(input: $i){ id urls tags { id } } }";
    let run = |mode: &str, tags: Vec<&String>, urls: Vec<&str>| json!({"i": {"ids": [s1, s2], "tag_ids": {"ids": tags, "mode": mode}, "urls": {"values": urls, "mode": mode}}});
    let d = env
        .ok(q, run("SET", vec![&t[0], &t[1]], vec!["u1", "u2"]))
        .await;
    assert_eq!(
        d["bulkSceneUpdate"][1]["tags"],
        json!([{"id": t[0]}, {"id": t[1]}])
    );
    let d = env
        .ok(q, run("ADD", vec![&t[1], &t[2]], vec!["u2", "u3"]))
        .await;
    assert_eq!(
        d["bulkSceneUpdate"][0]["tags"],
        json!([{"id": t[0]}, {"id": t[1]}, {"id": t[2]}])
    );
    assert_eq!(
        d["bulkSceneUpdate"][0]["urls"],
        json!(["u1", "u2", "u3"]),
        "ADD is idempotent and keeps order"
    );
    let d = env.ok(q, run("REMOVE", vec![&t[0]], vec!["u1"])).await;
    assert_eq!(
        d["bulkSceneUpdate"][0]["tags"],
        json!([{"id": t[1]}, {"id": t[2]}])
    );
    assert_eq!(d["bulkSceneUpdate"][0]["urls"], json!(["u2", "u3"]));
    // A null or omitted bulk field changes nothing.
    let d = env
        .ok(q, json!({"i": {"ids": [s1], "tag_ids": null}}))
        .await;
    assert_eq!(d["bulkSceneUpdate"][0]["tags"].as_array().unwrap().len(), 2);
    let e = env
        .err(q, json!({"i": {"ids": [s1, "404"], "organized": true}}))
        .await;
    assert_eq!(e, "scene with id 404 not found");
    assert_eq!(
        env.err(q, json!({"i": {"ids": [s1], "organized": null}}))
            .await,
        "Internal system error. Error <null value not allowed in optional bool>"
    );

    let g = env.create("galleryCreate", json!({"title": "G"})).await;
    let gq =
        "mutation($i: BulkGalleryUpdateInput!){ bulkGalleryUpdate(input: $i){ id scenes { id } } }";
    let d = env
        .ok(
            gq,
            json!({"i": {"ids": [g], "scene_ids": {"ids": [s1, s2], "mode": "ADD"}}}),
        )
        .await;
    assert_eq!(
        d["bulkGalleryUpdate"][0]["scenes"],
        json!([{"id": s1}, {"id": s2}])
    );
    let sg = env
        .ok(
            "query($id: ID){ findScene(id: $id){ galleries { id } } }",
            json!({"id": s2}),
        )
        .await;
    assert_eq!(
        sg["findScene"]["galleries"],
        json!([{"id": g}]),
        "relation visible from both sides"
    );
}

async fn futures_join(env: &Env, names: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for n in names {
        out.push(env.create("tagCreate", json!({"name": n})).await);
    }
    out
}

#[tokio::test]
async fn gallery_create_update_and_images() {
    let env = Env::start().await;
    let imgs = env.scanned(&["g/1.jpg", "g/2.png"]).await;
    let i1 = env.image_id_by_path(&imgs[0]).await;
    let i2 = env.image_id_by_path(&imgs[1]).await;
    let q = "mutation($i: GalleryCreateInput!){ galleryCreate(input: $i){ id organized date } }";
    assert_eq!(
        env.err(q, json!({"i": {"title": ""}})).await,
        "title must not be empty"
    );
    let d = env
        .ok(
            q,
            json!({"i": {"title": "G", "organized": true, "date": "2024"}}),
        )
        .await;
    assert_eq!(d["galleryCreate"]["organized"], true);
    assert_eq!(d["galleryCreate"]["date"], "2024");
    let g = d["galleryCreate"]["id"].as_str().unwrap().to_owned();

    let add = "mutation($i: GalleryAddInput!){ addGalleryImages(input: $i) }";
    assert_eq!(
        env.ok(add, json!({"i": {"gallery_id": g, "image_ids": [i1, i2]}}))
            .await["addGalleryImages"],
        true
    );
    env.ok(add, json!({"i": {"gallery_id": g, "image_ids": [i1]}}))
        .await;
    assert_eq!(
        env.err(add, json!({"i": {"gallery_id": g, "image_ids": ["500"]}}))
            .await,
        format!(
            "error executing `INSERT INTO galleries_images (gallery_id, image_id) VALUES (?, ?) ON CONFLICT (gallery_id, image_id) DO NOTHING` [[{g} 500]]: FOREIGN KEY constraint failed"
        )
    );
    let d = env
        .ok(
            "query($id: ID!){ findGallery(id: $id){ image_count } }",
            json!({"id": g}),
        )
        .await;
    assert_eq!(d["findGallery"]["image_count"], 2, "adding is idempotent");

    let upd = "mutation($i: GalleryUpdateInput!){ galleryUpdate(input: $i){ title } }";
    assert_eq!(
        env.ok(upd, json!({"i": {"id": g, "title": null}})).await["galleryUpdate"]["title"],
        "G",
        "null title ignored"
    );
    assert_eq!(
        env.err(upd, json!({"i": {"id": g, "title": ""}})).await,
        "title must not be empty for user-created galleries"
    );

    let ch = "mutation($i: GalleryChapterCreateInput!){ galleryChapterCreate(input: $i){ title image_index gallery { id } } }";
    let d = env
        .ok(
            ch,
            json!({"i": {"gallery_id": g, "title": "c", "image_index": 2}}),
        )
        .await;
    assert_eq!(d["galleryChapterCreate"]["gallery"]["id"], g);
    assert_eq!(
        env.err(
            ch,
            json!({"i": {"gallery_id": g, "title": "c", "image_index": 3}})
        )
        .await,
        "Image # must greater than zero and in range of the gallery images"
    );
    let empty = env.create("galleryCreate", json!({"title": "E"})).await;
    assert_eq!(
        env.err(
            ch,
            json!({"i": {"gallery_id": empty, "title": "c", "image_index": 1}})
        )
        .await,
        "Image # must greater than zero and in range of the gallery images"
    );
}

#[tokio::test]
async fn folder_galleries_refuse_membership_changes() {
    let env = Env::start().await;
    std::fs::create_dir_all(env.root().join("forced")).unwrap();
    std::fs::write(env.root().join("forced/.forcegallery"), b"").unwrap();
    let imgs = env.scanned(&["forced/a.jpg", "loose/b.jpg"]).await;
    let a = env.image_id_by_path(&imgs[0]).await;
    let b = env.image_id_by_path(&imgs[1]).await;
    let d = env
        .ok(
            "{ findGalleries { galleries { id folder { path } image_count title } } }",
            json!({}),
        )
        .await;
    let folder_gallery = d["findGalleries"]["galleries"][0].clone();
    assert_eq!(folder_gallery["image_count"], 1);
    let fg = folder_gallery["id"].as_str().unwrap().to_owned();
    let folder = env.root().join("forced").to_string_lossy().into_owned();
    let add = "mutation($i: GalleryAddInput!){ addGalleryImages(input: $i) }";
    assert_eq!(
        env.err(add, json!({"i": {"gallery_id": fg, "image_ids": [b]}}))
            .await,
        format!("cannot change contents of folder-based gallery \"{folder}\"")
    );
    // Removing a scanned image from its folder gallery is refused; adding it to a user gallery works.
    let user = env.create("galleryCreate", json!({"title": "U"})).await;
    let iu = "mutation($i: ImageUpdateInput!){ imageUpdate(input: $i){ galleries { id } } }";
    assert!(
        env.err(iu, json!({"i": {"id": a, "gallery_ids": [user]}}))
            .await
            .starts_with("cannot change contents of folder-based gallery")
    );
    let d = env
        .ok(iu, json!({"i": {"id": a, "gallery_ids": [fg, user]}}))
        .await;
    assert_eq!(d["imageUpdate"]["galleries"].as_array().unwrap().len(), 2);
}
