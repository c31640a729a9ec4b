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
//! - [`planner`]: minimal, additions-only patches; the dry-run [`Plan`] (data; the CLI renders
//!   it).
//! - [`state`]: the per-creator [`SyncState`](state::SyncState) as loaded (read-only) and its
//!   single [`StateWriter`](state::StateWriter); records keyed by [`StateKey`](state::StateKey).
//! - [`batch`]: batching, bounded read concurrency, one writer, backpressure.
//! - [`monitor`], [`report`]: events for progress bars, the final report.
//! - [`engine`]: [`SyncEngine`], which runs it all: one creator is one `CreatorRun` whose
//!   phases are methods (see ARCHITECTURE.md for the path of one creator's data).
//!
//! Safety choices:
//! - Objects the user marked organized are left alone unless `force` (this includes galleries
//!   fansly-scraper created, which it marks organized: `--force` takes them over).
//! - We create galleries with `organized: false` (upstream sets `true`), so "organized" keeps
//!   meaning "a human checked this".
//! - We never clear a field and never remove performers, tags, urls or scenes from a list:
//!   lists become current ∪ ours, current entries first.
//! - A scene is ours only through its primary file; an image only when all its files lie under
//!   the creator's Stash folder; a media shared by several items is stamped by the earliest.
//! - The network studio is created when missing (upstream fails instead); the `Trailer` tag is
//!   created when missing if previews are to be tagged.
//!
//! Change detection is per object: the fingerprint of everything we own on a scene, image or
//! gallery is stored after each write. While it is unchanged the object is neither read nor
//! written, so a user's edit in Stash stays; when our source changes, the fields we own that
//! differ are rewritten (user additions to lists are kept).

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
pub use report::{Counts, RunOutcome, SyncReport};
