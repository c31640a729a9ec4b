//! `fansly-stash import`: the shared Fansly API samples load into a new SQLite metadata file
//! (created with its folder), a per-file summary is printed, a bad file fails alone with exit
//! code 1, and the result is a metadata database the other commands read.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use domain::ports::MetadataRepository;
use metadata_store::{MetadataStore, StoreOptions};
use predicates::prelude::*;

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/upstream/fansly-api-samples")
}

/// The binary with a private home and the metadata database at `db`.
fn command(home: &Path, db: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("fansly-stash").unwrap();
    cmd.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env(
            "FANSLY_STASH_METADATA_DB",
            format!("sqlite://{}", db.display()),
        );
    cmd
}

#[tokio::test]
async fn the_samples_import_into_a_new_sqlite_file_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data/metadata.sqlite3");
    let out = command(dir.path(), &db)
        .args(["import"])
        .arg(samples())
        .assert()
        .success()
        .stdout(predicate::str::contains("Imported 11 of 11 files"))
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for name in [
        "example_timeline.json",
        "messages-group.json",
        "test_story_variants.json",
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with("ok ") && l.contains(name)),
            "{name} in:\n{text}"
        );
    }
    assert!(
        text.contains("[timeline]") && text.contains("posts 5"),
        "{text}"
    );
    assert!(text.contains("subscriptions are not imported"), "{text}");

    let store = MetadataStore::open(
        &format!("sqlite://{}", db.display()),
        StoreOptions::default(),
    )
    .await
    .unwrap();
    let creators = store.list_creators().await.unwrap();
    assert!(
        creators.iter().any(|c| c.posts == 5),
        "the example timeline's creator: {creators:?}"
    );
    drop(store);

    // Again: nothing fails, same totals.
    command(dir.path(), &db)
        .args(["import"])
        .arg(samples())
        .assert()
        .success()
        .stdout(predicate::str::contains("Imported 11 of 11 files"));
}

#[test]
fn a_bad_file_fails_alone_with_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("metadata.sqlite3");
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::copy(
        samples().join("example_timeline.json"),
        input.join("a_timeline.json"),
    )
    .unwrap();
    std::fs::write(
        input.join("b_bad.json"),
        r#"{"success": true, "response": {"posts": [{"id": "7", "accountId": "1000000000000001"}]}}"#,
    )
    .unwrap();
    command(dir.path(), &db)
        .args(["import"])
        .arg(&input)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAILED"))
        .stdout(predicate::str::contains("b_bad.json"))
        .stdout(predicate::str::contains("response.posts[0].id"))
        .stdout(predicate::str::contains("Imported 1 of 2 files"));
}

#[test]
fn no_paths_or_no_json_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("metadata.sqlite3");
    command(dir.path(), &db).arg("import").assert().code(2);
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    command(dir.path(), &db)
        .arg("import")
        .arg(&empty)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no *.json files"));
}
