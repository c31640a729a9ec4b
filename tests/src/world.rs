//! The whole hexagon wired for a test: a [`Library`] on disk, a Stash double that has scanned
//! it, a real [`StashClient`] over HTTP, a SQLite sync state and the [`SyncEngine`].

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use domain::fansly::Account;
use domain::ports::{MediaServer, MetadataRepository, SyncStateStore};
use metadata_store::sync_state::SqliteSyncState;
use stash_adapter::{RetryPolicy, StashClient, StashConfig};
use stash_double::{DoubleConfig, ScanSummary, StashDouble};
use sync_core::{CancelFlag, PathMapping, SyncEngine, SyncMonitor, SyncOptions, SyncReport};

use crate::library::Library;

/// A double that has scanned a library, and a client connected to it.
pub struct StashWorld {
    /// The running double.
    pub double: StashDouble,
    /// The adapter, connected.
    pub client: Arc<StashClient>,
    /// What the initial scan found.
    pub scan: ScanSummary,
}

impl std::fmt::Debug for StashWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StashWorld")
            .field("double", &self.double)
            .field("scan", &self.scan)
            .finish_non_exhaustive()
    }
}

/// Quick retries for tests (the policy's shape is the shipped one, the delays are shorter).
pub fn test_retry_policy() -> RetryPolicy {
    RetryPolicy {
        max_retries: 4,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        max_total_delay: Duration::from_secs(2),
    }
}

/// The adapter configuration for a double: its URL, test retries, a 10 s request timeout.
pub fn client_config(double: &StashDouble) -> StashConfig {
    let mut cfg = StashConfig::new(double.base_url());
    cfg.retry = test_retry_policy();
    cfg.request_timeout = Duration::from_secs(10);
    cfg
}

/// Starts a double whose only library root is the library's root, scans everything, then
/// connects a client (the double's counters start at that connect). `config.library_roots`
/// is replaced.
pub async fn start_stash(
    lib: &Library,
    config: DoubleConfig,
) -> Result<StashWorld, Box<dyn std::error::Error + Send + Sync>> {
    let double = StashDouble::start(DoubleConfig {
        library_roots: vec![lib.root.clone()],
        ..config
    })
    .await?;
    let scan = double.scan_now(&[]).await;
    // Count from here: what a run costs, starting with its connect.
    double.reset_counters();
    let client = Arc::new(StashClient::connect(client_config(&double)).await?);
    Ok(StashWorld {
        double,
        client,
        scan,
    })
}

/// Sync options for a library whose files Stash sees at the same paths.
pub fn sync_options(lib: &Library) -> SyncOptions {
    SyncOptions::new(PathMapping::identity(lib.root_str()))
}

/// Opens (creating) a sync-state file.
pub async fn open_state(
    path: &Path,
) -> Result<Arc<SqliteSyncState>, Box<dyn std::error::Error + Send + Sync>> {
    Ok(Arc::new(
        SqliteSyncState::open(&path.display().to_string()).await?,
    ))
}

/// The accounts of every creator in the store, by username.
pub async fn all_creators(
    repo: &dyn MetadataRepository,
) -> Result<Vec<Account>, Box<dyn std::error::Error + Send + Sync>> {
    Ok(repo
        .list_creators()
        .await?
        .into_iter()
        .map(|c| c.account)
        .collect())
}

/// Builds an engine over the three ports and runs one sync of `creators` (every creator in
/// the store when `None`).
pub async fn run_sync(
    repo: Arc<dyn MetadataRepository>,
    stash: Arc<dyn MediaServer>,
    state: Arc<dyn SyncStateStore>,
    opts: SyncOptions,
    creators: Option<Vec<Account>>,
) -> Result<SyncReport, Box<dyn std::error::Error + Send + Sync>> {
    let creators = match creators {
        Some(c) => c,
        None => all_creators(repo.as_ref()).await?,
    };
    let engine = SyncEngine::new(repo, stash, state, opts);
    Ok(engine
        .sync_creators(&creators, &SyncMonitor::silent(), &CancelFlag::new())
        .await?)
}

/// A GraphQL request to `double` from outside fansly-stash (what a user does in Stash's UI,
/// or what an earlier version wrote); fails the test when Stash answers with errors.
pub async fn user_request(double: &StashDouble, query: &str, variables: serde_json::Value) {
    let body: serde_json::Value = reqwest::Client::new()
        .post(double.graphql_url())
        .json(&serde_json::json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("the double answers")
        .json()
        .await
        .expect("the double answers JSON");
    assert!(body.get("errors").is_none(), "{body}");
}
