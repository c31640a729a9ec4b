//! The domain of fansly-stash: what the Fansly metadata and the Stash library *are*, and the
//! ports through which the sync engine talks to the outside world.
//!
//! This crate is pure: no I/O, no async runtime, no database or HTTP crates (a test in
//! `tests/` checks the dependency tree). Adapters (`metadata-store`, `stash-adapter`)
//! implement the ports; `sync-core` is written only against them.
//!
//! Map of the crate:
//! - [`ids`]: typed identifiers, Fansly snowflakes (`i64`) and Stash ids (strings).
//! - [`fansly`]: the Fansly side as fansly-scraper stores it (accounts, posts, media, ...).
//! - [`content`]: [`content::ContentItem`], a post or message with its media resolved: what sync works on.
//! - [`stash`]: the Stash side (performers, studios, tags, galleries, scenes, images, files).
//! - [`library`]: Stash's library paths and whether a folder lies inside one.
//! - [`patch`]: [`patch::Patch`], the three-state field update (unchanged / clear / set).
//! - [`date`]: [`date::FuzzyDate`], Stash's partial dates.
//! - [`ports`]: the batch-shaped async traits the adapters implement.

pub mod content;
pub mod date;
pub mod fansly;
pub mod ids;
pub mod library;
pub mod patch;
pub mod ports;
pub mod stash;

pub use date::FuzzyDate;
pub use patch::Patch;
