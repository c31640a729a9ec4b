//! The Stash adapter: implements [`domain::ports::MediaServer`] over Stash's GraphQL API.

mod aliased;
pub mod config;
mod convert;
pub mod ops;
pub mod schema;
mod stats;
mod transport;
