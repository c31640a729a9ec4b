//! `cargo xtask`: the project's automation, in Rust so it runs wherever cargo does.
//!
//! - `cargo xtask ci`: tidy checks, `cargo fmt --check`, `cargo clippy`, then the whole test
//!   suite against a throwaway PostgreSQL cluster started here (the README's test command).
//! - `cargo xtask pg`: start a throwaway PostgreSQL cluster and keep it running (for hacking
//!   on the PostgreSQL tests); prints the URL to export.
//! - `cargo xtask tidy`: the repository's own style checks.
//! - `cargo xtask bench [--quick] [--pg] [--only sync|watch]`: the sync and watch benchmarks;
//!   writes BENCHMARKS.md.
//! - `cargo xtask demo [--keep]`: the whole tool, offline, against the Stash double.
//! - `cargo xtask dist [--static]`: the shipped binary (stripped of debug info, symbols kept)
//!   with shell completions, the man pages and the Stash plugin package.
//! - `cargo xtask fuzz [SECONDS] [TARGET...]`: the cargo-fuzz targets (nightly, outside CI).

mod bench;
mod demo;
mod dist;
mod fuzz;
mod pg;
mod plugin_package;
mod tidy;

use std::process::{Command, ExitCode};

type Result<T, E = String> = std::result::Result<T, E>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("pg") => pg::serve_forever(),
        Some("tidy") => tidy::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("demo") => demo::run(&args[1..]),
        Some("dist") => dist::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("help") | Some("--help") | Some("-h") | None => {
            print_help();
            Ok(())
        }
        Some(other) => Err(format!("unknown task '{other}'; run `cargo xtask help`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn print_help() {
    println!(
        "cargo xtask <task>\n\n\
         tasks:\n  \
         ci     tidy, fmt --check, clippy -D warnings, and every test (starts PostgreSQL)\n  \
         pg     start a throwaway PostgreSQL cluster and wait (Ctrl-C stops it)\n  \
         tidy   repository rules (module docs, no copied upstream files, dependencies per\n         ARCHITECTURE.md, functions <= 100 lines, no too_many_arguments; --longest N)\n  \
         bench  sync and watch benchmarks (release; --quick: small, prints only; --pg: PostgreSQL\n         too; --only sync|watch: one of them)\n  \
         demo   generate a library, start the Stash double, sync twice with the real binary\n  \
         dist   shipped binary, man pages, Stash plugin package (--static: musl; --debug)\n  \
         fuzz   cargo-fuzz targets, 60 s each (needs nightly + cargo-fuzz; outside CI)"
    );
}

/// The CI pipeline. Each step says what it runs; the first failure stops it.
fn ci() -> Result<()> {
    check_free_disk();

    step("tidy");
    tidy::run(&[])?;

    if has_component("fmt") {
        step("cargo fmt --check");
        cargo(&["fmt", "--all", "--check"])?;
    } else {
        missing_component("rustfmt", "cargo fmt --check");
    }

    if has_component("clippy") {
        step("cargo clippy --workspace --all-targets -- -D warnings");
        cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ])?;
    } else {
        missing_component("clippy", "cargo clippy");
    }

    step("PostgreSQL for the metadata-store suites");
    let cluster = pg::Cluster::for_tests()?;
    println!("xtask: PostgreSQL at {}", cluster.url_redacted());

    step("cargo test --workspace");
    let status = Command::new(cargo_bin())
        .args(["test", "--workspace", "--all-features", "--no-fail-fast"])
        .env("CARGO_INCREMENTAL", CI_INCREMENTAL)
        .env(pg::URL_VAR, cluster.url())
        .env("FANSLY_STASH_REQUIRE_SERVICES", "1")
        .status()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
    drop(cluster);
    if !status.success() {
        return Err("tests failed (see above)".into());
    }
    println!("xtask: ci passed");
    Ok(())
}

/// A cold `cargo xtask ci` writes about 3.5 GB into `target/` (measured: 2.5 GB for the
/// test binaries plus clippy's metadata). A full disk shows up much later as a linker killed
/// by SIGBUS, which says nothing about disk space, so say it up front.
const CI_DISK_NEED_MB: u64 = 4_000;

/// xtask builds (CI, bench, demo) run once from scratch; incremental caches (3 GB in CI) would only
/// add to what `target/` holds.
const CI_INCREMENTAL: &str = "0";

fn check_free_disk() {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| ".".into());
    let Some(free_mb) = free_megabytes(&target) else {
        println!("xtask: could not read free disk space (no `df`?); continuing");
        return;
    };
    if free_mb < CI_DISK_NEED_MB {
        eprintln!(
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !! xtask: only {free_mb} MB free where target/ lives; a cold CI build needs\n\
             !! about {CI_DISK_NEED_MB} MB. If a linker dies with 'signal 7 [Bus error]' below,\n\
             !! the disk is full: free space (e.g. `cargo clean`) and run again.\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
        );
    } else {
        println!(
            "xtask: {free_mb} MB free for target/ (a cold build needs about {CI_DISK_NEED_MB} MB)"
        );
    }
}

/// Free space in megabytes on the filesystem holding `path`, from POSIX `df -Pk`.
fn free_megabytes(path: &str) -> Option<u64> {
    let out = Command::new("df").args(["-Pk", path]).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let kb: u64 = text
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(kb / 1024)
}

fn step(what: &str) {
    println!("\n==> {what}");
}

fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn cargo(args: &[&str]) -> Result<()> {
    let status = Command::new(cargo_bin())
        .args(args)
        .env("CARGO_INCREMENTAL", CI_INCREMENTAL)
        .status()
        .map_err(|e| format!("cannot run cargo {}: {e}", args.join(" ")))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed", args.join(" ")))
    }
}

/// Whether `cargo <sub> --version` works (rustfmt and clippy are optional rustup components).
fn has_component(sub: &str) -> bool {
    Command::new(cargo_bin())
        .args([sub, "--version"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn missing_component(component: &str, check: &str) {
    eprintln!(
        "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
         !! xtask: the `{component}` component is not installed, so `{check}`\n\
         !! is SKIPPED on this machine. Install it with\n\
         !!     rustup component add {component}\n\
         !! The tests still run.\n\
         !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    );
}
