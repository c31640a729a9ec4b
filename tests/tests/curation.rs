//! Issue 10, curation preserved: starting from a Stash the user already organized (an
//! organized image, a scene with the user's own tag, performer and url, an organized gallery
//! with a post's code, as fansly-scraper leaves them), and then editing objects after a sync,
//! nothing the user did is changed or removed by later runs: organized objects are left
//! alone, the user's titles stay, the user's tags, performers and urls are kept beside ours.
//! Titles, details and dates the user set (before our first sync or after it) survive a run
//! where our source changed, while the fields still holding what we wrote follow the source;
//! with `force` ours wins.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use domain::Patch;
use domain::ids::{GalleryId, ImageId, SceneId};
use domain::ports::{MediaServer, MetadataRepository, SyncStateStore};
use domain::stash::{GalleryPatch, ImagePatch, NewGallery, PerformerSpec, ScenePatch, TagSpec};
use fansly_stash_tests::canonical::{canonical, duplicates, object_id_of};
use fansly_stash_tests::library::{Library, LibraryShape, MediaFile};
use fansly_stash_tests::world::{client_config, open_state, run_sync, start_stash, sync_options};
use sea_orm::ConnectionTrait;
use serde_json::Value;
use stash_adapter::StashClient;
use stash_double::{DoubleConfig, StashDouble};
use sync_core::SyncReport;

async fn sync(lib: &Library, double: &StashDouble, state: Arc<dyn SyncStateStore>) -> SyncReport {
    sync_with(lib, double, state, false).await
}

async fn sync_with(
    lib: &Library,
    double: &StashDouble,
    state: Arc<dyn SyncStateStore>,
    force: bool,
) -> SyncReport {
    let repo: Arc<dyn MetadataRepository> = Arc::new(lib.store().await.unwrap());
    let client = Arc::new(StashClient::connect(client_config(double)).await.unwrap());
    let mut opts = sync_options(lib);
    opts.force = force;
    let report = run_sync(repo, client, state, opts, None).await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report
}

/// The raw id of the scene or image (`kind`) whose file is `file`.
fn id_of(dump: &Value, kind: &str, file: &MediaFile) -> String {
    object_id_of(dump, kind, file).unwrap()
}

fn entry<'a>(canon: &'a Value, kind: &str, key: &str) -> &'a Value {
    let list = canon[kind][key]
        .as_array()
        .unwrap_or_else(|| panic!("{kind} {key} missing"));
    assert_eq!(list.len(), 1, "{kind} {key}: {list:?}");
    &list[0]
}

fn has(list: &Value, x: &str) -> bool {
    list.as_array().unwrap().iter().any(|v| v == x)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_user_curated_is_never_changed_or_removed() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = Library::generate(&LibraryShape::one_creator(20, 4, 40, 8), dir.path(), None)
        .await
        .unwrap();
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let stash: &StashClient = &world.client;
    let creator = lib.creators[0].clone();
    let dump = world.double.dump();

    // The user's own entities.
    let fav = stash
        .find_or_create_tags(&[TagSpec {
            name: "Favourites".into(),
            create_if_missing: true,
        }])
        .await
        .unwrap()["Favourites"]
        .entity
        .id
        .clone();
    let someone = stash
        .find_or_create_performers(&[PerformerSpec {
            key: "someone".into(),
            name: "Someone Else".into(),
            disambiguation: None,
            aliases: vec![],
            urls: vec![],
            details: None,
        }])
        .await
        .unwrap()["someone"]
        .entity
        .id
        .clone();

    // Before any sync: an organized image with the user's title and tag...
    let images: Vec<&MediaFile> = creator
        .generated
        .media
        .iter()
        .filter_map(|m| creator.files.get(m))
        .filter(|f| f.path.extension().is_some_and(|e| e == "jpg"))
        .collect();
    let videos: Vec<&MediaFile> = creator
        .generated
        .media
        .iter()
        .filter_map(|m| creator.files.get(m))
        .filter(|f| f.path.extension().is_some_and(|e| e == "mp4"))
        .collect();
    let organized_image = images[0];
    let a = ImageId::new(id_of(&dump, "images", organized_image));
    stash
        .update_images(&[ImagePatch {
            title: Patch::Set("My pick".into()),
            tag_ids: Patch::Set(vec![fav.clone()]),
            organized: Some(true),
            ..ImagePatch::new(a)
        }])
        .await
        .unwrap();
    // ... a scene with the user's title, details, date, tag, performer and url ...
    let user_scene = videos[0];
    let b = SceneId::new(id_of(&dump, "scenes", user_scene));
    stash
        .update_scenes(&[ScenePatch {
            title: Patch::Set("My scene".into()),
            details: Patch::Set("my own words".into()),
            date: Patch::Set("2021-06-01".parse().unwrap()),
            tag_ids: Patch::Set(vec![fav.clone()]),
            performer_ids: Patch::Set(vec![someone.clone()]),
            urls: Patch::Set(vec!["https://example.com/mine".into()]),
            ..ScenePatch::new(b)
        }])
        .await
        .unwrap();
    // ... and an organized gallery for a post, as fansly-scraper creates them.
    let post = creator.generated.posts[5];
    let created = stash
        .create_galleries(&[NewGallery {
            key: "mine".into(),
            title: "The user's gallery".into(),
            code: Some(post.to_string()),
            details: Some("written by hand".into()),
            date: None,
            urls: vec![],
            organized: true,
            studio_id: None,
            performer_ids: vec![someone.clone()],
            tag_ids: vec![],
            scene_ids: vec![],
        }])
        .await
        .unwrap();
    assert!(created["mine"].is_ok());
    let curated = canonical(&world.double.dump());

    // First sync.
    let state = open_state(&dir.path().join("state.sqlite3")).await.unwrap();
    sync(&lib, &world.double, state.clone()).await;
    let after = canonical(&world.double.dump());
    assert!(duplicates(&after).is_empty(), "{:?}", duplicates(&after));
    let img_key = organized_image.path.display().to_string();
    let scene_key = user_scene.path.display().to_string();
    let gallery_key = format!("code:{post}");
    // An organized image keeps every field, its galleries included: it is not linked into
    // our gallery either (issue 17.3: organized means hands off, completely).
    assert_eq!(
        entry(&after, "images", &img_key),
        entry(&curated, "images", &img_key),
        "an organized image is left alone, not even linked into our gallery"
    );
    assert_eq!(
        entry(&after, "galleries", &gallery_key),
        entry(&curated, "galleries", &gallery_key),
        "an organized gallery is left alone, and not duplicated"
    );
    let scene = entry(&after, "scenes", &scene_key);
    assert!(has(&scene["tags"], "Favourites"), "{scene}");
    assert!(has(&scene["performers"], "Someone Else"), "{scene}");
    assert!(
        has(&scene["performers"], &creator.username),
        "ours added: {scene}"
    );
    assert_eq!(scene["urls"][0], "https://example.com/mine", "{scene}");
    assert!(
        scene["urls"].as_array().unwrap().len() >= 2,
        "ours added: {scene}"
    );
    assert!(scene["code"].is_string(), "ours set: {scene}");
    assert_eq!(
        (&scene["title"], &scene["details"], &scene["date"]),
        (
            &serde_json::json!("My scene"),
            &serde_json::json!("my own words"),
            &serde_json::json!("2021-06-01")
        ),
        "set before our first sync: the user's"
    );

    // After the sync the user edits: a title, a tag, organizes a scene, edits our gallery.
    let dump = world.double.dump();
    let edited_image = images[5];
    let d = ImageId::new(id_of(&dump, "images", edited_image));
    stash
        .update_images(&[ImagePatch {
            title: Patch::Set("Renamed by me".into()),
            details: Patch::Set("my details".into()),
            date: Patch::Set("2020-02-02".parse().unwrap()),
            tag_ids: Patch::Set(vec![fav.clone()]),
            urls: Patch::Set(vec!["https://example.com/other".into()]),
            ..ImagePatch::new(d)
        }])
        .await
        .unwrap();
    let organized_later = videos[3];
    let e = SceneId::new(id_of(&dump, "scenes", organized_later));
    stash
        .update_scenes(&[ScenePatch {
            details: Patch::Set("my notes".into()),
            organized: Some(true),
            ..ScenePatch::new(e)
        }])
        .await
        .unwrap();
    let our_post = creator.generated.posts[7];
    let g = dump["galleries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == our_post.to_string().as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut gallery_performers: Vec<_> = dump["galleries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == g.as_str())
        .unwrap()["performer_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| domain::ids::PerformerId::new(p.as_str().unwrap()))
        .collect();
    gallery_performers.push(someone.clone());
    stash
        .update_galleries(&[GalleryPatch {
            title: Some("A title I like better".into()),
            performer_ids: Patch::Set(gallery_performers),
            ..GalleryPatch::new(GalleryId::new(g))
        }])
        .await
        .unwrap();
    let edited = canonical(&world.double.dump());

    // A re-run, and a run after new posts, leave every edit as the user made it.
    world.double.reset_counters();
    sync(&lib, &world.double, state.clone()).await;
    assert_eq!(world.double.counters().mutation_requests, 0);
    lib.add_posts(0, 3, 2).await.unwrap();
    world.double.scan_now(&[]).await;
    sync(&lib, &world.double, state.clone()).await;
    let last = canonical(&world.double.dump());
    assert!(duplicates(&last).is_empty(), "{:?}", duplicates(&last));
    let our_gallery = format!("code:{our_post}");
    for (kind, key) in [
        ("images", img_key.as_str()),
        ("galleries", gallery_key.as_str()),
        ("scenes", scene_key.as_str()),
        ("images", &edited_image.path.display().to_string()),
        ("scenes", &organized_later.path.display().to_string()),
        ("galleries", our_gallery.as_str()),
    ] {
        assert_eq!(
            entry(&last, kind, key),
            entry(&edited, kind, key),
            "{kind} {key}"
        );
    }
    let renamed = entry(&last, "images", &edited_image.path.display().to_string());
    assert_eq!(renamed["title"], "Renamed by me");
    assert!(has(&renamed["tags"], "Favourites"));
    // The user's own entities still exist, once.
    assert_eq!(last["tags"]["Favourites"].as_array().unwrap().len(), 1);
    assert_eq!(
        last["performers"]["Someone Else"].as_array().unwrap().len(),
        1
    );

    // Our source changes: every post of the creator gets a new caption.
    let store = lib.store().await.unwrap();
    store
        .connection()
        .execute_unprepared(&format!(
            "UPDATE posts SET content = 'Rewritten caption for post ' || id \
             WHERE \"accountId\" = {}",
            creator.account_id
        ))
        .await
        .unwrap();
    sync(&lib, &world.double, state.clone()).await;
    let changed = canonical(&world.double.dump());
    assert!(
        duplicates(&changed).is_empty(),
        "{:?}",
        duplicates(&changed)
    );
    let edited_key = edited_image.path.display().to_string();
    let user_fields = |c: &Value, kind: &str, key: &str| {
        let e = entry(c, kind, key);
        (e["title"].clone(), e["details"].clone(), e["date"].clone())
    };
    for (kind, key) in [
        ("scenes", scene_key.as_str()),
        ("images", edited_key.as_str()),
    ] {
        assert_eq!(
            user_fields(&changed, kind, key),
            user_fields(&edited, kind, key),
            "the user's title, details and date of {kind} {key} survive our source changing"
        );
    }
    let renamed = entry(&changed, "galleries", &our_gallery);
    assert_eq!(renamed["title"], "A title I like better");
    assert_eq!(
        renamed["details"],
        format!("Rewritten caption for post {our_post}"),
        "the details we wrote follow the source"
    );
    let ours_followed = changed["images"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|v| v.as_array().unwrap())
        .filter(|i| {
            i["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Rewritten caption for post"))
        })
        .count();
    assert!(
        ours_followed > 10,
        "our own titles follow the source: {ours_followed}"
    );
    // Organized objects are still untouched.
    for (kind, key) in [
        ("images", img_key.as_str()),
        ("galleries", gallery_key.as_str()),
    ] {
        assert_eq!(
            entry(&changed, kind, key),
            entry(&edited, kind, key),
            "{kind} {key}"
        );
    }

    // With force, ours wins over the user's fields (their additions stay).
    sync_with(&lib, &world.double, state.clone(), true).await;
    let forced = canonical(&world.double.dump());
    let scene = entry(&forced, "scenes", &scene_key);
    assert!(
        scene["title"]
            .as_str()
            .unwrap()
            .starts_with("Rewritten caption for post"),
        "{scene}"
    );
    assert_ne!(scene["date"], "2021-06-01");
    assert!(has(&scene["tags"], "Favourites"), "{scene}");
    let image = entry(&forced, "images", &edited_key);
    assert_ne!(image["title"], "Renamed by me");
    assert_ne!(image["details"], "my details");
    assert!(has(&image["tags"], "Favourites"), "{image}");
    assert_ne!(
        entry(&forced, "galleries", &our_gallery)["title"],
        "A title I like better"
    );
}
