//! `sync` and `plan` against the Stash double and a SQLite metadata database: output, exit
//! codes, request counts on a re-run, scanning (and Ctrl-C while the scan job runs), failures
//! and selection errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::watch::WatchProcess;
use common::{CREATOR, World, count, small_shape};
use stash_double::{DoubleConfig, Fault};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_labels_the_library_and_a_rerun_writes_nothing() {
    let w = World::new().await;
    let mut cmd = w.command();
    cmd.args(["sync", "--all"]);
    let first = w.run(cmd).await;
    first.expect_code(0);
    assert!(
        first.stdout.starts_with("Sync finished\n"),
        "{}",
        first.stdout
    );
    for row in ["scene ", "image ", "gallery ", "performer ", "studio "] {
        assert!(
            first.stdout.contains(row),
            "no {row} row:\n{}",
            first.stdout
        );
    }
    assert!(first.stdout.contains("Requests: "), "{}", first.stdout);
    assert!(first.stdout.contains("Time: "), "{}", first.stdout);
    let log_line = first
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Log: "))
        .unwrap()
        .to_owned();
    assert!(
        std::path::Path::new(&log_line).starts_with(w.log_dir()),
        "{log_line}"
    );
    assert!(std::path::Path::new(&log_line).is_file(), "{log_line}");
    // Not a terminal: plain progress lines, no bars.
    assert!(
        first.stderr.contains(&format!("[1/1] {CREATOR}")),
        "{}",
        first.stderr
    );
    assert!(
        first.stderr.contains(&format!("{CREATOR}: done (")),
        "{}",
        first.stderr
    );
    assert!(!first.stderr.contains("[===="), "{}", first.stderr);

    let dump = w.double.dump();
    assert!(count(&dump, "galleries") > 0);
    let scenes = dump["scenes"].as_array().unwrap();
    assert!(!scenes.is_empty());
    assert!(
        scenes
            .iter()
            .all(|s| s["code"].as_str().is_some_and(|c| !c.is_empty())),
        "every scene got a code: {scenes:?}"
    );
    assert!(w.state_file().is_file());

    w.double.reset_counters();
    let mut cmd = w.command();
    cmd.args(["sync", "--creator", CREATOR]);
    let second = w.run(cmd).await;
    second.expect_code(0);
    let counters = w.double.counters();
    assert_eq!(counters.mutation_requests, 0, "{counters:?}");
    assert_eq!(counters.written_objects, 0);
    assert!(second.stdout.contains("unchanged"), "{}", second.stdout);
    assert_eq!(w.double.dump(), dump, "a re-run changes nothing in Stash");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_prints_a_table_and_writes_nothing() {
    let w = World::new().await;
    let before = w.double.dump();
    let mut cmd = w.command();
    cmd.arg("plan");
    let run = w.run(cmd).await;
    run.expect_code(0);
    assert!(run.stdout.contains("creator "), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("change(s) planned; nothing was written."),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(CREATOR), "{}", run.stdout);
    assert!(
        run.stdout.contains("Plan (dry run: nothing was written)"),
        "{}",
        run.stdout
    );
    assert_eq!(w.double.counters().mutation_requests, 0);
    assert_eq!(w.double.dump(), before);
    assert!(
        !w.state_file().exists(),
        "a plan must not create the sync state"
    );

    // `sync --dry-run` is the same thing.
    let mut cmd = w.command();
    cmd.args(["sync", "--all", "--dry-run"]);
    let dry = w.run(cmd).await;
    dry.expect_code(0);
    assert!(
        dry.stdout
            .contains("change(s) planned; nothing was written.")
    );
    assert_eq!(w.double.counters().mutation_requests, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_while_waiting_for_the_scan_job_stops_at_once_with_130() {
    let w = World::new().await;
    // The scan job stays RUNNING until released: without a stop that ends the wait, sync
    // would wait scan_timeout_secs (an hour).
    w.double.hold_job(1);
    w.double.reset_counters();
    let mut cmd = common::watch::fansly_stash(
        &w.home,
        &[
            ("FANSLY_STASH_STASH_URL", w.double.base_url()),
            ("FANSLY_STASH_METADATA_DB", w.metadata_url.clone()),
            (
                "FANSLY_STASH_DOWNLOAD_ROOT",
                w.downloads.display().to_string(),
            ),
        ],
    );
    cmd.args(["sync", "--all", "--scan"]);
    let mut run = WatchProcess::spawn(cmd);
    let deadline = std::time::Instant::now() + common::watch::HANG_GUARD;
    while w.double.counters().requests_with("findJob") == 0 {
        assert!(std::time::Instant::now() < deadline, "{}", run.text());
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    run.ctrl_c();
    let status = run.wait_exit().await;
    assert_eq!(status.code(), Some(130), "{}", run.text());
    assert_eq!(
        w.double.counters().mutation_requests,
        1,
        "only the scan was asked for, nothing written"
    );
    w.double.release_jobs();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_asks_stash_to_scan_the_creator_folder_first() {
    let w = World::with(DoubleConfig::default(), small_shape(3), false).await;
    assert_eq!(count(&w.double.dump(), "scenes"), 0);
    let mut cmd = w.command();
    cmd.args(["sync", "--all", "--scan"]);
    let run = w.run(cmd).await;
    run.expect_code(0);
    assert!(
        run.stderr.contains(&format!("{CREATOR}: scan")),
        "{}",
        run.stderr
    );
    assert_eq!(w.double.counters().requests_with("metadataScan"), 1);
    let dump = w.double.dump();
    assert!(count(&dump, "scenes") > 0 && count(&dump, "images") > 0);
    assert!(
        dump["scenes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["code"].as_str().is_some()),
        "scanned scenes were labelled in the same run"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_items_exit_1_and_are_listed() {
    let w = World::new().await;
    w.double
        .faults()
        .inject(Some("scenesUpdate"), 1000, Fault::Status(422));
    let mut cmd = w.command();
    cmd.args(["sync", "--all"]);
    let run = w.run(cmd).await;
    run.expect_code(1);
    assert!(
        run.stdout.contains("Sync finished with failures"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Failed items ("), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!("{CREATOR} scene media:")),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn selection_mistakes_are_usage_errors() {
    let w = World::new().await;
    let mut cmd = w.command();
    cmd.arg("sync");
    let run = w.run(cmd).await;
    run.expect_code(2);
    assert!(run.stderr.contains("--creator NAME"), "{}", run.stderr);

    let mut cmd = w.command();
    cmd.args(["sync", "--creator", "bob"]);
    let run = w.run(cmd).await;
    run.expect_code(2);
    assert!(
        run.stderr.contains("unknown creator 'bob'"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(CREATOR),
        "lists known creators: {}",
        run.stderr
    );

    let mut cmd = w.command();
    cmd.args(["sync", "--all", "--creator", CREATOR]);
    w.run(cmd).await.expect_code(2);

    let mut cmd = w.command();
    cmd.args(["sync", "--all"])
        .env_remove("FANSLY_STASH_DOWNLOAD_ROOT");
    let run = w.run(cmd).await;
    run.expect_code(2);
    assert!(
        run.stderr.contains("download_root is not set"),
        "{}",
        run.stderr
    );
    assert_eq!(w.double.counters().mutation_requests, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_prints_nothing_when_all_is_well() {
    let w = World::new().await;
    let mut cmd = w.command();
    cmd.args(["sync", "--all", "--quiet"]);
    let run = w.run(cmd).await;
    run.expect_code(0);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "");
    assert!(count(&w.double.dump(), "galleries") > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_per_line() {
    let w = World::new().await;
    let mut cmd = w.command();
    cmd.args(["sync", "--all", "-v", "--log-format", "json"]);
    let run = w.run(cmd).await;
    run.expect_code(0);
    let json_lines: Vec<serde_json::Value> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!json_lines.is_empty(), "{}", run.stderr);
    assert!(json_lines.iter().all(|v| v.get("level").is_some()));
    let file = w.logs();
    assert!(
        file.lines()
            .filter(|l| !l.is_empty())
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()),
        "{file}"
    );
    assert!(file.contains("run finished"), "{file}");
}

/// `galleries_organized` and `write_back_stash_ids` reach the engine from the environment (as
/// from the file or the plugin's settings): every gallery is created organized, and the
/// metadata database gets the Stash ids back (the performer on the account, galleries on the
/// posts).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn galleries_organized_and_write_back_are_honoured() {
    use metadata_store::{MetadataStore, StoreOptions};
    use sea_orm::{ConnectionTrait, FromQueryResult, JsonValue, Statement};

    let w = World::new().await;
    let mut cmd = w.command();
    cmd.env("FANSLY_STASH_GALLERIES_ORGANIZED", "true")
        .env("FANSLY_STASH_WRITE_BACK_STASH_IDS", "true")
        .args(["sync", "--all"]);
    w.run(cmd).await.expect_code(0);
    let dump = w.double.dump();
    let galleries = dump["galleries"].as_array().unwrap();
    assert!(!galleries.is_empty());
    assert!(galleries.iter().all(|g| g["organized"] == true), "{dump}");

    let store = MetadataStore::open(&w.metadata_url, StoreOptions::default())
        .await
        .unwrap();
    let conn = store.connection().inner();
    let written = |table: &str| {
        let sql = format!("SELECT id FROM \"{table}\" WHERE stash_id IS NOT NULL");
        JsonValue::find_by_statement(Statement::from_string(conn.get_database_backend(), sql))
            .all(conn)
    };
    let accounts = written("accounts").await.unwrap().len() as i64;
    let posts = written("posts").await.unwrap().len() as i64;
    let media = written("media").await.unwrap().len();
    assert_eq!(accounts, 1, "the creator's performer");
    assert_eq!(posts, galleries.len() as i64 - messages(&dump), "{dump}");
    assert!(media > 0);
}

/// How many galleries are a message's (their URL names the conversation).
fn messages(dump: &serde_json::Value) -> i64 {
    dump["galleries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| {
            g["urls"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u.as_str().unwrap_or_default().contains("/messages/"))
        })
        .count() as i64
}
