//! The files phase: after a scan, confirm that its files are visible (the read-back, see
//! [`super::read_back`]); then list what Stash has under the creator's folder, page by page,
//! and match each file to the media it belongs to ([`FileMatches`]).

use std::collections::HashSet;
use std::time::Duration;

use super::read_back::ReadBackSample;
use super::run::CreatorRun;
use crate::error::CreatorError;
use crate::index::{FileMatches, MediaIndex};
use crate::monitor::Phase;

/// Stash's files matched to the creator's media.
#[derive(Debug, Default)]
pub(crate) struct Files {
    pub(crate) matches: FileMatches,
    /// File names the post-scan read-back did not see (already reported with the reason).
    pub(crate) unseen: HashSet<String>,
}

impl Files {
    /// Whether no Stash object matched any media (nothing to do for the creator).
    pub(crate) fn nothing_matched(&self) -> bool {
        if self.matches.objects.is_empty() {
            tracing::info!(
                files = self.matches.files_seen,
                "no Stash file matches this creator's media"
            );
        }
        self.matches.objects.is_empty()
    }
}

impl CreatorRun<'_> {
    /// The files phase; `read_back`: how long to wait for the scanned files in `sample`.
    pub(crate) async fn match_files(
        &mut self,
        media: &MediaIndex,
        sample: Option<ReadBackSample>,
        read_back: Option<Duration>,
    ) -> Result<Files, CreatorError> {
        self.phase(Phase::Files);
        let mut files = Files::default();
        if let (Some(deadline), Some(sample)) = (read_back, sample) {
            files.unseen = self.read_back(&sample, deadline).await?;
        }
        let mut cursor = None;
        loop {
            let page = self
                .engine
                .stash
                .list_files(&self.root, cursor.take())
                .await?;
            for f in &page.files {
                files.matches.add_file(media, f);
            }
            let seen = files.matches.files_seen as u64;
            self.progress(Phase::Files, seen, None);
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut step = self.outcome.fresh();
        for s in &files.matches.skipped {
            step.note(&s.path, &s.reason);
        }
        self.absorb(step);
        Ok(files)
    }
}
