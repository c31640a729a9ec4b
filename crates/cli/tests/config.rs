//! Configuration through the binary: precedence (file, environment, flags), secret redaction
//! in `config show`, logs and errors, and the messages for bad configuration.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::World;
use stash_double::DoubleConfig;

/// Arguments, environment, expected message.
type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

const KEY: &str = "sup3r-s3cret-api-key";
const DB_PASSWORD: &str = "hunter2-db-pass";

fn value_of<'a>(show: &'a str, key: &str) -> &'a str {
    show.lines()
        .find(|l| l.starts_with(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("no {key} in\n{show}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_then_environment_then_flags() {
    let w = World::new().await;
    let file = w.write_config(
        "stash_url = \"http://from-file:1\"\nbatch_size = 11\nread_concurrency = 3\nnetwork_studio = \"File Net\"\n",
    );
    let mut cmd = w.bare_command();
    cmd.args(["config", "show", "--stash-url", "http://from-flag:3"])
        .env("FANSLY_STASH_STASH_URL", "http://from-env:2")
        .env("FANSLY_STASH_BATCH_SIZE", "22");
    let run = w.run(cmd).await;
    run.expect_code(0);
    let show = &run.stdout;
    assert!(
        show.contains(&format!("# configuration file: {}", file.display())),
        "{show}"
    );
    assert_eq!(
        value_of(show, "stash_url"),
        "stash_url = \"http://from-flag:3\"  # from --stash-url"
    );
    assert_eq!(
        value_of(show, "batch_size"),
        "batch_size = 22  # from FANSLY_STASH_BATCH_SIZE"
    );
    assert_eq!(
        value_of(show, "read_concurrency"),
        format!("read_concurrency = 3  # from {}", file.display())
    );
    assert_eq!(
        value_of(show, "folder_suffix"),
        "folder_suffix = \"_fansly\""
    );
    // Defaults in the platform data dir of this (private) home.
    assert!(
        value_of(show, "state_db").contains(&w.state_file().display().to_string()),
        "{show}"
    );

    // --config points elsewhere; FANSLY_STASH_CONFIG does the same.
    let other = w.dir.path().join("other.toml");
    std::fs::write(&other, "batch_size = 33\n").unwrap();
    let mut cmd = w.bare_command();
    cmd.args(["config", "show"])
        .env("FANSLY_STASH_CONFIG", &other);
    let run = w.run(cmd).await;
    run.expect_code(0);
    assert!(value_of(&run.stdout, "batch_size").starts_with("batch_size = 33"));
    assert_eq!(
        value_of(&run.stdout, "stash_url"),
        "stash_url = \"http://localhost:9999\""
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_redacted_everywhere() {
    let w = World::with(
        DoubleConfig {
            api_key: Some(KEY.into()),
            ..DoubleConfig::default()
        },
        common::small_shape(2),
        true,
    )
    .await;
    let mut cmd = w.command();
    cmd.args(["config", "show"])
        .env("FANSLY_STASH_API_KEY", KEY)
        .env(
            "FANSLY_STASH_METADATA_DB",
            format!("postgres://fansly:{DB_PASSWORD}@127.0.0.1:1/fansly"),
        );
    let run = w.run(cmd).await;
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("api_key = \"***\"  # from FANSLY_STASH_API_KEY"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("fansly:***@127.0.0.1"),
        "{}",
        run.stdout
    );
    assert!(!run.all().contains(KEY) && !run.all().contains(DB_PASSWORD));

    // A real run at debug level with the key from a file: neither terminal nor log file
    // shows it; and a failing database URL with a password is shown redacted.
    let keyfile = w.dir.path().join("api-key");
    std::fs::write(&keyfile, format!("{KEY}\n")).unwrap();
    w.write_config(&format!("api_key_file = \"{}\"\n", keyfile.display()));
    let mut cmd = w.command();
    cmd.args(["sync", "--all", "-vv"]);
    let run = w.run(cmd).await;
    run.expect_code(0);
    let mut cmd = w.command();
    cmd.args(["check", "-vv"]).env(
        "FANSLY_STASH_METADATA_DB",
        format!("postgres://fansly:{DB_PASSWORD}@127.0.0.1:1/fansly"),
    );
    let check = w.run(cmd).await;
    check.expect_code(3);
    assert!(
        check.stdout.contains("fansly:***@127.0.0.1"),
        "{}",
        check.stdout
    );
    let everything = format!("{}{}{}", run.all(), check.all(), w.logs());
    assert!(!w.logs().is_empty());
    assert!(!everything.contains(KEY), "the API key leaked");
    assert!(!everything.contains(DB_PASSWORD), "the DB password leaked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_key_names_the_key_and_the_file() {
    let w = World::new().await;
    let file = w.write_config("stash_url = \"http://localhost:9999\"\nstash_ulr = \"oops\"\n");
    for args in [
        &["config", "show"][..],
        &["sync", "--all"],
        &["check"],
        &["status"],
    ] {
        let mut cmd = w.command();
        cmd.args(args);
        let run = w.run(cmd).await;
        run.expect_code(2);
        assert!(run.stderr.contains("stash_ulr"), "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(&file.display().to_string()),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("the settings are"), "{}", run.stderr);
    }
    assert_eq!(w.double.counters().http_requests, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_values_say_what_and_where() {
    let w = World::new().await;
    let cases: &[Case<'_>] = &[
        (
            &["sync", "--all", "--stash-url", "localhost:9999"],
            &[],
            "not an http(s) URL",
        ),
        (
            &["check"],
            &[("FANSLY_STASH_STASH_URL", "http//nohost")],
            "not a valid URL",
        ),
        (
            &["check"],
            &[("FANSLY_STASH_STASH_URL", "http//nohost")],
            "from FANSLY_STASH_STASH_URL",
        ),
        (
            &["status"],
            &[("FANSLY_STASH_BATCH_SIZE", "lots")],
            "FANSLY_STASH_BATCH_SIZE",
        ),
        (
            &["status"],
            &[("FANSLY_STASH_METADATA_DB", "mysql://x/y")],
            "not a database URL",
        ),
        (
            &["check"],
            &[("FANSLY_STASH_API_KEY_FILE", "/nonexistent/key")],
            "cannot read the API key file /nonexistent/key",
        ),
        (
            &["sync", "--all", "--config", "/nonexistent/c.toml"],
            &[],
            "does not exist",
        ),
        (
            &["sync", "--all", "--batch-size", "0"],
            &[],
            "batch_size = 0 (from --batch-size) is out of range",
        ),
    ];
    for (args, env, needle) in cases {
        let mut cmd = w.command();
        cmd.args(*args);
        for (k, v) in *env {
            cmd.env(k, v);
        }
        let run = w.run(cmd).await;
        run.expect_code(2);
        assert!(
            run.stderr.contains(needle),
            "{args:?} {env:?}: {}",
            run.stderr
        );
    }
    // clap usage errors are exit 2 too, and there is no --api-key flag.
    let mut cmd = w.command();
    cmd.args(["sync", "--api-key", "x"]);
    w.run(cmd).await.expect_code(2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_init_writes_a_file_that_loads() {
    let w = World::new().await;
    let mut cmd = w.bare_command();
    cmd.args(["config", "init"]);
    let run = w.run(cmd).await;
    run.expect_code(0);
    assert!(w.config_file().is_file());
    assert!(run.stdout.contains(&w.config_file().display().to_string()));
    let mut cmd = w.bare_command();
    cmd.args(["config", "show"]);
    let run = w.run(cmd).await;
    run.expect_code(0);
    assert!(run.stdout.contains(&format!(
        "# configuration file: {}",
        w.config_file().display()
    )));
    let mut cmd = w.bare_command();
    cmd.args(["config", "init"]);
    let again = w.run(cmd).await;
    again.expect_code(2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    let mut cmd = w.bare_command();
    cmd.args(["config", "path"]);
    let path = w.run(cmd).await;
    assert_eq!(path.stdout.trim(), w.config_file().display().to_string());
}
