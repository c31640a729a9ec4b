//! The metadata repository port: where Fansly metadata enters the system.

use std::collections::HashMap;

use async_trait::async_trait;

use crate::content::ContentItem;
use crate::fansly::Account;
use crate::ids::{AccountId, MediaId, MessageId, PostId};

/// A creator the store knows, with how much content it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatorSummary {
    /// The creator's account.
    pub account: Account,
    /// Posts authored.
    pub posts: u64,
    /// Messages in conversations the creator is part of.
    pub messages: u64,
    /// Downloaded media owned by the creator.
    pub downloaded_media: u64,
}

/// Where the next page of a creator's content starts. Opaque to callers: pass back what
/// [`ContentPage::next`] returned.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContentCursor(pub String);

/// A bad row the store skipped, named so a user can find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataWarning {
    /// The upstream table, e.g. `attachments`.
    pub table: String,
    /// The row's id (or key) as text.
    pub id: String,
    /// What was wrong.
    pub message: String,
}

/// One page of a creator's content, in a stable order: posts, then messages, then unattached
/// media, each by id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContentPage {
    /// Items of this page.
    pub items: Vec<ContentItem>,
    /// Where the next page starts; `None` after the last page.
    pub next: Option<ContentCursor>,
    /// Rows skipped while building this page.
    pub warnings: Vec<DataWarning>,
}

/// Which backend holds the metadata and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreInfo {
    /// `postgres` or `sqlite`.
    pub backend: String,
    /// The upstream Alembic revision (`alembic_version.version_num`), when the database was
    /// written by fansly-scraper; `None` for a database created by our own migrations.
    pub upstream_revision: Option<String>,
    /// Whether our own migrations created the schema.
    pub created_by_us: bool,
}

/// How many rows of one kind a creator has, and the largest id among them. Rows only ever
/// gain ids, so a new row moves `max_id` even when another was deleted meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RowTally {
    /// Rows counted.
    pub count: u64,
    /// The largest id (0 with no rows).
    pub max_id: i64,
}

impl RowTally {
    /// Both tallies together: counts add up, the largest id wins.
    pub fn merge(self, other: RowTally) -> RowTally {
        RowTally {
            count: self.count + other.count,
            max_id: self.max_id.max(other.max_id),
        }
    }
}

/// A cheap summary of the rows a sync of one creator reads: equal fingerprints mean no post,
/// message, attachment, account media or media was added or removed, and no media's download
/// columns (`is_downloaded`, `local_filename`) changed. Edits of existing text (a post's
/// content, an account's profile) are not covered. Compare two answers of
/// [`MetadataRepository::content_fingerprints`]; the numbers mean nothing on their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ContentFingerprint {
    /// The creator's posts.
    pub posts: RowTally,
    /// Messages in the creator's conversations, sent or received (a message may count more
    /// than once).
    pub messages: RowTally,
    /// Attachments of those posts and messages.
    pub attachments: RowTally,
    /// The creator's account media and bundles.
    pub account_media: RowTally,
    /// The creator's media rows (variants and previews included).
    pub media: RowTally,
    /// Of those, how many have a local file (`local_filename` set).
    pub downloaded_media: u64,
    /// A checksum over every media's `is_downloaded` and `local_filename`.
    pub download_checksum: i64,
}

/// How far a creator's posts and messages reach its downloaded media.
///
/// fansly-scraper 0.13 to 0.15.1 stores no `attachments` (nor `post_mentions`) rows: in a
/// database it wrote, no post or message reaches any media, so a sync can give the files only
/// what the media rows carry (code, date, studio, performer), and no gallery, title, tag or
/// mention. This says so, per creator, for `check`, `status` and the sync report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AttachmentCoverage {
    /// Attachment rows of the creator's posts and messages, of any kind.
    pub attachments: u64,
    /// Downloaded media of the creator that no post or message reaches (variants, avatars and
    /// banners aside): the items [`MetadataRepository::content_page`] delivers as
    /// [`ItemSource::Unattached`](crate::content::ItemSource::Unattached).
    pub unattached_media: u64,
}

impl AttachmentCoverage {
    /// Downloaded media, and not one attachment: the database was written by a fansly-scraper
    /// that does not store attachments (0.13 to 0.15.1), or they were lost.
    pub fn attachments_missing(&self) -> bool {
        self.attachments == 0 && self.unattached_media > 0
    }
}

/// Stash ids to write back to the upstream `stash_id` columns (off unless the user enables it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StashIdWriteback {
    /// `accounts.stash_id` = performer id.
    pub accounts: Vec<(AccountId, i32)>,
    /// `media.stash_id` = scene or image id.
    pub media: Vec<(MediaId, i32)>,
    /// `posts.stash_id` = gallery id (a column fansly-scraper defines but never fills).
    pub posts: Vec<(PostId, i32)>,
    /// `messages.stash_id` = gallery id (likewise never filled by fansly-scraper).
    pub messages: Vec<(MessageId, i32)>,
}

impl StashIdWriteback {
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
            && self.media.is_empty()
            && self.posts.is_empty()
            && self.messages.is_empty()
    }

    /// How many rows it writes.
    pub fn len(&self) -> usize {
        self.accounts.len() + self.media.len() + self.posts.len() + self.messages.len()
    }
}

/// Why the metadata repository failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepositoryError {
    /// The database could not be reached or opened.
    #[error("cannot connect to the metadata database {url}: {message}")]
    Connection {
        /// The URL with any password redacted.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The server answered and refused us: wrong user or password, no such database. A
    /// configuration problem, not an outage: trying again will not help.
    #[error("the metadata database {url} refused the connection: {message}")]
    Refused {
        /// The URL with any password redacted.
        url: String,
        /// What the server said.
        message: String,
    },
    /// The database is not a fansly-scraper (or fansly-stash) metadata database.
    #[error("the metadata database is not usable: {0}")]
    Schema(String),
    /// A query failed.
    #[error("metadata query failed: {0}")]
    Query(String),
    /// A write was requested but the store is read-only (write-back disabled).
    #[error("writing to the metadata database is disabled: {0}")]
    WriteDisabled(String),
    /// The cursor did not come from this store.
    #[error("invalid content cursor '{0}'")]
    BadCursor(String),
}

/// Reads Fansly metadata (and, if enabled, writes Stash ids back).
///
/// # Example
///
/// ```
/// use domain::ports::{MetadataRepository, RepositoryError};
///
/// /// Counts every item of a creator, page by page, holding one page at a time.
/// async fn count_items(
///     repo: &dyn MetadataRepository,
///     creator: domain::ids::AccountId,
/// ) -> Result<usize, RepositoryError> {
///     let (mut cursor, mut n) = (None, 0);
///     loop {
///         let page = repo.content_page(creator, cursor.take(), 500).await?;
///         n += page.items.len();
///         match page.next {
///             Some(next) => cursor = Some(next),
///             None => return Ok(n),
///         }
///     }
/// }
/// ```
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait MetadataRepository: Send + Sync {
    /// What the store is (backend, upstream schema revision).
    async fn info(&self) -> Result<StoreInfo, RepositoryError>;

    /// Every account that has posts or downloaded media, by username.
    async fn list_creators(&self) -> Result<Vec<CreatorSummary>, RepositoryError>;

    /// Accounts by username (exact, case-insensitive); unknown names are absent from the map,
    /// whose keys are the usernames as passed in.
    async fn accounts_by_username(
        &self,
        usernames: &[String],
    ) -> Result<HashMap<String, Account>, RepositoryError>;

    /// One page of a creator's content items, at most `limit` items, after `cursor`.
    async fn content_page(
        &self,
        creator: AccountId,
        cursor: Option<ContentCursor>,
        limit: usize,
    ) -> Result<ContentPage, RepositoryError>;

    /// A [`ContentFingerprint`] per creator (the accounts [`list_creators`] returns), all in
    /// one query whatever the number of creators, so it can be asked every minute: `watch`
    /// compares each answer with the previous one and syncs only the creators that changed.
    ///
    /// [`list_creators`]: MetadataRepository::list_creators
    async fn content_fingerprints(
        &self,
    ) -> Result<HashMap<AccountId, ContentFingerprint>, RepositoryError>;

    /// An [`AttachmentCoverage`] for each of `creators` (zeros for an account with nothing),
    /// in one query however many creators there are.
    async fn attachment_coverage(
        &self,
        creators: &[AccountId],
    ) -> Result<HashMap<AccountId, AttachmentCoverage>, RepositoryError>;

    /// Writes Stash ids back to the upstream `stash_id` columns (only those; no other column
    /// of any row is touched), in a fixed number of statements whatever the number of ids.
    /// Refused with [`RepositoryError::WriteDisabled`] unless the store was opened to allow it.
    async fn record_stash_ids(&self, ids: &StashIdWriteback) -> Result<(), RepositoryError>;
}
