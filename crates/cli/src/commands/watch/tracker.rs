//! [`Tracker`]: which creators a `watch` cycle syncs. It remembers, per creator, the content
//! fingerprint its last finished sync saw, and when to look again at a creator whose sync left
//! something to do (files Stash has not indexed yet, failed items, a creator that stopped).
//!
//! Pure bookkeeping: no I/O, no clock (time is counted in cycles), so every rule is unit
//! tested here. Looking again backs off: after the n-th unfinished attempt the creator waits
//! 2^(n-1) cycles, at most [`RETRY_CAP_CYCLES`]. New content always makes a creator due at
//! once, except while it backs off after a failure (a failing creator is not retried every
//! cycle just because the downloader keeps adding to it).

use std::collections::HashMap;

use domain::ids::AccountId;
use domain::ports::ContentFingerprint;

/// The longest wait, in cycles, before looking at an unfinished creator again (an hour at the
/// default interval).
pub(crate) const RETRY_CAP_CYCLES: u64 = 64;

/// Why a creator is synced this cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Why {
    /// Not synced since `watch` started (the catch-up of the first cycle, or a new creator).
    First,
    /// Its content changed since its last sync.
    Changed {
        /// What it was then.
        before: ContentFingerprint,
        /// What it is now.
        now: ContentFingerprint,
    },
    /// Its last sync left something to do.
    Again(Unfinished),
}

/// What a finished sync left to do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Unfinished {
    /// Downloaded files Stash has not indexed yet.
    pub(crate) awaiting_files: u64,
    /// Items that failed.
    pub(crate) failed_items: usize,
    /// Why the creator stopped early.
    pub(crate) error: Option<String>,
}

impl Unfinished {
    fn is_done(&self) -> bool {
        self.awaiting_files == 0 && self.failed_items == 0 && self.error.is_none()
    }

    /// Whether it is a failure (as opposed to files that are merely not indexed yet).
    fn failed(&self) -> bool {
        self.failed_items > 0 || self.error.is_some()
    }
}

/// A creator to sync, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Due {
    /// The creator.
    pub(crate) id: AccountId,
    /// Why.
    pub(crate) why: Why,
}

/// What to tell the user after recording a sync (each said once, not every cycle).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Notice {
    /// Files not in Stash yet; looked for again in `cycles`.
    Awaiting {
        /// How many.
        files: u64,
        /// When.
        cycles: u64,
    },
    /// The sync did not finish; tried again in `cycles`.
    Failed {
        /// Items that failed.
        items: usize,
        /// Why the creator stopped, if it did.
        error: Option<String>,
        /// When.
        cycles: u64,
    },
    /// What was left to do is done.
    Done,
}

#[derive(Debug, Default)]
struct Track {
    /// What the last finished sync saw (`None` until one finished).
    synced: Option<ContentFingerprint>,
    /// Left to do, how many attempts in a row left something, and the cycle to look again.
    retry: Option<Retry>,
}

#[derive(Debug)]
struct Retry {
    left: Unfinished,
    attempts: u32,
    at_cycle: u64,
}

/// Per-creator memory of a `watch` run.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    tracks: HashMap<AccountId, Track>,
}

/// Cycles to wait after the `attempts`-th unfinished attempt.
pub(crate) fn backoff_cycles(attempts: u32) -> u64 {
    let exp = attempts.saturating_sub(1).min(32);
    (1u64 << exp).min(RETRY_CAP_CYCLES)
}

impl Tracker {
    /// The creators among `watched` to sync in cycle `cycle`, given their current fingerprints
    /// (a creator without one has no content yet and is skipped), in `watched` order.
    pub(crate) fn due(
        &self,
        cycle: u64,
        watched: impl IntoIterator<Item = AccountId>,
        current: &HashMap<AccountId, ContentFingerprint>,
    ) -> Vec<Due> {
        let mut out = Vec::new();
        for id in watched {
            let Some(now) = current.get(&id) else {
                continue;
            };
            let track = self.tracks.get(&id);
            let retry = track.and_then(|t| t.retry.as_ref());
            let waiting = retry.is_some_and(|r| r.at_cycle > cycle);
            let why = match track.and_then(|t| t.synced) {
                None if retry.is_some_and(|r| r.left.failed()) && waiting => None,
                None => Some(Why::First),
                Some(before) if before != *now => {
                    let backing_off = waiting && retry.is_some_and(|r| r.left.failed());
                    (!backing_off).then_some(Why::Changed { before, now: *now })
                }
                Some(_) => retry
                    .filter(|r| r.at_cycle <= cycle)
                    .map(|r| Why::Again(r.left.clone())),
            };
            if let Some(why) = why {
                out.push(Due { id, why });
            }
        }
        out
    }

    /// Records a sync of `id` that ran to its end (`seen`: the fingerprint the cycle started
    /// from), with what it `left` to do.
    pub(crate) fn finished(
        &mut self,
        id: AccountId,
        seen: ContentFingerprint,
        left: Unfinished,
        cycle: u64,
    ) -> Option<Notice> {
        let track = self.tracks.entry(id).or_default();
        if left.error.is_none() {
            track.synced = Some(seen);
        }
        if left.is_done() {
            return track.retry.take().map(|_| Notice::Done);
        }
        let previous = track.retry.take();
        let attempts = previous.as_ref().map_or(0, |r| r.attempts) + 1;
        let cycles = backoff_cycles(attempts);
        let notice = match &previous {
            // Said already: the same thing left, looked at again.
            Some(p) if p.left == left => None,
            _ if left.failed() => Some(Notice::Failed {
                items: left.failed_items,
                error: left.error.clone(),
                cycles,
            }),
            _ => Some(Notice::Awaiting {
                files: left.awaiting_files,
                cycles,
            }),
        };
        track.retry = Some(Retry {
            left,
            attempts,
            at_cycle: cycle + cycles,
        });
        notice
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ports::RowTally;

    const A: AccountId = AccountId(1);
    const B: AccountId = AccountId(2);

    fn fp(posts: u64) -> ContentFingerprint {
        ContentFingerprint {
            posts: RowTally {
                count: posts,
                max_id: i64::try_from(posts).unwrap_or(0),
            },
            ..ContentFingerprint::default()
        }
    }

    fn current(pairs: &[(AccountId, u64)]) -> HashMap<AccountId, ContentFingerprint> {
        pairs.iter().map(|(id, n)| (*id, fp(*n))).collect()
    }

    fn ids(due: &[Due]) -> Vec<AccountId> {
        due.iter().map(|d| d.id).collect()
    }

    fn awaiting(files: u64) -> Unfinished {
        Unfinished {
            awaiting_files: files,
            ..Unfinished::default()
        }
    }

    fn failure(error: &str) -> Unfinished {
        Unfinished {
            error: Some(error.into()),
            ..Unfinished::default()
        }
    }

    #[test]
    fn every_creator_with_content_is_synced_first_then_only_changed_ones() {
        let mut t = Tracker::default();
        let now = current(&[(A, 1), (B, 1)]);
        let due = t.due(1, [A, B, AccountId(3)], &now);
        assert_eq!(ids(&due), [A, B], "a creator without content is skipped");
        assert!(due.iter().all(|d| d.why == Why::First));
        for id in [A, B] {
            assert_eq!(t.finished(id, fp(1), Unfinished::default(), 1), None);
        }
        assert!(t.due(2, [A, B], &now).is_empty(), "idle");
        let due = t.due(3, [A, B], &current(&[(A, 1), (B, 2)]));
        assert_eq!(
            due,
            [Due {
                id: B,
                why: Why::Changed {
                    before: fp(1),
                    now: fp(2)
                }
            }]
        );
    }

    #[test]
    fn awaited_files_are_looked_for_again_with_a_growing_wait_and_said_once() {
        let mut t = Tracker::default();
        let now = current(&[(A, 1)]);
        assert_eq!(
            t.finished(A, fp(1), awaiting(3), 1),
            Some(Notice::Awaiting {
                files: 3,
                cycles: 1
            })
        );
        assert!(t.due(1, [A], &now).is_empty());
        assert_eq!(t.due(2, [A], &now)[0].why, Why::Again(awaiting(3)));
        // Still the same 3: nothing said, and the wait doubles.
        assert_eq!(t.finished(A, fp(1), awaiting(3), 2), None);
        assert!(t.due(3, [A], &now).is_empty());
        assert_eq!(ids(&t.due(4, [A], &now)), [A]);
        assert_eq!(
            t.finished(A, fp(1), Unfinished::default(), 4),
            Some(Notice::Done)
        );
        assert!(t.due(5, [A], &now).is_empty());
        assert!(t.due(500, [A], &now).is_empty());
    }

    #[test]
    fn new_content_does_not_wait_for_awaited_files_but_waits_out_a_failure() {
        let mut t = Tracker::default();
        t.finished(A, fp(1), awaiting(1), 1);
        t.finished(A, fp(1), awaiting(1), 2); // next look at cycle 4
        assert_eq!(ids(&t.due(3, [A], &current(&[(A, 2)]))), [A]);

        let mut t = Tracker::default();
        t.finished(A, fp(1), Unfinished::default(), 1);
        let notice = t.finished(A, fp(2), failure("Stash request failed"), 2);
        assert_eq!(
            notice,
            Some(Notice::Failed {
                items: 0,
                error: Some("Stash request failed".into()),
                cycles: 1
            })
        );
        // The failed sync is not recorded as seen: the change is still pending.
        let due = t.due(3, [A], &current(&[(A, 2)]));
        assert_eq!(
            due[0].why,
            Why::Changed {
                before: fp(1),
                now: fp(2)
            }
        );
        t.finished(A, fp(2), failure("Stash request failed"), 3); // waits 2: cycle 5
        assert!(t.due(4, [A], &current(&[(A, 3)])).is_empty());
        assert_eq!(ids(&t.due(5, [A], &current(&[(A, 3)]))), [A]);
    }

    #[test]
    fn a_creator_that_fails_at_its_first_sync_backs_off_too() {
        let mut t = Tracker::default();
        let now = current(&[(A, 1)]);
        t.finished(A, fp(1), failure("not synced: placeholder"), 1);
        assert_eq!(ids(&t.due(2, [A], &now)), [A]);
        assert_eq!(
            t.finished(A, fp(1), failure("not synced: placeholder"), 2),
            None
        );
        assert!(t.due(3, [A], &now).is_empty());
        assert_eq!(t.due(4, [A], &now)[0].why, Why::First);
    }

    #[test]
    fn failed_items_are_retried_and_the_wait_is_capped() {
        let mut t = Tracker::default();
        let now = current(&[(A, 1)]);
        let items = Unfinished {
            failed_items: 2,
            ..Unfinished::default()
        };
        let mut cycle = 1;
        for _ in 0..20 {
            t.finished(A, fp(1), items.clone(), cycle);
            let next = (cycle + 1..cycle + 1000)
                .find(|c| !t.due(*c, [A], &now).is_empty())
                .unwrap();
            assert!(next - cycle <= RETRY_CAP_CYCLES);
            cycle = next;
        }
        assert_eq!(backoff_cycles(1), 1);
        assert_eq!(backoff_cycles(3), 4);
        assert_eq!(backoff_cycles(40), RETRY_CAP_CYCLES);
    }
}
