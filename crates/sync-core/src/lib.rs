//! The sync engine, written only against the ports in [`domain::ports`].
//!
//! It turns a creator's Fansly metadata (through [`MetadataRepository`](domain::ports::MetadataRepository))
//! into labelled Stash objects (through [`MediaServer`](domain::ports::MediaServer)), remembering
//! what it wrote (through [`SyncStateStore`](domain::ports::SyncStateStore)) so re-runs cost
//! almost nothing.
//!
//! Map of the crate:
//! - [`convert`]: pure converters (accounts to performers, items to galleries and stamps,
//!   the title rule).
//! - [`filename`], [`index`]: media owners (earliest item wins) and file matching.
//! - [`planner`]: minimal, additions-only patches; the dry-run [`Plan`](planner::Plan).
//! - [`state`]: the per-creator [`SyncState`](state::SyncState) with fingerprints.
//! - [`batch`]: batching, bounded read concurrency, one writer, backpressure.
//! - [`monitor`], [`report`]: events for progress bars, the final report.
//! - [`engine`]: [`SyncEngine`], which runs it all.
//!
//! Safety choices: objects the user marked organized are left alone unless `force`; we create
//! galleries with `organized: false` (upstream sets `true`) so "organized" keeps meaning "a
//! human checked this"; we never clear a field and never remove performers, tags, urls or
//! scenes from a list.

pub mod batch;
pub mod cancel;
pub mod convert;
pub mod engine;
pub mod error;
pub mod filename;
pub mod fingerprint;
pub mod index;
pub mod monitor;
pub mod options;
pub mod planner;
pub mod report;
pub mod state;

pub use cancel::CancelFlag;
pub use engine::SyncEngine;
pub use error::SyncError;
pub use monitor::{EventLog, Phase, SyncEvent, SyncMonitor};
pub use options::{PathMapping, ScanOptions, SyncOptions};
pub use planner::Plan;
pub use report::{Counts, SyncReport};
