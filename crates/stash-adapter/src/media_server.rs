//! The [`MediaServer`] port, implemented by [`StashClient`]: each method delegates to the
//! module that does the work, inside a tracing span.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use domain::ids::{GalleryId, ImageId, JobId, SceneId};
use domain::ports::{MediaServer, MediaServerError};
use domain::stash::{
    BatchOutcome, Chapter, EntityLookup, FileCursor, FilePage, FoundEntities, Gallery,
    GalleryImages, GalleryPatch, Image, ImagePatch, JobOutcome, LibraryPath, NewChapter,
    NewGallery, Performer, PerformerSpec, RequestStats, Resolved, ScanRequest, Scene, ScenePatch,
    ServerInfo, Studio, StudioSpec, Tag, TagSpec,
};
use tracing::Instrument;

use crate::client::StashClient;

#[async_trait]
impl MediaServer for StashClient {
    async fn server_info(&self) -> Result<ServerInfo, MediaServerError> {
        Ok(self.info.clone())
    }

    async fn find_or_create_performers(
        &self,
        specs: &[PerformerSpec],
    ) -> Result<HashMap<String, Resolved<Performer>>, MediaServerError> {
        self.find_or_create_performers_impl(specs)
            .instrument(tracing::info_span!("performers", count = specs.len()))
            .await
    }

    async fn find_or_create_studios(
        &self,
        specs: &[StudioSpec],
    ) -> Result<HashMap<String, Resolved<Studio>>, MediaServerError> {
        self.find_or_create_studios_impl(specs)
            .instrument(tracing::info_span!("studios", count = specs.len()))
            .await
    }

    async fn find_or_create_tags(
        &self,
        specs: &[TagSpec],
    ) -> Result<HashMap<String, Resolved<Tag>>, MediaServerError> {
        self.find_or_create_tags_impl(specs)
            .instrument(tracing::info_span!("tags", count = specs.len()))
            .await
    }

    async fn find_entities(
        &self,
        lookup: &EntityLookup,
    ) -> Result<FoundEntities, MediaServerError> {
        self.find_entities_impl(lookup)
            .instrument(tracing::info_span!(
                "find_entities",
                performers = lookup.performers.len(),
                studios = lookup.studios.len(),
                tags = lookup.tags.len()
            ))
            .await
    }

    async fn list_files(
        &self,
        prefix: &str,
        cursor: Option<FileCursor>,
    ) -> Result<FilePage, MediaServerError> {
        self.list_files_impl(prefix, cursor)
            .instrument(tracing::info_span!("list_files", prefix))
            .await
    }

    async fn scenes_by_ids(
        &self,
        ids: &[SceneId],
    ) -> Result<HashMap<SceneId, Scene>, MediaServerError> {
        self.scenes_by_ids_impl(ids)
            .instrument(tracing::info_span!("scenes_by_ids", count = ids.len()))
            .await
    }

    async fn images_by_ids(
        &self,
        ids: &[ImageId],
    ) -> Result<HashMap<ImageId, Image>, MediaServerError> {
        self.images_by_ids_impl(ids)
            .instrument(tracing::info_span!("images_by_ids", count = ids.len()))
            .await
    }

    async fn galleries_by_ids(
        &self,
        ids: &[GalleryId],
    ) -> Result<HashMap<GalleryId, Gallery>, MediaServerError> {
        self.galleries_by_ids_impl(ids)
            .instrument(tracing::info_span!("galleries_by_ids", count = ids.len()))
            .await
    }

    async fn galleries_by_codes(
        &self,
        codes: &[String],
    ) -> Result<HashMap<String, Vec<Gallery>>, MediaServerError> {
        self.galleries_by_codes_impl(codes)
            .instrument(tracing::info_span!(
                "galleries_by_codes",
                count = codes.len()
            ))
            .await
    }

    async fn update_scenes(
        &self,
        patches: &[ScenePatch],
    ) -> Result<BatchOutcome<SceneId>, MediaServerError> {
        self.update_scenes_impl(patches)
            .instrument(tracing::info_span!("update_scenes", count = patches.len()))
            .await
    }

    async fn update_images(
        &self,
        patches: &[ImagePatch],
    ) -> Result<BatchOutcome<ImageId>, MediaServerError> {
        self.update_images_impl(patches)
            .instrument(tracing::info_span!("update_images", count = patches.len()))
            .await
    }

    async fn update_galleries(
        &self,
        patches: &[GalleryPatch],
    ) -> Result<BatchOutcome<GalleryId>, MediaServerError> {
        self.update_galleries_impl(patches)
            .instrument(tracing::info_span!(
                "update_galleries",
                count = patches.len()
            ))
            .await
    }

    async fn create_galleries(
        &self,
        galleries: &[NewGallery],
    ) -> Result<HashMap<String, Result<Gallery, MediaServerError>>, MediaServerError> {
        self.create_galleries_impl(galleries)
            .instrument(tracing::info_span!(
                "create_galleries",
                count = galleries.len()
            ))
            .await
    }

    async fn add_gallery_images(
        &self,
        links: &[GalleryImages],
    ) -> Result<BatchOutcome<GalleryId>, MediaServerError> {
        self.add_gallery_images_impl(links)
            .instrument(tracing::info_span!(
                "add_gallery_images",
                count = links.len()
            ))
            .await
    }

    async fn gallery_chapters(
        &self,
        galleries: &[GalleryId],
    ) -> Result<HashMap<GalleryId, Vec<Chapter>>, MediaServerError> {
        self.gallery_chapters_impl(galleries)
            .instrument(tracing::info_span!(
                "gallery_chapters",
                count = galleries.len()
            ))
            .await
    }

    async fn gallery_images(
        &self,
        galleries: &[GalleryId],
    ) -> Result<HashMap<GalleryId, Vec<ImageId>>, MediaServerError> {
        self.gallery_images_impl(galleries)
            .instrument(tracing::info_span!(
                "gallery_images",
                count = galleries.len()
            ))
            .await
    }

    async fn create_gallery_chapters(
        &self,
        chapters: &[NewChapter],
    ) -> Result<Vec<Result<Chapter, MediaServerError>>, MediaServerError> {
        self.create_gallery_chapters_impl(chapters)
            .instrument(tracing::info_span!(
                "create_gallery_chapters",
                count = chapters.len()
            ))
            .await
    }

    async fn library_paths(&self) -> Result<Vec<LibraryPath>, MediaServerError> {
        self.library_paths_impl()
            .instrument(tracing::info_span!("library_paths"))
            .await
    }

    async fn start_scan(&self, request: &ScanRequest) -> Result<JobId, MediaServerError> {
        self.start_scan_impl(request)
            .instrument(tracing::info_span!("start_scan"))
            .await
    }

    async fn wait_for_job(
        &self,
        job: &JobId,
        deadline: Duration,
    ) -> Result<JobOutcome, MediaServerError> {
        self.wait_for_job_impl(job, deadline)
            .instrument(tracing::info_span!("wait_for_job", job = %job))
            .await
    }

    async fn wait_for_files(
        &self,
        prefix: &str,
        names: &[String],
        deadline: Duration,
    ) -> Result<Vec<String>, MediaServerError> {
        self.wait_for_files_impl(prefix, names, deadline)
            .instrument(tracing::info_span!(
                "wait_for_files",
                prefix,
                count = names.len()
            ))
            .await
    }

    fn request_stats(&self) -> RequestStats {
        StashClient::request_stats(self)
    }
}
