//! The acceptance shape at the port level: a creator with 300 posts, 40 messages, 1,000 images
//! and 200 videos; the first sync is a few dozen port calls, a re-run reads only the file
//! listing and writes nothing, and ten new posts touch only themselves. Also: several
//! creators in one run, and the optional scan.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};

use common::fixtures::{ROOT, World, alice, file_of, media, post};
use common::{FakeStash, WRITE_OPS};
use domain::content::{ContentItem, ItemSource, MediaRole};
use domain::ids::{GroupId, MessageId};
use domain::ports::EntityKind;
use sync_core::{CancelFlag, PathMapping, ScanOptions, SyncMonitor, SyncOptions};

fn big_creator() -> (Vec<ContentItem>, FakeStash) {
    let a = alice();
    let mut items = Vec::new();
    let mut next = 10_000i64;
    let mut id = || {
        next += 1;
        next
    };
    for p in 0..300i64 {
        let mut m: Vec<_> = (0..3)
            .map(|_| media(id(), "image/jpeg", MediaRole::Main))
            .collect();
        if p < 200 {
            m.push(media(id(), "video/mp4", MediaRole::Main));
        }
        let mut item = post(
            &a,
            1_000 + p,
            &format!("Post number {p} with a caption"),
            1 + (p % 28) as u32,
            m,
        );
        item.hashtags = vec![domain::fansly::Hashtag::new(&format!("tag{}", p % 20))];
        items.push(item);
    }
    for q in 0..40i64 {
        let n = if q % 2 == 0 { 3 } else { 2 };
        let m: Vec<_> = (0..n)
            .map(|_| media(id(), "image/jpeg", MediaRole::Main))
            .collect();
        let mut item = post(&a, 0, "A message for you, darling", 1 + (q % 28) as u32, m);
        item.source = ItemSource::Message {
            id: MessageId(5_000 + q),
            group_id: Some(GroupId(9)),
        };
        items.push(item);
    }
    let mut fake = FakeStash::default();
    for item in &items {
        for m in &item.media {
            fake.add_file(&format!("{ROOT}/Timeline"), &file_of(m));
        }
    }
    (items, fake)
}

#[tokio::test]
async fn a_large_creator_syncs_in_few_calls_and_resyncs_for_free() {
    let (items, fake) = big_creator();
    let (images, scenes) = (fake.images.len(), fake.scenes.len());
    assert_eq!((images, scenes), (1_000, 200));
    let mut w = World::standard();
    *w.items.lock().unwrap() = items;
    *w.stash.lock().unwrap() = fake;
    w.opts.batch_size = 250;

    let (report, _) = w.run().await;
    let t = report.totals();
    assert!(
        report.errors.is_empty(),
        "{:?}",
        &report.errors[..report.errors.len().min(3)]
    );
    assert_eq!(
        (t[&EntityKind::Image].updated, t[&EntityKind::Scene].updated),
        (1_000, 200)
    );
    assert_eq!(t[&EntityKind::Gallery].created, 340);
    let first = w.fake().total_calls();
    println!("first sync: {first} port calls {:?}", w.fake().calls);
    assert!(
        first <= 60,
        "first sync: {first} port calls {:?}",
        w.fake().calls
    );
    // Every gallery exists once.
    assert_eq!(w.fake().galleries.len(), 340);

    let (report, _) = w.run().await;
    println!("re-run: {:?}", w.fake().calls);
    assert_eq!(w.fake().write_calls(), 0);
    assert!(w.fake().total_calls() <= 5, "{:?}", w.fake().calls);
    assert_eq!(report.totals()[&EntityKind::Image].unchanged, 1_000);

    let a = alice();
    for p in 0..10i64 {
        let m = media(90_000 + p, "image/jpeg", MediaRole::Main);
        w.fake().add_file(&format!("{ROOT}/Timeline"), &file_of(&m));
        w.items.lock().unwrap().push(post(
            &a,
            2_000 + p,
            "Fresh post with a caption",
            27,
            vec![m],
        ));
    }
    let (report, _) = w.run().await;
    let t = report.totals();
    assert_eq!(
        (
            t[&EntityKind::Image].updated,
            t[&EntityKind::Gallery].created
        ),
        (10, 10)
    );
    assert_eq!(
        (
            t[&EntityKind::Image].unchanged,
            t[&EntityKind::Gallery].unchanged
        ),
        (1_000, 340)
    );
    let s = w.fake();
    println!("after 10 new posts: {:?}", s.calls);
    assert_eq!(
        s.calls("update_scenes") + s.calls("scenes_by_ids") + s.calls("galleries_by_ids"),
        0
    );
    assert!(
        WRITE_OPS.iter().map(|o| s.calls(o)).sum::<u64>() <= 3,
        "{:?}",
        s.calls
    );
}

#[tokio::test]
async fn several_creators_share_the_network_studio_and_a_scan_runs_first() {
    let mut w = World::standard();
    let bob = domain::fansly::Account {
        id: domain::ids::AccountId(2),
        username: "bob".into(),
        display_name: None,
        about: None,
        created_at: None,
        stash_id: None,
    };
    let m = media(7_001, "image/jpeg", MediaRole::Main);
    w.fake()
        .add_file("/stash/bob_fansly/Timeline", &file_of(&m));
    w.items
        .lock()
        .unwrap()
        .push(post(&bob, 7_000, "Bob's first post here", 9, vec![m]));
    w.opts.scan = Some(ScanOptions {
        rescan: false,
        generate: Default::default(),
        deadline: std::time::Duration::from_secs(60),
    });
    let (monitor, _) = SyncMonitor::collecting();
    let report = w
        .engine(None)
        .sync_creators(&[alice(), bob], &monitor, &CancelFlag::new())
        .await
        .unwrap();
    assert_eq!(report.creators.len(), 2);
    let s = w.fake();
    assert_eq!(
        s.calls("find_or_create_studios"),
        3,
        "network once, then one per creator"
    );
    assert_eq!((s.calls("start_scan"), s.calls("wait_for_job")), (2, 2));
    let bob_studio = s.studios.iter().find(|x| x.name == "bob (Fansly)").unwrap();
    assert_eq!(bob_studio.parent_id, Some(s.studio_id("Fansly (network)")));
    assert_eq!(
        s.image_by_file(&file_of(&media(7_001, "image/jpeg", MediaRole::Main)))
            .fields
            .title
            .as_deref(),
        Some("Bob's first post here")
    );
    let _ = (
        Arc::new(Mutex::new(0)),
        SyncOptions::new(PathMapping::identity("/x")),
    );
}
