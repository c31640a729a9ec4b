//! Wiring: opens the metadata database, the sync-state file and the Stash connection from the
//! [`Config`], turning each adapter's error into a [`CliError`] with the documented exit code
//! and a message naming the setting to fix; [`engine`] builds the sync engine over them, with
//! [`LocalDownloads`] looking at the download folder on this machine.

use std::sync::Arc;

use async_trait::async_trait;
use domain::ports::{
    Downloads, MediaServer, MediaServerError, MetadataRepository, RepositoryError, SyncStateError,
    SyncStateStore,
};
use metadata_store::sync_state::SqliteSyncState;
use metadata_store::{MetadataStore, StoreOptions};
use stash_adapter::StashClient;
use stash_adapter::config::{ApiKey, StashConfig};
use sync_core::{SyncEngine, SyncError, SyncOptions};

use crate::config::{Config, Connection, ENV_PREFIX};
use crate::exit::CliError;

/// Opens the metadata database named by `metadata_db`.
pub async fn open_metadata(config: &Config) -> Result<MetadataStore, CliError> {
    metadata_store(config)
        .await
        .map_err(|e| repository_error(config, &e))
}

/// [`open_metadata`] with the adapter's typed error (for callers that tell an outage from a
/// refusal, like `watch`).
pub async fn metadata_store(config: &Config) -> Result<MetadataStore, RepositoryError> {
    let url = config.metadata_db();
    let options = StoreOptions {
        write_back_stash_ids: config.settings.write_back_stash_ids,
    };
    MetadataStore::open(url.expose(), options).await
}

/// The message and exit code for a metadata-database failure.
pub fn repository_error(config: &Config, e: &RepositoryError) -> CliError {
    let origin = config.origin("metadata_db");
    match e {
        RepositoryError::Connection { .. } => CliError::unavailable(format!(
            "{e}\nThe metadata database is set by metadata_db (from {origin}): point it at fansly-scraper's PostgreSQL database (postgres://user:password@host/fansly) or a SQLite file made by `fansly-stash import`."
        )),
        RepositoryError::Refused { .. } => CliError::unavailable(format!(
            "{e}\nCheck the user, password and database name in metadata_db (from {origin}); for fansly-scraper's database they are its postgres settings (pg_user, pg_password, pg_database)."
        )),
        RepositoryError::Schema(_) => CliError::unavailable(format!(
            "{e}\nmetadata_db (from {origin}) names a database that is not a fansly-scraper metadata database."
        )),
        other => CliError::unavailable(format!("{other} (metadata_db from {origin})")),
    }
}

/// Opens (creating if needed) the sync-state file; with `must_exist`, a missing file is
/// `Ok(None)`.
pub async fn open_state(
    config: &Config,
    must_exist: bool,
) -> Result<Option<SqliteSyncState>, CliError> {
    let path = config.state_db();
    if must_exist && !path.exists() {
        return Ok(None);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            CliError::unavailable(format!(
                "cannot create the folder of the sync-state file {}: {e}. Set state_db (now from {}) to a writable place.",
                path.display(),
                config.origin("state_db")
            ))
        })?;
    }
    SqliteSyncState::open(&path.to_string_lossy())
        .await
        .map(Some)
        .map_err(|e| state_error(config, &e))
}

/// The message and exit code for a sync-state failure.
pub fn state_error(config: &Config, e: &SyncStateError) -> CliError {
    CliError::unavailable(format!(
        "{e}\nThe sync-state file is set by state_db (from {}); deleting the file only makes the next run slower.",
        config.origin("state_db")
    ))
}

/// The adapter configuration for `config`.
pub fn stash_config(config: &Config) -> StashConfig {
    let mut c = StashConfig::new(config.settings.stash_url.clone());
    match &config.connection {
        Connection::Configured => {
            c.api_key = config.api_key.as_ref().map(|k| ApiKey::new(k.expose()));
        }
        Connection::Plugin { cookie } => c.session_cookie = cookie.clone(),
    }
    c.connect_timeout = config.connect_timeout();
    c.request_timeout = config.request_timeout();
    c
}

/// Connects to Stash (one request: version and status).
pub async fn connect_stash(config: &Config) -> Result<Arc<StashClient>, CliError> {
    StashClient::connect(stash_config(config))
        .await
        .map(Arc::new)
        .map_err(|e| stash_error(config, &e))
}

/// The message and exit code for a Stash failure, naming the setting to check.
pub fn stash_error(config: &Config, e: &MediaServerError) -> CliError {
    if let Connection::Plugin { cookie } = &config.connection {
        return plugin_stash_error(&config.settings.stash_url, cookie.is_some(), e);
    }
    let url = &config.settings.stash_url;
    let url_origin = config.origin("stash_url");
    let key_hint = if config.api_key.is_some() {
        format!(
            "The key comes from {}: copy it again from Stash (Settings > Security > API Key), or unset it if Stash has no password.",
            key_origin(config)
        )
    } else {
        format!(
            "No API key is configured: set {ENV_PREFIX}API_KEY or api_key_file to the key from Stash (Settings > Security > API Key)."
        )
    };
    match e {
        MediaServerError::Connection { .. } | MediaServerError::Timeout { .. } => {
            CliError::unavailable(format!(
                "{e}\nIs Stash running at {url}? The address is stash_url (from {url_origin}); `fansly-stash check` tests the whole setup."
            ))
        }
        MediaServerError::Unauthorized | MediaServerError::Forbidden => {
            CliError::unavailable(format!("{e}\n{key_hint}"))
        }
        MediaServerError::Server { .. } => CliError::unavailable(format!(
            "{e}\nStash at {url} (stash_url from {url_origin}) is failing; look at its log, then run again."
        )),
        other => CliError::unavailable(other.to_string()),
    }
}

/// [`stash_error`] for a plugin run: the address `url` and the credentials (the session
/// cookie, when `has_cookie`) came from Stash itself.
pub fn plugin_stash_error(url: &str, has_cookie: bool, e: &MediaServerError) -> CliError {
    match e {
        MediaServerError::Connection { .. } | MediaServerError::Timeout { .. } => {
            CliError::unavailable(format!(
                "{e}\nThe plugin could not reach Stash at {url}, the address Stash gave it. If Stash listens on a specific address (the host setting in its config.yml), make sure this machine can reach it; then run the task again."
            ))
        }
        MediaServerError::Unauthorized | MediaServerError::Forbidden if has_cookie => {
            CliError::unavailable(format!(
                "{e}\nStash refused the session it gave this plugin. Log out of Stash and in again, then run the task again."
            ))
        }
        MediaServerError::Unauthorized | MediaServerError::Forbidden => {
            CliError::unavailable(format!(
                "{e}\nStash asked for credentials but started the plugin without a session. Run the task from Stash's web interface while logged in (not through the API with only an API key)."
            ))
        }
        MediaServerError::Server { .. } => CliError::unavailable(format!(
            "{e}\nStash at {url} is failing; look at its log (Settings > Logs), then run the task again."
        )),
        other => CliError::unavailable(other.to_string()),
    }
}

/// Where the API key came from.
pub fn key_origin(config: &Config) -> String {
    match (
        config.origins.get("api_key"),
        config.origins.get("api_key_file"),
    ) {
        (Some(o), _) => o.clone(),
        (None, Some(o)) => format!(
            "api_key_file {} (set in {o})",
            config
                .settings
                .api_key_file
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ),
        (None, None) => "the configuration".to_owned(),
    }
}

/// The exit code and message for an engine error that stopped the run.
pub fn sync_error(config: &Config, e: SyncError) -> CliError {
    match e {
        SyncError::Stash(inner) => stash_error(config, &inner),
        SyncError::StashNotReady(_) => CliError::unavailable(e.to_string()),
        SyncError::Repository(inner) => repository_error(config, &inner),
        SyncError::State(inner) => state_error(config, &inner),
    }
}

/// The [`Downloads`] port over this machine's disk: a creator's folder is absent when the OS
/// says it does not exist (or it is a file) while the folder holding it (`download_root`)
/// does exist. A missing `download_root` says nothing about its creators (the downloads may
/// only be where Stash runs; `check` reports it), nor does any other error (permissions, a
/// stale mount): then Stash is asked as before.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalDownloads;

#[async_trait]
impl Downloads for LocalDownloads {
    async fn folder_absent(&self, path: &str) -> bool {
        match tokio::fs::metadata(path).await {
            Ok(m) => !m.is_dir(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let Some(root) = std::path::Path::new(path).parent() else {
                    return false;
                };
                tokio::fs::metadata(root).await.is_ok_and(|m| m.is_dir())
            }
            Err(_) => false,
        }
    }
}

/// The sync engine over the three ports, looking at the download folders on this machine
/// (what `sync`, `plan`, the plugin and `watch` run).
pub fn engine(
    repo: Arc<dyn MetadataRepository>,
    stash: Arc<dyn MediaServer>,
    state: Arc<dyn SyncStateStore>,
    opts: SyncOptions,
) -> SyncEngine {
    SyncEngine::new(repo, stash, state, opts).with_downloads(Arc::new(LocalDownloads))
}

#[cfg(test)]
mod downloads_tests {
    use super::*;

    #[tokio::test]
    async fn only_a_missing_folder_under_an_existing_root_or_a_file_is_absent() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a_file");
        std::fs::write(&file, "x").unwrap();
        let here = |p: &std::path::Path| p.display().to_string();
        assert!(!LocalDownloads.folder_absent(&here(dir.path())).await);
        assert!(LocalDownloads.folder_absent(&here(&file)).await);
        assert!(
            LocalDownloads
                .folder_absent(&here(&dir.path().join("gone")))
                .await
        );
        // Without the download root here, nothing is known about its creators.
        let elsewhere = dir.path().join("not_mounted").join("alice_fansly");
        assert!(!LocalDownloads.folder_absent(&here(&elsewhere)).await);
    }
}
