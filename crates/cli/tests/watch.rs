//! `fansly-stash watch` end to end: the real binary against the Stash double and a real
//! metadata database (SQLite, and PostgreSQL loaded with the upstream schema when
//! `FANSLY_STASH_TEST_PG_URL` is set).
//!
//! Nothing here is timed: the watcher prints a numbered line per cycle (`-v`), and the tests
//! wait for cycle numbers ("the new posts are synced by the second cycle after they were
//! written"), with a generous hang guard only. Outages are real: a TCP proxy in front of the
//! double or the database is taken down (connections refused and cut) and brought back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;

use common::watch::{Proxy, WatchProcess, cycle_of, fansly_stash, state_file};
use fansly_stash_tests::canonical::{canonical_in, duplicates};
use fansly_stash_tests::library::{Library, LibraryShape, file_bytes};
use metadata_store::testing::{FixtureBuilder, TestDb, pg_test_database};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;
use stash_double::{DoubleConfig, Fault, StashDouble};
use tempfile::TempDir;

/// Milliseconds between two cycles in these tests.
const INTERVAL_MS: &str = "200";

struct Setup {
    dir: TempDir,
    lib: Library,
    double: StashDouble,
    /// Keeps a PostgreSQL test database alive.
    _pg: Option<TestDb>,
}

fn shape() -> LibraryShape {
    LibraryShape {
        bundles: 1,
        unattached: 1,
        ..LibraryShape::one_creator(6, 2, 8, 2)
    }
}

/// A library (SQLite, or the PostgreSQL database `pg`) and a double that has scanned it.
async fn setup(shape: &LibraryShape, pg: Option<TestDb>, config: DoubleConfig) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(shape, dir.path(), pg.as_ref().map(|d| d.url.as_str()))
        .await
        .unwrap();
    let double = StashDouble::start(DoubleConfig {
        library_roots: vec![lib.root.clone()],
        ..config
    })
    .await
    .unwrap();
    double.scan_now(&[]).await;
    Setup {
        dir,
        lib,
        double,
        _pg: pg,
    }
}

impl Setup {
    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn env(&self, stash_url: String, metadata_db: String) -> Vec<(&'static str, String)> {
        vec![
            ("FANSLY_STASH_STASH_URL", stash_url),
            ("FANSLY_STASH_METADATA_DB", metadata_db),
            (
                "FANSLY_STASH_DOWNLOAD_ROOT",
                self.lib.root.display().to_string(),
            ),
        ]
    }

    /// `watch` straight at the double and the database, with `args` after the interval.
    fn watch(&self, args: &[&str]) -> WatchProcess {
        self.watch_via(self.double.base_url(), self.lib.db_url.clone(), args)
    }

    fn watch_via(&self, stash_url: String, db: String, args: &[&str]) -> WatchProcess {
        let mut cmd = fansly_stash(&self.home(), &self.env(stash_url, db));
        cmd.args(["watch", "--interval-ms", INTERVAL_MS, "-v"])
            .args(args);
        WatchProcess::spawn(cmd)
    }

    /// `fansly-stash ARGS` with the same home (and so the same sync state), to completion.
    fn run(&self, args: &[&str]) -> std::process::Output {
        fansly_stash(
            &self.home(),
            &self.env(self.double.base_url(), self.lib.db_url.clone()),
        )
        .args(args)
        .output()
        .unwrap()
    }

    fn dump(&self) -> Value {
        self.double.dump()
    }

    async fn exec(&self, sql: &str) {
        let store = self.lib.store().await.unwrap();
        let db = store.connection();
        db.execute(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap();
    }

    /// A media row of the first creator that is not downloaded yet (no attachment reaches
    /// it); returns its id and the file name it will get.
    async fn add_undownloaded_media(&self) -> (i64, String) {
        let c = &self.lib.creators[0];
        let id = c.account_id + 3_900_000;
        let mut f = FixtureBuilder::new();
        f.media_full(id, c.account_id, Some("image/jpeg"), None, None, None);
        f.insert(&self.lib.store().await.unwrap()).await.unwrap();
        (id, format!("2024-07-01_at_00-00_UTC_id_{id}.jpg"))
    }

    /// fansly-scraper downloads it: the file, then the download columns.
    async fn download(&self, id: i64, name: &str) {
        let path = self.lib.creators[0]
            .folder
            .join("Timeline")
            .join("Pictures")
            .join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, file_bytes(id, self.lib.shape.seed, &path)).unwrap();
        self.exec(&format!(
            "UPDATE media SET is_downloaded = TRUE, local_filename = '{name}' WHERE id = {id}"
        ))
        .await;
    }
}

fn codes(dump: &Value, kind: &str) -> Vec<String> {
    dump[kind]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["code"].as_str().map(str::to_owned))
        .collect()
}

/// Waits for three idle cycles after line `from` and checks what each cost; the double must
/// have answered no request meanwhile (its counters are reset first).
async fn assert_idle_cycles_are_free(w: &mut WatchProcess, double: &StashDouble, from: usize) {
    let (start, first, _) = {
        let (i, line) = w
            .wait_for(from, "an idle cycle", |l| l.contains(": no change ("))
            .await;
        (i, cycle_of(&line).unwrap(), line)
    };
    double.reset_counters();
    let mut idle = Vec::new();
    let mut at = start + 1;
    while idle.len() < 3 {
        let (i, line) = w
            .wait_for(at, "another cycle", |l| cycle_of(l).is_some())
            .await;
        at = i + 1;
        idle.push(line);
    }
    for line in &idle {
        assert!(
            line.contains(": no change (1 database query, 0 Stash requests)"),
            "an idle cycle after cycle {first} was not free: {line}\n{}",
            w.text()
        );
    }
    let counters = double.counters();
    assert_eq!(
        counters.http_requests, 0,
        "Stash requests while idle: {counters:?}"
    );
}

/// New posts (with files) and a media downloaded later reach Stash by the second cycle after
/// they were written; idle cycles cost one database query and no Stash request.
async fn new_content_reaches_stash_within_two_cycles(pg: Option<TestDb>) {
    let mut s = setup(&shape(), pg, DoubleConfig::default()).await;
    let mut w = s.watch(&["--scan"]);
    let (i, line) = w
        .wait_for(0, "the catch-up sync", |l| {
            l.contains(": synced creator00 (catching up)")
        })
        .await;
    assert_eq!(cycle_of(&line), Some(1), "{line}");
    assert!(!codes(&s.dump(), "galleries").is_empty(), "{line}");
    assert_idle_cycles_are_free(&mut w, &s.double, i + 1).await;

    // New posts with new files.
    let before = w.last_cycle();
    let added = s.lib.add_posts(0, 2, 2).await.unwrap();
    let (i, line) = w
        .wait_for(0, "the sync of the new posts", |l| {
            l.contains("synced creator00 (2 new posts")
        })
        .await;
    let at = cycle_of(&line).unwrap();
    assert!(
        at <= before + 2,
        "synced at cycle {at}, written after cycle {before}: {line}"
    );
    let dump = s.dump();
    let galleries = codes(&dump, "galleries");
    for post in &added.posts {
        assert!(
            galleries.contains(&post.to_string()),
            "no gallery for post {post}"
        );
    }
    let images = codes(&dump, "images");
    for media in &added.media {
        assert!(
            images.contains(&media.to_string()),
            "image {media} not labelled"
        );
    }

    // A media row first, its download later.
    let (id, name) = s.add_undownloaded_media().await;
    let (i, _) = w
        .wait_for(i + 1, "the sync of the new media row", |l| {
            l.contains("synced creator00 (new media)")
        })
        .await;
    assert!(!codes(&s.dump(), "images").contains(&id.to_string()));
    let before = w.last_cycle();
    s.download(id, &name).await;
    let (i, line) = w
        .wait_for(i + 1, "the sync of the download", |l| {
            l.contains("synced creator00 (1 new download)")
        })
        .await;
    let at = cycle_of(&line).unwrap();
    assert!(
        at <= before + 2,
        "synced at cycle {at}, downloaded after cycle {before}: {line}"
    );
    assert!(
        codes(&s.dump(), "images").contains(&id.to_string()),
        "the downloaded media is labelled: {line}"
    );
    assert!(duplicates(&canonical_in(&s.dump(), &s.lib.root)).is_empty());

    assert_idle_cycles_are_free(&mut w, &s.double, i + 1).await;
    // The creator's download no post or message reaches: said once, not every cycle.
    assert_eq!(
        count_after(
            &w,
            0,
            "creator00: 1 downloaded media no post or message reaches"
        ),
        1,
        "{}",
        w.text()
    );
    w.sigterm();
    let status = w.wait_exit().await;
    assert_eq!(status.code(), Some(0), "{}", w.text());
    assert!(w.text().contains("watch stopped after"), "{}", w.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_new_content_reaches_stash_within_two_cycles_and_idle_is_free() {
    new_content_reaches_stash_within_two_cycles(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_new_content_reaches_stash_within_two_cycles_and_idle_is_free() {
    let Some(db) = pg_test_database() else {
        return;
    };
    new_content_reaches_stash_within_two_cycles(Some(db)).await;
}

/// Counts the lines after `from` that contain `needle`.
fn count_after(w: &WatchProcess, from: usize, needle: &str) -> usize {
    w.lines()
        .iter()
        .skip(from)
        .filter(|l| l.contains(needle))
        .count()
}

/// Waits for `n` lines containing `needle` after line `from`; returns the index of the last.
async fn wait_lines(w: &mut WatchProcess, from: usize, needle: &str, n: usize) -> usize {
    let mut at = from;
    for _ in 0..n {
        let (i, _) = w.wait_for(at, needle, |l| l.contains(needle)).await;
        at = i + 1;
    }
    at - 1
}

/// Takes the proxied service down for a few failed tries, writes new posts meanwhile, brings it
/// back, and checks that `watch` said it once, kept running and caught up.
async fn outage_then_catch_up(
    s: &mut Setup,
    w: &mut WatchProcess,
    proxy: &mut Proxy,
    service: &str,
    from: usize,
) {
    proxy.down();
    let added = s.lib.add_posts(0, 1, 2).await.unwrap();
    let (down, line) = w
        .wait_for(from, "the outage line", |l| {
            l.contains(&format!("{service} is unavailable"))
        })
        .await;
    assert!(line.contains("tries again in"), "{line}");
    let tries = wait_lines(w, down + 1, &format!("{service} is still unavailable"), 3).await;
    assert_eq!(
        count_after(w, 0, &format!("{service} is unavailable")),
        1,
        "one line per outage:\n{}",
        w.text()
    );
    assert!(!codes(&s.dump(), "galleries").contains(&added.posts[0].to_string()));

    proxy.up().await;
    let (back, _) = w
        .wait_for(tries + 1, "the service back", |l| {
            l.contains(&format!("{service} is back after"))
        })
        .await;
    w.wait_for(back, "the catch-up after the outage", |l| {
        l.contains("synced creator00 (1 new post")
    })
    .await;
    let dump = s.dump();
    assert!(codes(&dump, "galleries").contains(&added.posts[0].to_string()));
    for media in &added.media {
        assert!(codes(&dump, "images").contains(&media.to_string()));
    }
    assert!(duplicates(&canonical_in(&dump, &s.lib.root)).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stash_stopped_for_a_few_cycles_then_back_watch_keeps_running_and_catches_up() {
    let mut s = setup(&shape(), None, DoubleConfig::default()).await;
    let mut proxy = Proxy::start(s.double.addr()).await;
    let mut w = s.watch_via(
        format!("http://{}", proxy.addr()),
        s.lib.db_url.clone(),
        &["--scan"],
    );
    let (i, _) = w
        .wait_for(0, "the catch-up sync", |l| {
            l.contains("synced creator00 (catching up)")
        })
        .await;
    outage_then_catch_up(&mut s, &mut w, &mut proxy, "Stash", i + 1).await;
    w.sigterm();
    assert_eq!(w.wait_exit().await.code(), Some(0), "{}", w.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_stopped_for_a_few_cycles_then_back_watch_keeps_running_and_catches_up() {
    let Some(db) = pg_test_database() else {
        return;
    };
    let url = url::Url::parse(&db.url).unwrap();
    let server: std::net::SocketAddr =
        format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432))
            .parse()
            .unwrap();
    let mut s = setup(&shape(), Some(db), DoubleConfig::default()).await;
    let mut proxy = Proxy::start(server).await;
    let mut proxied = url.clone();
    proxied.set_port(Some(proxy.addr().port())).unwrap();
    let mut w = s.watch_via(s.double.base_url(), proxied.to_string(), &["--scan"]);
    let (i, _) = w
        .wait_for(0, "the catch-up sync", |l| {
            l.contains("synced creator00 (catching up)")
        })
        .await;
    outage_then_catch_up(&mut s, &mut w, &mut proxy, "the metadata database", i + 1).await;
    w.sigterm();
    assert_eq!(w.wait_exit().await.code(), Some(0), "{}", w.text());
}

/// A slow double, so a SIGTERM lands while the catch-up sync writes.
fn slow_double() -> DoubleConfig {
    DoubleConfig {
        latency_per_request: std::time::Duration::from_millis(10),
        cost_per_written_object: std::time::Duration::from_millis(2),
        ..DoubleConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_sync_exits_0_keeps_the_state_and_the_next_sync_makes_no_duplicate() {
    let shape = LibraryShape {
        bundles: 2,
        unattached: 2,
        ..LibraryShape::one_creator(40, 6, 120, 10)
    };
    let s = setup(&shape, None, slow_double()).await;
    s.double.reset_counters();
    let mut w = s.watch(&["--batch-size", "10"]);
    let deadline = std::time::Instant::now() + common::watch::HANG_GUARD;
    while s.double.counters().mutation_requests == 0 {
        assert!(std::time::Instant::now() < deadline, "{}", w.text());
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    w.sigterm();
    let status = w.wait_exit().await;
    let text = w.text();
    assert_eq!(status.code(), Some(0), "{text}");
    assert!(
        text.contains("Stopping: finishing the batch in flight"),
        "{text}"
    );
    assert!(
        text.contains("cycle 1: stopped while syncing creator00"),
        "the signal landed during the sync:\n{text}"
    );
    assert!(text.contains("watch stopped after 1 cycles"), "{text}");

    // What was written is in the state; the rest is not written yet.
    let state = metadata_store::sync_state::SqliteSyncState::open(
        &state_file(&s.home()).display().to_string(),
    )
    .await
    .unwrap();
    let saved = domain::ports::SyncStateStore::load_creator(&state, s.lib.creators[0].id())
        .await
        .unwrap()
        .len();
    // Closed, not dropped: a dropped pool's maintenance task can keep the runtime from ending.
    state.close().await.unwrap();
    assert!(saved > 0, "nothing saved");
    let partial = s.dump();
    assert!(duplicates(&canonical_in(&partial, &s.lib.root)).is_empty());

    let out = s.run(&["sync", "--all"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let full = s.dump();
    let dups = duplicates(&canonical_in(&full, &s.lib.root));
    assert!(dups.is_empty(), "{dups:?}");
    assert!(
        codes(&full, "galleries").len() > codes(&partial, "galleries").len(),
        "the stop left work for the sync"
    );
    s.double.reset_counters();
    let out = s.run(&["sync", "--all"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s.double.counters().mutation_requests, 0, "converged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_while_waiting_for_the_scan_job_exits_0_at_once() {
    let s = setup(&shape(), None, DoubleConfig::default()).await;
    // The catch-up's scan job stays RUNNING until released: without a stop that honours the
    // wait, watch would wait scan_timeout_secs (an hour) and the service manager would kill it.
    s.double.hold_job(1);
    s.double.reset_counters();
    let mut w = s.watch(&["--scan"]);
    let deadline = std::time::Instant::now() + common::watch::HANG_GUARD;
    while s.double.counters().requests_with("findJob") == 0 {
        assert!(std::time::Instant::now() < deadline, "{}", w.text());
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    w.sigterm();
    let status = w.wait_exit().await;
    let text = w.text();
    assert_eq!(status.code(), Some(0), "{text}");
    assert!(
        text.contains("cycle 1: stopped while syncing creator00"),
        "the signal landed during the scan:\n{text}"
    );
    assert!(
        text.contains("watch stopped after 1 cycles; the sync state is saved"),
        "{text}"
    );
    assert_eq!(
        s.double.counters().mutation_requests,
        1,
        "only the scan was asked for, nothing written"
    );
    assert!(state_file(&s.home()).exists(), "the sync state is kept");
    s.double.release_jobs();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_signal_quits_at_once_with_130() {
    let s = setup(&shape(), None, DoubleConfig::default()).await;
    // The first image write of the catch-up hangs, so the batch in flight cannot finish.
    s.double.faults().inject(
        Some("imagesUpdate"),
        1,
        Fault::Delay(std::time::Duration::from_secs(60)),
    );
    let mut w = s.watch(&[]);
    let deadline = std::time::Instant::now() + common::watch::HANG_GUARD;
    while s.double.counters().requests_with("imagesUpdate") == 0 {
        assert!(std::time::Instant::now() < deadline, "{}", w.text());
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    w.sigterm();
    w.wait_for(0, "the first stop line", |l| {
        l.contains("Stopping: finishing the batch in flight")
    })
    .await;
    w.sigterm();
    let status = w.wait_exit().await;
    assert_eq!(status.code(), Some(130), "{}", w.text());
    assert!(w.text().contains("Stopping now."), "{}", w.text());
    assert!(!w.text().contains("watch stopped after"), "{}", w.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_stash_has_not_indexed_yet_are_looked_for_again_and_said_once() {
    let mut s = setup(&shape(), None, DoubleConfig::default()).await;
    // No --scan: Stash indexes new files on its own schedule (here: when the test says).
    let mut w = s.watch(&[]);
    let (i, _) = w
        .wait_for(0, "the catch-up sync", |l| {
            l.contains("synced creator00 (catching up)")
        })
        .await;
    let added = s.lib.add_posts(0, 1, 2).await.unwrap();
    let (i, line) = w
        .wait_for(i + 1, "the notice", |l| l.contains("not in Stash yet"))
        .await;
    assert!(
        line.contains("creator00: 2 downloaded files are not in Stash yet"),
        "{line}"
    );
    let last = wait_lines(
        &mut w,
        i + 1,
        "(looking again for 2 files not in Stash yet)",
        2,
    )
    .await;
    assert_eq!(
        count_after(&w, 0, "downloaded files are not in Stash yet"),
        1,
        "{}",
        w.text()
    );
    assert_eq!(count_after(&w, 0, "failed"), 0, "{}", w.text());

    s.double.scan_now(&[]).await;
    w.wait_for(last + 1, "the files found", |l| {
        l.contains("creator00: everything left over is in Stash now")
    })
    .await;
    let dump = s.dump();
    assert!(codes(&dump, "galleries").contains(&added.posts[0].to_string()));
    for media in &added.media {
        assert!(codes(&dump, "images").contains(&media.to_string()));
    }
    w.sigterm();
    assert_eq!(w.wait_exit().await.code(), Some(0), "{}", w.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_errors_and_a_refused_api_key_stop_watch_with_their_exit_codes() {
    let s = setup(
        &shape(),
        None,
        DoubleConfig {
            api_key: Some("the-right-key".into()),
            ..DoubleConfig::default()
        },
    )
    .await;
    let env = s.env(s.double.base_url(), s.lib.db_url.clone());
    let run = |env: &[(&'static str, String)], args: &[&str]| {
        let out = fansly_stash(&s.home(), env).args(args).output().unwrap();
        (
            out.status.code(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let mut wrong_key = env.clone();
    wrong_key.push(("FANSLY_STASH_API_KEY", "a-wrong-key".into()));
    let (code, text) = run(&wrong_key, &["watch", "--interval-ms", INTERVAL_MS]);
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("refused the API key"), "{text}");
    assert!(
        !text.contains("a-wrong-key"),
        "the key is never printed: {text}"
    );

    let no_root: Vec<_> = env
        .iter()
        .filter(|(k, _)| *k != "FANSLY_STASH_DOWNLOAD_ROOT")
        .cloned()
        .collect();
    let (code, text) = run(&no_root, &["watch"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("download_root is not set"), "{text}");

    let mut right_key = env.clone();
    right_key.push(("FANSLY_STASH_API_KEY", "the-right-key".into()));
    let (code, text) = run(&right_key, &["watch", "--creator", "nobody"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("unknown creator 'nobody'"), "{text}");

    let (code, text) = run(&right_key, &["watch", "--interval", "0"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("watch_interval_secs = 0 (from --interval)"),
        "{text}"
    );

    // A PostgreSQL server that refuses us (here: no such database) is configuration, not an
    // outage to wait out.
    if let Some(db) = pg_test_database() {
        let mut url = url::Url::parse(&db.url).unwrap();
        url.set_path("/no_such_database_for_watch");
        let mut refused: Vec<_> = right_key
            .iter()
            .filter(|(k, _)| *k != "FANSLY_STASH_METADATA_DB")
            .cloned()
            .collect();
        refused.push(("FANSLY_STASH_METADATA_DB", url.to_string()));
        let (code, text) = run(&refused, &["watch", "--interval-ms", INTERVAL_MS]);
        assert_eq!(code, Some(3), "{text}");
        assert!(text.contains("refused the connection"), "{text}");
        assert!(text.contains("database name in metadata_db"), "{text}");
    }
}

#[test]
fn cycle_numbers_are_read_from_lines() {
    assert_eq!(
        cycle_of("2026-01-01 10:00:00 cycle 12: no change (1 database query, 0 Stash requests)"),
        Some(12)
    );
    assert_eq!(cycle_of("2026-01-01 10:00:00 Watching every creator"), None);
}
