//! The metadata-store adapter, in three parts that share sea-orm and the database plumbing:
//!
//! 1. **The reader**: [`MetadataStore`] implements [`domain::ports::MetadataRepository`] over
//!    fansly-scraper metadata databases (PostgreSQL, SQLite).
//!    - [`entities`]: the upstream tables sync reads, names and types exactly as upstream.
//!    - [`migration`]: our own migrations, for empty databases only.
//!    - `store`: open by URL, detect upstream, page through content ([`cursor`]).
//!    - `load` / `resolve`: batched loading of a page's references, then assembly into items.
//!    - `unattached`: downloaded media no attachment reaches (the upstream attachments gap).
//!    - `fingerprint`: one cheap query summing up every creator's content, for `watch`.
//!    - `writeback`: Stash ids into the upstream `stash_id` columns (opt-in), nothing else.
//!    - `pool`: connections over sqlx pools without the maintenance task (why: see there).
//!    - [`counting`]: the connection that counts statements (tests and benchmarks).
//! 2. **The importer** ([`import`]): saved Fansly API JSON into a metadata database, one
//!    transaction per file (`fansly-stash import`).
//! 3. **The sync-state store** ([`sync_state`]): [`sync_state::SqliteSyncState`] implements
//!    [`domain::ports::SyncStateStore`], our own memory between runs.
//!
//! [`testing`] (feature `testing`): test databases and a fixture builder.

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
mod writeback;

pub use counting::CountingConnection;
pub use load::{IN_CHUNK, MAX_AGGREGATION_DEPTH};
pub use store::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MetadataStore, StoreOptions};
pub use url::redact as redact_url;
