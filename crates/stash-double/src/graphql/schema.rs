//! Our GraphQL schema subset, and the schema a double serves for its version (the subset
//! minus what that release lacks, see [`crate::versions`]), parsed and validated once each.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use apollo_compiler::Schema;
use apollo_compiler::validation::Valid;

use crate::config::DoubleConfig;

/// The schema text the double serves to v0.30 (the repository's `schema/stash-subset.graphql`).
pub const SUBSET_SDL: &str = include_str!("../../../../schema/stash-subset.graphql");

type Served = Result<Arc<Valid<Schema>>, String>;

static SERVED: OnceLock<Mutex<HashMap<String, Served>>> = OnceLock::new();

/// The SDL a double with `cfg` serves.
pub fn served_sdl(cfg: &DoubleConfig) -> Result<String, String> {
    crate::versions::served_sdl(cfg, SUBSET_SDL)
}

/// The parsed schema a double with `cfg` serves, or why it does not parse.
pub(crate) fn served(cfg: &DoubleConfig) -> Served {
    let sdl = served_sdl(cfg)?;
    let cache = SERVED.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(sdl.clone())
        .or_insert_with(|| {
            Schema::parse_and_validate(sdl, "stash-subset.graphql")
                .map(Arc::new)
                .map_err(|e| format!("the served schema does not validate: {}", e.errors))
        })
        .clone()
}
