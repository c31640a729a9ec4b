//! Mutations. Results select only what the caller needs back (ids, or the created object).

use super::fragments::{
    Gallery, GalleryChapter, GalleryRef, ImageRef, Performer, SceneRef, StudioWithUrl,
    StudioWithUrls, Tag,
};
use super::inputs::{
    GalleryAddInput, GalleryChapterCreateInput, GalleryCreateInput, GalleryUpdateInput,
    ImageUpdateInput, PerformerCreateInput, ScanMetadataInput, SceneUpdateInput, StudioCreateInput,
    TagCreateInput,
};
use crate::schema::schema;

/// Variables of `scenesUpdate`.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct ScenesUpdateVariables {
    /// One chunk (one transaction on the server).
    pub input: Vec<SceneUpdateInput>,
}

/// `scenesUpdate`: all-or-nothing per request.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Mutation",
    variables = "ScenesUpdateVariables"
)]
pub struct ScenesUpdate {
    /// Updated scenes.
    #[arguments(input: $input)]
    pub scenes_update: Option<Vec<Option<SceneRef>>>,
}

/// Variables of `imagesUpdate`.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct ImagesUpdateVariables {
    /// One chunk.
    pub input: Vec<ImageUpdateInput>,
}

/// `imagesUpdate`: all-or-nothing per request.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Mutation",
    variables = "ImagesUpdateVariables"
)]
pub struct ImagesUpdate {
    /// Updated images.
    #[arguments(input: $input)]
    pub images_update: Option<Vec<Option<ImageRef>>>,
}

/// Variables of `galleriesUpdate`.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct GalleriesUpdateVariables {
    /// One chunk.
    pub input: Vec<GalleryUpdateInput>,
}

/// `galleriesUpdate`: all-or-nothing per request.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Mutation",
    variables = "GalleriesUpdateVariables"
)]
pub struct GalleriesUpdate {
    /// Updated galleries.
    #[arguments(input: $input)]
    pub galleries_update: Option<Vec<Option<GalleryRef>>>,
}

/// Variables of `galleryCreate`.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct GalleryCreateVariables {
    /// The gallery.
    pub input: GalleryCreateInput,
}

/// `galleryCreate` (the adapter aliases many into one document).
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Mutation",
    variables = "GalleryCreateVariables"
)]
pub struct GalleryCreate {
    /// The new gallery.
    #[arguments(input: $input)]
    pub gallery_create: Option<Gallery>,
}

/// Variables of `performerCreate`.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct PerformerCreateVariables {
    /// The performer.
    pub input: PerformerCreateInput,
}

/// `performerCreate`.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Mutation",
    variables = "PerformerCreateVariables"
)]
pub struct PerformerCreate {
    /// The new performer.
    #[arguments(input: $input)]
    pub performer_create: Option<Performer>,
}

/// Variables of `studioCreate`.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct StudioCreateVariables {
    /// The studio.
    pub input: StudioCreateInput,
}

/// `studioCreate` (servers before appSchema 75).
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Mutation",
    variables = "StudioCreateVariables"
)]
pub struct StudioCreate {
    /// The new studio.
    #[arguments(input: $input)]
    pub studio_create: Option<StudioWithUrl>,
}

/// `studioCreate` returning URLs (appSchema 75+).
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Mutation",
    variables = "StudioCreateVariables"
)]
pub struct StudioCreateWithUrls {
    /// The new studio.
    #[arguments(input: $input)]
    pub studio_create: Option<StudioWithUrls>,
}

/// Variables of `tagCreate`.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct TagCreateVariables {
    /// The tag.
    pub input: TagCreateInput,
}

/// `tagCreate`.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Mutation",
    variables = "TagCreateVariables"
)]
pub struct TagCreate {
    /// The new tag.
    #[arguments(input: $input)]
    pub tag_create: Option<Tag>,
}

/// Variables of `addGalleryImages`.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct AddGalleryImagesVariables {
    /// Gallery and images.
    pub input: GalleryAddInput,
}

/// `addGalleryImages` (idempotent: insert-or-ignore).
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Mutation",
    variables = "AddGalleryImagesVariables"
)]
pub struct AddGalleryImages {
    /// Always true on success.
    #[arguments(input: $input)]
    pub add_gallery_images: bool,
}

/// Variables of `galleryChapterCreate`.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct GalleryChapterCreateVariables {
    /// The chapter.
    pub input: GalleryChapterCreateInput,
}

/// `galleryChapterCreate`.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Mutation",
    variables = "GalleryChapterCreateVariables"
)]
pub struct GalleryChapterCreate {
    /// The new chapter.
    #[arguments(input: $input)]
    pub gallery_chapter_create: Option<GalleryChapter>,
}

/// Variables of `metadataScan`.
#[derive(cynic::QueryVariables, Debug, Clone)]
pub struct MetadataScanVariables {
    /// What to scan.
    pub input: ScanMetadataInput,
}

/// `metadataScan`: starts a job.
#[derive(cynic::QueryFragment, Debug)]
#[cynic(
    schema = "stash",
    graphql_type = "Mutation",
    variables = "MetadataScanVariables"
)]
pub struct MetadataScan {
    /// The job id.
    #[arguments(input: $input)]
    pub metadata_scan: cynic::Id,
}
