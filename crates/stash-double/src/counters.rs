//! Per-operation request counters that tests and benchmarks assert on.

use std::collections::BTreeMap;

/// A snapshot of what the double has served since start (or the last reset).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestCounters {
    /// Every POST to the GraphQL endpoint that reached the auth check.
    pub http_requests: u64,
    /// Requests per `operationName` (`<anonymous>` when none), for parsed documents.
    pub by_operation: BTreeMap<String, u64>,
    /// Requests containing this root field at least once.
    pub by_root_field: BTreeMap<String, u64>,
    /// Root-field executions, counting every alias occurrence.
    pub root_field_calls: BTreeMap<String, u64>,
    /// Requests whose operation was a mutation.
    pub mutation_requests: u64,
    /// Objects created or updated by client mutations (scans not included).
    pub written_objects: u64,
}

impl RequestCounters {
    /// Requests that contained `root_field` (0 when never seen).
    pub fn requests_with(&self, root_field: &str) -> u64 {
        self.by_root_field.get(root_field).copied().unwrap_or(0)
    }

    /// Requests named `operation` (0 when never seen).
    pub fn requests_named(&self, operation: &str) -> u64 {
        self.by_operation.get(operation).copied().unwrap_or(0)
    }

    pub(crate) fn record_document(
        &mut self,
        operation: Option<&str>,
        is_mutation: bool,
        root_fields: &[String],
    ) {
        *self
            .by_operation
            .entry(operation.unwrap_or("<anonymous>").to_owned())
            .or_default() += 1;
        if is_mutation {
            self.mutation_requests += 1;
        }
        let mut seen: Vec<&String> = Vec::new();
        for f in root_fields {
            *self.root_field_calls.entry(f.clone()).or_default() += 1;
            if !seen.contains(&f) {
                seen.push(f);
                *self.by_root_field.entry(f.clone()).or_default() += 1;
            }
        }
    }
}
