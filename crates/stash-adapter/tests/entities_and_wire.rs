//! Find-or-create by natural key (exact client-side match despite LIKE semantics, single
//! flight, adoption after a duplicate-name race, version-gated URLs) and the wire shape of
//! patches as the server applies them (omitted leaves alone, null clears).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Lab, owners_under};
use domain::Patch;
use domain::ports::MediaServer;
use domain::stash::{ImagePatch, PerformerSpec, ScenePatch, StudioSpec, TagSpec};
use stash_double::{DoubleConfig, Fault, StashVersion};

fn tag(name: &str) -> TagSpec {
    TagSpec {
        name: name.into(),
        create_if_missing: true,
    }
}

fn performer(key: &str, name: &str, url: &str) -> PerformerSpec {
    PerformerSpec {
        key: key.into(),
        name: name.into(),
        disambiguation: None,
        aliases: vec![],
        urls: vec![url.into()],
        details: None,
    }
}

#[tokio::test]
async fn tags_are_found_exactly_and_created_once() {
    let lab = Lab::start().await;
    let client = lab.client().await;
    let first = client
        .find_or_create_tags(&[
            tag("AxB"),
            tag("Hot Stuff"),
            TagSpec {
                name: "Trailer".into(),
                create_if_missing: false,
            },
        ])
        .await
        .unwrap();
    assert!(first["AxB"].created && first["Hot Stuff"].created);
    assert!(!first.contains_key("Trailer"), "not created, so absent");

    lab.double.reset_counters();
    // "AxB" would match "A_B" under LIKE; "hot stuff" is the same tag case-insensitively.
    let second = client
        .find_or_create_tags(&[
            tag("hot stuff"),
            TagSpec {
                name: "A_B".into(),
                create_if_missing: false,
            },
        ])
        .await
        .unwrap();
    assert!(!second.contains_key("A_B"), "AxB is not A_B");
    assert!(!second["hot stuff"].created);
    assert_eq!(second["hot stuff"].entity.id, first["Hot Stuff"].entity.id);
    assert_eq!(lab.double.counters().requests_with("tagCreate"), 0);
    assert_eq!(lab.double.counters().http_requests, 1, "one batched lookup");
}

#[tokio::test]
async fn concurrent_callers_share_one_create_per_tag() {
    let lab = Lab::start().await;
    let client = Arc::new(lab.client().await);
    let mut tasks = Vec::new();
    for _ in 0..5 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move {
            c.find_or_create_tags(&[tag("Solo")]).await.unwrap()
        }));
    }
    let mut ids = Vec::new();
    let mut created = 0;
    for t in tasks {
        let r = t.await.unwrap();
        ids.push(r["Solo"].entity.id.clone());
        created += usize::from(r["Solo"].created);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);
    assert_eq!(created, 1);
    assert_eq!(lab.double.counters().root_field_calls["tagCreate"], 1);
}

#[tokio::test]
async fn a_duplicate_name_race_between_processes_adopts_the_winner() {
    let lab = Lab::start().await;
    // Two clients: no shared single flight, like two processes.
    let a = lab.client().await;
    let b = lab.client().await;
    // Both lookups read the state on arrival and answer late, so both see "missing" and
    // both create, however loaded the machine is.
    lab.double.faults().inject(
        Some("findTags"),
        2,
        Fault::SlowAnswer(Duration::from_millis(500)),
    );
    let spec = [tag("Race")];
    let (ra, rb) = tokio::join!(a.find_or_create_tags(&spec), b.find_or_create_tags(&spec));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra["Race"].entity.id, rb["Race"].entity.id);
    assert_eq!(
        u8::from(ra["Race"].created) + u8::from(rb["Race"].created),
        1
    );
    assert_eq!(
        lab.double.counters().root_field_calls["tagCreate"],
        2,
        "the loser hit the duplicate-name error"
    );
    let tags = lab.double.dump()["tags"].as_array().unwrap().len();
    assert_eq!(tags, 1);
}

#[tokio::test]
async fn performers_match_by_url_then_alias_then_name() {
    let lab = Lab::start().await;
    let client = lab.client().await;
    let made = client
        .find_or_create_performers(&[performer("alice", "Alice", "https://fansly.com/alice")])
        .await
        .unwrap();
    assert!(made["alice"].created);
    assert_eq!(
        made["alice"].entity.urls,
        vec!["https://fansly.com/alice".to_owned()]
    );

    // Same URL, renamed: found by URL.
    let again = client
        .find_or_create_performers(&[performer(
            "alice2",
            "Alice Renamed",
            "https://fansly.com/alice",
        )])
        .await
        .unwrap();
    assert!(!again["alice2"].created);
    assert_eq!(again["alice2"].entity.id, made["alice"].entity.id);

    // A namesake with another account's Fansly URL is not adopted: ours is disambiguated.
    let other = client
        .find_or_create_performers(&[performer(
            "alice-other",
            "Alice",
            "https://fansly.com/someoneelse",
        )])
        .await
        .unwrap();
    assert!(other["alice-other"].created);
    assert_ne!(other["alice-other"].entity.id, made["alice"].entity.id);
    assert!(other["alice-other"].entity.disambiguation.is_some());
}

#[tokio::test]
async fn studio_urls_are_sent_only_where_supported_and_url_before() {
    let old = Lab::start_with(DoubleConfig {
        version: "v0.29.3".into(),
        app_schema: 72,
        ..DoubleConfig::default()
    })
    .await;
    let client = old.client().await;
    let spec = StudioSpec {
        name: "Fansly".into(),
        parent_id: None,
        urls: vec!["https://fansly.com".into()],
    };
    let made = client
        .find_or_create_studios(std::slice::from_ref(&spec))
        .await
        .unwrap();
    assert!(made["Fansly"].created);
    assert_eq!(
        made["Fansly"].entity.urls,
        vec!["https://fansly.com".to_owned()],
        "before v0.30 a studio keeps its first URL as its one `url`"
    );

    let new = Lab::start().await;
    let client = new.client().await;
    let made = client.find_or_create_studios(&[spec]).await.unwrap();
    assert_eq!(
        made["Fansly"].entity.urls,
        vec!["https://fansly.com".to_owned()]
    );
    let child = client
        .find_or_create_studios(&[StudioSpec {
            name: "alice (Fansly)".into(),
            parent_id: Some(made["Fansly"].entity.id.clone()),
            urls: vec![],
        }])
        .await
        .unwrap();
    assert_eq!(
        child["alice (Fansly)"].entity.parent_id,
        Some(made["Fansly"].entity.id.clone())
    );
}

#[tokio::test]
async fn unchanged_fields_stay_and_cleared_fields_are_cleared() {
    let lab = Lab::start().await;
    lab.write_files("w", "v", "mp4", 1);
    lab.scan().await;
    let client = lab.client().await;
    let (scenes, _) = owners_under(&client, &lab.folder("w")).await;
    let id = scenes[0].clone();
    let tags = client.find_or_create_tags(&[tag("t1")]).await.unwrap();
    let t1 = tags["t1"].entity.id.clone();
    let set = ScenePatch {
        title: Patch::Set("Title".into()),
        details: Patch::Set("Details".into()),
        code: Patch::Set("123".into()),
        date: Patch::Set(domain::FuzzyDate::Year(2024)),
        urls: Patch::Set(vec!["https://fansly.com/post/1".into()]),
        tag_ids: Patch::Set(vec![t1.clone()]),
        organized: Some(false),
        ..ScenePatch::new(id.clone())
    };
    client.update_scenes(&[set]).await.unwrap();

    // Clear details and tags, leave everything else alone.
    let clear = ScenePatch {
        details: Patch::Clear,
        tag_ids: Patch::Clear,
        ..ScenePatch::new(id.clone())
    };
    let outcome = client.update_scenes(&[clear]).await.unwrap();
    assert_eq!(outcome.applied, vec![id.clone()]);
    let scene = client
        .scenes_by_ids(std::slice::from_ref(&id))
        .await
        .unwrap()
        .remove(&id)
        .unwrap();
    assert_eq!(scene.fields.title.as_deref(), Some("Title"));
    assert_eq!(scene.fields.code.as_deref(), Some("123"));
    assert_eq!(scene.fields.date, Some(domain::FuzzyDate::Year(2024)));
    assert_eq!(
        scene.fields.urls,
        vec!["https://fansly.com/post/1".to_owned()]
    );
    assert_eq!(scene.fields.details, None);
    assert!(scene.fields.tag_ids.is_empty());
}

#[tokio::test]
async fn an_untitled_image_has_no_title_on_every_release() {
    for v in StashVersion::ALL {
        let lab = Lab::start_with(DoubleConfig::impersonating(v)).await;
        lab.write_files("w", "pic", "jpg", 2);
        lab.scan().await;
        let client = lab.client().await;
        let (_, images) = owners_under(&client, &lab.folder("w")).await;
        let mut titled = ImagePatch::new(images[1].clone());
        titled.title = Patch::Set("A title we set".into());
        client.update_images(&[titled]).await.unwrap();
        let read = client.images_by_ids(&images).await.unwrap();
        // v0.27 reads the untitled image's title back as its basename: that is no title.
        assert_eq!(read[&images[0]].fields.title, None, "{v:?}");
        assert_eq!(
            read[&images[1]].fields.title.as_deref(),
            Some("A title we set"),
            "{v:?}"
        );
    }
}

/// A dry run's lookup: the find-or-create lookups and matching, one request per kind asked
/// for, nothing created, on every release (the studio lookup differs before v0.30).
#[tokio::test]
async fn find_entities_finds_what_find_or_create_would_adopt_and_creates_nothing() {
    use domain::stash::EntityLookup;
    for v in StashVersion::ALL {
        let lab = Lab::start_with(DoubleConfig::impersonating(v)).await;
        let client = lab.client().await;
        let alice = client
            .find_or_create_performers(&[performer("alice", "Alice", "https://fansly.com/alice")])
            .await
            .unwrap();
        let network = client
            .find_or_create_studios(&[StudioSpec {
                name: "Fansly (network)".into(),
                parent_id: None,
                urls: vec![],
            }])
            .await
            .unwrap();
        let summer = client.find_or_create_tags(&[tag("summer")]).await.unwrap();
        lab.double.reset_counters();
        let before = lab.double.dump();
        let lookup = EntityLookup {
            performers: vec![
                // Renamed, found by its URL as find-or-create would.
                performer("alice", "Alice Renamed", "https://fansly.com/alice"),
                performer("bob", "Bob", "https://fansly.com/bob"),
            ],
            studios: vec![
                StudioSpec {
                    name: "Fansly (network)".into(),
                    parent_id: None,
                    urls: vec![],
                },
                StudioSpec {
                    name: "alice (Fansly)".into(),
                    parent_id: None,
                    urls: vec!["https://fansly.com/alice".into()],
                },
            ],
            tags: vec![tag("Summer"), tag("winter")],
        };
        let found = client.find_entities(&lookup).await.unwrap();
        assert_eq!(
            found.performers.keys().collect::<Vec<_>>(),
            ["alice"],
            "{v:?}"
        );
        assert_eq!(found.performers["alice"].id, alice["alice"].entity.id);
        assert_eq!(
            found.studios.keys().collect::<Vec<_>>(),
            ["Fansly (network)"],
            "{v:?}"
        );
        assert_eq!(
            found.studios["Fansly (network)"].id,
            network["Fansly (network)"].entity.id
        );
        assert_eq!(found.tags.keys().collect::<Vec<_>>(), ["Summer"], "{v:?}");
        assert_eq!(found.tags["Summer"].id, summer["summer"].entity.id);
        let counters = lab.double.counters();
        assert_eq!(
            counters.http_requests, 3,
            "one lookup per kind: {counters:?}"
        );
        assert_eq!(counters.mutation_requests, 0, "{v:?}");
        assert_eq!(lab.double.dump(), before, "{v:?}: nothing created");

        lab.double.reset_counters();
        let none = client
            .find_entities(&EntityLookup::default())
            .await
            .unwrap();
        assert!(none.performers.is_empty() && none.studios.is_empty() && none.tags.is_empty());
        assert_eq!(
            lab.double.counters().http_requests,
            0,
            "nothing asked, no request"
        );
    }
}
