//! `cargo xtask fuzz [SECONDS] [TARGET...]`: runs the cargo-fuzz targets in `fuzz/` (the
//! media-filename parser and the JSON importer) for 60 seconds each by default. Outside CI:
//! it needs the nightly toolchain and `cargo-fuzz`, and says how to get them when missing.

use std::process::Command;

use crate::Result;

/// The fuzz targets, in the order they run.
const TARGETS: &[&str] = &["filename", "json_import"];

/// Seconds per target unless told otherwise.
const DEFAULT_SECONDS: u64 = 60;

/// Runs the targets.
pub fn run(args: &[String]) -> Result<()> {
    let mut seconds = DEFAULT_SECONDS;
    let mut targets: Vec<&str> = Vec::new();
    for a in args {
        if let Ok(n) = a.parse::<u64>() {
            seconds = n;
        } else if let Some(t) = TARGETS.iter().find(|t| **t == a.as_str()) {
            targets.push(t);
        } else {
            return Err(format!(
                "unknown fuzz argument '{a}': give seconds per target and/or targets from {TARGETS:?}"
            ));
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
    }
    check_tools()?;
    let root = crate_root()?;
    for target in targets {
        println!("==> cargo +nightly fuzz run {target} ({seconds} s)");
        let mut cmd = Command::new("cargo");
        cmd.current_dir(&root)
            .args(["+nightly", "fuzz", "run", target]);
        if target == "json_import" {
            // The writable corpus first, then the real API samples as read-only seeds; JSON
            // needs room, so inputs may grow to 64 KiB.
            let corpus = root.join("fuzz").join("corpus").join(target);
            std::fs::create_dir_all(&corpus)
                .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
            cmd.arg(&corpus);
            let samples = root
                .join("..")
                .join("shared")
                .join("upstream")
                .join("fansly-api-samples");
            if samples.is_dir() {
                cmd.arg(&samples);
            }
            cmd.args(["--", "-max_len=65536"]);
        } else {
            cmd.arg("--");
        }
        let status = cmd
            .arg(format!("-max_total_time={seconds}"))
            .status()
            .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
        if !status.success() {
            return Err(format!(
                "fuzz target {target} found a failure ({status}); the crashing input is under \
                 fuzz/artifacts/{target}/, reproduce with `cargo +nightly fuzz run {target} <file>`"
            ));
        }
    }
    Ok(())
}

fn crate_root() -> Result<std::path::PathBuf> {
    let here = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .map(std::path::Path::to_path_buf)
        .ok_or_else(|| "cannot locate the repository root from xtask".to_owned())
}

fn check_tools() -> Result<()> {
    let nightly = Command::new("cargo")
        .args(["+nightly", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !nightly {
        return Err(
            "fuzzing needs the nightly toolchain (libFuzzer's sanitizer flags): install it with \
             `rustup toolchain install nightly`"
                .to_owned(),
        );
    }
    let fuzz = Command::new("cargo")
        .args(["+nightly", "fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !fuzz {
        return Err(
            "fuzzing needs cargo-fuzz: install it with `cargo install cargo-fuzz`".to_owned(),
        );
    }
    Ok(())
}
