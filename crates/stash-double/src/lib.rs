//! A faithful in-process Stash server for tests, benchmarks and the demo: GraphQL over HTTP
//! on `127.0.0.1`, validated against `schema/stash-subset.graphql`, with Stash's status
//! codes, error texts, filter semantics, partial-update rules, scans and jobs (see
//! `../shared/docs/stash-api-facts.md`), plus fault injection and request counters.
//!
//! Never a dependency of the shipped binary.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use stash_double::{DoubleConfig, StashDouble};
//! let double = StashDouble::start(DoubleConfig::default()).await?;
//! println!("GraphQL at {}", double.graphql_url());
//! # Ok(()) }
//! ```

mod config;
mod counters;
mod faults;
mod graphql;
mod http;
mod model;
mod query;
mod scan;
mod server;
mod write;

pub use config::{DoubleConfig, SystemStatusKind};
pub use counters::RequestCounters;
pub use faults::{Fault, FaultPlan};
pub use graphql::schema::SUBSET_SDL;
pub use scan::{IMAGE_EXTENSIONS, ScanSummary, VIDEO_EXTENSIONS};
pub use server::StashDouble;
