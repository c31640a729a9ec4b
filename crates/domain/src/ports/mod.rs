//! The ports: the only ways the sync engine reaches the outside world.
//!
//! All are async traits, batch-shaped (slices in, maps or vectors out) so an adapter can
//! answer with the fewest round trips. With the `mock` feature each has a mockall mock
//! (`MockMetadataRepository`, `MockMediaServer`, `MockSyncStateStore`, `MockDownloads`).
//! Beside the three big ones, [`Downloads`] says whether a creator's download folder exists on
//! this machine (the engine skips Stash's file listing of an absent one).

mod downloads;
mod media_server;
mod metadata;
mod sync_state;

pub use downloads::*;
pub use media_server::*;
pub use metadata::*;
pub use sync_state::*;
