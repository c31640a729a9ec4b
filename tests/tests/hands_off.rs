//! Issue 17.3, organized means hands off, completely: an organized scene or image is neither
//! stamped nor linked into the gallery we create (its gallery list stays the user's), and the
//! gallery notes it as skipped; `galleries_organized` creates galleries marked organized (last,
//! once their images and chapters are in place), which later runs leave alone unless forced;
//! one the user un-organizes stays un-organized. A post whose files are all organized gets no
//! (empty) gallery.
//! Issue 13's leftover: a chapter points at an image its gallery really holds, counted in the
//! order Stash shows the gallery (by path), or is skipped with a note.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use domain::Patch;
use domain::content::{ContentItem, ItemSource};
use domain::ids::{ImageId, SceneId};
use domain::ports::{MediaServer, MetadataRepository, SyncStateStore};
use domain::stash::{ImagePatch, ScenePatch};
use fansly_stash_tests::canonical::{canonical, object_id_of};
use fansly_stash_tests::library::{Library, LibraryShape};
use fansly_stash_tests::world::{
    StashWorld, client_config, open_state, run_sync, start_stash, sync_options, user_request,
};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use stash_adapter::StashClient;
use stash_double::{DoubleConfig, Fault, StashDouble};
use sync_core::{SyncOptions, SyncReport};

async fn sync_with(
    lib: &Library,
    double: &StashDouble,
    state: Arc<dyn SyncStateStore>,
    tune: impl FnOnce(&mut SyncOptions),
) -> SyncReport {
    let repo: Arc<dyn MetadataRepository> = Arc::new(lib.store().await.unwrap());
    let client = Arc::new(StashClient::connect(client_config(double)).await.unwrap());
    let mut opts = sync_options(lib);
    tune(&mut opts);
    run_sync(repo, client, state, opts, None).await.unwrap()
}

/// The creator's items as the metadata store gives them.
async fn items(lib: &Library) -> Vec<ContentItem> {
    let repo = lib.store().await.unwrap();
    repo.content_page(lib.creators[0].id(), None, 1_000)
        .await
        .unwrap()
        .items
}

/// The raw id of the scene or image (`kind`) whose file belongs to media `media`.
fn object_of(lib: &Library, dump: &Value, kind: &str, media: i64) -> String {
    object_id_of(dump, kind, &lib.creators[0].files[&media]).unwrap()
}

fn path_of(lib: &Library, media: i64) -> String {
    lib.creators[0].files[&media].path.display().to_string()
}

fn kind_of(m: &domain::content::ItemMedia) -> &'static str {
    match m.media.mimetype.as_deref() {
        Some(t) if t.starts_with("video/") => "scenes",
        _ => "images",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organized_scenes_and_images_are_neither_stamped_nor_linked() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&LibraryShape::one_creator(4, 0, 12, 4), dir.path(), None)
        .await
        .unwrap();
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let dump = world.double.dump();
    // A post with a video and at least two images: the user organizes the video's scene and
    // one image, and titles them.
    let items = items(&lib).await;
    let post = items
        .iter()
        .find(|i| {
            let kinds: Vec<&str> = i.media.iter().map(kind_of).collect();
            kinds.contains(&"scenes") && kinds.iter().filter(|k| **k == "images").count() >= 3
        })
        .expect("a post with a video and images");
    let ItemSource::Post(post_id) = post.source else {
        panic!("not a post")
    };
    let video = post.media.iter().find(|m| kind_of(m) == "scenes").unwrap();
    let images: Vec<i64> = post
        .media
        .iter()
        .filter(|m| kind_of(m) == "images")
        .map(|m| m.media.id.0)
        .collect();
    let scene = SceneId::new(object_of(&lib, &dump, "scenes", video.media.id.0));
    let image = ImageId::new(object_of(&lib, &dump, "images", images[0]));
    let stash = &world.client;
    stash
        .update_scenes(&[ScenePatch {
            title: Patch::Set("My scene".into()),
            organized: Some(true),
            ..ScenePatch::new(scene)
        }])
        .await
        .unwrap();
    stash
        .update_images(&[ImagePatch {
            title: Patch::Set("My pick".into()),
            organized: Some(true),
            ..ImagePatch::new(image)
        }])
        .await
        .unwrap();
    let curated = canonical(&world.double.dump());

    let state = open_state(&dir.path().join("state.sqlite3")).await.unwrap();
    let report = sync_with(&lib, &world.double, state.clone(), |_| {}).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let after = canonical(&world.double.dump());
    let video_key = path_of(&lib, video.media.id.0);
    let image_key = path_of(&lib, images[0]);
    for (kind, key) in [("scenes", &video_key), ("images", &image_key)] {
        assert_eq!(
            after[kind][key], curated[kind][key],
            "organized {kind} {key}: every field as the user left it, galleries included"
        );
    }
    let gallery = &after["galleries"][format!("code:{post_id}")][0];
    let linked = gallery["images"].as_array().unwrap();
    assert!(!linked.contains(&json!(image_key)), "{gallery}");
    for other in &images[1..] {
        assert!(linked.contains(&json!(path_of(&lib, *other))), "{gallery}");
    }
    assert!(
        !gallery["scenes"]
            .as_array()
            .unwrap()
            .contains(&json!(video_key)),
        "{gallery}"
    );
    let note = report
        .skipped
        .iter()
        .find(|n| n.what == format!("post:{post_id}"))
        .expect("the gallery notes what it left out");
    assert!(
        note.reason.contains("skipped (organized)") && note.reason.contains("scene"),
        "{note:?}"
    );

    // Nothing to do on the next run.
    world.double.reset_counters();
    sync_with(&lib, &world.double, state.clone(), |_| {}).await;
    assert_eq!(world.double.counters().mutation_requests, 0);

    // With force, ours wins: the organized image is stamped and linked too.
    sync_with(&lib, &world.double, state, |o| o.force = true).await;
    let forced = canonical(&world.double.dump());
    let gallery = &forced["galleries"][format!("code:{post_id}")][0];
    assert!(
        gallery["images"]
            .as_array()
            .unwrap()
            .contains(&json!(image_key)),
        "{gallery}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn galleries_organized_marks_them_last_and_later_runs_leave_them_alone() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&LibraryShape::one_creator(4, 2, 12, 2), dir.path(), None)
        .await
        .unwrap();
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let state = open_state(&dir.path().join("state.sqlite3")).await.unwrap();
    let organized = |o: &mut SyncOptions| o.galleries_organized = true;

    // A first run whose "mark organized" step fails (as a kill right before it would leave
    // things): the galleries are made and filled, but not organized, and reported.
    world
        .double
        .faults()
        .inject(Some("galleriesUpdate"), 1_000, Fault::Status(503));
    let report = sync_with(&lib, &world.double, state.clone(), organized).await;
    world.double.faults().clear();
    assert!(!report.errors.is_empty(), "the organize step failed");
    let dump = world.double.dump();
    let galleries = dump["galleries"].as_array().unwrap();
    assert!(!galleries.is_empty());
    assert!(galleries.iter().all(|g| g["organized"] == false), "{dump}");
    assert!(
        galleries
            .iter()
            .all(|g| g["image_ids"].as_array().unwrap().len()
                + g["scene_ids"].as_array().unwrap().len()
                > 0)
    );

    // The next run finishes them: every gallery organized, nothing else written.
    let report = sync_with(&lib, &world.double, state.clone(), organized).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let done = world.double.dump();
    let galleries = done["galleries"].as_array().unwrap();
    assert!(galleries.iter().all(|g| g["organized"] == true), "{done}");
    world.double.reset_counters();
    sync_with(&lib, &world.double, state.clone(), organized).await;
    assert_eq!(world.double.counters().mutation_requests, 0);

    // A post edited upstream: its gallery is organized, so it is left alone...
    let post = lib.creators[0].generated.posts[0];
    lib.set_post_content(post, "A brand new caption")
        .await
        .unwrap();
    let before = canonical(&world.double.dump());
    let report = sync_with(&lib, &world.double, state.clone(), organized).await;
    let key = format!("code:{post}");
    let after = canonical(&world.double.dump());
    assert_eq!(after["galleries"][&key], before["galleries"][&key]);
    assert!(
        report
            .skipped
            .iter()
            .any(|n| n.what == format!("post:{post}") && n.reason.contains("organized")),
        "{:?}",
        report.skipped
    );
    // ... unless forced.
    sync_with(&lib, &world.double, state, |o| {
        o.galleries_organized = true;
        o.force = true;
    })
    .await;
    let forced = canonical(&world.double.dump());
    assert_eq!(
        forced["galleries"][&key][0]["details"],
        "A brand new caption"
    );
    assert_eq!(forced["galleries"][&key][0]["organized"], true);
}

/// The gallery Stash has for post `post` (raw dump).
fn gallery_of(double: &StashDouble, post: i64) -> Value {
    let dump = double.dump();
    let code = post.to_string();
    dump["galleries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == code.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("no gallery for post {post}: {dump}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gallery_the_user_un_organizes_is_not_organized_again() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&LibraryShape::one_creator(4, 0, 12, 2), dir.path(), None)
        .await
        .unwrap();
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let state = open_state(&dir.path().join("state.sqlite3")).await.unwrap();
    let organized = |o: &mut SyncOptions| o.galleries_organized = true;
    let report = sync_with(&lib, &world.double, state.clone(), organized).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let post = lib.creators[0].generated.posts[0];
    let gallery = gallery_of(&world.double, post);
    assert_eq!(gallery["organized"], true, "{gallery}");

    // The user takes the flag back, and leaves everything else to us.
    user_request(
        &world.double,
        "mutation($id: ID!) { galleryUpdate(input: {id: $id, organized: false}) { id } }",
        json!({"id": gallery["id"]}),
    )
    .await;
    // Two upstream edits, each synced: the first re-plan must not forget whose flag it is, or
    // the second organizes the gallery again.
    for caption in ["A first new caption", "A second new caption"] {
        lib.set_post_content(post, caption).await.unwrap();
        let report = sync_with(&lib, &world.double, state.clone(), organized).await;
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let now = gallery_of(&world.double, post);
        assert_eq!(now["details"], caption, "our details still follow the post");
        assert_eq!(
            now["organized"], false,
            "the user's un-organize stands: {now}"
        );
    }
    world.double.reset_counters();
    sync_with(&lib, &world.double, state.clone(), organized).await;
    assert_eq!(world.double.counters().mutation_requests, 0);

    // `--force` writes over the user's choices, this one too.
    sync_with(&lib, &world.double, state, |o| {
        o.galleries_organized = true;
        o.force = true;
    })
    .await;
    assert_eq!(gallery_of(&world.double, post)["organized"], true);
}

/// Marks organized, as the user would, the scene or image of every media of `item`.
async fn organize_all(world: &StashWorld, lib: &Library, item: &ContentItem) {
    let dump = world.double.dump();
    let (mut scenes, mut images) = (Vec::new(), Vec::new());
    for m in &item.media {
        let kind = kind_of(m);
        let id = object_of(lib, &dump, kind, m.media.id.0);
        match kind {
            "scenes" => scenes.push(ScenePatch {
                organized: Some(true),
                ..ScenePatch::new(SceneId::new(id))
            }),
            _ => images.push(ImagePatch {
                organized: Some(true),
                ..ImagePatch::new(ImageId::new(id))
            }),
        }
    }
    assert!(!scenes.is_empty() && !images.is_empty(), "{item:?}");
    world.client.update_scenes(&scenes).await.unwrap();
    world.client.update_images(&images).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_whose_files_are_all_organized_gets_no_gallery() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&LibraryShape::one_creator(4, 0, 12, 4), dir.path(), None)
        .await
        .unwrap();
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let all = items(&lib).await;
    let with_video = |i: &&ContentItem| i.media.iter().any(|m| kind_of(m) == "scenes");
    let mut posts = all.iter().filter(with_video);
    let (curated, later) = (posts.next().unwrap(), posts.next().unwrap());
    let (ItemSource::Post(curated_id), ItemSource::Post(later_id)) =
        (&curated.source, &later.source)
    else {
        panic!("not posts")
    };
    organize_all(&world, &lib, curated).await;

    let state = open_state(&dir.path().join("state.sqlite3")).await.unwrap();
    let report = sync_with(&lib, &world.double, state.clone(), |_| {}).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let canon = canonical(&world.double.dump());
    let galleries = canon["galleries"].as_object().unwrap();
    assert!(
        !galleries.contains_key(&format!("code:{curated_id}")),
        "no empty gallery for a post whose files are all organized: {galleries:?}"
    );
    assert!(galleries.contains_key(&format!("code:{later_id}")));
    let notes: Vec<_> = report
        .skipped
        .iter()
        .filter(|n| n.what == format!("post:{curated_id}"))
        .collect();
    assert_eq!(notes.len(), 1, "one note says it all: {notes:?}");
    let reason = &notes[0].reason;
    assert!(
        reason.contains("skipped (organized)")
            && reason.contains("no gallery")
            && reason.contains("scene"),
        "{reason}"
    );

    // The decision is remembered: a run with nothing new reads no gallery and writes nothing.
    world.double.reset_counters();
    let report = sync_with(&lib, &world.double, state.clone(), |_| {}).await;
    let counters = world.double.counters();
    assert_eq!(counters.mutation_requests, 0);
    assert_eq!(counters.requests_with("findGalleries"), 0, "{counters:?}");
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);

    // A gallery made before its files were organized stays as it is: its members are kept
    // (lists only grow), and its own fields still follow the post.
    let made = canonical(&world.double.dump())["galleries"][format!("code:{later_id}")][0].clone();
    organize_all(&world, &lib, later).await;
    lib.set_post_content(later_id.0, "A brand new caption")
        .await
        .unwrap();
    let report = sync_with(&lib, &world.double, state.clone(), |_| {}).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let now = canonical(&world.double.dump())["galleries"][format!("code:{later_id}")][0].clone();
    assert_eq!(now["details"], "A brand new caption");
    assert_eq!(
        (&now["images"], &now["scenes"]),
        (&made["images"], &made["scenes"])
    );

    // With force, ours wins: the curated post gets its gallery.
    sync_with(&lib, &world.double, state, |o| o.force = true).await;
    let forced = canonical(&world.double.dump());
    let gallery = &forced["galleries"][format!("code:{curated_id}")][0];
    assert_eq!(
        gallery["scenes"].as_array().unwrap().len() + gallery["images"].as_array().unwrap().len(),
        curated.media.len(),
        "{gallery}"
    );
}

/// Makes `quoting` quote `quoted` (an aggregated-post attachment after its own media).
async fn quote(lib: &Library, quoting: i64, quoted: i64) {
    let store = lib.store().await.unwrap();
    let db = store.connection();
    let kind = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "'AGGREGATED_POSTS'::contenttype",
        _ => "'AGGREGATED_POSTS'",
    };
    db.execute_unprepared(&format!(
        "INSERT INTO attachments (id, \"postId\", \"contentId\", pos, \"contentType\") \
         SELECT COALESCE(MAX(id), 0) + 1, {quoting}, {quoted}, 99, {kind} FROM attachments"
    ))
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chapter_starts_at_an_image_its_gallery_holds_in_stash_order() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&LibraryShape::one_creator(6, 0, 24, 0), dir.path(), None)
        .await
        .unwrap();
    let posts = lib.creators[0].generated.posts.clone();
    // The last post quotes two earlier ones. In the item the quoted posts' images come after
    // its own; in Stash's order (by path: the media ids in the names) they interleave and the
    // first quoted post's first image is the gallery's first, so the item's position (5) is
    // not the chapter's index (1).
    let (quoting, first, second) = (posts[5], posts[1], posts[2]);
    quote(&lib, quoting, first).await;
    quote(&lib, quoting, second).await;
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let dump = world.double.dump();
    let all = items(&lib).await;
    let images_of = |post: i64| -> Vec<i64> {
        all.iter()
            .find(|i| i.source == ItemSource::Post(domain::ids::PostId(post)))
            .unwrap()
            .media
            .iter()
            .filter(|m| m.via_aggregated.is_none())
            .map(|m| m.media.id.0)
            .collect()
    };
    let (first_images, second_images) = (images_of(first), images_of(second));
    assert!(!first_images.is_empty() && !second_images.is_empty());
    // Every image of the second quoted post is organized: none can be linked, so its chapter
    // has nothing to start at.
    let patches: Vec<ImagePatch> = second_images
        .iter()
        .map(|m| ImagePatch {
            organized: Some(true),
            ..ImagePatch::new(ImageId::new(object_of(&lib, &dump, "images", *m)))
        })
        .collect();
    world.client.update_images(&patches).await.unwrap();

    let state = open_state(&dir.path().join("state.sqlite3")).await.unwrap();
    let report = sync_with(&lib, &world.double, state.clone(), |_| {}).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let canon = canonical(&world.double.dump());
    let key = format!("code:{quoting}");
    let gallery = &canon["galleries"][&key][0];
    // The gallery's images as Stash shows them: by path (same-width names here, so plain
    // string order is the natural order).
    let mut shown: Vec<String> = gallery["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    shown.sort();
    let chapters: Vec<&Value> = canon["chapters"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|v| v.as_array().unwrap())
        .filter(|c| c["gallery"] == key.as_str())
        .collect();
    assert_eq!(chapters.len(), 1, "one chapter: {chapters:?}");
    let index = chapters[0]["image_index"].as_u64().unwrap() as usize;
    let first_paths: Vec<String> = first_images.iter().map(|m| path_of(&lib, *m)).collect();
    assert!(
        first_paths.contains(&shown[index - 1]),
        "image #{index} of {shown:?} is the quoted post's"
    );
    assert!(
        shown[..index - 1].iter().all(|p| !first_paths.contains(p)),
        "and its first in the gallery's order"
    );
    let note = report
        .skipped
        .iter()
        .find(|n| n.what == format!("post:{quoting}") && n.reason.contains("chapter"))
        .expect("the skipped chapter is noted");
    assert!(note.reason.contains("holds none"), "{note:?}");

    // Nothing left to do.
    world.double.reset_counters();
    sync_with(&lib, &world.double, state, |_| {}).await;
    assert_eq!(world.double.counters().mutation_requests, 0);
}
