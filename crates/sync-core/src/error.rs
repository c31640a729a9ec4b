//! [`SyncError`]: why a run stopped as a whole. Item failures are not errors of the run: they
//! are recorded in the sync state and the report, and retried next run.

use domain::ports::{MediaServerError, RepositoryError, SyncStateError};

/// Why a sync run could not go on.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Stash cannot be used at all (unreachable, refused, not set up).
    #[error(
        "cannot sync: {0}. Check the Stash URL and API key, and that Stash is running and set up."
    )]
    Stash(#[source] MediaServerError),
    /// Stash answered but is not ready.
    #[error(
        "Stash is not ready ({0}): finish its setup or database migration in the Stash web UI, then run again"
    )]
    StashNotReady(String),
    /// The metadata database failed.
    #[error(
        "cannot read the metadata database: {0}. Check the database URL and that it is a fansly-scraper database."
    )]
    Repository(#[source] RepositoryError),
    /// Our own sync-state file failed.
    #[error(
        "cannot use the sync-state file: {0}. Check that its folder is writable; deleting it only costs a slower next run."
    )]
    State(#[source] SyncStateError),
}

/// Why one creator could not be finished (the run goes on with the next creator unless the
/// cause is fatal).
#[derive(Debug, thiserror::Error)]
pub(crate) enum CreatorError {
    /// Stash became unusable: stop the run.
    #[error(transparent)]
    Fatal(SyncError),
    /// This creator could not be finished; the message says why.
    #[error("{0}")]
    Creator(String),
    /// This creator is not synced at all (nothing was read or written); the message says why
    /// and what to do.
    #[error("{0}")]
    NotSynced(String),
}

impl From<MediaServerError> for CreatorError {
    fn from(e: MediaServerError) -> Self {
        if e.is_fatal() {
            CreatorError::Fatal(SyncError::Stash(e))
        } else {
            CreatorError::Creator(format!("Stash request failed: {e}"))
        }
    }
}

impl From<RepositoryError> for CreatorError {
    fn from(e: RepositoryError) -> Self {
        match e {
            RepositoryError::Connection { .. } => CreatorError::Fatal(SyncError::Repository(e)),
            other => CreatorError::Creator(format!("metadata query failed: {other}")),
        }
    }
}

impl From<SyncStateError> for CreatorError {
    fn from(e: SyncStateError) -> Self {
        CreatorError::Fatal(SyncError::State(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fatal_stash_errors_stop_the_run_others_only_the_creator() {
        assert!(matches!(
            CreatorError::from(MediaServerError::Unauthorized),
            CreatorError::Fatal(_)
        ));
        let e = CreatorError::from(MediaServerError::Server {
            status: 500,
            body: "x".into(),
        });
        assert!(matches!(e, CreatorError::Creator(ref m) if m.contains("500")));
        let msg = SyncError::StashNotReady("SETUP".into()).to_string();
        assert!(msg.contains("setup") && msg.contains("run again"), "{msg}");
    }
}
