//! Selection sets: the fields of each Stash object that sync reads, and nothing more (Stash
//! resolves every selected relation, so lean selections are fast selections).

use crate::schema::schema;

/// Just an id (what relation lists and mutation results need).
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash", graphql_type = "Tag")]
pub struct TagRef {
    /// Id.
    pub id: cynic::Id,
}

/// Just an id.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash", graphql_type = "Performer")]
pub struct PerformerRef {
    /// Id.
    pub id: cynic::Id,
}

/// Just an id.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash", graphql_type = "Studio")]
pub struct StudioRef {
    /// Id.
    pub id: cynic::Id,
}

/// Just an id.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash", graphql_type = "Gallery")]
pub struct GalleryRef {
    /// Id.
    pub id: cynic::Id,
}

/// Just an id.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash", graphql_type = "Scene")]
pub struct SceneRef {
    /// Id.
    pub id: cynic::Id,
}

/// Just an id.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash", graphql_type = "Image")]
pub struct ImageRef {
    /// Id.
    pub id: cynic::Id,
}

/// A video file: where it is.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash")]
pub struct VideoFile {
    /// File id.
    pub id: cynic::Id,
    /// Absolute path.
    pub path: String,
    /// File name.
    pub basename: String,
}

/// An image file: where it is.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash")]
pub struct ImageFile {
    /// File id.
    pub id: cynic::Id,
    /// Absolute path.
    pub path: String,
    /// File name.
    pub basename: String,
}

/// `Image.visual_files` is a union: animated images are backed by video files.
#[derive(cynic::InlineFragments, Debug, Clone)]
#[cynic(schema = "stash")]
pub enum VisualFile {
    /// A video file.
    VideoFile(VideoFile),
    /// An image file.
    ImageFile(ImageFile),
    /// A member added by a newer server.
    #[cynic(fallback)]
    Unknown,
}

/// A performer as sync compares it.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash")]
pub struct Performer {
    /// Id.
    pub id: cynic::Id,
    /// Name.
    pub name: String,
    /// Disambiguation.
    pub disambiguation: Option<String>,
    /// URLs.
    pub urls: Option<Vec<String>>,
    /// Aliases.
    #[cynic(rename = "alias_list")]
    pub alias_list: Vec<String>,
    /// Details.
    pub details: Option<String>,
}

/// A studio as sync compares it on servers before appSchema 75 (v0.27-v0.29), where a
/// studio has one `url` and no `urls`.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash", graphql_type = "Studio")]
pub struct StudioWithUrl {
    /// Id.
    pub id: cynic::Id,
    /// Name.
    pub name: String,
    /// The single URL (before appSchema 75; deprecated after).
    pub url: Option<String>,
    /// Aliases.
    pub aliases: Vec<String>,
    /// Parent.
    #[cynic(rename = "parent_studio")]
    pub parent_studio: Option<StudioRef>,
    /// Details.
    pub details: Option<String>,
}

/// A studio with its URLs (appSchema 75+).
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash", graphql_type = "Studio")]
pub struct StudioWithUrls {
    /// Id.
    pub id: cynic::Id,
    /// Name.
    pub name: String,
    /// Aliases.
    pub aliases: Vec<String>,
    /// URLs.
    pub urls: Vec<String>,
    /// Parent.
    #[cynic(rename = "parent_studio")]
    pub parent_studio: Option<StudioRef>,
    /// Details.
    pub details: Option<String>,
}

/// A tag.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash")]
pub struct Tag {
    /// Id.
    pub id: cynic::Id,
    /// Name.
    pub name: String,
    /// Aliases.
    pub aliases: Vec<String>,
}

/// A scene as sync compares it.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash")]
pub struct Scene {
    /// Id.
    pub id: cynic::Id,
    /// Title.
    pub title: Option<String>,
    /// Code.
    pub code: Option<String>,
    /// Details.
    pub details: Option<String>,
    /// URLs.
    pub urls: Vec<String>,
    /// Date.
    pub date: Option<String>,
    /// Organized.
    pub organized: bool,
    /// Studio.
    pub studio: Option<StudioRef>,
    /// Performers.
    pub performers: Vec<PerformerRef>,
    /// Tags.
    pub tags: Vec<TagRef>,
    /// Galleries.
    pub galleries: Vec<GalleryRef>,
    /// Files; the first is primary.
    pub files: Vec<VideoFile>,
}

/// An image as sync compares it.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash")]
pub struct Image {
    /// Id.
    pub id: cynic::Id,
    /// Title.
    pub title: Option<String>,
    /// Code.
    pub code: Option<String>,
    /// Details.
    pub details: Option<String>,
    /// URLs.
    pub urls: Vec<String>,
    /// Date.
    pub date: Option<String>,
    /// Organized.
    pub organized: bool,
    /// Studio.
    pub studio: Option<StudioRef>,
    /// Performers.
    pub performers: Vec<PerformerRef>,
    /// Tags.
    pub tags: Vec<TagRef>,
    /// Galleries.
    pub galleries: Vec<GalleryRef>,
    /// Visual files.
    #[cynic(rename = "visual_files")]
    pub visual_files: Vec<VisualFile>,
}

/// An image's id and the galleries it is in.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "Image")]
pub struct ImageGalleries {
    /// Id.
    pub id: cynic::Id,
    /// Galleries.
    pub galleries: Vec<GalleryRef>,
}

/// A gallery file (zip-based galleries have one).
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash")]
pub struct GalleryFile {
    /// File id.
    pub id: cynic::Id,
}

/// A folder (folder-based galleries have one).
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash")]
pub struct Folder {
    /// Folder id.
    pub id: cynic::Id,
}

/// A gallery as sync compares it.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash")]
pub struct Gallery {
    /// Id.
    pub id: cynic::Id,
    /// Title.
    pub title: Option<String>,
    /// Code.
    pub code: Option<String>,
    /// Details.
    pub details: Option<String>,
    /// URLs.
    pub urls: Vec<String>,
    /// Date.
    pub date: Option<String>,
    /// Organized.
    pub organized: bool,
    /// Studio.
    pub studio: Option<StudioRef>,
    /// Performers.
    pub performers: Vec<PerformerRef>,
    /// Tags.
    pub tags: Vec<TagRef>,
    /// Scenes.
    pub scenes: Vec<SceneRef>,
    /// Image count.
    #[cynic(rename = "image_count")]
    pub image_count: i32,
    /// Files (zip-based galleries).
    pub files: Vec<GalleryFile>,
    /// Folder (folder-based galleries).
    pub folder: Option<Folder>,
}

/// A gallery chapter.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash")]
pub struct GalleryChapter {
    /// Id.
    pub id: cynic::Id,
    /// Title.
    pub title: String,
    /// First image, 1-based.
    #[cynic(rename = "image_index")]
    pub image_index: i32,
}

/// A gallery with its chapters.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash", graphql_type = "Gallery")]
pub struct GalleryChapters {
    /// Id.
    pub id: cynic::Id,
    /// Chapters.
    pub chapters: Vec<GalleryChapter>,
}

/// A scene's id and files (file listing).
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash", graphql_type = "Scene")]
pub struct SceneFiles {
    /// Id.
    pub id: cynic::Id,
    /// Files; the first is primary.
    pub files: Vec<VideoFile>,
}

/// An image's id and files (file listing).
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash", graphql_type = "Image")]
pub struct ImageFiles {
    /// Id.
    pub id: cynic::Id,
    /// Visual files.
    #[cynic(rename = "visual_files")]
    pub visual_files: Vec<VisualFile>,
}

/// Job states.
#[derive(cynic::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[cynic(schema = "stash")]
pub enum JobStatus {
    /// Queued.
    Ready,
    /// Running.
    Running,
    /// Done.
    Finished,
    /// Being stopped.
    Stopping,
    /// Stopped.
    Cancelled,
    /// Failed.
    Failed,
}

/// A job's progress.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash")]
pub struct Job {
    /// Id.
    pub id: cynic::Id,
    /// Status.
    pub status: JobStatus,
    /// Progress 0..1.
    pub progress: Option<f64>,
    /// Error text of a failed job.
    pub error: Option<String>,
    /// Description.
    pub description: String,
}

/// Server status values.
#[derive(cynic::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[cynic(schema = "stash")]
pub enum SystemStatusEnum {
    /// Not set up.
    Setup,
    /// Database needs migration.
    NeedsMigration,
    /// Ready.
    Ok,
}

/// `systemStatus`.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash")]
pub struct SystemStatus {
    /// Database schema version.
    pub database_schema: Option<i32>,
    /// App schema version.
    pub app_schema: i32,
    /// Status.
    pub status: SystemStatusEnum,
    /// ffmpeg.
    pub ffmpeg_path: Option<String>,
    /// ffprobe.
    pub ffprobe_path: Option<String>,
}

/// `version`.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash")]
pub struct Version {
    /// Version, e.g. `v0.30.1`.
    pub version: Option<String>,
}

/// `configuration`: only the general section.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash", graphql_type = "ConfigResult")]
pub struct Configuration {
    /// General settings.
    pub general: ConfigGeneral,
}

/// `configuration.general`: only the library paths.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash", graphql_type = "ConfigGeneralResult")]
pub struct ConfigGeneral {
    /// The library paths (Settings > Library).
    pub stashes: Vec<StashConfig>,
}

/// One library path.
#[derive(cynic::QueryFragment, Debug, Clone)]
#[cynic(schema = "stash")]
pub struct StashConfig {
    /// The folder, as Stash sees it.
    pub path: String,
    /// Videos here are not scanned.
    pub exclude_video: bool,
    /// Images here are not scanned.
    pub exclude_image: bool,
}
