//! [`SyncReport`]: what a run did, per object kind, with the errors, the request count and, in
//! a dry run, the plan.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::AddAssign;
use std::time::Duration;

use domain::ports::{AttachmentCoverage, EntityKind};
use domain::stash::RequestStats;

use crate::planner::Plan;

/// How many objects of one kind ended how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Created in Stash (galleries, chapters, performers, studios, tags).
    pub created: u64,
    /// Changed in Stash.
    pub updated: u64,
    /// Already as desired (by fingerprint or by comparison).
    pub unchanged: u64,
    /// Left alone on purpose (organized, not ours, not in Stash yet).
    pub skipped: u64,
    /// Failed; recorded and retried next run.
    pub failed: u64,
}

impl Counts {
    /// All objects counted.
    pub fn total(&self) -> u64 {
        self.created + self.updated + self.unchanged + self.skipped + self.failed
    }

    /// Whether nothing was counted.
    pub fn is_zero(&self) -> bool {
        self.total() == 0
    }
}

impl AddAssign for Counts {
    fn add_assign(&mut self, o: Self) {
        self.created += o.created;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
        self.skipped += o.skipped;
        self.failed += o.failed;
    }
}

/// Counts per object kind.
pub type CountsByKind = BTreeMap<EntityKind, Counts>;

/// One failed object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemError {
    /// The creator.
    pub creator: String,
    /// The object kind.
    pub kind: EntityKind,
    /// The source key (`post:1`, `media:2`, ...).
    pub key: String,
    /// What went wrong.
    pub error: String,
}

/// Something left alone on purpose, with the reason (shown in verbose reports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkipNote {
    /// The creator.
    pub creator: String,
    /// What was skipped (a key or a file path).
    pub what: String,
    /// Why.
    pub reason: String,
}

/// How a run ended, as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunOutcome {
    /// Everything that was to be done was done.
    Ok,
    /// Some items or creators failed (they are retried next run).
    Partial,
    /// A cancel cut the run short.
    Interrupted,
    /// Stash or the state store became unusable and the run stopped.
    Failed,
}

impl RunOutcome {
    /// The name stored with the run in the sync state (`ok`, `partial`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RunOutcome::Ok => "ok",
            RunOutcome::Partial => "partial",
            RunOutcome::Interrupted => "interrupted",
            RunOutcome::Failed => "failed",
        }
    }
}

impl fmt::Display for RunOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one creator went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatorReport {
    /// The username.
    pub creator: String,
    /// Counts per kind.
    pub counts: CountsByKind,
    /// Why the creator stopped early (the text starts with `stopped: `), or why its folder
    /// could not be scanned (its sync then ran on what Stash already had).
    pub error: Option<String>,
    /// Downloaded media whose file Stash does not have yet (not scanned, still indexing, or
    /// missing on the Stash side); also counted as skipped. A later run looks for them again.
    pub awaiting_files: u64,
    /// How far the creator's posts and messages reach its downloaded media: the media none
    /// reaches get code, date, studio and performer only (no gallery, title, tags, mentions).
    pub attachments: AttachmentCoverage,
    /// The creator's download folder on this machine, when it does not exist: nothing was
    /// scanned, listed or written for the creator.
    pub absent_folder: Option<String>,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    /// Per creator, in run order.
    pub creators: Vec<CreatorReport>,
    /// Objects that failed.
    pub errors: Vec<ItemError>,
    /// Objects and files left alone on purpose.
    pub skipped: Vec<SkipNote>,
    /// Remembered ids Stash no longer had (the user deleted the object): forgotten, and found
    /// or created again by natural key.
    pub healed: Vec<SkipNote>,
    /// Stash requests made during the run, per operation.
    pub requests: RequestStats,
    /// Wall time.
    pub duration: Duration,
    /// Whether a cancel cut the run short.
    pub interrupted: bool,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// In a dry run, what would have been written.
    pub plan: Option<Plan>,
}

impl SyncReport {
    /// Counts per kind over every creator.
    pub fn totals(&self) -> CountsByKind {
        let mut t = CountsByKind::new();
        for c in &self.creators {
            for (k, v) in &c.counts {
                *t.entry(*k).or_default() += *v;
            }
        }
        t
    }

    /// [`RunOutcome::Ok`], [`RunOutcome::Partial`] (some items or creators failed), or
    /// [`RunOutcome::Interrupted`]; a run that failed as a whole has no report.
    pub fn outcome(&self) -> RunOutcome {
        if self.interrupted {
            RunOutcome::Interrupted
        } else if !self.errors.is_empty() || self.creators.iter().any(|c| c.error.is_some()) {
            RunOutcome::Partial
        } else {
            RunOutcome::Ok
        }
    }

    /// The creators whose download folder does not exist on this machine (skipped).
    pub fn absent_folders(&self) -> impl Iterator<Item = &CreatorReport> {
        self.creators.iter().filter(|c| c.absent_folder.is_some())
    }

    /// One line of counts, e.g. `gallery 3 created, 1 updated; scene 4 unchanged`.
    pub fn summary_line(&self) -> String {
        let parts: Vec<String> = self
            .totals()
            .iter()
            .filter(|(_, c)| !c.is_zero())
            .map(|(k, c)| {
                let mut bits = Vec::new();
                for (n, label) in [
                    (c.created, "created"),
                    (c.updated, "updated"),
                    (c.unchanged, "unchanged"),
                    (c.skipped, "skipped"),
                    (c.failed, "failed"),
                ] {
                    if n > 0 {
                        bits.push(format!("{n} {label}"));
                    }
                }
                format!("{} {}", k.as_str(), bits.join(", "))
            })
            .collect();
        if parts.is_empty() {
            "nothing to do".to_owned()
        } else {
            parts.join("; ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_sum_creators_and_outcome_reflects_errors() {
        let mut r = SyncReport::default();
        let mut c = CountsByKind::new();
        c.insert(
            EntityKind::Scene,
            Counts {
                updated: 2,
                ..Counts::default()
            },
        );
        r.creators.push(CreatorReport {
            creator: "a".into(),
            counts: c.clone(),
            error: None,
            awaiting_files: 0,
            attachments: AttachmentCoverage::default(),
            absent_folder: None,
        });
        r.creators.push(CreatorReport {
            creator: "b".into(),
            counts: c,
            error: None,
            awaiting_files: 0,
            attachments: AttachmentCoverage::default(),
            absent_folder: Some("/dl/b_fansly".into()),
        });
        assert_eq!(r.totals()[&EntityKind::Scene].updated, 4);
        assert_eq!(r.outcome(), RunOutcome::Ok);
        assert_eq!(r.summary_line(), "scene 4 updated");
        let absent: Vec<&str> = r.absent_folders().map(|c| c.creator.as_str()).collect();
        assert_eq!(absent, ["b"]);
        r.errors.push(ItemError {
            creator: "a".into(),
            kind: EntityKind::Image,
            key: "media:1".into(),
            error: "x".into(),
        });
        assert_eq!(r.outcome(), RunOutcome::Partial);
        r.interrupted = true;
        assert_eq!(r.outcome(), RunOutcome::Interrupted);
        assert_eq!(r.outcome().as_str(), "interrupted");
        assert_eq!(SyncReport::default().summary_line(), "nothing to do");
    }
}
