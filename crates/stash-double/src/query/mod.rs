//! Read side of the double: filters, `LIKE`, sorting and paging over the in-memory state.

pub(crate) mod filter;
pub(crate) mod find;
pub(crate) mod like;
pub(crate) mod natural;
mod rows;
