//! The reading stage of the items phase: [`BatchPlanner`] turns one batch of items into a
//! [`PlannedBatch`]. Desired galleries and stamps come from the converters; those whose
//! fingerprint says "unchanged" stop here at no cost; the rest are read from Stash (bounded
//! concurrency, one call per object kind) and planned into minimal patches that change only
//! the fields that are ours (see [`crate::planner`], scenes and images in [`super::stamps`]).
//! A remembered gallery that is gone from Stash is looked up again by its code (one more call,
//! only when that happens). A gallery that would be created with nothing it may link (every
//! file organized, say) is not created: the item is skipped with a note and the decision is
//! remembered for its fingerprint ([`NoGallery`]).
//!
//! The planner only reads: the sync state as it was loaded, the indices, Stash. What it
//! decides is applied by the sink (see [`super::sink`]), the only writer.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use domain::content::ContentItem;
use domain::ids::{FileId, GalleryId, ImageId, SceneId};
use domain::ports::{EntityKind, FieldHashes, MediaServerError};
use domain::stash::{Gallery, GalleryPatch, Image, NewGallery, Scene, StampPatch};

use super::SyncEngine;
use super::files::Files;
use super::outcome::Outcome;
use super::run::CurrentIds;
use super::wanted::{Wanted, Wanting};
use crate::convert::{DesiredChapter, DesiredFields, EntityIds};
use crate::error::CreatorError;
use crate::index::{MediaIndex, ObjectRef};
use crate::planner::{Ownership, desired_hashes, new_gallery, plan_gallery};
use crate::state::{StateKey, SyncState};

/// A scene or image patch, and what to record once it is written.
#[derive(Debug, Clone)]
pub(crate) struct StampWrite<Id> {
    pub(crate) patch: StampPatch<Id>,
    pub(crate) key: StateKey,
    pub(crate) fingerprint: u64,
    /// The hashes of the fields that are ours once it is written.
    pub(crate) fields: FieldHashes,
}

/// What happens to a gallery after its create or update: images, chapters, the state record.
#[derive(Debug, Clone)]
pub(crate) struct GalleryFollowUp {
    pub(crate) key: StateKey,
    pub(crate) fingerprint: u64,
    /// The hashes of the gallery's fields that are ours once it is written.
    pub(crate) fields: FieldHashes,
    pub(crate) images: Vec<ImageId>,
    pub(crate) chapters: Vec<DesiredChapter>,
    /// Whether the gallery may already have chapters (adopted or known galleries).
    pub(crate) check_chapters: bool,
    /// Mark it organized once its images and chapters are in place (`galleries_organized`).
    pub(crate) organize: bool,
}

/// A gallery to create.
#[derive(Debug, Clone)]
pub(crate) struct GalleryCreate {
    pub(crate) gallery: NewGallery,
    pub(crate) follow: GalleryFollowUp,
}

/// A gallery whose own fields change.
#[derive(Debug, Clone)]
pub(crate) struct GalleryUpdate {
    pub(crate) patch: GalleryPatch,
    pub(crate) follow: GalleryFollowUp,
}

/// A gallery whose own fields are as desired but that needs images or chapters.
#[derive(Debug, Clone)]
pub(crate) struct GalleryLink {
    pub(crate) id: GalleryId,
    pub(crate) follow: GalleryFollowUp,
}

/// An object recorded without a write: found as desired, or left alone on purpose.
#[derive(Debug, Clone)]
pub(crate) struct Settled {
    pub(crate) kind: EntityKind,
    pub(crate) key: StateKey,
    pub(crate) stash_id: String,
    pub(crate) fingerprint: u64,
    /// The hashes of the fields that are ours (`None`: keep what the record has).
    pub(crate) fields: Option<FieldHashes>,
}

/// A gallery not created on purpose: none of its item's files may be linked. Its fingerprint
/// is remembered with no Stash id, so the same desired state is not planned again.
#[derive(Debug, Clone)]
pub(crate) struct NoGallery {
    pub(crate) key: StateKey,
    pub(crate) fingerprint: u64,
}

/// An object that failed before any write.
#[derive(Debug, Clone)]
pub(crate) struct EarlyFailure {
    pub(crate) kind: EntityKind,
    pub(crate) key: StateKey,
    pub(crate) stash_id: Option<String>,
    pub(crate) error: String,
}

/// One batch, planned and ready for the sink.
#[derive(Debug, Default)]
pub(crate) struct PlannedBatch {
    pub(crate) items: usize,
    pub(crate) scenes: Vec<StampWrite<SceneId>>,
    pub(crate) images: Vec<StampWrite<ImageId>>,
    pub(crate) gallery_creates: Vec<GalleryCreate>,
    pub(crate) gallery_updates: Vec<GalleryUpdate>,
    pub(crate) gallery_links: Vec<GalleryLink>,
    pub(crate) settled: Vec<Settled>,
    /// Galleries not created: nothing to link.
    pub(crate) no_galleries: Vec<NoGallery>,
    /// Galleries whose Stash object is gone: their ids are forgotten.
    pub(crate) forget: Vec<StateKey>,
    pub(crate) failed: Vec<EarlyFailure>,
    /// Counts and notes of the planning itself (unchanged, skipped).
    pub(crate) outcome: Outcome,
    /// The [`CurrentIds::generation`] it was planned with.
    pub(crate) generation: u32,
    /// The items it was planned from (kept to plan them again after a heal).
    pub(crate) source: Vec<ContentItem>,
}

impl PlannedBatch {
    fn new(items: usize, generation: u32, creator: &str) -> Self {
        Self {
            items,
            outcome: Outcome::new(creator),
            generation,
            ..Self::default()
        }
    }

    pub(crate) fn settle(
        &mut self,
        kind: EntityKind,
        key: StateKey,
        id: &str,
        fingerprint: u64,
        fields: Option<FieldHashes>,
    ) {
        self.settled.push(Settled {
            kind,
            key,
            stash_id: id.to_owned(),
            fingerprint,
            fields,
        });
    }

    pub(crate) fn fail(
        &mut self,
        kind: EntityKind,
        key: StateKey,
        id: Option<String>,
        error: String,
    ) {
        self.failed.push(EarlyFailure {
            kind,
            key,
            stash_id: id,
            error,
        });
    }
}

/// Objects (kind and state key) of a batch that were written in this run: when the batch is
/// planned again after a heal, they are left out (their write stands and is counted).
#[derive(Debug, Default)]
pub(crate) struct WrittenKeys(HashSet<(EntityKind, StateKey)>);

impl WrittenKeys {
    pub(crate) fn insert(&mut self, kind: EntityKind, key: &StateKey) {
        self.0.insert((kind, key.clone()));
    }

    pub(crate) fn contains(&self, kind: EntityKind, key: &StateKey) -> bool {
        self.0.contains(&(kind, key.clone()))
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

/// A scene or image whose desired fields differ from what we last wrote.
#[derive(Debug, Clone)]
pub(crate) struct StampWork {
    pub(crate) object: ObjectRef,
    pub(crate) key: StateKey,
    pub(crate) desired: DesiredFields,
    pub(crate) fingerprint: u64,
    /// Our matched files of the object.
    pub(crate) files: Vec<FileId>,
    pub(crate) own: Ownership,
}

/// Where a gallery stands before reading.
#[derive(Debug, Clone)]
pub(crate) enum GalleryTarget {
    /// We know its id from the state.
    Known(GalleryId),
    /// Never recorded: look for one with our code (made by a killed run or by upstream).
    ByCode,
}

/// A gallery whose desired fields differ from what we last wrote (or that is new).
#[derive(Debug, Clone)]
pub(crate) struct GalleryWork {
    pub(crate) key: StateKey,
    pub(crate) code: String,
    pub(crate) desired: DesiredFields,
    pub(crate) fingerprint: u64,
    pub(crate) target: GalleryTarget,
    pub(crate) own: Ownership,
    pub(crate) scenes: Vec<SceneId>,
    pub(crate) images: Vec<ImageId>,
    pub(crate) chapters: Vec<DesiredChapter>,
}

/// What Stash has of the objects a batch wants.
pub(crate) struct Current {
    pub(crate) scenes: Result<HashMap<SceneId, Scene>, MediaServerError>,
    pub(crate) images: Result<HashMap<ImageId, Image>, MediaServerError>,
    by_id: Result<HashMap<GalleryId, Gallery>, MediaServerError>,
    by_code: Result<HashMap<String, Vec<Gallery>>, MediaServerError>,
    /// Galleries found again by code after their remembered id was gone.
    refound: HashMap<String, Vec<Gallery>>,
}

enum ReadOut {
    Scenes(Result<HashMap<SceneId, Scene>, MediaServerError>),
    Images(Result<HashMap<ImageId, Image>, MediaServerError>),
    Galleries(Result<HashMap<GalleryId, Gallery>, MediaServerError>),
    Codes(Result<HashMap<String, Vec<Gallery>>, MediaServerError>),
}

type ReadFuture<'a> = Pin<Box<dyn Future<Output = ReadOut> + Send + 'a>>;

/// Plans batches of one creator's items; a read-only view of everything it consults.
pub(crate) struct BatchPlanner<'a> {
    pub(crate) engine: &'a SyncEngine,
    pub(crate) creator: &'a str,
    pub(crate) root: String,
    pub(crate) index: &'a MediaIndex,
    pub(crate) files: &'a Files,
    /// The sync state as it was loaded.
    pub(crate) state: Arc<SyncState>,
}

impl BatchPlanner<'_> {
    /// Plans one batch of items with `ids`, leaving out the objects in `written` (a batch
    /// planned again after a heal: those writes stand, and were counted by the first attempt).
    pub(crate) async fn plan(
        &self,
        items: &[ContentItem],
        ids: &CurrentIds,
        written: &WrittenKeys,
    ) -> Result<PlannedBatch, CreatorError> {
        let mut batch = PlannedBatch::new(items.len(), ids.generation, self.creator);
        let wanted = self.wanted(items, &ids.ids, written, &mut batch.outcome);
        let mut current = self.read_current(&wanted).await?;
        self.find_gone_galleries(&wanted.galleries, &mut current, &mut batch)
            .await?;
        self.plan_stamps(wanted.stamps, &current, &mut batch);
        for g in wanted.galleries {
            self.plan_gallery(g, &current, &mut batch);
        }
        Ok(batch)
    }

    fn force(&self) -> bool {
        self.engine.opts.force
    }

    /// Desired state of a batch; what the fingerprints say is unchanged is counted and dropped.
    /// Objects in `written` are dropped without a count or a note.
    fn wanted(
        &self,
        items: &[ContentItem],
        ids: &EntityIds,
        written: &WrittenKeys,
        out: &mut Outcome,
    ) -> Wanted {
        let mut wanting = Wanting {
            planner: self,
            ids,
            written,
            out,
            wanted: Wanted::default(),
        };
        for item in items {
            wanting.item(item);
        }
        wanting.wanted
    }

    /// Reads what Stash has of the wanted objects (the stamps' objects and every member of
    /// the galleries, whose organized flags decide what is linked; see [`super::members`]):
    /// one call per kind, at most `read_concurrency` at once. A fatal error stops the
    /// creator; others fail the objects.
    pub(crate) async fn read_current(&self, wanted: &Wanted) -> Result<Current, CreatorError> {
        let mut scene_ids: Vec<SceneId> = wanted
            .stamps
            .iter()
            .filter_map(|s| s.object.scene())
            .collect();
        let mut image_ids: Vec<ImageId> = wanted
            .stamps
            .iter()
            .filter_map(|s| s.object.image())
            .collect();
        for g in &wanted.galleries {
            scene_ids.extend(g.scenes.iter().cloned());
            image_ids.extend(g.images.iter().cloned());
        }
        dedup(&mut scene_ids);
        dedup(&mut image_ids);
        let known: Vec<GalleryId> = wanted
            .galleries
            .iter()
            .filter_map(|g| match &g.target {
                GalleryTarget::Known(id) => Some(id.clone()),
                GalleryTarget::ByCode => None,
            })
            .collect();
        let codes: Vec<String> = wanted
            .galleries
            .iter()
            .filter(|g| matches!(g.target, GalleryTarget::ByCode))
            .map(|g| g.code.clone())
            .collect();
        let stash = &self.engine.stash;
        let mut reads: Vec<ReadFuture<'_>> = Vec::new();
        if !scene_ids.is_empty() {
            reads.push(Box::pin(async {
                ReadOut::Scenes(stash.scenes_by_ids(&scene_ids).await)
            }));
        }
        if !image_ids.is_empty() {
            reads.push(Box::pin(async {
                ReadOut::Images(stash.images_by_ids(&image_ids).await)
            }));
        }
        if !known.is_empty() {
            reads.push(Box::pin(async {
                ReadOut::Galleries(stash.galleries_by_ids(&known).await)
            }));
        }
        if !codes.is_empty() {
            reads.push(Box::pin(async {
                ReadOut::Codes(stash.galleries_by_codes(&codes).await)
            }));
        }
        let mut current = Current {
            scenes: Ok(HashMap::new()),
            images: Ok(HashMap::new()),
            by_id: Ok(HashMap::new()),
            by_code: Ok(HashMap::new()),
            refound: HashMap::new(),
        };
        for out in self.engine.batches.read_all(reads).await {
            match out {
                ReadOut::Scenes(r) => current.scenes = r,
                ReadOut::Images(r) => current.images = r,
                ReadOut::Galleries(r) => current.by_id = r,
                ReadOut::Codes(r) => current.by_code = r,
            }
        }
        current.stop_if_fatal()?;
        Ok(current)
    }

    /// Remembered galleries Stash no longer has (deleted by the user): forgotten, and looked
    /// for by our code again before a new one is created.
    async fn find_gone_galleries(
        &self,
        galleries: &[GalleryWork],
        current: &mut Current,
        batch: &mut PlannedBatch,
    ) -> Result<(), CreatorError> {
        let Ok(found) = &current.by_id else {
            return Ok(());
        };
        let gone: Vec<(&GalleryId, &GalleryWork)> = galleries
            .iter()
            .filter_map(|g| match &g.target {
                GalleryTarget::Known(id) if !found.contains_key(id) => Some((id, g)),
                _ => None,
            })
            .collect();
        if gone.is_empty() {
            return Ok(());
        }
        let codes: Vec<String> = gone.iter().map(|(_, g)| g.code.clone()).collect();
        match self.engine.stash.galleries_by_codes(&codes).await {
            Ok(m) => current.refound = m,
            Err(e) if e.is_fatal() => return Err(e.into()),
            Err(_) => {}
        }
        for (id, g) in gone {
            batch.forget.push(g.key.clone());
            batch.outcome.healed(
                &g.key,
                &format!(
                    "gallery {id} is gone from Stash; its id was forgotten and the gallery \
                     found again by code {} or created anew",
                    g.code
                ),
            );
        }
        Ok(())
    }

    /// Plans one gallery: create it, patch it, link images and chapters, or leave it; one
    /// with nothing to link is not created.
    fn plan_gallery(&self, mut g: GalleryWork, current: &Current, batch: &mut PlannedBatch) {
        let cur = match current.gallery(&g) {
            Ok(cur) => cur,
            Err((id, error)) => return batch.fail(EntityKind::Gallery, g.key, id, error),
        };
        if let Some(cur) = cur.as_ref().filter(|c| c.organized && !self.force()) {
            return self.leave_organized_gallery(g, cur, batch);
        }
        let members = match self.linkable(&g, current) {
            Ok(members) => members,
            Err(error) => {
                let id = cur.map(|c| c.id.to_string());
                return batch.fail(EntityKind::Gallery, g.key, id, error);
            }
        };
        if cur.is_none() && members.is_empty() {
            // Nothing of the post to group: no empty gallery.
            let why = members.none_note();
            batch.outcome.skipped(EntityKind::Gallery, &g.key, &why);
            let (key, fingerprint) = (g.key, g.fingerprint);
            return batch.no_galleries.push(NoGallery { key, fingerprint });
        }
        members.note_left_out(&g.key, &mut batch.outcome);
        g.scenes = members.scenes;
        let follow = GalleryFollowUp {
            key: g.key.clone(),
            fingerprint: g.fingerprint,
            fields: desired_hashes(&g.desired),
            images: members.images,
            chapters: g.chapters.clone(),
            check_chapters: cur.is_some(),
            organize: self.engine.opts.galleries_organized,
        };
        match cur {
            None => batch.gallery_creates.push(GalleryCreate {
                gallery: new_gallery(&g.code, &g.desired, &g.scenes),
                follow,
            }),
            Some(cur) => self.plan_existing_gallery(g, cur, follow, batch),
        }
    }

    /// Who owns the fields of the gallery Stash has for `g`: a gallery found by code is
    /// another object than the one the record knew.
    fn gallery_ownership(&self, g: &GalleryWork, cur: &Gallery) -> Ownership {
        match &g.target {
            GalleryTarget::Known(id) if *id == cur.id => g.own.clone(),
            _ => Ownership::new(FieldHashes::new(), self.force()),
        }
    }

    /// An organized gallery: left alone (skipped), its record kept.
    fn leave_organized_gallery(&self, g: GalleryWork, cur: &Gallery, batch: &mut PlannedBatch) {
        let own = self.gallery_ownership(&g, cur);
        let why = format!("gallery {} is marked organized", cur.id);
        batch.outcome.skipped(EntityKind::Gallery, &g.key, &why);
        batch.settle(
            EntityKind::Gallery,
            g.key,
            cur.id.as_str(),
            g.fingerprint,
            own.kept(),
        );
    }

    /// A gallery Stash has (not organized, or forced): patched and linked as needed; marked
    /// organized with `galleries_organized` unless we did that before (then the user has
    /// un-organized it since, and that is theirs unless forced: [`Ownership::may_organize`]).
    fn plan_existing_gallery(
        &self,
        g: GalleryWork,
        cur: Gallery,
        mut follow: GalleryFollowUp,
        batch: &mut PlannedBatch,
    ) {
        let own = self.gallery_ownership(&g, &cur);
        follow.organize &= own.may_organize(cur.organized);
        if !cur.user_created {
            if !follow.images.is_empty() {
                let why = format!(
                    "gallery {} is folder- or zip-based: its images cannot be changed",
                    cur.id
                );
                batch.outcome.note(&g.key, &why);
            }
            follow.images.clear();
        }
        let (patch, fields) = plan_gallery(&cur, &g.desired, &g.scenes, &own);
        follow.fields = fields;
        if !patch.is_empty() {
            batch.gallery_updates.push(GalleryUpdate { patch, follow });
        } else if follow.images.is_empty() && follow.chapters.is_empty() && !follow.organize {
            batch.outcome.unchanged(EntityKind::Gallery);
            let fields = Some(follow.fields);
            batch.settle(
                EntityKind::Gallery,
                g.key,
                cur.id.as_str(),
                g.fingerprint,
                fields,
            );
        } else {
            batch.gallery_links.push(GalleryLink {
                id: cur.id.clone(),
                follow,
            });
        }
    }
}

impl Current {
    /// A fatal read error stops the creator.
    fn stop_if_fatal(&self) -> Result<(), CreatorError> {
        let errors = [
            self.scenes.as_ref().err(),
            self.images.as_ref().err(),
            self.by_id.as_ref().err(),
            self.by_code.as_ref().err(),
        ];
        match errors.into_iter().flatten().find(|e| e.is_fatal()) {
            Some(e) => Err(e.clone().into()),
            None => Ok(()),
        }
    }

    /// The gallery Stash has for `g` (`None`: create one), or why it cannot be told (the id
    /// the record knew, and the error).
    fn gallery(&self, g: &GalleryWork) -> Result<Option<Gallery>, (Option<String>, String)> {
        match &g.target {
            GalleryTarget::Known(id) => match &self.by_id {
                Err(e) => Err((
                    Some(id.to_string()),
                    format!("reading it from Stash failed: {e}"),
                )),
                Ok(m) => Ok(m
                    .get(id)
                    .cloned()
                    .or_else(|| adopt(self.refound.get(&g.code)))),
            },
            GalleryTarget::ByCode => match &self.by_code {
                Err(e) => Err((None, format!("looking it up by code failed: {e}"))),
                Ok(m) => Ok(adopt(m.get(&g.code))),
            },
        }
    }
}

/// Drops repeated ids, keeping the first of each.
fn dedup<T: Clone + Eq + std::hash::Hash>(ids: &mut Vec<T>) {
    let mut seen = HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
}

/// The gallery to adopt among those found with our code: one made by hand (or by a create)
/// rather than a folder- or zip-based one.
fn adopt(found: Option<&Vec<Gallery>>) -> Option<Gallery> {
    found.and_then(|found| {
        found
            .iter()
            .find(|x| x.user_created)
            .or(found.first())
            .cloned()
    })
}
