//! Shared helpers for the workspace integration tests in `tests/tests/` and the benchmark:
//! the synthetic [`library`] (metadata database + files on disk), the wired [`world`] (double,
//! client, state, engine) and [`canonical`] dumps for comparing Stash states.
//!
//! The tests live in this package so they can wire every crate together (store, adapter,
//! double, sync) the way the binary does.

pub mod bench;
pub mod canonical;
pub mod expect;
pub mod library;
pub mod tripwire;
pub mod world;

use std::path::PathBuf;

/// The `shared/` folder next to the repository (the upstream schemas and samples tests read).
///
/// Tests never copy these files into the repository; they read them from here.
pub fn shared_dir() -> PathBuf {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    match std::env::var_os("FANSLY_STASH_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => repo.join("..").join("shared"),
    }
}
