//! The sync benchmark behind `cargo xtask bench` (issue 9): synthetic libraries, the Stash
//! double in its own process with realistic costs, every measured sync in a fresh child
//! process, and the Markdown that goes into BENCHMARKS.md.
//!
//! - [`scenario`]: the libraries and what each checks (typical fan, 30 fans, PostgreSQL).
//! - [`orchestrate`]: generate, start doubles, scan, run the children in order.
//! - [`measure`]: the child side: one sync wired like the CLI, measured.
//! - [`measurement`], [`process_stats`]: what is measured and how (`/proc/self`).
//! - [`double_process`]: the `stash-double` binary as a child process.
//! - [`report`], [`machine`]: tables, target checks, machine description.
//! - [`watch`]: the idle `fansly-stash watch` (memory over 1,000 cycles, CPU per cycle) and the
//!   cost of its change query on large databases.

pub mod double_process;
pub mod machine;
pub mod measure;
pub mod measurement;
pub mod orchestrate;
pub mod process_stats;
pub mod report;
pub mod scenario;
pub mod watch;

/// Why the benchmark could not run; the message says what failed and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BenchError(pub String);

/// Markers around the sync section in BENCHMARKS.md (`cargo xtask bench` replaces what is
/// between them).
pub const SECTION_START: &str = "<!-- sync-bench:start -->";
/// See [`SECTION_START`].
pub const SECTION_END: &str = "<!-- sync-bench:end -->";
