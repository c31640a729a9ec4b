//! Our GraphQL schema subset, parsed and validated once.

use std::sync::{Arc, OnceLock};

use apollo_compiler::Schema;
use apollo_compiler::validation::Valid;

/// The schema text the double serves (the repository's `schema/stash-subset.graphql`).
pub const SUBSET_SDL: &str = include_str!("../../../../schema/stash-subset.graphql");

static SCHEMA: OnceLock<Result<Arc<Valid<Schema>>, String>> = OnceLock::new();

/// The parsed subset schema, or why it does not parse.
pub(crate) fn subset() -> Result<Arc<Valid<Schema>>, String> {
    SCHEMA
        .get_or_init(|| {
            Schema::parse_and_validate(SUBSET_SDL, "stash-subset.graphql")
                .map(Arc::new)
                .map_err(|e| {
                    format!(
                        "schema/stash-subset.graphql does not validate: {}",
                        e.errors
                    )
                })
        })
        .clone()
}
