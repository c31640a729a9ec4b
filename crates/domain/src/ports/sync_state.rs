//! The sync-state port: what we remember between runs, in a store of our own (never in the
//! upstream tables).

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::ids::AccountId;

/// What kind of Stash object a state record is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    /// A performer (per account).
    Performer,
    /// A studio (the network studio, or a creator studio).
    Studio,
    /// A tag (per hashtag).
    Tag,
    /// A gallery (per post or message).
    Gallery,
    /// A scene (per media).
    Scene,
    /// An image (per media).
    Image,
    /// A gallery chapter (per aggregated post in a gallery).
    Chapter,
}

impl EntityKind {
    /// Every kind.
    pub const ALL: [EntityKind; 7] = [
        EntityKind::Performer,
        EntityKind::Studio,
        EntityKind::Tag,
        EntityKind::Gallery,
        EntityKind::Scene,
        EntityKind::Image,
        EntityKind::Chapter,
    ];

    /// Lowercase name used in storage and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Performer => "performer",
            EntityKind::Studio => "studio",
            EntityKind::Tag => "tag",
            EntityKind::Gallery => "gallery",
            EntityKind::Scene => "scene",
            EntityKind::Image => "image",
            EntityKind::Chapter => "chapter",
        }
    }

    /// The kind for a name written by [`EntityKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Per owned scalar field (`title`, `details`, `date`, `code`, `studio`), a hash of the value we
/// last wrote to it (or found already equal to ours). A field whose current value no longer has
/// that hash was edited by someone else and is theirs.
pub type FieldHashes = BTreeMap<String, u64>;

/// What we last did to one Stash object on behalf of one source key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRecord {
    /// The creator the record belongs to (records of shared entities use the creator that
    /// first needed them).
    pub creator: AccountId,
    /// What kind of object.
    pub kind: EntityKind,
    /// The source key, e.g. `media:123`, `post:456`, `tag:summer`.
    pub key: String,
    /// The Stash id, once known.
    pub stash_id: Option<String>,
    /// Fingerprint of the desired state we last wrote (or found already in place).
    pub fingerprint: Option<u64>,
    /// When we last wrote it.
    pub written_at: Option<DateTime<Utc>>,
    /// The last error, while the item is failing.
    pub last_error: Option<String>,
    /// Which scalar fields are ours, by the hash of what we wrote. `None` for entities and for
    /// records written before per-field ownership was tracked.
    pub field_hashes: Option<FieldHashes>,
}

/// One sync run, as remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    /// Run id (assigned by the store).
    pub id: i64,
    /// Start time.
    pub started_at: DateTime<Utc>,
    /// End time; `None` while running or if the process died.
    pub finished_at: Option<DateTime<Utc>>,
    /// `ok`, `partial`, `failed`, `interrupted`, or `running`.
    pub outcome: String,
    /// A one-line summary of the counts.
    pub summary: String,
}

/// Per-creator counts of what the state knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatorStateSummary {
    /// The creator.
    pub creator: AccountId,
    /// Records whose last write succeeded.
    pub synced: u64,
    /// Records with a last error.
    pub failed: u64,
    /// Last successful write among the records.
    pub last_written_at: Option<DateTime<Utc>>,
}

/// Why the sync-state store failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncStateError {
    /// The state file could not be opened or created.
    #[error("cannot open the sync-state database {path}: {message}")]
    Open {
        /// Where it is.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A read or write failed.
    #[error("sync-state database error: {0}")]
    Query(String),
}

/// Remembers, per Stash object, what we wrote and when, so unchanged items cost nothing.
///
/// # Example
///
/// ```
/// use domain::ports::{EntityKind, SyncRecord, SyncStateError, SyncStateStore};
///
/// /// Forgets the errors of one creator's records (e.g. after the user fixed the cause).
/// async fn clear_errors(
///     state: &dyn SyncStateStore,
///     creator: domain::ids::AccountId,
/// ) -> Result<(), SyncStateError> {
///     let cleared: Vec<SyncRecord> = state
///         .load_creator(creator)
///         .await?
///         .into_iter()
///         .filter(|r| r.last_error.is_some())
///         .map(|r| SyncRecord { last_error: None, ..r })
///         .collect();
///     state.save(&cleared).await
/// }
/// ```
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SyncStateStore: Send + Sync {
    /// Every record of a creator.
    async fn load_creator(&self, creator: AccountId) -> Result<Vec<SyncRecord>, SyncStateError>;

    /// Inserts or replaces records (keyed by creator, kind and key), in one transaction.
    async fn save(&self, records: &[SyncRecord]) -> Result<(), SyncStateError>;

    /// Records the start of a run and returns its id.
    async fn start_run(&self, started_at: DateTime<Utc>) -> Result<i64, SyncStateError>;

    /// Records the end of a run.
    async fn finish_run(
        &self,
        id: i64,
        finished_at: DateTime<Utc>,
        outcome: &str,
        summary: &str,
    ) -> Result<(), SyncStateError>;

    /// Recent runs, newest first.
    async fn recent_runs(&self, limit: usize) -> Result<Vec<RunRecord>, SyncStateError>;

    /// Counts per creator.
    async fn summaries(&self) -> Result<Vec<CreatorStateSummary>, SyncStateError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_kind_names_round_trip() {
        for k in EntityKind::ALL {
            assert_eq!(EntityKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(EntityKind::parse("Scene"), None);
    }
}
