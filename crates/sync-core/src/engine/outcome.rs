//! [`Outcome`]: what a piece of a creator's sync did (counts per kind, failed objects, notes
//! about what was left alone, healed ids). One type serves both as the delta of one step (a
//! batch, a phase) and as the creator's running total, into which each delta is
//! [absorbed](Outcome::absorb) while the monitor is told.

use std::fmt::Display;

use domain::ports::EntityKind;

use crate::monitor::{SyncEvent, SyncMonitor};
use crate::report::{Counts, CountsByKind, ItemError, SkipNote};

/// What one creator's sync (or one step of it) did.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    creator: String,
    pub(crate) counts: CountsByKind,
    pub(crate) errors: Vec<ItemError>,
    pub(crate) skipped: Vec<SkipNote>,
    pub(crate) healed: Vec<SkipNote>,
    /// Downloaded media Stash has no file for yet (also counted as skipped), so a caller such
    /// as `watch` can look again later.
    pub(crate) awaiting_files: u64,
}

impl Outcome {
    /// Nothing yet, for `creator`.
    pub(crate) fn new(creator: &str) -> Self {
        Self {
            creator: creator.to_owned(),
            ..Self::default()
        }
    }

    /// The creator.
    pub(crate) fn creator(&self) -> &str {
        &self.creator
    }

    /// An empty outcome for the same creator.
    pub(crate) fn fresh(&self) -> Self {
        Self::new(&self.creator)
    }

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

    /// Counts `created` or, when the object was found, `unchanged`.
    pub(crate) fn found_or_created(&mut self, kind: EntityKind, created: bool) {
        if created {
            self.created(kind)
        } else {
            self.unchanged(kind)
        }
    }

    /// Counts a skip of `what` and notes why.
    pub(crate) fn skipped(&mut self, kind: EntityKind, what: impl Display, reason: &str) {
        self.entry(kind).skipped += 1;
        self.note(what, reason);
    }

    /// A downloaded media whose file Stash does not have (yet): skipped, noted, and counted as
    /// awaiting its file.
    pub(crate) fn awaiting(&mut self, kind: EntityKind, what: impl Display, reason: &str) {
        self.skipped(kind, what, reason);
        self.awaiting_files += 1;
    }

    /// [`Outcome::awaiting`] for a file whose reason was noted earlier (once per file, not once
    /// per phase).
    pub(crate) fn awaiting_noted_before(&mut self, kind: EntityKind) {
        self.entry(kind).skipped += 1;
        self.awaiting_files += 1;
    }

    /// Notes something left alone (or worth knowing) without counting it.
    pub(crate) fn note(&mut self, what: impl Display, reason: &str) {
        self.skipped.push(SkipNote {
            creator: self.creator.clone(),
            what: what.to_string(),
            reason: reason.to_owned(),
        });
    }

    /// Notes a stale id that was forgotten (and what happens instead).
    pub(crate) fn healed(&mut self, what: impl Display, reason: &str) {
        self.healed.push(SkipNote {
            creator: self.creator.clone(),
            what: what.to_string(),
            reason: reason.to_owned(),
        });
    }

    /// Counts a failed object and keeps its error for the report.
    pub(crate) fn failed(&mut self, kind: EntityKind, key: impl Display, error: &str) {
        self.entry(kind).failed += 1;
        self.errors.push(ItemError {
            creator: self.creator.clone(),
            kind,
            key: key.to_string(),
            error: error.to_owned(),
        });
    }

    /// Takes out what planning a batch again (after a heal) decides anew: failures, unchanged
    /// and skipped counts, and the notes. What stays is what stands: the objects created or
    /// updated, and the healed notes.
    pub(crate) fn take_replanned(&mut self) -> Outcome {
        let mut out = self.fresh();
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

    /// Folds a step's outcome in and tells the monitor (counts per kind, each failure).
    pub(crate) fn absorb(&mut self, step: Outcome, monitor: &SyncMonitor) {
        self.awaiting_files += step.awaiting_files;
        for (kind, delta) in step.counts {
            *self.counts.entry(kind).or_default() += delta;
            monitor.emit(SyncEvent::Counted {
                creator: self.creator.clone(),
                kind,
                counts: delta,
            });
        }
        for e in step.errors {
            monitor.emit(SyncEvent::ItemFailed {
                creator: e.creator.clone(),
                kind: e.kind,
                key: e.key.clone(),
                error: e.error.clone(),
            });
            self.errors.push(e);
        }
        for note in &step.skipped {
            tracing::info!(creator = %note.creator, what = %note.what, reason = %note.reason, "left alone");
        }
        self.skipped.extend(step.skipped);
        for note in &step.healed {
            tracing::warn!(creator = %note.creator, what = %note.what, reason = %note.reason, "stale id healed");
        }
        self.healed.extend(step.healed);
    }
}
