//! Test helpers (every crate keeps them in `tests/common/`): an in-memory Stash, metadata repository and state store, each behind the
//! mockall mock of its port, so engine tests run several syncs against state that persists
//! between runs and count every port call.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

pub mod fixtures;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use domain::content::ContentItem;
use domain::ids::{AccountId, GalleryId, ImageId, JobId, PerformerId, SceneId, StudioId, TagId};
use domain::ports::{
    ContentCursor, ContentPage, EntityKind, GraphQlError, MediaServerError, MockMediaServer,
    MockMetadataRepository, MockSyncStateStore, RepositoryError, SyncRecord,
};
use domain::stash::{
    BatchOutcome, Chapter, FileCursor, FilePage, Gallery, Image, JobOutcome, LibraryPath,
    Performer, RequestStats, Resolved, Scene, ServerInfo, ServerStatus, StampFields, StampPatch,
    StashFile, Studio, Tag,
};

/// Everything the fake Stash holds.
#[derive(Debug, Default)]
pub struct FakeStash {
    pub files: Vec<StashFile>,
    pub scenes: BTreeMap<SceneId, Scene>,
    pub images: BTreeMap<ImageId, Image>,
    pub galleries: BTreeMap<GalleryId, Gallery>,
    pub gallery_images: HashMap<GalleryId, Vec<ImageId>>,
    pub chapters: Vec<Chapter>,
    pub performers: Vec<Performer>,
    pub studios: Vec<Studio>,
    pub tags: Vec<Tag>,
    pub calls: BTreeMap<String, u64>,
    /// Ids (scene or image) whose update fails.
    pub fail_ids: HashSet<String>,
    /// Ids (scene or image) whose update always fails on a foreign key, as if it referred to
    /// something Stash keeps refusing (healing does not help).
    pub fk_fail_ids: HashSet<String>,
    /// How many times each scene or image id was sent in an update.
    pub update_attempts: BTreeMap<String, u32>,
    /// Files per `list_files` page.
    pub page_size: usize,
    /// Make `list_files` fail with this error.
    pub list_error: Option<MediaServerError>,
    /// Call order of write methods.
    pub writes: Vec<String>,
    /// Sets the flag when the named operation is called (a Ctrl-C mid-run).
    pub cancel_on: Option<(String, sync_core::CancelFlag)>,
    /// What `wait_for_job` answers (`Finished` when unset).
    pub job_outcome: Option<JobOutcome>,
    /// Every port call, in order.
    pub order: Vec<String>,
    /// The `(prefix, names, deadline)` of each `wait_for_files` call.
    pub read_backs: Vec<(String, Vec<String>, std::time::Duration)>,
    /// Stash's library paths; `None`: one library at `/stash` with videos and images.
    pub libraries: Option<Vec<LibraryPath>>,
    /// Make `library_paths` fail with this error.
    pub library_error: Option<MediaServerError>,
    next_id: u64,
}

/// The write operations of the media-server port.
pub const WRITE_OPS: [&str; 10] = [
    "find_or_create_performers",
    "find_or_create_studios",
    "find_or_create_tags",
    "update_scenes",
    "update_images",
    "update_galleries",
    "create_galleries",
    "add_gallery_images",
    "create_gallery_chapters",
    "start_scan",
];

impl FakeStash {
    fn id(&mut self) -> String {
        self.next_id += 1;
        format!("{}", self.next_id + 100)
    }

    fn call(&mut self, op: &str) {
        *self.calls.entry(op.to_owned()).or_default() += 1;
        self.order.push(op.to_owned());
        if let Some((name, flag)) = &self.cancel_on
            && name == op
        {
            flag.cancel();
        }
        if WRITE_OPS.contains(&op) {
            self.writes.push(op.to_owned());
        }
    }

    pub fn calls(&self, op: &str) -> u64 {
        self.calls.get(op).copied().unwrap_or(0)
    }

    pub fn total_calls(&self) -> u64 {
        self.calls.values().sum()
    }

    pub fn write_calls(&self) -> u64 {
        WRITE_OPS.iter().map(|o| self.calls(o)).sum()
    }

    pub fn reset_calls(&mut self) {
        self.calls.clear();
        self.writes.clear();
        self.order.clear();
        self.read_backs.clear();
        self.update_attempts.clear();
    }

    /// Adds a file and the scene or image a scan would make of it.
    pub fn add_file(&mut self, folder: &str, basename: &str) -> String {
        let video = basename.ends_with(".mp4");
        let file_id = self.id();
        let object = self.id();
        let owner = if video {
            domain::stash::FileOwner::Scene {
                id: SceneId::new(object.clone()),
                primary: true,
            }
        } else {
            domain::stash::FileOwner::Image(ImageId::new(object.clone()))
        };
        let file = StashFile {
            id: domain::ids::FileId::new(file_id),
            folder: folder.to_owned(),
            basename: basename.to_owned(),
            kind: if video {
                domain::stash::FileKind::Video
            } else {
                domain::stash::FileKind::Image
            },
            owners: vec![owner],
        };
        if video {
            self.scenes.insert(
                SceneId::new(object.clone()),
                Scene {
                    id: SceneId::new(object.clone()),
                    fields: StampFields::default(),
                    files: vec![file.clone()],
                },
            );
        } else {
            self.images.insert(
                ImageId::new(object.clone()),
                Image {
                    id: ImageId::new(object.clone()),
                    fields: StampFields::default(),
                    files: vec![file.clone()],
                },
            );
        }
        self.files.push(file);
        object
    }

    pub fn image_by_file(&self, basename: &str) -> &Image {
        self.images
            .values()
            .find(|i| i.files.iter().any(|f| f.basename == basename))
            .unwrap()
    }

    pub fn scene_by_file(&self, basename: &str) -> &Scene {
        self.scenes
            .values()
            .find(|i| i.files.iter().any(|f| f.basename == basename))
            .unwrap()
    }

    pub fn gallery_by_code(&self, code: &str) -> Vec<&Gallery> {
        self.galleries
            .values()
            .filter(|g| g.code.as_deref() == Some(code))
            .collect()
    }

    pub fn performer_id(&self, name: &str) -> PerformerId {
        self.performers
            .iter()
            .find(|p| p.name == name)
            .unwrap()
            .id
            .clone()
    }

    pub fn studio_id(&self, name: &str) -> StudioId {
        self.studios
            .iter()
            .find(|p| p.name == name)
            .unwrap()
            .id
            .clone()
    }

    pub fn tag_id(&self, name: &str) -> TagId {
        self.tags
            .iter()
            .find(|p| p.name == name)
            .unwrap()
            .id
            .clone()
    }

    /// Whether every performer, tag and studio id exists (Stash's foreign keys).
    fn refs_exist(
        &self,
        performers: &[PerformerId],
        tags: &[TagId],
        studio: Option<&StudioId>,
    ) -> bool {
        performers
            .iter()
            .all(|p| self.performers.iter().any(|x| &x.id == p))
            && tags.iter().all(|t| self.tags.iter().any(|x| &x.id == t))
            && studio.is_none_or(|s| self.studios.iter().any(|x| &x.id == s))
    }

    /// Deletes a tag as Stash does: it disappears from every object.
    pub fn delete_tag(&mut self, name: &str) -> TagId {
        let id = self.tag_id(name);
        self.tags.retain(|t| t.id != id);
        for f in self.stamp_fields_mut() {
            f.tag_ids.retain(|t| t != &id);
        }
        for g in self.galleries.values_mut() {
            g.tag_ids.retain(|t| t != &id);
        }
        id
    }

    /// Deletes a studio as Stash does: objects lose it.
    pub fn delete_studio(&mut self, name: &str) -> StudioId {
        let id = self.studio_id(name);
        self.studios.retain(|t| t.id != id);
        for f in self.stamp_fields_mut() {
            if f.studio_id.as_ref() == Some(&id) {
                f.studio_id = None;
            }
        }
        for g in self.galleries.values_mut() {
            if g.studio_id.as_ref() == Some(&id) {
                g.studio_id = None;
            }
        }
        id
    }

    /// Deletes a gallery (its images stay).
    pub fn delete_gallery(&mut self, id: &GalleryId) {
        self.galleries.remove(id);
        self.gallery_images.remove(id);
        self.chapters.retain(|c| &c.gallery_id != id);
        for i in self.images.values_mut() {
            i.fields.gallery_ids.retain(|g| g != id);
        }
    }

    /// Stash keeps one join table of scenes and galleries: a gallery's scenes list it too.
    fn link_scenes(&mut self, gallery: &GalleryId) {
        let scenes = self
            .galleries
            .get(gallery)
            .map(|g| g.scene_ids.clone())
            .unwrap_or_default();
        for s in scenes {
            if let Some(scene) = self.scenes.get_mut(&s)
                && !scene.fields.gallery_ids.contains(gallery)
            {
                scene.fields.gallery_ids.push(gallery.clone());
            }
        }
    }

    fn stamp_fields_mut(&mut self) -> Vec<&mut StampFields> {
        self.scenes
            .values_mut()
            .map(|x| &mut x.fields)
            .chain(self.images.values_mut().map(|x| &mut x.fields))
            .collect()
    }

    pub fn tag_names(&self, ids: &[TagId]) -> Vec<String> {
        ids.iter()
            .map(|id| self.tags.iter().find(|t| &t.id == id).unwrap().name.clone())
            .collect()
    }
}

fn apply_stamp<Id>(f: &mut StampFields, p: &StampPatch<Id>) {
    f.title = p.title.clone().apply(f.title.take());
    f.code = p.code.clone().apply(f.code.take());
    f.details = p.details.clone().apply(f.details.take());
    f.date = p.date.clone().apply(f.date.take());
    f.studio_id = p.studio_id.clone().apply(f.studio_id.take());
    f.urls = p
        .urls
        .clone()
        .apply(Some(std::mem::take(&mut f.urls)))
        .unwrap_or_default();
    f.performer_ids = p
        .performer_ids
        .clone()
        .apply(Some(std::mem::take(&mut f.performer_ids)))
        .unwrap_or_default();
    f.tag_ids = p
        .tag_ids
        .clone()
        .apply(Some(std::mem::take(&mut f.tag_ids)))
        .unwrap_or_default();
    f.gallery_ids = p
        .gallery_ids
        .clone()
        .apply(Some(std::mem::take(&mut f.gallery_ids)))
        .unwrap_or_default();
    if let Some(o) = p.organized {
        f.organized = o;
    }
}

/// What the adapter makes of Stash's foreign-key refusal.
fn fk_failed() -> MediaServerError {
    MediaServerError::StaleReference {
        errors: vec![GraphQlError {
            message: "FOREIGN KEY constraint failed".into(),
            path: vec![],
        }],
    }
}

/// Whether a stamp patch refers only to existing performers, tags and studio.
fn stamp_refs_exist<Id>(s: &FakeStash, p: &StampPatch<Id>) -> bool {
    let none = Vec::new();
    let performers = match &p.performer_ids {
        domain::Patch::Set(v) => v,
        _ => &none,
    };
    let tags: Vec<TagId> = match &p.tag_ids {
        domain::Patch::Set(v) => v.clone(),
        _ => vec![],
    };
    let studio = match &p.studio_id {
        domain::Patch::Set(v) => Some(v),
        _ => None,
    };
    s.refs_exist(performers, &tags, studio)
}

/// `scenesUpdate` / `imagesUpdate` on the fake: counts each attempt, then refuses injected
/// failures (`fail_ids`), stale references (`fk_fail_ids`, or a performer, studio or tag the
/// fake no longer has) and unknown ids, and applies the rest.
fn update_stamps<Id, T>(
    s: &mut FakeStash,
    kind: &str,
    patches: &[StampPatch<Id>],
    objects: fn(&mut FakeStash) -> &mut BTreeMap<Id, T>,
    fields: fn(&mut T) -> &mut StampFields,
) -> BatchOutcome<Id>
where
    Id: Clone + Ord + std::fmt::Display,
{
    let mut out = BatchOutcome::default();
    for p in patches {
        let key = p.id.to_string();
        *s.update_attempts.entry(key.clone()).or_default() += 1;
        if s.fail_ids.contains(&key) {
            out.failed
                .push((p.id.clone(), not_found(&format!("{kind} (injected)"))));
            continue;
        }
        if s.fk_fail_ids.contains(&key) || !stamp_refs_exist(s, p) {
            out.failed.push((p.id.clone(), fk_failed()));
            continue;
        }
        match objects(s).get_mut(&p.id) {
            Some(x) => {
                apply_stamp(fields(x), p);
                out.applied.push(p.id.clone());
            }
            None => out.failed.push((p.id.clone(), not_found(kind))),
        }
    }
    out
}

fn not_found(what: &str) -> MediaServerError {
    MediaServerError::GraphQl {
        errors: vec![GraphQlError {
            message: format!("{what} not found"),
            path: vec![],
        }],
    }
}

/// A `MockMediaServer` backed by `fake`.
pub fn media_server(fake: Arc<Mutex<FakeStash>>) -> MockMediaServer {
    let mut m = MockMediaServer::new();
    let f = fake.clone();
    m.expect_server_info().returning(move || {
        f.lock().unwrap().call("server_info");
        Ok(ServerInfo {
            version: "v0.30.1".into(),
            app_schema: 75,
            database_schema: Some(75),
            status: ServerStatus::Ok,
            ffmpeg_path: None,
            ffprobe_path: None,
        })
    });
    let f = fake.clone();
    m.expect_find_or_create_performers()
        .returning(move |specs| {
            let mut s = f.lock().unwrap();
            s.call("find_or_create_performers");
            let mut out = HashMap::new();
            for spec in specs {
                let found = s
                    .performers
                    .iter()
                    .find(|p| p.urls.iter().any(|u| spec.urls.contains(u)) || p.name == spec.name)
                    .cloned();
                let (entity, created) = match found {
                    Some(p) => (p, false),
                    None => {
                        let p = Performer {
                            id: PerformerId::new(s.id()),
                            name: spec.name.clone(),
                            disambiguation: None,
                            aliases: spec.aliases.clone(),
                            urls: spec.urls.clone(),
                            details: spec.details.clone(),
                        };
                        s.performers.push(p.clone());
                        (p, true)
                    }
                };
                out.insert(spec.key.clone(), Resolved { entity, created });
            }
            Ok(out)
        });
    let f = fake.clone();
    m.expect_find_or_create_studios().returning(move |specs| {
        let mut s = f.lock().unwrap();
        s.call("find_or_create_studios");
        let mut out = HashMap::new();
        for spec in specs {
            let (entity, created) = match s.studios.iter().find(|p| p.name == spec.name).cloned() {
                Some(p) => (p, false),
                None => {
                    if let Some(parent) = &spec.parent_id
                        && !s.studios.iter().any(|x| &x.id == parent)
                    {
                        return Err(fk_failed());
                    }
                    let p = Studio {
                        id: StudioId::new(s.id()),
                        name: spec.name.clone(),
                        aliases: vec![],
                        urls: spec.urls.clone(),
                        parent_id: spec.parent_id.clone(),
                        details: None,
                    };
                    s.studios.push(p.clone());
                    (p, true)
                }
            };
            out.insert(spec.name.clone(), Resolved { entity, created });
        }
        Ok(out)
    });
    let f = fake.clone();
    m.expect_find_or_create_tags().returning(move |specs| {
        let mut s = f.lock().unwrap();
        s.call("find_or_create_tags");
        let mut out = HashMap::new();
        for spec in specs {
            let found = s
                .tags
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case(&spec.name))
                .cloned();
            let (entity, created) = match found {
                Some(t) => (t, false),
                None if spec.create_if_missing => {
                    let t = Tag {
                        id: TagId::new(s.id()),
                        name: spec.name.clone(),
                        aliases: vec![],
                    };
                    s.tags.push(t.clone());
                    (t, true)
                }
                None => continue,
            };
            out.insert(spec.name.clone(), Resolved { entity, created });
        }
        Ok(out)
    });
    let f = fake.clone();
    m.expect_find_entities().returning(move |lookup| {
        // The same matching as the find-or-create fakes above, creating nothing.
        let mut s = f.lock().unwrap();
        s.call("find_entities");
        let mut found = domain::stash::FoundEntities::default();
        for spec in &lookup.performers {
            if let Some(p) = s
                .performers
                .iter()
                .find(|p| p.urls.iter().any(|u| spec.urls.contains(u)) || p.name == spec.name)
            {
                found.performers.insert(spec.key.clone(), p.clone());
            }
        }
        for spec in &lookup.studios {
            if let Some(st) = s.studios.iter().find(|st| st.name == spec.name) {
                found.studios.insert(spec.name.clone(), st.clone());
            }
        }
        for spec in &lookup.tags {
            if let Some(t) = s
                .tags
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case(&spec.name))
            {
                found.tags.insert(spec.name.clone(), t.clone());
            }
        }
        Ok(found)
    });
    let f = fake.clone();
    m.expect_list_files().returning(move |prefix, cursor| {
        let mut s = f.lock().unwrap();
        s.call("list_files");
        if let Some(e) = s.list_error.clone() {
            return Err(e);
        }
        let under: Vec<StashFile> = s
            .files
            .iter()
            .filter(|f| f.folder == prefix || f.folder.starts_with(&format!("{prefix}/")))
            .cloned()
            .collect();
        let start: usize = cursor.map(|c| c.0.parse().unwrap()).unwrap_or(0);
        let size = if s.page_size == 0 { 500 } else { s.page_size };
        let end = (start + size).min(under.len());
        Ok(FilePage {
            files: under[start..end].to_vec(),
            next: (end < under.len()).then(|| FileCursor(end.to_string())),
        })
    });
    let f = fake.clone();
    m.expect_scenes_by_ids().returning(move |ids| {
        let mut s = f.lock().unwrap();
        s.call("scenes_by_ids");
        Ok(ids
            .iter()
            .filter_map(|id| s.scenes.get(id).map(|x| (id.clone(), x.clone())))
            .collect())
    });
    let f = fake.clone();
    m.expect_images_by_ids().returning(move |ids| {
        let mut s = f.lock().unwrap();
        s.call("images_by_ids");
        Ok(ids
            .iter()
            .filter_map(|id| s.images.get(id).map(|x| (id.clone(), x.clone())))
            .collect())
    });
    let f = fake.clone();
    m.expect_galleries_by_ids().returning(move |ids| {
        let mut s = f.lock().unwrap();
        s.call("galleries_by_ids");
        Ok(ids
            .iter()
            .filter_map(|id| s.galleries.get(id).map(|x| (id.clone(), x.clone())))
            .collect())
    });
    let f = fake.clone();
    m.expect_galleries_by_codes().returning(move |codes| {
        let mut s = f.lock().unwrap();
        s.call("galleries_by_codes");
        let mut out: HashMap<String, Vec<Gallery>> = HashMap::new();
        for g in s.galleries.values() {
            if let Some(c) = &g.code
                && codes.contains(c)
            {
                out.entry(c.clone()).or_default().push(g.clone());
            }
        }
        Ok(out)
    });
    let f = fake.clone();
    m.expect_update_scenes().returning(move |patches| {
        let mut s = f.lock().unwrap();
        s.call("update_scenes");
        Ok(update_stamps(
            &mut s,
            "scene",
            patches,
            |s| &mut s.scenes,
            |x| &mut x.fields,
        ))
    });
    let f = fake.clone();
    m.expect_update_images().returning(move |patches| {
        let mut s = f.lock().unwrap();
        s.call("update_images");
        Ok(update_stamps(
            &mut s,
            "image",
            patches,
            |s| &mut s.images,
            |x| &mut x.fields,
        ))
    });
    let f = fake.clone();
    m.expect_update_galleries().returning(move |patches| {
        let mut s = f.lock().unwrap();
        s.call("update_galleries");
        let mut out = BatchOutcome::default();
        for p in patches {
            let none = Vec::new();
            let performers = match &p.performer_ids {
                domain::Patch::Set(v) => v,
                _ => &none,
            };
            let tags: Vec<TagId> = match &p.tag_ids {
                domain::Patch::Set(v) => v.clone(),
                _ => vec![],
            };
            let studio = match &p.studio_id {
                domain::Patch::Set(v) => Some(v.clone()),
                _ => None,
            };
            if !s.refs_exist(performers, &tags, studio.as_ref()) {
                out.failed.push((p.id.clone(), fk_failed()));
                continue;
            }
            match s.galleries.get_mut(&p.id) {
                Some(g) => {
                    if let Some(t) = &p.title {
                        g.title = Some(t.clone());
                    }
                    g.code = p.code.clone().apply(g.code.take());
                    g.details = p.details.clone().apply(g.details.take());
                    g.date = p.date.clone().apply(g.date.take());
                    g.studio_id = p.studio_id.clone().apply(g.studio_id.take());
                    g.urls = p
                        .urls
                        .clone()
                        .apply(Some(std::mem::take(&mut g.urls)))
                        .unwrap_or_default();
                    g.performer_ids = p
                        .performer_ids
                        .clone()
                        .apply(Some(std::mem::take(&mut g.performer_ids)))
                        .unwrap_or_default();
                    g.tag_ids = p
                        .tag_ids
                        .clone()
                        .apply(Some(std::mem::take(&mut g.tag_ids)))
                        .unwrap_or_default();
                    g.scene_ids = p
                        .scene_ids
                        .clone()
                        .apply(Some(std::mem::take(&mut g.scene_ids)))
                        .unwrap_or_default();
                    if let Some(o) = p.organized {
                        g.organized = o;
                    }
                    s.link_scenes(&p.id);
                    out.applied.push(p.id.clone());
                }
                None => out.failed.push((p.id.clone(), not_found("gallery"))),
            }
        }
        Ok(out)
    });
    let f = fake.clone();
    m.expect_create_galleries().returning(move |news| {
        let mut s = f.lock().unwrap();
        s.call("create_galleries");
        let mut out = HashMap::new();
        for n in news {
            if !s.refs_exist(&n.performer_ids, &n.tag_ids, n.studio_id.as_ref()) {
                out.insert(n.key.clone(), Err(fk_failed()));
                continue;
            }
            let g = Gallery {
                id: GalleryId::new(s.id()),
                title: Some(n.title.clone()),
                code: n.code.clone(),
                details: n.details.clone(),
                date: n.date,
                urls: n.urls.clone(),
                organized: n.organized,
                studio_id: n.studio_id.clone(),
                performer_ids: n.performer_ids.clone(),
                tag_ids: n.tag_ids.clone(),
                scene_ids: n.scene_ids.clone(),
                image_count: 0,
                user_created: true,
            };
            s.galleries.insert(g.id.clone(), g.clone());
            s.link_scenes(&g.id);
            out.insert(n.key.clone(), Ok(g));
        }
        Ok(out)
    });
    let f = fake.clone();
    m.expect_add_gallery_images().returning(move |links| {
        let mut s = f.lock().unwrap();
        s.call("add_gallery_images");
        let mut out = BatchOutcome::default();
        for l in links {
            if !s.galleries.contains_key(&l.gallery_id) {
                out.failed
                    .push((l.gallery_id.clone(), not_found("gallery")));
                continue;
            }
            for i in &l.image_ids {
                let list = s.gallery_images.entry(l.gallery_id.clone()).or_default();
                if !list.contains(i) {
                    list.push(i.clone());
                }
                if let Some(img) = s.images.get_mut(i)
                    && !img.fields.gallery_ids.contains(&l.gallery_id)
                {
                    img.fields.gallery_ids.push(l.gallery_id.clone());
                }
            }
            let n = s.gallery_images[&l.gallery_id].len() as u32;
            s.galleries.get_mut(&l.gallery_id).unwrap().image_count = n;
            out.applied.push(l.gallery_id.clone());
        }
        Ok(out)
    });
    let f = fake.clone();
    m.expect_gallery_chapters().returning(move |ids| {
        let mut s = f.lock().unwrap();
        s.call("gallery_chapters");
        let mut out: HashMap<GalleryId, Vec<Chapter>> = HashMap::new();
        for c in &s.chapters {
            if ids.contains(&c.gallery_id) {
                out.entry(c.gallery_id.clone()).or_default().push(c.clone());
            }
        }
        Ok(out)
    });
    let f = fake.clone();
    m.expect_gallery_images().returning(move |ids| {
        let mut s = f.lock().unwrap();
        s.call("gallery_images");
        let mut out: HashMap<GalleryId, Vec<ImageId>> = HashMap::new();
        for id in ids {
            let Some(list) = s.gallery_images.get(id).filter(|l| !l.is_empty()) else {
                continue;
            };
            // As Stash shows a gallery: by the image's file path.
            let path = |i: &ImageId| {
                s.images
                    .get(i)
                    .and_then(|img| img.files.first())
                    .map(|f| format!("{}{}", f.folder, f.basename))
                    .unwrap_or_default()
            };
            let mut list = list.clone();
            list.sort_by_key(|i| path(i));
            out.insert(id.clone(), list);
        }
        Ok(out)
    });
    let f = fake.clone();
    m.expect_create_gallery_chapters().returning(move |chs| {
        let mut s = f.lock().unwrap();
        s.call("create_gallery_chapters");
        let mut out = Vec::new();
        for c in chs {
            let count = s
                .galleries
                .get(&c.gallery_id)
                .map(|g| g.image_count)
                .unwrap_or(0);
            if c.image_index == 0 || c.image_index > count {
                out.push(Err(MediaServerError::GraphQl {
                    errors: vec![GraphQlError {
                        message:
                            "Image # must greater than zero and in range of the gallery images"
                                .into(),
                        path: vec![],
                    }],
                }));
                continue;
            }
            let ch = Chapter {
                id: s.id(),
                gallery_id: c.gallery_id.clone(),
                title: c.title.clone(),
                image_index: c.image_index,
            };
            s.chapters.push(ch.clone());
            out.push(Ok(ch));
        }
        Ok(out)
    });
    let f = fake.clone();
    m.expect_library_paths().returning(move || {
        let mut s = f.lock().unwrap();
        s.call("library_paths");
        if let Some(e) = &s.library_error {
            return Err(e.clone());
        }
        Ok(s.libraries
            .clone()
            .unwrap_or_else(|| vec![LibraryPath::new("/stash")]))
    });
    let f = fake.clone();
    m.expect_start_scan().returning(move |_| {
        f.lock().unwrap().call("start_scan");
        Ok(JobId::new("1"))
    });
    let f = fake.clone();
    m.expect_wait_for_job().returning(move |_, _| {
        let mut s = f.lock().unwrap();
        s.call("wait_for_job");
        Ok(s.job_outcome.clone().unwrap_or(JobOutcome::Finished))
    });
    let f = fake.clone();
    m.expect_wait_for_files()
        .returning(move |prefix, names, deadline| {
            let mut s = f.lock().unwrap();
            s.call("wait_for_files");
            s.read_backs
                .push((prefix.to_owned(), names.to_vec(), deadline));
            Ok(names
                .iter()
                .filter(|n| {
                    !s.files.iter().any(|f| {
                        &f.basename == *n
                            && !f.owners.is_empty()
                            && (f.folder == prefix || f.folder.starts_with(&format!("{prefix}/")))
                    })
                })
                .cloned()
                .collect())
        });
    let f = fake;
    m.expect_request_stats().returning(move || {
        let s = f.lock().unwrap();
        RequestStats {
            per_operation: s.calls.clone(),
        }
    });
    m
}

/// The sync-state records, keyed like the real store (creator, kind, key).
pub type StateMap = Arc<Mutex<BTreeMap<(i64, EntityKind, String), SyncRecord>>>;

/// Counters of the state store.
#[derive(Debug, Default)]
pub struct StoreStats {
    pub saves: u64,
    pub runs_started: u64,
    pub runs_finished: Vec<(String, String)>,
}

/// A `MockSyncStateStore` backed by `records`; saves after the first `persist_saves` are
/// accepted and dropped (a process killed before its writes reached the disk).
pub fn state_store(
    records: StateMap,
    stats: Arc<Mutex<StoreStats>>,
    persist_saves: Option<u64>,
) -> MockSyncStateStore {
    let mut m = MockSyncStateStore::new();
    let r = records.clone();
    m.expect_load_creator().returning(move |creator| {
        Ok(r.lock()
            .unwrap()
            .values()
            .filter(|x| x.creator == creator)
            .cloned()
            .collect())
    });
    let r = records;
    let st = stats.clone();
    m.expect_save().returning(move |recs| {
        let mut stats = st.lock().unwrap();
        stats.saves += 1;
        if persist_saves.is_some_and(|n| stats.saves > n) {
            return Ok(());
        }
        let mut map = r.lock().unwrap();
        for x in recs {
            map.insert((x.creator.get(), x.kind, x.key.clone()), x.clone());
        }
        Ok(())
    });
    let st = stats.clone();
    m.expect_start_run().returning(move |_| {
        st.lock().unwrap().runs_started += 1;
        Ok(1)
    });
    let st = stats;
    m.expect_finish_run()
        .returning(move |_, _, outcome, summary| {
            st.lock()
                .unwrap()
                .runs_finished
                .push((outcome.to_owned(), summary.to_owned()));
            Ok(())
        });
    m.expect_recent_runs().returning(|_| Ok(vec![]));
    m.expect_summaries().returning(|| Ok(vec![]));
    m
}

/// A `MockMetadataRepository` serving `items` in pages of `page` (counting pages served).
pub fn repository(
    items: Arc<Mutex<Vec<ContentItem>>>,
    pages: Arc<Mutex<u64>>,
) -> MockMetadataRepository {
    repository_counting(items, pages, Arc::default())
}

/// [`repository`], also counting the `attachment_coverage` reads in `coverage_reads`.
pub fn repository_counting(
    items: Arc<Mutex<Vec<ContentItem>>>,
    pages: Arc<Mutex<u64>>,
    coverage_reads: Arc<Mutex<u64>>,
) -> MockMetadataRepository {
    let all = items.clone();
    repository_with_coverage(items, pages, move |creators| {
        *coverage_reads.lock().unwrap() += 1;
        // Attachments: one per media of a post or message; unattached: the unattached items.
        let items = all.lock().unwrap();
        Ok(creators
            .iter()
            .map(|c| {
                let mine = items.iter().filter(|i| i.owner.id == *c);
                let (mut attachments, mut unattached_media) = (0, 0);
                for i in mine {
                    match i.source {
                        domain::content::ItemSource::Unattached(_) => unattached_media += 1,
                        _ => attachments += i.media.len() as u64,
                    }
                }
                let coverage = domain::ports::AttachmentCoverage {
                    attachments,
                    unattached_media,
                };
                (*c, coverage)
            })
            .collect())
    })
}

/// [`repository`] whose `attachment_coverage` answers with `coverage`.
pub fn repository_with_coverage(
    items: Arc<Mutex<Vec<ContentItem>>>,
    pages: Arc<Mutex<u64>>,
    coverage: impl Fn(
        &[AccountId],
    )
        -> Result<HashMap<AccountId, domain::ports::AttachmentCoverage>, RepositoryError>
    + Send
    + 'static,
) -> MockMetadataRepository {
    let mut m = MockMetadataRepository::new();
    m.expect_attachment_coverage()
        .returning(move |creators| coverage(creators));
    m.expect_content_page().returning(
        move |creator: AccountId, cursor: Option<ContentCursor>, limit| {
            *pages.lock().unwrap() += 1;
            let all: Vec<ContentItem> = items
                .lock()
                .unwrap()
                .iter()
                .filter(|i| i.owner.id == creator)
                .cloned()
                .collect();
            let start: usize = cursor.map(|c| c.0.parse().unwrap()).unwrap_or(0);
            let end = (start + limit).min(all.len());
            Ok(ContentPage {
                items: all[start..end].to_vec(),
                next: (end < all.len()).then(|| ContentCursor(end.to_string())),
                warnings: vec![],
            })
        },
    );
    m
}
