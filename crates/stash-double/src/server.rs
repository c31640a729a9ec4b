//! The running double: shared state, the axum server on an ephemeral port, the job runner,
//! and the handle tests hold ([`StashDouble`]).

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use apollo_compiler::Schema;
use apollo_compiler::validation::Valid;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tracing::{Instrument, info, info_span};

use crate::config::{DoubleConfig, SystemStatusKind};
use crate::counters::RequestCounters;
use crate::faults::FaultPlan;
use crate::graphql::{self, Executed, Prepared};
use crate::http::{self, listener::ConnHandle, listener::KillableListener};
use crate::model::jobs::JobOutcome;
use crate::model::{Id, JobStatus, State};
use crate::scan::{self, ScanSummary};

/// State shared by the HTTP handlers, the job runner and the [`StashDouble`] handle.
pub(crate) struct Shared {
    pub cfg: Arc<DoubleConfig>,
    pub schema: Arc<Valid<Schema>>,
    state: Mutex<State>,
    /// One writer at a time (mutations and scans), like Stash's single write connection.
    pub writer: tokio::sync::Mutex<()>,
    counters: Mutex<RequestCounters>,
    pub faults: FaultPlan,
    pub jobs_tx: mpsc::UnboundedSender<Id>,
    /// Jobs that wait RUNNING before they scan, until released or stopped (a test hook).
    held: Mutex<BTreeSet<Id>>,
    /// Session cookie values of logged-in users (see [`StashDouble::log_in`]).
    sessions: Mutex<Vec<String>>,
}

impl Shared {
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn is_held(&self, id: Id) -> bool {
        self.held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&id)
    }

    /// Holds a started job before its scan while [`StashDouble::hold_job`] says so; a stop
    /// request ends the wait.
    async fn wait_while_held(&self, id: Id, what: &str) {
        if !self.is_held(id) {
            return;
        }
        self.state()
            .jobs
            .report(id, Some(0.5), Some(format!("Scanning {what}")));
        while self.is_held(id) && !self.state().jobs.stopping(id) {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    pub fn counters(&self) -> MutexGuard<'_, RequestCounters> {
        self.counters.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `value` is the cookie of a session this double issued.
    pub fn has_session(&self, value: &str) -> bool {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|s| s == value)
    }

    pub fn execute(&self, prepared: &Prepared, db_locked: bool) -> Executed {
        let mut st = self.state();
        graphql::execute(&self.schema, self.cfg.clone(), prepared, &mut st, db_locked)
    }

    /// Scans `paths` (empty: every library root) holding the writer lock.
    async fn scan(&self, paths: Vec<PathBuf>) -> ScanSummary {
        let roots = self.cfg.library_roots.clone();
        let collected = tokio::task::spawn_blocking(move || scan::collect(&roots, &paths)).await;
        let (found, summary) = collected.unwrap_or_default();
        let _writer = self.writer.lock().await;
        let summary = {
            let mut st = self.state();
            scan::apply(&mut st, found, summary)
        };
        let cost = self.cfg.cost_per_written_object;
        let written = u32::try_from(summary.written_objects()).unwrap_or(u32::MAX);
        if !cost.is_zero() && written > 0 {
            tokio::time::sleep(cost.saturating_mul(written)).await;
        }
        summary
    }
}

async fn run_jobs(shared: Arc<Shared>, mut rx: mpsc::UnboundedReceiver<Id>) {
    while let Some(id) = rx.recv().await {
        let (job, outcome) = {
            let mut st = shared.state();
            let job = st.jobs.start(id);
            let outcome = if job.is_some() {
                st.jobs.armed_outcomes.pop_front()
            } else {
                None
            };
            (job, outcome)
        };
        let Some(job) = job else {
            continue;
        };
        let span = info_span!("job", id, description = %job.description);
        async {
            match outcome {
                Some(JobOutcome::Cancel) => {
                    shared.state().jobs.finish(id, JobStatus::Cancelled, None)
                }
                Some(JobOutcome::Fail(message)) => {
                    shared
                        .state()
                        .jobs
                        .finish(id, JobStatus::Failed, Some(message));
                }
                None => {
                    let what = job
                        .paths
                        .first()
                        .map_or_else(|| "every library".to_owned(), |p| p.display().to_string());
                    shared.wait_while_held(id, &what).await;
                    if !shared.state().jobs.stopping(id) {
                        let summary = shared.scan(job.paths.clone()).await;
                        info!(?summary, "scan job finished");
                        // A scan that got to no file never learns its total: progress stays
                        // indefinite (`null`), as Stash reports it.
                        let progress = (summary.files_seen > 0).then_some(1.0);
                        shared.state().jobs.report(id, progress, None);
                    }
                    shared.state().jobs.finish(id, JobStatus::Finished, None);
                }
            }
        }
        .instrument(span)
        .await;
    }
}

/// A running Stash double. Stops when dropped or on [`StashDouble::shutdown`].
pub struct StashDouble {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown_tx: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    runner: JoinHandle<()>,
}

impl std::fmt::Debug for StashDouble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StashDouble")
            .field("addr", &self.addr)
            .field("config", &self.shared.cfg)
            .finish()
    }
}

impl StashDouble {
    /// Starts a double on `127.0.0.1` with an ephemeral port.
    pub async fn start(config: DoubleConfig) -> std::io::Result<StashDouble> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a double on a chosen address (the binary uses this for `--port`).
    pub async fn start_on(config: DoubleConfig, addr: SocketAddr) -> std::io::Result<StashDouble> {
        let schema = graphql::schema::served(&config).map_err(std::io::Error::other)?;
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (jobs_tx, jobs_rx) = mpsc::unbounded_channel();
        let state = State {
            status: config.status,
            ..State::default()
        };
        let shared = Arc::new(Shared {
            cfg: Arc::new(config),
            schema,
            state: Mutex::new(state),
            writer: tokio::sync::Mutex::new(()),
            counters: Mutex::new(RequestCounters::default()),
            faults: FaultPlan::default(),
            jobs_tx,
            held: Mutex::new(BTreeSet::new()),
            sessions: Mutex::new(Vec::new()),
        });
        let runner = tokio::spawn(run_jobs(shared.clone(), jobs_rx));
        let app = http::router(shared.clone()).into_make_service_with_connect_info::<ConnHandle>();
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let serve = axum::serve(KillableListener { inner: listener }, app)
                .with_graceful_shutdown(async {
                    let _ = shutdown_rx.await;
                });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "stash double server stopped with an error");
            }
        });
        info!(%addr, "stash double listening");
        Ok(StashDouble {
            shared,
            addr,
            shutdown_tx: Some(shutdown_tx),
            server: Some(server),
            runner,
        })
    }

    /// `http://127.0.0.1:PORT{prefix}/graphql`.
    pub fn graphql_url(&self) -> String {
        format!("{}/graphql", self.base_url())
    }

    /// `http://127.0.0.1:PORT{prefix}`.
    pub fn base_url(&self) -> String {
        format!(
            "http://{}{}",
            self.addr,
            self.shared.cfg.path_prefix.trim_end_matches('/')
        )
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configuration the double runs with.
    pub fn config(&self) -> &DoubleConfig {
        &self.shared.cfg
    }

    /// A handle to arm faults.
    pub fn faults(&self) -> FaultPlan {
        self.shared.faults.clone()
    }

    /// A snapshot of the request counters.
    pub fn counters(&self) -> RequestCounters {
        self.shared.counters().clone()
    }

    /// Zeroes the request counters.
    pub fn reset_counters(&self) {
        *self.shared.counters() = RequestCounters::default();
    }

    /// The whole state as JSON (objects by type, ordered by id).
    pub fn dump(&self) -> serde_json::Value {
        crate::model::dump::dump(&self.shared.state())
    }

    /// Scans now, without a job (empty `paths`: every library root).
    pub async fn scan_now(&self, paths: &[PathBuf]) -> ScanSummary {
        self.shared.scan(paths.to_vec()).await
    }

    /// Deletes an object as the user would in Stash (test hook; our subset has no destroy
    /// mutations): references to it go too. Whether an object with that id existed.
    pub fn delete_object(&self, kind: crate::DeleteKind, id: &str) -> bool {
        match id.parse() {
            Ok(id) => self.shared.state().delete_object(kind, id),
            Err(_) => false,
        }
    }

    /// Test hook: the job with this id, once started, stays RUNNING (progress 0.5) before it
    /// scans, until [`StashDouble::release_jobs`] or a `stopJob` for it (then it ends
    /// CANCELLED without scanning). Lets tests see a queue with a running and a waiting job.
    pub fn hold_job(&self, id: u64) {
        self.shared
            .held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id);
    }

    /// Lets every held job go on.
    pub fn release_jobs(&self) {
        self.shared
            .held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Logs a user in, as Stash's login form does, and returns the value of the `session`
    /// cookie Stash would set (and would hand a plugin process as `SessionCookie`). A request
    /// carrying `Cookie: session=<value>` is then authorized without the API key; any other
    /// cookie value is not.
    pub fn log_in(&self) -> String {
        let mut sessions = self
            .shared
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let value = format!(
            "MTc{:x}{:x}-double-session-{}",
            self.addr.port(),
            std::process::id(),
            sessions.len() + 1
        );
        sessions.push(value.clone());
        value
    }

    /// Changes what `systemStatus.status` reports.
    pub fn set_status(&self, status: SystemStatusKind) {
        self.shared.state().status = status;
    }

    /// Stops the server and the job runner.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown_tx.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let abort = server.abort_handle();
            if tokio::time::timeout(std::time::Duration::from_secs(5), server)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
        self.runner.abort();
    }
}

impl Drop for StashDouble {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown_tx.take() {
            let _ = tx.send(());
        }
        self.runner.abort();
    }
}
