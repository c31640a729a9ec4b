//! Fault injection: tests arm faults (HTTP errors, delays, dropped connections, locked
//! database, failing jobs) that hit the next matching requests.

use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One injected failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Status 500, body `internal error`.
    Http500,
    /// Any status (e.g. 429, 503) with its canonical reason as body.
    Status(u16),
    /// Like [`Fault::Status`], with a `Retry-After` header of this many seconds.
    StatusWithRetryAfter(u16, u64),
    /// Answer normally, but only after this delay (to provoke client timeouts).
    Delay(Duration),
    /// Execute at once, but hold the answer for this long: the request's effect (or the state
    /// it read) is fixed on arrival, as when a real server is slow to reply.
    SlowAnswer(Duration),
    /// Close the TCP connection without an HTTP response.
    DropConnection,
    /// HTTP 200 with `beginning transaction: database is locked` on every root field; nothing
    /// is written.
    DatabaseLocked,
    /// The next job that starts ends FAILED with this error.
    FailNextJob(String),
    /// The next job that starts ends CANCELLED.
    CancelNextJob,
}

#[derive(Debug)]
struct Armed {
    root_field: Option<String>,
    remaining: u32,
    fault: Fault,
}

/// A cheap, cloneable handle on the double's armed faults.
#[derive(Debug, Clone, Default)]
pub struct FaultPlan {
    armed: Arc<Mutex<Vec<Armed>>>,
}

impl FaultPlan {
    /// The next `times` requests whose root fields include `root_field` (`None` = any
    /// request) get `fault`. Faults armed earlier are served first.
    pub fn inject(&self, root_field: Option<&str>, times: u32, fault: Fault) {
        if times == 0 {
            return;
        }
        let mut armed = self.armed.lock().unwrap_or_else(|e| e.into_inner());
        armed.push(Armed {
            root_field: root_field.map(str::to_owned),
            remaining: times,
            fault,
        });
    }

    /// Disarms every fault.
    pub fn clear(&self) {
        self.armed.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// How many fault applications are still armed.
    pub fn pending(&self) -> u32 {
        self.armed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|a| a.remaining)
            .sum()
    }

    /// Takes the first armed fault that matches a request with these root fields.
    pub(crate) fn take_for(&self, root_fields: &[String]) -> Option<Fault> {
        let mut armed = self.armed.lock().unwrap_or_else(|e| e.into_inner());
        let index = armed.iter().position(|a| match &a.root_field {
            None => true,
            Some(f) => root_fields.iter().any(|r| r == f),
        })?;
        let entry = &mut armed[index];
        let fault = entry.fault.clone();
        entry.remaining -= 1;
        if entry.remaining == 0 {
            armed.remove(index);
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_match_by_root_field_and_run_out() {
        let plan = FaultPlan::default();
        plan.inject(Some("scenesUpdate"), 2, Fault::Http500);
        assert_eq!(plan.take_for(&["findScenes".into()]), None);
        assert_eq!(
            plan.take_for(&["scenesUpdate".into()]),
            Some(Fault::Http500)
        );
        assert_eq!(
            plan.take_for(&["scenesUpdate".into()]),
            Some(Fault::Http500)
        );
        assert_eq!(plan.take_for(&["scenesUpdate".into()]), None);
        plan.inject(None, 1, Fault::Status(503));
        plan.inject(None, 2, Fault::StatusWithRetryAfter(429, 1));
        assert_eq!(plan.pending(), 3);
        assert_eq!(plan.take_for(&["version".into()]), Some(Fault::Status(503)));
        assert_eq!(
            plan.take_for(&["version".into()]),
            Some(Fault::StatusWithRetryAfter(429, 1))
        );
        assert_eq!(plan.pending(), 1);
        plan.clear();
        assert_eq!(plan.take_for(&["version".into()]), None);
    }
}
