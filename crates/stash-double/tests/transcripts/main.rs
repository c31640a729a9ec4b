//! Conformance: the double answers like the real Stash, proven by the recorded transcripts in
//! `../shared/stash-observed/` (a real v0.30.1, and v0.27.2 where it differs).
//!
//! Every exchange of every transcript file is replayed against a double set up the way the
//! real server was (see [`cases`]), and the answer is compared with the recording: status
//! code, `Content-Type`, `Www-Authenticate` and the JSON body, with only ids, timestamps and job
//! progress allowed to differ (see [`replay`]). Error texts must match exactly.
//!
//! A transcript file without a case fails the suite, so a new observation cannot be ignored;
//! every case is replayed (the plugin task's request, `r_plugin_raw_task`, included).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod cases;
mod replay;
mod transcript;

use std::path::PathBuf;

use cases::{CASES, Coverage};
use replay::Replay;
use stash_double::{DoubleConfig, StashDouble};

/// `../shared/stash-observed`, next to the repository (or `$FANSLY_STASH_SHARED_DIR`).
fn observed_dir() -> PathBuf {
    let shared = match std::env::var_os("FANSLY_STASH_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    shared.join("stash-observed")
}

async fn start(config: fn(&mut DoubleConfig)) -> Replay {
    let lib = tempfile::tempdir().unwrap();
    let mut cfg = DoubleConfig {
        library_roots: vec![lib.path().to_path_buf()],
        ..DoubleConfig::default()
    };
    config(&mut cfg);
    Replay {
        double: StashDouble::start(cfg).await.unwrap(),
        http: reqwest::Client::new(),
        lib,
        ids: replay::IdMap::default(),
        session: None,
    }
}

#[test]
fn every_transcript_file_has_a_case_and_every_case_a_file() {
    let transcripts = transcript::load_all(&observed_dir());
    assert!(
        transcripts.len() >= 22,
        "expected the recorded transcripts under {}",
        observed_dir().display()
    );
    let uncovered: Vec<&str> = transcripts
        .iter()
        .map(|t| t.name.as_str())
        .filter(|n| cases::case(n).is_none())
        .collect();
    assert!(
        uncovered.is_empty(),
        "transcripts without a case in tests/transcripts/cases.rs (add one): {uncovered:?}"
    );
    let stale: Vec<&str> = CASES
        .iter()
        .map(|c| c.file)
        .filter(|f| !transcripts.iter().any(|t| t.name == *f))
        .collect();
    assert!(stale.is_empty(), "cases without a transcript: {stale:?}");
    let plugin = transcripts
        .iter()
        .find(|t| t.name == "v0.30.1/r_plugin_raw_task.txt")
        .expect("the plugin transcript");
    assert_eq!(
        plugin.exchanges.len(),
        1,
        "the plugin's narrated request is read as an exchange, ready to replay"
    );
    for t in &transcripts {
        if cases::case(&t.name).is_some() {
            assert!(
                !t.exchanges.is_empty(),
                "{} is marked replayed but holds no exchange to replay",
                t.name
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_double_answers_every_recorded_exchange_like_the_real_stash() {
    let transcripts = transcript::load_all(&observed_dir());
    let mut failures = Vec::new();
    let mut summary = String::new();
    for t in &transcripts {
        let Some(case) = cases::case(&t.name) else {
            failures.push(format!("{}: no case", t.name));
            continue;
        };
        match &case.coverage {
            Coverage::Replayed {
                config,
                prepare,
                hooks,
            } => {
                let mut replay = start(*config).await;
                prepare(&mut replay).await;
                let report = replay::replay_all(t, &mut replay, |i| {
                    hooks
                        .iter()
                        .filter(|(at, _)| *at == i)
                        .map(|(_, h)| *h)
                        .collect()
                })
                .await;
                summary.push_str(&report.render());
                if !report.all_matched() {
                    failures.push(report.render());
                }
                replay.double.shutdown().await;
            }
        }
    }
    eprintln!("{summary}");
    assert!(
        failures.is_empty(),
        "the double differs from the real Stash:\n{}",
        failures.join("\n")
    );
}
