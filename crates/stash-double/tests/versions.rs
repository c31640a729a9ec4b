//! Impersonating each supported Stash release: what it reports about itself, and what it
//! accepts, refuses or answers differently (see `src/versions.rs`). The recorded answers of a
//! real v0.30.1 and v0.27.2 are replayed by the conformance suite (`tests/transcripts/`); this
//! covers every release the README supports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Env;
use serde_json::json;
use stash_double::{DoubleConfig, StashVersion};

async fn env_for(v: StashVersion) -> Env {
    Env::with(|c| {
        let lib = std::mem::take(&mut c.library_roots);
        *c = DoubleConfig {
            library_roots: lib,
            ..DoubleConfig::impersonating(v)
        };
    })
    .await
}

#[tokio::test]
async fn each_release_reports_its_version_hash_and_app_schema() {
    for v in StashVersion::ALL {
        let env = env_for(v).await;
        let d = env
            .ok(
                "{ version { version hash } systemStatus { status appSchema databaseSchema } }",
                json!({}),
            )
            .await;
        assert_eq!(d["version"]["version"], v.version());
        assert_eq!(d["version"]["hash"], v.hash());
        assert_eq!(d["systemStatus"]["appSchema"], v.app_schema());
        assert_eq!(d["systemStatus"]["databaseSchema"], v.app_schema());
        assert_eq!(d["systemStatus"]["status"], "OK");
    }
}

#[tokio::test]
async fn studio_urls_exist_from_v0_30_and_the_single_url_everywhere() {
    let create_urls =
        "mutation { studioCreate(input:{name:\"S\", urls:[\"https://fansly.com/s\"]}){ id } }";
    let create_url =
        "mutation { studioCreate(input:{name:\"T\", url:\" https://fansly.com/t \"}){ url } }";
    for v in StashVersion::ALL {
        let env = env_for(v).await;
        let (status, body) = env.post_raw(&json!({"query": create_urls})).await;
        if v.app_schema() >= 75 {
            assert_eq!(status, 200, "{v:?}: {body}");
        } else {
            assert_eq!(status, 422, "{v:?}");
            assert_eq!(
                body["errors"][0]["message"],
                "Field \"urls\" is not defined by type \"StudioCreateInput\". Did you mean \"url\"?"
            );
        }
        let d = env.ok(create_url, json!({})).await;
        let stored = if v.app_schema() >= 75 {
            "https://fansly.com/t"
        } else {
            " https://fansly.com/t "
        };
        assert_eq!(
            d["studioCreate"]["url"], stored,
            "{v:?}: trimmed from v0.30"
        );
    }
}

#[tokio::test]
async fn strings_are_stored_trimmed_from_v0_30_only() {
    let q = "mutation($n: String!){ tagCreate(input:{name:$n}){ name } }";
    for v in StashVersion::ALL {
        let env = env_for(v).await;
        let d = env.ok(q, json!({"n": "  Beach \n"})).await;
        let expected = if v.app_schema() >= 75 {
            "Beach"
        } else {
            "  Beach \n"
        };
        assert_eq!(d["tagCreate"]["name"], expected, "{v:?}");
        let paths = env.scanned(&["a.mp4"]).await;
        let id = env.scene_id_by_path(&paths[0]).await;
        let d = env
            .ok(
                "mutation($id: ID!){ sceneUpdate(input:{id:$id, details:\"\\n\\nHi there  \"}){ details } }",
                json!({"id": id}),
            )
            .await;
        let expected = if v.app_schema() >= 75 {
            "Hi there"
        } else {
            "\n\nHi there  "
        };
        assert_eq!(d["sceneUpdate"]["details"], expected, "{v:?}");
    }
}

#[tokio::test]
async fn untitled_images_read_back_their_basename_before_v0_28() {
    for v in StashVersion::ALL {
        let env = env_for(v).await;
        let paths = env.scanned(&["pic.jpg", "clip.mp4"]).await;
        let image = env.image_id_by_path(&paths[0]).await;
        let scene = env.scene_id_by_path(&paths[1]).await;
        let d = env
            .ok(
                "query($i: ID, $s: ID){ findImage(id: $i){ title } findScene(id: $s){ title } }",
                json!({"i": image, "s": scene}),
            )
            .await;
        let expected = if v == StashVersion::V0_27_2 {
            "pic.jpg"
        } else {
            ""
        };
        assert_eq!(d["findImage"]["title"], expected, "{v:?}");
        assert_eq!(d["findScene"]["title"], "", "{v:?}: scenes never do");
    }
}

#[tokio::test]
async fn year_month_dates_and_find_files_follow_the_release() {
    let date = "mutation($id: ID!){ sceneUpdate(input:{id:$id, date:\"2024-05\"}){ date } }";
    for v in StashVersion::ALL {
        let env = env_for(v).await;
        let paths = env.scanned(&["a.mp4"]).await;
        let id = env.scene_id_by_path(&paths[0]).await;
        let body = env.gql(date, json!({"id": id})).await;
        if v.app_schema() >= 75 {
            assert_eq!(body["data"]["sceneUpdate"]["date"], "2024-05", "{v:?}");
        } else {
            assert_eq!(
                body["errors"][0]["message"],
                "converting date: ParseDateStringAsTime failed: dateString <2024-05>",
                "{v:?}"
            );
        }
        let (status, _) = env
            .post_raw(&json!({"query": "{ findFiles { count } }"}))
            .await;
        let has_files = !matches!(v, StashVersion::V0_27_2 | StashVersion::V0_28_1);
        assert_eq!(status == 200, has_files, "{v:?}: findFiles from v0.29");
    }
}

#[tokio::test]
async fn the_content_type_follows_accept_from_v0_29() {
    for v in StashVersion::ALL {
        let env = env_for(v).await;
        // (reqwest sends `Accept: */*` when none is set.)
        for (accept, new_type) in [
            (None, true),
            (Some("application/json"), false),
            (Some("*/*"), true),
            (Some("text/html, application/json"), false),
            (Some("text/html"), true),
        ] {
            let mut req = env
                .http
                .post(env.double.graphql_url())
                .header("Content-Type", "application/json")
                .body(json!({"query": "{ systemStatus { status } }"}).to_string());
            if let Some(a) = accept {
                req = req.header("Accept", a);
            }
            let r = req.send().await.unwrap();
            let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
            let negotiates = !matches!(v, StashVersion::V0_27_2 | StashVersion::V0_28_1);
            let expected = if new_type && negotiates {
                "application/graphql-response+json"
            } else {
                "application/json"
            };
            assert_eq!(ct, expected, "{v:?} Accept {accept:?}");
        }
    }
}
