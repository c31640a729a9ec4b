//! sync-core's in-memory fake of Stash (`FakeStash` in `crates/sync-core/tests/common`, behind
//! the mockall mock of the media-server port) and the Stash double (a real HTTP server, spoken
//! to through the real adapter) stand for the same server. This suite keeps them from drifting
//! apart unnoticed: one generated library is synced through each, and what the engine reports
//! and what ends up on every scene, image and gallery (read back through the port, the same
//! way on both sides) must be the same: on a first sync, on a re-run, and on a forced re-run
//! after the user deleted a tag the state remembers (so the fake's and the adapter's stale
//! reference errors must agree too).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../crates/sync-core/tests/common/mod.rs"]
mod fake;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use domain::ids::{GalleryId, ImageId, SceneId};
use domain::ports::{MediaServer, MetadataRepository, SyncStateStore};
use domain::stash::{FileOwner, StampFields};
use fake::{FakeStash, StoreStats, media_server, state_store};
use fansly_stash_tests::library::{Library, LibraryShape};
use fansly_stash_tests::world::{open_state, run_sync, start_stash, sync_options};
use serde_json::{Value, json};
use stash_double::{DeleteKind, DoubleConfig};
use sync_core::{SyncOptions, SyncReport};

fn shape() -> LibraryShape {
    LibraryShape {
        bundles: 2,
        unattached: 3,
        ..LibraryShape::one_creator(12, 4, 30, 6)
    }
}

/// What a run did, without timings and request counts (the adapter batches differently).
fn summary(report: &SyncReport) -> Value {
    let errors: BTreeSet<String> = report
        .errors
        .iter()
        .map(|e| format!("{} {}", e.kind.as_str(), e.key))
        .collect();
    json!({
        "counts": report.summary_line(),
        "errors": errors,
        "healed": report.healed.len(),
        "outcome": report.outcome().as_str(),
    })
}

fn stamp_view(f: &StampFields) -> Value {
    json!({
        "title": f.title, "code": f.code, "details": f.details,
        "date": f.date.map(|d| d.to_string()), "urls": f.urls, "organized": f.organized,
        "studio": f.studio_id.is_some(), "performers": f.performer_ids.len(),
        "tags": f.tag_ids.len(), "galleries": f.gallery_ids.len(),
    })
}

/// Every scene, image and gallery under `root`, keyed by file name and gallery code, read
/// through the port (ids left out: the two servers number objects differently).
async fn view(stash: &dyn MediaServer, root: &str) -> Value {
    let (mut scenes, mut images) = (BTreeMap::new(), BTreeMap::new());
    let mut cursor = None;
    loop {
        let page = stash.list_files(root, cursor.take()).await.unwrap();
        for f in page.files {
            for o in f.owners {
                match o {
                    FileOwner::Scene { id, .. } => {
                        scenes.insert(id, f.basename.clone());
                    }
                    FileOwner::Image(id) => {
                        images.insert(id, f.basename.clone());
                    }
                }
            }
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let scene_ids: Vec<SceneId> = scenes.keys().cloned().collect();
    let image_ids: Vec<ImageId> = images.keys().cloned().collect();
    let mut out = BTreeMap::new();
    let mut galleries = BTreeSet::<GalleryId>::new();
    for (id, s) in stash.scenes_by_ids(&scene_ids).await.unwrap() {
        out.insert(format!("scene {}", scenes[&id]), stamp_view(&s.fields));
    }
    for (id, i) in stash.images_by_ids(&image_ids).await.unwrap() {
        galleries.extend(i.fields.gallery_ids.iter().cloned());
        out.insert(format!("image {}", images[&id]), stamp_view(&i.fields));
    }
    let ids: Vec<GalleryId> = galleries.into_iter().collect();
    for g in stash.galleries_by_ids(&ids).await.unwrap().into_values() {
        let view = json!({
            "title": g.title, "details": g.details, "urls": g.urls, "organized": g.organized,
            "date": g.date.map(|d| d.to_string()), "scenes": g.scene_ids.len(),
            "images": g.image_count, "performers": g.performer_ids.len(),
            "tags": g.tag_ids.len(), "studio": g.studio_id.is_some(),
        });
        out.insert(format!("gallery {}", g.code.unwrap_or_default()), view);
    }
    serde_json::to_value(out).unwrap()
}

/// The fake, holding the same files the double scanned.
fn fake_with_files(lib: &Library) -> Arc<Mutex<FakeStash>> {
    let fake = Arc::new(Mutex::new(FakeStash::default()));
    let mut files: Vec<_> = lib.all_files().map(|f| f.path.clone()).collect();
    files.sort();
    for path in files {
        let folder = path.parent().unwrap().display().to_string();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        fake.lock().unwrap().add_file(&folder, &name);
    }
    fake
}

async fn sync(
    lib: &Library,
    stash: Arc<dyn MediaServer>,
    state: Arc<dyn SyncStateStore>,
    opts: SyncOptions,
) -> SyncReport {
    let repo: Arc<dyn MetadataRepository> = Arc::new(lib.store().await.unwrap());
    run_sync(repo, stash, state, opts, None).await.unwrap()
}

fn assert_same(step: &str, fake: &Value, double: &Value) {
    let (f, d) = (fake.as_object().unwrap(), double.as_object().unwrap());
    let keys: BTreeSet<&String> = f.keys().chain(d.keys()).collect();
    let differ: Vec<String> = keys
        .into_iter()
        .filter(|k| f.get(*k) != d.get(*k))
        .take(8)
        .map(|k| {
            format!(
                "{k}:\n  fake:   {}\n  double: {}",
                json!(f.get(k)),
                json!(d.get(k))
            )
        })
        .collect();
    assert!(
        differ.is_empty(),
        "{step}: the fake and the double disagree on\n{}",
        differ.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fake_and_the_double_give_the_same_sync() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&shape(), dir.path(), None).await.unwrap();
    let root = lib.creators[0].folder.display().to_string();

    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let double: Arc<dyn MediaServer> = world.client.clone();
    let double_state: Arc<dyn SyncStateStore> =
        open_state(&dir.path().join("state.sqlite3")).await.unwrap();

    let fake = fake_with_files(&lib);
    let fake_stash: Arc<dyn MediaServer> = Arc::new(media_server(fake.clone()));
    let records = Arc::new(Mutex::new(BTreeMap::new()));
    let stats = Arc::new(Mutex::new(StoreStats::default()));
    let fake_state: Arc<dyn SyncStateStore> = Arc::new(state_store(records, stats, None));

    let mut opts = sync_options(&lib);
    for step in ["first sync", "re-run"] {
        let f = sync(&lib, fake_stash.clone(), fake_state.clone(), opts.clone()).await;
        let d = sync(&lib, double.clone(), double_state.clone(), opts.clone()).await;
        assert_same(step, &summary(&f), &summary(&d));
        assert_same(
            step,
            &view(fake_stash.as_ref(), &root).await,
            &view(double.as_ref(), &root).await,
        );
    }
    assert!(
        view(double.as_ref(), &root)
            .await
            .to_string()
            .contains("\"title\""),
        "the comparison saw labelled objects"
    );

    // The user deletes a tag both remember; a forced run meets the stale id and heals it.
    let tag = fake.lock().unwrap().tags[0].name.clone();
    fake.lock().unwrap().delete_tag(&tag);
    let dump = world.double.dump();
    let tag_id = dump["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == tag.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(world.double.delete_object(DeleteKind::Tag, &tag_id));
    opts.force = true;
    let f = sync(&lib, fake_stash.clone(), fake_state.clone(), opts.clone()).await;
    let d = sync(&lib, double.clone(), double_state.clone(), opts.clone()).await;
    assert_eq!(summary(&d)["healed"], json!(1), "{d:?}");
    assert_same("forced run after a deleted tag", &summary(&f), &summary(&d));
    assert_same(
        "forced run after a deleted tag",
        &view(fake_stash.as_ref(), &root).await,
        &view(double.as_ref(), &root).await,
    );
}
