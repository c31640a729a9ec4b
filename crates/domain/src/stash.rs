//! The Stash side: the objects we read from and write to a Stash server, the specs we
//! find-or-create by natural key, and the patches we apply.
//!
//! Read types ([`Scene`], [`Image`], ...) carry only the fields sync compares. Write types
//! ([`ScenePatch`], [`NewGallery`], ...) use [`Patch`] so "leave alone" and "clear" can never be
//! confused; fields the server refuses to clear (`organized`, a gallery's `title`) are plain
//! `Option`s that can only be left alone or set.

use std::collections::{BTreeMap, HashMap};

use crate::date::FuzzyDate;
use crate::ids::{FileId, GalleryId, ImageId, PerformerId, SceneId, StudioId, TagId};
use crate::patch::Patch;

pub use crate::library::LibraryPath;

/// A Stash performer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Performer {
    /// Server id.
    pub id: PerformerId,
    /// Name (unique together with `disambiguation`).
    pub name: String,
    /// Disambiguation, when the name alone is taken.
    pub disambiguation: Option<String>,
    /// Aliases.
    pub aliases: Vec<String>,
    /// URLs (appSchema 67+; empty on older servers).
    pub urls: Vec<String>,
    /// Free text.
    pub details: Option<String>,
}

/// A Stash studio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Studio {
    /// Server id.
    pub id: StudioId,
    /// Name (unique across names and aliases).
    pub name: String,
    /// Aliases.
    pub aliases: Vec<String>,
    /// URLs (appSchema 75+; empty on older servers).
    pub urls: Vec<String>,
    /// Parent studio.
    pub parent_id: Option<StudioId>,
    /// Free text.
    pub details: Option<String>,
}

/// A Stash tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// Server id.
    pub id: TagId,
    /// Name (unique across names and aliases).
    pub name: String,
    /// Aliases.
    pub aliases: Vec<String>,
}

/// What kind of file a [`StashFile`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A video (scene file, or an animated image backed by a video file).
    Video,
    /// A still image.
    Image,
    /// A zip/cbz gallery file.
    Gallery,
    /// Anything else.
    Basic,
}

/// Which object a file belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FileOwner {
    /// A scene; `primary` when this file is the scene's first (primary) file.
    Scene {
        /// The scene.
        id: SceneId,
        /// Whether the file is `files[0]` of that scene.
        primary: bool,
    },
    /// An image.
    Image(ImageId),
}

/// A file Stash has indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StashFile {
    /// Server id.
    pub id: FileId,
    /// The parent folder's absolute path, as Stash sees it.
    pub folder: String,
    /// The file name.
    pub basename: String,
    /// Video, image, gallery or basic.
    pub kind: FileKind,
    /// The scenes or images this file belongs to.
    pub owners: Vec<FileOwner>,
}

impl StashFile {
    /// `folder/basename`.
    pub fn path(&self) -> String {
        if self.folder.ends_with('/') {
            format!("{}{}", self.folder, self.basename)
        } else {
            format!("{}/{}", self.folder, self.basename)
        }
    }
}

/// Fields scenes and images share; sync compares and writes these.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StampFields {
    /// Title (new scans leave it null).
    pub title: Option<String>,
    /// Studio code (we write the Fansly media id).
    pub code: Option<String>,
    /// Free text.
    pub details: Option<String>,
    /// Date.
    pub date: Option<FuzzyDate>,
    /// URLs in order.
    pub urls: Vec<String>,
    /// The user's "done" mark: we never touch an organized object unless forced.
    pub organized: bool,
    /// Studio.
    pub studio_id: Option<StudioId>,
    /// Performers.
    pub performer_ids: Vec<PerformerId>,
    /// Tags.
    pub tag_ids: Vec<TagId>,
    /// Galleries the object is in.
    pub gallery_ids: Vec<GalleryId>,
}

/// A Stash scene (created by scans from video files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scene {
    /// Server id.
    pub id: SceneId,
    /// The comparable fields.
    pub fields: StampFields,
    /// Files; the first is the primary file.
    pub files: Vec<StashFile>,
}

/// A Stash image (created by scans from image files; there is no `imageCreate`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Server id.
    pub id: ImageId,
    /// The comparable fields.
    pub fields: StampFields,
    /// Visual files (image files, or video files for animated images).
    pub files: Vec<StashFile>,
}

/// A Stash gallery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gallery {
    /// Server id.
    pub id: GalleryId,
    /// Title (user-created galleries always have one).
    pub title: Option<String>,
    /// Code (we write the post or message id).
    pub code: Option<String>,
    /// Free text.
    pub details: Option<String>,
    /// Date.
    pub date: Option<FuzzyDate>,
    /// URLs in order.
    pub urls: Vec<String>,
    /// The user's "done" mark.
    pub organized: bool,
    /// Studio.
    pub studio_id: Option<StudioId>,
    /// Performers.
    pub performer_ids: Vec<PerformerId>,
    /// Tags.
    pub tag_ids: Vec<TagId>,
    /// Scenes linked to the gallery.
    pub scene_ids: Vec<SceneId>,
    /// How many images it holds.
    pub image_count: u32,
    /// False for folder- or zip-based galleries, whose contents cannot be changed.
    pub user_created: bool,
}

/// A performer to find or create, matched by its natural key.
///
/// Matching order: an existing performer with one of `urls` (exact), then one with an alias in
/// `aliases` (exact, case-insensitive), then one with exactly this `name` and `disambiguation`.
/// A name match whose Fansly URL points at another account is not adopted: the new performer is
/// created with `disambiguation` set instead.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PerformerSpec {
    /// Caller's key for the result map (e.g. the Fansly username).
    pub key: String,
    /// Name to create with.
    pub name: String,
    /// Disambiguation to create with.
    pub disambiguation: Option<String>,
    /// Aliases to create with (and to match on).
    pub aliases: Vec<String>,
    /// URLs to create with (and to match on).
    pub urls: Vec<String>,
    /// Details to create with.
    pub details: Option<String>,
}

/// A studio to find (by exact name or alias) or create.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StudioSpec {
    /// Name; the result map is keyed by it.
    pub name: String,
    /// Parent to create under (it must exist already).
    pub parent_id: Option<StudioId>,
    /// URLs to create with (sent only where the server supports studio URLs).
    pub urls: Vec<String>,
}

/// A tag to find (by exact name or alias, case-insensitively) or create.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagSpec {
    /// Name; the result map is keyed by it.
    pub name: String,
    /// Whether to create it when missing; when false a missing tag is simply absent from the
    /// result (upstream never creates `Trailer`, for instance).
    pub create_if_missing: bool,
}

/// The result of a find-or-create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved<T> {
    /// The entity, found or made.
    pub entity: T,
    /// True when this call created it.
    pub created: bool,
}

/// Performers, studios and tags to look up by natural key without creating any (what a dry
/// run asks, so its plan says "create" or "adopt" for each).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntityLookup {
    /// Performers, found as [`PerformerSpec`]s are found (URL, alias, name).
    pub performers: Vec<PerformerSpec>,
    /// Studios, by name or alias (a spec's parent is not looked at).
    pub studios: Vec<StudioSpec>,
    /// Tags, by name or alias.
    pub tags: Vec<TagSpec>,
}

impl EntityLookup {
    /// Whether there is nothing to look up.
    pub fn is_empty(&self) -> bool {
        self.performers.is_empty() && self.studios.is_empty() && self.tags.is_empty()
    }
}

/// What Stash already has of an [`EntityLookup`]: the entity a find-or-create would adopt,
/// keyed as the find-or-create maps are; what it would create is absent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FoundEntities {
    /// By [`PerformerSpec::key`].
    pub performers: HashMap<String, Performer>,
    /// By [`StudioSpec::name`].
    pub studios: HashMap<String, Studio>,
    /// By [`TagSpec::name`].
    pub tags: HashMap<String, Tag>,
}

/// A partial update of a scene or an image. Lists replace the server's list (SET semantics),
/// so callers merge additions into the current list first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampPatch<Id> {
    /// The object to update.
    pub id: Id,
    /// Title.
    pub title: Patch<String>,
    /// Code.
    pub code: Patch<String>,
    /// Details.
    pub details: Patch<String>,
    /// Date.
    pub date: Patch<FuzzyDate>,
    /// URLs (Clear empties the list).
    pub urls: Patch<Vec<String>>,
    /// Studio.
    pub studio_id: Patch<StudioId>,
    /// Performers (Clear empties the list).
    pub performer_ids: Patch<Vec<PerformerId>>,
    /// Tags (Clear empties the list).
    pub tag_ids: Patch<Vec<TagId>>,
    /// Galleries (Clear empties the list).
    pub gallery_ids: Patch<Vec<GalleryId>>,
    /// Organized can only be left alone or set: the server rejects `null`.
    pub organized: Option<bool>,
}

impl<Id> StampPatch<Id> {
    /// A patch that changes nothing on `id`.
    pub fn new(id: Id) -> Self {
        Self {
            id,
            title: Patch::Unchanged,
            code: Patch::Unchanged,
            details: Patch::Unchanged,
            date: Patch::Unchanged,
            urls: Patch::Unchanged,
            studio_id: Patch::Unchanged,
            performer_ids: Patch::Unchanged,
            tag_ids: Patch::Unchanged,
            gallery_ids: Patch::Unchanged,
            organized: None,
        }
    }

    /// True when applying it would change nothing.
    pub fn is_empty(&self) -> bool {
        self.title.is_unchanged()
            && self.code.is_unchanged()
            && self.details.is_unchanged()
            && self.date.is_unchanged()
            && self.urls.is_unchanged()
            && self.studio_id.is_unchanged()
            && self.performer_ids.is_unchanged()
            && self.tag_ids.is_unchanged()
            && self.gallery_ids.is_unchanged()
            && self.organized.is_none()
    }
}

/// A partial update of a scene.
pub type ScenePatch = StampPatch<SceneId>;
/// A partial update of an image.
pub type ImagePatch = StampPatch<ImageId>;

/// A partial update of a gallery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GalleryPatch {
    /// The gallery to update.
    pub id: GalleryId,
    /// Title can only be left alone or set: the server ignores `null` and rejects `""`.
    pub title: Option<String>,
    /// Code.
    pub code: Patch<String>,
    /// Details.
    pub details: Patch<String>,
    /// Date.
    pub date: Patch<FuzzyDate>,
    /// URLs.
    pub urls: Patch<Vec<String>>,
    /// Studio.
    pub studio_id: Patch<StudioId>,
    /// Performers.
    pub performer_ids: Patch<Vec<PerformerId>>,
    /// Tags.
    pub tag_ids: Patch<Vec<TagId>>,
    /// Scenes.
    pub scene_ids: Patch<Vec<SceneId>>,
    /// Organized can only be left alone or set.
    pub organized: Option<bool>,
}

impl GalleryPatch {
    /// A patch that changes nothing on `id`.
    pub fn new(id: GalleryId) -> Self {
        Self {
            id,
            title: None,
            code: Patch::Unchanged,
            details: Patch::Unchanged,
            date: Patch::Unchanged,
            urls: Patch::Unchanged,
            studio_id: Patch::Unchanged,
            performer_ids: Patch::Unchanged,
            tag_ids: Patch::Unchanged,
            scene_ids: Patch::Unchanged,
            organized: None,
        }
    }

    /// True when applying it would change nothing.
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.code.is_unchanged()
            && self.details.is_unchanged()
            && self.date.is_unchanged()
            && self.urls.is_unchanged()
            && self.studio_id.is_unchanged()
            && self.performer_ids.is_unchanged()
            && self.tag_ids.is_unchanged()
            && self.scene_ids.is_unchanged()
            && self.organized.is_none()
    }
}

/// A gallery to create (a user-created gallery: no folder, no files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGallery {
    /// Caller's key for the result map (we use the gallery code).
    pub key: String,
    /// Title; must not be empty.
    pub title: String,
    /// Code.
    pub code: Option<String>,
    /// Details.
    pub details: Option<String>,
    /// Date.
    pub date: Option<FuzzyDate>,
    /// URLs.
    pub urls: Vec<String>,
    /// Organized flag to create with.
    pub organized: bool,
    /// Studio.
    pub studio_id: Option<StudioId>,
    /// Performers.
    pub performer_ids: Vec<PerformerId>,
    /// Tags.
    pub tag_ids: Vec<TagId>,
    /// Scenes.
    pub scene_ids: Vec<SceneId>,
}

/// Images to add to one user-created gallery (idempotent on the server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GalleryImages {
    /// The gallery.
    pub gallery_id: GalleryId,
    /// Images to add.
    pub image_ids: Vec<ImageId>,
}

/// A chapter to create in a gallery; `image_index` is 1-based and must not exceed the image count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChapter {
    /// The gallery.
    pub gallery_id: GalleryId,
    /// Chapter title.
    pub title: String,
    /// First image of the chapter, 1-based.
    pub image_index: u32,
}

/// A gallery chapter as the server has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    /// Server id.
    pub id: String,
    /// The gallery.
    pub gallery_id: GalleryId,
    /// Title.
    pub title: String,
    /// First image, 1-based.
    pub image_index: u32,
}

/// The result of a batched write: which items were applied, which failed and why.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchOutcome<Id> {
    /// Items the server accepted.
    pub applied: Vec<Id>,
    /// Items the server refused, each with its own error (isolated by bisection).
    pub failed: Vec<(Id, crate::ports::MediaServerError)>,
}

impl<Id> Default for BatchOutcome<Id> {
    fn default() -> Self {
        Self {
            applied: Vec::new(),
            failed: Vec::new(),
        }
    }
}

/// What a scan should generate besides indexing files (all false = a fast scan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScanGenerate {
    /// Scene covers.
    pub covers: bool,
    /// Video previews.
    pub previews: bool,
    /// Animated image previews.
    pub image_previews: bool,
    /// Scrubber sprites.
    pub sprites: bool,
    /// Perceptual hashes.
    pub phashes: bool,
    /// Image thumbnails.
    pub thumbnails: bool,
    /// Clip previews.
    pub clip_previews: bool,
}

/// A request to scan paths (each must lie inside a Stash library path).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScanRequest {
    /// Stash-side paths (directories or single files); empty scans every library.
    pub paths: Vec<String>,
    /// Re-scan files that are already known.
    pub rescan: bool,
    /// What to generate.
    pub generate: ScanGenerate,
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// `FINISHED`.
    Finished,
    /// `FAILED`, with the job's error text.
    Failed(String),
    /// `CANCELLED`.
    Cancelled,
    /// The job was seen, then dropped out of the server's 10-job history: it finished, outcome
    /// unknown.
    Vanished,
}

/// Whether the server is ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerStatus {
    /// Ready.
    Ok,
    /// Not set up yet.
    Setup,
    /// Its database needs a migration.
    NeedsMigration,
}

/// What the server said about itself at connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    /// `version.version`, e.g. `v0.30.1` (may be empty on custom builds).
    pub version: String,
    /// `systemStatus.appSchema`: what features are gated on.
    pub app_schema: i32,
    /// `systemStatus.databaseSchema`.
    pub database_schema: Option<i32>,
    /// `systemStatus.status`.
    pub status: ServerStatus,
    /// `systemStatus.ffmpegPath`.
    pub ffmpeg_path: Option<String>,
    /// `systemStatus.ffprobePath`.
    pub ffprobe_path: Option<String>,
}

impl ServerInfo {
    /// Performer `urls` exist from appSchema 67 (v0.27).
    pub fn performer_urls(&self) -> bool {
        self.app_schema >= 67
    }

    /// Studio `urls` and partial dates exist from appSchema 75 (v0.30).
    pub fn studio_urls(&self) -> bool {
        self.app_schema >= 75
    }

    /// Partial dates (`YYYY`, `YYYY-MM`) are accepted from appSchema 75.
    pub fn partial_dates(&self) -> bool {
        self.app_schema >= 75
    }

    /// Before appSchema 72 (v0.28.0, stash PR 5658) an image without a title reads back its
    /// file's basename as `title` (and setting `""` brings the basename back), so a title
    /// equal to one of the image's file basenames means "no title" there.
    pub fn untitled_image_reads_basename(&self) -> bool {
        self.app_schema < 72
    }
}

/// An opaque position in a file listing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileCursor(pub String);

/// One page of a file listing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilePage {
    /// The files of this page.
    pub files: Vec<StashFile>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<FileCursor>,
}

/// HTTP requests made so far, per GraphQL operation name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestStats {
    /// Requests per operation (retries count as requests).
    pub per_operation: BTreeMap<String, u64>,
}

impl RequestStats {
    /// All requests.
    pub fn total(&self) -> u64 {
        self.per_operation.values().sum()
    }

    /// Requests of operations whose name contains `needle` (case-insensitive).
    pub fn matching(&self, needle: &str) -> u64 {
        let needle = needle.to_lowercase();
        self.per_operation
            .iter()
            .filter(|(k, _)| k.to_lowercase().contains(&needle))
            .map(|(_, v)| v)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_patches_are_empty() {
        assert!(ScenePatch::new(SceneId::new("1")).is_empty());
        assert!(GalleryPatch::new(GalleryId::new("1")).is_empty());
        let mut p = ImagePatch::new(ImageId::new("1"));
        p.organized = Some(true);
        assert!(!p.is_empty());
        let mut g = GalleryPatch::new(GalleryId::new("1"));
        g.code = Patch::Clear;
        assert!(!g.is_empty());
    }

    #[test]
    fn file_paths_join_folder_and_basename() {
        let mut f = StashFile {
            id: FileId::new("1"),
            folder: "/data/alice".into(),
            basename: "a.jpg".into(),
            kind: FileKind::Image,
            owners: vec![],
        };
        assert_eq!(f.path(), "/data/alice/a.jpg");
        f.folder = "/".into();
        assert_eq!(f.path(), "/a.jpg");
    }

    #[test]
    fn features_are_gated_on_app_schema() {
        let mut info = ServerInfo {
            version: "v0.27.0".into(),
            app_schema: 67,
            database_schema: Some(67),
            status: ServerStatus::Ok,
            ffmpeg_path: None,
            ffprobe_path: None,
        };
        assert!(info.performer_urls() && !info.studio_urls() && !info.partial_dates());
        assert!(info.untitled_image_reads_basename());
        info.app_schema = 72;
        assert!(!info.untitled_image_reads_basename() && !info.studio_urls());
        info.app_schema = 75;
        assert!(info.studio_urls() && info.partial_dates());
    }

    #[test]
    fn request_stats_sum_and_match() {
        let mut s = RequestStats::default();
        s.per_operation.insert("FindScenes".into(), 2);
        s.per_operation.insert("ScenesUpdate".into(), 3);
        assert_eq!(s.total(), 5);
        assert_eq!(s.matching("scenes"), 5);
        assert_eq!(s.matching("update"), 3);
    }
}
