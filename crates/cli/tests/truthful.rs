//! The binary tells users the truth about their data and spends nothing for nothing:
//! - a database without attachments (as fansly-scraper 0.13 to 0.15.1 writes it) is explained
//!   by `check` (per creator, what it means, what sync still does, how to repair), and counted
//!   with a one-line explanation by `plan`, `sync` and `status` (SQLite, and PostgreSQL loaded
//!   with the real upstream dump);
//! - `plan` with no sync state says exactly "adopt" (with the id) or "create" for performers,
//!   studios and tags, in a few read-only lookups;
//! - creators without a download folder cost no Stash file listing, said once in the report.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{CREATOR, World, count, small_shape};
use domain::ports::{MediaServer, MetadataRepository};
use domain::stash::{PerformerSpec, StudioSpec};
use metadata_store::testing::{FixtureBuilder, pg_test_database};
use metadata_store::{MetadataStore, StoreOptions};
use sea_orm::{ConnectionTrait, Statement};

/// The fixture's creator id (`small_shape`).
const CREATOR_ID: i64 = 100;

/// Deletes the creator's attachments and mentions, as fansly-scraper 0.13-0.15.1 never wrote
/// them.
async fn drop_attachments(url: &str) {
    let store = MetadataStore::open(url, StoreOptions::default())
        .await
        .unwrap();
    let db = store.connection();
    for sql in [
        format!(
            r#"DELETE FROM attachments WHERE "postId" IN (SELECT id FROM posts WHERE "accountId" = {CREATOR_ID})
               OR "messageId" IN (SELECT id FROM messages WHERE "senderId" = {CREATOR_ID} OR "recipientId" = {CREATOR_ID})"#
        ),
        format!(
            r#"DELETE FROM post_mentions WHERE "postId" IN (SELECT id FROM posts WHERE "accountId" = {CREATOR_ID})"#
        ),
    ] {
        db.execute(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap();
    }
}

/// The line of `out` that starts with `prefix` (after trimming).
fn line_with<'a>(out: &'a str, needle: &str) -> &'a str {
    out.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with `{needle}` in\n{out}"))
}

/// check, plan, sync and status on a world whose metadata is at `url` without attachments.
async fn without_attachments_everything_says_so(w: &World, url: &str) {
    drop_attachments(url).await;
    let downloads = w.files.len();
    assert!(downloads > 5, "{downloads}");
    let with_db = |mut cmd: assert_cmd::Command| {
        cmd.env("FANSLY_STASH_METADATA_DB", url);
        cmd
    };

    let mut cmd = with_db(w.command());
    cmd.arg("check");
    let check = w.run(cmd).await;
    check.expect_code(0);
    let finding = line_with(&check.stdout, "attachments");
    assert!(
        finding.starts_with(&format!(
            "warn  attachments        {CREATOR}: {downloads} downloaded media but no attachment at all: fansly-scraper 0.13 to 0.15.1 does not store attachments"
        )),
        "{}",
        check.stdout
    );
    assert!(
        finding.contains("A sync still gives each file code, date, studio and performer only"),
        "{finding}"
    );
    let fix = line_with(
        &check.stdout,
        "fix: save the creator's Fansly API responses",
    );
    assert!(fix.contains("`fansly-stash import PATH...`"), "{fix}");

    let explained = format!(
        "  {CREATOR}: {downloads} downloaded media and no attachment in the database (fansly-scraper 0.13 to 0.15.1 does not store them): code, date, studio and performer only"
    );
    let mut cmd = with_db(w.command());
    cmd.arg("plan");
    let plan = w.run(cmd).await;
    plan.expect_code(0);
    assert!(plan.stdout.contains(&explained), "{}", plan.stdout);

    let mut cmd = with_db(w.command());
    cmd.args(["sync", "--all"]);
    let sync = w.run(cmd).await;
    sync.expect_code(0);
    assert!(sync.stdout.contains(&explained), "{}", sync.stdout);
    let dump = w.double.dump();
    assert_eq!(count(&dump, "galleries"), 0, "no post reaches a media");
    let scenes = dump["scenes"].as_array().unwrap();
    assert!(
        !scenes.is_empty()
            && scenes
                .iter()
                .all(|s| s["code"].as_str().is_some_and(|c| !c.is_empty())),
        "every file still gets its code: {scenes:?}"
    );

    let mut cmd = with_db(w.command());
    cmd.arg("status");
    let status = w.run(cmd).await;
    status.expect_code(0);
    let row = line_with(&status.stdout, &format!("{CREATOR} "));
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cols[4], downloads.to_string(), "unattached column: {row}");
    assert!(
        status.stdout.contains(&format!(
            "\n{CREATOR}: {downloads} downloaded media and no attachment in the database"
        )),
        "{}",
        status.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_without_attachments_check_plan_sync_and_status_say_so() {
    let w = World::new().await;
    let url = w.metadata_url.clone();
    without_attachments_everything_says_so(&w, &url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_upstream_without_attachments_check_plan_sync_and_status_say_so() {
    let Some(db) = pg_test_database() else {
        return;
    };
    let w = World::new().await;
    // The same creator (the generator is deterministic) in the real upstream schema.
    let store = MetadataStore::open(&db.url, StoreOptions::default())
        .await
        .unwrap();
    assert!(store.info().await.unwrap().upstream_revision.is_some());
    let mut fixture = FixtureBuilder::new();
    fixture.generate_creator(&small_shape(4));
    fixture.insert(&store).await.unwrap();
    drop(store);
    without_attachments_everything_says_so(&w, &db.url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_database_reports_the_few_media_no_post_reaches_and_check_passes() {
    let w = World::new().await;
    let mut cmd = w.command();
    cmd.arg("check");
    let check = w.run(cmd).await;
    check.expect_code(0);
    assert!(
        line_with(&check.stdout, "attachments").starts_with(&format!(
            "ok    attachments        {CREATOR}: 1 downloaded media no post or message reaches"
        )),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.ends_with("All checks passed.\n"),
        "{}",
        check.stdout
    );
}

/// Creates `Fansly (network)` and alice's performer in the double, as a user's Stash may have.
async fn stash_already_has_some(w: &World) {
    let client =
        stash_adapter::StashClient::connect(fansly_stash_tests::world::client_config(&w.double))
            .await
            .unwrap();
    client
        .find_or_create_studios(&[StudioSpec {
            name: "Fansly (network)".into(),
            parent_id: None,
            urls: vec![],
        }])
        .await
        .unwrap();
    client
        .find_or_create_performers(&[PerformerSpec {
            key: "x".into(),
            name: "alice".into(),
            disambiguation: None,
            aliases: vec![],
            urls: vec![format!("https://fansly.com/{CREATOR}")],
            details: None,
        }])
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_without_state_says_adopt_or_create_in_a_few_read_only_requests() {
    let w = World::new().await;
    stash_already_has_some(&w).await;
    let before = w.double.dump();
    w.double.reset_counters();
    let mut cmd = w.command();
    cmd.args(["plan", "--creator", CREATOR]);
    let plan = w.run(cmd).await;
    plan.expect_code(0);
    let rows = |kind: &str, action: &str| -> Vec<String> {
        plan.stdout
            .lines()
            .filter(|l| {
                let cols: Vec<&str> = l.split_whitespace().collect();
                cols.len() > 2 && cols[0] == CREATOR && cols[1] == kind && cols[2] == action
            })
            .map(str::to_owned)
            .collect()
    };
    let performers = rows("performer", "adopt");
    assert_eq!(performers.len(), 1, "{}", plan.stdout);
    assert!(
        performers[0].contains("(in Stash already)"),
        "{}",
        plan.stdout
    );
    let network = rows("studio", "adopt");
    assert!(
        network.len() == 1 && network[0].contains("Fansly (network)"),
        "{}",
        plan.stdout
    );
    let studio = rows("studio", "create");
    assert!(
        studio.len() == 1 && studio[0].contains(&format!("{CREATOR} (Fansly)")),
        "{}",
        plan.stdout
    );
    assert!(!rows("tag", "create").is_empty(), "{}", plan.stdout);
    assert!(!plan.stdout.contains("or adopt"), "{}", plan.stdout);
    assert!(
        plan.stdout
            .contains("existing performer(s), studio(s) or tag(s) to adopt"),
        "{}",
        plan.stdout
    );
    let counters = w.double.counters();
    assert_eq!(counters.mutation_requests, 0, "{counters:?}");
    assert_eq!(w.double.dump(), before, "the plan wrote nothing");
    // One lookup per kind: performers, studios (network and creator together), tags.
    for op in ["PerformerLookup", "StudioLookupWithUrls", "TagLookup"] {
        assert_eq!(counters.requests_named(op), 1, "{op}: {counters:?}");
    }
    // The plan's other reads: server info, the two file listings, one read per object kind.
    assert_eq!(counters.http_requests, 9, "{counters:?}");

    // The sync then adopts exactly those: no second performer, one new studio.
    let mut cmd = w.command();
    cmd.args(["sync", "--creator", CREATOR]);
    w.run(cmd).await.expect_code(0);
    let dump = w.double.dump();
    assert_eq!(count(&dump, "performers"), count(&before, "performers"));
    assert_eq!(count(&dump, "studios"), count(&before, "studios") + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creators_without_a_folder_cost_no_file_listing_and_are_named_once() {
    let w = World::new().await;
    // Three more accounts with posts, as a real database has them (quoted or mentioned
    // creators, fansly-scraper never downloaded them): no folder under download_root.
    let store = MetadataStore::open(&w.metadata_url, StoreOptions::default())
        .await
        .unwrap();
    let mut more = FixtureBuilder::new();
    for (i, name) in ["bob", "carol", "dave"].into_iter().enumerate() {
        let id = 5_000 + i64::try_from(i).unwrap();
        more.account(id, name).post(id * 10, id, "a post of theirs");
    }
    more.insert(&store).await.unwrap();
    drop(store);
    let mut cmd = w.command();
    cmd.args(["sync", "--all"]);
    let first = w.run(cmd).await;
    first.expect_code(0);
    let absent: Vec<&str> = first
        .stdout
        .lines()
        .filter(|l| l.contains("without a download folder"))
        .collect();
    assert_eq!(absent.len(), 1, "said once: {}", first.stdout);
    assert!(
        absent[0]
            .starts_with("  3 creator(s) without a download folder here, not looked up in Stash: "),
        "{}",
        first.stdout
    );
    let folder = w.downloads.display().to_string();
    assert!(
        absent[0].contains(&format!("(no folder such as {folder}/")),
        "{}",
        absent[0]
    );
    assert!(
        absent[0].contains("check download_root and folder_suffix"),
        "{}",
        absent[0]
    );

    // A no-change re-run lists the one creator folder there is (scenes and images: two
    // requests), nothing else.
    let rerun = || async {
        w.double.reset_counters();
        let mut cmd = w.command();
        cmd.args(["sync", "--all"]);
        let run = w.run(cmd).await;
        run.expect_code(0);
        let counters = w.double.counters();
        assert_eq!(counters.mutation_requests, 0, "{counters:?}");
        let listings: u64 = counters
            .by_operation
            .iter()
            .filter(|(op, _)| op.starts_with("List"))
            .map(|(_, n)| n)
            .sum();
        (run.stdout, counters.http_requests, listings)
    };
    let (_, requests, listings) = rerun().await;
    assert_eq!((requests, listings), (3, 2), "alice's folder only");

    // The same creators with (empty) folders cost their listings on every run: 6 of 9.
    for name in ["bob", "carol", "dave"] {
        std::fs::create_dir_all(w.downloads.join(format!("{name}_fansly"))).unwrap();
    }
    let (stdout, requests, listings) = rerun().await;
    assert_eq!((requests, listings), (9, 8), "{stdout}");
    assert!(!stdout.contains("without a download folder"), "{stdout}");
}
