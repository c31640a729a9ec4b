//! The README's quick start, run as written: issue 8 promises that it works verbatim on a
//! fresh machine, and without a test a README edit could break it silently.
//!
//! The test reads `README.md`, takes the ```sh block of the `## Quick start` section that
//! contains `config init`, and runs it line by line in one `bash` script (`set -euo pipefail`)
//! in a temporary working directory with a throwaway `$HOME` (and `XDG_*` pointing into it),
//! against the Stash double serving a generated download folder as its library.
//!
//! What is substituted, and nothing else:
//! - the VALUES of the `export FANSLY_STASH_...=` lines: the Stash URL becomes the double's,
//!   the metadata database a SQLite file with one generated creator, the download root the
//!   generated download folder (real files, already scanned by the double). An export of a
//!   variable this test does not know fails the test, so a new step cannot slip through;
//! - `cargo build --release -p fansly-stash` is answered by a bash function `cargo`, defined
//!   before the block, that only accepts exactly those arguments and does nothing (the binary
//!   under test is already built), and `./target/release/fansly-stash` is a symlink to it.
//!
//! Commands stay verbatim, commented lines stay as they are. If the section, the block or one
//! of the commands this test relies on (`cargo build`, `config init`, `check`, `plan`,
//! `sync --all`) disappears, the test fails saying so: the README and the test cannot drift
//! apart silently.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{CREATOR, Run, World, count};

/// The heading of the section the test runs.
const SECTION: &str = "## Quick start";

/// Commands the block must contain (as the start of a non-comment line), in this order.
const EXPECTED_COMMANDS: [&str; 5] = [
    "cargo build --release -p fansly-stash",
    "./target/release/fansly-stash config init",
    "./target/release/fansly-stash check",
    "./target/release/fansly-stash plan",
    "./target/release/fansly-stash sync --all",
];

/// Variables the block must export (their values are replaced).
const EXPECTED_EXPORTS: [&str; 3] = [
    "FANSLY_STASH_STASH_URL",
    "FANSLY_STASH_METADATA_DB",
    "FANSLY_STASH_DOWNLOAD_ROOT",
];

/// Marks, on stdout and stderr, the start of each command of the block (from a DEBUG trap).
const STEP_MARK: &str = "@@@ quick-start step: ";

/// The lines of the quick-start ```sh block that contains `config init`, checked to hold
/// every command and export this test relies on.
fn quick_start_block(readme: &str) -> Result<Vec<String>, String> {
    let mut lines = readme.lines();
    if !lines.any(|l| l.trim_end() == SECTION) {
        return Err(format!(
            "README.md has no `{SECTION}` section any more; this test runs that section's ```sh \
             block: restore the section or update crates/cli/tests/readme_quick_start.rs"
        ));
    }
    let section: Vec<&str> = lines.take_while(|l| !l.starts_with("## ")).collect();
    let mut blocks: Vec<Vec<String>> = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in section {
        match current.as_mut() {
            None if line.trim() == "```sh" => current = Some(Vec::new()),
            None => {}
            Some(block) if line.trim() == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => block.push(line.to_owned()),
        }
    }
    if current.is_some() {
        return Err(format!(
            "a ```sh block in README.md's `{SECTION}` section is never closed"
        ));
    }
    let block = blocks
        .into_iter()
        .find(|b| b.iter().any(|l| is_command(l) && l.contains("config init")))
        .ok_or_else(|| {
            format!(
                "README.md's `{SECTION}` section has no ```sh block running `config init`; this \
                 test runs that block: restore it or update crates/cli/tests/readme_quick_start.rs"
            )
        })?;

    let commands: Vec<&str> = block
        .iter()
        .map(|l| l.trim())
        .filter(|l| is_command(l))
        .collect();
    let mut from = 0;
    for expected in EXPECTED_COMMANDS {
        match commands[from..]
            .iter()
            .position(|c| starts_command(c, expected))
        {
            Some(i) => from += i + 1,
            None => {
                return Err(format!(
                    "the quick-start block in README.md no longer runs `{expected}` (in this \
                     order: {EXPECTED_COMMANDS:?}); its commands are {commands:?}. Restore it, or \
                     update crates/cli/tests/readme_quick_start.rs to what the README now says"
                ));
            }
        }
    }
    for name in EXPECTED_EXPORTS {
        if !commands
            .iter()
            .any(|c| c.starts_with(&format!("export {name}=")))
        {
            return Err(format!(
                "the quick-start block in README.md no longer exports {name}; its commands are \
                 {commands:?}. Restore it, or update crates/cli/tests/readme_quick_start.rs"
            ));
        }
    }
    Ok(block)
}

/// Whether a block line runs something (not blank, not a comment).
fn is_command(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#')
}

/// Whether `command` is `expected`, possibly followed by more arguments.
fn starts_command(command: &str, expected: &str) -> bool {
    command == expected || command.starts_with(&format!("{expected} "))
}

/// The block with the value of every `export FANSLY_STASH_NAME=...` line replaced by
/// `values[NAME]` (single-quoted); every other line as it is.
fn substitute_export_values(
    block: &[String],
    values: &BTreeMap<&str, String>,
) -> Result<Vec<String>, String> {
    block
        .iter()
        .map(|line| {
            let trimmed = line.trim_start();
            let Some(assignment) = trimmed.strip_prefix("export ") else {
                return Ok(line.clone());
            };
            let Some((name, _value)) = assignment.split_once('=') else {
                return Ok(line.clone());
            };
            let value = values.get(name).ok_or_else(|| {
                format!(
                    "the quick start exports {name}, which this test cannot point at the Stash \
                     double and its generated library; teach crates/cli/tests/readme_quick_start.rs \
                     a value for it"
                )
            })?;
            let indent = &line[..line.len() - trimmed.len()];
            Ok(format!("{indent}export {name}={}", shell_quote(value)))
        })
        .collect()
}

/// `s` as one single-quoted shell word.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The script: strict mode, the `cargo` stand-in, the step marks, then the block.
fn script(block: &[String], cargo_calls: &Path) -> String {
    let mut s = String::new();
    s.push_str("set -euo pipefail\n");
    s.push_str(&format!(
        r#"cargo() {{
  if [ "$#" -ne 4 ] || [ "$1" != build ] || [ "$2" != --release ] || [ "$3" != -p ] || [ "$4" != fansly-stash ]; then
    echo "the quick start runs 'cargo $*'; this test only stands in for 'cargo build --release -p fansly-stash'" >&2
    return 97
  fi
  echo built >> {calls}
}}
"#,
        calls = shell_quote(&cargo_calls.display().to_string())
    ));
    s.push_str(&format!(
        "trap 'printf \"\\n{STEP_MARK}%s\\n\" \"$BASH_COMMAND\"; printf \"\\n{STEP_MARK}%s\\n\" \"$BASH_COMMAND\" >&2' DEBUG\n"
    ));
    for line in block {
        s.push_str(line);
        s.push('\n');
    }
    s
}

/// What one step of the block printed on one stream: the text after the mark of the first
/// step whose command starts with `command`, up to the next mark.
fn step_output<'a>(stream: &'a str, command: &str) -> &'a str {
    let mut parts = stream.split(STEP_MARK);
    parts.next();
    parts
        .find(|p| starts_command(p.lines().next().unwrap_or(""), command))
        .map(|p| p.split_once('\n').map_or("", |(_, rest)| rest))
        .unwrap_or_else(|| panic!("no output of `{command}` in\n{stream}"))
}

/// The number of changes `plan` announced.
fn planned_changes(plan: &str) -> usize {
    plan.lines()
        .find_map(|l| {
            l.trim()
                .strip_suffix(" change(s) planned; nothing was written.")
        })
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no `N change(s) planned` line in\n{plan}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_quick_start_runs_as_written_against_the_stash_double() {
    let readme_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let block = quick_start_block(&readme).unwrap_or_else(|e| panic!("{e}"));

    let w = World::new().await;
    let work = w.dir.path().join("work");
    std::fs::create_dir_all(work.join("target/release")).unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_fansly-stash"),
        work.join("target/release/fansly-stash"),
    )
    .unwrap();
    let cargo_calls = w.dir.path().join("cargo-calls");
    let values = BTreeMap::from([
        ("FANSLY_STASH_STASH_URL", w.double.base_url()),
        ("FANSLY_STASH_METADATA_DB", w.metadata_url.clone()),
        (
            "FANSLY_STASH_DOWNLOAD_ROOT",
            w.downloads.display().to_string(),
        ),
    ]);
    let block = substitute_export_values(&block, &values).unwrap_or_else(|e| panic!("{e}"));
    let script_path = w.dir.path().join("quick-start.sh");
    std::fs::write(&script_path, script(&block, &cargo_calls)).unwrap();
    assert!(
        !w.config_file().exists() && !w.state_file().exists(),
        "the home starts fresh"
    );

    let mut bash = std::process::Command::new("bash");
    bash.arg(&script_path)
        .current_dir(&work)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &w.home)
        .env("XDG_CONFIG_HOME", w.config_home())
        .env("XDG_DATA_HOME", w.data_home())
        .env("XDG_CACHE_HOME", w.home.join(".cache"))
        .env("XDG_STATE_HOME", w.home.join(".local/state"));
    let run = Run::from(
        tokio::task::spawn_blocking(move || bash.output().unwrap())
            .await
            .unwrap(),
    );
    let last_step = run
        .stderr
        .rsplit(STEP_MARK)
        .next()
        .and_then(|s| s.lines().next())
        .unwrap_or("");
    assert_eq!(
        run.code,
        0,
        "the quick start failed (exit {}) at `{last_step}`\n--- script\n{}\n--- stdout\n{}\n--- stderr\n{}",
        run.code,
        std::fs::read_to_string(&script_path).unwrap(),
        run.stdout,
        run.stderr
    );

    // Step 1: the stand-in build was called once, and `config init` wrote into the fresh home.
    assert_eq!(
        std::fs::read_to_string(&cargo_calls).unwrap(),
        "built\n",
        "`cargo build --release -p fansly-stash` runs exactly once"
    );
    assert!(w.config_file().is_file(), "config init wrote no file");
    let init = step_output(&run.stdout, EXPECTED_COMMANDS[1]);
    assert!(
        init.contains(&format!("Wrote {}", w.config_file().display())),
        "{init}"
    );

    // Step 3: `check` finds nothing wrong, `plan` shows changes, `sync --all` does them.
    let check = step_output(&run.stdout, EXPECTED_COMMANDS[2]);
    assert!(
        !check.lines().any(|l| l.starts_with("FAIL")),
        "check reported a failure:\n{check}"
    );
    assert!(check.contains("All checks passed."), "{check}");
    let plan = step_output(&run.stdout, EXPECTED_COMMANDS[3]);
    assert!(
        plan.contains("Plan (dry run: nothing was written)"),
        "{plan}"
    );
    assert!(plan.contains("creator "), "no table header:\n{plan}");
    assert!(plan.contains(CREATOR), "{plan}");
    let planned = planned_changes(plan);
    assert!(
        planned > 0,
        "the plan of a fresh library has changes:\n{plan}"
    );
    let sync = step_output(&run.stdout, EXPECTED_COMMANDS[4]);
    assert!(sync.starts_with("Sync finished\n"), "{sync}");
    assert!(w.state_file().is_file(), "sync kept no state in the home");

    // What the sync made in Stash (the double), not only what it printed.
    let dump = w.double.dump();
    let counters = w.double.counters();
    assert!(counters.mutation_requests > 0, "{counters:?}");
    let performers = dump["performers"].as_array().unwrap();
    assert_eq!(performers.len(), 1, "{performers:?}");
    assert_eq!(performers[0]["name"], CREATOR);
    let performer = performers[0]["id"].as_str().unwrap();
    let studios = dump["studios"].as_array().unwrap();
    let network = studios
        .iter()
        .find(|s| s["name"] == "Fansly (network)")
        .unwrap_or_else(|| panic!("no network studio: {studios:?}"));
    let studio = studios
        .iter()
        .find(|s| s["parent_id"] == network["id"])
        .unwrap_or_else(|| panic!("no creator studio under the network: {studios:?}"));
    let studio = studio["id"].as_str().unwrap();

    let videos = w
        .files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "mp4"))
        .count();
    assert_eq!(count(&dump, "scenes"), videos, "one scene per video");
    assert_eq!(
        count(&dump, "images"),
        w.files.len() - videos,
        "one image per picture"
    );
    for kind in ["scenes", "images", "galleries"] {
        for object in dump[kind].as_array().unwrap() {
            assert!(
                object["performer_ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p == performer),
                "{kind} without the creator: {object}"
            );
            assert_eq!(object["studio_id"], studio, "{kind}: {object}");
        }
    }
    // A gallery per post and per message with media: every post has media, so every post
    // has one; no code twice, nothing else.
    let gallery_codes: Vec<String> = dump["galleries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["code"].as_str().unwrap().to_owned())
        .collect();
    let mut unique = gallery_codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), gallery_codes.len(), "{gallery_codes:?}");
    for post in &w.creator.posts {
        assert!(
            gallery_codes.contains(&post.to_string()),
            "post {post} has no gallery: {gallery_codes:?}"
        );
    }
    let owners: Vec<String> = w
        .creator
        .posts
        .iter()
        .chain(&w.creator.messages)
        .map(ToString::to_string)
        .collect();
    assert!(
        gallery_codes.iter().all(|c| owners.contains(c)),
        "galleries {gallery_codes:?}, posts and messages {owners:?}"
    );
    let tags: Vec<&str> = dump["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for tag in ["tag0", "tag1", "tag2", "tag3"] {
        assert!(tags.contains(&tag), "hashtag {tag} became no tag: {tags:?}");
    }
    // The run logged into the throwaway home.
    let log = sync
        .lines()
        .find_map(|l| l.strip_prefix("Log: "))
        .unwrap_or_else(|| panic!("no Log line in\n{sync}"));
    assert!(Path::new(log).starts_with(w.log_dir()), "{log}");

    // Once more, outside the block: unchanged items cost nothing.
    w.double.reset_counters();
    let mut cmd = w.command();
    cmd.args(["sync", "--all"]);
    w.run(cmd).await.expect_code(0);
    let counters = w.double.counters();
    assert_eq!(counters.mutation_requests, 0, "{counters:?}");
    assert_eq!(w.double.dump(), dump, "a re-run changes nothing in Stash");
}

/// A README shaped like the real one, for the drift guard's own tests.
const GOOD_README: &str = "# x\n\n## Quick start\n\ntext\n\n```sh\n# 1. build\n\
cargo build --release -p fansly-stash\n./target/release/fansly-stash config init\n\
export FANSLY_STASH_STASH_URL=http://localhost:9999\n\
export FANSLY_STASH_METADATA_DB=postgres://u:p@h/db\n\
export FANSLY_STASH_DOWNLOAD_ROOT=\"$HOME/Downloads/fansly\"\n\
# export FANSLY_STASH_API_KEY=...\n\
./target/release/fansly-stash check\n./target/release/fansly-stash plan\n\
./target/release/fansly-stash sync --all\n```\n\n## Configuration\n";

#[test]
fn the_drift_guard_accepts_the_expected_block_and_substitutes_only_export_values() {
    let block = quick_start_block(GOOD_README).unwrap();
    assert_eq!(block.len(), 10, "{block:?}");
    let values = BTreeMap::from([
        ("FANSLY_STASH_STASH_URL", "http://127.0.0.1:1".to_owned()),
        ("FANSLY_STASH_METADATA_DB", "sqlite:///m".to_owned()),
        ("FANSLY_STASH_DOWNLOAD_ROOT", "/d/it's".to_owned()),
    ]);
    let out = substitute_export_values(&block, &values).unwrap();
    let changed: Vec<(&String, &String)> = block.iter().zip(&out).filter(|(a, b)| a != b).collect();
    assert_eq!(changed.len(), 3, "{changed:?}");
    assert!(out.contains(&"export FANSLY_STASH_DOWNLOAD_ROOT='/d/it'\\''s'".to_owned()));
    assert!(out.contains(&"# export FANSLY_STASH_API_KEY=...".to_owned()));
}

#[test]
fn the_drift_guard_fails_clearly_when_the_readme_changes() {
    let no_section = GOOD_README.replace("## Quick start", "## Getting going");
    assert!(
        quick_start_block(&no_section)
            .unwrap_err()
            .contains("no `## Quick start` section")
    );
    let no_block = GOOD_README.replace("config init", "config show");
    assert!(
        quick_start_block(&no_block)
            .unwrap_err()
            .contains("no ```sh block running `config init`")
    );
    let no_plan = GOOD_README.replace("fansly-stash plan", "fansly-stash status");
    let err = quick_start_block(&no_plan).unwrap_err();
    assert!(
        err.contains("no longer runs `./target/release/fansly-stash plan`"),
        "{err}"
    );
    let commented_sync = GOOD_README.replace(
        "./target/release/fansly-stash sync --all",
        "# ./target/release/fansly-stash sync --all",
    );
    assert!(
        quick_start_block(&commented_sync)
            .unwrap_err()
            .contains("sync --all")
    );
    let no_url = GOOD_README.replace("export FANSLY_STASH_STASH_URL", "export STASH_URL");
    assert!(
        quick_start_block(&no_url)
            .unwrap_err()
            .contains("no longer exports FANSLY_STASH_STASH_URL")
    );
    let block = quick_start_block(GOOD_README).unwrap();
    let mut extra = block.clone();
    extra.push("export FANSLY_STASH_STASH_ROOT=/data".to_owned());
    let values = BTreeMap::from([
        ("FANSLY_STASH_STASH_URL", "u".to_owned()),
        ("FANSLY_STASH_METADATA_DB", "m".to_owned()),
        ("FANSLY_STASH_DOWNLOAD_ROOT", "d".to_owned()),
    ]);
    assert!(
        substitute_export_values(&extra, &values)
            .unwrap_err()
            .contains("exports FANSLY_STASH_STASH_ROOT")
    );
}
