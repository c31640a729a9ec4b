//! What one creator's sync accumulates as it goes: counts per kind, failed items, notes about
//! what was left alone, and (in a dry run) planned changes.

use domain::ports::EntityKind;

use crate::monitor::{SyncEvent, SyncMonitor};
use crate::planner::PlannedChange;
use crate::report::{Counts, CountsByKind, ItemError, SkipNote};

/// The running tally of one creator.
#[derive(Debug, Default)]
pub(crate) struct CreatorOutcome {
    pub(crate) creator: String,
    pub(crate) counts: CountsByKind,
    pub(crate) errors: Vec<ItemError>,
    pub(crate) skipped: Vec<SkipNote>,
    pub(crate) healed: Vec<SkipNote>,
    pub(crate) plan: Vec<PlannedChange>,
    pub(crate) interrupted: bool,
    /// Downloaded media Stash has no file for yet (also counted as skipped).
    pub(crate) awaiting_files: u64,
    /// Why the creator's folder was not scanned (it lies outside Stash's libraries): reported
    /// as the creator's error although the rest of its sync ran.
    pub(crate) scan_error: Option<String>,
}

/// A delta of counts, per kind, sent as events once per batch.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) counts: CountsByKind,
    pub(crate) errors: Vec<ItemError>,
    pub(crate) skipped: Vec<SkipNote>,
    pub(crate) healed: Vec<SkipNote>,
    pub(crate) plan: Vec<PlannedChange>,
    /// Downloaded media Stash has no file for yet (also counted as skipped).
    pub(crate) awaiting_files: u64,
}

impl Tally {
    fn entry(&mut self, kind: EntityKind) -> &mut Counts {
        self.counts.entry(kind).or_default()
    }

    pub(crate) fn created(&mut self, kind: EntityKind) {
        self.entry(kind).created += 1;
    }

    pub(crate) fn updated(&mut self, kind: EntityKind) {
        self.entry(kind).updated += 1;
    }

    pub(crate) fn unchanged(&mut self, kind: EntityKind) {
        self.entry(kind).unchanged += 1;
    }

    pub(crate) fn skipped(&mut self, creator: &str, kind: EntityKind, what: &str, reason: &str) {
        self.entry(kind).skipped += 1;
        self.note(creator, what, reason);
    }

    /// A downloaded media whose file Stash does not have (yet): skipped, and counted so a
    /// caller can look again later.
    pub(crate) fn awaiting(&mut self, creator: &str, kind: EntityKind, what: &str, reason: &str) {
        self.skipped(creator, kind, what, reason);
        self.awaiting_files += 1;
    }

    /// [`Tally::awaiting`] for a file whose reason was noted earlier (once per file, not once
    /// per phase).
    pub(crate) fn awaiting_noted_before(&mut self, kind: EntityKind) {
        self.entry(kind).skipped += 1;
        self.awaiting_files += 1;
    }

    pub(crate) fn note(&mut self, creator: &str, what: &str, reason: &str) {
        self.skipped.push(SkipNote {
            creator: creator.to_owned(),
            what: what.to_owned(),
            reason: reason.to_owned(),
        });
    }

    /// Notes a stale id that was forgotten (and what happens instead).
    pub(crate) fn healed(&mut self, creator: &str, what: &str, reason: &str) {
        self.healed.push(SkipNote {
            creator: creator.to_owned(),
            what: what.to_owned(),
            reason: reason.to_owned(),
        });
    }

    /// Takes out what planning a batch again (after a heal) decides anew: failures, unchanged
    /// and skipped counts, and the notes. What stays is what stands: the objects created or
    /// updated, and the healed notes.
    pub(crate) fn take_replanned(&mut self) -> Tally {
        let mut out = Tally::default();
        for (kind, c) in &mut self.counts {
            let moved = Counts {
                unchanged: std::mem::take(&mut c.unchanged),
                skipped: std::mem::take(&mut c.skipped),
                failed: std::mem::take(&mut c.failed),
                ..Counts::default()
            };
            if !moved.is_zero() {
                out.counts.insert(*kind, moved);
            }
        }
        self.counts.retain(|_, c| !c.is_zero());
        out.errors = std::mem::take(&mut self.errors);
        out.skipped = std::mem::take(&mut self.skipped);
        out.awaiting_files = std::mem::take(&mut self.awaiting_files);
        out
    }

    pub(crate) fn failed(&mut self, creator: &str, kind: EntityKind, key: &str, error: &str) {
        self.entry(kind).failed += 1;
        self.errors.push(ItemError {
            creator: creator.to_owned(),
            kind,
            key: key.to_owned(),
            error: error.to_owned(),
        });
    }
}

impl CreatorOutcome {
    pub(crate) fn new(creator: &str) -> Self {
        Self {
            creator: creator.to_owned(),
            ..Self::default()
        }
    }

    /// Folds a batch's tally in and tells the monitor.
    pub(crate) fn absorb(&mut self, tally: Tally, monitor: &SyncMonitor) {
        self.awaiting_files += tally.awaiting_files;
        for (kind, delta) in tally.counts {
            *self.counts.entry(kind).or_default() += delta;
            monitor.emit(SyncEvent::Counted {
                creator: self.creator.clone(),
                kind,
                counts: delta,
            });
        }
        for e in tally.errors {
            monitor.emit(SyncEvent::ItemFailed {
                creator: e.creator.clone(),
                kind: e.kind,
                key: e.key.clone(),
                error: e.error.clone(),
            });
            self.errors.push(e);
        }
        for note in &tally.skipped {
            tracing::info!(creator = %note.creator, what = %note.what, reason = %note.reason, "left alone");
        }
        self.skipped.extend(tally.skipped);
        for note in &tally.healed {
            tracing::warn!(creator = %note.creator, what = %note.what, reason = %note.reason, "stale id healed");
        }
        self.healed.extend(tally.healed);
        self.plan.extend(tally.plan);
    }
}
