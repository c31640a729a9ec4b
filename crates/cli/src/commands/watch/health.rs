//! [`Health`]: `watch` waiting out a service that is down (the metadata database, Stash, the
//! sync-state file). The first failure logs one clear line and starts a capped exponential
//! backoff with jitter (backon); later failures of the same outage are logged at info (seen
//! with `-v`);
//! the first success afterwards logs one line saying the service is back and for how long it
//! was gone. It never decides to stop: that is the caller's call, for configuration errors
//! and a refused API key only.

use std::fmt;
use std::time::{Duration, Instant};

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};

/// The longest wait between two tries, whatever the interval.
const MAX_BACKOFF: Duration = Duration::from_secs(600);

/// A service `watch` depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    /// The metadata database.
    Metadata,
    /// Stash.
    Stash,
    /// Our sync-state file.
    State,
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Service::Metadata => "the metadata database",
            Service::Stash => "Stash",
            Service::State => "the sync-state file",
        })
    }
}

#[derive(Debug)]
struct Outage {
    service: Service,
    since: Instant,
    backoff: ExponentialBackoff,
    tries: u32,
}

/// What `watch` knows about its services' health.
#[derive(Debug)]
pub(crate) struct Health {
    interval: Duration,
    cap: Duration,
    outage: Option<Outage>,
}

/// The cap of the backoff for an interval: ten intervals, at most ten minutes, never less
/// than one interval.
pub(crate) fn backoff_cap(interval: Duration) -> Duration {
    (interval * 10).min(MAX_BACKOFF).max(interval)
}

/// `1h 2m 3s`, `4m 5s`, `6s`, `0.2s`.
pub(crate) fn human(d: Duration) -> String {
    let secs = d.as_secs();
    if secs == 0 {
        return format!("{:.1}s", d.as_secs_f64());
    }
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s}s"),
        _ => format!("{h}h {m}m {s}s"),
    }
}

impl Health {
    /// Nothing down yet; backoffs start at `interval`.
    pub(crate) fn new(interval: Duration) -> Self {
        Self {
            interval,
            cap: backoff_cap(interval),
            outage: None,
        }
    }

    /// Whether some service is down.
    #[cfg(test)]
    pub(crate) fn is_down(&self) -> bool {
        self.outage.is_some()
    }

    /// `service` failed with `error`: logs (once per outage) and returns how long to wait
    /// before the next try. A different service failing ends the previous outage first.
    pub(crate) fn down(&mut self, service: Service, error: &str) -> Duration {
        if self.outage.as_ref().is_some_and(|o| o.service != service)
            && let Some(previous) = self.outage.as_ref().map(|o| o.service)
        {
            self.up(previous);
        }
        let outage = self.outage.get_or_insert_with(|| Outage {
            service,
            since: Instant::now(),
            backoff: ExponentialBuilder::default()
                .with_min_delay(self.interval)
                .with_max_delay(self.cap)
                .with_factor(2.0)
                .with_jitter()
                .without_max_times()
                .build(),
            tries: 0,
        });
        outage.tries += 1;
        let wait = outage.backoff.next().unwrap_or(self.cap).min(self.cap);
        if outage.tries == 1 {
            tracing::warn!(
                "{service} is unavailable: {}. watch keeps running, tries again in {} (backing off up to {}) and catches up when it is back.",
                one_line(error),
                human(wait),
                human(self.cap)
            );
        } else {
            tracing::info!(
                tries = outage.tries,
                "{service} is still unavailable ({}); next try in {}",
                one_line(error),
                human(wait)
            );
        }
        wait
    }

    /// `service` worked: if it was down, says it is back.
    pub(crate) fn up(&mut self, service: Service) {
        if let Some(o) = self.outage.take_if(|o| o.service == service) {
            tracing::warn!(
                "{service} is back after {} ({} tries); catching up.",
                human(o.since.elapsed()),
                o.tries
            );
        }
    }
}

/// An error message on one line (the adapters' messages may carry a hint on a second line).
fn one_line(error: &str) -> String {
    error
        .split('\n')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_with_jitter_and_stay_under_the_cap() {
        let interval = Duration::from_millis(100);
        let mut h = Health::new(interval);
        let waits: Vec<Duration> = (0..12).map(|_| h.down(Service::Stash, "refused")).collect();
        assert!(
            waits
                .iter()
                .all(|w| *w >= interval && *w <= backoff_cap(interval))
        );
        assert!(waits[11] > waits[0], "{waits:?}");
        assert!(h.is_down());
        h.up(Service::Metadata);
        assert!(h.is_down(), "another service coming back ends nothing");
        h.up(Service::Stash);
        assert!(!h.is_down());
        // A new outage starts from the interval again.
        assert!(h.down(Service::Stash, "refused") < interval * 2);
    }

    #[test]
    fn another_service_failing_ends_the_previous_outage() {
        let mut h = Health::new(Duration::from_secs(1));
        h.down(Service::Metadata, "down");
        h.down(Service::Stash, "down");
        h.up(Service::Stash);
        assert!(!h.is_down());
    }

    #[test]
    fn caps_and_durations_read_well() {
        assert_eq!(
            backoff_cap(Duration::from_secs(60)),
            Duration::from_secs(600)
        );
        assert_eq!(
            backoff_cap(Duration::from_secs(3600)),
            Duration::from_secs(3600)
        );
        assert_eq!(
            backoff_cap(Duration::from_millis(200)),
            Duration::from_secs(2)
        );
        assert_eq!(human(Duration::from_secs(3723)), "1h 2m 3s");
        assert_eq!(human(Duration::from_secs(65)), "1m 5s");
        assert_eq!(human(Duration::from_millis(200)), "0.2s");
        assert_eq!(one_line("a\n  b"), "a b");
    }
}
