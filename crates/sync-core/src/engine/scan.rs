//! The scan phase: ask Stash to scan a creator's folder and wait for the job, but only when the
//! folder lies inside one of Stash's library paths.
//!
//! Stash skips a scan path outside every library with nothing but a line in its own log, so a
//! `--scan` of such a folder would look like "no files". The library paths are read once per
//! run (at the first scan) and a folder outside them is reported as the creator's error, with
//! the fix; the creator is then synced with what Stash already has, as after a failed scan.
//!
//! The wait for the job honours a stop (Ctrl-C, SIGTERM): it has no batch in flight to finish,
//! so it ends at once and the creator counts as interrupted. The job itself is left to Stash
//! (it finishes on its own; a scan changes nothing of ours), and the next run scans again.

use std::time::{Duration, Instant};

use domain::library::{describe_libraries, library_containing};
use domain::stash::{JobOutcome, LibraryPath, ScanRequest};

use super::read_back::READ_BACK_CAP;
use super::run::CreatorRun;
use crate::error::CreatorError;
use crate::monitor::Phase;

/// Stash's library paths, read at most once per run (only runs that scan read them).
#[derive(Debug, Default)]
pub(crate) struct LibraryCache(Option<Vec<LibraryPath>>);

impl CreatorRun<'_> {
    /// The scan phase (only when scanning and not in a dry run): scans the creator's folder and
    /// waits for the job. Returns how long to wait for the scanned files to show (the
    /// read-back), or `None` when the scan did not finish or was not started. A folder outside
    /// Stash's libraries is not scanned: the reason and the fix become the creator's error. A
    /// stop ends the wait for the job at once (the creator is then interrupted).
    pub(crate) async fn scan(&mut self) -> Result<Option<Duration>, CreatorError> {
        let opts = &self.engine.opts;
        let Some(scan) = opts.scan.clone().filter(|_| !opts.dry_run) else {
            return Ok(None);
        };
        self.phase(Phase::Scan);
        let started = Instant::now();
        let libraries = self.libraries().await?;
        let Some(library) = library_containing(&libraries, &self.root) else {
            let message = self.outside_libraries(&libraries);
            tracing::warn!(folder = %self.root, "{message}");
            self.scan_error = Some(message);
            return Ok(None);
        };
        let mut step = self.outcome.fresh();
        if let Some(excluded) = library.excluded_media() {
            let message = format!(
                "Stash's library {} excludes {excluded}, so a scan adds none of the {excluded} in {} and they cannot be labelled; include {excluded} for that library in Stash (Settings > Library)",
                library.path, self.root
            );
            tracing::warn!(folder = %self.root, library = %library.path, "{message}");
            step.note(&self.root, &message);
        }
        let request = ScanRequest {
            paths: vec![self.root.clone()],
            rescan: scan.rescan,
            generate: scan.generate,
        };
        let stash = &self.engine.stash;
        let job = stash.start_scan(&request).await?;
        let cancel = self.watch.cancel;
        let outcome = tokio::select! {
            biased;
            () = cancel.cancelled() => {
                tracing::info!(job = %job, "stop requested: no longer waiting for the scan job");
                self.interrupted = true;
                self.absorb(step);
                return Ok(None);
            }
            outcome = stash.wait_for_job(&job, scan.deadline) => outcome?,
        };
        let mut read_back_deadline = None;
        match outcome {
            JobOutcome::Finished | JobOutcome::Vanished => {
                let left = scan.deadline.saturating_sub(started.elapsed());
                read_back_deadline = Some(left.min(READ_BACK_CAP));
            }
            JobOutcome::Failed(msg) => step.note(
                &self.root,
                &format!("the scan failed: {msg}; syncing what Stash already has"),
            ),
            JobOutcome::Cancelled => step.note(
                &self.root,
                "the scan was cancelled; syncing what Stash already has",
            ),
        }
        self.absorb(step);
        Ok(read_back_deadline)
    }

    /// Stash's library paths, read at the first scan of the run.
    async fn libraries(&mut self) -> Result<Vec<LibraryPath>, CreatorError> {
        let cache = &mut self.shared.libraries;
        if cache.0.is_none() {
            let libraries = self.engine.stash.library_paths().await?;
            tracing::info!(libraries = %describe_libraries(&libraries), "Stash library paths");
            cache.0 = Some(libraries);
        }
        Ok(cache.0.clone().unwrap_or_default())
    }

    /// What is wrong, why, and what to do, when the creator's folder lies outside every
    /// library.
    fn outside_libraries(&self, libraries: &[LibraryPath]) -> String {
        let stash_root = &self.engine.opts.path_mapping.stash_root;
        let why = if libraries.is_empty() {
            "Stash has no library path configured".to_owned()
        } else {
            format!(
                "it is not inside any of Stash's library paths ({})",
                describe_libraries(libraries)
            )
        };
        format!(
            "the scan of {} was not started: {why}, and Stash only scans inside them. Add {stash_root} as a library in Stash (Settings > Library), or set stash_root to the folder where Stash sees the downloads. Synced what Stash already has",
            self.root
        )
    }
}
