//! The writing stage of the items phase: one writer applies a planned batch in dependency
//! order (galleries, then scenes and images, then gallery images, then chapters, which need
//! the images in place), records each object's result in the sync state (with the hashes of
//! the fields that are ours), and saves the state before the next batch. In a dry run the
//! batch becomes planned changes instead. It also tells the caller when a write failed because
//! it refers to a performer, studio or tag Stash no longer has, so those ids can be healed.

use std::collections::HashMap;

use domain::ids::GalleryId;
use domain::ports::{EntityKind, FieldHashes, MediaServerError};
use domain::stash::NewChapter;

use super::SyncEngine;
use super::heal::is_stale_reference;
use super::outcome::Tally;
use super::prepare::{GalleryFollowUp, PlannedBatch, PrepareCtx, WrittenKeys, links_of, now};
use crate::error::CreatorError;
use crate::planner::{Action, PlannedChange, gallery_fields, new_gallery_fields, stamp_fields};

/// What writing one batch did.
#[derive(Debug)]
pub(crate) struct WrittenBatch {
    /// Counts, failures and notes, not yet folded into the creator's outcome.
    pub(crate) tally: Tally,
    /// Whether a write failed on a reference to a performer, studio or tag Stash no longer
    /// has.
    pub(crate) stale: bool,
    /// The objects written (created or updated) without an error.
    pub(crate) written: WrittenKeys,
}

fn whole_call(e: MediaServerError) -> Result<String, CreatorError> {
    if e.is_fatal() {
        Err(CreatorError::from(e))
    } else {
        Ok(e.to_string())
    }
}

impl SyncEngine {
    /// Applies (or, in a dry run, plans) one batch and saves the state. The caller folds the
    /// tally into the creator's outcome (after a retry, when a write met a stale id).
    pub(crate) async fn write_batch(
        &self,
        ctx: &PrepareCtx<'_>,
        mut batch: PlannedBatch,
    ) -> Result<WrittenBatch, CreatorError> {
        let mut tally = std::mem::take(&mut batch.tally);
        if self.opts.dry_run {
            self.plan_batch(ctx.creator, batch, &mut tally);
            return Ok(WrittenBatch {
                tally,
                stale: false,
                written: WrittenKeys::default(),
            });
        }
        let creator = ctx.creator;
        let at = now();
        let mut written = WrittenKeys::default();
        let lock = || match ctx.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        {
            let mut st = lock();
            for (kind, key, id, err) in &batch.failed {
                tally.failed(creator, *kind, key, err);
                st.mark_failed(*kind, key, id.as_deref(), err);
            }
            for (kind, key) in &batch.forget {
                st.forget(*kind, key);
            }
            for (kind, key, id, fp, fields) in batch.settled {
                match fields {
                    Some(fields) => st.mark_stamped(kind, &key, &id, fp, fields, at),
                    None => st.mark_written(kind, &key, &id, fp, at),
                }
            }
        }

        // Galleries: create, then update; both feed the follow-ups (images, chapters, state).
        let mut follow: Vec<(GalleryId, GalleryFollowUp, bool)> = Vec::new();
        let mut gallery_errors: HashMap<GalleryId, String> = HashMap::new();
        let mut failed_galleries: Vec<(GalleryFollowUp, Option<GalleryId>, String)> = Vec::new();
        if !batch.new_galleries.is_empty() {
            let news: Vec<_> = batch.new_galleries.iter().map(|(g, _)| g.clone()).collect();
            match self.stash.create_galleries(&news).await {
                Ok(mut made) => {
                    for (g, f) in batch.new_galleries {
                        match made.remove(&g.key) {
                            Some(Ok(gallery)) => follow.push((gallery.id, f, true)),
                            Some(Err(e)) => failed_galleries.push((
                                f,
                                None,
                                format!("creating the gallery failed: {e}"),
                            )),
                            None => failed_galleries.push((
                                f,
                                None,
                                "Stash gave no answer for this gallery".to_owned(),
                            )),
                        }
                    }
                }
                Err(e) => {
                    let msg = whole_call(e)?;
                    for (_, f) in batch.new_galleries {
                        failed_galleries.push((
                            f,
                            None,
                            format!("creating galleries failed: {msg}"),
                        ));
                    }
                }
            }
        }
        if !batch.gallery_patches.is_empty() {
            let patches: Vec<_> = batch
                .gallery_patches
                .iter()
                .map(|(p, _)| p.clone())
                .collect();
            match self.stash.update_galleries(&patches).await {
                Ok(out) => {
                    let errs: HashMap<_, _> = out.failed.into_iter().collect();
                    for (p, f) in batch.gallery_patches {
                        match errs.get(&p.id) {
                            Some(e) => failed_galleries.push((
                                f,
                                Some(p.id),
                                format!("updating the gallery failed: {e}"),
                            )),
                            None => follow.push((p.id, f, false)),
                        }
                    }
                }
                Err(e) => {
                    let msg = whole_call(e)?;
                    for (p, f) in batch.gallery_patches {
                        failed_galleries.push((
                            f,
                            Some(p.id),
                            format!("updating galleries failed: {msg}"),
                        ));
                    }
                }
            }
        }
        for (id, f) in batch.gallery_links {
            follow.push((id, f, false));
        }

        // Scenes and images.
        let scene_results = if batch.scenes.is_empty() {
            None
        } else {
            let patches: Vec<_> = batch.scenes.iter().map(|(p, ..)| p.clone()).collect();
            Some(self.stash.update_scenes(&patches).await)
        };
        if let Some(res) = scene_results {
            let res = match res {
                Ok(out) => Ok(out
                    .failed
                    .into_iter()
                    .map(|(id, e)| (id.to_string(), e.to_string()))
                    .collect::<HashMap<_, _>>()),
                Err(e) => Err(whole_call(e)?),
            };
            let items = batch
                .scenes
                .iter()
                .map(|(p, k, fp, f)| (p.id.to_string(), k.as_str(), *fp, f));
            self.record_stamps(ctx, EntityKind::Scene, items, res, &mut tally, &mut written);
        }
        let image_results = if batch.images.is_empty() {
            None
        } else {
            let patches: Vec<_> = batch.images.iter().map(|(p, ..)| p.clone()).collect();
            Some(self.stash.update_images(&patches).await)
        };
        if let Some(res) = image_results {
            let res = match res {
                Ok(out) => Ok(out
                    .failed
                    .into_iter()
                    .map(|(id, e)| (id.to_string(), e.to_string()))
                    .collect::<HashMap<_, _>>()),
                Err(e) => Err(whole_call(e)?),
            };
            let items = batch
                .images
                .iter()
                .map(|(p, k, fp, f)| (p.id.to_string(), k.as_str(), *fp, f));
            self.record_stamps(ctx, EntityKind::Image, items, res, &mut tally, &mut written);
        }

        // Gallery images (idempotent on the server).
        let links = links_of(follow.iter().map(|(id, f, _)| (id, f)));
        if !links.is_empty() {
            match self.stash.add_gallery_images(&links).await {
                Ok(out) => {
                    for (id, e) in out.failed {
                        gallery_errors.insert(id, format!("adding its images failed: {e}"));
                    }
                }
                Err(e) => {
                    let msg = whole_call(e)?;
                    for l in &links {
                        gallery_errors
                            .insert(l.gallery_id.clone(), format!("adding images failed: {msg}"));
                    }
                }
            }
        }

        // Chapters, once the images are in place; existing ones (same title) are kept.
        let with_chapters: Vec<&(GalleryId, GalleryFollowUp, bool)> = follow
            .iter()
            .filter(|(id, f, _)| !f.chapters.is_empty() && !gallery_errors.contains_key(id))
            .collect();
        let to_check: Vec<GalleryId> = with_chapters
            .iter()
            .filter(|(_, f, _)| f.check_chapters)
            .map(|(id, _, _)| id.clone())
            .collect();
        let mut existing: HashMap<GalleryId, Vec<String>> = HashMap::new();
        if !to_check.is_empty() {
            match self.stash.gallery_chapters(&to_check).await {
                Ok(map) => {
                    for (id, chs) in map {
                        existing.insert(id, chs.into_iter().map(|c| c.title).collect());
                    }
                }
                Err(e) => {
                    let msg = whole_call(e)?;
                    for id in &to_check {
                        gallery_errors
                            .insert(id.clone(), format!("reading its chapters failed: {msg}"));
                    }
                }
            }
        }
        let mut new_chapters: Vec<NewChapter> = Vec::new();
        for (id, f, _) in &with_chapters {
            if gallery_errors.contains_key(id) {
                continue;
            }
            let have = existing.get(id);
            for c in &f.chapters {
                let index_ok = usize::try_from(c.image_index).is_ok_and(|i| i <= f.images.len());
                if !index_ok || have.is_some_and(|h| h.contains(&c.title)) {
                    continue;
                }
                new_chapters.push(NewChapter {
                    gallery_id: id.clone(),
                    title: c.title.clone(),
                    image_index: c.image_index,
                });
            }
        }
        if !new_chapters.is_empty() {
            match self.stash.create_gallery_chapters(&new_chapters).await {
                Ok(results) => {
                    for (c, r) in new_chapters.iter().zip(results) {
                        match r {
                            Ok(_) => tally.created(EntityKind::Chapter),
                            Err(e) => {
                                tally.failed(
                                    creator,
                                    EntityKind::Chapter,
                                    &format!("gallery:{}:{}", c.gallery_id, c.title),
                                    &e.to_string(),
                                );
                                gallery_errors
                                    .entry(c.gallery_id.clone())
                                    .or_insert_with(|| format!("creating a chapter failed: {e}"));
                            }
                        }
                    }
                }
                Err(e) => {
                    let msg = whole_call(e)?;
                    for c in &new_chapters {
                        gallery_errors
                            .entry(c.gallery_id.clone())
                            .or_insert_with(|| format!("creating chapters failed: {msg}"));
                    }
                }
            }
        }

        // Gallery records.
        {
            let mut st = lock();
            for (f, id, err) in &failed_galleries {
                tally.failed(creator, EntityKind::Gallery, &f.key, err);
                st.mark_failed(
                    EntityKind::Gallery,
                    &f.key,
                    id.as_ref().map(GalleryId::as_str),
                    err,
                );
            }
            for (id, f, created) in &follow {
                match gallery_errors.get(id) {
                    Some(err) => {
                        tally.failed(creator, EntityKind::Gallery, &f.key, err);
                        st.mark_failed(EntityKind::Gallery, &f.key, Some(id.as_str()), err);
                    }
                    None => {
                        written.insert(EntityKind::Gallery, &f.key);
                        st.mark_stamped(
                            EntityKind::Gallery,
                            &f.key,
                            id.as_str(),
                            f.fp,
                            f.fields.clone(),
                            at,
                        );
                        if *created {
                            tally.created(EntityKind::Gallery)
                        } else {
                            tally.updated(EntityKind::Gallery)
                        }
                    }
                }
            }
        }
        self.save_state(ctx).await?;
        let stale = tally.errors.iter().any(|e| is_stale_reference(&e.error));
        Ok(WrittenBatch {
            tally,
            stale,
            written,
        })
    }

    /// Saves what changed in the state since the last save.
    pub(crate) async fn save_state(&self, ctx: &PrepareCtx<'_>) -> Result<(), CreatorError> {
        if self.opts.dry_run {
            return Ok(());
        }
        let records = match ctx.state.lock() {
            Ok(mut s) => s.take_dirty(),
            Err(p) => p.into_inner().take_dirty(),
        };
        if records.is_empty() {
            return Ok(());
        }
        self.store.save(&records).await.map_err(CreatorError::from)
    }

    fn record_stamps<'a>(
        &self,
        ctx: &PrepareCtx<'_>,
        kind: EntityKind,
        items: impl Iterator<Item = (String, &'a str, u64, &'a FieldHashes)>,
        result: Result<HashMap<String, String>, String>,
        tally: &mut Tally,
        written: &mut WrittenKeys,
    ) {
        let (creator, at) = (ctx.creator, now());
        let mut st = match ctx.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        for (id, key, fp, fields) in items {
            let err = match &result {
                Ok(failed) => failed.get(&id).cloned(),
                Err(msg) => Some(format!("the batch update failed: {msg}")),
            };
            match err {
                None => {
                    st.mark_stamped(kind, key, &id, fp, fields.clone(), at);
                    tally.updated(kind);
                    written.insert(kind, key);
                }
                Some(e) => {
                    st.mark_failed(kind, key, Some(&id), &e);
                    tally.failed(creator, kind, key, &e);
                }
            }
        }
    }

    /// A dry run's batch: every write becomes a planned change; counts say what would happen.
    fn plan_batch(&self, creator: &str, batch: PlannedBatch, tally: &mut Tally) {
        let change = |kind, action, key: &str, id: Option<String>, fields| PlannedChange {
            creator: creator.to_owned(),
            kind,
            action,
            key: key.to_owned(),
            stash_id: id,
            fields,
        };
        for (kind, key, _, err) in &batch.failed {
            tally.failed(creator, *kind, key, err);
        }
        for (g, f) in &batch.new_galleries {
            tally.created(EntityKind::Gallery);
            tally.plan.push(change(
                EntityKind::Gallery,
                Action::Create,
                &f.key,
                None,
                new_gallery_fields(g),
            ));
        }
        for (p, f) in &batch.gallery_patches {
            tally.updated(EntityKind::Gallery);
            tally.plan.push(change(
                EntityKind::Gallery,
                Action::Update,
                &f.key,
                Some(p.id.to_string()),
                gallery_fields(p),
            ));
        }
        for (p, k, ..) in &batch.scenes {
            tally.updated(EntityKind::Scene);
            tally.plan.push(change(
                EntityKind::Scene,
                Action::Update,
                k,
                Some(p.id.to_string()),
                stamp_fields(p),
            ));
        }
        for (p, k, ..) in &batch.images {
            tally.updated(EntityKind::Image);
            tally.plan.push(change(
                EntityKind::Image,
                Action::Update,
                k,
                Some(p.id.to_string()),
                stamp_fields(p),
            ));
        }
        let all_follow = batch
            .new_galleries
            .iter()
            .map(|(_, f)| (None, f))
            .chain(
                batch
                    .gallery_patches
                    .iter()
                    .map(|(p, f)| (Some(p.id.to_string()), f)),
            )
            .chain(
                batch
                    .gallery_links
                    .iter()
                    .map(|(id, f)| (Some(id.to_string()), f)),
            );
        for (id, f) in all_follow {
            if batch.gallery_links.iter().any(|(_, l)| l.key == f.key) {
                tally.updated(EntityKind::Gallery);
            }
            if !f.images.is_empty() {
                tally.plan.push(change(
                    EntityKind::Gallery,
                    Action::Link,
                    &f.key,
                    id.clone(),
                    vec![format!("add {} image(s)", f.images.len())],
                ));
            }
            for c in &f.chapters {
                tally.plan.push(change(
                    EntityKind::Chapter,
                    Action::Create,
                    &f.key,
                    id.clone(),
                    vec![
                        format!("title = {:?}", c.title),
                        format!("image_index = {}", c.image_index),
                    ],
                ));
            }
        }
    }
}
