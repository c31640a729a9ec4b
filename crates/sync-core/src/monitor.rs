//! [`SyncMonitor`]: the stream of events a run emits (phases, progress, counts, errors). The
//! CLI renders them as progress bars; tests collect and assert on them.

use std::fmt;
use std::sync::{Arc, Mutex};

use domain::ports::EntityKind;
use tokio::sync::mpsc;

use crate::report::Counts;

/// The steps of one creator's sync, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Asking Stash to scan the creator's folder.
    Scan,
    /// Reading the creator's items once to index media owners and file names.
    Index,
    /// Listing the Stash files under the creator's folder and matching them.
    Files,
    /// Finding or creating performers, studios and tags.
    Entities,
    /// Planning and writing galleries, scenes, images and chapters, batch by batch.
    Items,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Scan => "scan",
            Phase::Index => "index",
            Phase::Files => "files",
            Phase::Entities => "entities",
            Phase::Items => "items",
        })
    }
}

/// Something that happened during a run.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    /// A run over `creators` creators started.
    RunStarted {
        /// How many creators.
        creators: usize,
        /// Whether it is a dry run.
        dry_run: bool,
    },
    /// A creator's sync started.
    CreatorStarted {
        /// The username.
        creator: String,
        /// 1-based position in the run.
        index: usize,
        /// Creators in the run.
        total: usize,
    },
    /// A phase of a creator started.
    PhaseStarted {
        /// The username.
        creator: String,
        /// The phase.
        phase: Phase,
    },
    /// Progress within a phase: `done` of `total` units (items, files).
    Progress {
        /// The username.
        creator: String,
        /// The phase.
        phase: Phase,
        /// Units done.
        done: u64,
        /// Units in all, when known.
        total: Option<u64>,
    },
    /// One object kind's counts changed by this delta (sent once per batch and kind).
    Counted {
        /// The username.
        creator: String,
        /// The object kind.
        kind: EntityKind,
        /// The delta.
        counts: Counts,
    },
    /// An object could not be synced (it will be retried next run).
    ItemFailed {
        /// The username.
        creator: String,
        /// The object kind.
        kind: EntityKind,
        /// Its source key.
        key: String,
        /// What went wrong.
        error: String,
    },
    /// A creator finished (possibly with an error that stopped it).
    CreatorFinished {
        /// The username.
        creator: String,
        /// Totals per kind.
        counts: Vec<(EntityKind, Counts)>,
        /// Why the creator stopped early (starting `stopped: `), or why its folder could not
        /// be scanned (its sync then ran on what Stash already had).
        error: Option<String>,
    },
    /// The run ended.
    RunFinished {
        /// Whether it was cut short by a cancel.
        interrupted: bool,
    },
}

/// Where events go: a channel, an in-memory log, both, or nowhere.
#[derive(Debug, Clone, Default)]
pub struct SyncMonitor {
    sender: Option<mpsc::UnboundedSender<SyncEvent>>,
    log: Option<EventLog>,
}

/// Events collected in memory (for tests and the final report).
#[derive(Debug, Clone, Default)]
pub struct EventLog(Arc<Mutex<Vec<SyncEvent>>>);

impl EventLog {
    /// Every event so far, in order.
    pub fn events(&self) -> Vec<SyncEvent> {
        match self.0.lock() {
            Ok(v) => v.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn push(&self, e: SyncEvent) {
        match self.0.lock() {
            Ok(mut v) => v.push(e),
            Err(poisoned) => poisoned.into_inner().push(e),
        }
    }
}

impl SyncMonitor {
    /// A monitor that only logs through `tracing`.
    pub fn silent() -> Self {
        Self::default()
    }

    /// A monitor feeding a channel (the CLI's progress renderer reads the receiver). Sending
    /// never blocks the sync; events are dropped once the receiver is gone.
    pub fn channel() -> (Self, mpsc::UnboundedReceiver<SyncEvent>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (
            Self {
                sender: Some(tx),
                log: None,
            },
            rx,
        )
    }

    /// A monitor collecting every event in memory.
    pub fn collecting() -> (Self, EventLog) {
        let log = EventLog::default();
        (
            Self {
                sender: None,
                log: Some(log.clone()),
            },
            log,
        )
    }

    /// Emits an event.
    pub fn emit(&self, event: SyncEvent) {
        match &event {
            SyncEvent::ItemFailed {
                creator,
                kind,
                key,
                error,
            } => tracing::warn!(creator, kind = kind.as_str(), key, error, "item failed"),
            SyncEvent::PhaseStarted { creator, phase } => {
                tracing::info!(creator, %phase, "phase started")
            }
            SyncEvent::CreatorFinished { creator, error, .. } => {
                tracing::info!(creator, error = error.as_deref(), "creator finished")
            }
            other => tracing::debug!(event = ?other, "sync event"),
        }
        if let Some(log) = &self.log {
            log.push(event.clone());
        }
        if let Some(tx) = &self.sender {
            let _ = tx.send(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn channel_and_log_receive_events_in_order() {
        let (m, mut rx) = SyncMonitor::channel();
        m.emit(SyncEvent::RunStarted {
            creators: 2,
            dry_run: false,
        });
        m.emit(SyncEvent::RunFinished { interrupted: true });
        assert_eq!(
            rx.recv().await,
            Some(SyncEvent::RunStarted {
                creators: 2,
                dry_run: false
            })
        );
        assert_eq!(
            rx.recv().await,
            Some(SyncEvent::RunFinished { interrupted: true })
        );
        let (m, log) = SyncMonitor::collecting();
        m.emit(SyncEvent::RunFinished { interrupted: false });
        assert_eq!(
            log.events(),
            [SyncEvent::RunFinished { interrupted: false }]
        );
        drop(rx);
        SyncMonitor::silent().emit(SyncEvent::RunFinished { interrupted: false });
    }
}
