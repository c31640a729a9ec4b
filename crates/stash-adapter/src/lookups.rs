//! Reads by many keys: scenes, images and galleries by id (deduplicated, chunked `ids`
//! lookups, with an aliased per-id fallback when the server fails a chunk over a missing id),
//! galleries by code (anchored regex, verified client-side), gallery chapters and the images
//! of galleries in the order Stash shows them.

use std::collections::{HashMap, HashSet};

use cynic::QueryBuilder;
use domain::ids::{GalleryId, ImageId, SceneId};
use domain::ports::MediaServerError;
use domain::stash::{Chapter, Gallery, Image, Scene};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::aliased::AliasResult;
use crate::client::StashClient;
use crate::convert;
use crate::keys::any_of_regex;
use crate::ops::fragments as wire;
use crate::ops::inputs::{
    CriterionModifier, FindFilterType, GalleryFilterType, ImageFilterType, MultiCriterionInput,
    StringCriterionInput,
};
use crate::ops::queries::{
    FindGalleriesByCode, FindGalleriesByIds, FindGallery, FindGalleryChapters,
    FindGalleryChaptersOne, FindImage, FindImagesByIds, FindScene, FindScenesByIds,
    GalleryFilterVariables, IdVariables, IdsVariables, ImageFilesVariables, ListGalleryImages,
};
use crate::transport::Safety;

/// Ids in first-seen order without duplicates (a duplicate fails the whole Stash query).
pub(crate) fn dedup<'a>(ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen = HashSet::new();
    ids.into_iter()
        .filter(|id| seen.insert(*id))
        .map(str::to_owned)
        .collect()
}

/// Whether a failed `ids` lookup failed because an id does not exist.
fn is_missing_id(e: &MediaServerError) -> bool {
    matches!(e, MediaServerError::GraphQl { errors } if errors.iter().any(|x| x.message.contains("not found")))
}

/// How to look one kind of object up by ids.
struct ByIds<Many, One, W> {
    name: &'static str,
    many: fn(IdsVariables) -> cynic::Operation<Many, IdsVariables>,
    unpack_many: fn(Many) -> Vec<W>,
    one: fn(IdVariables) -> cynic::Operation<One, IdVariables>,
    unpack_one: fn(One) -> Option<W>,
    id_of: fn(&W) -> &cynic::Id,
}

impl StashClient {
    async fn by_ids<Many, One, W>(
        &self,
        ids: &[&str],
        how: ByIds<Many, One, W>,
    ) -> Result<Vec<W>, MediaServerError>
    where
        Many: DeserializeOwned,
        One: DeserializeOwned,
        IdsVariables: Serialize,
    {
        let ids = dedup(ids.iter().copied());
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(self.limits.ids_chunk) {
            let vars = IdsVariables {
                ids: Some(chunk.iter().map(cynic::Id::new).collect()),
                filter: FindFilterType::all_by_id(),
            };
            let span = tracing::debug_span!("stash_lookup", kind = how.name, ids = chunk.len());
            match self
                .transport
                .run((how.many)(vars), Safety::Idempotent)
                .instrument(span)
                .await
            {
                Ok(found) => out.extend((how.unpack_many)(found)),
                Err(e) if is_missing_id(&e) => {
                    tracing::debug!(
                        kind = how.name,
                        "an id is missing; looking the chunk up id by id"
                    );
                    let ops = chunk
                        .iter()
                        .map(|id| {
                            (how.one)(IdVariables {
                                id: cynic::Id::new(id),
                            })
                        })
                        .collect();
                    let results = self
                        .run_aliased(&format!("{}EachById", how.name), ops, Safety::Idempotent)
                        .await?;
                    for r in results {
                        match r {
                            AliasResult::Data(one) => out.extend((how.unpack_one)(one)),
                            AliasResult::Null => {}
                            AliasResult::Failed(e) => return Err(e),
                            AliasResult::NoErrorNoData => {
                                return Err(MediaServerError::Decode {
                                    operation: how.name.to_owned(),
                                    message: "a lookup returned neither data nor an error".into(),
                                });
                            }
                        }
                    }
                }
                Err(e) => return Err(e),
            }
        }
        // Keep only what was asked for (a server ignoring `ids` must not leak other rows in).
        let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
        out.retain(|w| wanted.contains((how.id_of)(w).inner()));
        Ok(out)
    }

    /// Scenes by id.
    pub(crate) async fn scenes_by_ids_impl(
        &self,
        ids: &[SceneId],
    ) -> Result<HashMap<SceneId, Scene>, MediaServerError> {
        let ids: Vec<&str> = ids.iter().map(SceneId::as_str).collect();
        let found = self
            .by_ids(
                &ids,
                ByIds {
                    name: "FindScenes",
                    many: FindScenesByIds::build,
                    unpack_many: |q| q.find_scenes.scenes,
                    one: FindScene::build,
                    unpack_one: |q| q.find_scene,
                    id_of: |s: &wire::Scene| &s.id,
                },
            )
            .await?;
        found
            .iter()
            .map(|s| convert::scene(s).map(|s| (s.id.clone(), s)))
            .collect()
    }

    /// Images by id.
    pub(crate) async fn images_by_ids_impl(
        &self,
        ids: &[ImageId],
    ) -> Result<HashMap<ImageId, Image>, MediaServerError> {
        let ids: Vec<&str> = ids.iter().map(ImageId::as_str).collect();
        let found = self
            .by_ids(
                &ids,
                ByIds {
                    name: "FindImages",
                    many: FindImagesByIds::build,
                    unpack_many: |q| q.find_images.images,
                    one: FindImage::build,
                    unpack_one: |q| q.find_image,
                    id_of: |s: &wire::Image| &s.id,
                },
            )
            .await?;
        found
            .iter()
            .map(|s| {
                convert::image(s, self.info.untitled_image_reads_basename())
                    .map(|s| (s.id.clone(), s))
            })
            .collect()
    }

    /// Galleries by id.
    pub(crate) async fn galleries_by_ids_impl(
        &self,
        ids: &[GalleryId],
    ) -> Result<HashMap<GalleryId, Gallery>, MediaServerError> {
        let ids: Vec<&str> = ids.iter().map(GalleryId::as_str).collect();
        let found = self
            .by_ids(
                &ids,
                ByIds {
                    name: "FindGalleries",
                    many: FindGalleriesByIds::build,
                    unpack_many: |q| q.find_galleries.galleries,
                    one: FindGallery::build,
                    unpack_one: |q| q.find_gallery,
                    id_of: |g: &wire::Gallery| &g.id,
                },
            )
            .await?;
        found
            .iter()
            .map(|g| convert::gallery(g).map(|g| (g.id.clone(), g)))
            .collect()
    }

    /// Chapters by gallery; galleries that do not exist are absent.
    pub(crate) async fn gallery_chapters_impl(
        &self,
        galleries: &[GalleryId],
    ) -> Result<HashMap<GalleryId, Vec<Chapter>>, MediaServerError> {
        let ids: Vec<&str> = galleries.iter().map(GalleryId::as_str).collect();
        let found = self
            .by_ids(
                &ids,
                ByIds {
                    name: "FindGalleryChapters",
                    many: FindGalleryChapters::build,
                    unpack_many: |q| q.find_galleries.galleries,
                    one: FindGalleryChaptersOne::build,
                    unpack_one: |q| q.find_gallery,
                    id_of: |g: &wire::GalleryChapters| &g.id,
                },
            )
            .await?;
        Ok(found
            .into_iter()
            .map(|g| {
                let gallery_id = GalleryId::new(g.id.inner());
                let chapters = g
                    .chapters
                    .into_iter()
                    .map(|c| Chapter {
                        id: c.id.inner().to_owned(),
                        gallery_id: gallery_id.clone(),
                        title: c.title,
                        image_index: u32::try_from(c.image_index).unwrap_or(0),
                    })
                    .collect();
                (gallery_id, chapters)
            })
            .collect())
    }

    /// The images of `galleries` in the order a gallery shows them: one `findImages` over all
    /// of them sorted by path (a gallery's order is that order with the others' images left
    /// out), page by page.
    pub(crate) async fn gallery_images_impl(
        &self,
        galleries: &[GalleryId],
    ) -> Result<HashMap<GalleryId, Vec<ImageId>>, MediaServerError> {
        const PAGE: usize = 1_000;
        let ids = dedup(galleries.iter().map(GalleryId::as_str));
        let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let mut out: HashMap<GalleryId, Vec<ImageId>> = HashMap::new();
        for chunk in ids.chunks(self.limits.ids_chunk) {
            for page in 1.. {
                let vars = ImageFilesVariables {
                    image_filter: ImageFilterType {
                        galleries: Some(MultiCriterionInput {
                            value: Some(chunk.iter().map(cynic::Id::new).collect()),
                            modifier: CriterionModifier::Includes,
                        }),
                        ..ImageFilterType::default()
                    },
                    filter: FindFilterType::page_by_path(page, PAGE as i32),
                };
                let found = self
                    .transport
                    .run(ListGalleryImages::build(vars), Safety::Idempotent)
                    .await?;
                let images = found.find_images.images;
                for image in &images {
                    for g in image
                        .galleries
                        .iter()
                        .filter(|g| wanted.contains(g.id.inner()))
                    {
                        out.entry(GalleryId::new(g.id.inner()))
                            .or_default()
                            .push(ImageId::new(image.id.inner()));
                    }
                }
                if images.len() < PAGE {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Galleries whose code is exactly one of `codes`.
    pub(crate) async fn galleries_by_codes_impl(
        &self,
        codes: &[String],
    ) -> Result<HashMap<String, Vec<Gallery>>, MediaServerError> {
        let codes = dedup(
            codes
                .iter()
                .map(String::as_str)
                .filter(|c| !c.trim().is_empty()),
        );
        let mut out: HashMap<String, Vec<Gallery>> = HashMap::new();
        for chunk in codes.chunks(self.limits.names_chunk) {
            let Some(regex) = any_of_regex(chunk.iter().map(String::as_str)) else {
                continue;
            };
            let vars = GalleryFilterVariables {
                gallery_filter: GalleryFilterType {
                    code: Some(StringCriterionInput::regex(regex)),
                },
                filter: FindFilterType::all_by_id(),
            };
            let found = self
                .transport
                .run(FindGalleriesByCode::build(vars), Safety::Idempotent)
                .await?;
            let wanted: HashSet<&str> = chunk.iter().map(String::as_str).collect();
            for g in &found.find_galleries.galleries {
                let Some(code) = g.code.as_deref() else {
                    continue;
                };
                if wanted.contains(code) {
                    out.entry(code.to_owned())
                        .or_default()
                        .push(convert::gallery(g)?);
                }
            }
        }
        Ok(out)
    }
}
