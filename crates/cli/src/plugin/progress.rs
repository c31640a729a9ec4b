//! The task's progress bar and log lines, from the engine's [`SyncEvent`]s.
//!
//! Progress is a fraction of the items of the whole run: each creator weighs what the metadata
//! database says it has (posts, messages and downloaded media, at least 1), and within a
//! creator the writing pass moves from 0 to 1 by items written (the engine reports the exact
//! total). A finished creator counts in full. The fraction never goes backwards, starts at 0
//! and ends at 1 when the run ends.
//!
//! Log lines: one info line per creator started and finished, one warning per failed item or
//! stopped creator; each line names the creator so it reads on its own in Stash's log.

use std::collections::BTreeMap;

use sync_core::report::Counts;
use sync_core::{Phase, SyncEvent};
use tokio::sync::mpsc::UnboundedReceiver;

use super::log::StashLog;
use crate::progress::counts_text;

/// The smallest step worth a progress line (Stash redraws the bar on each).
const STEP: f64 = 0.005;

/// Whole-run progress.
#[derive(Debug, Clone)]
pub struct RunProgress {
    weights: BTreeMap<String, f64>,
    total: f64,
    finished: f64,
    current: Option<(String, f64)>,
    sent: Option<f64>,
}

impl RunProgress {
    /// A run over creators with these weights (items each, at least 1).
    pub fn new(weights: impl IntoIterator<Item = (String, u64)>) -> Self {
        let weights: BTreeMap<String, f64> = weights
            .into_iter()
            .map(|(c, w)| (c, w.max(1) as f64))
            .collect();
        let total = weights.values().sum::<f64>().max(1.0);
        Self {
            weights,
            total,
            finished: 0.0,
            current: None,
            sent: None,
        }
    }

    fn weight(&self, creator: &str) -> f64 {
        self.weights.get(creator).copied().unwrap_or(1.0)
    }

    /// The fraction done now.
    pub fn fraction(&self) -> f64 {
        let current = self
            .current
            .as_ref()
            .map_or(0.0, |(c, f)| self.weight(c) * f);
        ((self.finished + current) / self.total).clamp(0.0, 1.0)
    }

    /// Takes an event into account; returns the fraction to report when it moved by at least
    /// one step, reached 1, or is the first report (never a smaller one than before).
    pub fn update(&mut self, event: &SyncEvent) -> Option<f64> {
        match event {
            SyncEvent::RunStarted { .. } => {}
            SyncEvent::CreatorStarted { creator, .. } => {
                self.current = Some((creator.clone(), 0.0));
            }
            SyncEvent::Progress {
                creator,
                phase: Phase::Items,
                done,
                total: Some(total),
            } if *total > 0 => {
                let f = (*done as f64 / *total as f64).clamp(0.0, 1.0);
                match &mut self.current {
                    Some((c, cur)) if c == creator => *cur = cur.max(f),
                    _ => self.current = Some((creator.clone(), f)),
                }
            }
            SyncEvent::CreatorFinished { creator, .. } => {
                self.finished += self.weight(creator);
                self.current = None;
            }
            SyncEvent::RunFinished { interrupted: false } => {
                self.finished = self.total;
                self.current = None;
            }
            _ => {}
        }
        self.report()
    }

    fn report(&mut self) -> Option<f64> {
        let now = self.fraction();
        let moved = match self.sent {
            None => true,
            Some(last) => now >= 1.0 && last < 1.0 || now - last >= STEP,
        };
        if moved {
            self.sent = Some(now);
            Some(now)
        } else {
            None
        }
    }
}

/// The log line an event deserves, if any, and whether it is a warning.
pub fn line_for(event: &SyncEvent) -> Option<(bool, String)> {
    match event {
        SyncEvent::RunStarted { creators, dry_run } => Some((
            false,
            format!(
                "{} of {creators} creator(s) started{}",
                if *dry_run { "Preview" } else { "Sync" },
                if *dry_run {
                    " (dry run: nothing is written)"
                } else {
                    ""
                }
            ),
        )),
        SyncEvent::CreatorStarted {
            creator,
            index,
            total,
        } => Some((false, format!("{creator} ({index} of {total}): started"))),
        SyncEvent::ItemFailed {
            creator,
            kind,
            key,
            error,
        } => Some((
            true,
            format!(
                "{creator}: {} {key} failed: {error} (it is tried again on the next run)",
                kind.as_str()
            ),
        )),
        SyncEvent::CreatorFinished {
            creator,
            counts,
            error,
        } => {
            let text = creator_counts(counts);
            Some(match error {
                Some(e) => (true, format!("{creator}: {e} ({text})")),
                None => (false, format!("{creator}: done ({text})")),
            })
        }
        _ => None,
    }
}

fn creator_counts(counts: &[(domain::ports::EntityKind, Counts)]) -> String {
    let parts: Vec<String> = counts
        .iter()
        .filter(|(_, c)| !c.is_zero())
        .map(|(k, c)| format!("{} {}", k.as_str(), counts_text(c)))
        .collect();
    if parts.is_empty() {
        "nothing to do".to_owned()
    } else {
        parts.join("; ")
    }
}

/// Reads the engine's events until the run ends: progress lines and log lines.
pub async fn drive(mut rx: UnboundedReceiver<SyncEvent>, log: StashLog, mut progress: RunProgress) {
    if let Some(f) = progress.report() {
        log.progress(f);
    }
    while let Some(event) = rx.recv().await {
        if let Some((warning, text)) = line_for(&event) {
            if warning {
                log.warn(&text);
            } else {
                log.info(&text);
            }
        }
        if let Some(f) = progress.update(&event) {
            log.progress(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started(c: &str) -> SyncEvent {
        SyncEvent::CreatorStarted {
            creator: c.into(),
            index: 1,
            total: 2,
        }
    }

    fn items(c: &str, done: u64, total: u64) -> SyncEvent {
        SyncEvent::Progress {
            creator: c.into(),
            phase: Phase::Items,
            done,
            total: Some(total),
        }
    }

    fn finished(c: &str) -> SyncEvent {
        SyncEvent::CreatorFinished {
            creator: c.into(),
            counts: vec![],
            error: None,
        }
    }

    #[test]
    fn the_fraction_weighs_creators_by_items_and_never_goes_back() {
        let mut p = RunProgress::new([("a".to_owned(), 300), ("b".to_owned(), 100)]);
        let mut seen = vec![p.report().unwrap()];
        for e in [
            SyncEvent::RunStarted {
                creators: 2,
                dry_run: false,
            },
            started("a"),
            items("a", 50, 100),
            items("a", 40, 100), // out of order: ignored
            items("a", 100, 100),
            finished("a"),
            started("b"),
            items("b", 10, 20),
            finished("b"),
            SyncEvent::RunFinished { interrupted: false },
        ] {
            if let Some(f) = p.update(&e) {
                seen.push(f);
            }
        }
        assert_eq!(seen, [0.0, 0.375, 0.75, 0.875, 1.0]);
    }

    #[test]
    fn a_creator_with_nothing_to_write_counts_when_finished() {
        let mut p = RunProgress::new([("a".to_owned(), 0), ("b".to_owned(), 0)]);
        p.update(&started("a"));
        assert_eq!(p.update(&finished("a")), Some(0.5));
        // Index progress has no total and does not move the bar.
        let index = SyncEvent::Progress {
            creator: "b".into(),
            phase: Phase::Index,
            done: 5,
            total: None,
        };
        assert_eq!(p.update(&index), None);
    }

    #[test]
    fn failed_items_and_stopped_creators_are_warnings_naming_the_creator() {
        let (warn, text) = line_for(&SyncEvent::ItemFailed {
            creator: "alice".into(),
            kind: domain::ports::EntityKind::Scene,
            key: "media:7".into(),
            error: "boom".into(),
        })
        .unwrap();
        assert!(warn);
        assert_eq!(
            text,
            "alice: scene media:7 failed: boom (it is tried again on the next run)"
        );
        let (warn, text) = line_for(&SyncEvent::CreatorFinished {
            creator: "bob".into(),
            counts: vec![],
            error: Some("stopped: x".into()),
        })
        .unwrap();
        assert!(warn);
        assert_eq!(text, "bob: stopped: x (nothing to do)");
    }
}
