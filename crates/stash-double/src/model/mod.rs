//! The double's in-memory database: every Stash object it knows, kept behind one lock.
//!
//! Many-to-many relations between scenes/images and galleries are stored once on the
//! scene/image and mirrored in reverse indexes that only [`State`]'s helpers touch.

pub(crate) mod dates;
pub(crate) mod delete;
pub(crate) mod dump;
pub(crate) mod jobs;

use std::collections::{BTreeMap, BTreeSet};

use crate::config::SystemStatusKind;
pub(crate) use jobs::{Job, JobStatus, Jobs};

/// Object ids are SQLite-like integers starting at 1.
pub(crate) type Id = u64;

/// Current time as Stash prints it (RFC3339, local offset in Stash; UTC here).
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[derive(Debug, Clone)]
pub(crate) struct Performer {
    pub id: Id,
    pub name: String,
    pub disambiguation: Option<String>,
    pub urls: Vec<String>,
    pub aliases: Vec<String>,
    pub details: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Studio {
    pub id: Id,
    pub name: String,
    pub urls: Vec<String>,
    pub parent_id: Option<Id>,
    pub aliases: Vec<String>,
    pub details: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Tag {
    pub id: Id,
    pub name: String,
    pub description: Option<String>,
    pub aliases: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Folder {
    pub id: Id,
    pub path: String,
    pub parent_id: Option<Id>,
    pub mod_time: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    Video,
    Image,
    Gallery,
}

impl FileKind {
    pub fn type_name(self) -> &'static str {
        match self {
            Self::Video => "VideoFile",
            Self::Image => "ImageFile",
            Self::Gallery => "GalleryFile",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct File {
    pub id: Id,
    pub kind: FileKind,
    pub folder_id: Id,
    pub basename: String,
    pub size: u64,
    pub mod_time: String,
    pub md5: String,
    pub oshash: String,
    pub created_at: String,
    pub updated_at: String,
}

/// Fields shared by scenes, images and galleries.
#[derive(Debug, Clone, Default)]
pub(crate) struct Common {
    pub title: Option<String>,
    pub code: Option<String>,
    pub details: Option<String>,
    pub urls: Vec<String>,
    pub date: Option<String>,
    pub organized: bool,
    pub studio_id: Option<Id>,
    pub tag_ids: BTreeSet<Id>,
    pub performer_ids: BTreeSet<Id>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Scene {
    pub id: Id,
    pub c: Common,
    pub gallery_ids: BTreeSet<Id>,
    pub file_ids: Vec<Id>,
}

#[derive(Debug, Clone)]
pub(crate) struct Image {
    pub id: Id,
    pub c: Common,
    pub gallery_ids: BTreeSet<Id>,
    pub file_ids: Vec<Id>,
}

#[derive(Debug, Clone)]
pub(crate) struct Gallery {
    pub id: Id,
    pub c: Common,
    /// Set for folder-based galleries.
    pub folder_id: Option<Id>,
    /// Set for zip-based galleries.
    pub file_ids: Vec<Id>,
}

impl Gallery {
    pub fn user_created(&self) -> bool {
        self.folder_id.is_none() && self.file_ids.is_empty()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Chapter {
    pub id: Id,
    pub gallery_id: Id,
    pub title: String,
    pub image_index: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// Per-type id sequences.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sequences {
    pub performer: Id,
    pub studio: Id,
    pub tag: Id,
    pub folder: Id,
    pub file: Id,
    pub scene: Id,
    pub image: Id,
    pub gallery: Id,
    pub chapter: Id,
}

impl Sequences {
    pub fn next(counter: &mut Id) -> Id {
        *counter += 1;
        *counter
    }
}

/// Everything the double stores.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub seq: Sequences,
    pub status: SystemStatusKind,
    pub performers: BTreeMap<Id, Performer>,
    pub studios: BTreeMap<Id, Studio>,
    pub tags: BTreeMap<Id, Tag>,
    pub folders: BTreeMap<Id, Folder>,
    pub folder_by_path: BTreeMap<String, Id>,
    pub files: BTreeMap<Id, File>,
    pub file_by_path: BTreeMap<String, Id>,
    /// Files by md5 (content identity), for merging identical files during scans.
    pub files_by_md5: BTreeMap<String, Vec<Id>>,
    pub scenes: BTreeMap<Id, Scene>,
    pub images: BTreeMap<Id, Image>,
    pub galleries: BTreeMap<Id, Gallery>,
    pub chapters: BTreeMap<Id, Chapter>,
    /// Reverse index: gallery -> its scenes.
    pub gallery_scenes: BTreeMap<Id, BTreeSet<Id>>,
    /// Reverse index: gallery -> its images.
    pub gallery_images: BTreeMap<Id, BTreeSet<Id>>,
    /// Which object owns a file (scene, image or gallery).
    pub file_owner: BTreeMap<Id, Owner>,
    pub jobs: Jobs,
    /// Plugin settings as `configurePlugin` stored them: plugin id to its settings map.
    pub plugin_settings: BTreeMap<String, serde_json::Map<String, serde_json::Value>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    Scene(Id),
    Image(Id),
}

impl State {
    /// Full path of a file (`folder path/basename`).
    pub fn file_path(&self, file: &File) -> String {
        match self.folders.get(&file.folder_id) {
            Some(folder) => join_path(&folder.path, &file.basename),
            None => file.basename.clone(),
        }
    }

    /// Full paths of the given files.
    pub fn file_paths(&self, file_ids: &[Id]) -> Vec<String> {
        file_ids
            .iter()
            .filter_map(|id| self.files.get(id))
            .map(|f| self.file_path(f))
            .collect()
    }

    /// Replaces a scene's galleries, keeping the reverse index in step.
    pub fn set_scene_galleries(&mut self, scene_id: Id, new: BTreeSet<Id>) {
        let Some(scene) = self.scenes.get_mut(&scene_id) else {
            return;
        };
        for g in &scene.gallery_ids {
            if let Some(set) = self.gallery_scenes.get_mut(g) {
                set.remove(&scene_id);
            }
        }
        for g in &new {
            self.gallery_scenes.entry(*g).or_default().insert(scene_id);
        }
        scene.gallery_ids = new;
    }

    /// Replaces an image's galleries, keeping the reverse index in step.
    pub fn set_image_galleries(&mut self, image_id: Id, new: BTreeSet<Id>) {
        let Some(image) = self.images.get_mut(&image_id) else {
            return;
        };
        for g in &image.gallery_ids {
            if let Some(set) = self.gallery_images.get_mut(g) {
                set.remove(&image_id);
            }
        }
        for g in &new {
            self.gallery_images.entry(*g).or_default().insert(image_id);
        }
        image.gallery_ids = new;
    }

    pub fn gallery_image_count(&self, gallery_id: Id) -> usize {
        self.gallery_images
            .get(&gallery_id)
            .map_or(0, BTreeSet::len)
    }

    /// The studio and its descendants up to `depth` levels (`-1`: all).
    pub fn studio_with_descendants(&self, root: Id, depth: i64) -> BTreeSet<Id> {
        let mut out = BTreeSet::from([root]);
        let mut frontier = vec![root];
        let mut level = 0;
        while !frontier.is_empty() && (depth < 0 || level < depth) {
            let next: Vec<Id> = self
                .studios
                .values()
                .filter(|s| s.parent_id.is_some_and(|p| frontier.contains(&p)))
                .map(|s| s.id)
                .filter(|id| out.insert(*id))
                .collect();
            frontier = next;
            level += 1;
        }
        out
    }

    /// A gallery's name as Stash shows it in errors: title, else its folder or file path.
    pub fn gallery_display_name(&self, g: &Gallery) -> String {
        if let Some(t) = g.c.title.as_ref().filter(|t| !t.is_empty()) {
            return t.clone();
        }
        if let Some(folder) = g.folder_id.and_then(|f| self.folders.get(&f)) {
            return folder.path.clone();
        }
        self.file_paths(&g.file_ids)
            .into_iter()
            .next()
            .unwrap_or_default()
    }
}

/// Joins a folder path and a basename with `/`.
pub(crate) fn join_path(folder: &str, basename: &str) -> String {
    if folder.ends_with('/') {
        format!("{folder}{basename}")
    } else {
        format!("{folder}/{basename}")
    }
}
