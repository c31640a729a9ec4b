//! [`MetadataStore`]: opening a metadata database by URL, telling an upstream database from one
//! we created, and the [`MetadataRepository`] implementation.
//!
//! # Memory
//!
//! [`MetadataRepository::content_page`] holds one page at a time: at most `limit` items
//! (default [`DEFAULT_PAGE_SIZE`], capped at [`MAX_PAGE_SIZE`]) with the rows they refer to
//! (attachments, account media, bundles, media, variants, hashtags, mentions). The cursor
//! carries only the phase and the last id. The one thing kept between pages is, per creator
//! being streamed, the sorted ids of its unattached media (8 bytes each), so that the
//! expensive "which media does no attachment reach" question is asked once per pass instead
//! of once per page; it is dropped when the pass is done.
//!
//! # Queries
//!
//! Per page and phase: one query for the items, then a fixed set of batched `IN (...)` queries
//! (see [`crate::load`]), plus two per level of quoted-post nesting; unattached media cost one
//! query (a recursive CTE) per creator and pass, then per page one for the rows, one for their
//! variants and one for the variants' rows. `content_fingerprints` is one query for every
//! creator, and so is `attachment_coverage` (per 1,000 creators).
//! [`MetadataStore::query_count`] exposes the running count.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use domain::content::ContentItem;
use domain::fansly::Account;
use domain::ids::{AccountId, MediaId};
use domain::ports::{
    AttachmentCoverage, ContentCursor, ContentFingerprint, ContentPage, CreatorSummary,
    MetadataRepository, RepositoryError, StashIdWriteback, StoreInfo,
};
use sea_orm::sea_query::{Expr, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};
use sea_orm_migration::{MigratorTrait, SchemaManager};

use crate::convert;
use crate::counting::CountingConnection;
use crate::cursor::{Phase, Position};
use crate::entities::{accounts, group_users, media, media_variants, messages, posts};
use crate::load::{Graph, rows_where_in};
use crate::migration::Migrator;
use crate::pool::{self, PoolSpec};
use crate::resolve::Assembler;
use crate::unattached;
use crate::url::{backend_of, is_sqlite_memory, redact};
use crate::warnings::Warnings;

/// Items per page when the caller has no opinion.
pub const DEFAULT_PAGE_SIZE: usize = 500;
/// Largest page served; larger requests are cut to this.
pub const MAX_PAGE_SIZE: usize = 5_000;

/// Tables a metadata database must have.
pub(crate) const REQUIRED_TABLES: [&str; 16] = [
    "accounts",
    "media",
    "media_variants",
    "account_media",
    "account_media_bundles",
    "account_media_bundle_media",
    "posts",
    "messages",
    "groups",
    "group_users",
    "attachments",
    "hashtags",
    "post_hashtags",
    "post_mentions",
    "account_avatar",
    "account_banner",
];

/// How the store may be used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreOptions {
    /// Allow [`MetadataRepository::record_stash_ids`] to write the `stash_id` columns of
    /// `accounts` and `media` (as upstream does) and of `posts` and `messages` (which upstream
    /// defines but never fills). Off by default: the store is read-only.
    pub write_back_stash_ids: bool,
}

/// The sea-orm metadata repository over an upstream (or our own) PostgreSQL or SQLite database.
pub struct MetadataStore {
    db: CountingConnection,
    url: String,
    options: StoreOptions,
    info: StoreInfo,
    /// Per creator being streamed: the ascending ids of its unattached media.
    unattached_ids: Mutex<HashMap<i64, Arc<Vec<i64>>>>,
    /// Per creator being streamed: its account row, read at the first page of a pass (so a
    /// pass reads it once, and every pass reads it afresh).
    owners: Mutex<HashMap<i64, Account>>,
}

impl std::fmt::Debug for MetadataStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetadataStore")
            .field("url", &self.url)
            .field("options", &self.options)
            .field("info", &self.info)
            .finish()
    }
}

fn query_err(what: &str) -> impl Fn(DbErr) -> RepositoryError + '_ {
    move |e| RepositoryError::Query(format!("{what}: {e}"))
}

/// How long opening the database may take before it is reported unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(8);

impl MetadataStore {
    /// Opens `postgres://…`, `sqlite://path?mode=rwc` or `sqlite::memory:`.
    ///
    /// A database written by fansly-scraper (it has `alembic_version`) is used as it is and
    /// never migrated. An empty database, or one our migrations created, is brought up to date
    /// by our own migrations.
    pub async fn open(url: &str, options: StoreOptions) -> Result<MetadataStore, RepositoryError> {
        let backend = backend_of(url)?;
        let shown = redact(url);
        let conn_err = |e: DbErr| match crate::db_error::classify(e, &shown, "connecting") {
            RepositoryError::Connection { url, message } => RepositoryError::Connection {
                url,
                message: format!(
                    "{message}. Check that the server is running and the URL, user and password \
                     are right (for SQLite, that the file exists or the URL ends in ?mode=rwc)"
                ),
            },
            other => other,
        };
        // An unreachable server should say so in seconds, not after sqlx's 30 s default.
        let spec = PoolSpec::for_backend(backend, is_sqlite_memory(url), CONNECT_TIMEOUT);
        let raw = pool::connect(url, spec).await.map_err(conn_err)?;
        let db = CountingConnection::new(raw);
        let info = Self::prepare(&db, backend).await?;
        tracing::info!(
            url = %shown,
            backend = %info.backend,
            upstream_revision = ?info.upstream_revision,
            created_by_us = info.created_by_us,
            "opened the metadata database"
        );
        Ok(MetadataStore {
            db,
            url: shown,
            options,
            info,
            unattached_ids: Mutex::default(),
            owners: Mutex::default(),
        })
    }

    /// Detects what the database is; migrates it only if it is empty or ours.
    async fn prepare(
        db: &CountingConnection,
        backend: DbBackend,
    ) -> Result<StoreInfo, RepositoryError> {
        let manager = SchemaManager::new(db.inner());
        let has = |t: &'static str| {
            let manager = &manager;
            async move {
                manager
                    .has_table(t)
                    .await
                    .map_err(|e| RepositoryError::Schema(format!("cannot list tables: {e}")))
            }
        };
        let upstream_revision = if has("alembic_version").await? {
            let row = db
                .query_one(Statement::from_string(
                    backend,
                    "SELECT version_num FROM alembic_version",
                ))
                .await
                .map_err(query_err("reading alembic_version"))?;
            match row {
                Some(r) => Some(
                    r.try_get::<String>("", "version_num")
                        .map_err(query_err("reading alembic_version"))?,
                ),
                None => None,
            }
        } else {
            None
        };
        let ours = has("seaql_migrations").await?;
        let empty = !has("accounts").await?;
        let created_by_us = upstream_revision.is_none() && (ours || empty);
        if created_by_us {
            Migrator::up(db.inner(), None).await.map_err(|e| {
                RepositoryError::Schema(format!(
                    "creating the metadata schema failed: {e}. The database must be empty or \
                     created by fansly-stash"
                ))
            })?;
        }
        for table in REQUIRED_TABLES {
            if !has(table).await? {
                return Err(RepositoryError::Schema(format!(
                    "table `{table}` is missing: this is not a fansly-scraper metadata database \
                     (or it is older than fansly-scraper 0.13); point the URL at the right \
                     database, or let fansly-scraper upgrade it first"
                )));
            }
        }
        Ok(StoreInfo {
            backend: match backend {
                DbBackend::Postgres => "postgres".into(),
                _ => "sqlite".into(),
            },
            upstream_revision,
            created_by_us,
        })
    }

    /// Statements run so far on this store (for the O(pages) query bound).
    pub fn query_count(&self) -> u64 {
        self.db.count()
    }

    /// Recursive queries (the unattached-media CTE) run so far on this store: one per creator
    /// and pass through its content, not one per page.
    pub fn recursive_query_count(&self) -> u64 {
        self.db.recursive_count()
    }

    /// The counting connection (tests and fixtures insert through it).
    pub fn connection(&self) -> &CountingConnection {
        &self.db
    }

    /// Accounts by id; unknown ids are absent from the map (checks of the write-back; the
    /// engine has the accounts it syncs).
    pub async fn accounts_by_ids(
        &self,
        ids: &[AccountId],
    ) -> Result<HashMap<AccountId, Account>, RepositoryError> {
        let rows = rows_where_in::<accounts::Entity, _>(
            &self.db,
            accounts::Column::Id,
            ids.iter().map(|i| i.0),
        )
        .await
        .map_err(query_err("looking up accounts by id"))?;
        Ok(rows
            .iter()
            .map(|a| (AccountId(a.id), convert::account(a)))
            .collect())
    }

    /// The creator's account: read at the first page of a pass (`first`), or when a cursor
    /// resumes a pass this store did not start; kept for the pages after that.
    async fn owner(&self, creator: AccountId, first: bool) -> Result<Account, RepositoryError> {
        let cached = |s: &Self| {
            s.owners
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&creator.0)
                .cloned()
        };
        if !first && let Some(owner) = cached(self) {
            return Ok(owner);
        }
        let owner = self.creator(creator).await?;
        self.owners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(creator.0, owner.clone());
        Ok(owner)
    }

    async fn creator(&self, creator: AccountId) -> Result<Account, RepositoryError> {
        accounts::Entity::find_by_id(creator.0)
            .one(&self.db)
            .await
            .map_err(query_err("reading the creator"))?
            .map(|a| convert::account(&a))
            .ok_or_else(|| {
                RepositoryError::Query(format!(
                    "no account with id {creator} in the metadata database; list creators to \
                     see the known ones"
                ))
            })
    }

    async fn posts_page(
        &self,
        creator: AccountId,
        after: i64,
        limit: usize,
    ) -> Result<Vec<posts::Model>, DbErr> {
        posts::Entity::find()
            .filter(posts::Column::AccountId.eq(creator.0))
            .filter(posts::Column::Id.gt(after))
            .order_by_asc(posts::Column::Id)
            .limit(limit as u64)
            .all(&self.db)
            .await
    }

    async fn messages_page(
        &self,
        creator: AccountId,
        after: i64,
        limit: usize,
    ) -> Result<Vec<messages::Model>, DbErr> {
        let groups = Query::select()
            .column(group_users::Column::GroupId)
            .from(group_users::Entity)
            .and_where(Expr::col(group_users::Column::AccountId).eq(creator.0))
            .to_owned();
        messages::Entity::find()
            .filter(
                Condition::any()
                    .add(messages::Column::GroupId.in_subquery(groups))
                    .add(messages::Column::SenderId.eq(creator.0))
                    .add(messages::Column::RecipientId.eq(creator.0)),
            )
            .filter(messages::Column::Id.gt(after))
            .order_by_asc(messages::Column::Id)
            .limit(limit as u64)
            .all(&self.db)
            .await
    }

    /// The creator's unattached media ids: computed afresh when the phase starts
    /// (`after == i64::MIN`) or when a cursor resumes a pass this store did not start; kept
    /// for the pages after that.
    async fn unattached_ids(&self, creator: i64, after: i64) -> Result<Arc<Vec<i64>>, DbErr> {
        if after != i64::MIN
            && let Some(ids) = self.unattached_cache().get(&creator)
        {
            return Ok(ids.clone());
        }
        let ids = Arc::new(unattached::ids(&self.db, creator).await?);
        tracing::debug!(creator, count = ids.len(), "listed unattached media");
        self.unattached_cache().insert(creator, ids.clone());
        Ok(ids)
    }

    fn unattached_cache(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<Vec<i64>>>> {
        self.unattached_ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Up to `limit` unattached media items after `after`; also returns how many ids were
    /// taken and the last one (a media deleted meanwhile is taken but yields no item).
    async fn unattached_items(
        &self,
        owner: &Account,
        after: i64,
        limit: usize,
        warnings: &mut Warnings,
    ) -> Result<(Vec<ContentItem>, usize, Option<i64>), DbErr> {
        let all = self.unattached_ids(owner.id.0, after).await?;
        let taken = unattached::next_ids(&all, after, limit);
        let last = taken.last().copied();
        let n = taken.len();
        if n < limit {
            // The pass ends with this page.
            self.unattached_cache().remove(&owner.id.0);
        }
        let mut rows = if taken.is_empty() {
            Vec::new()
        } else {
            rows_where_in::<media::Entity, _>(&self.db, media::Column::Id, taken.iter().copied())
                .await?
        };
        rows.sort_by_key(|m| m.id);
        let mut variants: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut variant_rows: HashMap<i64, media::Model> = HashMap::new();
        if !rows.is_empty() {
            for v in rows_where_in::<media_variants::Entity, _>(
                &self.db,
                media_variants::Column::MediaId,
                rows.iter().map(|m| m.id),
            )
            .await?
            {
                variants.entry(v.media_id).or_default().push(v.variant_id);
            }
            if !variants.is_empty() {
                for m in rows_where_in::<media::Entity, _>(
                    &self.db,
                    media::Column::Id,
                    variants.values().flatten().copied(),
                )
                .await?
                {
                    variant_rows.insert(m.id, m);
                }
            }
        }
        let items = rows
            .iter()
            .map(|row| {
                let mut vs = Vec::new();
                let mut ids = variants.get(&row.id).cloned().unwrap_or_default();
                ids.sort_unstable();
                for vid in ids {
                    match variant_rows.get(&vid) {
                        Some(v) => vs.push(convert::variant(v)),
                        None => warnings.skip(
                            "media_variants",
                            format!("{}:{vid}", row.id),
                            format!("variant {vid} of media {} does not exist; skipped", row.id),
                        ),
                    }
                }
                ContentItem {
                    source: domain::content::ItemSource::Unattached(MediaId(row.id)),
                    owner: owner.clone(),
                    content: String::new(),
                    created_at: row.created_at,
                    media: vec![domain::content::ItemMedia {
                        media: convert::media(row, vs),
                        role: domain::content::MediaRole::Main,
                        account_media_id: None,
                        via_aggregated: None,
                    }],
                    aggregated: Vec::new(),
                    hashtags: Vec::new(),
                    mentions: Vec::new(),
                    stash_id: None,
                }
            })
            .collect();
        Ok((items, n, last))
    }

    /// Fills up to `limit` items from `pos` on; returns the items and where the next page
    /// starts (`None` when everything was delivered).
    async fn fill(
        &self,
        owner: &Account,
        mut pos: Position,
        limit: usize,
        warnings: &mut Warnings,
    ) -> Result<(Vec<ContentItem>, Option<Position>), DbErr> {
        let mut items: Vec<ContentItem> = Vec::with_capacity(limit);
        loop {
            let room = limit - items.len();
            let (got, last) = match pos.phase {
                Phase::Posts => {
                    let rows = self.posts_page(owner.id, pos.after, room).await?;
                    let graph = Graph::load(&self.db, &rows, &[]).await?;
                    let mut asm = Assembler::new(&graph, warnings);
                    let n = rows.len();
                    items.extend(rows.iter().map(|p| asm.post_item(owner, p)));
                    (n, rows.last().map(|p| p.id))
                }
                Phase::Messages => {
                    let rows = self.messages_page(owner.id, pos.after, room).await?;
                    let graph = Graph::load(&self.db, &[], &rows).await?;
                    let mut asm = Assembler::new(&graph, warnings);
                    let n = rows.len();
                    items.extend(rows.iter().map(|m| asm.message_item(owner, m)));
                    (n, rows.last().map(|m| m.id))
                }
                Phase::Unattached => {
                    let (got, n, last) = self
                        .unattached_items(owner, pos.after, room, warnings)
                        .await?;
                    if !got.is_empty() {
                        tracing::info!(
                            creator = %owner.username,
                            count = got.len(),
                            "delivering downloaded media no attachment reaches (unattached)"
                        );
                    }
                    items.extend(got);
                    (n, last)
                }
            };
            if let Some(last) = last {
                pos.after = last;
            }
            if got == room {
                return Ok((items, Some(pos)));
            }
            match pos.phase.next() {
                Some(phase) => {
                    pos = Position {
                        phase,
                        after: i64::MIN,
                    }
                }
                None => return Ok((items, None)),
            }
        }
    }
}

#[derive(Debug, FromQueryResult)]
struct Counts {
    n_posts: i64,
    n_messages: i64,
    n_media: i64,
}

const LIST_CREATORS: &str = r#"
SELECT a.*,
  (SELECT COUNT(*) FROM posts p WHERE p."accountId" = a.id) AS n_posts,
  (SELECT COUNT(*) FROM messages msg
     WHERE msg."groupId" IN (SELECT gu."groupId" FROM group_users gu WHERE gu."accountId" = a.id)
        OR msg."senderId" = a.id OR msg."recipientId" = a.id) AS n_messages,
  (SELECT COUNT(*) FROM media m WHERE m."accountId" = a.id AND m.local_filename IS NOT NULL)
     AS n_media
FROM accounts a
WHERE EXISTS (SELECT 1 FROM posts p WHERE p."accountId" = a.id)
   OR EXISTS (SELECT 1 FROM media m WHERE m."accountId" = a.id AND m.local_filename IS NOT NULL)
ORDER BY lower(a.username), a.id
"#;

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[async_trait]
impl MetadataRepository for MetadataStore {
    async fn info(&self) -> Result<StoreInfo, RepositoryError> {
        Ok(self.info.clone())
    }

    #[tracing::instrument(skip(self))]
    async fn list_creators(&self) -> Result<Vec<CreatorSummary>, RepositoryError> {
        let rows = self
            .db
            .query_all(Statement::from_string(
                self.db.get_database_backend(),
                LIST_CREATORS,
            ))
            .await
            .map_err(query_err("listing creators"))?;
        rows.iter()
            .map(|r| {
                let a = accounts::Model::from_query_result(r, "")
                    .map_err(query_err("reading an account"))?;
                let c = Counts::from_query_result(r, "").map_err(query_err("reading counts"))?;
                Ok(CreatorSummary {
                    account: convert::account(&a),
                    posts: to_u64(c.n_posts),
                    messages: to_u64(c.n_messages),
                    downloaded_media: to_u64(c.n_media),
                })
            })
            .collect()
    }

    async fn accounts_by_username(
        &self,
        usernames: &[String],
    ) -> Result<HashMap<String, Account>, RepositoryError> {
        let mut out = HashMap::new();
        for chunk in usernames.chunks(crate::load::IN_CHUNK) {
            let lowered: Vec<String> = chunk.iter().map(|u| u.to_lowercase()).collect();
            let rows = accounts::Entity::find()
                .filter(
                    Expr::expr(Func::lower(Expr::col(accounts::Column::Username))).is_in(lowered),
                )
                .all(&self.db)
                .await
                .map_err(query_err("looking up accounts by username"))?;
            for name in chunk {
                let wanted = name.to_lowercase();
                // Exact match first (usernames are unique), then case-insensitive.
                let hit = rows
                    .iter()
                    .find(|a| a.username == *name)
                    .or_else(|| rows.iter().find(|a| a.username.to_lowercase() == wanted));
                if let Some(a) = hit {
                    out.insert(name.clone(), convert::account(a));
                }
            }
        }
        Ok(out)
    }

    #[tracing::instrument(skip(self), fields(cursor = ?cursor.as_ref().map(|c| &c.0)))]
    async fn content_page(
        &self,
        creator: AccountId,
        cursor: Option<ContentCursor>,
        limit: usize,
    ) -> Result<ContentPage, RepositoryError> {
        let pos = match &cursor {
            Some(c) => Position::decode(c)?,
            None => Position::START,
        };
        let limit = limit.clamp(1, MAX_PAGE_SIZE);
        let owner = self.owner(creator, cursor.is_none()).await?;
        let mut warnings = Warnings::default();
        let (items, next) = self
            .fill(&owner, pos, limit, &mut warnings)
            .await
            .map_err(query_err("reading the creator's content"))?;
        Ok(ContentPage {
            items,
            next: next.map(Position::encode),
            warnings: warnings.into_vec(),
        })
    }

    async fn content_fingerprints(
        &self,
    ) -> Result<HashMap<AccountId, ContentFingerprint>, RepositoryError> {
        crate::fingerprint::fingerprints(&self.db, &self.url).await
    }

    async fn attachment_coverage(
        &self,
        creators: &[AccountId],
    ) -> Result<HashMap<AccountId, AttachmentCoverage>, RepositoryError> {
        let ids: Vec<i64> = creators.iter().map(|c| c.0).collect();
        let counts = unattached::coverage(&self.db, &ids)
            .await
            .map_err(query_err("counting media no post or message reaches"))?;
        Ok(counts
            .into_iter()
            .map(|(id, (attachments, unattached_media))| {
                let coverage = AttachmentCoverage {
                    attachments,
                    unattached_media,
                };
                (AccountId(id), coverage)
            })
            .collect())
    }

    async fn record_stash_ids(&self, ids: &StashIdWriteback) -> Result<(), RepositoryError> {
        if !self.options.write_back_stash_ids {
            return Err(RepositoryError::WriteDisabled(
                "writing Stash ids back to the stash_id columns of accounts, media, posts and \
                 messages is off; enable the write-back option (write_back_stash_ids) to allow it"
                    .into(),
            ));
        }
        crate::writeback::write(&self.db, ids).await
    }
}
