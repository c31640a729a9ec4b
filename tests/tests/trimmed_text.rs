//! Issue 13, part 1: Stash stores every string trimmed (`o_strings_trimmed`), and a post whose
//! text starts with blank lines (about 2% of posts) must stay ours: when its text is edited in
//! the metadata database, the next sync updates its gallery, scenes and images, and the run
//! after that makes no mutation. Also from the state an earlier version left (hashes of the
//! untrimmed text it sent).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use domain::content::ContentItem;
use domain::ports::{MediaServer, MetadataRepository, SyncStateStore};
use fansly_stash_tests::canonical::canonical;
use fansly_stash_tests::expect::{expected_state, mismatches};
use fansly_stash_tests::library::{Library, LibraryShape};
use fansly_stash_tests::world::{
    client_config, open_state, run_sync, start_stash, sync_options, user_request,
};
use serde_json::{Value, json};
use stash_adapter::StashClient;
use stash_double::{DoubleConfig, StashDouble};
use sync_core::SyncReport;
use sync_core::planner::OwnedValue;

const FIRST: &str = "\n\nLove you all, my dears  \nsee you tonight  ";
const EDITED: &str = "\n\nMissed you all, darlings  \nsee you tomorrow  ";

/// Two posts, each with two images and a video (with its preview image).
fn shape() -> LibraryShape {
    LibraryShape::one_creator(2, 0, 4, 2)
}

async fn sync(lib: &Library, double: &StashDouble, state: Arc<dyn SyncStateStore>) -> SyncReport {
    let repo: Arc<dyn MetadataRepository> = Arc::new(lib.store().await.unwrap());
    let stash: Arc<dyn MediaServer> =
        Arc::new(StashClient::connect(client_config(double)).await.unwrap());
    let report = run_sync(repo, stash, state, sync_options(lib), None)
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report
}

/// The post's item as the sync reads it.
async fn item(lib: &Library, post: i64) -> ContentItem {
    let repo = lib.store().await.unwrap();
    let page = repo
        .content_page(lib.creators[0].id(), None, 100)
        .await
        .unwrap();
    page.items
        .into_iter()
        .find(|i| i.source.gallery_code() == Some(post.to_string()))
        .unwrap()
}

/// The titles and details of the post's gallery, scenes and images, as Stash holds them.
fn objects_of(lib: &Library, dump: &Value, item: &ContentItem) -> Vec<(String, Value, Value)> {
    let canon = canonical(dump);
    let code = item.source.gallery_code().unwrap();
    // Each key holds a list (more than one object would be a duplicate).
    let g = &canon["galleries"][format!("code:{code}")][0];
    let mut out = vec![(
        format!("gallery {code}"),
        g["title"].clone(),
        g["details"].clone(),
    )];
    for m in &item.media {
        let path = lib.creators[0].files[&m.media.id.0]
            .path
            .display()
            .to_string();
        for kind in ["scenes", "images"] {
            if let Some(o) = canon[kind].get(&path).map(|l| &l[0]) {
                out.push((
                    format!("{kind} {path}"),
                    o["title"].clone(),
                    o["details"].clone(),
                ));
            }
        }
    }
    out
}

/// Everything Stash holds is what the metadata database says, texts trimmed.
async fn assert_all_as_expected(lib: &Library, double: &StashDouble) {
    let repo = lib.store().await.unwrap();
    let expected = expected_state(lib, &repo, "Fansly (network)")
        .await
        .unwrap();
    let wrong = mismatches(&expected, &canonical(&double.dump()), 20);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn assert_texts(objects: &[(String, Value, Value)], title: &str, details: &str) {
    assert!(
        objects.len() >= 4,
        "a gallery, a scene and images: {objects:?}"
    );
    assert!(
        objects.iter().any(|(k, ..)| k.starts_with("scenes")),
        "{objects:?}"
    );
    assert!(
        objects.iter().any(|(k, ..)| k.starts_with("images")),
        "{objects:?}"
    );
    for (what, t, d) in objects {
        let t = t.as_str().unwrap_or_default();
        assert!(
            t == title || t.starts_with(&format!("{title} - ")),
            "{what}: title {t:?}, want {title:?}"
        );
        assert_eq!(d, details, "{what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_with_blank_lines_stays_ours_through_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&shape(), dir.path(), None).await.unwrap();
    let post = lib.creators[0].generated.posts[0];
    lib.set_post_content(post, FIRST).await.unwrap();
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let state = open_state(&dir.path().join("state.sqlite3")).await.unwrap();

    sync(&lib, &world.double, state.clone()).await;
    let first = item(&lib, post).await;
    assert_texts(
        &objects_of(&lib, &world.double.dump(), &first),
        "Love you all, my dears",
        "Love you all, my dears  \nsee you tonight",
    );
    assert_all_as_expected(&lib, &world.double).await;
    // What we remember is what Stash holds: the trimmed text.
    let records = state.load_creator(lib.creators[0].id()).await.unwrap();
    let gallery = records
        .iter()
        .find(|r| r.key == format!("post:{post}"))
        .unwrap();
    assert_eq!(
        gallery.field_hashes.as_ref().unwrap()["details"],
        FIRST.trim().to_owned().value_hash()
    );

    // The post is edited (its blank lines and trailing spaces stay).
    lib.set_post_content(post, EDITED).await.unwrap();
    world.double.reset_counters();
    sync(&lib, &world.double, state.clone()).await;
    assert!(world.double.counters().mutation_requests > 0);
    let edited = item(&lib, post).await;
    assert_texts(
        &objects_of(&lib, &world.double.dump(), &edited),
        "Missed you all, darlings",
        "Missed you all, darlings  \nsee you tomorrow",
    );
    assert_all_as_expected(&lib, &world.double).await;

    // And nothing is left to do.
    world.double.reset_counters();
    sync(&lib, &world.double, state).await;
    let c = world.double.counters();
    assert_eq!(c.mutation_requests, 0, "{:?}", c.by_root_field);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_from_before_trimming_keeps_our_fields_ours() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&shape(), dir.path(), None).await.unwrap();
    let post = lib.creators[0].generated.posts[0];
    lib.set_post_content(post, FIRST).await.unwrap();
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let state = open_state(&dir.path().join("state.sqlite3")).await.unwrap();
    sync(&lib, &world.double, state.clone()).await;

    // Make Stash and the state what an earlier version left: it titled the post by its blank
    // first line (the `<username> - date` fallback), sent the text untrimmed (Stash v0.30
    // stored it trimmed) and remembered the hashes of what it sent.
    let old_title = "creator00 - 2024/01/01";
    let stored = FIRST.trim();
    let the_item = item(&lib, post).await;
    let media: Vec<String> = the_item
        .media
        .iter()
        .map(|m| format!("media:{}", m.media.id))
        .collect();
    let creator = lib.creators[0].id();
    let mut records = state.load_creator(creator).await.unwrap();
    let mut touched = 0;
    for r in &mut records {
        let (count, index) = match r.key.as_str() {
            k if k == format!("post:{post}") => (1, 0),
            k => match media.iter().position(|m| m == k) {
                Some(i) => (media.len(), i),
                None => continue,
            },
        };
        let title = if count > 1 {
            format!("{old_title} - {}/{count}", index + 1)
        } else {
            old_title.to_owned()
        };
        let id = r.stash_id.clone().unwrap();
        let mutation = match r.kind {
            domain::ports::EntityKind::Gallery => "galleryUpdate(input: {id: $id, title: $t})",
            domain::ports::EntityKind::Scene => "sceneUpdate(input: {id: $id, title: $t})",
            _ => "imageUpdate(input: {id: $id, title: $t})",
        };
        user_request(
            &world.double,
            &format!("mutation($id: ID!, $t: String) {{ {mutation} {{ id }} }}"),
            json!({"id": id, "t": title}),
        )
        .await;
        let hashes = r.field_hashes.get_or_insert_with(Default::default);
        hashes.insert("title".into(), title.value_hash());
        hashes.insert("details".into(), FIRST.to_owned().value_hash());
        // Its fingerprint was over those values: not what this version computes.
        r.fingerprint = Some(1);
        touched += 1;
    }
    assert!(
        touched >= 4,
        "the post's gallery, scene and images: {touched}"
    );
    state.save(&records).await.unwrap();
    let before = objects_of(&lib, &world.double.dump(), &the_item);
    assert!(
        before
            .iter()
            .all(|(_, t, d)| t.as_str().unwrap().starts_with(old_title) && d == stored),
        "{before:?}"
    );

    // The post is edited, then this version syncs: every field is still ours.
    lib.set_post_content(post, EDITED).await.unwrap();
    sync(&lib, &world.double, state.clone()).await;
    assert_texts(
        &objects_of(&lib, &world.double.dump(), &item(&lib, post).await),
        "Missed you all, darlings",
        "Missed you all, darlings  \nsee you tomorrow",
    );
    assert_all_as_expected(&lib, &world.double).await;
    world.double.reset_counters();
    sync(&lib, &world.double, state).await;
    assert_eq!(world.double.counters().mutation_requests, 0);
}
