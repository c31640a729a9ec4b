//! [`StashClient`]: one connected Stash server. `connect` makes the single version and status
//! query, refuses servers that cannot be used, and caches what it learned ([`ServerInfo`])
//! for feature gating.

use cynic::QueryBuilder;
use domain::ports::MediaServerError;
use domain::stash::{RequestStats, ServerInfo, ServerStatus};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::aliased::{AliasResult, AliasedDocument};
use crate::config::{BatchLimits, StashConfig};
use crate::ops::fragments::SystemStatusEnum;
use crate::ops::queries::ServerInfoQuery;
use crate::single_flight::KeyLocks;
use crate::transport::{Safety, Transport};

/// The oldest app schema we talk to: v0.27.0 (67), the oldest release the README supports and
/// the tests cover (every document is checked against the real v0.27.2 schema, and the sync
/// runs end to end against a double answering as v0.27.2).
pub const MIN_APP_SCHEMA: i32 = 67;

/// A connected Stash server. Cheap to share behind an `Arc`; all methods take `&self`.
#[derive(Debug)]
pub struct StashClient {
    pub(crate) transport: Transport,
    pub(crate) info: ServerInfo,
    pub(crate) limits: BatchLimits,
    pub(crate) locks: KeyLocks,
}

impl StashClient {
    /// Connects: one `version` + `systemStatus` request. Refuses a server in SETUP or
    /// NEEDS_MIGRATION, or one too old, with a message saying what to do.
    pub async fn connect(config: StashConfig) -> Result<Self, MediaServerError> {
        let transport = Transport::new(&config)?;
        let reply = transport
            .run(ServerInfoQuery::build(()), Safety::Idempotent)
            .instrument(tracing::info_span!("stash_connect", url = %transport.shown_url()))
            .await?;
        let info = ServerInfo {
            version: reply.version.version.unwrap_or_default(),
            app_schema: reply.system_status.app_schema,
            database_schema: reply.system_status.database_schema,
            status: match reply.system_status.status {
                SystemStatusEnum::Ok => ServerStatus::Ok,
                SystemStatusEnum::Setup => ServerStatus::Setup,
                SystemStatusEnum::NeedsMigration => ServerStatus::NeedsMigration,
            },
            ffmpeg_path: reply.system_status.ffmpeg_path,
            ffprobe_path: reply.system_status.ffprobe_path,
        };
        let url = transport.shown_url().to_owned();
        match info.status {
            ServerStatus::Setup => {
                return Err(MediaServerError::Unsupported(format!(
                    "Stash at {url} is not set up yet (status SETUP): open it in a browser, finish the setup wizard, then run again"
                )));
            }
            ServerStatus::NeedsMigration => {
                return Err(MediaServerError::Unsupported(format!(
                    "Stash at {url} needs a database migration (database schema {}, app schema {}): open it in a browser and run the migration (back up the database first), then run again",
                    info.database_schema
                        .map_or("unknown".to_owned(), |d| d.to_string()),
                    info.app_schema
                )));
            }
            ServerStatus::Ok => {}
        }
        if info.app_schema < MIN_APP_SCHEMA {
            return Err(MediaServerError::Unsupported(format!(
                "Stash at {url} is {} (appSchema {}), older than v0.27.0, the oldest release \
                 fansly-stash supports: upgrade Stash to v0.27 or newer (v0.30 or newer to also \
                 get partial dates and a studio's every URL), then run again",
                if info.version.is_empty() {
                    "an unknown version"
                } else {
                    &info.version
                },
                info.app_schema
            )));
        }
        tracing::info!(version = %info.version, app_schema = info.app_schema, "connected to Stash");
        Ok(Self {
            transport,
            info,
            limits: config.batch.effective(),
            locks: KeyLocks::default(),
        })
    }

    /// What the server said about itself at connect.
    pub fn info(&self) -> &ServerInfo {
        &self.info
    }

    /// HTTP requests made so far, per operation (retries included).
    pub fn request_stats(&self) -> RequestStats {
        self.transport.counters().snapshot()
    }

    /// Whether `galleryCreate` honours `organized` (fixed in v0.30.1).
    pub(crate) fn create_honours_organized(&self) -> bool {
        version_at_least(&self.info.version, (0, 30, 1))
    }

    /// Sends an aliased document of many copies of one operation; per-alias results.
    pub(crate) async fn run_aliased<Q, V>(
        &self,
        name: &str,
        operations: Vec<cynic::Operation<Q, V>>,
        safety: Safety,
    ) -> Result<Vec<AliasResult<Q>>, MediaServerError>
    where
        Q: DeserializeOwned,
        V: Serialize,
    {
        if operations.is_empty() {
            return Ok(Vec::new());
        }
        let doc = AliasedDocument::build(name, operations)?;
        let reply = self.transport.post(&doc.name, &doc.body, safety).await?;
        Ok(doc.split(&reply))
    }
}

/// `v0.30.1`, `v0.30.1-25-gcf3489ef` or `0.30.1` compared with a minimum; unknown = false.
pub(crate) fn version_at_least(version: &str, min: (u32, u32, u32)) -> bool {
    let core = version.trim().trim_start_matches('v');
    let core = core.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<u32> = core.split('.').map_while(|p| p.parse().ok()).collect();
    match parts.as_slice() {
        [a, b, c, ..] => (*a, *b, *c) >= min,
        [a, b] => (*a, *b, 0) >= min,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert!(version_at_least("v0.30.1", (0, 30, 1)));
        assert!(version_at_least("v0.30.1-25-gcf3489ef", (0, 30, 1)));
        assert!(version_at_least("v0.31.0", (0, 30, 1)));
        assert!(!version_at_least("v0.30.0", (0, 30, 1)));
        assert!(!version_at_least("v0.9.10", (0, 30, 1)));
        assert!(!version_at_least("", (0, 30, 1)));
    }
}
