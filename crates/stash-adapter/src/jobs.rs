//! Scans and jobs: `metadataScan` with explicit flags, then polling `findJob` until FINISHED,
//! FAILED or CANCELLED (a job that drops out of Stash's 10-job history counts as finished with
//! an unknown outcome), under a monotonic deadline; and a read-back that confirms scanned
//! files are visible instead of sleeping blindly.

use std::collections::HashSet;
use std::time::Duration;

use cynic::{MutationBuilder, QueryBuilder};
use domain::ids::JobId;
use domain::ports::MediaServerError;
use domain::stash::{JobOutcome, ScanRequest};
use tokio::time::Instant;

use crate::client::StashClient;
use crate::keys::{is_under, names_under_regex};
use crate::ops::fragments::JobStatus;
use crate::ops::fragments::VisualFile;
use crate::ops::inputs::{
    FindFilterType, FindJobInput, ImageFilterType, ScanMetadataInput, SceneFilterType,
    StringCriterionInput,
};
use crate::ops::mutations::{MetadataScan, MetadataScanVariables};
use crate::ops::queries::{
    FindJob, FindJobVariables, ImageFilesVariables, ListImageFiles, ListSceneFiles,
    SceneFilesVariables,
};
use crate::transport::Safety;

/// First poll interval; it grows by half each poll up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(100);
/// Longest poll interval.
const MAX_POLL: Duration = Duration::from_secs(2);

fn next_interval(current: Duration) -> Duration {
    (current + current / 2).min(MAX_POLL)
}

impl StashClient {
    pub(crate) async fn start_scan_impl(
        &self,
        request: &ScanRequest,
    ) -> Result<JobId, MediaServerError> {
        let g = request.generate;
        let input = ScanMetadataInput {
            paths: (!request.paths.is_empty()).then(|| request.paths.clone()),
            rescan: Some(request.rescan),
            scan_generate_covers: Some(g.covers),
            scan_generate_previews: Some(g.previews),
            scan_generate_image_previews: Some(g.image_previews),
            scan_generate_sprites: Some(g.sprites),
            scan_generate_phashes: Some(g.phashes),
            scan_generate_thumbnails: Some(g.thumbnails),
            scan_generate_clip_previews: Some(g.clip_previews),
        };
        let reply = self
            .transport
            .run(
                MetadataScan::build(MetadataScanVariables { input }),
                Safety::NotIdempotent,
            )
            .await?;
        let job = JobId::new(reply.metadata_scan.inner());
        tracing::info!(job = %job, paths = request.paths.len(), "scan started");
        Ok(job)
    }

    pub(crate) async fn wait_for_job_impl(
        &self,
        job: &JobId,
        deadline: Duration,
    ) -> Result<JobOutcome, MediaServerError> {
        let started = Instant::now();
        let mut interval = FIRST_POLL;
        let mut seen = false;
        loop {
            let vars = FindJobVariables {
                input: FindJobInput {
                    id: cynic::Id::new(job.as_str()),
                },
            };
            let reply = self
                .transport
                .run(FindJob::build(vars), Safety::Idempotent)
                .await?;
            match reply.find_job {
                None => {
                    if !seen {
                        tracing::warn!(job = %job, "job not in the server's history at the first look: it already finished and was dropped, or the server restarted");
                    }
                    return Ok(JobOutcome::Vanished);
                }
                Some(j) => {
                    seen = true;
                    match j.status {
                        JobStatus::Finished => return Ok(JobOutcome::Finished),
                        JobStatus::Cancelled => return Ok(JobOutcome::Cancelled),
                        JobStatus::Failed => {
                            let error =
                                j.error.filter(|e| !e.trim().is_empty()).unwrap_or_else(|| {
                                    format!("job '{}' failed without an error text", j.description)
                                });
                            return Ok(JobOutcome::Failed(error));
                        }
                        JobStatus::Ready | JobStatus::Running | JobStatus::Stopping => {
                            tracing::debug!(job = %job, progress = ?j.progress, "job running");
                        }
                    }
                }
            }
            let elapsed = started.elapsed();
            if elapsed >= deadline {
                return Err(MediaServerError::JobDeadline {
                    job: job.clone(),
                    after: deadline,
                });
            }
            tokio::time::sleep(interval.min(deadline - elapsed)).await;
            interval = next_interval(interval);
        }
    }

    /// Waits until each of `names` is the file name of a scene's or an image's file under the
    /// folder `prefix` (any depth), or `deadline` passes; returns the names still not visible
    /// (empty = all there). Use after a scan instead of a blind sleep: index commits can trail
    /// the job's FINISHED. Each poll costs two requests (scenes, images) per
    /// [`crate::BatchLimits::names_chunk`] names, and only the names still missing are asked
    /// again.
    pub(crate) async fn wait_for_files_impl(
        &self,
        prefix: &str,
        names: &[String],
        deadline: Duration,
    ) -> Result<Vec<String>, MediaServerError> {
        let started = Instant::now();
        let mut interval = FIRST_POLL;
        let mut missing: Vec<String> = crate::lookups::dedup(names.iter().map(String::as_str));
        missing.retain(|n| !n.is_empty());
        let mut polls = 0u32;
        loop {
            if missing.is_empty() {
                return Ok(missing);
            }
            polls += 1;
            let visible = self.visible_names(prefix, &missing).await?;
            missing.retain(|n| !visible.contains(n));
            let elapsed = started.elapsed();
            if missing.is_empty() || elapsed >= deadline {
                tracing::debug!(polls, missing = missing.len(), "file read-back done");
                return Ok(missing);
            }
            tokio::time::sleep(interval.min(deadline - elapsed)).await;
            interval = next_interval(interval);
        }
    }

    /// Which of `names` are, right now, the file name of a scene's or an image's file under
    /// `prefix`.
    async fn visible_names(
        &self,
        prefix: &str,
        names: &[String],
    ) -> Result<HashSet<String>, MediaServerError> {
        let mut visible = HashSet::new();
        let wanted: HashSet<&str> = names.iter().map(String::as_str).collect();
        let mut note = |path: &str| {
            if !is_under(path, prefix) {
                return;
            }
            let name = path.rsplit('/').next().unwrap_or(path);
            if wanted.contains(name) {
                visible.insert(name.to_owned());
            }
        };
        for chunk in names.chunks(self.limits.names_chunk) {
            let Some(regex) = names_under_regex(prefix, chunk.iter().map(String::as_str)) else {
                continue;
            };
            let scenes = self
                .transport
                .run(
                    ListSceneFiles::build(SceneFilesVariables {
                        scene_filter: SceneFilterType {
                            id: None,
                            path: Some(StringCriterionInput::regex(regex.clone())),
                        },
                        filter: FindFilterType::all_by_id(),
                    }),
                    Safety::Idempotent,
                )
                .await?;
            for f in scenes.find_scenes.scenes.iter().flat_map(|s| &s.files) {
                note(&f.path);
            }
            let images = self
                .transport
                .run(
                    ListImageFiles::build(ImageFilesVariables {
                        image_filter: ImageFilterType {
                            id: None,
                            path: Some(StringCriterionInput::regex(regex)),
                            galleries: None,
                        },
                        filter: FindFilterType::all_by_id(),
                    }),
                    Safety::Idempotent,
                )
                .await?;
            for f in images
                .find_images
                .images
                .iter()
                .flat_map(|i| &i.visual_files)
            {
                match f {
                    VisualFile::VideoFile(v) => note(&v.path),
                    VisualFile::ImageFile(i) => note(&i.path),
                    VisualFile::Unknown => {}
                }
            }
        }
        Ok(visible)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_intervals_grow_to_a_cap() {
        let mut i = FIRST_POLL;
        for _ in 0..20 {
            i = next_interval(i);
        }
        assert_eq!(i, MAX_POLL);
        assert_eq!(
            next_interval(Duration::from_millis(100)),
            Duration::from_millis(150)
        );
    }
}
