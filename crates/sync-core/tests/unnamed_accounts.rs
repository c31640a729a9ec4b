//! Accounts known only by their id (the JSON importer's placeholders: username = id, no display
//! name) never name a performer or a studio: a mention of one is left out with a note saying
//! why and what to do; a creator that is one is not synced, with a creator error, and the run
//! goes on with the other creators. A plan shows the same. Engine tests against the mockall
//! mocks of the three ports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::fixtures::{World, alice, file_of, media, post};
use domain::content::MediaRole;
use domain::fansly::{Account, Mention};
use domain::ids::AccountId;
use domain::ports::EntityKind;
use sync_core::planner::Action;
use sync_core::{CancelFlag, RunOutcome, SyncMonitor, SyncReport};

const BESTIE: i64 = 412_345_678_901_234_567;
const NOBODY: i64 = 512_345_678_901_234_567;

/// An account as the importer makes it when it only saw its id.
fn placeholder(id: i64) -> Account {
    Account {
        id: AccountId(id),
        username: id.to_string(),
        display_name: None,
        about: None,
        created_at: None,
        stash_id: None,
    }
}

/// The standard world where post 100 and the message also mention an account known only by
/// its id.
fn world_with_unnamed_mentions() -> World {
    let w = World::standard();
    {
        let mut items = w.items.lock().unwrap();
        for i in [0, 2] {
            items[i].mentions.push(Mention {
                handle: "bestie".into(),
                account: Some(placeholder(BESTIE)),
            });
        }
    }
    w
}

/// The standard world plus a creator known only by its id, with a post whose image Stash has
/// in that creator's folder.
fn world_with_an_unnamed_creator() -> World {
    let w = World::standard();
    let nobody = placeholder(NOBODY);
    let mut m = media(3001, "image/jpeg", MediaRole::Main);
    m.media.account_id = nobody.id;
    w.fake()
        .add_file(&format!("/stash/{NOBODY}_fansly/Timeline"), &file_of(&m));
    w.items
        .lock()
        .unwrap()
        .push(post(&nobody, 301, "A post by nobody we know", 5, vec![m]));
    w
}

async fn run_both(w: &World) -> SyncReport {
    w.fake().reset_calls();
    w.engine(None)
        .sync_creators(
            &[placeholder(NOBODY), alice()],
            &SyncMonitor::silent(),
            &CancelFlag::new(),
        )
        .await
        .unwrap()
}

fn named_by_a_number(w: &World) -> Vec<String> {
    let s = w.fake();
    s.performers
        .iter()
        .map(|p| p.name.clone())
        .chain(s.studios.iter().map(|x| x.name.clone()))
        .filter(|n| n.contains(&BESTIE.to_string()) || n.contains(&NOBODY.to_string()))
        .collect()
}

#[tokio::test]
async fn a_mention_of_an_account_known_only_by_its_id_is_left_out_with_one_note() {
    let w = world_with_unnamed_mentions();
    let (report, _) = w.run().await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.creators[0].error, None);
    assert!(
        named_by_a_number(&w).is_empty(),
        "{:?}",
        named_by_a_number(&w)
    );
    {
        let s = w.fake();
        let mut names: Vec<&str> = s.performers.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["Alice A", "bob"]);
        // The post's gallery and images carry the creator and bob, nothing else.
        let g = &s.gallery_by_code("100")[0];
        assert_eq!(g.performer_ids.len(), 2);
    }
    // One note for the account (not one per mention), saying why and what to do.
    let notes: Vec<_> = report
        .skipped
        .iter()
        .filter(|n| n.what.contains(&BESTIE.to_string()))
        .collect();
    assert_eq!(notes.len(), 1, "{:?}", report.skipped);
    assert_eq!(
        notes[0].what,
        format!("mention of account {BESTIE} in post:100 and 1 more item(s)")
    );
    assert!(
        notes[0]
            .reason
            .contains(&format!("account {BESTIE} is known only by its id"))
            && notes[0]
                .reason
                .contains("import a response containing it, e.g. an account lookup, to name it"),
        "{}",
        notes[0].reason
    );
    assert_eq!(report.totals()[&EntityKind::Performer].skipped, 1);
    // Nothing is left to do: the next run writes nothing (and notes the mention again).
    let (report, _) = w.run().await;
    assert_eq!(w.fake().write_calls(), 0);
    assert_eq!(
        report
            .skipped
            .iter()
            .filter(|n| n.what.contains(&BESTIE.to_string()))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_creator_known_only_by_its_id_is_not_synced_and_the_others_are() {
    let w = world_with_an_unnamed_creator();
    let report = run_both(&w).await;
    let nobody = &report.creators[0];
    assert_eq!(nobody.creator, NOBODY.to_string());
    let error = nobody.error.as_deref().expect("the creator is reported");
    assert!(
        error.starts_with(&format!(
            "not synced: account {NOBODY} is known only by its id"
        )) && error.contains("no name for its performer and studio")
            && error.contains("import a response containing it, e.g. an account lookup")
            && error.contains("then sync it again"),
        "{error}"
    );
    assert!(nobody.counts.is_empty(), "{:?}", nobody.counts);
    // Alice is synced as usual; nothing is named by a number; the run is partial (exit 1).
    assert_eq!(report.creators[1].error, None);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.outcome(), RunOutcome::Partial);
    assert!(
        named_by_a_number(&w).is_empty(),
        "{:?}",
        named_by_a_number(&w)
    );
    let s = w.fake();
    assert_eq!(s.calls("list_files"), 1, "only alice's folder is listed");
    assert_eq!(s.gallery_by_code("100").len(), 1);
    assert!(s.gallery_by_code("301").is_empty());
    let nobodys_image = s.image_by_file("2024-03-01_at_10-00_UTC_id_3001.jpg");
    assert_eq!(nobodys_image.fields.title, None, "untouched");
}

#[tokio::test]
async fn a_plan_shows_the_same() {
    let mut w = world_with_an_unnamed_creator();
    w.items.lock().unwrap()[0].mentions.push(Mention {
        handle: "bestie".into(),
        account: Some(placeholder(BESTIE)),
    });
    w.opts.dry_run = true;
    let report = run_both(&w).await;
    assert_eq!(w.fake().write_calls(), 0);
    assert!(
        report.creators[0]
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("not synced: ") && e.contains("known only by its id")),
        "{:?}",
        report.creators
    );
    assert_eq!(report.outcome(), RunOutcome::Partial);
    let plan = report.plan.clone().expect("a dry run carries its plan");
    let performers: Vec<&str> = plan
        .changes
        .iter()
        .filter(|c| c.kind == EntityKind::Performer && c.action == Action::Create)
        .map(|c| c.key.as_str())
        .collect();
    assert_eq!(performers, ["alice", "bob"]);
    for id in [BESTIE, NOBODY] {
        for c in &plan.changes {
            let shown = format!("{} {:?} {:?}", c.key, c.stash_id, c.fields);
            assert!(!shown.contains(&id.to_string()), "{id}: {c:?}");
        }
    }
    assert!(
        report
            .skipped
            .iter()
            .any(|n| n.what == format!("mention of account {BESTIE} in post:100")),
        "{:?}",
        report.skipped
    );
}
