//! [`SqliteSyncState`]: the SQLite implementation of [`SyncStateStore`], our memory between
//! runs (per Stash object: id, fingerprint, per-field ownership hashes, last write, last error;
//! and the runs).
//!
//! It lives in a SQLite file of our own, never in the upstream metadata tables. `save` upserts
//! all records in one transaction (multi-row `INSERT … ON CONFLICT DO UPDATE`);
//! `load_creator` is one query.

mod migration;

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use domain::ids::AccountId;
use domain::ports::{
    CreatorStateSummary, EntityKind, FieldHashes, RunRecord, SyncRecord, SyncStateError,
    SyncStateStore,
};
use sea_orm::sea_query::{Alias, Expr, OnConflict, Order, Query, SqliteQueryBuilder};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, FromQueryResult, Statement,
    TransactionTrait, Value,
};
use sea_orm_migration::MigratorTrait;

use migration::StateMigrator;

use crate::pool::{self, PoolSpec};

/// Records per multi-row insert (8 bind parameters each, under SQLite's 32,766 limit).
const ROWS_PER_INSERT: usize = 2_000;

/// The sync-state store in a SQLite file.
pub struct SqliteSyncState {
    db: DatabaseConnection,
    location: String,
}

impl std::fmt::Debug for SqliteSyncState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteSyncState")
            .field("location", &self.location)
            .finish()
    }
}

fn q(e: DbErr) -> SyncStateError {
    SyncStateError::Query(e.to_string())
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_ms(v: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(v).single()
}

fn fp_to_db(f: u64) -> i64 {
    i64::from_ne_bytes(f.to_ne_bytes())
}

fn fp_from_db(v: i64) -> u64 {
    u64::from_ne_bytes(v.to_ne_bytes())
}

/// `title=<16 hex digits>;details=<16 hex digits>`; field names never contain `=` or `;`.
fn hashes_to_db(h: &FieldHashes) -> String {
    h.iter()
        .map(|(k, v)| format!("{k}={v:016x}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// The hashes written by [`hashes_to_db`]. A damaged entry is dropped (that field is then no
/// longer known to be ours, which is the safe side: it is left alone unless it is empty).
fn hashes_from_db(s: &str) -> FieldHashes {
    s.split(';')
        .filter(|e| !e.is_empty())
        .filter_map(|e| {
            let (k, v) = e.split_once('=')?;
            Some((k.to_owned(), u64::from_str_radix(v, 16).ok()?))
        })
        .collect()
}

#[derive(FromQueryResult)]
struct RecordRow {
    creator: i64,
    kind: String,
    key: String,
    stash_id: Option<String>,
    fingerprint: Option<i64>,
    written_at_ms: Option<i64>,
    last_error: Option<String>,
    field_hashes: Option<String>,
}

#[derive(FromQueryResult)]
struct RunRow {
    id: i64,
    started_at_ms: i64,
    finished_at_ms: Option<i64>,
    outcome: String,
    summary: String,
}

#[derive(FromQueryResult)]
struct SummaryRow {
    creator: i64,
    synced: i64,
    failed: i64,
    last_ms: Option<i64>,
}

impl SqliteSyncState {
    /// Opens (creating if needed) the state file at a path, or a `sqlite:` URL.
    pub async fn open(path_or_url: &str) -> Result<SqliteSyncState, SyncStateError> {
        let url = if path_or_url.starts_with("sqlite:") {
            path_or_url.to_owned()
        } else {
            format!("sqlite://{path_or_url}?mode=rwc")
        };
        Self::connect(url, path_or_url.to_owned()).await
    }

    /// A state store that lives in memory (tests, dry runs).
    pub async fn in_memory() -> Result<SqliteSyncState, SyncStateError> {
        Self::connect("sqlite::memory:".into(), ":memory:".into()).await
    }

    async fn connect(url: String, location: String) -> Result<SqliteSyncState, SyncStateError> {
        let open_err = |e: DbErr| SyncStateError::Open {
            path: location.clone(),
            message: format!(
                "{e}. Check that the directory exists and is writable, or choose another state \
                 file"
            ),
        };
        // One connection: SQLite serialises writers anyway, and for `:memory:` it *is* the DB.
        let spec = PoolSpec {
            max_connections: 1,
            min_connections: 1,
            acquire_timeout: Duration::from_secs(30),
        };
        let db = pool::connect(&url, spec).await.map_err(open_err)?;
        StateMigrator::up(&db, None).await.map_err(open_err)?;
        Ok(SqliteSyncState { db, location })
    }

    /// Closes the connection (a later [`SqliteSyncState::open`] sees everything saved).
    pub async fn close(self) -> Result<(), SyncStateError> {
        self.db.close().await.map_err(q)
    }

    fn stmt(&self, sql: String, values: Vec<Value>) -> Statement {
        Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)
    }
}

#[async_trait]
impl SyncStateStore for SqliteSyncState {
    async fn load_creator(&self, creator: AccountId) -> Result<Vec<SyncRecord>, SyncStateError> {
        let rows = RecordRow::find_by_statement(
            self.stmt(
                "SELECT creator, kind, key, stash_id, fingerprint, written_at_ms, last_error, \
             field_hashes FROM sync_records WHERE creator = $1 ORDER BY kind, key"
                    .into(),
                vec![creator.0.into()],
            ),
        )
        .all(&self.db)
        .await
        .map_err(q)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let Some(kind) = EntityKind::parse(&r.kind) else {
                tracing::warn!(kind = %r.kind, key = %r.key, "unknown entity kind in sync state; record ignored");
                continue;
            };
            out.push(SyncRecord {
                creator: AccountId(r.creator),
                kind,
                key: r.key,
                stash_id: r.stash_id,
                fingerprint: r.fingerprint.map(fp_from_db),
                written_at: r.written_at_ms.and_then(from_ms),
                last_error: r.last_error,
                field_hashes: r.field_hashes.as_deref().map(hashes_from_db),
            });
        }
        Ok(out)
    }

    async fn save(&self, records: &[SyncRecord]) -> Result<(), SyncStateError> {
        if records.is_empty() {
            return Ok(());
        }
        let txn = self.db.begin().await.map_err(q)?;
        let cols = [
            "creator",
            "kind",
            "key",
            "stash_id",
            "fingerprint",
            "written_at_ms",
            "last_error",
            "field_hashes",
        ];
        for chunk in records.chunks(ROWS_PER_INSERT) {
            let mut insert = Query::insert();
            insert
                .into_table(Alias::new("sync_records"))
                .columns(cols.map(Alias::new))
                .on_conflict(
                    OnConflict::columns(["creator", "kind", "key"].map(Alias::new))
                        .update_columns(
                            [
                                "stash_id",
                                "fingerprint",
                                "written_at_ms",
                                "last_error",
                                "field_hashes",
                            ]
                            .map(Alias::new),
                        )
                        .to_owned(),
                );
            for r in chunk {
                insert
                    .values([
                        r.creator.0.into(),
                        r.kind.as_str().into(),
                        r.key.clone().into(),
                        r.stash_id.clone().into(),
                        r.fingerprint.map(fp_to_db).into(),
                        r.written_at.map(ms).into(),
                        r.last_error.clone().into(),
                        r.field_hashes.as_ref().map(hashes_to_db).into(),
                    ])
                    .map_err(|e| SyncStateError::Query(e.to_string()))?;
            }
            let (sql, values) = insert.build(SqliteQueryBuilder);
            txn.execute(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                sql,
                values,
            ))
            .await
            .map_err(q)?;
        }
        txn.commit().await.map_err(q)
    }

    async fn start_run(&self, started_at: DateTime<Utc>) -> Result<i64, SyncStateError> {
        let row = self
            .db
            .query_one(self.stmt(
                "INSERT INTO sync_runs (started_at_ms, outcome, summary) VALUES ($1, 'running', '') \
                 RETURNING id"
                    .into(),
                vec![ms(started_at).into()],
            ))
            .await
            .map_err(q)?
            .ok_or_else(|| SyncStateError::Query("inserting a run returned no id".into()))?;
        row.try_get::<i64>("", "id").map_err(q)
    }

    async fn finish_run(
        &self,
        id: i64,
        finished_at: DateTime<Utc>,
        outcome: &str,
        summary: &str,
    ) -> Result<(), SyncStateError> {
        let res = self
            .db
            .execute(self.stmt(
                "UPDATE sync_runs SET finished_at_ms = $1, outcome = $2, summary = $3 WHERE id = $4"
                    .into(),
                vec![
                    ms(finished_at).into(),
                    outcome.into(),
                    summary.into(),
                    id.into(),
                ],
            ))
            .await
            .map_err(q)?;
        if res.rows_affected() == 0 {
            return Err(SyncStateError::Query(format!(
                "run {id} is not in the sync state; it must be started with start_run first"
            )));
        }
        Ok(())
    }

    async fn recent_runs(&self, limit: usize) -> Result<Vec<RunRecord>, SyncStateError> {
        let limit = u64::try_from(limit).unwrap_or(u64::MAX);
        let (sql, values) = Query::select()
            .columns(
                [
                    "id",
                    "started_at_ms",
                    "finished_at_ms",
                    "outcome",
                    "summary",
                ]
                .map(Alias::new),
            )
            .from(Alias::new("sync_runs"))
            .order_by(Alias::new("id"), Order::Desc)
            .limit(limit)
            .build(SqliteQueryBuilder);
        let rows = RunRow::find_by_statement(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            sql,
            values,
        ))
        .all(&self.db)
        .await
        .map_err(q)?;
        Ok(rows
            .into_iter()
            .map(|r| RunRecord {
                id: r.id,
                started_at: from_ms(r.started_at_ms).unwrap_or_default(),
                finished_at: r.finished_at_ms.and_then(from_ms),
                outcome: r.outcome,
                summary: r.summary,
            })
            .collect())
    }

    async fn summaries(&self) -> Result<Vec<CreatorStateSummary>, SyncStateError> {
        let (sql, values) = Query::select()
            .column(Alias::new("creator"))
            .expr_as(
                Expr::cust("SUM(CASE WHEN last_error IS NULL THEN 1 ELSE 0 END)"),
                Alias::new("synced"),
            )
            .expr_as(
                Expr::cust("SUM(CASE WHEN last_error IS NULL THEN 0 ELSE 1 END)"),
                Alias::new("failed"),
            )
            .expr_as(
                Expr::cust("MAX(CASE WHEN last_error IS NULL THEN written_at_ms END)"),
                Alias::new("last_ms"),
            )
            .from(Alias::new("sync_records"))
            .group_by_col(Alias::new("creator"))
            .order_by(Alias::new("creator"), Order::Asc)
            .build(SqliteQueryBuilder);
        let rows = SummaryRow::find_by_statement(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            sql,
            values,
        ))
        .all(&self.db)
        .await
        .map_err(q)?;
        Ok(rows
            .into_iter()
            .map(|r| CreatorStateSummary {
                creator: AccountId(r.creator),
                synced: u64::try_from(r.synced).unwrap_or(0),
                failed: u64::try_from(r.failed).unwrap_or(0),
                last_written_at: r.last_ms.and_then(from_ms),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_hashes_round_trip_and_damage_drops_only_the_bad_entry() {
        let h: FieldHashes = [("title".to_owned(), u64::MAX), ("date".to_owned(), 0)]
            .into_iter()
            .collect();
        assert_eq!(hashes_from_db(&hashes_to_db(&h)), h);
        assert_eq!(hashes_from_db(""), FieldHashes::new());
        let damaged = hashes_from_db("title=zz;code=00000000000000ff;junk");
        assert_eq!(damaged.len(), 1);
        assert_eq!(damaged["code"], 255);
    }
}
