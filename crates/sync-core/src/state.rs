//! [`SyncState`]: the in-memory view of what we remember about one creator, loaded through
//! the [`SyncStateStore`](domain::ports::SyncStateStore) port, updated as batches complete and
//! handed back for saving after each batch (so a killed run loses at most the batch in flight).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use domain::ids::AccountId;
use domain::ports::{EntityKind, SyncRecord};

/// What we remember about one creator's Stash objects.
#[derive(Debug, Clone)]
pub struct SyncState {
    creator: AccountId,
    records: HashMap<(EntityKind, String), SyncRecord>,
    dirty: BTreeSet<(EntityKind, String)>,
}

impl SyncState {
    /// The state of a creator from its stored records.
    pub fn new(creator: AccountId, records: Vec<SyncRecord>) -> Self {
        let records = records
            .into_iter()
            .map(|r| ((r.kind, r.key.clone()), r))
            .collect();
        Self {
            creator,
            records,
            dirty: BTreeSet::new(),
        }
    }

    /// The record of one object.
    pub fn get(&self, kind: EntityKind, key: &str) -> Option<&SyncRecord> {
        self.records.get(&(kind, key.to_owned()))
    }

    /// The Stash id we know for a key.
    pub fn stash_id(&self, kind: EntityKind, key: &str) -> Option<&str> {
        self.get(kind, key).and_then(|r| r.stash_id.as_deref())
    }

    /// Whether we last wrote exactly `fingerprint` to `stash_id` (or found it in place) and
    /// the write did not fail: then there is nothing to read or write.
    pub fn is_current(
        &self,
        kind: EntityKind,
        key: &str,
        stash_id: &str,
        fingerprint: u64,
    ) -> bool {
        self.get(kind, key).is_some_and(|r| {
            r.stash_id.as_deref() == Some(stash_id)
                && r.fingerprint == Some(fingerprint)
                && r.last_error.is_none()
        })
    }

    fn upsert(&mut self, kind: EntityKind, key: &str, f: impl FnOnce(&mut SyncRecord)) {
        let creator = self.creator;
        let rec = self
            .records
            .entry((kind, key.to_owned()))
            .or_insert_with(|| SyncRecord {
                creator,
                kind,
                key: key.to_owned(),
                stash_id: None,
                fingerprint: None,
                written_at: None,
                last_error: None,
            });
        f(rec);
        self.dirty.insert((kind, key.to_owned()));
    }

    /// Records that `stash_id` now carries what `fingerprint` describes.
    pub fn mark_written(
        &mut self,
        kind: EntityKind,
        key: &str,
        stash_id: &str,
        fingerprint: u64,
        at: DateTime<Utc>,
    ) {
        self.upsert(kind, key, |r| {
            r.stash_id = Some(stash_id.to_owned());
            r.fingerprint = Some(fingerprint);
            r.written_at = Some(at);
            r.last_error = None;
        });
    }

    /// Records a failure: the stash id (when known) is kept, the fingerprint is left as it
    /// was so the next run tries again.
    pub fn mark_failed(
        &mut self,
        kind: EntityKind,
        key: &str,
        stash_id: Option<&str>,
        error: &str,
    ) {
        self.upsert(kind, key, |r| {
            if let Some(id) = stash_id {
                r.stash_id = Some(id.to_owned());
            }
            r.last_error = Some(error.to_owned());
        });
    }

    /// Records changed since the last call, for saving.
    pub fn take_dirty(&mut self) -> Vec<SyncRecord> {
        let dirty = std::mem::take(&mut self.dirty);
        dirty
            .into_iter()
            .filter_map(|k| self.records.get(&k).cloned())
            .collect()
    }

    /// Puts records back on the dirty list (after a failed save).
    pub fn restore_dirty(&mut self, records: &[SyncRecord]) {
        for r in records {
            self.dirty.insert((r.kind, r.key.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_only_with_same_id_same_fingerprint_and_no_error() {
        let mut s = SyncState::new(AccountId(1), vec![]);
        assert!(!s.is_current(EntityKind::Scene, "media:1", "s1", 7));
        s.mark_written(EntityKind::Scene, "media:1", "s1", 7, Utc::now());
        assert!(s.is_current(EntityKind::Scene, "media:1", "s1", 7));
        assert!(
            !s.is_current(EntityKind::Scene, "media:1", "s2", 7),
            "object changed"
        );
        assert!(
            !s.is_current(EntityKind::Scene, "media:1", "s1", 8),
            "source changed"
        );
        s.mark_failed(EntityKind::Scene, "media:1", None, "boom");
        assert!(
            !s.is_current(EntityKind::Scene, "media:1", "s1", 7),
            "failed items are retried"
        );
        let rec = s.get(EntityKind::Scene, "media:1").unwrap();
        assert_eq!(
            (rec.fingerprint, rec.stash_id.as_deref()),
            (Some(7), Some("s1"))
        );
    }

    #[test]
    fn dirty_records_are_handed_out_once() {
        let mut s = SyncState::new(AccountId(1), vec![]);
        s.mark_written(EntityKind::Tag, "tag:a", "1", 0, Utc::now());
        s.mark_written(EntityKind::Tag, "tag:a", "1", 0, Utc::now());
        let d = s.take_dirty();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].creator, AccountId(1));
        assert!(s.take_dirty().is_empty());
        s.restore_dirty(&d);
        assert_eq!(s.take_dirty().len(), 1);
    }
}
