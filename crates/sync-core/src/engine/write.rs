//! The writing stage of the items phase: [`StashSink::apply`] writes one planned batch in
//! dependency order (galleries, then scenes and images, then gallery images, then chapters,
//! which need the images in place and count them in the order Stash shows the gallery, then
//! with `galleries_organized` the organized mark, last), records each object's result in the sync state (with the
//! hashes of the fields that are ours), and saves the state before the next batch. It tells
//! the caller when a write failed because it refers to a performer, studio or tag Stash no
//! longer has ([`MediaServerError::StaleReference`]), so those ids can be healed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::ids::GalleryId;
use domain::ports::{EntityKind, MediaServer, MediaServerError};
use domain::stash::{BatchOutcome, GalleryPatch, NewChapter};

use super::outcome::Outcome;
use super::plan_batch::{
    GalleryCreate, GalleryFollowUp, GalleryUpdate, PlannedBatch, StampWrite, WrittenKeys,
};
use super::sink::{Applied, StashSink};
use super::stamps::Stamped;
use crate::convert::DesiredChapter;
use crate::error::CreatorError;
use crate::planner::{field, organized_hash};
use crate::state::{StateKey, StateWriter, Written};
use domain::stash::{GalleryImages, Image, Scene};

/// Why an object failed, and whether it was over a stale reference.
#[derive(Debug, Clone)]
struct Failure {
    message: String,
    stale: bool,
}

impl Failure {
    /// `context: error`.
    fn of(context: &str, e: &MediaServerError) -> Self {
        Self {
            message: format!("{context}: {e}"),
            stale: e.is_stale_reference(),
        }
    }

    fn plain(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            stale: false,
        }
    }
}

/// A whole call failed: a fatal error stops the creator, any other fails its items.
fn whole_call(e: MediaServerError) -> Result<MediaServerError, CreatorError> {
    if e.is_fatal() {
        Err(CreatorError::from(e))
    } else {
        Ok(e)
    }
}

/// A gallery whose own write went through (or that needed none).
struct WrittenGallery {
    id: GalleryId,
    follow: GalleryFollowUp,
    created: bool,
}

/// A gallery whose create or update failed.
struct FailedGallery {
    follow: GalleryFollowUp,
    id: Option<GalleryId>,
    failure: Failure,
}

/// One batch being written.
struct BatchWrite<'a> {
    stash: &'a dyn MediaServer,
    state: &'a mut StateWriter,
    out: Outcome,
    written: WrittenKeys,
    stale: bool,
    at: DateTime<Utc>,
    galleries: Vec<WrittenGallery>,
    failed_galleries: Vec<FailedGallery>,
    /// What failed for a written gallery after its own write (images, chapters).
    gallery_errors: HashMap<GalleryId, Failure>,
}

impl StashSink {
    /// Writes one batch and saves the state.
    pub(crate) async fn apply(
        &self,
        mut batch: PlannedBatch,
        state: &mut StateWriter,
    ) -> Result<Applied, CreatorError> {
        let mut w = BatchWrite {
            stash: self.stash.as_ref(),
            state,
            out: std::mem::take(&mut batch.outcome),
            written: WrittenKeys::default(),
            stale: false,
            at: Utc::now(),
            galleries: Vec::new(),
            failed_galleries: Vec::new(),
            gallery_errors: HashMap::new(),
        };
        w.record_planned(&mut batch);
        w.create_galleries(std::mem::take(&mut batch.gallery_creates))
            .await?;
        w.update_galleries(std::mem::take(&mut batch.gallery_updates))
            .await?;
        for link in std::mem::take(&mut batch.gallery_links) {
            w.galleries.push(WrittenGallery {
                id: link.id,
                follow: link.follow,
                created: false,
            });
        }
        w.stamps::<Scene>(std::mem::take(&mut batch.scenes)).await?;
        w.stamps::<Image>(std::mem::take(&mut batch.images)).await?;
        w.link_images().await?;
        w.chapters().await?;
        w.organize().await?;
        w.record_galleries();
        let BatchWrite {
            out,
            written,
            stale,
            ..
        } = w;
        self.save(state).await?;
        Ok(Applied {
            outcome: out,
            stale,
            written,
        })
    }
}

impl BatchWrite<'_> {
    fn fail(&mut self, kind: EntityKind, key: &StateKey, id: Option<&str>, failure: &Failure) {
        self.stale |= failure.stale;
        self.out.failed(kind, key, &failure.message);
        self.state.mark_failed(kind, key, id, &failure.message);
    }

    /// What planning decided without a write: early failures, forgotten ids, settled objects,
    /// galleries not created.
    fn record_planned(&mut self, batch: &mut PlannedBatch) {
        for f in std::mem::take(&mut batch.failed) {
            self.fail(
                f.kind,
                &f.key,
                f.stash_id.as_deref(),
                &Failure::plain(f.error),
            );
        }
        for key in std::mem::take(&mut batch.forget) {
            self.state.forget(EntityKind::Gallery, &key);
        }
        for s in std::mem::take(&mut batch.settled) {
            let written = Written {
                fingerprint: s.fingerprint,
                at: self.at,
            };
            match s.fields {
                Some(fields) => {
                    self.state
                        .mark_stamped(s.kind, &s.key, &s.stash_id, written, fields)
                }
                None => self
                    .state
                    .mark_written(s.kind, &s.key, &s.stash_id, written),
            }
        }
        for n in std::mem::take(&mut batch.no_galleries) {
            let written = Written {
                fingerprint: n.fingerprint,
                at: self.at,
            };
            self.state
                .mark_not_made(EntityKind::Gallery, &n.key, written);
        }
    }

    async fn create_galleries(&mut self, creates: Vec<GalleryCreate>) -> Result<(), CreatorError> {
        if creates.is_empty() {
            return Ok(());
        }
        let news: Vec<_> = creates.iter().map(|g| g.gallery.clone()).collect();
        let mut made = match self.stash.create_galleries(&news).await {
            Ok(made) => made,
            Err(e) => {
                let e = whole_call(e)?;
                for g in creates {
                    let failure = Failure::of("creating galleries failed", &e);
                    self.failed_galleries.push(FailedGallery {
                        follow: g.follow,
                        id: None,
                        failure,
                    });
                }
                return Ok(());
            }
        };
        for g in creates {
            let failure = match made.remove(&g.gallery.key) {
                Some(Ok(gallery)) => {
                    self.galleries.push(WrittenGallery {
                        id: gallery.id,
                        follow: g.follow,
                        created: true,
                    });
                    continue;
                }
                Some(Err(e)) => Failure::of("creating the gallery failed", &e),
                None => Failure::plain("Stash gave no answer for this gallery"),
            };
            self.failed_galleries.push(FailedGallery {
                follow: g.follow,
                id: None,
                failure,
            });
        }
        Ok(())
    }

    async fn update_galleries(&mut self, updates: Vec<GalleryUpdate>) -> Result<(), CreatorError> {
        if updates.is_empty() {
            return Ok(());
        }
        let patches: Vec<_> = updates.iter().map(|g| g.patch.clone()).collect();
        let failed: HashMap<GalleryId, Failure> = match self.stash.update_galleries(&patches).await
        {
            Ok(out) => failures(out, "updating the gallery failed"),
            Err(e) => {
                let e = whole_call(e)?;
                let failure = Failure::of("updating galleries failed", &e);
                patches
                    .iter()
                    .map(|p| (p.id.clone(), failure.clone()))
                    .collect()
            }
        };
        for g in updates {
            match failed.get(&g.patch.id) {
                Some(failure) => self.failed_galleries.push(FailedGallery {
                    follow: g.follow,
                    id: Some(g.patch.id),
                    failure: failure.clone(),
                }),
                None => self.galleries.push(WrittenGallery {
                    id: g.patch.id,
                    follow: g.follow,
                    created: false,
                }),
            }
        }
        Ok(())
    }

    /// Scene or image patches, one batched update; each object's result is recorded.
    async fn stamps<T: Stamped>(
        &mut self,
        writes: Vec<StampWrite<T::Id>>,
    ) -> Result<(), CreatorError> {
        if writes.is_empty() {
            return Ok(());
        }
        let patches: Vec<_> = writes.iter().map(|w| w.patch.clone()).collect();
        let failed: HashMap<T::Id, Failure> = match T::update(self.stash, &patches).await {
            Ok(out) => out
                .failed
                .into_iter()
                .map(|(id, e)| {
                    (
                        id,
                        Failure {
                            message: e.to_string(),
                            stale: e.is_stale_reference(),
                        },
                    )
                })
                .collect(),
            Err(e) => {
                let e = whole_call(e)?;
                let failure = Failure::of("the batch update failed", &e);
                patches
                    .iter()
                    .map(|p| (p.id.clone(), failure.clone()))
                    .collect()
            }
        };
        for w in writes {
            let id = w.patch.id.to_string();
            match failed.get(&w.patch.id) {
                Some(failure) => self.fail(T::KIND, &w.key, Some(&id), failure),
                None => {
                    let written = Written {
                        fingerprint: w.fingerprint,
                        at: self.at,
                    };
                    self.state
                        .mark_stamped(T::KIND, &w.key, &id, written, w.fields);
                    self.out.updated(T::KIND);
                    self.written.insert(T::KIND, &w.key);
                }
            }
        }
        Ok(())
    }

    /// Adds images to the written galleries (idempotent on the server).
    async fn link_images(&mut self) -> Result<(), CreatorError> {
        let links: Vec<GalleryImages> = self
            .galleries
            .iter()
            .filter(|g| !g.follow.images.is_empty())
            .map(|g| GalleryImages {
                gallery_id: g.id.clone(),
                image_ids: g.follow.images.clone(),
            })
            .collect();
        if links.is_empty() {
            return Ok(());
        }
        match self.stash.add_gallery_images(&links).await {
            Ok(out) => self
                .gallery_errors
                .extend(failures(out, "adding its images failed")),
            Err(e) => {
                let e = whole_call(e)?;
                for l in &links {
                    let failure = Failure::of("adding images failed", &e);
                    self.gallery_errors.insert(l.gallery_id.clone(), failure);
                }
            }
        }
        Ok(())
    }

    /// Chapters, once the images are in place; existing ones (same title) are kept. A
    /// chapter starts at the first of its quoted post's images in the order Stash shows the
    /// gallery (read once for the batch's galleries that get chapters); when the gallery holds
    /// none of them (organized, not ours, not in Stash yet) it is not created, with a note.
    async fn chapters(&mut self) -> Result<(), CreatorError> {
        let existing = self.existing_chapters().await?;
        let mut todo: Vec<(GalleryId, StateKey, DesiredChapter)> = Vec::new();
        for g in &self.galleries {
            if self.gallery_errors.contains_key(&g.id) {
                continue;
            }
            let have = existing.get(&g.id);
            for c in &g.follow.chapters {
                if !have.is_some_and(|h| h.contains(&c.title)) {
                    todo.push((g.id.clone(), g.follow.key.clone(), c.clone()));
                }
            }
        }
        if todo.is_empty() {
            return Ok(());
        }
        let mut ids: Vec<GalleryId> = todo.iter().map(|(id, _, _)| id.clone()).collect();
        ids.dedup();
        let shown = match self.stash.gallery_images(&ids).await {
            Ok(shown) => shown,
            Err(e) => {
                let e = whole_call(e)?;
                for id in ids {
                    let failure = Failure::of("reading the order of its images failed", &e);
                    self.gallery_errors.insert(id, failure);
                }
                return Ok(());
            }
        };
        let mut new_chapters: Vec<NewChapter> = Vec::new();
        for (gallery_id, key, c) in todo {
            let images = shown.get(&gallery_id).map(Vec::as_slice).unwrap_or(&[]);
            let first = images.iter().position(|i| c.images.contains(i));
            match first.and_then(|i| u32::try_from(i + 1).ok()) {
                Some(image_index) => new_chapters.push(NewChapter {
                    gallery_id,
                    title: c.title,
                    image_index,
                }),
                None => self.out.note(
                    &key,
                    &format!(
                        "chapter {:?} not created: gallery {gallery_id} holds none of the quoted \
                         post's images (organized, not ours, or not in Stash yet)",
                        c.title
                    ),
                ),
            }
        }
        self.create_chapters(new_chapters).await
    }

    /// Marks organized the written galleries that are to be (`galleries_organized`), last,
    /// once their images and chapters are in place: a run killed before this leaves the
    /// gallery unorganized, and the next run finishes it. One batched update.
    async fn organize(&mut self) -> Result<(), CreatorError> {
        let patches: Vec<GalleryPatch> = self
            .galleries
            .iter()
            .filter(|g| g.follow.organize && !self.gallery_errors.contains_key(&g.id))
            .map(|g| GalleryPatch {
                organized: Some(true),
                ..GalleryPatch::new(g.id.clone())
            })
            .collect();
        if patches.is_empty() {
            return Ok(());
        }
        let failed = match self.stash.update_galleries(&patches).await {
            Ok(out) => failures(out, "marking it organized failed"),
            Err(e) => {
                let e = whole_call(e)?;
                let failure = Failure::of("marking galleries organized failed", &e);
                patches
                    .iter()
                    .map(|p| (p.id.clone(), failure.clone()))
                    .collect()
            }
        };
        let done: Vec<GalleryId> = patches.into_iter().map(|p| p.id).collect();
        for g in &mut self.galleries {
            if !done.contains(&g.id) {
                continue;
            }
            match failed.get(&g.id) {
                Some(f) => {
                    self.gallery_errors.insert(g.id.clone(), f.clone());
                }
                None => {
                    g.follow
                        .fields
                        .insert(field::ORGANIZED.to_owned(), organized_hash());
                }
            }
        }
        Ok(())
    }

    /// The titles of the chapters galleries that may have some already have.
    async fn existing_chapters(&mut self) -> Result<HashMap<GalleryId, Vec<String>>, CreatorError> {
        let to_check: Vec<GalleryId> = self
            .galleries
            .iter()
            .filter(|g| !g.follow.chapters.is_empty() && g.follow.check_chapters)
            .filter(|g| !self.gallery_errors.contains_key(&g.id))
            .map(|g| g.id.clone())
            .collect();
        if to_check.is_empty() {
            return Ok(HashMap::new());
        }
        match self.stash.gallery_chapters(&to_check).await {
            Ok(map) => Ok(map
                .into_iter()
                .map(|(id, chs)| (id, chs.into_iter().map(|c| c.title).collect()))
                .collect()),
            Err(e) => {
                let e = whole_call(e)?;
                for id in to_check {
                    let failure = Failure::of("reading its chapters failed", &e);
                    self.gallery_errors.insert(id, failure);
                }
                Ok(HashMap::new())
            }
        }
    }

    async fn create_chapters(&mut self, chapters: Vec<NewChapter>) -> Result<(), CreatorError> {
        if chapters.is_empty() {
            return Ok(());
        }
        let results = match self.stash.create_gallery_chapters(&chapters).await {
            Ok(results) => results,
            Err(e) => {
                let e = whole_call(e)?;
                for c in &chapters {
                    let failure = Failure::of("creating chapters failed", &e);
                    self.gallery_errors
                        .entry(c.gallery_id.clone())
                        .or_insert(failure);
                }
                return Ok(());
            }
        };
        for (c, r) in chapters.into_iter().zip(results) {
            let e = match r {
                Ok(_) => {
                    self.out.created(EntityKind::Chapter);
                    continue;
                }
                Err(e) => e,
            };
            self.stale |= e.is_stale_reference();
            let key = StateKey::Chapter {
                gallery: c.gallery_id.clone(),
                title: c.title.clone(),
            };
            self.out.failed(EntityKind::Chapter, &key, &e.to_string());
            let failure = Failure::of("creating a chapter failed", &e);
            self.gallery_errors.entry(c.gallery_id).or_insert(failure);
        }
        Ok(())
    }

    /// Each gallery's record: failed, or written with the hashes of our fields.
    fn record_galleries(&mut self) {
        for g in std::mem::take(&mut self.failed_galleries) {
            let id = g.id.as_ref().map(GalleryId::as_str);
            self.fail(EntityKind::Gallery, &g.follow.key, id, &g.failure);
        }
        for g in std::mem::take(&mut self.galleries) {
            if let Some(failure) = self.gallery_errors.get(&g.id).cloned() {
                self.fail(
                    EntityKind::Gallery,
                    &g.follow.key,
                    Some(g.id.as_str()),
                    &failure,
                );
                continue;
            }
            self.written.insert(EntityKind::Gallery, &g.follow.key);
            let written = Written {
                fingerprint: g.follow.fingerprint,
                at: self.at,
            };
            self.state.mark_stamped(
                EntityKind::Gallery,
                &g.follow.key,
                g.id.as_str(),
                written,
                g.follow.fields,
            );
            if g.created {
                self.out.created(EntityKind::Gallery)
            } else {
                self.out.updated(EntityKind::Gallery)
            }
        }
    }
}

/// The failed items of a batched call, each with `context: error`.
fn failures<Id: Eq + std::hash::Hash>(
    out: BatchOutcome<Id>,
    context: &str,
) -> HashMap<Id, Failure> {
    out.failed
        .into_iter()
        .map(|(id, e)| (id, Failure::of(context, &e)))
        .collect()
}
