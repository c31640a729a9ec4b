//! The reading stage of the items phase: one batch of items becomes desired galleries and
//! stamps; those whose fingerprint says "unchanged" stop here at no cost; the rest are read from
//! Stash (bounded concurrency, one call per object kind) and planned into minimal patches that
//! change only the fields that are ours (see [`crate::planner`]). A remembered gallery that is
//! gone from Stash is looked up again by its code (one more call, only when that happens).

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, RwLock};

use chrono::Utc;
use domain::content::{ContentItem, MediaRole};
use domain::fansly::MediaKind;
use domain::ids::{FileId, GalleryId, ImageId, PostId, SceneId};
use domain::ports::{EntityKind, FieldHashes, MediaServerError};
use domain::stash::{
    Gallery, GalleryImages, GalleryPatch, Image, ImagePatch, NewGallery, Scene, ScenePatch,
};

use super::SyncEngine;
use super::outcome::Tally;
use crate::convert::{
    DesiredChapter, DesiredFields, EntityIds, chapters, distinct_media, gallery_labels,
    stamp_labels,
};
use crate::error::CreatorError;
use crate::index::{FileMatches, MediaIndex, ObjectRef};
use crate::planner::{Ownership, desired_hashes, new_gallery, plan_gallery, plan_stamp};
use crate::state::SyncState;

/// A scene or image whose desired fields differ from what we last wrote.
#[derive(Debug, Clone)]
struct StampWork {
    object: ObjectRef,
    key: String,
    desired: DesiredFields,
    fp: u64,
    files: Vec<FileId>,
    own: Ownership,
}

/// Where a gallery stands before reading.
#[derive(Debug, Clone)]
enum GalleryTarget {
    /// We know its id from the state.
    Known(GalleryId),
    /// Never recorded: look for one with our code (made by a killed run or by upstream).
    ByCode,
}

#[derive(Debug, Clone)]
struct GalleryWork {
    key: String,
    code: String,
    desired: DesiredFields,
    fp: u64,
    target: GalleryTarget,
    own: Ownership,
    scenes: Vec<SceneId>,
    images: Vec<ImageId>,
    chapters: Vec<DesiredChapter>,
}

/// What happens to a gallery after its create or update: images, chapters, the state record.
#[derive(Debug, Clone)]
pub(crate) struct GalleryFollowUp {
    pub(crate) key: String,
    pub(crate) fp: u64,
    /// The hashes of the gallery's fields that are ours once it is written.
    pub(crate) fields: FieldHashes,
    pub(crate) images: Vec<ImageId>,
    pub(crate) chapters: Vec<DesiredChapter>,
    /// Whether the gallery may already have chapters (adopted or known galleries).
    pub(crate) check_chapters: bool,
    /// Whether the gallery's own fields are being changed.
    pub(crate) patched: bool,
}

/// One batch, planned and ready for the writer.
#[derive(Debug, Default)]
pub(crate) struct PlannedBatch {
    pub(crate) items: usize,
    pub(crate) scenes: Vec<(ScenePatch, String, u64, FieldHashes)>,
    pub(crate) images: Vec<(ImagePatch, String, u64, FieldHashes)>,
    pub(crate) new_galleries: Vec<(NewGallery, GalleryFollowUp)>,
    pub(crate) gallery_patches: Vec<(GalleryPatch, GalleryFollowUp)>,
    /// Galleries that only need images or chapters (their own fields are as desired).
    pub(crate) gallery_links: Vec<(GalleryId, GalleryFollowUp)>,
    /// Objects found as desired (or left alone on purpose): recorded without a write, with
    /// the hashes of the fields that are ours (`None`: keep what the record has).
    pub(crate) settled: Vec<(EntityKind, String, String, u64, Option<FieldHashes>)>,
    /// Records whose Stash object is gone: their ids are forgotten.
    pub(crate) forget: Vec<(EntityKind, String)>,
    /// Objects that failed before any write.
    pub(crate) failed: Vec<(EntityKind, String, Option<String>, String)>,
    pub(crate) tally: Tally,
    /// The [`CurrentIds::generation`] it was planned with.
    pub(crate) generation: u32,
    /// The items it was planned from (kept to plan them again after a heal).
    pub(crate) source: Vec<ContentItem>,
}

enum ReadOut {
    Scenes(Result<HashMap<SceneId, Scene>, MediaServerError>),
    Images(Result<HashMap<ImageId, Image>, MediaServerError>),
    Galleries(Result<HashMap<GalleryId, Gallery>, MediaServerError>),
    Codes(Result<HashMap<String, Vec<Gallery>>, MediaServerError>),
}

type ReadFuture<'a> = Pin<Box<dyn Future<Output = ReadOut> + Send + 'a>>;

/// Objects (kind and state key) of a batch that were written in this run: when the batch is
/// planned again after a heal, they are left out (their write stands and is counted).
#[derive(Debug, Default)]
pub(crate) struct WrittenKeys(HashSet<(EntityKind, String)>);

impl WrittenKeys {
    pub(crate) fn insert(&mut self, kind: EntityKind, key: &str) {
        self.0.insert((kind, key.to_owned()));
    }

    pub(crate) fn contains(&self, kind: EntityKind, key: &str) -> bool {
        self.0.contains(&(kind, key.to_owned()))
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

/// The entity ids batches are planned with, and how many times they were healed: a batch
/// planned with an older generation is planned again before it is written.
#[derive(Debug, Default)]
pub(crate) struct CurrentIds {
    pub(crate) generation: u32,
    pub(crate) ids: EntityIds,
}

/// The per-creator context the reading stage needs.
pub(crate) struct PrepareCtx<'a> {
    pub(crate) creator: &'a str,
    pub(crate) root: &'a str,
    pub(crate) index: &'a MediaIndex,
    pub(crate) matches: &'a FileMatches,
    /// Performer, studio and tag ids; replaced when stale ids are healed mid-run.
    pub(crate) ids: &'a RwLock<CurrentIds>,
    pub(crate) state: &'a Mutex<SyncState>,
    /// File names the post-scan read-back did not see (already reported with the reason).
    pub(crate) unseen: &'a HashSet<String>,
}

fn under_root(root: &str, path: &str) -> bool {
    path == root
        || path
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn kind_of(object: &ObjectRef) -> EntityKind {
    match object {
        ObjectRef::Scene(_) => EntityKind::Scene,
        ObjectRef::Image(_) => EntityKind::Image,
    }
}

fn fatal(e: MediaServerError) -> Result<(), CreatorError> {
    if e.is_fatal() {
        Err(CreatorError::from(e))
    } else {
        Ok(())
    }
}

impl SyncEngine {
    /// Plans one batch of items, leaving out the objects in `written` (a batch planned again
    /// after a heal: those writes stand, and were counted by the first attempt).
    pub(crate) async fn prepare_batch(
        &self,
        ctx: &PrepareCtx<'_>,
        items: &[ContentItem],
        written: Option<&WrittenKeys>,
    ) -> Result<PlannedBatch, CreatorError> {
        let mut batch = PlannedBatch {
            items: items.len(),
            ..PlannedBatch::default()
        };
        let (stamps, galleries) = self.desired_for(ctx, items, written, &mut batch);

        // Reads: one call per kind, at most `read_concurrency` at once.
        let scene_ids: Vec<SceneId> = stamps
            .iter()
            .filter_map(|s| match &s.object {
                ObjectRef::Scene(id) => Some(id.clone()),
                _ => None,
            })
            .collect();
        let image_ids: Vec<ImageId> = stamps
            .iter()
            .filter_map(|s| match &s.object {
                ObjectRef::Image(id) => Some(id.clone()),
                _ => None,
            })
            .collect();
        let known: Vec<GalleryId> = galleries
            .iter()
            .filter_map(|g| match &g.target {
                GalleryTarget::Known(id) => Some(id.clone()),
                _ => None,
            })
            .collect();
        let codes: Vec<String> = galleries
            .iter()
            .filter(|g| matches!(g.target, GalleryTarget::ByCode))
            .map(|g| g.code.clone())
            .collect();
        let stash = &self.stash;
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
        let mut scenes = Ok(HashMap::new());
        let mut images = Ok(HashMap::new());
        let mut by_id = Ok(HashMap::new());
        let mut by_code = Ok(HashMap::new());
        for out in self.batches.read_all(reads).await {
            match out {
                ReadOut::Scenes(r) => scenes = r,
                ReadOut::Images(r) => images = r,
                ReadOut::Galleries(r) => by_id = r,
                ReadOut::Codes(r) => by_code = r,
            }
        }
        for r in [
            scenes.as_ref().err(),
            images.as_ref().err(),
            by_id.as_ref().err(),
            by_code.as_ref().err(),
        ]
        .into_iter()
        .flatten()
        {
            fatal(r.clone())?;
        }
        // Remembered galleries Stash no longer has (deleted by the user): look for one with
        // our code again before creating a new one.
        let gone: Vec<&GalleryWork> = match &by_id {
            Ok(found) => galleries
                .iter()
                .filter(
                    |g| matches!(&g.target, GalleryTarget::Known(id) if !found.contains_key(id)),
                )
                .collect(),
            Err(_) => Vec::new(),
        };
        let mut refound: HashMap<String, Vec<Gallery>> = HashMap::new();
        if !gone.is_empty() {
            let codes: Vec<String> = gone.iter().map(|g| g.code.clone()).collect();
            match self.stash.galleries_by_codes(&codes).await {
                Ok(m) => refound = m,
                Err(e) => fatal(e)?,
            }
            for g in &gone {
                if let GalleryTarget::Known(id) = &g.target {
                    batch.forget.push((EntityKind::Gallery, g.key.clone()));
                    batch.tally.healed(
                        ctx.creator,
                        &g.key,
                        &format!(
                            "gallery {id} is gone from Stash; its id was forgotten and the \
                             gallery found again by code {} or created anew",
                            g.code
                        ),
                    );
                }
            }
        }

        // Stamps.
        let mut not_ours: HashSet<ImageId> = HashSet::new();
        for s in stamps {
            let kind = kind_of(&s.object);
            let read_error = match &s.object {
                ObjectRef::Scene(_) => scenes.as_ref().err(),
                ObjectRef::Image(_) => images.as_ref().err(),
            };
            if let Some(e) = read_error {
                batch.failed.push((
                    kind,
                    s.key.clone(),
                    Some(s.object.id_str().to_owned()),
                    format!("reading it from Stash failed: {e}"),
                ));
                continue;
            }
            match &s.object {
                ObjectRef::Scene(id) => {
                    let Some(scene) = scenes.as_ref().ok().and_then(|m| m.get(id)) else {
                        batch.failed.push((kind, s.key, Some(id.to_string()), format!("scene {id} is gone from Stash (deleted or re-scanned); it will be matched again next run")));
                        continue;
                    };
                    if !scene.files.first().is_some_and(|f| s.files.contains(&f.id)) {
                        batch.tally.skipped(
                            ctx.creator,
                            kind,
                            &s.key,
                            &format!("our file is not the primary file of scene {id}"),
                        );
                        continue;
                    }
                    if scene.fields.organized && !self.opts.force {
                        batch.tally.skipped(
                            ctx.creator,
                            kind,
                            &s.key,
                            &format!("scene {id} is marked organized"),
                        );
                        batch
                            .settled
                            .push((kind, s.key, id.to_string(), s.fp, s.own.kept()));
                        continue;
                    }
                    let (patch, fields) = plan_stamp(id.clone(), &scene.fields, &s.desired, &s.own);
                    if patch.is_empty() {
                        batch.tally.unchanged(kind);
                        batch
                            .settled
                            .push((kind, s.key, id.to_string(), s.fp, Some(fields)));
                    } else {
                        batch.scenes.push((patch, s.key, s.fp, fields));
                    }
                }
                ObjectRef::Image(id) => {
                    let Some(image) = images.as_ref().ok().and_then(|m| m.get(id)) else {
                        batch.failed.push((kind, s.key, Some(id.to_string()), format!("image {id} is gone from Stash (deleted or re-scanned); it will be matched again next run")));
                        continue;
                    };
                    if let Some(outside) = image
                        .files
                        .iter()
                        .find(|f| !under_root(ctx.root, &f.path()))
                    {
                        batch.tally.skipped(
                            ctx.creator,
                            kind,
                            &s.key,
                            &format!(
                                "image {id} also has the file {} outside {}",
                                outside.path(),
                                ctx.root
                            ),
                        );
                        batch
                            .settled
                            .push((kind, s.key, id.to_string(), s.fp, s.own.kept()));
                        not_ours.insert(id.clone());
                        continue;
                    }
                    if image.fields.organized && !self.opts.force {
                        batch.tally.skipped(
                            ctx.creator,
                            kind,
                            &s.key,
                            &format!("image {id} is marked organized"),
                        );
                        batch
                            .settled
                            .push((kind, s.key, id.to_string(), s.fp, s.own.kept()));
                        continue;
                    }
                    let (patch, fields) = plan_stamp(id.clone(), &image.fields, &s.desired, &s.own);
                    if patch.is_empty() {
                        batch.tally.unchanged(kind);
                        batch
                            .settled
                            .push((kind, s.key, id.to_string(), s.fp, Some(fields)));
                    } else {
                        batch.images.push((patch, s.key, s.fp, fields));
                    }
                }
            }
        }

        // Galleries.
        for g in galleries {
            let images: Vec<ImageId> = g
                .images
                .iter()
                .filter(|i| !not_ours.contains(*i))
                .cloned()
                .collect();
            let current: Option<Gallery> = match &g.target {
                GalleryTarget::Known(id) => match &by_id {
                    Err(e) => {
                        batch.failed.push((
                            EntityKind::Gallery,
                            g.key,
                            Some(id.to_string()),
                            format!("reading it from Stash failed: {e}"),
                        ));
                        continue;
                    }
                    Ok(m) => m.get(id).cloned().or_else(|| adopt(refound.get(&g.code))),
                },
                GalleryTarget::ByCode => match &by_code {
                    Err(e) => {
                        batch.failed.push((
                            EntityKind::Gallery,
                            g.key,
                            None,
                            format!("looking it up by code failed: {e}"),
                        ));
                        continue;
                    }
                    Ok(m) => adopt(m.get(&g.code)),
                },
            };
            // A gallery found by code is another object than the one the record knew.
            let own = match (&g.target, &current) {
                (GalleryTarget::Known(id), Some(cur)) if *id == cur.id => g.own.clone(),
                _ => Ownership::new(FieldHashes::new(), self.opts.force),
            };
            let follow = GalleryFollowUp {
                key: g.key.clone(),
                fp: g.fp,
                fields: desired_hashes(&g.desired),
                images,
                chapters: g.chapters.clone(),
                check_chapters: current.is_some(),
                patched: false,
            };
            match current {
                None => {
                    batch
                        .new_galleries
                        .push((new_gallery(&g.code, &g.desired, &g.scenes), follow));
                }
                Some(cur) => {
                    if cur.organized && !self.opts.force {
                        batch.tally.skipped(
                            ctx.creator,
                            EntityKind::Gallery,
                            &g.key,
                            &format!("gallery {} is marked organized", cur.id),
                        );
                        batch.settled.push((
                            EntityKind::Gallery,
                            g.key,
                            cur.id.to_string(),
                            g.fp,
                            own.kept(),
                        ));
                        continue;
                    }
                    let mut follow = follow;
                    if !cur.user_created {
                        if !follow.images.is_empty() {
                            batch.tally.note(ctx.creator, &g.key, &format!("gallery {} is folder- or zip-based: its images cannot be changed", cur.id));
                        }
                        follow.images.clear();
                    }
                    let (patch, fields) = plan_gallery(&cur, &g.desired, &g.scenes, &own);
                    follow.fields = fields;
                    if patch.is_empty() {
                        if follow.images.is_empty() && follow.chapters.is_empty() {
                            batch.tally.unchanged(EntityKind::Gallery);
                            batch.settled.push((
                                EntityKind::Gallery,
                                g.key,
                                cur.id.to_string(),
                                g.fp,
                                Some(follow.fields),
                            ));
                        } else {
                            batch.gallery_links.push((cur.id.clone(), follow));
                        }
                    } else {
                        follow.patched = true;
                        batch.gallery_patches.push((patch, follow));
                    }
                }
            }
        }
        Ok(batch)
    }

    /// Desired state of a batch; what the fingerprints say is unchanged is counted and dropped.
    /// Objects in `written` are dropped without a count or a note.
    fn desired_for(
        &self,
        ctx: &PrepareCtx<'_>,
        items: &[ContentItem],
        written: Option<&WrittenKeys>,
        batch: &mut PlannedBatch,
    ) -> (Vec<StampWork>, Vec<GalleryWork>) {
        let wanted = |kind: EntityKind, key: &str| !written.is_some_and(|w| w.contains(kind, key));
        let mut stamps = Vec::new();
        let mut galleries = Vec::new();
        let force = self.opts.force;
        let state = match ctx.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        let current = match ctx.ids.read() {
            Ok(ids) => ids,
            Err(p) => p.into_inner(),
        };
        batch.generation = current.generation;
        let ids = &current.ids;
        for item in items {
            let key = item.source.key();
            let media = distinct_media(item);
            let count = media.len();
            let mut scenes: Vec<SceneId> = Vec::new();
            let mut images: Vec<ImageId> = Vec::new();
            let mut image_via: Vec<Option<PostId>> = Vec::new();
            for (i, m) in media.iter().enumerate() {
                let objects = ctx.matches.objects_of(m.media.id);
                let owned_here = ctx.index.owner(m.media.id).is_some_and(|o| o.key == key);
                if objects.is_empty() {
                    let kind = match m.media.kind() {
                        MediaKind::Video => Some(EntityKind::Scene),
                        MediaKind::Image => Some(EntityKind::Image),
                        _ => None,
                    };
                    if let (true, Some(kind), Some(file)) =
                        (owned_here, kind, m.media.local_filename.as_deref())
                    {
                        if ctx.unseen.contains(file) {
                            batch.tally.awaiting_noted_before(kind);
                        } else {
                            batch.tally.awaiting(ctx.creator, kind, &format!("media:{}", m.media.id), &format!("no Stash file matches {file} (not downloaded there or not scanned yet)"));
                        }
                    }
                    continue;
                }
                for object in objects {
                    match object {
                        ObjectRef::Scene(id) if !scenes.contains(id) => scenes.push(id.clone()),
                        ObjectRef::Image(id) if !images.contains(id) => {
                            images.push(id.clone());
                            image_via.push(m.via_aggregated);
                        }
                        _ => {}
                    }
                    let Some(matched) = ctx.matches.objects.get(object) else {
                        continue;
                    };
                    if matched.winner != m.media.id || !owned_here {
                        continue;
                    }
                    let trailer = self.opts.tag_previews_trailer && m.role == MediaRole::Preview;
                    let desired = stamp_labels(item, m, i, count, trailer).resolve(ids);
                    let fp = desired.fingerprint(object.id_str(), &[]);
                    let skey = format!("media:{}", m.media.id);
                    let kind = kind_of(object);
                    if !wanted(kind, &skey) {
                        continue;
                    }
                    if !force && state.is_current(kind, &skey, object.id_str(), fp) {
                        batch.tally.unchanged(kind);
                        continue;
                    }
                    stamps.push(StampWork {
                        own: state.ownership(kind, &skey, object.id_str(), force),
                        object: object.clone(),
                        key: skey,
                        desired,
                        fp,
                        files: matched.files.clone(),
                    });
                }
            }
            let Some(labels) = gallery_labels(item) else {
                continue;
            };
            if (scenes.is_empty() && images.is_empty()) || !wanted(EntityKind::Gallery, &key) {
                continue;
            }
            let desired = labels.resolve(ids);
            let chapter_list = chapters(item, &image_via);
            let mut extra: Vec<String> = scenes.iter().map(|s| format!("s:{s}")).collect();
            extra.extend(images.iter().map(|i| format!("i:{i}")));
            extra.extend(
                chapter_list
                    .iter()
                    .map(|c| format!("c:{}@{}", c.title, c.image_index)),
            );
            let extra_refs: Vec<&str> = extra.iter().map(String::as_str).collect();
            let code = labels.code.clone().unwrap_or_default();
            let fp = desired.fingerprint(&code, &extra_refs);
            let known = state
                .stash_id(EntityKind::Gallery, &key)
                .map(GalleryId::new);
            if let Some(id) = &known
                && !force
                && state.is_current(EntityKind::Gallery, &key, id.as_str(), fp)
            {
                batch.tally.unchanged(EntityKind::Gallery);
                continue;
            }
            let own = match &known {
                Some(id) => state.ownership(EntityKind::Gallery, &key, id.as_str(), force),
                None => Ownership::new(FieldHashes::new(), force),
            };
            galleries.push(GalleryWork {
                own,
                key,
                code,
                desired,
                fp,
                target: known.map_or(GalleryTarget::ByCode, GalleryTarget::Known),
                scenes,
                images,
                chapters: chapter_list,
            });
        }
        (stamps, galleries)
    }
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

/// The image links of follow-ups that have images.
pub(crate) fn links_of<'a>(
    items: impl Iterator<Item = (&'a GalleryId, &'a GalleryFollowUp)>,
) -> Vec<GalleryImages> {
    items
        .filter(|(_, f)| !f.images.is_empty())
        .map(|(id, f)| GalleryImages {
            gallery_id: id.clone(),
            image_ids: f.images.clone(),
        })
        .collect()
}

/// The current time, for state records.
pub(crate) fn now() -> chrono::DateTime<Utc> {
    Utc::now()
}

#[cfg(test)]
mod tests {
    use super::under_root;

    #[test]
    fn under_root_respects_folder_boundaries() {
        assert!(under_root(
            "/s/alice_fansly",
            "/s/alice_fansly/Timeline/a.jpg"
        ));
        assert!(under_root("/s/alice_fansly", "/s/alice_fansly"));
        assert!(!under_root("/s/alice_fansly", "/s/alice_fansly2/a.jpg"));
        assert!(!under_root("/s/alice_fansly", "/s/bob_fansly/a.jpg"));
    }
}
