//! A sea-orm connection that counts the statements it runs, so tests and benchmarks can assert
//! that resolving a creator costs O(pages) queries, not O(items), and that the expensive
//! recursive queries (the "which media does no attachment reach" CTE) run once per pass, not
//! once per page.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult, Statement,
};

/// Wraps a [`DatabaseConnection`]; every statement increments a shared counter.
#[derive(Clone)]
pub struct CountingConnection {
    inner: DatabaseConnection,
    count: Arc<AtomicU64>,
    recursive: Arc<AtomicU64>,
}

impl CountingConnection {
    /// Starts counting at zero.
    pub fn new(inner: DatabaseConnection) -> Self {
        Self {
            inner,
            count: Arc::new(AtomicU64::new(0)),
            recursive: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Statements run so far.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Statements run so far that start with `WITH RECURSIVE` (also counted in
    /// [`CountingConnection::count`]).
    pub fn recursive_count(&self) -> u64 {
        self.recursive.load(Ordering::Relaxed)
    }

    /// Counts one statement run outside this wrapper (e.g. inside a transaction).
    pub(crate) fn add(&self, n: u64) {
        self.count.fetch_add(n, Ordering::Relaxed);
    }

    /// The wrapped connection (statements run on it directly are not counted).
    pub fn inner(&self) -> &DatabaseConnection {
        &self.inner
    }

    fn tick(&self) {
        self.add(1);
    }

    fn tick_statement(&self, stmt: &Statement) {
        self.tick();
        let head = stmt.sql.trim_start();
        if head
            .get(..14)
            .is_some_and(|h| h.eq_ignore_ascii_case("WITH RECURSIVE"))
        {
            self.recursive.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl std::fmt::Debug for CountingConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CountingConnection")
            .field("backend", &self.inner.get_database_backend())
            .field("count", &self.count())
            .field("recursive", &self.recursive_count())
            .finish()
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for CountingConnection {
    fn get_database_backend(&self) -> DbBackend {
        self.inner.get_database_backend()
    }

    async fn execute(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.tick_statement(&stmt);
        self.inner.execute(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.tick();
        self.inner.execute_unprepared(sql).await
    }

    async fn query_one(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.tick_statement(&stmt);
        self.inner.query_one(stmt).await
    }

    async fn query_all(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.tick_statement(&stmt);
        self.inner.query_all(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.inner.support_returning()
    }
}
