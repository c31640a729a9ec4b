//! Stash's library paths: one `configuration { general { stashes } }` read, so sync can refuse
//! a scan Stash would silently skip and `check` can say whether `stash_root` is in a library.

use cynic::QueryBuilder;
use domain::ports::MediaServerError;
use domain::stash::LibraryPath;

use crate::client::StashClient;
use crate::ops::queries::LibraryPaths;
use crate::transport::Safety;

impl StashClient {
    pub(crate) async fn library_paths_impl(&self) -> Result<Vec<LibraryPath>, MediaServerError> {
        let reply = self
            .transport
            .run(LibraryPaths::build(()), Safety::Idempotent)
            .await?;
        let paths: Vec<LibraryPath> = reply
            .configuration
            .general
            .stashes
            .into_iter()
            .map(|s| LibraryPath {
                path: s.path,
                exclude_video: s.exclude_video,
                exclude_image: s.exclude_image,
            })
            .collect();
        tracing::debug!(count = paths.len(), "library paths read");
        Ok(paths)
    }
}
