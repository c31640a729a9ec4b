//! Engine tests against mockall mocks of the three ports, backed by in-memory state so several
//! runs can be chained: first sync, no-change re-run, new items, user edits, organized and
//! foreign objects, failures, interruptions, dry run, events and request counts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::fixtures::{ROOT, World, alice, file_of, media, post};
use domain::content::MediaRole;
use domain::ids::{ImageId, SceneId};
use domain::ports::{EntityKind, MediaServerError};
use domain::stash::FileOwner;
use sync_core::planner::Action;
use sync_core::{CancelFlag, Phase, RunOutcome, SyncError, SyncEvent, SyncReport};

fn img_file(id: i64) -> String {
    format!("2024-03-01_at_10-00_UTC_id_{id}.jpg")
}

#[tokio::test]
async fn first_run_labels_scenes_images_and_galleries() {
    let w = World::standard();
    let (report, _) = w.run().await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let t = report.totals();
    assert_eq!(t[&EntityKind::Image].updated, 6, "{t:?}");
    assert_eq!(t[&EntityKind::Scene].updated, 1);
    assert_eq!(
        t[&EntityKind::Gallery].created,
        3,
        "posts and the message, not the unattached media"
    );
    assert_eq!(t[&EntityKind::Chapter].created, 1);
    assert_eq!(
        t[&EntityKind::Performer].created,
        2,
        "alice and the mentioned bob"
    );
    assert_eq!(
        t[&EntityKind::Studio].created,
        2,
        "network and creator studio"
    );
    assert_eq!(t[&EntityKind::Tag].created, 2, "summer and Trailer");

    let s = w.fake();
    let alice_id = s.performer_id("Alice A");
    let bob_id = s.performer_id("bob");
    let studio = s.studio_id("alice (Fansly)");
    let network = s.studio_id("Fansly (network)");
    assert_eq!(
        s.studios.iter().find(|x| x.id == studio).unwrap().parent_id,
        Some(network)
    );

    // Shared media 1001: post 100 (earlier) stamps it.
    let i1001 = s.image_by_file(&img_file(1001)).clone();
    let f = &i1001.fields;
    assert_eq!(
        f.title.as_deref(),
        Some("Morning walk on the beach #summer - 1/3")
    );
    assert_eq!(f.code.as_deref(), Some("1001"));
    assert_eq!(f.date.unwrap().to_string(), "2024-03-01");
    assert_eq!(
        f.details.as_deref(),
        Some("Morning walk on the beach #summer")
    );
    assert_eq!(f.urls, ["https://fansly.com/post/100"]);
    assert_eq!(f.performer_ids, [alice_id.clone(), bob_id]);
    assert_eq!(f.studio_id, Some(studio.clone()));
    assert_eq!(s.tag_names(&f.tag_ids), ["summer"]);
    assert!(!f.organized);

    let preview = s.image_by_file("2024-03-01_at_10-00_UTC_preview_id_1003.jpg");
    assert_eq!(s.tag_names(&preview.fields.tag_ids), ["summer", "Trailer"]);
    assert_eq!(
        preview.fields.title.as_deref(),
        Some("Morning walk on the beach #summer - 3/3")
    );
    let scene = s.scene_by_file("2024-03-01_at_10-00_UTC_id_1002.mp4");
    assert_eq!(
        scene.fields.title.as_deref(),
        Some("Morning walk on the beach #summer - 2/3")
    );
    assert_eq!(scene.fields.code.as_deref(), Some("1002"));

    let i1004 = s.image_by_file(&img_file(1004));
    assert_eq!(
        i1004.fields.title.as_deref(),
        Some("alice - 2024/03/02 - 2/3"),
        "short content: username and date"
    );
    let i1006 = s.image_by_file(&img_file(1006));
    assert_eq!(
        i1006.fields.title.as_deref(),
        Some("A message with a picture")
    );
    assert!(i1006.fields.urls.is_empty(), "message media get no url");
    let i1007 = s.image_by_file(&img_file(1007));
    assert_eq!(i1007.fields.title.as_deref(), Some("alice - 2024/03/04"));
    assert_eq!(i1007.fields.code.as_deref(), Some("1007"));

    // Galleries.
    let g100 = s.gallery_by_code("100");
    assert_eq!(g100.len(), 1);
    let g100 = g100[0];
    assert_eq!(g100.urls, ["https://fansly.com/post/100"]);
    assert_eq!(
        g100.title.as_deref(),
        Some("Morning walk on the beach #summer")
    );
    assert!(!g100.organized, "we create galleries unorganized");
    assert_eq!(g100.scene_ids, std::slice::from_ref(&scene.id));
    assert_eq!(
        s.gallery_images[&g100.id],
        [i1001.id.clone(), preview.id.clone()]
    );
    let g101 = s.gallery_by_code("101")[0];
    assert_eq!(
        s.gallery_images[&g101.id].len(),
        3,
        "shared media is in both galleries"
    );
    assert!(s.gallery_images[&g101.id].contains(&i1001.id));
    let ch: Vec<_> = s
        .chapters
        .iter()
        .filter(|c| c.gallery_id == g101.id)
        .collect();
    assert_eq!(ch.len(), 1);
    assert_eq!(
        (ch[0].title.as_str(), ch[0].image_index),
        ("Quoted post text here", 3)
    );
    let g200 = s.gallery_by_code("200")[0];
    assert_eq!(g200.urls, ["https://fansly.com/messages/300/200"]);
    assert!(s.gallery_by_code("1007").is_empty());

    // Chapters come after the images they point at.
    let first_link = s
        .writes
        .iter()
        .position(|x| x == "add_gallery_images")
        .unwrap();
    let chapters = s
        .writes
        .iter()
        .position(|x| x == "create_gallery_chapters")
        .unwrap();
    assert!(first_link < chapters, "{:?}", s.writes);
    // The unrelated file and the other creator's file are not touched.
    assert!(s.image_by_file("holiday.jpg").fields.title.is_none());
    assert_eq!(
        s.images
            .values()
            .filter(|i| i.files[0].folder.starts_with("/stash/other"))
            .filter(|i| i.fields.title.is_some())
            .count(),
        0
    );
}

#[tokio::test]
async fn first_run_request_counts_are_batch_shaped() {
    let w = World::standard();
    let (report, _) = w.run().await;
    let s = w.fake();
    // One find-or-create per entity kind (studios: network, then creator under it).
    assert_eq!(s.calls("find_or_create_performers"), 1);
    assert_eq!(s.calls("find_or_create_tags"), 1);
    assert_eq!(s.calls("find_or_create_studios"), 2);
    assert_eq!(s.calls("list_files"), 1);
    assert_eq!(s.calls("server_info"), 1);
    // Two batches of two items: at most one call per kind and batch.
    for op in [
        "scenes_by_ids",
        "images_by_ids",
        "galleries_by_codes",
        "create_galleries",
        "update_images",
        "update_scenes",
        "add_gallery_images",
        "create_gallery_chapters",
    ] {
        assert!(s.calls(op) <= 2, "{op}: {}", s.calls(op));
    }
    assert_eq!(s.calls("galleries_by_ids"), 0, "no gallery known yet");
    assert_eq!(
        s.calls("gallery_chapters"),
        0,
        "new galleries have no chapters to check"
    );
    assert_eq!(report.requests.total(), s.total_calls());
    assert!(s.total_calls() <= 22, "{:?}", s.calls);
}

#[tokio::test]
async fn a_rerun_on_unchanged_data_reads_only_the_file_listing_and_writes_nothing() {
    let w = World::standard();
    w.run().await;
    let saves = w.store_stats.lock().unwrap().saves;
    let (report, _) = w.run().await;
    let s = w.fake();
    assert_eq!(s.write_calls(), 0, "{:?}", s.calls);
    assert_eq!(
        s.total_calls(),
        2,
        "server_info and one list_files page: {:?}",
        s.calls
    );
    assert!(s.total_calls() <= 5);
    let t = report.totals();
    assert_eq!(
        (
            t[&EntityKind::Image].unchanged,
            t[&EntityKind::Scene].unchanged,
            t[&EntityKind::Gallery].unchanged
        ),
        (6, 1, 3)
    );
    assert_eq!(
        w.store_stats.lock().unwrap().saves,
        saves,
        "nothing new to save"
    );
    assert_eq!(report.outcome(), RunOutcome::Ok);
}

#[tokio::test]
async fn after_new_downloads_only_the_new_items_are_read_and_written() {
    let w = World::standard();
    w.run().await;
    let m = media(1008, "image/jpeg", MediaRole::Main);
    w.fake().add_file(&format!("{ROOT}/Timeline"), &file_of(&m));
    w.items
        .lock()
        .unwrap()
        .push(post(&alice(), 102, "A brand new post today", 5, vec![m]));
    let (report, _) = w.run().await;
    let s = w.fake();
    let t = report.totals();
    assert_eq!(t[&EntityKind::Image].updated, 1);
    assert_eq!(t[&EntityKind::Image].unchanged, 6);
    assert_eq!(t[&EntityKind::Gallery].created, 1);
    assert_eq!(t[&EntityKind::Gallery].unchanged, 3);
    assert_eq!(s.calls("images_by_ids"), 1);
    assert_eq!(s.calls("update_images"), 1);
    assert_eq!(
        s.calls("scenes_by_ids") + s.calls("update_scenes") + s.calls("galleries_by_ids"),
        0
    );
    assert_eq!(
        s.calls("find_or_create_performers")
            + s.calls("find_or_create_studios")
            + s.calls("find_or_create_tags"),
        0,
        "entities come from the state"
    );
    assert_eq!(
        s.image_by_file(&img_file(1008)).fields.title.as_deref(),
        Some("A brand new post today")
    );
}

#[tokio::test]
async fn a_users_fields_survive_our_source_changing_and_force_makes_ours_win() {
    let mut w = World::standard();
    // Before our first sync the user titled the unattached image and annotated the scene.
    {
        let mut s = w.fake();
        let id = s.image_by_file(&img_file(1007)).id.clone();
        s.images.get_mut(&id).unwrap().fields.title = Some("Picked by me".into());
        let id = s
            .scene_by_file("2024-03-01_at_10-00_UTC_id_1002.mp4")
            .id
            .clone();
        s.scenes.get_mut(&id).unwrap().fields.details = Some("my scene notes".into());
    }
    w.run().await;
    {
        let s = w.fake();
        let f = &s.image_by_file(&img_file(1007)).fields;
        assert_eq!(
            f.title.as_deref(),
            Some("Picked by me"),
            "set before us: theirs"
        );
        assert_eq!(f.code.as_deref(), Some("1007"), "free fields are ours");
        let f = &s
            .scene_by_file("2024-03-01_at_10-00_UTC_id_1002.mp4")
            .fields;
        assert_eq!(f.details.as_deref(), Some("my scene notes"));
        assert_eq!(
            f.title.as_deref(),
            Some("Morning walk on the beach #summer - 2/3")
        );
    }
    // After it, the user edits a title and a date, and adds a tag and a url.
    {
        let mut s = w.fake();
        let id = s.image_by_file(&img_file(1004)).id.clone();
        s.tags.push(domain::stash::Tag {
            id: domain::ids::TagId::new("900"),
            name: "fav".into(),
            aliases: vec![],
        });
        let img = s.images.get_mut(&id).unwrap();
        img.fields.title = Some("My own title".into());
        img.fields.date = "2020-01-01".parse().ok();
        img.fields.tag_ids.push(domain::ids::TagId::new("900"));
        img.fields.urls.push("https://example.com/mine".into());
    }
    let (_, _) = w.run().await;
    assert_eq!(
        w.fake().write_calls(),
        0,
        "unchanged source: nothing read or written"
    );

    // Our source changes: posts get new captions, the unattached media a new date.
    {
        let mut items = w.items.lock().unwrap();
        items[0].content = "An evening walk instead".into();
        items[1].content = "Now with a real caption".into();
        items[1].created_at =
            Some(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2024, 3, 8, 12, 0, 0).unwrap());
        items[3].created_at =
            Some(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2024, 3, 9, 12, 0, 0).unwrap());
    }
    w.run().await;
    {
        let s = w.fake();
        let f = &s.image_by_file(&img_file(1004)).fields;
        assert_eq!(
            f.title.as_deref(),
            Some("My own title"),
            "edited after us: theirs"
        );
        assert_eq!(
            f.date.unwrap().to_string(),
            "2020-01-01",
            "edited after us: theirs"
        );
        assert_eq!(
            f.details.as_deref(),
            Some("Now with a real caption"),
            "still what we wrote: ours, updated"
        );
        assert!(
            f.tag_ids.contains(&domain::ids::TagId::new("900")),
            "the user's tag stays"
        );
        assert_eq!(
            f.urls,
            ["https://fansly.com/post/101", "https://example.com/mine"],
            "urls only grow"
        );
        let f = &s.image_by_file(&img_file(1007)).fields;
        assert_eq!(f.title.as_deref(), Some("Picked by me"));
        assert_eq!(
            f.date.unwrap().to_string(),
            "2024-03-09",
            "our date follows the source"
        );
        let f = &s
            .scene_by_file("2024-03-01_at_10-00_UTC_id_1002.mp4")
            .fields;
        assert_eq!(f.details.as_deref(), Some("my scene notes"));
        assert_eq!(f.title.as_deref(), Some("An evening walk instead - 2/3"));
        assert_eq!(
            s.gallery_by_code("101")[0].title.as_deref(),
            Some("Now with a real caption"),
            "our gallery title follows the source"
        );
        let rec = w.record(EntityKind::Image, "media:1004").unwrap();
        let owned = rec.field_hashes.unwrap();
        assert!(owned.contains_key("details") && !owned.contains_key("title"));
    }

    // The user renames our gallery; a later source change leaves that title alone too.
    {
        let mut s = w.fake();
        let id = s.gallery_by_code("101")[0].id.clone();
        s.galleries.get_mut(&id).unwrap().title = Some("My gallery".into());
    }
    w.items.lock().unwrap()[1].content = "A third caption arrives".into();
    w.run().await;
    {
        let s = w.fake();
        let g = s.gallery_by_code("101")[0];
        assert_eq!(g.title.as_deref(), Some("My gallery"));
        assert_eq!(g.details.as_deref(), Some("A third caption arrives"));
        assert_eq!(
            s.image_by_file(&img_file(1004)).fields.title.as_deref(),
            Some("My own title")
        );
    }

    // With force, ours wins everywhere.
    w.opts.force = true;
    w.run().await;
    let s = w.fake();
    let f = &s.image_by_file(&img_file(1004)).fields;
    assert_eq!(f.title.as_deref(), Some("A third caption arrives - 2/3"));
    assert_eq!(f.date.unwrap().to_string(), "2024-03-08");
    assert_eq!(
        s.image_by_file(&img_file(1007)).fields.title.as_deref(),
        Some("alice - 2024/03/09")
    );
    assert_eq!(
        s.scene_by_file("2024-03-01_at_10-00_UTC_id_1002.mp4")
            .fields
            .details
            .as_deref(),
        Some("An evening walk instead")
    );
    assert_eq!(
        s.gallery_by_code("101")[0].title.as_deref(),
        Some("A third caption arrives")
    );
    assert!(
        f.tag_ids.contains(&domain::ids::TagId::new("900")),
        "force never removes the user's additions"
    );
}

#[tokio::test]
async fn organized_objects_are_left_alone_unless_forced() {
    let mut w = World::standard();
    let id = w.fake().image_by_file(&img_file(1006)).id.clone();
    w.fake().images.get_mut(&id).unwrap().fields.organized = true;
    let (report, _) = w.run().await;
    assert!(w.fake().images[&id].fields.title.is_none());
    assert_eq!(report.totals()[&EntityKind::Image].skipped, 1);
    assert!(
        report
            .skipped
            .iter()
            .any(|n| n.reason.contains("organized"))
    );
    assert_eq!(
        report.creators[0].awaiting_files, 0,
        "an organized object is not a file Stash lacks"
    );
    // A plain re-run still leaves it alone, and costs nothing.
    w.run().await;
    assert!(w.fake().images[&id].fields.title.is_none());
    assert_eq!(w.fake().write_calls(), 0);
    w.opts.force = true;
    w.run().await;
    let s = w.fake();
    assert_eq!(
        s.images[&id].fields.title.as_deref(),
        Some("A message with a picture")
    );
    assert!(
        s.images[&id].fields.organized,
        "force writes fields, never the organized flag"
    );
}

#[tokio::test]
async fn an_image_with_files_outside_the_creator_folder_and_a_scene_of_a_secondary_file_are_not_ours()
 {
    let w = World::standard();
    {
        let mut s = w.fake();
        let id = s.image_by_file(&img_file(1007)).id.clone();
        let mut foreign = s.images[&id].files[0].clone();
        foreign.folder = "/stash/bob_fansly".into();
        s.images.get_mut(&id).unwrap().files.push(foreign);
        // The video file becomes a secondary file of some other scene.
        let scene_file = s
            .files
            .iter_mut()
            .find(|f| f.basename.ends_with("1002.mp4"))
            .unwrap();
        let sid = match &scene_file.owners[0] {
            FileOwner::Scene { id, .. } => id.clone(),
            _ => unreachable!(),
        };
        scene_file.owners = vec![FileOwner::Scene {
            id: sid,
            primary: false,
        }];
    }
    let (report, _) = w.run().await;
    let s = w.fake();
    assert!(s.image_by_file(&img_file(1007)).fields.title.is_none());
    assert!(
        s.scene_by_file("2024-03-01_at_10-00_UTC_id_1002.mp4")
            .fields
            .title
            .is_none()
    );
    assert!(
        report.skipped.iter().any(|n| n.reason.contains("outside")),
        "{:?}",
        report.skipped
    );
    assert!(
        report
            .skipped
            .iter()
            .any(|n| n.reason.contains("secondary")),
        "{:?}",
        report.skipped
    );
    assert_eq!(s.gallery_by_code("100")[0].scene_ids, Vec::<SceneId>::new());
}

#[tokio::test]
async fn a_failing_item_is_recorded_the_rest_proceed_and_it_is_retried_next_run() {
    let w = World::standard();
    let bad = w.fake().image_by_file(&img_file(1004)).id.clone();
    w.fake().fail_ids.insert(bad.to_string());
    let (report, log) = w.run().await;
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].key, "media:1004");
    assert_eq!(report.outcome(), RunOutcome::Partial);
    assert_eq!(report.totals()[&EntityKind::Image].updated, 5);
    assert!(
        log.events()
            .iter()
            .any(|e| matches!(e, SyncEvent::ItemFailed { key, .. } if key == "media:1004"))
    );
    let rec = w.record(EntityKind::Image, "media:1004").unwrap();
    assert!(rec.last_error.as_deref().unwrap().contains("injected"));
    assert_eq!(rec.fingerprint, None);
    assert!(w.fake().images[&bad].fields.title.is_none());
    assert_eq!(w.store_stats.lock().unwrap().runs_finished[0].0, "partial");

    w.fake().fail_ids.clear();
    let (report, _) = w.run().await;
    let s = w.fake();
    assert_eq!(report.totals()[&EntityKind::Image].updated, 1);
    assert_eq!(s.calls("update_images"), 1);
    assert_eq!(
        s.images[&bad].fields.title.as_deref(),
        Some("alice - 2024/03/02 - 2/3")
    );
    assert!(
        w.record(EntityKind::Image, "media:1004")
            .unwrap()
            .last_error
            .is_none()
    );
}

/// What a finished sync leaves in Stash, comparable across runs.
fn snapshot(w: &World) -> Vec<String> {
    let s = w.fake();
    let mut out = Vec::new();
    for i in s.images.values() {
        out.push(format!(
            "image {} {:?} {:?} {:?} {}",
            i.files[0].basename,
            i.fields.title,
            i.fields.code,
            i.fields.urls,
            s.tag_names(&i.fields.tag_ids).join(",")
        ));
    }
    for sc in s.scenes.values() {
        out.push(format!("scene {:?} {:?}", sc.fields.title, sc.fields.code));
    }
    for g in s.galleries.values() {
        let imgs = s.gallery_images.get(&g.id).map(Vec::len).unwrap_or(0);
        let chapters: Vec<_> = s
            .chapters
            .iter()
            .filter(|c| c.gallery_id == g.id)
            .map(|c| (c.title.clone(), c.image_index))
            .collect();
        out.push(format!(
            "gallery {:?} {:?} images={imgs} scenes={} chapters={chapters:?}",
            g.code,
            g.title,
            g.scene_ids.len()
        ));
    }
    out.push(format!(
        "performers {:?}",
        s.performers
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
    ));
    out.push(format!(
        "studios {:?}",
        s.studios.iter().map(|p| p.name.clone()).collect::<Vec<_>>()
    ));
    out.push(format!(
        "tags {:?}",
        s.tags.iter().map(|p| p.name.clone()).collect::<Vec<_>>()
    ));
    out.sort();
    out
}

#[tokio::test]
async fn a_run_killed_at_any_save_resumes_to_the_same_state_without_duplicates() {
    let clean = World::standard();
    clean.run().await;
    let expected = snapshot(&clean);
    let saves = clean.store_stats.lock().unwrap().saves;
    assert!(saves >= 3, "entities and each batch are saved: {saves}");
    for kept in 0..=saves {
        let w = World::standard();
        // The process dies after `kept` saves reached the disk: later writes happened in Stash
        // but the state does not know them.
        w.run_with(Some(kept), &CancelFlag::new()).await.unwrap();
        w.run().await;
        assert_eq!(snapshot(&w), expected, "killed after {kept} saves");
        // And a third run has nothing left to do.
        w.run().await;
        assert_eq!(
            w.fake().write_calls(),
            0,
            "killed after {kept} saves: {:?}",
            w.fake().calls
        );
    }
}

#[tokio::test]
async fn cancel_finishes_the_batch_in_flight_and_a_rerun_completes() {
    let w = World::standard();
    let flag = CancelFlag::new();
    w.fake().cancel_on = Some(("update_images".into(), flag.clone()));
    let (report, log) = w.run_with(None, &flag).await.unwrap();
    assert!(report.interrupted);
    assert_eq!(report.outcome(), RunOutcome::Interrupted);
    assert!(matches!(
        log.events().last(),
        Some(SyncEvent::RunFinished { interrupted: true })
    ));
    // The first batch (posts 100 and 101) was completed and saved; the message was not reached.
    assert!(w.record(EntityKind::Gallery, "post:100").is_some());
    assert!(w.record(EntityKind::Gallery, "message:200").is_none());
    assert!(w.fake().gallery_by_code("200").is_empty());
    assert_eq!(
        w.store_stats.lock().unwrap().runs_finished[0].0,
        "interrupted"
    );

    w.fake().cancel_on = None;
    w.run().await;
    let clean = World::standard();
    clean.run().await;
    assert_eq!(snapshot(&w), snapshot(&clean));
}

#[tokio::test]
async fn interrupting_after_each_phase_resumes_to_the_same_final_state() {
    let clean = World::standard();
    clean.run().await;
    let expected = snapshot(&clean);
    for op in [
        "list_files",
        "find_or_create_tags",
        "create_galleries",
        "update_images",
        "add_gallery_images",
        "create_gallery_chapters",
    ] {
        let w = World::standard();
        let flag = CancelFlag::new();
        w.fake().cancel_on = Some((op.into(), flag.clone()));
        let (report, _) = w.run_with(None, &flag).await.unwrap();
        assert!(report.interrupted, "{op}");
        w.fake().cancel_on = None;
        w.run().await;
        assert_eq!(snapshot(&w), expected, "cancelled at {op}");
    }
}

#[tokio::test]
async fn a_dry_run_prints_the_plan_and_writes_nothing() {
    let mut w = World::standard();
    w.opts.dry_run = true;
    let (report, _) = w.run().await;
    let s = w.fake();
    assert_eq!(s.write_calls(), 0, "{:?}", s.calls);
    assert!(s.images.values().all(|i| i.fields.title.is_none()));
    let st = w.store_stats.lock().unwrap();
    assert_eq!((st.saves, st.runs_started), (0, 0));
    assert!(w.records.lock().unwrap().is_empty());
    let plan = report.plan.clone().expect("a dry run carries its plan");
    let planned = |key: &str, action: Action| {
        plan.changes
            .iter()
            .any(|c| c.key == key && c.action == action)
    };
    assert!(planned("media:1001", Action::Update), "{plan:#?}");
    assert!(planned("post:100", Action::Create), "{plan:#?}");
    assert!(planned("Fansly (network)", Action::Create), "{plan:#?}");
    assert!(
        plan.changes
            .iter()
            .any(|c| c.fields.iter().any(|f| f.contains("Quoted post text here"))),
        "{plan:#?}"
    );
    assert!(
        plan.changes.iter().all(|c| {
            let shown = format!("{:?} {:?}", c.stash_id, c.fields);
            !shown.contains("new:")
        }),
        "no made-up ids: {plan:#?}"
    );
    assert!(report.dry_run, "the report says nothing was written");
}

#[tokio::test]
async fn events_follow_the_phases_and_progress_reaches_the_total() {
    let w = World::standard();
    let (_, log) = w.run().await;
    let ev = log.events();
    let phases: Vec<Phase> = ev
        .iter()
        .filter_map(|e| match e {
            SyncEvent::PhaseStarted { phase, .. } => Some(*phase),
            _ => None,
        })
        .collect();
    assert_eq!(
        phases,
        [Phase::Index, Phase::Files, Phase::Entities, Phase::Items]
    );
    let items: Vec<(u64, Option<u64>)> = ev
        .iter()
        .filter_map(|e| match e {
            SyncEvent::Progress {
                phase: Phase::Items,
                done,
                total,
                ..
            } => Some((*done, *total)),
            _ => None,
        })
        .collect();
    assert_eq!(items, [(2, Some(4)), (4, Some(4))]);
    assert!(matches!(
        ev.first(),
        Some(SyncEvent::RunStarted {
            creators: 1,
            dry_run: false
        })
    ));
    let finished = ev
        .iter()
        .find_map(|e| match e {
            SyncEvent::CreatorFinished { counts, error, .. } => {
                Some((counts.clone(), error.clone()))
            }
            _ => None,
        })
        .unwrap();
    assert_eq!(finished.1, None);
    let images = finished
        .0
        .iter()
        .find(|(k, _)| *k == EntityKind::Image)
        .unwrap()
        .1;
    assert_eq!(images.updated, 6);
    let counted: u64 = ev
        .iter()
        .filter_map(|e| match e {
            SyncEvent::Counted {
                kind: EntityKind::Image,
                counts,
                ..
            } => Some(counts.updated),
            _ => None,
        })
        .sum();
    assert_eq!(counted, 6, "count deltas add up to the totals");
}

#[tokio::test]
async fn an_unusable_stash_stops_the_run_and_a_failing_creator_does_not() {
    let w = World::standard();
    w.fake().list_error = Some(MediaServerError::Unauthorized);
    let err = w.run_with(None, &CancelFlag::new()).await.unwrap_err();
    assert!(
        matches!(err, SyncError::Stash(MediaServerError::Unauthorized)),
        "{err}"
    );
    assert_eq!(w.store_stats.lock().unwrap().runs_finished[0].0, "failed");

    let w = World::standard();
    w.fake().list_error = Some(MediaServerError::Server {
        status: 500,
        body: "oops".into(),
    });
    let (report, _) = w.run().await;
    let error = report.creators[0].error.as_deref().unwrap();
    assert!(
        error.starts_with("stopped: ") && error.contains("500"),
        "{error}"
    );
    assert_eq!(report.outcome(), RunOutcome::Partial);
    assert_eq!(w.fake().write_calls(), 0);
}

#[tokio::test]
async fn earliest_post_wins_a_shared_media_even_when_it_comes_later_in_the_pages() {
    let w = World::standard();
    // A post dated before post 100 that also carries media 1001, delivered last.
    let shared = media(1001, "image/jpeg", MediaRole::Main);
    w.items.lock().unwrap().push(post(
        &alice(),
        50,
        "The very first appearance",
        1,
        vec![shared],
    ));
    w.items.lock().unwrap().last_mut().unwrap().created_at =
        Some(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2024, 2, 1, 0, 0, 0).unwrap());
    w.run().await;
    let s = w.fake();
    let f = &s.image_by_file(&img_file(1001)).fields;
    assert_eq!(f.title.as_deref(), Some("The very first appearance"));
    assert_eq!(f.urls, ["https://fansly.com/post/50"]);
    assert_eq!(
        s.gallery_images[&s.gallery_by_code("100")[0].id].len(),
        2,
        "still linked in the later post's gallery"
    );
    let _ = ImageId::new("x");
}

#[tokio::test]
async fn a_gallery_made_by_a_killed_run_or_by_upstream_is_adopted_by_code() {
    let w = World::standard();
    {
        let mut s = w.fake();
        let gallery = |id: &str, code: &str, title: &str| domain::stash::Gallery {
            id: domain::ids::GalleryId::new(id),
            title: Some(title.into()),
            code: Some(code.into()),
            details: None,
            date: None,
            urls: vec![],
            organized: false,
            studio_id: None,
            performer_ids: vec![],
            tag_ids: vec![],
            scene_ids: vec![],
            image_count: 0,
            user_created: true,
        };
        // fansly-scraper's legacy title, and one the user gave the other post's gallery.
        let g = gallery("5000", "100", "Media from alice - 2024/03/01");
        s.galleries.insert(g.id.clone(), g);
        let g = gallery("5001", "101", "Named by the user");
        s.galleries.insert(g.id.clone(), g);
    }
    let (report, _) = w.run().await;
    let s = w.fake();
    assert_eq!(s.gallery_by_code("100").len(), 1, "no duplicate");
    let g = s.gallery_by_code("100")[0];
    assert_eq!(g.id.as_str(), "5000");
    assert_eq!(
        g.title.as_deref(),
        Some("Morning walk on the beach #summer"),
        "a legacy upstream title is replaced"
    );
    assert_eq!(s.gallery_images[&g.id].len(), 2);
    let g = s.gallery_by_code("101")[0];
    assert_eq!(g.id.as_str(), "5001");
    assert_eq!(g.title.as_deref(), Some("Named by the user"));
    assert_eq!(g.details.as_deref(), Some("hi"), "free fields are filled");
    assert_eq!(s.gallery_images[&g.id].len(), 3);
    assert_eq!(report.totals()[&EntityKind::Gallery].created, 1);
    assert_eq!(report.totals()[&EntityKind::Gallery].updated, 2);
}

/// Post 100's and the message's items get new content, so their objects are written again.
fn change_sources(w: &World, tag: &str) {
    let mut items = w.items.lock().unwrap();
    items[0].content = format!("Morning walk, part two #{tag}");
    items[2].content = format!("A message, edited ({tag})");
}

/// The calls of a run after `change_sources` on a standard world that nobody disturbed.
async fn undisturbed_calls() -> (std::collections::BTreeMap<String, u64>, SyncReport) {
    let w = World::standard();
    w.run().await;
    change_sources(&w, "summer");
    let (report, _) = w.run().await;
    let calls = w.fake().calls.clone();
    (calls, report)
}

#[tokio::test]
async fn deleted_tags_and_studios_are_found_or_created_again_and_the_failed_items_written_in_the_same_run()
 {
    let w = World::standard();
    w.run().await;
    let (old_tag, old_studio) = {
        let mut s = w.fake();
        (s.delete_tag("summer"), s.delete_studio("alice (Fansly)"))
    };
    change_sources(&w, "summer");
    let (report, log) = w.run().await;
    // The first batch (posts 100 and 101) met the stale ids; once healed, its failed objects
    // were planned and written again: nothing is left failed, nothing is reported twice.
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(
        !log.events()
            .iter()
            .any(|e| matches!(e, SyncEvent::ItemFailed { .. })),
        "the first attempt's failures are not reported"
    );
    assert_eq!(report.healed.len(), 1, "{:?}", report.healed);
    let reason = &report.healed[0].reason;
    assert!(reason.contains("tag summer"), "{reason}");
    assert!(reason.contains("studio alice (Fansly)"), "{reason}");
    assert!(reason.contains("written once more now"), "{reason}");
    let (reference_calls, reference) = undisturbed_calls().await;
    {
        let s = w.fake();
        // Healed once: one find-or-create per kind, no duplicates.
        assert_eq!(s.calls("find_or_create_tags"), 1);
        assert_eq!(s.calls("find_or_create_performers"), 1);
        assert_eq!(
            s.calls("find_or_create_studios"),
            1,
            "the network is still there"
        );
        assert_eq!(s.tags.iter().filter(|t| t.name == "summer").count(), 1);
        assert_eq!(s.studios.len(), 2);
        let studio = s.studio_id("alice (Fansly)");
        assert_ne!(studio, old_studio);
        assert_ne!(s.tag_id("summer"), old_tag);
        // Post 100's objects carry the new ids in this very run.
        let f = &s.image_by_file(&img_file(1001)).fields;
        assert_eq!(
            f.title.as_deref(),
            Some("Morning walk, part two #summer - 1/3")
        );
        assert_eq!(f.studio_id.as_ref(), Some(&studio));
        assert_eq!(s.tag_names(&f.tag_ids), ["summer"]);
        assert_eq!(
            s.gallery_by_code("100")[0].studio_id.as_ref(),
            Some(&studio)
        );
        // The next batch already used the new ids.
        let f = &s.image_by_file(&img_file(1006)).fields;
        assert_eq!(f.title.as_deref(), Some("A message, edited (summer)"));
        assert_eq!(f.studio_id.as_ref(), Some(&studio));
        // What healing cost against the same run on an undisturbed Stash: one find-or-create
        // per kind; for the first batch, planned again with the healed ids, one read and one
        // write per object kind (scenes, images, galleries) and one read of chapters (post
        // 101's gallery, unchanged by fingerprint, lost its studio to the delete and is written
        // now); and, as before this retry existed, the second batch, read ahead with the old
        // ids, is read again (its images and gallery). Twelve calls, nothing else.
        let extra = |op: &str| s.calls(op) - reference_calls.get(op).copied().unwrap_or(0);
        for (op, n) in [
            ("find_or_create_performers", 1),
            ("find_or_create_studios", 1),
            ("find_or_create_tags", 1),
            ("scenes_by_ids", 1),
            ("images_by_ids", 2),
            ("galleries_by_ids", 2),
            ("gallery_chapters", 1),
            ("update_scenes", 1),
            ("update_images", 1),
            ("update_galleries", 1),
        ] {
            assert_eq!(extra(op), n, "{op}: {:?}", s.calls);
        }
        assert_eq!(
            s.total_calls(),
            reference_calls.values().sum::<u64>() + 12,
            "{:?} vs {reference_calls:?}",
            s.calls
        );
    }
    // Every object is counted once, as in the undisturbed run (an image whose studio the
    // delete removed needs a write there instead of being unchanged).
    let total = |r: &SyncReport, kind| {
        let c = r.totals().get(&kind).copied().unwrap_or_default();
        (c.created + c.updated + c.unchanged + c.skipped, c.failed)
    };
    for kind in [EntityKind::Scene, EntityKind::Image, EntityKind::Gallery] {
        assert_eq!(total(&report, kind), total(&reference, kind), "{kind:?}");
    }
    // The next run has nothing to retry or heal, and writes nothing.
    let (report, _) = w.run().await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.healed.is_empty());
    let s = w.fake();
    assert_eq!(s.write_calls(), 0, "{:?}", s.order);
}

#[tokio::test]
async fn after_healing_a_retry_that_fails_again_is_not_retried_a_third_time() {
    let w = World::standard();
    w.run().await;
    let (scene, message_image) = {
        let mut s = w.fake();
        s.delete_tag("summer");
        let scene = s
            .scene_by_file("2024-03-01_at_10-00_UTC_id_1002.mp4")
            .id
            .to_string();
        let image = s.image_by_file(&img_file(1006)).id.to_string();
        // Stash keeps refusing these two on a foreign key, however the ids are healed.
        s.fk_fail_ids = [scene.clone(), image.clone()].into();
        (scene, image)
    };
    change_sources(&w, "summer");
    let (report, _) = w.run().await;
    let mut failed: Vec<&str> = report.errors.iter().map(|e| e.key.as_str()).collect();
    failed.sort_unstable();
    // Each failure is reported once; the scene (first batch) was written twice: the first
    // attempt and the one retry after the heal; the message's image (second batch, after the
    // heal) once: healing and retrying happen once per creator and run.
    assert_eq!(failed, ["media:1002", "media:1006"], "{:?}", report.errors);
    assert!(
        report
            .errors
            .iter()
            .all(|e| e.error.contains("FOREIGN KEY")),
        "{:?}",
        report.errors
    );
    assert_eq!(report.totals()[&EntityKind::Scene].failed, 1);
    assert_eq!(report.totals()[&EntityKind::Image].failed, 1);
    assert_eq!(report.healed.len(), 1, "{:?}", report.healed);
    {
        let s = w.fake();
        assert_eq!(s.update_attempts[&scene], 2, "{:?}", s.update_attempts);
        assert_eq!(
            s.update_attempts[&message_image], 1,
            "{:?}",
            s.update_attempts
        );
        assert_eq!(s.calls("update_scenes"), 2);
        assert_eq!(s.calls("find_or_create_tags"), 1);
        assert_eq!(s.calls("find_or_create_studios"), 1);
        // The rest of post 100 was written with the healed tag.
        let f = &s.image_by_file(&img_file(1001)).fields;
        assert_eq!(s.tag_names(&f.tag_ids), ["summer"]);
    }
    assert!(
        w.record(EntityKind::Scene, "media:1002")
            .unwrap()
            .last_error
            .is_some_and(|e| e.contains("FOREIGN KEY")),
        "the failure is remembered for the next run"
    );
    // The next run tries both again (once each), heals once more and retries once more.
    let (report, _) = w.run().await;
    assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
    assert_eq!(report.healed.len(), 1, "{:?}", report.healed);
    let s = w.fake();
    assert_eq!(s.update_attempts[&scene], 2, "{:?}", s.update_attempts);
    assert_eq!(
        s.update_attempts[&message_image], 1,
        "{:?}",
        s.update_attempts
    );
}

#[tokio::test]
async fn a_deleted_network_studio_is_created_again_when_a_creator_studio_needs_it() {
    let w = World::standard();
    w.run().await;
    {
        let mut s = w.fake();
        s.delete_studio("alice (Fansly)");
        s.delete_studio("Fansly (network)");
    }
    change_sources(&w, "summer");
    let (report, _) = w.run().await;
    // Healing re-creates the creator studio; creating it under the stale network fails, which
    // heals the network studio too, without failing the creator.
    assert!(report.creators[0].error.is_none(), "{:?}", report.creators);
    assert!(
        report.healed.iter().any(|h| h.what == "Fansly (network)"),
        "{:?}",
        report.healed
    );
    let s = w.fake();
    let network = s.studio_id("Fansly (network)");
    let studio = s
        .studios
        .iter()
        .find(|x| x.name == "alice (Fansly)")
        .unwrap();
    assert_eq!(studio.parent_id.as_ref(), Some(&network));
    assert_eq!(s.studios.len(), 2);
}

#[tokio::test]
async fn a_deleted_gallery_is_looked_up_by_code_then_made_again() {
    let w = World::standard();
    w.run().await;
    let old = w.fake().gallery_by_code("100")[0].id.clone();
    w.fake().delete_gallery(&old);
    // Unchanged source: the fingerprint says nothing to do, and nothing is read.
    w.run().await;
    assert!(w.fake().gallery_by_code("100").is_empty());
    assert_eq!(w.fake().total_calls(), 2);
    change_sources(&w, "summer");
    let (report, _) = w.run().await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let s = w.fake();
    assert_eq!(
        s.calls("galleries_by_ids"),
        2,
        "one per batch with a changed gallery"
    );
    assert_eq!(
        s.calls("galleries_by_codes"),
        1,
        "only for the gone gallery"
    );
    let g = s.gallery_by_code("100");
    assert_eq!(g.len(), 1);
    assert_ne!(g[0].id, old);
    assert_eq!(
        g[0].title.as_deref(),
        Some("Morning walk, part two #summer")
    );
    assert_eq!(s.gallery_images[&g[0].id].len(), 2);
    assert_eq!(report.healed.len(), 1, "{:?}", report.healed);
    assert_eq!(report.healed[0].what, "post:100");
    assert_eq!(
        w.record(EntityKind::Gallery, "post:100")
            .unwrap()
            .stash_id
            .as_deref(),
        Some(g[0].id.as_str())
    );
}

fn with_a_lost_download(scan: bool) -> (World, String) {
    let mut w = World::standard();
    let lost = media(1_099, "image/jpeg", MediaRole::Main);
    let name = file_of(&lost);
    w.items.lock().unwrap().push(post(
        &alice(),
        150,
        "The file of this post never reached Stash",
        5,
        vec![lost],
    ));
    if scan {
        w.opts.scan = Some(sync_core::ScanOptions {
            rescan: false,
            generate: Default::default(),
            deadline: std::time::Duration::from_secs(60),
        });
    }
    (w, name)
}

#[tokio::test]
async fn after_the_scan_job_the_new_files_are_read_back_and_an_unseen_one_is_reported_once() {
    let (w, lost) = with_a_lost_download(true);
    let (report, _) = w.run().await;
    {
        let s = w.fake();
        let scan_ops: Vec<&str> = s
            .order
            .iter()
            .map(String::as_str)
            .filter(|o| ["start_scan", "wait_for_job", "wait_for_files", "list_files"].contains(o))
            .collect();
        assert_eq!(
            scan_ops,
            ["start_scan", "wait_for_job", "wait_for_files", "list_files"],
            "the read-back comes after the job and before the listing, once"
        );
        let (prefix, names, deadline) = &s.read_backs[0];
        assert_eq!(prefix, ROOT);
        let mut expected: Vec<String> = w
            .items
            .lock()
            .unwrap()
            .iter()
            .flat_map(|i| i.media.iter().map(file_of))
            .collect();
        expected.sort();
        expected.dedup();
        let mut asked = names.clone();
        asked.sort();
        assert_eq!(
            asked, expected,
            "every downloaded file, never matched before"
        );
        assert!(*deadline > std::time::Duration::ZERO);
        assert!(*deadline <= std::time::Duration::from_secs(5));
    }
    let about_lost: Vec<_> = report
        .skipped
        .iter()
        .filter(|n| n.what == lost || n.reason.contains(&lost))
        .collect();
    assert_eq!(about_lost.len(), 1, "{:?}", report.skipped);
    assert!(
        about_lost[0].reason.contains("not visible in Stash")
            && about_lost[0].reason.contains(ROOT),
        "{}",
        about_lost[0].reason
    );
    // The count is the same as without a scan: the skip is counted where the item meets it.
    let (plain, lost_again) = with_a_lost_download(false);
    let (plain_report, _) = plain.run().await;
    assert_eq!(lost_again, lost);
    assert_eq!(
        report.totals()[&EntityKind::Image].skipped,
        plain_report.totals()[&EntityKind::Image].skipped
    );
    assert!(report.totals()[&EntityKind::Image].skipped >= 1);
    // The lost file is the one file awaited, with or without the scan, so a caller knows to
    // look again later.
    assert_eq!(report.creators[0].awaiting_files, 1);
    assert_eq!(plain_report.creators[0].awaiting_files, 1);

    // A re-run asks only for what was never matched: the lost file.
    let (_, _) = w.run().await;
    let s = w.fake();
    assert_eq!(s.read_backs.len(), 1);
    assert_eq!(s.read_backs[0].1, vec![lost]);
}

#[tokio::test]
async fn a_failed_scan_is_not_read_back_and_a_dry_run_does_not_scan() {
    let (w, _) = with_a_lost_download(true);
    w.fake().job_outcome = Some(domain::stash::JobOutcome::Failed("disk full".into()));
    let (report, _) = w.run().await;
    assert_eq!(w.fake().calls("wait_for_job"), 1);
    assert_eq!(w.fake().calls("wait_for_files"), 0);
    assert!(
        report
            .skipped
            .iter()
            .any(|n| n.reason.contains("the scan failed: disk full")),
        "{:?}",
        report.skipped
    );

    let (mut w, _) = with_a_lost_download(true);
    w.opts.dry_run = true;
    let _ = w.run().await;
    assert_eq!(w.fake().calls("start_scan"), 0);
    assert_eq!(w.fake().calls("wait_for_files"), 0);
}
