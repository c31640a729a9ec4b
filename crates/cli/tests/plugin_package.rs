//! The plugin's YAML is what Stash v0.30.1 reads (keys checked against the YAML block of
//! `../shared/docs/stash-plugin-facts.md`, strictly, as Stash's decoder is strict), it names
//! the four tasks with modes the binary knows, and its settings are exactly the binary's
//! [`SETTINGS`] with the same types. Then the two tasks that do not sync, run as Stash runs
//! them: "Check setup" and "Queue a scan of the creator folders" (which must not wait for
//! the scan job: Stash runs one job at a time).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::plugin::{PluginSetup, Stash, input, run_plugin};
use fansly_stash::plugin::settings::{SETTINGS, SettingType};
use fansly_stash::plugin::tasks::Task;
use fansly_stash_tests::library::{Library, LibraryShape};
use serde::Deserialize;
use serde_json::json;
use serde_yaml_ng::Value as Yaml;
use stash_double::DoubleConfig;

/// The keys Stash's plugin config decoder knows (strict: anything else fails the load).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct PluginYaml {
    name: String,
    description: Option<String>,
    version: Option<String>,
    url: Option<String>,
    exec: Vec<String>,
    interface: String,
    #[serde(rename = "errLog")]
    err_log: Option<String>,
    tasks: Vec<TaskYaml>,
    settings: BTreeMap<String, SettingYaml>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct TaskYaml {
    name: String,
    description: String,
    #[serde(rename = "defaultArgs")]
    default_args: BTreeMap<String, String>,
    #[serde(rename = "execArgs", default)]
    exec_args: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct SettingYaml {
    #[serde(rename = "displayName")]
    display_name: String,
    description: String,
    #[serde(rename = "type")]
    kind: String,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn ours_text() -> String {
    std::fs::read_to_string(repo().join("plugin/fansly-stash.yml")).unwrap()
}

/// The YAML example of the facts file, parsed.
fn facts_yaml() -> Yaml {
    let path = fansly_stash_tests::shared_dir().join("docs/stash-plugin-facts.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let start = text.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let end = start + text[start..].find("```").unwrap();
    serde_yaml_ng::from_str(&text[start..end]).unwrap()
}

fn keys(v: &Yaml) -> Vec<String> {
    v.as_mapping()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_yaml_uses_only_keys_stash_reads() {
    let ours: Yaml = serde_yaml_ng::from_str(&ours_text()).unwrap();
    let facts = facts_yaml();
    let known = keys(&facts);
    for k in keys(&ours) {
        assert!(
            known.contains(&k),
            "top-level key {k} is not in the facts file: {known:?}"
        );
    }
    let known_task = keys(&facts["tasks"][0]);
    for t in ours["tasks"].as_sequence().unwrap() {
        for k in keys(t) {
            assert!(known_task.contains(&k), "task key {k}: {known_task:?}");
        }
    }
    let known_setting = keys(&facts["settings"]["metadata_db"]);
    for (_, s) in ours["settings"].as_mapping().unwrap() {
        for k in keys(s) {
            assert!(
                known_setting.contains(&k),
                "setting key {k}: {known_setting:?}"
            );
        }
    }
    // Strictly typed, as Stash decodes it.
    let _: PluginYaml = serde_yaml_ng::from_str(&ours_text()).unwrap();
}

#[test]
fn the_yaml_runs_the_binary_with_the_four_tasks_and_its_settings() {
    let y: PluginYaml = serde_yaml_ng::from_str(&ours_text()).unwrap();
    assert_eq!(y.name, "fansly-stash");
    assert_eq!(y.interface, "raw");
    assert_eq!(y.err_log.as_deref(), Some("error"));
    assert_eq!(
        y.exec,
        ["./fansly-stash", "plugin"],
        "the binary next to the YAML"
    );
    assert_eq!(
        y.version.as_deref(),
        Some(env!("CARGO_PKG_VERSION")),
        "the YAML's version is the binary's"
    );
    let tasks: Vec<(&str, &str)> = y
        .tasks
        .iter()
        .map(|t| (t.name.as_str(), t.default_args["mode"].as_str()))
        .collect();
    assert_eq!(
        tasks,
        [
            ("Sync all creators", "sync"),
            ("Preview changes (dry run)", "plan"),
            ("Check setup", "check"),
            ("Queue a scan of the creator folders", "scan"),
        ]
    );
    let modes: Vec<Task> = y
        .tasks
        .iter()
        .map(|t| Task::from_mode(Some(&t.default_args["mode"])).unwrap())
        .collect();
    assert_eq!(modes, [Task::Sync, Task::Plan, Task::Check, Task::Scan]);
    assert!(
        y.tasks
            .iter()
            .all(|t| t.exec_args.is_empty() && !t.description.is_empty())
    );

    // The facts file's types, and exactly the binary's settings.
    let facts_types = ["STRING", "NUMBER", "BOOLEAN"];
    for (key, s) in &y.settings {
        assert!(facts_types.contains(&s.kind.as_str()), "{key}: {}", s.kind);
        assert!(!s.description.is_empty(), "{key}");
    }
    let yaml: Vec<(&str, &str, &str)> = y
        .settings
        .iter()
        .map(|(k, s)| (k.as_str(), s.display_name.as_str(), s.kind.as_str()))
        .collect();
    let mut binary: Vec<(&str, &str, &str)> = SETTINGS
        .iter()
        .map(|s| (s.key, s.display_name, s.kind.as_yaml()))
        .collect();
    binary.sort();
    assert_eq!(yaml, binary);
    assert!(SETTINGS.iter().any(|s| s.kind == SettingType::Number));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_setup_logs_each_finding() {
    let PluginSetup {
        dir,
        lib,
        world: _world,
        stash,
    } = PluginSetup::new(&LibraryShape::one_creator(3, 1, 4, 1)).await;
    let run = run_plugin(&input(&stash, "0.0.0.0", None, "check")).await;
    run.expect_ok();
    let infos = run.lines_at('i');
    for what in [
        "Stash reachable",
        "authentication: Stash has no login",
        "metadata database",
        "library paths",
        "download folder",
    ] {
        assert!(
            infos
                .iter()
                .any(|l| l.starts_with("ok ") && l.contains(what)),
            "{what}: {infos:?}"
        );
    }
    let findings = run.result["output"]["findings"].as_array().unwrap();
    assert!(findings.iter().all(|f| f["status"] == "ok"), "{findings:?}");

    // A download folder outside Stash's libraries fails the check with the fix.
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    stash
        .configure(
            json!({"metadata_db": lib.db_url, "download_root": elsewhere.display().to_string()}),
        )
        .await;
    let run = run_plugin(&input(&stash, "0.0.0.0", None, "check")).await;
    run.expect_error(1, "Check setup found 1 problem(s):\nlibrary paths:");
    assert!(
        run.lines_at('e')
            .iter()
            .any(|l| l.starts_with("library paths fix: add ")),
        "{:?}",
        run.lines_at('e')
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_a_scan_returns_without_waiting_for_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let shape = LibraryShape {
        creators: 2,
        ..LibraryShape::one_creator(3, 1, 4, 1)
    };
    let lib = Library::generate(&shape, &dir.path().join("lib"), None)
        .await
        .unwrap();
    // Stash has never scanned: no files yet.
    let double = stash_double::StashDouble::start(DoubleConfig {
        library_roots: vec![lib.root.clone()],
        ..DoubleConfig::default()
    })
    .await
    .unwrap();
    let stash = Stash::new(&double, dir.path().join("stash-config"));
    stash
        .configure(json!({"metadata_db": lib.db_url, "download_root": lib.root_str()}))
        .await;
    double.reset_counters();
    let run = run_plugin(&input(&stash, "0.0.0.0", None, "scan")).await;
    run.expect_ok();
    let out = &run.result["output"];
    assert_eq!(out["folders"].as_array().unwrap().len(), 2, "{out}");
    let job = out["job_id"].as_str().unwrap().to_owned();
    let c = double.counters();
    assert_eq!(
        c.by_root_field.get("metadataScan"),
        Some(&1),
        "one scan for both folders"
    );
    for waiting in ["findJob", "jobQueue"] {
        assert_eq!(
            c.by_root_field.get(waiting),
            None,
            "the task never waits: {c:?}"
        );
    }
    assert!(
        run.lines_at('i').iter().any(|l| l.starts_with(&format!(
            "Queued Stash scan job {job} for 2 creator folder(s)"
        ))),
        "{:?}",
        run.lines_at('i')
    );
    // The job runs after the task (here at once): the files arrive in Stash.
    for _ in 0..100 {
        if !double.dump()["scenes"].as_array().unwrap().is_empty() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the queued scan never ran");
}
