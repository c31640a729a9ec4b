//! Opens a sea-orm connection over an sqlx pool that has no maintenance task.
//!
//! Why this exists: sqlx 0.8 spawns a pool maintenance task whenever a pool has an idle
//! timeout or a maximum lifetime, and a pool has both unless told otherwise (sea-orm's
//! `ConnectOptions` can change them but never unset them). That task loops over
//! `0..num_idle`, and `num_idle` briefly underflows to `usize::MAX` when one task returns a
//! connection while another takes it (the connection is queued before the count goes up).
//! Caught at that instant, the loop never ends: it spins on a runtime worker and starves every
//! task queued behind it. We met it as a `sync-once` hung at full CPU in the crash-safety
//! suite; a long-running `watch` would meet it sooner or later. A pool with neither setting
//! spawns no such task, and ours need neither: a local SQLite file does not go stale, and sqlx
//! pings an idle PostgreSQL connection before handing it out (`test_before_acquire`, on by
//! default), replacing one the server closed.
//!
//! What it does not do: decide which database a URL names, or migrate anything.

use std::str::FromStr;
use std::time::Duration;

use sea_orm::sqlx::ConnectOptions as _;
use sea_orm::sqlx::pool::PoolOptions;
use sea_orm::sqlx::postgres::PgConnectOptions;
use sea_orm::sqlx::sqlite::SqliteConnectOptions;
use sea_orm::{
    DatabaseConnection, DbBackend, DbErr, RuntimeErr, SqlxPostgresConnector, SqlxSqliteConnector,
};

/// The size and patience of one pool.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PoolSpec {
    /// At most this many connections (SQLite: 1, as sea-orm does; writers serialise anyway).
    pub max_connections: u32,
    /// Keep this many open (1 for `sqlite::memory:`, whose one connection *is* the database).
    pub min_connections: u32,
    /// How long connecting, or waiting for a free connection, may take.
    pub acquire_timeout: Duration,
}

impl PoolSpec {
    /// The pool for `backend`: one connection for SQLite (kept open for `:memory:`), sqlx's
    /// default ten for PostgreSQL.
    pub(crate) fn for_backend(backend: DbBackend, memory: bool, acquire_timeout: Duration) -> Self {
        let sqlite = backend == DbBackend::Sqlite;
        PoolSpec {
            max_connections: if sqlite { 1 } else { 10 },
            min_connections: u32::from(sqlite && memory),
            acquire_timeout,
        }
    }

    /// The pool options of either backend: this size and patience, and neither an idle
    /// timeout nor a maximum lifetime (so no maintenance task; see the module comment).
    fn options<DB: sea_orm::sqlx::Database>(&self) -> PoolOptions<DB> {
        PoolOptions::new()
            .max_connections(self.max_connections)
            .min_connections(self.min_connections)
            .acquire_timeout(self.acquire_timeout)
            .idle_timeout(None)
            .max_lifetime(None)
    }
}

/// Connects to `url` (`sqlite:…` or `postgres://…`) with statement logging off.
pub(crate) async fn connect(url: &str, spec: PoolSpec) -> Result<DatabaseConnection, DbErr> {
    let conn_err = |e| DbErr::Conn(RuntimeErr::SqlxError(e));
    if url.starts_with("sqlite:") {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(conn_err)?
            .disable_statement_logging();
        let pool = spec
            .options()
            .connect_with(options)
            .await
            .map_err(conn_err)?;
        Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
    } else {
        let options = PgConnectOptions::from_str(url)
            .map_err(conn_err)?
            .disable_statement_logging();
        let pool = spec
            .options()
            .connect_with(options)
            .await
            .map_err(conn_err)?;
        Ok(SqlxPostgresConnector::from_sqlx_postgres_pool(pool))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// sqlx spawns its maintenance task exactly when one of these is set.
    #[tokio::test]
    async fn pools_have_neither_idle_timeout_nor_max_lifetime() {
        let spec = PoolSpec::for_backend(DbBackend::Sqlite, true, Duration::from_secs(5));
        let db = connect("sqlite::memory:", spec)
            .await
            .expect("an in-memory database");
        let options = db.get_sqlite_connection_pool().options();
        assert_eq!(options.get_idle_timeout(), None);
        assert_eq!(options.get_max_lifetime(), None);
        assert_eq!(options.get_max_connections(), 1);
        assert_eq!(options.get_min_connections(), 1);
    }

    #[test]
    fn postgres_pools_hold_ten_connections_and_keep_none_open() {
        let spec = PoolSpec::for_backend(DbBackend::Postgres, false, Duration::from_secs(5));
        assert_eq!((spec.max_connections, spec.min_connections), (10, 0));
        let options = spec.options::<sea_orm::sqlx::Postgres>();
        assert_eq!(options.get_idle_timeout(), None);
        assert_eq!(options.get_max_lifetime(), None);
    }
}
