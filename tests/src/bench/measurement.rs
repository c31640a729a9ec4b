//! [`Measurement`]: what one measured sync cost (requests, mutations, time, CPU, memory,
//! database queries), and its one-line JSON form, which the measuring child process prints
//! and the orchestrating process reads back.

use std::collections::BTreeMap;

use domain::stash::RequestStats;
use serde_json::{Value, json};

/// What one sync run cost, measured inside the process that ran it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Measurement {
    /// HTTP requests to Stash, per GraphQL operation (connect included, retries included).
    pub per_operation: BTreeMap<String, u64>,
    /// Wall time from opening the databases to the end of the sync, in seconds.
    pub wall_secs: f64,
    /// Our CPU time (user + system, every thread) over the same span, in seconds.
    pub cpu_secs: f64,
    /// Peak resident set size of the measuring process, in KiB.
    pub peak_rss_kib: u64,
    /// Statements run on the metadata database.
    pub db_queries: u64,
    /// Objects the sync created or updated, by its own report.
    pub written_objects: u64,
    /// The report's outcome (`ok`, `partial`, `interrupted`).
    pub outcome: String,
    /// The report's summary line.
    pub summary: String,
    /// Item errors in the report.
    pub errors: u64,
}

/// Whether a GraphQL operation name (as the adapter records it) is a mutation.
pub fn is_mutation(operation: &str) -> bool {
    operation.contains("Update")
        || operation.contains("Create")
        || operation.starts_with("AddGalleryImages")
        || operation.starts_with("MetadataScan")
}

impl Measurement {
    /// Takes the request counts from an adapter snapshot.
    pub fn with_requests(mut self, stats: &RequestStats) -> Self {
        self.per_operation = stats.per_operation.clone();
        self
    }

    /// Every request.
    pub fn requests(&self) -> u64 {
        self.per_operation.values().sum()
    }

    /// Requests that were mutations.
    pub fn mutation_requests(&self) -> u64 {
        self.per_operation
            .iter()
            .filter(|(op, _)| is_mutation(op))
            .map(|(_, n)| n)
            .sum()
    }

    /// The one-line JSON form.
    pub fn to_json(&self) -> Value {
        json!({
            "per_operation": self.per_operation,
            "wall_secs": self.wall_secs,
            "cpu_secs": self.cpu_secs,
            "peak_rss_kib": self.peak_rss_kib,
            "db_queries": self.db_queries,
            "written_objects": self.written_objects,
            "outcome": self.outcome,
            "summary": self.summary,
            "errors": self.errors,
        })
    }

    /// Reads what [`Measurement::to_json`] wrote; the error names the missing field.
    pub fn from_json(v: &Value) -> Result<Measurement, String> {
        let num = |k: &str| {
            v.get(k)
                .and_then(Value::as_f64)
                .ok_or_else(|| format!("measurement without a numeric '{k}': {v}"))
        };
        let int = |k: &str| {
            v.get(k)
                .and_then(Value::as_u64)
                .ok_or_else(|| format!("measurement without an integer '{k}': {v}"))
        };
        let text = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("measurement without a text '{k}': {v}"))
        };
        let per_operation = v
            .get("per_operation")
            .and_then(Value::as_object)
            .ok_or_else(|| format!("measurement without 'per_operation': {v}"))?
            .iter()
            .map(|(k, n)| {
                n.as_u64()
                    .map(|n| (k.clone(), n))
                    .ok_or_else(|| format!("request count of {k} is not a number: {n}"))
            })
            .collect::<Result<BTreeMap<_, _>, _>>()?;
        Ok(Measurement {
            per_operation,
            wall_secs: num("wall_secs")?,
            cpu_secs: num("cpu_secs")?,
            peak_rss_kib: int("peak_rss_kib")?,
            db_queries: int("db_queries")?,
            written_objects: int("written_objects")?,
            outcome: text("outcome")?,
            summary: text("summary")?,
            errors: int("errors")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_are_told_apart_from_reads() {
        for op in [
            "ScenesUpdate",
            "GalleryCreateBatch",
            "TagCreate",
            "AddGalleryImagesBatch",
            "MetadataScan",
        ] {
            assert!(is_mutation(op), "{op}");
        }
        for op in [
            "FindScenesByIds",
            "ListImageFiles",
            "ServerInfoQuery",
            "FindJob",
        ] {
            assert!(!is_mutation(op), "{op}");
        }
    }

    #[test]
    fn json_round_trips_and_counts_requests() {
        let mut stats = RequestStats::default();
        stats.per_operation.insert("ListSceneFiles".into(), 2);
        stats.per_operation.insert("ScenesUpdate".into(), 3);
        let m = Measurement {
            wall_secs: 1.5,
            cpu_secs: 0.25,
            peak_rss_kib: 40_000,
            db_queries: 17,
            written_objects: 700,
            outcome: "ok".into(),
            summary: "scene 3 updated".into(),
            errors: 0,
            ..Measurement::default()
        }
        .with_requests(&stats);
        assert_eq!((m.requests(), m.mutation_requests()), (5, 3));
        let line = m.to_json().to_string();
        let back = Measurement::from_json(&serde_json::from_str(&line).unwrap()).unwrap();
        assert_eq!(back, m);
        let err = Measurement::from_json(&json!({"per_operation": {}})).unwrap_err();
        assert!(err.contains("wall_secs"), "{err}");
    }
}
