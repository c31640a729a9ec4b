//! `cargo xtask demo`: builds the real `fansly-stash` binary and the `demo` driver (release),
//! then runs the driver, which generates a small library, starts the Stash double and syncs
//! into it twice with the real binary, so a newcomer sees the whole tool work offline.

use crate::{Result, cargo};

/// Runs the demo; extra arguments go to the driver (`--keep` keeps the temp folder).
pub fn run(args: &[String]) -> Result<()> {
    println!("xtask: building fansly-stash and the demo (release; the first build takes a while)");
    cargo(&[
        "build",
        "--release",
        "-p",
        "fansly-stash",
        "--bin",
        "fansly-stash",
    ])?;
    let mut run = vec![
        "run",
        "--release",
        "-q",
        "-p",
        "fansly-stash-tests",
        "--bin",
        "demo",
        "--",
    ];
    run.extend(args.iter().map(String::as_str));
    cargo(&run)
}
