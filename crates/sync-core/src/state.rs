//! [`SyncState`]: the in-memory view of what we remember about one creator, loaded through
//! the [`SyncStateStore`](domain::ports::SyncStateStore) port, updated as batches complete and
//! handed back for saving after each batch (so a killed run loses at most the batch in flight).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use domain::ids::AccountId;
use domain::ports::{EntityKind, FieldHashes, SyncRecord};

use crate::planner::Ownership;

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
                field_hashes: None,
            });
        f(rec);
        self.dirty.insert((kind, key.to_owned()));
    }

    /// Who owns the scalar fields of the object `stash_id` that `key` maps to: the hashes of
    /// what we last wrote there, nothing when the record is about another object (a re-scan
    /// made a new one), or "all ours" for a record written before fields were tracked (the
    /// old per-object rule, kept so an upgraded state file does not freeze our own titles).
    pub fn ownership(&self, kind: EntityKind, key: &str, stash_id: &str, force: bool) -> Ownership {
        let Some(r) = self
            .get(kind, key)
            .filter(|r| r.stash_id.as_deref() == Some(stash_id))
        else {
            return Ownership::new(FieldHashes::new(), force);
        };
        match &r.field_hashes {
            Some(h) => Ownership::new(h.clone(), force),
            None if r.fingerprint.is_some() => Ownership::legacy(force),
            None => Ownership::new(FieldHashes::new(), force),
        }
    }

    /// Records that `stash_id` now carries what `fingerprint` describes, and that the fields
    /// in `fields` hold the values we own (by hash).
    pub fn mark_stamped(
        &mut self,
        kind: EntityKind,
        key: &str,
        stash_id: &str,
        fingerprint: u64,
        fields: FieldHashes,
        at: DateTime<Utc>,
    ) {
        self.upsert(kind, key, |r| {
            r.stash_id = Some(stash_id.to_owned());
            r.fingerprint = Some(fingerprint);
            r.written_at = Some(at);
            r.last_error = None;
            r.field_hashes = Some(fields);
        });
    }

    /// Forgets the Stash id of a record (and what we wrote there): the object is gone from
    /// Stash, so the next lookup finds or creates it again by its natural key.
    pub fn forget(&mut self, kind: EntityKind, key: &str) {
        if self.get(kind, key).is_none() {
            return;
        }
        self.upsert(kind, key, |r| {
            r.stash_id = None;
            r.fingerprint = None;
            r.field_hashes = None;
        });
    }

    /// Forgets the Stash ids of every record `which(kind, key)` picks; returns how many were
    /// known.
    pub fn forget_where(&mut self, which: impl Fn(EntityKind, &str) -> bool) -> usize {
        let keys: Vec<(EntityKind, String)> = self
            .records
            .iter()
            .filter(|((k, key), r)| which(*k, key) && r.stash_id.is_some())
            .map(|(k, _)| k.clone())
            .collect();
        for (kind, key) in &keys {
            self.forget(*kind, key);
        }
        keys.len()
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
    fn ownership_comes_from_the_record_of_the_same_object() {
        let mut s = SyncState::new(AccountId(1), vec![]);
        let fields: FieldHashes = [("title".to_owned(), 5)].into_iter().collect();
        s.mark_stamped(
            EntityKind::Image,
            "media:1",
            "i1",
            7,
            fields.clone(),
            Utc::now(),
        );
        assert_eq!(
            s.ownership(EntityKind::Image, "media:1", "i1", false),
            Ownership::new(fields, false)
        );
        assert_eq!(
            s.ownership(EntityKind::Image, "media:1", "i2", false),
            Ownership::new(FieldHashes::new(), false),
            "another object: nothing of it is known to be ours"
        );
        // A record from before per-field tracking: the old per-object rule.
        s.mark_written(EntityKind::Image, "media:2", "i3", 7, Utc::now());
        assert_eq!(
            s.ownership(EntityKind::Image, "media:2", "i3", false),
            Ownership::legacy(false)
        );
        s.forget(EntityKind::Image, "media:1");
        let r = s.get(EntityKind::Image, "media:1").unwrap();
        assert_eq!(
            (
                r.stash_id.as_deref(),
                r.fingerprint,
                r.field_hashes.as_ref()
            ),
            (None, None, None)
        );
        s.mark_written(EntityKind::Tag, "tag:a", "t", 0, Utc::now());
        s.mark_written(EntityKind::Tag, "tag:b", "u", 0, Utc::now());
        assert_eq!(
            s.forget_where(|k, key| k == EntityKind::Tag && key != "tag:b"),
            1
        );
        assert_eq!(s.stash_id(EntityKind::Tag, "tag:b"), Some("u"));
        assert_eq!(s.stash_id(EntityKind::Tag, "tag:a"), None);
        assert_eq!(s.stash_id(EntityKind::Image, "media:2"), Some("i3"));
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
