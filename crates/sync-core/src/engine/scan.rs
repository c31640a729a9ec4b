//! The scan phase: ask Stash to scan a creator's folder and wait for the job, but only when the
//! folder lies inside one of Stash's library paths.
//!
//! Stash skips a scan path outside every library with nothing but a line in its own log, so a
//! `--scan` of such a folder would look like "no files". The library paths are read once per
//! run (at the first scan) and a folder outside them is reported as the creator's error, with
//! the fix; the creator is then synced with what Stash already has, as after a failed scan.

use std::time::{Duration, Instant};

use domain::library::{describe_libraries, library_containing};
use domain::stash::{JobOutcome, LibraryPath, ScanRequest};

use super::SyncEngine;
use super::outcome::{CreatorOutcome, Tally};
use super::read_back::READ_BACK_CAP;
use crate::error::CreatorError;
use crate::monitor::SyncMonitor;
use crate::options::ScanOptions;

/// Stash's library paths, read at most once per run (only runs that scan read them).
#[derive(Debug, Default)]
pub(super) struct LibraryCache(Option<Vec<LibraryPath>>);

impl LibraryCache {
    async fn get(&mut self, engine: &SyncEngine) -> Result<&[LibraryPath], CreatorError> {
        if self.0.is_none() {
            let libraries = engine.stash.library_paths().await?;
            tracing::info!(libraries = %describe_libraries(&libraries), "Stash library paths");
            self.0 = Some(libraries);
        }
        Ok(self.0.as_deref().unwrap_or_default())
    }
}

impl SyncEngine {
    /// Scans the creator's folder `root` and waits for the job. Returns how long to wait for
    /// the scanned files to show (the read-back), or `None` when the scan did not finish or
    /// was not started. A folder outside Stash's libraries is not scanned: the reason and the
    /// fix become the creator's error (`outcome.scan_error`).
    pub(super) async fn scan_folder(
        &self,
        creator: &str,
        root: &str,
        scan: &ScanOptions,
        libraries: &mut LibraryCache,
        outcome: &mut CreatorOutcome,
        monitor: &SyncMonitor,
    ) -> Result<Option<Duration>, CreatorError> {
        let scan_started = Instant::now();
        let libraries = libraries.get(self).await?;
        let mut tally = Tally::default();
        let Some(library) = library_containing(libraries, root) else {
            let message = self.outside_libraries(root, libraries);
            tracing::warn!(folder = root, "{message}");
            outcome.scan_error = Some(message);
            return Ok(None);
        };
        if let Some(excluded) = library.excluded_media() {
            let message = format!(
                "Stash's library {} excludes {excluded}, so a scan adds none of the {excluded} in {root} and they cannot be labelled; include {excluded} for that library in Stash (Settings > Library)",
                library.path
            );
            tracing::warn!(folder = root, library = %library.path, "{message}");
            tally.note(creator, root, &message);
        }
        let request = ScanRequest {
            paths: vec![root.to_owned()],
            rescan: scan.rescan,
            generate: scan.generate,
        };
        let job = self.stash.start_scan(&request).await?;
        let mut read_back_deadline = None;
        match self.stash.wait_for_job(&job, scan.deadline).await? {
            JobOutcome::Finished | JobOutcome::Vanished => {
                let left = scan.deadline.saturating_sub(scan_started.elapsed());
                read_back_deadline = Some(left.min(READ_BACK_CAP));
            }
            JobOutcome::Failed(msg) => tally.note(
                creator,
                root,
                &format!("the scan failed: {msg}; syncing what Stash already has"),
            ),
            JobOutcome::Cancelled => tally.note(
                creator,
                root,
                "the scan was cancelled; syncing what Stash already has",
            ),
        }
        outcome.absorb(tally, monitor);
        Ok(read_back_deadline)
    }

    /// What is wrong, why, and what to do, when `root` lies outside every library.
    fn outside_libraries(&self, root: &str, libraries: &[LibraryPath]) -> String {
        let stash_root = &self.opts.path_mapping.stash_root;
        let why = if libraries.is_empty() {
            "Stash has no library path configured".to_owned()
        } else {
            format!(
                "it is not inside any of Stash's library paths ({})",
                describe_libraries(libraries)
            )
        };
        format!(
            "the scan of {root} was not started: {why}, and Stash only scans inside them. Add {stash_root} as a library in Stash (Settings > Library), or set stash_root to the folder where Stash sees the downloads. Synced what Stash already has"
        )
    }
}
