//! Issue 15: `fansly-stash plugin` driven exactly as Stash drives a raw plugin task: the real
//! binary, Stash's JSON input on stdin pointing at the Stash double (with and without a
//! session cookie), the plugin's settings stored in the double through `configurePlugin` and
//! read back through `configuration { plugins }`. The test parses stderr as Stash does (every
//! line SOH, level, STX; progress monotonic from 0 to 1) and stdout as one JSON object, and
//! compares the labelled double with one labelled by `fansly-stash sync --all`. Bad settings
//! and input Stash would not send end the task with an error that says what, why and what to do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::plugin::{PluginSetup, Stash, input, parse, plugin_command, run_cli, run_plugin};
use fansly_stash_tests::canonical::{canonical_in, diff, duplicates};
use fansly_stash_tests::library::{Library, LibraryShape};
use fansly_stash_tests::world::start_stash;
use serde_json::json;
use stash_double::DoubleConfig;

fn shape() -> LibraryShape {
    LibraryShape {
        creators: 2,
        bundles: 1,
        unattached: 2,
        ..LibraryShape::one_creator(12, 3, 20, 4)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_task_labels_stash_as_sync_all_does() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&shape(), &dir.path().join("lib"), None)
        .await
        .unwrap();

    // The reference: the command line's `sync --all` on a double of its own.
    let reference = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    run_cli(
        &lib,
        &reference.double,
        &dir.path().join("cli-home"),
        &["sync", "--all"],
    )
    .await
    .expect_code(0);
    let want = canonical_in(&reference.double.dump(), &lib.root);
    assert!(duplicates(&want).is_empty());

    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let stash = Stash::new(&world.double, dir.path().join("stash-config"));
    stash
        .configure(json!({
            "metadata_db": lib.db_url,
            "download_root": lib.root_str(),
            "batch_size": 10,
        }))
        .await;
    world.double.reset_counters();
    // Stash in Docker listens on 0.0.0.0 and has no login: no cookie.
    let run = run_plugin(&input(&stash, "0.0.0.0", None, "sync")).await;
    run.expect_ok();
    let got = canonical_in(&world.double.dump(), &lib.root);
    let d = diff(&want, &got, 10);
    assert!(
        d.is_empty(),
        "the plugin labelled differently:\n{}",
        d.join("\n")
    );

    let output = &run.result["output"];
    assert_eq!(output["outcome"], "ok", "{output}");
    assert_eq!(output["creators"].as_array().unwrap().len(), 2);
    assert!(output["totals"]["scene"]["updated"].as_u64().unwrap() > 0);
    // Each creator's 2 downloads no post or message reaches, in the output and in the log.
    for c in output["creators"].as_array().unwrap() {
        assert_eq!(
            (&c["unattached_media"], &c["attachments_missing"]),
            (&json!(2), &json!(false)),
            "{c}"
        );
        assert!(c["absent_folder"].is_null(), "{c}");
    }
    let requests = output["requests"].as_u64().unwrap();
    let http = world.double.counters().http_requests;
    println!(
        "plugin sync: {requests} requests counted by the run, {http} HTTP requests seen by the double"
    );
    // The one request the run does not count: reading the plugin settings, before it connects.
    assert_eq!(http, requests + 1, "{:?}", world.double.counters());
    assert_eq!(
        world
            .double
            .counters()
            .requests_named("PluginSettingsQuery"),
        1
    );

    // Progress: from 0, never backwards, to 1; more than the two ends.
    let p = run.progress();
    assert_eq!(p.first(), Some(&0.0), "{p:?}");
    assert_eq!(p.last(), Some(&1.0), "{p:?}");
    assert!(p.windows(2).all(|w| w[0] <= w[1]), "{p:?}");
    assert!(p.len() >= 4, "{p:?}");
    // One info line per creator started and done, and the summary as one info line.
    let infos = run.lines_at('i');
    for c in ["creator00", "creator01"] {
        assert!(
            infos
                .iter()
                .any(|l| l.starts_with(&format!("{c} (")) && l.ends_with("started")),
            "{infos:?}"
        );
        assert!(
            infos.iter().any(|l| l.starts_with(&format!("{c}: done ("))),
            "{infos:?}"
        );
    }
    let summary: Vec<&&str> = infos
        .iter()
        .filter(|l| l.starts_with("Sync finished (ok): "))
        .collect();
    assert_eq!(summary.len(), 1, "{infos:?}");
    assert!(
        summary[0].contains(&format!("{requests} Stash requests")),
        "{summary:?}"
    );
    assert!(
        summary[0].ends_with("; 4 downloaded media no post or message reaches (see above)"),
        "{summary:?}"
    );
    assert!(
        infos.iter().any(|l| l
            .starts_with("creator00: 2 downloaded media no post or message reaches: code, date")),
        "{infos:?}"
    );
    assert!(run.lines_at('w').is_empty(), "{:?}", run.lines_at('w'));
    assert!(
        stash.state_file().is_file(),
        "the state lives next to Stash's config"
    );

    // A second run writes nothing.
    world.double.reset_counters();
    let again = run_plugin(&input(&stash, "127.0.0.1", None, "sync")).await;
    again.expect_ok();
    assert_eq!(world.double.counters().mutation_requests, 0);
    assert_eq!(got, canonical_in(&world.double.dump(), &lib.root));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_login_the_session_cookie_is_the_only_credential() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(
        &LibraryShape::one_creator(6, 2, 8, 2),
        &dir.path().join("lib"),
        None,
    )
    .await
    .unwrap();
    let config = DoubleConfig {
        api_key: Some("the-api-key".into()),
        ..DoubleConfig::default()
    };
    let double = stash_double::StashDouble::start(DoubleConfig {
        library_roots: vec![lib.root.clone()],
        ..config
    })
    .await
    .unwrap();
    double.scan_now(&[]).await;
    let stash = Stash::new(&double, dir.path().join("stash-config")).with_api_key("the-api-key");
    stash
        .configure(json!({"metadata_db": lib.db_url, "download_root": lib.root_str()}))
        .await;
    let session = double.log_in();

    // A preview first: nothing is written, the plan is logged and returned.
    double.reset_counters();
    let plan = run_plugin(&input(&stash, "127.0.0.1", Some(&session), "plan")).await;
    plan.expect_ok();
    assert_eq!(double.counters().mutation_requests, 0);
    assert_eq!(plan.result["output"]["dry_run"], true);
    assert!(plan.result["output"]["plan"].as_str().unwrap().len() > 10);
    assert!(
        plan.lines_at('i')
            .iter()
            .any(|l| l.starts_with("Preview finished (ok, nothing written)")),
        "{:?}",
        plan.lines_at('i')
    );

    let run = run_plugin(&input(&stash, "127.0.0.1", Some(&session), "sync")).await;
    run.expect_ok();
    assert!(double.counters().mutation_requests > 0);
    assert!(
        double.dump()["scenes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["code"].as_str().is_some_and(|c| !c.is_empty()))
    );

    // A session Stash does not know: the error says what to do, nothing is written.
    double.reset_counters();
    let refused = run_plugin(&input(&stash, "127.0.0.1", Some("not-a-session"), "sync")).await;
    refused.expect_error(3, "Stash refused the session it gave this plugin");
    assert_eq!(double.counters().mutation_requests, 0);
    // No cookie at all while Stash has a login.
    let none = run_plugin(&input(&stash, "127.0.0.1", None, "sync")).await;
    none.expect_error(3, "started the plugin without a session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_settings_name_the_setting_to_fix_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(
        &LibraryShape::one_creator(3, 1, 4, 1),
        &dir.path().join("lib"),
        None,
    )
    .await
    .unwrap();
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let stash = Stash::new(&world.double, dir.path().join("stash-config"));
    let good = json!({"metadata_db": lib.db_url, "download_root": lib.root_str()});
    let cases = [
        (
            json!({"metadata_db": "postgres://fansly:pw@127.0.0.1:1/fansly"}),
            3,
            "metadata_db (from the plugin setting 'Metadata database' (Settings > Plugins > fansly-stash))",
        ),
        (
            json!({"download_root": dir.path().join("nowhere").display().to_string()}),
            2,
            "does not exist on the Stash machine (download_root, from the plugin setting 'Download folder'",
        ),
        (
            json!({"creators": "creator00, nobody"}),
            2,
            "unknown creator 'nobody' in the plugin setting 'Only these creators'",
        ),
        (
            json!({"batch_size": 0}),
            2,
            "batch_size = 0 (from the plugin setting 'Batch size'",
        ),
    ];
    for (bad, code, needle) in cases {
        let mut settings = good.clone();
        for (k, v) in bad.as_object().unwrap() {
            settings[k] = v.clone();
        }
        stash.configure(settings).await;
        world.double.reset_counters();
        let run = run_plugin(&input(&stash, "127.0.0.1", None, "sync")).await;
        run.expect_error(code, needle);
        assert!(
            !run.result["error"].as_str().unwrap().contains(":pw@"),
            "the password is redacted: {}",
            run.result["error"]
        );
        assert_eq!(world.double.counters().mutation_requests, 0, "{bad}");
        assert!(!stash.state_file().exists(), "{bad}: no state written");
    }
    // An unknown task mode (an edited YAML) is an error too.
    stash.configure(good).await;
    let run = run_plugin(&input(&stash, "127.0.0.1", None, "nuke")).await;
    run.expect_error(2, "unknown task mode 'nuke'");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_item_is_a_warning_and_the_run_still_finishes() {
    let PluginSetup {
        dir: _dir,
        lib: _lib,
        world,
        stash,
    } = PluginSetup::new(&LibraryShape::one_creator(4, 1, 4, 2)).await;
    world
        .double
        .faults()
        .inject(Some("scenesUpdate"), 1000, stash_double::Fault::Status(422));
    let run = run_plugin(&input(&stash, "127.0.0.1", None, "sync")).await;
    run.expect_ok();
    let output = &run.result["output"];
    assert_eq!(output["outcome"], "partial", "{output}");
    let failed = output["failed_items"].as_array().unwrap();
    assert!(!failed.is_empty(), "{output}");
    let warnings = run.lines_at('w');
    for item in failed {
        let line = format!(
            "creator00: scene {} failed: ",
            item["key"].as_str().unwrap()
        );
        assert!(
            warnings.iter().any(|w| w.starts_with(&line)),
            "{line:?} not in {warnings:?}"
        );
    }
    assert!(
        run.lines_at('i')
            .iter()
            .any(|l| l.starts_with("Sync finished (partial): ") && l.contains("failed")),
        "{:?}",
        run.lines_at('i')
    );
    assert_eq!(run.progress().last(), Some(&1.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugin_settings_win_over_the_config_file_and_the_connection_is_stashs() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(
        &LibraryShape::one_creator(3, 1, 3, 1),
        &dir.path().join("lib"),
        None,
    )
    .await
    .unwrap();
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let stash = Stash::new(&world.double, dir.path().join("stash-config"));
    // A config file next to Stash's config.yml, with a connection that must not be used and
    // a path mapping that must not apply.
    let file = stash.dir.join("fansly-stash/config.toml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        format!(
            "stash_url = \"http://127.0.0.1:1\"\napi_key = \"not-for-the-plugin\"\nstash_root = \"/elsewhere\"\nnetwork_studio = \"From the file\"\nfolder_suffix = \"_wrong\"\nmetadata_db = \"{}\"\n",
            lib.db_url
        ),
    )
    .unwrap();
    stash
        .configure(json!({"download_root": lib.root_str(), "folder_suffix": "_fansly"}))
        .await;
    let run = run_plugin(&input(&stash, "0.0.0.0", None, "sync")).await;
    run.expect_ok();
    let warnings = run.lines_at('w');
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("the configured API key is not used by the plugin")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("stash_root (from ") && w.contains("is ignored by the plugin")),
        "{warnings:?}"
    );
    let studios: Vec<String> = world.double.dump()["studios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        studios.contains(&"From the file".to_owned()),
        "the file fills what the plugin settings leave: {studios:?}"
    );
    assert!(
        run.result["output"]["totals"]["scene"]["updated"]
            .as_u64()
            .unwrap()
            > 0,
        "the plugin's folder suffix won over the file's: {}",
        run.result["output"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_stash_did_not_send_says_what_why_and_what_to_do() {
    let run = run_plugin("{\"args\": {\"mode\": \"sync\"}}").await;
    run.expect_error(
        2,
        "the plugin input cannot be read (missing field `server_connection`",
    );
    let error = run.result["error"].as_str().unwrap();
    assert!(error.contains("the task cannot reach Stash"), "{error}");
    assert!(
        error
            .contains("Start the task from Stash v0.27 or newer (Settings > Tasks > Plugin Tasks)"),
        "{error}"
    );

    // Bytes that are not text at all.
    let home = tempfile::tempdir().unwrap();
    let mut child = plugin_command(home.path()).spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"{\xff\xfe}").unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let run = parse(out);
    run.expect_error(2, "cannot read the plugin input from standard input (");
    let error = run.result["error"].as_str().unwrap();
    assert!(
        error.contains("Run the task again from Stash (Settings > Tasks > Plugin Tasks)"),
        "{error}"
    );
}

/// A database fansly-scraper 0.13 to 0.15.1 wrote (no attachments, no mentions): the task
/// still stamps the files, and Stash's log carries a warning per such creator saying why and
/// where the repair is; the result JSON says `attachments_missing`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_without_attachments_is_a_warning_in_stashs_log() {
    use sea_orm::{ConnectionTrait, Statement};

    let PluginSetup {
        dir: _dir,
        lib,
        world,
        stash,
    } = PluginSetup::new(&shape()).await;
    let store = lib.store().await.unwrap();
    let db = store.connection().inner();
    for sql in ["DELETE FROM attachments", "DELETE FROM post_mentions"] {
        db.execute(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap();
    }
    drop(store);

    let run = run_plugin(&input(&stash, "127.0.0.1", None, "sync")).await;
    run.expect_ok();
    let output = &run.result["output"];
    assert_eq!(output["outcome"], "ok", "{output}");
    for c in output["creators"].as_array().unwrap() {
        assert_eq!(c["attachments_missing"], json!(true), "{c}");
        assert!(c["unattached_media"].as_u64().unwrap() > 0, "{c}");
    }
    let warnings = run.lines_at('w');
    for c in ["creator00", "creator01"] {
        let w = warnings
            .iter()
            .find(|l| l.starts_with(&format!("{c}: ")))
            .unwrap_or_else(|| panic!("no warning for {c}: {warnings:?}"));
        assert!(
            w.contains("no attachment in the database (fansly-scraper 0.13 to 0.15.1")
                && w.contains("`fansly-stash check` says how to repair it"),
            "{w}"
        );
    }
    assert!(
        world.double.counters().mutation_requests > 0,
        "the files were still stamped"
    );
}
