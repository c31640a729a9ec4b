//! In a pseudo-terminal (portable-pty, no system package needed): the progress bars render,
//! and Ctrl-C finishes the batch in flight, saves the sync state, prints the report and exits
//! 130, leaving a state a re-run completes without duplicates.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{CREATOR, World, count, small_shape};
use domain::ports::{EntityKind, SyncStateStore};
use metadata_store::sync_state::SqliteSyncState;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use stash_double::DoubleConfig;

/// Removes ANSI escape sequences (colours, cursor movement) from terminal output.
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A running `fansly-stash` on a pseudo-terminal, its output collected in the background.
struct OnPty {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    output: Arc<Mutex<Vec<u8>>>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl OnPty {
    fn spawn(w: &World, args: &[&str], extra_env: &[(&str, String)]) -> OnPty {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 140,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_fansly-stash"));
        cmd.args(args);
        cmd.env_clear();
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", &w.home);
        cmd.env("XDG_CONFIG_HOME", w.config_home());
        cmd.env("XDG_DATA_HOME", w.data_home());
        cmd.env("FANSLY_STASH_STASH_URL", w.double.base_url());
        cmd.env("FANSLY_STASH_METADATA_DB", &w.metadata_url);
        cmd.env("FANSLY_STASH_DOWNLOAD_ROOT", &w.downloads);
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        OnPty {
            child,
            writer,
            output,
            _master: pty.master,
        }
    }

    fn text(&self) -> String {
        strip_ansi(&String::from_utf8_lossy(&self.output.lock().unwrap()))
    }

    /// Waits until the output satisfies `pred` (fails after a generous limit).
    fn wait_for(&mut self, what: &str, pred: impl Fn(&str) -> bool) {
        let limit = Instant::now() + Duration::from_secs(120);
        while !pred(&self.text()) {
            if let Ok(Some(status)) = self.child.try_wait() {
                std::thread::sleep(Duration::from_millis(200));
                panic!("exited ({status:?}) before {what}:\n{}", self.text());
            }
            assert!(Instant::now() < limit, "no {what} in:\n{}", self.text());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn ctrl_c(&mut self) {
        self.writer.write_all(b"\x03").unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits for the exit code (killing the child after a generous limit).
    fn exit_code(&mut self) -> u32 {
        let limit = Instant::now() + Duration::from_secs(120);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader drain what is left.
                std::thread::sleep(Duration::from_millis(300));
                return status.exit_code();
            }
            if Instant::now() > limit {
                let _ = self.child.kill();
                panic!("did not exit:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A creator big enough, and a double slow enough, that a run takes many small batches.
async fn slow_world(latency_ms: u64) -> World {
    World::with(
        DoubleConfig {
            latency_per_request: Duration::from_millis(latency_ms),
            ..DoubleConfig::default()
        },
        small_shape(40),
        true,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bars_render_and_ctrl_c_leaves_a_consistent_state() {
    let w = slow_world(60).await;
    let mut run = tokio::task::block_in_place(|| {
        let mut run = OnPty::spawn(&w, &["sync", "--all", "--batch-size", "2"], &[]);
        // The run bar and the creator's item bar are drawn.
        run.wait_for("progress bars", |t| {
            t.contains("sync [")
                && t.contains("/1 creators")
                && t.contains(&format!("{CREATOR} items ["))
        });
        run.ctrl_c();
        run
    });
    let code = tokio::task::block_in_place(|| run.exit_code());
    let text = run.text();
    if std::env::var_os("SHOW_PTY").is_some() {
        eprintln!("{}", String::from_utf8_lossy(&run.output.lock().unwrap()));
    }
    assert_eq!(code, 130, "{text}");
    assert!(
        text.contains("Interrupted: finishing the batch in flight"),
        "{text}"
    );
    assert!(
        text.contains("Sync interrupted (the sync state is saved"),
        "{text}"
    );
    assert!(text.contains("Log: "), "{text}");

    // The state records the interrupted run, and every Stash id it holds exists in Stash:
    // nothing was created that the state does not know about.
    let state = SqliteSyncState::open(&w.state_file().to_string_lossy())
        .await
        .unwrap();
    let runs = state.recent_runs(5).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].outcome, "interrupted");
    assert!(runs[0].finished_at.is_some());
    let records = state
        .load_creator(domain::ids::AccountId(100))
        .await
        .unwrap();
    let dump = w.double.dump();
    let ids_of = |kind: &str| -> Vec<String> {
        dump[kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let galleries = ids_of("galleries");
    let recorded_galleries: Vec<&SyncRecordRef> = records
        .iter()
        .filter(|r| r.kind == EntityKind::Gallery && r.stash_id.is_some())
        .collect();
    assert_eq!(
        recorded_galleries.len(),
        galleries.len(),
        "every gallery in Stash is in the state"
    );
    for r in &records {
        if let (EntityKind::Gallery, Some(id)) = (r.kind, &r.stash_id) {
            assert!(galleries.contains(id), "{r:?}");
        }
        if let (EntityKind::Scene, Some(id)) = (r.kind, &r.stash_id) {
            assert!(ids_of("scenes").contains(id), "{r:?}");
        }
    }
    state.close().await.unwrap();
    let galleries_after_interrupt = galleries.len();

    // A re-run finishes the job without duplicating anything.
    let mut cmd = w.command();
    cmd.args(["sync", "--all", "--batch-size", "2"]);
    let rerun = w.run(cmd).await;
    rerun.expect_code(0);
    let dump = w.double.dump();
    let codes: Vec<&str> = dump["galleries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["code"].as_str().unwrap())
        .collect();
    let mut unique = codes.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        codes.len(),
        "no duplicate galleries: {codes:?}"
    );
    assert!(
        count(&dump, "galleries") > galleries_after_interrupt,
        "the interrupted run had work left: {}",
        rerun.stdout
    );
    assert!(
        dump["scenes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["code"].as_str().is_some()),
        "every scene labelled after the re-run"
    );
}

type SyncRecordRef = domain::ports::SyncRecord;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_ctrl_c_quits_at_once() {
    // Slow enough that the batch in flight is still running at the second press.
    let w = slow_world(400).await;
    let (code, text) = tokio::task::block_in_place(|| {
        let mut run = OnPty::spawn(&w, &["sync", "--all", "--batch-size", "2"], &[]);
        run.wait_for("the item bar", |t| {
            t.contains(&format!("{CREATOR} items ["))
        });
        run.ctrl_c();
        run.wait_for("the first interrupt notice", |t| {
            t.contains("Interrupted: finishing the batch in flight")
        });
        run.ctrl_c();
        (run.exit_code(), run.text())
    });
    assert_eq!(code, 130, "{text}");
    assert!(text.contains("Interrupted again: quitting now"), "{text}");
    assert!(
        !text.contains("Sync interrupted (the sync state"),
        "no report after a hard quit: {text}"
    );
}
