//! The synthetic library generator does what the end-to-end suites and the benchmark rely
//! on: files named and placed as fansly-scraper does, matching `local_filename`, unique bytes,
//! deterministic output, and incremental posts the double picks up on a rescan.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use domain::ports::MetadataRepository;
use fansly_stash_tests::library::{Library, LibraryShape, file_bytes};
use fansly_stash_tests::world::start_stash;
use stash_double::DoubleConfig;

fn shape() -> LibraryShape {
    LibraryShape {
        creators: 2,
        posts: 12,
        messages: 4,
        bundles: 2,
        bundle_size: 3,
        images: 20,
        videos: 5,
        unattached: 3,
        seed: 7,
    }
}

#[tokio::test]
async fn files_match_the_database_and_are_unique() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&shape(), dir.path(), None).await.unwrap();
    assert_eq!(lib.creators.len(), 2);
    let store = lib.store().await.unwrap();
    let mut contents = HashSet::new();
    for c in &lib.creators {
        assert_eq!(c.files.len(), shape().files_per_creator(), "{}", c.username);
        let generated: HashSet<i64> = c
            .generated
            .media
            .iter()
            .chain(&c.generated.previews)
            .chain(&c.generated.unattached)
            .copied()
            .collect();
        assert_eq!(generated, c.files.keys().copied().collect());
        // Every item's media has its file, named as local_filename, in the right area.
        let mut cursor = None;
        let mut in_messages = 0;
        loop {
            let page = store
                .content_page(c.id(), cursor.take(), 100)
                .await
                .unwrap();
            for item in &page.items {
                for m in &item.media {
                    let f = &c.files[&m.media.id.0];
                    let name = f.path.file_name().unwrap().to_str().unwrap();
                    assert_eq!(Some(name), m.media.local_filename.as_deref());
                    assert!(f.path.starts_with(&c.folder));
                    let rel = f.path.strip_prefix(&c.folder).unwrap();
                    let area = rel.iter().next().unwrap().to_str().unwrap();
                    let sub = rel.iter().nth(1).unwrap().to_str().unwrap();
                    assert!(["Timeline", "Messages"].contains(&area), "{rel:?}");
                    if area == "Messages" {
                        in_messages += 1;
                    }
                    let expect_sub = if name.ends_with(".mp4") {
                        "Videos"
                    } else {
                        "Pictures"
                    };
                    assert_eq!(sub, expect_sub, "{rel:?}");
                    if m.role == domain::content::MediaRole::Preview {
                        assert!(name.contains("_preview_id_"), "{name}");
                    } else {
                        assert!(name.contains(&format!("_id_{}.", m.media.id.0)), "{name}");
                    }
                }
            }
            match page.next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        assert!(in_messages > 0, "message media go under Messages/");
        for f in c.files.values() {
            let bytes = std::fs::read(&f.path).unwrap();
            assert_eq!(bytes, file_bytes(f.media_id, 7, &f.path));
            assert!(contents.insert(bytes), "duplicate bytes in {:?}", f.path);
        }
    }
}

#[tokio::test]
async fn generation_is_deterministic() {
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Library::generate(&shape(), d1.path(), None).await.unwrap();
    let b = Library::generate(&shape(), d2.path(), None).await.unwrap();
    let rel = |lib: &Library| -> Vec<(i64, std::path::PathBuf)> {
        lib.all_files()
            .map(|f| {
                (
                    f.media_id,
                    f.path.strip_prefix(&lib.root).unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(rel(&a), rel(&b));
    let other_seed = LibraryShape { seed: 8, ..shape() };
    let f = a.all_files().next().unwrap();
    assert_ne!(
        file_bytes(f.media_id, 7, &f.path),
        file_bytes(f.media_id, other_seed.seed, &f.path)
    );
}

#[tokio::test]
async fn the_double_scans_every_file_and_sees_added_posts() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = Library::generate(&shape(), dir.path(), None).await.unwrap();
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let total = 2 * shape().files_per_creator();
    assert_eq!(world.scan.files_added, total, "{:?}", world.scan);
    assert_eq!(world.scan.scenes_created, 2 * 5);
    assert_eq!(world.scan.images_created, total - 10);

    let added = lib.add_posts(1, 3, 2).await.unwrap();
    assert_eq!((added.posts.len(), added.media.len()), (3, 6));
    let rescan = world.double.scan_now(&[]).await;
    assert_eq!(rescan.images_created, 6, "{rescan:?}");
    // The new posts come out of the store with their media and hashtag.
    let store = lib.store().await.unwrap();
    let c = &lib.creators[1];
    let page = store.content_page(c.id(), None, 1_000).await.unwrap();
    let new: Vec<_> = page
        .items
        .iter()
        .filter(|i| matches!(i.source, domain::content::ItemSource::Post(p) if added.posts.contains(&p.0)))
        .collect();
    assert_eq!(new.len(), 3);
    for item in new {
        assert_eq!(item.media.len(), 2);
        assert_eq!(item.hashtags.len(), 1);
    }
    // A second batch of posts gets fresh ids.
    let more = lib.add_posts(1, 1, 1).await.unwrap();
    assert!(!added.posts.contains(&more.posts[0]));
}
