//! Every GraphQL operation the adapter sends, as cynic types checked at compile time against
//! the schema subset: selection sets ([`fragments`]), input objects ([`inputs`]), queries
//! ([`queries`]) and mutations ([`mutations`]).

pub mod fragments;
pub mod inputs;
pub mod mutations;
pub mod queries;
