//! Input objects: filters, creates and updates. Update inputs use [`Tri`] / [`TriList`] so a
//! field left alone is absent from the JSON and a cleared field is an explicit `null`.

use crate::schema::{Tri, TriList, schema};

/// `CriterionModifier`.
#[derive(cynic::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[cynic(schema = "stash")]
pub enum CriterionModifier {
    /// `LIKE`.
    Equals,
    /// `NOT LIKE`.
    NotEquals,
    /// `>`.
    GreaterThan,
    /// `<`.
    LessThan,
    /// Null or blank.
    IsNull,
    /// Not null.
    NotNull,
    /// All of.
    IncludesAll,
    /// Any of.
    Includes,
    /// None of.
    Excludes,
    /// RE2 regex.
    MatchesRegex,
    /// Not regex.
    NotMatchesRegex,
    /// Between.
    Between,
    /// Not between.
    NotBetween,
}

/// `SortDirectionEnum`.
#[derive(cynic::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[cynic(schema = "stash")]
pub enum SortDirectionEnum {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

/// `FindFilterType`: paging and sort.
#[derive(cynic::InputObject, Debug, Clone, Default)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct FindFilterType {
    /// Page, 1-based.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub page: Option<i32>,
    /// Page size; -1 = all.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub per_page: Option<i32>,
    /// Sort key.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// Direction.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub direction: Option<SortDirectionEnum>,
}

impl FindFilterType {
    /// Every row, ordered by id (ids are given, or the filter is narrow).
    pub fn all_by_id() -> Self {
        Self {
            page: None,
            per_page: Some(-1),
            sort: Some("id".into()),
            direction: Some(SortDirectionEnum::Asc),
        }
    }

    /// Page `page` (1-based) of `per_page` rows in the order a gallery shows its images:
    /// by path (Stash's gallery viewer and chapters count images in this order).
    pub fn page_by_path(page: i32, per_page: i32) -> Self {
        Self {
            page: Some(page),
            per_page: Some(per_page),
            sort: Some("path".into()),
            direction: Some(SortDirectionEnum::Asc),
        }
    }

    /// The first `per_page` rows ordered by id (keyset paging supplies the lower bound).
    pub fn first_by_id(per_page: i32) -> Self {
        Self {
            page: Some(1),
            per_page: Some(per_page),
            sort: Some("id".into()),
            direction: Some(SortDirectionEnum::Asc),
        }
    }
}

/// `StringCriterionInput`.
#[derive(cynic::InputObject, Debug, Clone)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct StringCriterionInput {
    /// Value (regex for MATCHES_REGEX).
    pub value: String,
    /// Modifier.
    pub modifier: CriterionModifier,
}

impl StringCriterionInput {
    /// A `MATCHES_REGEX` criterion.
    pub fn regex(value: String) -> Self {
        Self {
            value,
            modifier: CriterionModifier::MatchesRegex,
        }
    }
}

/// `IntCriterionInput`.
#[derive(cynic::InputObject, Debug, Clone)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct IntCriterionInput {
    /// Value.
    pub value: i32,
    /// Modifier.
    pub modifier: CriterionModifier,
}

/// The part of `SceneFilterType` we use.
#[derive(cynic::InputObject, Debug, Clone, Default)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct SceneFilterType {
    /// Id bound (keyset paging).
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub id: Option<IntCriterionInput>,
    /// Path of any file.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub path: Option<StringCriterionInput>,
}

/// The part of `ImageFilterType` we use.
#[derive(cynic::InputObject, Debug, Clone, Default)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct ImageFilterType {
    /// Id bound (keyset paging).
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub id: Option<IntCriterionInput>,
    /// Path of any file.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub path: Option<StringCriterionInput>,
    /// Galleries it is in.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub galleries: Option<MultiCriterionInput>,
}

/// `MultiCriterionInput` (ids).
#[derive(cynic::InputObject, Debug, Clone)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct MultiCriterionInput {
    /// The ids.
    pub value: Option<Vec<cynic::Id>>,
    /// Modifier.
    pub modifier: CriterionModifier,
}

/// The part of `GalleryFilterType` we use.
#[derive(cynic::InputObject, Debug, Clone, Default)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct GalleryFilterType {
    /// Code.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub code: Option<StringCriterionInput>,
}

/// The part of `PerformerFilterType` we use.
#[derive(cynic::InputObject, Debug, Clone, Default)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct PerformerFilterType {
    /// Name.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub name: Option<StringCriterionInput>,
    /// Any alias.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub aliases: Option<StringCriterionInput>,
    /// Any URL.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub url: Option<StringCriterionInput>,
}

/// The part of `StudioFilterType` we use.
#[derive(cynic::InputObject, Debug, Clone, Default)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct StudioFilterType {
    /// Name.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub name: Option<StringCriterionInput>,
    /// Any alias.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub aliases: Option<StringCriterionInput>,
}

/// The part of `TagFilterType` we use.
#[derive(cynic::InputObject, Debug, Clone, Default)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct TagFilterType {
    /// Name.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub name: Option<StringCriterionInput>,
    /// Any alias.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub aliases: Option<StringCriterionInput>,
}

/// `PerformerCreateInput` (`urls` only on appSchema 67+; never with legacy `url`).
#[derive(cynic::InputObject, Debug, Clone)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct PerformerCreateInput {
    /// Name.
    pub name: String,
    /// Disambiguation.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub disambiguation: Option<String>,
    /// URLs.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub urls: Option<Vec<String>>,
    /// Aliases.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub alias_list: Option<Vec<String>>,
    /// Details.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// `StudioCreateInput`: `urls` on appSchema 75+, the single `url` before (never both).
#[derive(cynic::InputObject, Debug, Clone)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct StudioCreateInput {
    /// Name.
    pub name: String,
    /// The single URL (servers before appSchema 75).
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// URLs.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub urls: Option<Vec<String>>,
    /// Parent.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<cynic::Id>,
}

/// `TagCreateInput`.
#[derive(cynic::InputObject, Debug, Clone)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct TagCreateInput {
    /// Name.
    pub name: String,
}

/// `GalleryCreateInput`.
#[derive(cynic::InputObject, Debug, Clone)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct GalleryCreateInput {
    /// Title (non-empty).
    pub title: String,
    /// Code.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// URLs.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub urls: Option<Vec<String>>,
    /// Date.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Details.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Organized.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub organized: Option<bool>,
    /// Scenes.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub scene_ids: Option<Vec<cynic::Id>>,
    /// Studio.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub studio_id: Option<cynic::Id>,
    /// Tags.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub tag_ids: Option<Vec<cynic::Id>>,
    /// Performers.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub performer_ids: Option<Vec<cynic::Id>>,
}

/// `SceneUpdateInput`: absent fields are left alone, `null` clears.
#[derive(cynic::InputObject, Debug, Clone)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct SceneUpdateInput {
    /// Scene.
    pub id: cynic::Id,
    /// Title.
    #[cynic(skip_serializing_if = "Tri::is_absent")]
    pub title: Tri<String>,
    /// Code.
    #[cynic(skip_serializing_if = "Tri::is_absent")]
    pub code: Tri<String>,
    /// Details.
    #[cynic(skip_serializing_if = "Tri::is_absent")]
    pub details: Tri<String>,
    /// URLs.
    #[cynic(skip_serializing_if = "TriList::is_absent")]
    pub urls: TriList<String>,
    /// Date.
    #[cynic(skip_serializing_if = "Tri::is_absent")]
    pub date: Tri<String>,
    /// Organized: never `null` (the server panics on it).
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub organized: Option<bool>,
    /// Studio.
    #[cynic(skip_serializing_if = "Tri::is_absent")]
    pub studio_id: Tri<cynic::Id>,
    /// Galleries.
    #[cynic(skip_serializing_if = "TriList::is_absent")]
    pub gallery_ids: TriList<cynic::Id>,
    /// Performers.
    #[cynic(skip_serializing_if = "TriList::is_absent")]
    pub performer_ids: TriList<cynic::Id>,
    /// Tags.
    #[cynic(skip_serializing_if = "TriList::is_absent")]
    pub tag_ids: TriList<cynic::Id>,
}

/// `ImageUpdateInput`: absent fields are left alone, `null` clears.
#[derive(cynic::InputObject, Debug, Clone)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct ImageUpdateInput {
    /// Image.
    pub id: cynic::Id,
    /// Title.
    #[cynic(skip_serializing_if = "Tri::is_absent")]
    pub title: Tri<String>,
    /// Code.
    #[cynic(skip_serializing_if = "Tri::is_absent")]
    pub code: Tri<String>,
    /// Details.
    #[cynic(skip_serializing_if = "Tri::is_absent")]
    pub details: Tri<String>,
    /// URLs.
    #[cynic(skip_serializing_if = "TriList::is_absent")]
    pub urls: TriList<String>,
    /// Date.
    #[cynic(skip_serializing_if = "Tri::is_absent")]
    pub date: Tri<String>,
    /// Organized: never `null`.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub organized: Option<bool>,
    /// Studio.
    #[cynic(skip_serializing_if = "Tri::is_absent")]
    pub studio_id: Tri<cynic::Id>,
    /// Galleries.
    #[cynic(skip_serializing_if = "TriList::is_absent")]
    pub gallery_ids: TriList<cynic::Id>,
    /// Performers.
    #[cynic(skip_serializing_if = "TriList::is_absent")]
    pub performer_ids: TriList<cynic::Id>,
    /// Tags.
    #[cynic(skip_serializing_if = "TriList::is_absent")]
    pub tag_ids: TriList<cynic::Id>,
}

/// `GalleryUpdateInput`: absent fields are left alone, `null` clears.
#[derive(cynic::InputObject, Debug, Clone)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct GalleryUpdateInput {
    /// Gallery.
    pub id: cynic::Id,
    /// Title: only ever set (the server ignores `null` and rejects `""`).
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Code.
    #[cynic(skip_serializing_if = "Tri::is_absent")]
    pub code: Tri<String>,
    /// Details.
    #[cynic(skip_serializing_if = "Tri::is_absent")]
    pub details: Tri<String>,
    /// URLs.
    #[cynic(skip_serializing_if = "TriList::is_absent")]
    pub urls: TriList<String>,
    /// Date.
    #[cynic(skip_serializing_if = "Tri::is_absent")]
    pub date: Tri<String>,
    /// Organized: never `null`.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub organized: Option<bool>,
    /// Studio.
    #[cynic(skip_serializing_if = "Tri::is_absent")]
    pub studio_id: Tri<cynic::Id>,
    /// Scenes.
    #[cynic(skip_serializing_if = "TriList::is_absent")]
    pub scene_ids: TriList<cynic::Id>,
    /// Performers.
    #[cynic(skip_serializing_if = "TriList::is_absent")]
    pub performer_ids: TriList<cynic::Id>,
    /// Tags.
    #[cynic(skip_serializing_if = "TriList::is_absent")]
    pub tag_ids: TriList<cynic::Id>,
}

/// `GalleryAddInput`.
#[derive(cynic::InputObject, Debug, Clone)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct GalleryAddInput {
    /// Gallery.
    pub gallery_id: cynic::Id,
    /// Images.
    pub image_ids: Vec<cynic::Id>,
}

/// `GalleryChapterCreateInput`.
#[derive(cynic::InputObject, Debug, Clone)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct GalleryChapterCreateInput {
    /// Gallery.
    pub gallery_id: cynic::Id,
    /// Title.
    pub title: String,
    /// First image, 1-based.
    pub image_index: i32,
}

/// `ScanMetadataInput`: flags are sent explicitly (omitted means false on the server anyway).
#[derive(cynic::InputObject, Debug, Clone)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct ScanMetadataInput {
    /// Paths; empty = every library.
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<String>>,
    /// Re-scan known files.
    pub rescan: Option<bool>,
    /// Covers.
    #[cynic(rename = "scanGenerateCovers")]
    pub scan_generate_covers: Option<bool>,
    /// Previews.
    #[cynic(rename = "scanGeneratePreviews")]
    pub scan_generate_previews: Option<bool>,
    /// Image previews.
    #[cynic(rename = "scanGenerateImagePreviews")]
    pub scan_generate_image_previews: Option<bool>,
    /// Sprites.
    #[cynic(rename = "scanGenerateSprites")]
    pub scan_generate_sprites: Option<bool>,
    /// Phashes.
    #[cynic(rename = "scanGeneratePhashes")]
    pub scan_generate_phashes: Option<bool>,
    /// Thumbnails.
    #[cynic(rename = "scanGenerateThumbnails")]
    pub scan_generate_thumbnails: Option<bool>,
    /// Clip previews.
    #[cynic(rename = "scanGenerateClipPreviews")]
    pub scan_generate_clip_previews: Option<bool>,
}

/// `FindJobInput`.
#[derive(cynic::InputObject, Debug, Clone)]
#[cynic(schema = "stash", rename_all = "None")]
pub struct FindJobInput {
    /// Job id.
    pub id: cynic::Id,
}
