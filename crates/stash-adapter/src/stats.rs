//! Request accounting: how many HTTP requests each GraphQL operation took (retries included),
//! readable at any time by sync-core, the CLI report and tests.

use std::collections::BTreeMap;
use std::sync::Mutex;

use domain::stash::RequestStats;

/// Thread-safe counters per operation name.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    per_operation: Mutex<BTreeMap<String, u64>>,
}

impl Counters {
    /// Counts one HTTP request of `operation`.
    pub(crate) fn record(&self, operation: &str) {
        let mut map = self
            .per_operation
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *map.entry(operation.to_owned()).or_insert(0) += 1;
    }

    /// A snapshot.
    pub(crate) fn snapshot(&self) -> RequestStats {
        let map = self
            .per_operation
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        RequestStats {
            per_operation: map.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_accumulate_per_operation() {
        let c = Counters::default();
        c.record("FindScenesByIds");
        c.record("FindScenesByIds");
        c.record("ScenesUpdate");
        let s = c.snapshot();
        assert_eq!(s.per_operation["FindScenesByIds"], 2);
        assert_eq!(s.total(), 3);
    }
}
