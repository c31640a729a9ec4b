//! Port decorators that pull a [`CancelFlag`] the first time a chosen port method is called,
//! so a test can interrupt a sync deterministically right after a given phase (the engine
//! checks the flag between phases and after each written batch).
//!
//! - [`TripRepo`] trips on the first `content_page` (the index phase runs, then the run stops).
//! - [`TripStash`] trips on the first call of a named [`MediaServer`] method (`list_files`:
//!   after the file listing; `find_or_create_performers`: after the entities; `update_images`
//!   / `create_galleries`: after the first written batch).
//! - [`TripStash::stale_image_once`] instead makes the first multi-image `update_images` call
//!   carry one id Stash does not have (an image deleted behind our back), to prove one bad id
//!   fails only its own item.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use domain::fansly::Account;
use domain::ids::{AccountId, GalleryId, ImageId, JobId, SceneId};
use domain::ports::{
    AttachmentCoverage, ContentCursor, ContentFingerprint, ContentPage, CreatorSummary,
    MediaServer, MediaServerError, MetadataRepository, RepositoryError, StashIdWriteback,
    StoreInfo,
};
use domain::stash::{
    BatchOutcome, Chapter, EntityLookup, FileCursor, FilePage, FoundEntities, Gallery,
    GalleryImages, GalleryPatch, Image, ImagePatch, JobOutcome, LibraryPath, NewChapter,
    NewGallery, Performer, PerformerSpec, RequestStats, Resolved, ScanRequest, Scene, ScenePatch,
    ServerInfo, Studio, StudioSpec, Tag, TagSpec,
};
use sync_core::CancelFlag;

/// A [`MetadataRepository`] that cancels on the first `content_page`.
pub struct TripRepo {
    inner: Arc<dyn MetadataRepository>,
    cancel: CancelFlag,
    armed: AtomicBool,
}

impl TripRepo {
    /// Wraps `inner`; `cancel` is pulled on the first content page.
    pub fn new(inner: Arc<dyn MetadataRepository>, cancel: CancelFlag) -> Self {
        Self {
            inner,
            cancel,
            armed: AtomicBool::new(true),
        }
    }
}

#[async_trait]
impl MetadataRepository for TripRepo {
    async fn info(&self) -> Result<StoreInfo, RepositoryError> {
        self.inner.info().await
    }
    async fn list_creators(&self) -> Result<Vec<CreatorSummary>, RepositoryError> {
        self.inner.list_creators().await
    }
    async fn accounts_by_username(
        &self,
        usernames: &[String],
    ) -> Result<HashMap<String, Account>, RepositoryError> {
        self.inner.accounts_by_username(usernames).await
    }
    async fn content_fingerprints(
        &self,
    ) -> Result<HashMap<AccountId, ContentFingerprint>, RepositoryError> {
        self.inner.content_fingerprints().await
    }
    async fn content_page(
        &self,
        creator: AccountId,
        cursor: Option<ContentCursor>,
        limit: usize,
    ) -> Result<ContentPage, RepositoryError> {
        if self.armed.swap(false, Ordering::SeqCst) {
            self.cancel.cancel();
        }
        self.inner.content_page(creator, cursor, limit).await
    }
    async fn attachment_coverage(
        &self,
        creators: &[AccountId],
    ) -> Result<HashMap<AccountId, AttachmentCoverage>, RepositoryError> {
        self.inner.attachment_coverage(creators).await
    }
    async fn record_stash_ids(&self, ids: &StashIdWriteback) -> Result<(), RepositoryError> {
        self.inner.record_stash_ids(ids).await
    }
}

/// A [`MediaServer`] that cancels on the first call of one method.
pub struct TripStash {
    inner: Arc<dyn MediaServer>,
    cancel: CancelFlag,
    method: &'static str,
    armed: AtomicBool,
    stale_image: AtomicBool,
}

/// The id [`TripStash::stale_image_once`] substitutes: no double ever gets that far.
pub const STALE_IMAGE_ID: &str = "987654321";

impl TripStash {
    /// Wraps `inner`; `cancel` is pulled on the first call of `method` (a [`MediaServer`]
    /// method name, e.g. `list_files`).
    pub fn new(inner: Arc<dyn MediaServer>, cancel: CancelFlag, method: &'static str) -> Self {
        Self {
            inner,
            cancel,
            method,
            armed: AtomicBool::new(true),
            stale_image: AtomicBool::new(false),
        }
    }

    /// Wraps `inner` so that in the first `update_images` call with at least two patches, the
    /// middle patch's id is replaced by [`STALE_IMAGE_ID`]; a failure reported for that id is
    /// mapped back to the original id. Nothing is cancelled.
    pub fn stale_image_once(inner: Arc<dyn MediaServer>) -> Self {
        Self {
            inner,
            cancel: CancelFlag::new(),
            method: "",
            armed: AtomicBool::new(false),
            stale_image: AtomicBool::new(true),
        }
    }

    fn hit(&self, method: &str) {
        if method == self.method && self.armed.swap(false, Ordering::SeqCst) {
            self.cancel.cancel();
        }
    }
}

#[async_trait]
impl MediaServer for TripStash {
    async fn server_info(&self) -> Result<ServerInfo, MediaServerError> {
        self.hit("server_info");
        self.inner.server_info().await
    }
    async fn find_or_create_performers(
        &self,
        specs: &[PerformerSpec],
    ) -> Result<HashMap<String, Resolved<Performer>>, MediaServerError> {
        self.hit("find_or_create_performers");
        self.inner.find_or_create_performers(specs).await
    }
    async fn find_or_create_studios(
        &self,
        specs: &[StudioSpec],
    ) -> Result<HashMap<String, Resolved<Studio>>, MediaServerError> {
        self.hit("find_or_create_studios");
        self.inner.find_or_create_studios(specs).await
    }
    async fn find_or_create_tags(
        &self,
        specs: &[TagSpec],
    ) -> Result<HashMap<String, Resolved<Tag>>, MediaServerError> {
        self.hit("find_or_create_tags");
        self.inner.find_or_create_tags(specs).await
    }
    async fn find_entities(
        &self,
        lookup: &EntityLookup,
    ) -> Result<FoundEntities, MediaServerError> {
        self.hit("find_entities");
        self.inner.find_entities(lookup).await
    }
    async fn list_files(
        &self,
        prefix: &str,
        cursor: Option<FileCursor>,
    ) -> Result<FilePage, MediaServerError> {
        self.hit("list_files");
        self.inner.list_files(prefix, cursor).await
    }
    async fn scenes_by_ids(
        &self,
        ids: &[SceneId],
    ) -> Result<HashMap<SceneId, Scene>, MediaServerError> {
        self.hit("scenes_by_ids");
        self.inner.scenes_by_ids(ids).await
    }
    async fn images_by_ids(
        &self,
        ids: &[ImageId],
    ) -> Result<HashMap<ImageId, Image>, MediaServerError> {
        self.hit("images_by_ids");
        self.inner.images_by_ids(ids).await
    }
    async fn galleries_by_ids(
        &self,
        ids: &[GalleryId],
    ) -> Result<HashMap<GalleryId, Gallery>, MediaServerError> {
        self.hit("galleries_by_ids");
        self.inner.galleries_by_ids(ids).await
    }
    async fn galleries_by_codes(
        &self,
        codes: &[String],
    ) -> Result<HashMap<String, Vec<Gallery>>, MediaServerError> {
        self.hit("galleries_by_codes");
        self.inner.galleries_by_codes(codes).await
    }
    async fn update_scenes(
        &self,
        patches: &[ScenePatch],
    ) -> Result<BatchOutcome<SceneId>, MediaServerError> {
        self.hit("update_scenes");
        self.inner.update_scenes(patches).await
    }
    async fn update_images(
        &self,
        patches: &[ImagePatch],
    ) -> Result<BatchOutcome<ImageId>, MediaServerError> {
        self.hit("update_images");
        if patches.len() < 2 || !self.stale_image.swap(false, Ordering::SeqCst) {
            return self.inner.update_images(patches).await;
        }
        let mut patches = patches.to_vec();
        let middle = patches.len() / 2;
        let original = std::mem::replace(&mut patches[middle].id, ImageId::new(STALE_IMAGE_ID));
        let mut outcome = self.inner.update_images(&patches).await?;
        for (id, _) in &mut outcome.failed {
            if id.as_str() == STALE_IMAGE_ID {
                *id = original.clone();
            }
        }
        for id in &mut outcome.applied {
            if id.as_str() == STALE_IMAGE_ID {
                *id = original.clone();
            }
        }
        Ok(outcome)
    }
    async fn update_galleries(
        &self,
        patches: &[GalleryPatch],
    ) -> Result<BatchOutcome<GalleryId>, MediaServerError> {
        self.hit("update_galleries");
        self.inner.update_galleries(patches).await
    }
    async fn create_galleries(
        &self,
        galleries: &[NewGallery],
    ) -> Result<HashMap<String, Result<Gallery, MediaServerError>>, MediaServerError> {
        self.hit("create_galleries");
        self.inner.create_galleries(galleries).await
    }
    async fn add_gallery_images(
        &self,
        links: &[GalleryImages],
    ) -> Result<BatchOutcome<GalleryId>, MediaServerError> {
        self.hit("add_gallery_images");
        self.inner.add_gallery_images(links).await
    }
    async fn gallery_chapters(
        &self,
        galleries: &[GalleryId],
    ) -> Result<HashMap<GalleryId, Vec<Chapter>>, MediaServerError> {
        self.hit("gallery_chapters");
        self.inner.gallery_chapters(galleries).await
    }
    async fn gallery_images(
        &self,
        galleries: &[GalleryId],
    ) -> Result<HashMap<GalleryId, Vec<ImageId>>, MediaServerError> {
        self.hit("gallery_images");
        self.inner.gallery_images(galleries).await
    }
    async fn create_gallery_chapters(
        &self,
        chapters: &[NewChapter],
    ) -> Result<Vec<Result<Chapter, MediaServerError>>, MediaServerError> {
        self.hit("create_gallery_chapters");
        self.inner.create_gallery_chapters(chapters).await
    }
    async fn library_paths(&self) -> Result<Vec<LibraryPath>, MediaServerError> {
        self.hit("library_paths");
        self.inner.library_paths().await
    }
    async fn start_scan(&self, request: &ScanRequest) -> Result<JobId, MediaServerError> {
        self.hit("start_scan");
        self.inner.start_scan(request).await
    }
    async fn wait_for_job(
        &self,
        job: &JobId,
        deadline: Duration,
    ) -> Result<JobOutcome, MediaServerError> {
        self.hit("wait_for_job");
        self.inner.wait_for_job(job, deadline).await
    }
    async fn wait_for_files(
        &self,
        prefix: &str,
        names: &[String],
        deadline: Duration,
    ) -> Result<Vec<String>, MediaServerError> {
        self.hit("wait_for_files");
        self.inner.wait_for_files(prefix, names, deadline).await
    }
    fn request_stats(&self) -> RequestStats {
        self.inner.request_stats()
    }
}
