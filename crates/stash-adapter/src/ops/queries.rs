//! Queries. Lists never select `count` (Stash computes it only when asked, and paging uses
//! keyset bounds instead); `ids` lookups are deduplicated by the caller.

use super::fragments::{
    Configuration, Gallery, GalleryChapters, Image, ImageFiles, ImageGalleries, Job, Performer,
    Scene, SceneFiles, StudioWithUrl, StudioWithUrls, SystemStatus, Tag, Version,
};
use super::inputs::{
    FindFilterType, FindJobInput, GalleryFilterType, ImageFilterType, PerformerFilterType,
    SceneFilterType, StudioFilterType, TagFilterType,
};
use crate::schema::schema;

/// The one query made at connect: version and status.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "Query")]
pub struct ServerInfoQuery {
    /// Version strings.
    pub version: Version,
    /// Status and schema versions.
    pub system_status: SystemStatus,
}

/// Stash's library paths (`configuration.general.stashes`).
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "Query")]
pub struct LibraryPaths {
    /// The configuration, general section only.
    pub configuration: Configuration,
}

/// Variables of the by-ids lookups.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct IdsVariables {
    /// Deduplicated ids (always `Some`; the schema argument is nullable).
    pub ids: Option<Vec<cynic::Id>>,
    /// Paging (all rows).
    pub filter: FindFilterType,
}

/// Variables of single-object lookups (aliased into one document by the caller).
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct IdVariables {
    /// The id.
    pub id: cynic::Id,
}

/// `findScenes` result.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "FindScenesResultType")]
pub struct SceneList {
    /// Scenes.
    pub scenes: Vec<Scene>,
}

/// `findImages` result.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "FindImagesResultType")]
pub struct ImageList {
    /// Images.
    pub images: Vec<Image>,
}

/// `findGalleries` result.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "FindGalleriesResultType")]
pub struct GalleryList {
    /// Galleries.
    pub galleries: Vec<Gallery>,
}

/// `findGalleries` result, chapters only.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "FindGalleriesResultType")]
pub struct GalleryChapterList {
    /// Galleries.
    pub galleries: Vec<GalleryChapters>,
}

/// Scenes by ids.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "Query", variables = "IdsVariables")]
pub struct FindScenesByIds {
    /// The scenes.
    #[arguments(ids: $ids, filter: $filter)]
    pub find_scenes: SceneList,
}

/// Images by ids.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "Query", variables = "IdsVariables")]
pub struct FindImagesByIds {
    /// The images.
    #[arguments(ids: $ids, filter: $filter)]
    pub find_images: ImageList,
}

/// Galleries by ids.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "Query", variables = "IdsVariables")]
pub struct FindGalleriesByIds {
    /// The galleries.
    #[arguments(ids: $ids, filter: $filter)]
    pub find_galleries: GalleryList,
}

/// Gallery chapters by gallery ids.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "Query", variables = "IdsVariables")]
pub struct FindGalleryChapters {
    /// The galleries.
    #[arguments(ids: $ids, filter: $filter)]
    pub find_galleries: GalleryChapterList,
}

/// One scene; `null` when missing (the aliased fallback when an `ids` lookup names a missing id).
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "Query", variables = "IdVariables")]
pub struct FindScene {
    /// The scene.
    #[arguments(id: $id)]
    pub find_scene: Option<Scene>,
}

/// One image; `null` when missing.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "Query", variables = "IdVariables")]
pub struct FindImage {
    /// The image.
    #[arguments(id: $id)]
    pub find_image: Option<Image>,
}

/// One gallery; `null` when missing.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "Query", variables = "IdVariables")]
pub struct FindGallery {
    /// The gallery.
    #[arguments(id: $id)]
    pub find_gallery: Option<Gallery>,
}

/// Variables of the scene file listing.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct SceneFilesVariables {
    /// Path regex and keyset bound.
    pub scene_filter: SceneFilterType,
    /// Page size and sort.
    pub filter: FindFilterType,
}

/// `findScenes` result, files only.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "FindScenesResultType")]
pub struct SceneFileList {
    /// Scenes.
    pub scenes: Vec<SceneFiles>,
}

/// A page of scenes under a path, with their files.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Query",
    variables = "SceneFilesVariables"
)]
pub struct ListSceneFiles {
    /// The scenes.
    #[arguments(scene_filter: $scene_filter, filter: $filter)]
    pub find_scenes: SceneFileList,
}

/// Variables of the image file listing.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct ImageFilesVariables {
    /// Path regex and keyset bound.
    pub image_filter: ImageFilterType,
    /// Page size and sort.
    pub filter: FindFilterType,
}

/// `findImages` result, files only.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "FindImagesResultType")]
pub struct ImageFileList {
    /// Images.
    pub images: Vec<ImageFiles>,
}

/// A page of images under a path, with their files.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Query",
    variables = "ImageFilesVariables"
)]
pub struct ListImageFiles {
    /// The images.
    #[arguments(image_filter: $image_filter, filter: $filter)]
    pub find_images: ImageFileList,
}

/// Images of some galleries, in the order a gallery shows them (by path), page by page: the
/// one list that cannot use keyset paging, since its order is not by id.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Query",
    variables = "ImageFilesVariables"
)]
pub struct ListGalleryImages {
    /// The images.
    #[arguments(image_filter: $image_filter, filter: $filter)]
    pub find_images: ImageGalleryList,
}

/// `findImages` result, galleries only.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "FindImagesResultType")]
pub struct ImageGalleryList {
    /// Images.
    pub images: Vec<ImageGalleries>,
}

/// Variables of the gallery lookup by code.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct GalleryFilterVariables {
    /// Code regex.
    pub gallery_filter: GalleryFilterType,
    /// All rows by id.
    pub filter: FindFilterType,
}

/// Galleries whose code matches a regex.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Query",
    variables = "GalleryFilterVariables"
)]
pub struct FindGalleriesByCode {
    /// The galleries.
    #[arguments(gallery_filter: $gallery_filter, filter: $filter)]
    pub find_galleries: GalleryList,
}

/// `findPerformers` result.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "FindPerformersResultType")]
pub struct PerformerList {
    /// Performers.
    pub performers: Vec<Performer>,
}

/// Variables of the performer lookup: one regex per natural key.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct PerformerLookupVariables {
    /// Names.
    pub by_name: PerformerFilterType,
    /// Aliases.
    pub by_alias: PerformerFilterType,
    /// URLs.
    pub by_url: PerformerFilterType,
    /// All rows by id.
    pub filter: FindFilterType,
}

/// Performers by name, alias and URL in one request (three aliased `findPerformers`).
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Query",
    variables = "PerformerLookupVariables"
)]
pub struct PerformerLookup {
    /// By name.
    #[arguments(performer_filter: $by_name, filter: $filter)]
    #[cynic(alias, rename = "findPerformers")]
    pub by_name: PerformerList,
    /// By alias.
    #[arguments(performer_filter: $by_alias, filter: $filter)]
    #[cynic(alias, rename = "findPerformers")]
    pub by_alias: PerformerList,
    /// By URL.
    #[arguments(performer_filter: $by_url, filter: $filter)]
    #[cynic(alias, rename = "findPerformers")]
    pub by_url: PerformerList,
}

/// Variables of the studio lookup.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct StudioLookupVariables {
    /// Names.
    pub by_name: StudioFilterType,
    /// Aliases.
    pub by_alias: StudioFilterType,
    /// All rows by id.
    pub filter: FindFilterType,
}

/// `findStudios` result (servers before appSchema 75).
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "FindStudiosResultType")]
pub struct StudioWithUrlList {
    /// Studios.
    pub studios: Vec<StudioWithUrl>,
}

/// `findStudios` result with URLs (appSchema 75+).
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "FindStudiosResultType")]
pub struct StudioWithUrlsList {
    /// Studios.
    pub studios: Vec<StudioWithUrls>,
}

/// Studios by name and alias (servers before appSchema 75).
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Query",
    variables = "StudioLookupVariables"
)]
pub struct StudioLookup {
    /// By name.
    #[arguments(studio_filter: $by_name, filter: $filter)]
    #[cynic(alias, rename = "findStudios")]
    pub by_name: StudioWithUrlList,
    /// By alias.
    #[arguments(studio_filter: $by_alias, filter: $filter)]
    #[cynic(alias, rename = "findStudios")]
    pub by_alias: StudioWithUrlList,
}

/// Studios by name and alias, with URLs (appSchema 75+).
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Query",
    variables = "StudioLookupVariables"
)]
pub struct StudioLookupWithUrls {
    /// By name.
    #[arguments(studio_filter: $by_name, filter: $filter)]
    #[cynic(alias, rename = "findStudios")]
    pub by_name: StudioWithUrlsList,
    /// By alias.
    #[arguments(studio_filter: $by_alias, filter: $filter)]
    #[cynic(alias, rename = "findStudios")]
    pub by_alias: StudioWithUrlsList,
}

/// Variables of the tag lookup.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct TagLookupVariables {
    /// Names.
    pub by_name: TagFilterType,
    /// Aliases.
    pub by_alias: TagFilterType,
    /// All rows by id.
    pub filter: FindFilterType,
}

/// `findTags` result.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "FindTagsResultType")]
pub struct TagList {
    /// Tags.
    pub tags: Vec<Tag>,
}

/// Tags by name and alias in one request.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Query",
    variables = "TagLookupVariables"
)]
pub struct TagLookup {
    /// By name.
    #[arguments(tag_filter: $by_name, filter: $filter)]
    #[cynic(alias, rename = "findTags")]
    pub by_name: TagList,
    /// By alias.
    #[arguments(tag_filter: $by_alias, filter: $filter)]
    #[cynic(alias, rename = "findTags")]
    pub by_alias: TagList,
}

/// Variables of `findJob`.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct FindJobVariables {
    /// The job.
    pub input: FindJobInput,
}

/// A job's state; `null` once it left the 10-job history.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Query",
    variables = "FindJobVariables"
)]
pub struct FindJob {
    /// The job.
    #[arguments(input: $input)]
    pub find_job: Option<Job>,
}

/// One gallery's chapters; `null` when the gallery is missing.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(schema = "stash", graphql_type = "Query", variables = "IdVariables")]
pub struct FindGalleryChaptersOne {
    /// The gallery.
    #[arguments(id: $id)]
    pub find_gallery: Option<GalleryChapters>,
}
