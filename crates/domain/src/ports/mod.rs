//! The ports: the only ways the sync engine reaches the outside world.
//!
//! All three are async traits, batch-shaped (slices in, maps or vectors out) so an adapter can
//! answer with the fewest round trips. With the `mock` feature each has a mockall mock
//! (`MockMetadataRepository`, `MockMediaServer`, `MockSyncStateStore`).

mod media_server;
mod metadata;
mod sync_state;

pub use media_server::*;
pub use metadata::*;
pub use sync_state::*;
