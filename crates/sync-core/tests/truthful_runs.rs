//! What a run tells, and what it does not spend: the media no post or message reaches, per
//! creator, read once per run; a dry run that says exactly "adopt" or "create" for each
//! performer, studio and tag (one read-only lookup, no create) and plans items with the ids it
//! would adopt; a creator without a download folder here costs no Stash request.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use common::fixtures::{World, alice};
use common::{media_server, repository_counting, state_store};
use domain::fansly::Account;
use domain::ids::{AccountId, PerformerId, StudioId, TagId};
use domain::ports::{AttachmentCoverage, EntityKind, MockDownloads};
use domain::stash::{Performer, Studio, Tag};
use sync_core::planner::Action;
use sync_core::report::CountsByKind;
use sync_core::{CancelFlag, RunOutcome, SyncEngine, SyncMonitor, SyncReport};

/// A download folder without the folders in `absent`; records the paths it was asked about.
fn folders(absent: &[&str], asked: Arc<Mutex<Vec<String>>>) -> Arc<MockDownloads> {
    let absent: HashSet<String> = absent.iter().map(|s| (*s).to_owned()).collect();
    let mut m = MockDownloads::new();
    m.expect_folder_absent().returning(move |path| {
        asked.lock().unwrap().push(path.to_owned());
        absent.contains(path)
    });
    Arc::new(m)
}

fn account(id: i64, username: &str) -> Account {
    Account {
        id: AccountId(id),
        username: username.into(),
        display_name: None,
        about: None,
        created_at: None,
        stash_id: None,
    }
}

/// The world's engine with a counting repository and `folders`; returns the report and the
/// coverage reads of the run.
async fn run(
    w: &World,
    creators: &[Account],
    folders: Option<Arc<MockDownloads>>,
) -> (SyncReport, u64) {
    w.fake().reset_calls();
    let reads = Arc::new(Mutex::new(0));
    let mut engine = SyncEngine::new(
        Arc::new(repository_counting(
            w.items.clone(),
            w.repo_pages.clone(),
            reads.clone(),
        )),
        Arc::new(media_server(w.stash.clone())),
        Arc::new(state_store(w.records.clone(), w.store_stats.clone(), None)),
        w.opts.clone(),
    );
    if let Some(f) = folders {
        engine = engine.with_downloads(f);
    }
    let report = engine
        .sync_creators(creators, &SyncMonitor::silent(), &CancelFlag::new())
        .await
        .unwrap();
    let n = *reads.lock().unwrap();
    (report, n)
}

#[tokio::test]
async fn media_no_post_reaches_are_counted_per_creator_with_one_read_per_run() {
    let w = World::standard();
    let bob = account(2, "bob");
    let (report, reads) = run(&w, &[alice(), bob.clone()], None).await;
    assert_eq!(reads, 1, "one coverage read for the whole run");
    let of = |name: &str| {
        report
            .creators
            .iter()
            .find(|c| c.creator == name)
            .unwrap()
            .attachments
    };
    // The standard creator: 7 media in posts and a message, 1 unattached media.
    assert_eq!(
        of("alice"),
        AttachmentCoverage {
            attachments: 7,
            unattached_media: 1
        }
    );
    assert_eq!(of("bob"), AttachmentCoverage::default());

    // The same creator as fansly-scraper 0.13-0.15.1 leaves it: no attachments, every media
    // delivered unattached: the report says so.
    {
        let mut items = w.items.lock().unwrap();
        let mut loose = Vec::new();
        for item in items.iter_mut() {
            for m in item.media.drain(..) {
                if !loose
                    .iter()
                    .any(|l: &domain::content::ItemMedia| l.media.id == m.media.id)
                {
                    loose.push(m);
                }
            }
        }
        items.retain(|i| !matches!(i.source, domain::content::ItemSource::Unattached(_)));
        for m in loose {
            let mut item = common::fixtures::post(&alice(), 0, "", 9, vec![m.clone()]);
            item.source = domain::content::ItemSource::Unattached(m.media.id);
            items.push(item);
        }
    }
    let (report, reads) = run(&w, &[alice()], None).await;
    assert_eq!(reads, 1);
    let alice_report = &report.creators[0];
    assert!(
        alice_report.attachments.attachments_missing(),
        "{:?}",
        alice_report.attachments
    );
    assert_eq!(alice_report.attachments.unattached_media, 7);
    assert_eq!(report.outcome(), RunOutcome::Ok);
}

/// Counts of performers, studios and tags in a report.
fn entity_counts(report: &SyncReport) -> Vec<(EntityKind, u64, u64)> {
    let t: CountsByKind = report.totals();
    [EntityKind::Performer, EntityKind::Studio, EntityKind::Tag]
        .into_iter()
        .map(|k| {
            let c = t.get(&k).copied().unwrap_or_default();
            (k, c.created, c.unchanged)
        })
        .collect()
}

#[tokio::test]
async fn a_plan_adopts_what_stash_has_and_creates_the_rest_as_the_sync_then_does() {
    let mut w = World::standard();
    {
        let mut s = w.fake();
        s.performers.push(Performer {
            id: PerformerId::new("501"),
            name: "Alice A".into(),
            disambiguation: None,
            aliases: vec![],
            urls: vec!["https://fansly.com/alice".into()],
            details: None,
        });
        s.studios.push(Studio {
            id: StudioId::new("502"),
            name: "Fansly (network)".into(),
            aliases: vec![],
            urls: vec![],
            parent_id: None,
            details: None,
        });
        s.tags.push(Tag {
            id: TagId::new("503"),
            name: "summer".into(),
            aliases: vec![],
        });
    }
    w.opts.dry_run = true;
    let (plan_report, _) = run(&w, &[alice()], None).await;
    {
        let s = w.fake();
        assert_eq!(s.write_calls(), 0, "{:?}", s.calls);
        assert_eq!(
            s.calls("find_entities"),
            1,
            "one read-only lookup: {:?}",
            s.calls
        );
        assert_eq!(s.performers.len() + s.studios.len() + s.tags.len(), 3);
    }
    let plan = plan_report.plan.clone().unwrap();
    let row = |kind: EntityKind, key: &str| {
        plan.changes
            .iter()
            .find(|c| c.kind == kind && c.key == key)
            .unwrap_or_else(|| panic!("no {kind:?} {key}: {plan:#?}"))
    };
    let adopted = row(EntityKind::Performer, "alice");
    assert_eq!(
        (adopted.action, adopted.stash_id.as_deref()),
        (Action::Adopt, Some("501"))
    );
    let network = row(EntityKind::Studio, "Fansly (network)");
    assert_eq!(
        (network.action, network.stash_id.as_deref()),
        (Action::Adopt, Some("502"))
    );
    let studio = row(EntityKind::Studio, "alice (Fansly)");
    assert_eq!(
        (studio.action, studio.stash_id.as_deref()),
        (Action::Create, None)
    );
    assert_eq!(row(EntityKind::Tag, "summer").action, Action::Adopt);
    assert!(
        plan.changes
            .iter()
            .all(|c| !c.fields.iter().any(|f| f.contains("or adopt"))),
        "no hedging: {plan:#?}"
    );
    // Items are planned with the adopted ids.
    let scene = plan
        .changes
        .iter()
        .find(|c| c.kind == EntityKind::Scene)
        .unwrap();
    assert!(
        scene
            .fields
            .iter()
            .any(|f| f.starts_with("performers") && f.contains("501")),
        "{scene:?}"
    );

    // The sync does what the plan said: the same entity counts, the adopted ones unchanged.
    w.opts.dry_run = false;
    let (sync_report, _) = run(&w, &[alice()], None).await;
    assert_eq!(entity_counts(&sync_report), entity_counts(&plan_report));
    assert_eq!(
        entity_counts(&plan_report),
        [
            // Alice adopted, the mentioned bob created.
            (EntityKind::Performer, 1, 1),
            // The network adopted, alice's studio created.
            (EntityKind::Studio, 1, 1),
            // summer adopted, Trailer (the preview's tag) created.
            (EntityKind::Tag, 1, 1)
        ]
    );
    assert_eq!(w.fake().studios.len(), 2);
    assert_eq!(w.fake().performer_id("Alice A"), PerformerId::new("501"));

    // With the state knowing them, a plan looks nothing up.
    w.opts.dry_run = true;
    run(&w, &[alice()], None).await;
    assert_eq!(w.fake().calls("find_entities"), 0);
}

#[tokio::test]
async fn a_creator_without_a_download_folder_costs_no_stash_request() {
    let mut w = World::standard();
    let ghost = account(3, "ghost");
    let asked = Arc::new(Mutex::new(Vec::new()));
    let folders = || folders(&["/home/me/dl/ghost_fansly"], asked.clone());
    let pages_before = *w.repo_pages.lock().unwrap();
    let (report, _) = run(&w, &[alice(), ghost.clone()], Some(folders())).await;
    assert_eq!(
        *asked.lock().unwrap(),
        ["/home/me/dl/alice_fansly", "/home/me/dl/ghost_fansly"],
        "the local folders are looked at, not Stash's"
    );
    {
        let s = w.fake();
        assert_eq!(
            s.calls("list_files"),
            1,
            "only alice's files: {:?}",
            s.calls
        );
    }
    let g = report
        .creators
        .iter()
        .find(|c| c.creator == "ghost")
        .unwrap();
    assert_eq!(g.absent_folder.as_deref(), Some("/home/me/dl/ghost_fansly"));
    assert!(g.counts.is_empty() && g.error.is_none());
    assert_eq!(report.outcome(), RunOutcome::Ok);
    let absent: Vec<&str> = report
        .absent_folders()
        .map(|c| c.creator.as_str())
        .collect();
    assert_eq!(absent, ["ghost"]);
    let alice_pages = *w.repo_pages.lock().unwrap() - pages_before;

    // A no-change re-run: server_info and alice's listing; nothing for ghost, not even a scan
    // or a metadata page.
    w.opts.scan = Some(sync_core::ScanOptions {
        rescan: false,
        generate: domain::stash::ScanGenerate::default(),
        deadline: std::time::Duration::from_secs(5),
    });
    let pages_before = *w.repo_pages.lock().unwrap();
    let (report, _) = run(&w, &[alice(), ghost], Some(folders())).await;
    let s = w.fake();
    assert_eq!(s.write_calls(), 1, "alice's scan only: {:?}", s.calls);
    assert_eq!(s.calls("start_scan"), 1);
    assert_eq!(s.calls("list_files"), 1, "{:?}", s.calls);
    assert_eq!(
        *w.repo_pages.lock().unwrap() - pages_before,
        alice_pages,
        "no metadata pages for ghost"
    );
    assert_eq!(report.absent_folders().count(), 1);
}

/// The coverage count is a note: a failure of that one query leaves the report without it and
/// syncs as before; a database that cannot be used at all still stops the run.
#[tokio::test]
async fn a_failed_coverage_count_does_not_stop_the_sync_an_unusable_database_does() {
    use common::repository_with_coverage;
    use domain::ports::RepositoryError;
    use sync_core::SyncError;

    let engine_with = |w: &World, err: RepositoryError| {
        let repo = repository_with_coverage(w.items.clone(), w.repo_pages.clone(), move |_| {
            Err(err.clone())
        });
        SyncEngine::new(
            Arc::new(repo),
            Arc::new(media_server(w.stash.clone())),
            Arc::new(state_store(w.records.clone(), w.store_stats.clone(), None)),
            w.opts.clone(),
        )
    };
    let w = World::standard();
    let engine = engine_with(&w, RepositoryError::Query("statement timeout".into()));
    let report = engine
        .sync_creators(&[alice()], &SyncMonitor::silent(), &CancelFlag::new())
        .await
        .unwrap();
    assert_eq!(report.outcome(), RunOutcome::Ok, "{:?}", report.creators);
    assert_eq!(
        report.creators[0].attachments,
        AttachmentCoverage::default()
    );
    assert!(
        w.fake().calls("create_galleries") > 0,
        "the creator was synced: {:?}",
        w.fake().calls
    );

    let w = World::standard();
    let down = RepositoryError::Connection {
        url: "postgres://fansly@db/fansly".into(),
        message: "connection refused".into(),
    };
    let result = engine_with(&w, down)
        .sync_creators(&[alice()], &SyncMonitor::silent(), &CancelFlag::new())
        .await;
    assert!(
        matches!(
            result,
            Err(SyncError::Repository(RepositoryError::Connection { .. }))
        ),
        "{result:?}"
    );
    assert_eq!(w.fake().calls("create_galleries"), 0);
}
