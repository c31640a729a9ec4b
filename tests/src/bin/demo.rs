//! `demo`: the whole tool working offline, for a newcomer (`cargo xtask demo` builds and runs
//! it). Generates a small fansly-scraper library (metadata database + media files) in a temp
//! folder, starts the Stash double on it (scanned, with a real Stash's costs), then runs the
//! real `fansly-stash sync --all` binary twice, configured only through `FANSLY_STASH_*`
//! variables: the first run labels everything, the second finds nothing to do.
//!
//! `demo [--keep] [--fansly-stash PATH]`: `--keep` leaves the temp folder for a look around.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use fansly_stash_tests::library::{Library, LibraryShape};
use serde_json::Value;
use stash_double::{DoubleConfig, RequestCounters, StashDouble};

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// Two creators with a bit of everything: posts, messages, bundles, images, videos with
/// previews and media no post reaches.
fn demo_shape() -> LibraryShape {
    LibraryShape {
        creators: 2,
        posts: 40,
        messages: 12,
        bundles: 4,
        bundle_size: 5,
        images: 80,
        videos: 20,
        unattached: 3,
        seed: 7,
    }
}

#[derive(Debug, Default)]
struct Options {
    keep: bool,
    binary: Option<PathBuf>,
}

fn parse(args: &[String]) -> Result<Options, AnyError> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--keep" => o.keep = true,
            "--fansly-stash" => {
                o.binary = Some(PathBuf::from(
                    it.next().ok_or("--fansly-stash needs a path")?,
                ));
            }
            other => {
                return Err(format!(
                    "unknown argument '{other}'; usage: demo [--keep] [--fansly-stash PATH]"
                )
                .into());
            }
        }
    }
    Ok(o)
}

/// The `fansly-stash` binary: given, or next to this one (same cargo profile folder).
fn locate_cli(explicit: Option<&Path>) -> Result<PathBuf, AnyError> {
    if let Some(p) = explicit {
        return Ok(p.to_owned());
    }
    let exe = std::env::current_exe()?;
    let candidate = exe
        .parent()
        .unwrap_or(Path::new("."))
        .join(format!("fansly-stash{}", std::env::consts::EXE_SUFFIX));
    if candidate.exists() {
        Ok(candidate)
    } else {
        Err(format!(
            "the fansly-stash binary is not at {}: build it first (`cargo build --release -p \
             fansly-stash`; `cargo xtask demo` does both) or pass --fansly-stash PATH",
            candidate.display()
        )
        .into())
    }
}

fn banner(text: &str) {
    println!("\n==> {text}\n");
}

/// Runs `fansly-stash sync --all` with the demo's environment, showing its progress and report.
fn run_sync(cli: &Path, env: &[(String, String)]) -> Result<(), AnyError> {
    let status = Command::new(cli)
        .args(["sync", "--all"])
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .status()
        .map_err(|e| format!("cannot run {}: {e}", cli.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("fansly-stash sync --all failed ({status}); its messages are above").into())
    }
}

fn count(dump: &Value, kind: &str) -> usize {
    dump.get(kind).and_then(Value::as_array).map_or(0, Vec::len)
}

fn titled(dump: &Value, kind: &str) -> usize {
    dump.get(kind)
        .and_then(Value::as_array)
        .map_or(0, |objects| {
            objects
                .iter()
                .filter(|o| {
                    o.get("title")
                        .and_then(Value::as_str)
                        .is_some_and(|t| !t.is_empty())
                })
                .count()
        })
}

/// What Stash holds now, and what the last run asked of it.
fn show_stash(double: &StashDouble, before: &RequestCounters) {
    let dump = double.dump();
    let now = double.counters();
    println!(
        "Stash now holds {} performers, {} studios, {} tags, {} galleries ({} chapters), \
         {} scenes ({} titled) and {} images ({} titled).",
        count(&dump, "performers"),
        count(&dump, "studios"),
        count(&dump, "tags"),
        count(&dump, "galleries"),
        count(&dump, "chapters"),
        count(&dump, "scenes"),
        titled(&dump, "scenes"),
        count(&dump, "images"),
        titled(&dump, "images"),
    );
    println!(
        "That run sent Stash {} HTTP requests, {} of them mutations, writing {} objects.",
        now.http_requests.saturating_sub(before.http_requests),
        now.mutation_requests
            .saturating_sub(before.mutation_requests),
        now.written_objects.saturating_sub(before.written_objects),
    );
    if let Some(scene) = dump.get("scenes").and_then(Value::as_array).and_then(|s| {
        s.iter()
            .find(|s| s.get("title").is_some_and(|t| !t.is_null()))
    }) {
        let field = |k: &str| scene.get(k).cloned().unwrap_or(Value::Null);
        println!(
            "For example, scene {}: title {}, code {}, date {}, urls {}",
            field("id"),
            field("title"),
            field("code"),
            field("date"),
            field("urls")
        );
    }
}

async fn demo(o: &Options) -> Result<(), AnyError> {
    let cli = locate_cli(o.binary.as_deref())?;
    let dir = tempfile::Builder::new()
        .prefix("fansly-stash-demo-")
        .tempdir()?;
    let shape = demo_shape();
    banner(&format!(
        "Generating a fansly-scraper library in {}: {} creators, each with {} posts, {} messages, \
         {} images and {} videos",
        dir.path().display(),
        shape.creators,
        shape.posts,
        shape.messages,
        shape.images,
        shape.videos
    ));
    let lib = Library::generate(&shape, dir.path(), None).await?;
    println!(
        "Metadata database: {}\nDownloads: {} ({} files)",
        lib.db_url,
        lib.root.display(),
        lib.all_files().count()
    );

    banner(
        "Starting the Stash double (a stand-in for Stash, 2 ms per request) and scanning the downloads",
    );
    let double = StashDouble::start(DoubleConfig {
        library_roots: vec![lib.root.clone()],
        latency_per_request: Duration::from_millis(2),
        cost_per_written_object: Duration::from_micros(500),
        ..DoubleConfig::default()
    })
    .await?;
    let scan = double.scan_now(&[]).await;
    println!(
        "Stash is at {} and found {} scenes and {} images, all without titles, performers or tags.",
        double.base_url(),
        scan.scenes_created,
        scan.images_created
    );

    let config_file = dir.path().join("config.toml");
    std::fs::write(
        &config_file,
        "# The demo sets every setting through FANSLY_STASH_* variables.\n",
    )?;
    let env: Vec<(String, String)> = vec![
        (
            "FANSLY_STASH_CONFIG".into(),
            config_file.display().to_string(),
        ),
        ("FANSLY_STASH_STASH_URL".into(), double.base_url()),
        ("FANSLY_STASH_METADATA_DB".into(), lib.db_url.clone()),
        (
            "FANSLY_STASH_STATE_DB".into(),
            dir.path().join("state.sqlite3").display().to_string(),
        ),
        ("FANSLY_STASH_DOWNLOAD_ROOT".into(), lib.root_str()),
        (
            "FANSLY_STASH_LOG_DIR".into(),
            dir.path().join("logs").display().to_string(),
        ),
    ];
    println!("\nThe configuration, all from the environment:");
    for (k, v) in &env {
        println!("  {k}={v}");
    }

    // The double serves from the runtime's worker threads while this thread waits for the CLI.
    banner("First run: fansly-stash sync --all");
    let before = double.counters();
    tokio::task::block_in_place(|| run_sync(&cli, &env))?;
    show_stash(&double, &before);

    banner("Second run, nothing changed: fansly-stash sync --all");
    let before = double.counters();
    tokio::task::block_in_place(|| run_sync(&cli, &env))?;
    show_stash(&double, &before);

    double.shutdown().await;
    if o.keep {
        let kept = dir.keep();
        println!(
            "\nKept {}: the metadata database, the downloads, the sync state and the logs.",
            kept.display()
        );
    } else {
        println!("\nDone; the temp folder is removed (run with --keep to look around).");
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = parse(&args).and_then(|o| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(demo(&o))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo: {e}");
            ExitCode::FAILURE
        }
    }
}
