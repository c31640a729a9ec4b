//! The Stash adapter: implements [`domain::ports::MediaServer`] over Stash's GraphQL API.
//!
//! - Every operation is a cynic type checked at compile time against
//!   `schema/stash-subset.graphql` ([`ops`]); runtime-sized batches of one operation go out as
//!   aliased documents built from those typed operations.
//! - [`StashClient::connect`] makes one `version` + `systemStatus` query, refuses servers in
//!   SETUP / NEEDS_MIGRATION, and gates fields on the app schema.
//! - Reads are batched (`ids` chunks, keyset-paged file listings, regex natural-key lookups
//!   verified client-side); writes use the plural mutations in chunks with bisection of
//!   refused chunks; creates are never retried blindly.
//! - Every failure is a typed [`domain::ports::MediaServerError`]; retries (backon, exponential
//!   with jitter) apply to queries and idempotent updates only.
//! - [`StashClient::request_stats`] counts HTTP requests per operation.
//!
//! ```no_run
//! # async fn demo() -> Result<(), domain::ports::MediaServerError> {
//! use stash_adapter::{StashClient, StashConfig};
//! let client = StashClient::connect(StashConfig::new("http://localhost:9999")).await?;
//! println!("Stash {} (app schema {})", client.info().version, client.info().app_schema);
//! # Ok(()) }
//! ```

mod aliased;
mod client;
pub mod config;
mod convert;
mod creates;
mod entities;
mod errors;
mod files;
mod jobs;
mod keys;
mod library;
mod lookups;
mod media_server;
pub mod ops;
pub mod plugin_settings;
pub mod schema;
mod single_flight;
mod stats;
mod transport;
mod updates;

#[cfg(test)]
mod upstream_check;

pub use client::{MIN_APP_SCHEMA, StashClient};
pub use config::{ApiKey, BatchLimits, RetryPolicy, SessionCookie, StashConfig};
pub use plugin_settings::read_plugin_settings;
