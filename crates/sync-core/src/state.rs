//! What we remember about one creator between runs, loaded through the
//! [`SyncStateStore`](domain::ports::SyncStateStore) port: [`SyncState`] is the state as it was
//! loaded (a read-only view, shared with the items phase's reader), [`StateWriter`] is the one
//! value that changes it (the single writer's), handing changed records back for saving after
//! each batch so a killed run loses at most the batch in flight.
//!
//! Records are keyed by [`StateKey`], which formats itself as the stored key (`media:12`,
//! `post:3`, `tag:summer`, ...): the format is the one sync-state files have always held.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::content::ItemSource;
use domain::ids::{AccountId, GalleryId, MediaId, MessageId, PostId};
use domain::ports::{EntityKind, FieldHashes, SyncRecord};

use crate::planner::Ownership;

/// What a record is about, as stored: `media:<id>` (a scene or an image, stamped from one
/// media), `post:<id>` / `message:<id>` (a gallery), `performer:<key>`, `studio:<name>`,
/// `tag:<name>`; `gallery:<id>:<title>` names a chapter in reports.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StateKey {
    /// A media: the scene or image it is stamped onto, or an unattached media's item.
    Media(MediaId),
    /// A post: its gallery.
    Post(PostId),
    /// A message: its gallery.
    Message(MessageId),
    /// A performer, by performer key (the lowercased username).
    Performer(String),
    /// A studio, by name.
    Studio(String),
    /// A tag, by name.
    Tag(String),
    /// A chapter of a gallery, by title.
    Chapter {
        /// The gallery.
        gallery: GalleryId,
        /// The chapter's title.
        title: String,
    },
}

impl StateKey {
    /// The key of a content item (its gallery's record).
    pub fn of_item(source: &ItemSource) -> Self {
        match source {
            ItemSource::Post(id) => StateKey::Post(*id),
            ItemSource::Message { id, .. } => StateKey::Message(*id),
            ItemSource::Unattached(id) => StateKey::Media(*id),
        }
    }
}

impl fmt::Display for StateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateKey::Media(id) => write!(f, "media:{id}"),
            StateKey::Post(id) => write!(f, "post:{id}"),
            StateKey::Message(id) => write!(f, "message:{id}"),
            StateKey::Performer(key) => write!(f, "performer:{key}"),
            StateKey::Studio(name) => write!(f, "studio:{name}"),
            StateKey::Tag(name) => write!(f, "tag:{name}"),
            StateKey::Chapter { gallery, title } => write!(f, "gallery:{gallery}:{title}"),
        }
    }
}

/// A stored key that is none of the [`StateKey`] forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown sync-state key '{0}'")]
pub struct UnknownKey(String);

impl FromStr for StateKey {
    type Err = UnknownKey;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownKey(s.to_owned());
        let (prefix, rest) = s.split_once(':').ok_or_else(unknown)?;
        let number = |rest: &str| rest.parse::<i64>().map_err(|_| unknown());
        Ok(match prefix {
            "media" => StateKey::Media(MediaId(number(rest)?)),
            "post" => StateKey::Post(PostId(number(rest)?)),
            "message" => StateKey::Message(MessageId(number(rest)?)),
            "performer" => StateKey::Performer(rest.to_owned()),
            "studio" => StateKey::Studio(rest.to_owned()),
            "tag" => StateKey::Tag(rest.to_owned()),
            "gallery" => {
                let (gallery, title) = rest.split_once(':').ok_or_else(unknown)?;
                StateKey::Chapter {
                    gallery: GalleryId::new(gallery),
                    title: title.to_owned(),
                }
            }
            _ => return Err(unknown()),
        })
    }
}

type Key = (EntityKind, StateKey);

/// What we remembered about one creator's Stash objects when its run started.
#[derive(Debug, Clone)]
pub struct SyncState {
    creator: AccountId,
    records: HashMap<Key, SyncRecord>,
}

impl SyncState {
    /// The state of a creator from its stored records (a record whose key is of no known form
    /// is left out, and stays in the store as it is).
    pub fn new(creator: AccountId, records: Vec<SyncRecord>) -> Self {
        let records = records
            .into_iter()
            .filter_map(|r| match r.key.parse::<StateKey>() {
                Ok(key) => Some(((r.kind, key), r)),
                Err(e) => {
                    tracing::warn!(error = %e, "sync-state record left out");
                    None
                }
            })
            .collect();
        Self { creator, records }
    }

    /// The creator the records belong to.
    pub fn creator(&self) -> AccountId {
        self.creator
    }

    /// The record of one object.
    pub fn get(&self, kind: EntityKind, key: &StateKey) -> Option<&SyncRecord> {
        self.records.get(&(kind, key.clone()))
    }

    /// The Stash id we know for a key.
    pub fn stash_id(&self, kind: EntityKind, key: &StateKey) -> Option<&str> {
        stash_id(self.get(kind, key))
    }

    /// Whether we last wrote exactly `fingerprint` to `stash_id` (or found it in place) and
    /// the write did not fail: then there is nothing to read or write.
    pub fn is_current(
        &self,
        kind: EntityKind,
        key: &StateKey,
        stash_id: &str,
        fingerprint: u64,
    ) -> bool {
        self.get(kind, key).is_some_and(|r| {
            r.stash_id.as_deref() == Some(stash_id)
                && r.fingerprint == Some(fingerprint)
                && r.last_error.is_none()
        })
    }

    /// Whether we last decided to make no object for `key` (a gallery with nothing to link)
    /// for exactly `fingerprint`, and nothing failed since: then there is nothing to do.
    pub fn is_not_made(&self, kind: EntityKind, key: &StateKey, fingerprint: u64) -> bool {
        self.get(kind, key).is_some_and(|r| {
            r.stash_id.is_none() && r.fingerprint == Some(fingerprint) && r.last_error.is_none()
        })
    }

    /// Who owns the scalar fields of the object `stash_id` that `key` maps to: the hashes of
    /// what we last wrote there, nothing when the record is about another object (a re-scan
    /// made a new one), or "all ours" for a record written before fields were tracked (the
    /// old per-object rule, kept so an upgraded state file does not freeze our own titles).
    pub fn ownership(
        &self,
        kind: EntityKind,
        key: &StateKey,
        stash_id: &str,
        force: bool,
    ) -> Ownership {
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
}

fn stash_id(record: Option<&SyncRecord>) -> Option<&str> {
    record.and_then(|r| r.stash_id.as_deref())
}

/// The one value that changes a creator's state during its run: records it changed (read
/// before the state as loaded), and which of them are not saved yet.
#[derive(Debug)]
pub struct StateWriter {
    loaded: Arc<SyncState>,
    changed: HashMap<Key, SyncRecord>,
    dirty: BTreeSet<Key>,
}

impl StateWriter {
    /// A writer over the state as loaded.
    pub fn new(loaded: SyncState) -> Self {
        Self {
            loaded: Arc::new(loaded),
            changed: HashMap::new(),
            dirty: BTreeSet::new(),
        }
    }

    /// The state as it was loaded, for readers (it never changes).
    pub fn loaded(&self) -> &Arc<SyncState> {
        &self.loaded
    }

    /// The record of one object, with this run's changes.
    pub fn get(&self, kind: EntityKind, key: &StateKey) -> Option<&SyncRecord> {
        let k = (kind, key.clone());
        self.changed.get(&k).or_else(|| self.loaded.records.get(&k))
    }

    /// The Stash id we know for a key, with this run's changes.
    pub fn stash_id(&self, kind: EntityKind, key: &StateKey) -> Option<&str> {
        stash_id(self.get(kind, key))
    }

    fn upsert(&mut self, kind: EntityKind, key: &StateKey, f: impl FnOnce(&mut SyncRecord)) {
        let k = (kind, key.clone());
        let rec = match self.changed.get_mut(&k) {
            Some(rec) => rec,
            None => {
                let start = self.loaded.records.get(&k).cloned().unwrap_or(SyncRecord {
                    creator: self.loaded.creator,
                    kind,
                    key: key.to_string(),
                    stash_id: None,
                    fingerprint: None,
                    written_at: None,
                    last_error: None,
                    field_hashes: None,
                });
                self.changed.entry(k.clone()).or_insert(start)
            }
        };
        f(rec);
        self.dirty.insert(k);
    }

    /// Records that `stash_id` now carries what `fingerprint` describes, and that the fields
    /// in `fields` hold the values we own (by hash).
    pub fn mark_stamped(
        &mut self,
        kind: EntityKind,
        key: &StateKey,
        stash_id: &str,
        written: Written,
        fields: FieldHashes,
    ) {
        self.upsert(kind, key, |r| {
            r.stash_id = Some(stash_id.to_owned());
            r.fingerprint = Some(written.fingerprint);
            r.written_at = Some(written.at);
            r.last_error = None;
            r.field_hashes = Some(fields);
        });
    }

    /// Records that `stash_id` now carries what `written` describes (fields not tracked).
    pub fn mark_written(
        &mut self,
        kind: EntityKind,
        key: &StateKey,
        stash_id: &str,
        written: Written,
    ) {
        self.upsert(kind, key, |r| {
            r.stash_id = Some(stash_id.to_owned());
            r.fingerprint = Some(written.fingerprint);
            r.written_at = Some(written.at);
            r.last_error = None;
        });
    }

    /// Records that no object was made for `key` on purpose, for what `written` describes
    /// (a gallery with nothing to link): no Stash id, nothing of ours, the fingerprint kept so
    /// the same desired state is not planned again ([`SyncState::is_not_made`]).
    pub fn mark_not_made(&mut self, kind: EntityKind, key: &StateKey, written: Written) {
        self.upsert(kind, key, |r| {
            r.stash_id = None;
            r.fingerprint = Some(written.fingerprint);
            r.written_at = Some(written.at);
            r.last_error = None;
            r.field_hashes = None;
        });
    }

    /// Records a failure: the stash id (when known) is kept, the fingerprint is left as it
    /// was so the next run tries again.
    pub fn mark_failed(
        &mut self,
        kind: EntityKind,
        key: &StateKey,
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

    /// Forgets the Stash id of a record (and what we wrote there): the object is gone from
    /// Stash, so the next lookup finds or creates it again by its natural key.
    pub fn forget(&mut self, kind: EntityKind, key: &StateKey) {
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
    pub fn forget_where(&mut self, which: impl Fn(EntityKind, &StateKey) -> bool) -> usize {
        let keys: BTreeSet<Key> = self
            .loaded
            .records
            .keys()
            .chain(self.changed.keys())
            .filter(|(kind, key)| which(*kind, key) && self.stash_id(*kind, key).is_some())
            .cloned()
            .collect();
        for (kind, key) in &keys {
            self.forget(*kind, key);
        }
        keys.len()
    }

    /// Records changed since the last call, for saving.
    pub fn take_dirty(&mut self) -> Vec<SyncRecord> {
        let dirty = std::mem::take(&mut self.dirty);
        dirty
            .into_iter()
            .filter_map(|k| self.changed.get(&k).cloned())
            .collect()
    }
}

/// What a write left on an object: the fingerprint of what we wrote, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// The fingerprint of the desired state written (0 for entities).
    pub fingerprint: u64,
    /// When.
    pub at: DateTime<Utc>,
}

impl Written {
    /// `fingerprint`, written now.
    pub fn now(fingerprint: u64) -> Self {
        Self {
            fingerprint,
            at: Utc::now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(id: i64) -> StateKey {
        StateKey::Media(MediaId(id))
    }

    fn tag(name: &str) -> StateKey {
        StateKey::Tag(name.to_owned())
    }

    fn empty() -> StateWriter {
        StateWriter::new(SyncState::new(AccountId(1), vec![]))
    }

    fn current(w: &StateWriter, key: &StateKey, id: &str, fp: u64) -> bool {
        SyncState::new(AccountId(1), w.changed.values().cloned().collect()).is_current(
            EntityKind::Scene,
            key,
            id,
            fp,
        )
    }

    #[test]
    fn keys_format_as_stored_and_parse_back() {
        let keys = [
            (media(12), "media:12"),
            (StateKey::Post(PostId(3)), "post:3"),
            (StateKey::Message(MessageId(4)), "message:4"),
            (StateKey::Performer("alice".into()), "performer:alice"),
            (
                StateKey::Studio("Fansly (network)".into()),
                "studio:Fansly (network)",
            ),
            (tag("a:b"), "tag:a:b"),
            (
                StateKey::Chapter {
                    gallery: GalleryId::new("7"),
                    title: "Part: one".into(),
                },
                "gallery:7:Part: one",
            ),
        ];
        for (key, stored) in keys {
            assert_eq!(key.to_string(), stored);
            assert_eq!(stored.parse::<StateKey>(), Ok(key));
        }
        assert!("media:x".parse::<StateKey>().is_err());
        assert!("scene:1".parse::<StateKey>().is_err());
        assert_eq!(
            StateKey::of_item(&ItemSource::Unattached(MediaId(5))),
            media(5)
        );
    }

    #[test]
    fn current_only_with_same_id_same_fingerprint_and_no_error() {
        let mut s = empty();
        assert!(!current(&s, &media(1), "s1", 7));
        s.mark_written(EntityKind::Scene, &media(1), "s1", Written::now(7));
        assert!(current(&s, &media(1), "s1", 7));
        assert!(!current(&s, &media(1), "s2", 7), "object changed");
        assert!(!current(&s, &media(1), "s1", 8), "source changed");
        s.mark_failed(EntityKind::Scene, &media(1), None, "boom");
        assert!(!current(&s, &media(1), "s1", 7), "failed items are retried");
        let rec = s.get(EntityKind::Scene, &media(1)).unwrap();
        assert_eq!(
            (rec.fingerprint, rec.stash_id.as_deref()),
            (Some(7), Some("s1"))
        );
    }

    #[test]
    fn ownership_comes_from_the_record_of_the_same_object() {
        let mut s = empty();
        let fields: FieldHashes = [("title".to_owned(), 5)].into_iter().collect();
        s.mark_stamped(
            EntityKind::Image,
            &media(1),
            "i1",
            Written::now(7),
            fields.clone(),
        );
        s.mark_written(EntityKind::Image, &media(2), "i3", Written::now(7));
        let saved = SyncState::new(AccountId(1), s.take_dirty());
        assert_eq!(
            saved.ownership(EntityKind::Image, &media(1), "i1", false),
            Ownership::new(fields, false)
        );
        assert_eq!(
            saved.ownership(EntityKind::Image, &media(1), "i2", false),
            Ownership::new(FieldHashes::new(), false),
            "another object: nothing of it is known to be ours"
        );
        // A record from before per-field tracking: the old per-object rule.
        assert_eq!(
            saved.ownership(EntityKind::Image, &media(2), "i3", false),
            Ownership::legacy(false)
        );
        let mut s = StateWriter::new(saved);
        s.forget(EntityKind::Image, &media(1));
        let r = s.get(EntityKind::Image, &media(1)).unwrap();
        assert_eq!(
            (
                r.stash_id.as_deref(),
                r.fingerprint,
                r.field_hashes.as_ref()
            ),
            (None, None, None)
        );
        assert!(
            s.loaded().stash_id(EntityKind::Image, &media(1)).is_some(),
            "the state as loaded does not change"
        );
        s.mark_written(EntityKind::Tag, &tag("a"), "t", Written::now(0));
        s.mark_written(EntityKind::Tag, &tag("b"), "u", Written::now(0));
        assert_eq!(
            s.forget_where(|k, key| k == EntityKind::Tag && *key != tag("b")),
            1
        );
        assert_eq!(s.stash_id(EntityKind::Tag, &tag("b")), Some("u"));
        assert_eq!(s.stash_id(EntityKind::Tag, &tag("a")), None);
        assert_eq!(s.stash_id(EntityKind::Image, &media(2)), Some("i3"));
    }

    #[test]
    fn a_gallery_not_made_is_remembered_for_its_fingerprint_only() {
        let post = StateKey::Post(PostId(3));
        let g = EntityKind::Gallery;
        let mut s = empty();
        s.mark_not_made(g, &post, Written::now(7));
        let saved = SyncState::new(AccountId(1), s.take_dirty());
        assert!(saved.is_not_made(g, &post, 7));
        assert!(
            !saved.is_not_made(g, &post, 8),
            "the post or its files changed"
        );
        assert_eq!(saved.stash_id(g, &post), None);
        let mut s = StateWriter::new(saved);
        s.mark_failed(g, &post, None, "boom");
        let again = SyncState::new(AccountId(1), s.take_dirty());
        assert!(!again.is_not_made(g, &post, 7), "a failure is tried again");
        // Once a gallery is made, the record is about it.
        let mut s = StateWriter::new(again);
        s.mark_stamped(g, &post, "g1", Written::now(7), FieldHashes::new());
        let made = SyncState::new(AccountId(1), s.take_dirty());
        assert!(!made.is_not_made(g, &post, 7) && made.is_current(g, &post, "g1", 7));
    }

    #[test]
    fn dirty_records_are_handed_out_once() {
        let mut s = empty();
        s.mark_written(EntityKind::Tag, &tag("a"), "1", Written::now(0));
        s.mark_written(EntityKind::Tag, &tag("a"), "1", Written::now(0));
        let d = s.take_dirty();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].creator, AccountId(1));
        assert_eq!(d[0].key, "tag:a");
        assert!(s.take_dirty().is_empty());
    }
}
