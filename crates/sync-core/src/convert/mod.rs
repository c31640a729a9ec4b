//! Converters: pure functions from Fansly metadata to the Stash state we want.
//!
//! They work in two steps so each is easy to test: first to *labels* (natural keys: performer
//! keys, studio and tag names), then, once those are resolved to Stash ids, to
//! [`DesiredFields`], which the planner compares with what Stash has.

mod entities;
mod item;
pub mod title;

pub use entities::*;
pub use item::*;

#[cfg(test)]
pub(crate) use item::tests;
