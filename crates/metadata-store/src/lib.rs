//! The metadata-store adapter: reads fansly-scraper metadata databases (PostgreSQL, SQLite)
//! through sea-orm and implements [`domain::ports::MetadataRepository`]; also the SQLite
//! [`domain::ports::SyncStateStore`] ([`sync_state::SqliteSyncState`]).
//!
//! Map of the crate:
//! - [`entities`]: the upstream tables sync reads, names and types exactly as upstream.
//! - [`migration`]: our own migrations, for empty databases only.
//! - [`MetadataStore`] (`store`): open by URL, detect upstream, page through content.
//! - `load` / `resolve`: batched loading of a page's references, then assembly into items.
//! - `fingerprint`: one cheap query summing up every creator's content, for `watch`.
//! - `unattached`: downloaded media no attachment reaches (the upstream attachments gap).
//! - [`sync_state`]: our own sync-state database.
//! - [`testing`] (feature `testing`): test databases and a fixture builder.

pub mod counting;
pub mod cursor;
pub mod entities;
pub mod import;
pub mod migration;
pub mod sync_state;
#[cfg(feature = "testing")]
pub mod testing;

mod convert;
mod db_error;
mod fingerprint;
mod load;
mod pool;
mod resolve;
mod store;
mod unattached;
mod url;
mod warnings;

pub use counting::CountingConnection;
pub use load::{IN_CHUNK, MAX_AGGREGATION_DEPTH};
pub use store::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MetadataStore, StoreOptions};
pub use url::redact as redact_url;
