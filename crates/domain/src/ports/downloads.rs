//! The downloads port: whether fansly-scraper's download folder on this machine holds a
//! creator's folder. The engine asks before it asks Stash for the files under that folder, so
//! a creator with nothing downloaded (an account that is only mentioned, a fan in a
//! conversation) costs no Stash request. It reads nothing else of the disk: which files Stash
//! has is Stash's answer, not ours.

use async_trait::async_trait;

/// Looks at the download folder on this machine.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Downloads: Send + Sync {
    /// Whether the local folder `path` is certainly absent: it does not exist, or is not a
    /// folder. A folder that cannot be looked at (permissions, a stale network mount) is not
    /// absent: the engine then asks Stash as before.
    async fn folder_absent(&self, path: &str) -> bool;
}

/// [`Downloads`] for an engine that cannot look at the disk: no folder is known to be absent,
/// so every creator's files are listed in Stash.
#[derive(Debug, Clone, Copy, Default)]
pub struct UnknownDownloads;

#[async_trait]
impl Downloads for UnknownDownloads {
    async fn folder_absent(&self, _path: &str) -> bool {
        false
    }
}
