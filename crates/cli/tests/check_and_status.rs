//! `check` and `status` through the binary, and Stash or database failures on `sync`: an
//! unreachable server, a wrong API key, no ffmpeg, a missing metadata database, a download
//! folder outside Stash's library paths.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{CREATOR, World, small_shape};
use metadata_store::{MetadataStore, StoreOptions};
use sea_orm::{ConnectionTrait, Statement};
use stash_double::{DoubleConfig, StashDouble};

/// A URL where nothing listens (a port that was bound and released).
fn closed_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

fn line<'a>(out: &'a str, what: &str) -> &'a str {
    out.lines()
        .find(|l| l[6..].starts_with(what))
        .unwrap_or_else(|| panic!("no `{what}` line in\n{out}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_passes_on_a_good_setup() {
    let w = World::new().await;
    let mut cmd = w.command();
    cmd.arg("check");
    let run = w.run(cmd).await;
    run.expect_code(0);
    for what in [
        "configuration",
        "Stash reachable",
        "authentication",
        "Stash version",
        "ffmpeg",
        "metadata database",
        "download folder",
        "creator folders",
        "library paths",
        "path mapping",
        "sync state",
    ] {
        assert!(line(&run.stdout, what).starts_with("ok "), "{}", run.stdout);
    }
    assert!(line(&run.stdout, "Stash version").contains("v0.30.1, appSchema 75"));
    let downloads = w.downloads.display().to_string();
    assert!(
        line(&run.stdout, "library paths").ends_with(&format!(
            "{downloads} is inside Stash's library {downloads}"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with("All checks passed.\n"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_stash_is_exit_3_with_a_hint() {
    let w = World::new().await;
    let url = closed_url();
    let mut cmd = w.command();
    cmd.args(["check", "--stash-url", &url]);
    let run = w.run(cmd).await;
    run.expect_code(3);
    assert!(
        line(&run.stdout, "Stash reachable").starts_with("FAIL"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("fix: start Stash, or fix stash_url (now from --stash-url)"),
        "{}",
        run.stdout
    );
    assert!(line(&run.stdout, "ffmpeg").starts_with("skip"));
    // The metadata side is still diagnosed.
    assert!(line(&run.stdout, "metadata database").starts_with("ok"));

    let mut cmd = w.command();
    cmd.args(["sync", "--all"])
        .env("FANSLY_STASH_STASH_URL", &url);
    let run = w.run(cmd).await;
    run.expect_code(3);
    assert!(
        run.stderr.contains(&format!("cannot reach Stash at {url}")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Is Stash running"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("stash_url (from FANSLY_STASH_STASH_URL)"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_api_key_is_exit_3_and_says_where_the_key_comes_from() {
    let w = World::with(
        DoubleConfig {
            api_key: Some("the-right-key".into()),
            ..DoubleConfig::default()
        },
        small_shape(2),
        true,
    )
    .await;
    let mut cmd = w.command();
    cmd.arg("check").env("FANSLY_STASH_API_KEY", "a-wrong-key");
    let run = w.run(cmd).await;
    run.expect_code(3);
    assert!(line(&run.stdout, "Stash reachable").starts_with("ok"));
    let auth = line(&run.stdout, "authentication");
    assert!(
        auth.starts_with("FAIL") && auth.contains("401"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("FANSLY_STASH_API_KEY"),
        "{}",
        run.stdout
    );

    let mut cmd = w.command();
    cmd.args(["sync", "--all"]);
    let run = w.run(cmd).await;
    run.expect_code(3);
    assert!(run.stderr.contains("HTTP 401"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("No API key is configured: set FANSLY_STASH_API_KEY"),
        "{}",
        run.stderr
    );

    let mut cmd = w.command();
    cmd.args(["sync", "--all"])
        .env("FANSLY_STASH_API_KEY", "a-wrong-key");
    let run = w.run(cmd).await;
    run.expect_code(3);
    assert!(
        run.stderr
            .contains("The key comes from FANSLY_STASH_API_KEY: copy it again from Stash"),
        "{}",
        run.stderr
    );
    assert!(!run.all().contains("a-wrong-key"));
    assert_eq!(w.double.counters().mutation_requests, 0);

    let mut cmd = w.command();
    cmd.args(["sync", "--all"])
        .env("FANSLY_STASH_API_KEY", "the-right-key");
    w.run(cmd).await.expect_code(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_ffmpeg_and_unscanned_library_are_reported() {
    let w = World::with(
        DoubleConfig {
            ffmpeg: false,
            ..DoubleConfig::default()
        },
        small_shape(2),
        false,
    )
    .await;
    let mut cmd = w.command();
    cmd.arg("check");
    let run = w.run(cmd).await;
    run.expect_code(1);
    assert!(
        line(&run.stdout, "ffmpeg").starts_with("FAIL"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("install ffmpeg on the Stash host"),
        "{}",
        run.stdout
    );
    let mapping = line(&run.stdout, "path mapping");
    assert!(
        mapping.starts_with("warn") && mapping.contains("no files under"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("1 problem(s), 1 warning(s)."),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_metadata_database_is_exit_3() {
    let w = World::new().await;
    let missing = format!("sqlite://{}/nope.sqlite3", w.dir.path().display());
    let mut cmd = w.command();
    cmd.arg("check").env("FANSLY_STASH_METADATA_DB", &missing);
    let run = w.run(cmd).await;
    run.expect_code(3);
    assert!(
        line(&run.stdout, "metadata database").starts_with("FAIL"),
        "{}",
        run.stdout
    );
    let mut cmd = w.command();
    cmd.args(["sync", "--all"])
        .env("FANSLY_STASH_METADATA_DB", &missing);
    let run = w.run(cmd).await;
    run.expect_code(3);
    assert!(
        run.stderr
            .contains("metadata_db (from FANSLY_STASH_METADATA_DB)"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_before_and_after_a_sync() {
    let w = World::new().await;
    let mut cmd = w.command();
    cmd.arg("status");
    let run = w.run(cmd).await;
    run.expect_code(0);
    assert!(run.stdout.contains("No sync has run yet"), "{}", run.stdout);
    assert!(!w.state_file().exists());

    let mut cmd = w.command();
    cmd.args(["sync", "--all"]);
    w.run(cmd).await.expect_code(0);

    let mut cmd = w.command();
    cmd.arg("status");
    let run = w.run(cmd).await;
    run.expect_code(0);
    let row = run
        .stdout
        .lines()
        .find(|l| l.starts_with(CREATOR))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    let cols: Vec<&str> = row.split_whitespace().collect();
    let synced: u64 = cols[1].parse().unwrap();
    assert!(synced > 0, "{row}");
    assert_eq!(
        (cols[2], cols[3]),
        ("0", "0"),
        "nothing pending or failed: {row}"
    );
    assert!(run.stdout.contains("Recent runs:"), "{}", run.stdout);
    let run_line = run
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("#1"))
        .unwrap();
    assert!(run_line.contains(" ok "), "{run_line}");

    // Without the metadata database, status still shows what the state knows.
    let mut cmd = w.command();
    cmd.arg("status").env(
        "FANSLY_STASH_METADATA_DB",
        format!("sqlite://{}/gone.sqlite3", w.dir.path().display()),
    );
    let run = w.run(cmd).await;
    run.expect_code(0);
    assert!(
        run.stdout.contains("metadata database unavailable"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("account 100"), "{}", run.stdout);

    // A database whose coverage count fails (a column it reads is gone) still names the
    // creators: the count is a note, not the listing.
    let store = MetadataStore::open(&w.metadata_url, StoreOptions::default())
        .await
        .unwrap();
    let db = store.connection().inner();
    for sql in [
        "DROP TABLE account_banner",
        "CREATE TABLE account_banner (\"accountId\" BIGINT)",
    ] {
        db.execute(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap();
    }
    drop(store);
    let mut cmd = w.command();
    cmd.arg("status");
    let run = w.run(cmd).await;
    run.expect_code(0);
    assert!(
        run.stdout.lines().any(|l| l.starts_with(CREATOR)),
        "the creator is named: {}",
        run.stdout
    );
    assert!(!run.stdout.contains("account 100"), "{}", run.stdout);
    assert!(
        run.stderr.contains("could not count the downloaded media"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_and_man_page_are_generated() {
    let w = World::new().await;
    for shell in ["bash", "zsh", "fish"] {
        let mut cmd = w.bare_command();
        cmd.args(["completions", shell]);
        let run = w.run(cmd).await;
        run.expect_code(0);
        assert!(
            run.stdout.contains("fansly-stash") && run.stdout.contains("sync"),
            "{shell}"
        );
    }
    let mut cmd = w.bare_command();
    cmd.arg("man");
    let run = w.run(cmd).await;
    run.expect_code(0);
    assert!(
        run.stdout.starts_with(".ie") || run.stdout.contains(".TH fansly-stash"),
        "{}",
        &run.stdout[..200.min(run.stdout.len())]
    );
    // One page per visible command, hidden ones left out.
    let pages = tempfile::tempdir().unwrap();
    let mut cmd = w.bare_command();
    cmd.arg("man").arg("--out-dir").arg(pages.path());
    w.run(cmd).await.expect_code(0);
    let mut names: Vec<String> = std::fs::read_dir(pages.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for page in [
        "fansly-stash.1",
        "fansly-stash-sync.1",
        "fansly-stash-plan.1",
        "fansly-stash-status.1",
        "fansly-stash-check.1",
        "fansly-stash-import.1",
        "fansly-stash-config.1",
        "fansly-stash-config-show.1",
    ] {
        assert!(
            names.iter().any(|n| n == page),
            "{page} missing from {names:?}"
        );
    }
    assert!(
        !names
            .iter()
            .any(|n| n.contains("completions") || n.contains("-man")),
        "hidden commands get no page: {names:?}"
    );
    let sync = std::fs::read_to_string(pages.path().join("fansly-stash-sync.1")).unwrap();
    assert!(
        sync.contains(".TH fansly-stash-sync") && sync.contains("dry"),
        "{sync}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fatal_error_is_printed_once_and_logged() {
    let w = World::new().await;
    let mut cmd = w.command();
    cmd.args(["sync", "--all", "--stash-url", &closed_url()]);
    let run = w.run(cmd).await;
    run.expect_code(3);
    // Retries are shown as warnings while they happen; the final error is printed once.
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("ERROR") || l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(
        errors[0].starts_with("error: cannot reach Stash"),
        "{}",
        run.stderr
    );
    assert!(w.logs().contains("cannot reach Stash"), "{}", w.logs());
}

/// A second double over the same files whose only library is another folder: Stash does not
/// see the download folder as a library.
async fn double_with_another_library(w: &World) -> (StashDouble, String) {
    let other = w.dir.path().join("other-library");
    std::fs::create_dir_all(&other).unwrap();
    let double = StashDouble::start(DoubleConfig {
        library_roots: vec![other.clone()],
        ..DoubleConfig::default()
    })
    .await
    .unwrap();
    (double, other.display().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_folder_outside_stash_libraries_fails_check_with_the_fix() {
    let w = World::new().await;
    let (double, other) = double_with_another_library(&w).await;
    let mut cmd = w.command();
    cmd.arg("check")
        .env("FANSLY_STASH_STASH_URL", double.base_url());
    let run = w.run(cmd).await;
    run.expect_code(1);
    let downloads = w.downloads.display().to_string();
    let libraries = line(&run.stdout, "library paths");
    assert!(
        libraries.starts_with("FAIL")
            && libraries.contains(&format!(
                "{downloads}: it is not inside any of Stash's library paths ({other})"
            )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "fix: add {downloads} as a library in Stash (Settings > Library), or set stash_root (unset, so it is download_root) to the folder where Stash sees the downloads"
        )),
        "{}",
        run.stdout
    );
    assert_eq!(double.counters().requests_with("configuration"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_scan_does_not_scan_a_folder_outside_stash_libraries_and_says_why() {
    let w = World::with(DoubleConfig::default(), small_shape(2), false).await;
    let (double, other) = double_with_another_library(&w).await;
    let mut cmd = w.command();
    cmd.args(["sync", "--all", "--scan"])
        .env("FANSLY_STASH_STASH_URL", double.base_url());
    let run = w.run(cmd).await;
    run.expect_code(1);
    let folder = w.downloads.join(format!("{CREATOR}_fansly"));
    let out = run.all();
    assert!(
        out.contains(&format!(
            "the scan of {} was not started: it is not inside any of Stash's library paths ({other})",
            folder.display()
        )) && out.contains("Settings > Library"),
        "{out}"
    );
    let counters = double.counters();
    assert_eq!(counters.requests_with("metadataScan"), 0);
    assert_eq!(counters.requests_with("configuration"), 1);

    // With the download folder as a library the same command scans and labels.
    let mut cmd = w.command();
    cmd.args(["sync", "--all", "--scan"]);
    w.run(cmd).await.expect_code(0);
    assert_eq!(w.double.counters().requests_with("metadataScan"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_says_which_stash_versions_are_supported() {
    // The oldest supported release: usable, with what it lacks said plainly.
    let old = DoubleConfig::impersonating(stash_double::StashVersion::V0_27_2);
    let w = World::with(old, small_shape(2), true).await;
    let mut cmd = w.command();
    cmd.arg("check");
    let run = w.run(cmd).await;
    let version = line(&run.stdout, "Stash version");
    assert!(
        version.starts_with("warn") && version.contains("v0.27.2, appSchema 68"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("supported; until v0.30 partial dates"),
        "{}",
        run.stdout
    );

    // Older than v0.27: refused, naming the version found and what to do.
    let too_old = DoubleConfig {
        version: "v0.26.2".into(),
        app_schema: 58,
        ..DoubleConfig::default()
    };
    let w = World::with(too_old, small_shape(2), true).await;
    let mut cmd = w.command();
    cmd.arg("check");
    let run = w.run(cmd).await;
    run.expect_code(3);
    let version = line(&run.stdout, "Stash version");
    assert!(
        version.starts_with("FAIL")
            && version.contains("v0.26.2 (appSchema 58), older than v0.27.0")
            && version.contains("upgrade Stash to v0.27 or newer"),
        "{}",
        run.stdout
    );
}
