//! Batched updates: `scenesUpdate` / `imagesUpdate` / `galleriesUpdate` in chunks (each chunk
//! one all-or-nothing transaction on the server). A chunk the server refuses is bisected until
//! the bad items are isolated and reported; the rest are applied. A chunk refused over a stale
//! reference (a performer, studio or tag Stash no longer has) is not bisected: every item in
//! it is reported with [`MediaServerError::StaleReference`], for the caller to heal the
//! reference and send them again. Also `addGalleryImages`,
//! aliased many to a request. All of these are idempotent, so transient failures are retried.

use cynic::MutationBuilder;
use domain::ids::{GalleryId, ImageId, SceneId};
use domain::ports::MediaServerError;
use domain::stash::{BatchOutcome, GalleryImages, GalleryPatch, ImagePatch, ScenePatch};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::aliased::AliasResult;
use crate::client::StashClient;
use crate::convert;
use crate::ops::inputs::GalleryAddInput;
use crate::ops::mutations::{
    AddGalleryImages, AddGalleryImagesVariables, GalleriesUpdate, GalleriesUpdateVariables,
    ImagesUpdate, ImagesUpdateVariables, ScenesUpdate, ScenesUpdateVariables,
};
use crate::transport::{Safety, reply_data};

/// Whether a failure may be the fault of one item (then bisect) rather than of the server.
fn item_level(e: &MediaServerError) -> bool {
    matches!(
        e,
        MediaServerError::GraphQl { .. }
            | MediaServerError::StaleReference { .. }
            | MediaServerError::Validation { .. }
    )
}

impl StashClient {
    /// Sends `items` in chunks with `build`; bisects refused chunks.
    async fn apply_chunked<Id, I, Q, V>(
        &self,
        items: Vec<(Id, I)>,
        build: fn(Vec<I>) -> cynic::Operation<Q, V>,
    ) -> Result<BatchOutcome<Id>, MediaServerError>
    where
        Id: Clone,
        I: Clone,
        Q: DeserializeOwned,
        V: Serialize,
    {
        let mut outcome = BatchOutcome::default();
        let mut work: Vec<Vec<(Id, I)>> = items
            .chunks(self.limits.update_chunk)
            .rev()
            .map(<[(Id, I)]>::to_vec)
            .collect();
        while let Some(chunk) = work.pop() {
            let op = build(chunk.iter().map(|(_, i)| i.clone()).collect());
            let name = op.operation_name.as_deref().unwrap_or("update").to_owned();
            let body = serde_json::to_value(&op).map_err(|e| MediaServerError::Decode {
                operation: name.clone(),
                message: format!("cannot encode the request: {e}"),
            })?;
            let result = match self.transport.post(&name, &body, Safety::Idempotent).await {
                Ok(reply) => reply_data::<Q>(&name, reply).map(|_| ()),
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => outcome.applied.extend(chunk.into_iter().map(|(id, _)| id)),
                Err(e) if e.is_stale_reference() => {
                    // A deleted performer, studio or tag: halving the chunk down to every item
                    // would only find the items that refer to it one request at a time. The
                    // caller heals the reference and sends the whole chunk again.
                    tracing::debug!(operation = %name, items = chunk.len(), error = %e, "chunk refused over a stale reference");
                    outcome
                        .failed
                        .extend(chunk.into_iter().map(|(id, _)| (id, e.clone())));
                }
                Err(e) if item_level(&e) && chunk.len() == 1 => {
                    let mut chunk = chunk;
                    if let Some((id, _)) = chunk.pop() {
                        outcome.failed.push((id, e));
                    }
                }
                Err(e) if item_level(&e) => {
                    tracing::debug!(operation = %name, items = chunk.len(), error = %e, "chunk refused; bisecting");
                    let mut first = chunk;
                    let second = first.split_off(first.len() / 2);
                    work.push(second);
                    work.push(first);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(outcome)
    }

    pub(crate) async fn update_scenes_impl(
        &self,
        patches: &[ScenePatch],
    ) -> Result<BatchOutcome<SceneId>, MediaServerError> {
        let partial = self.info.partial_dates();
        let (empty, items): (Vec<_>, Vec<_>) = patches.iter().partition(|p| p.is_empty());
        let items = items
            .into_iter()
            .map(|p| (p.id.clone(), convert::scene_update(p, partial)))
            .collect();
        let mut outcome = self
            .apply_chunked(items, |input| {
                ScenesUpdate::build(ScenesUpdateVariables { input })
            })
            .await?;
        outcome
            .applied
            .extend(empty.into_iter().map(|p| p.id.clone()));
        Ok(outcome)
    }

    pub(crate) async fn update_images_impl(
        &self,
        patches: &[ImagePatch],
    ) -> Result<BatchOutcome<ImageId>, MediaServerError> {
        let partial = self.info.partial_dates();
        let (empty, items): (Vec<_>, Vec<_>) = patches.iter().partition(|p| p.is_empty());
        let items = items
            .into_iter()
            .map(|p| (p.id.clone(), convert::image_update(p, partial)))
            .collect();
        let mut outcome = self
            .apply_chunked(items, |input| {
                ImagesUpdate::build(ImagesUpdateVariables { input })
            })
            .await?;
        outcome
            .applied
            .extend(empty.into_iter().map(|p| p.id.clone()));
        Ok(outcome)
    }

    pub(crate) async fn update_galleries_impl(
        &self,
        patches: &[GalleryPatch],
    ) -> Result<BatchOutcome<GalleryId>, MediaServerError> {
        let partial = self.info.partial_dates();
        let (empty, items): (Vec<_>, Vec<_>) = patches.iter().partition(|p| p.is_empty());
        let items = items
            .into_iter()
            .map(|p| (p.id.clone(), convert::gallery_update(p, partial)))
            .collect();
        let mut outcome = self
            .apply_chunked(items, |input| {
                GalleriesUpdate::build(GalleriesUpdateVariables { input })
            })
            .await?;
        outcome
            .applied
            .extend(empty.into_iter().map(|p| p.id.clone()));
        Ok(outcome)
    }

    /// `addGalleryImages` for many galleries, aliased into few requests.
    pub(crate) async fn add_gallery_images_impl(
        &self,
        links: &[GalleryImages],
    ) -> Result<BatchOutcome<GalleryId>, MediaServerError> {
        let mut outcome = BatchOutcome::default();
        let mut todo = Vec::new();
        for link in links {
            let images = crate::lookups::dedup(link.image_ids.iter().map(|i| i.as_str()));
            if images.is_empty() {
                outcome.applied.push(link.gallery_id.clone());
            } else {
                todo.push((link.gallery_id.clone(), images));
            }
        }
        for chunk in todo.chunks(self.limits.create_chunk) {
            let ops = chunk
                .iter()
                .map(|(g, images)| {
                    AddGalleryImages::build(AddGalleryImagesVariables {
                        input: GalleryAddInput {
                            gallery_id: cynic::Id::new(g.as_str()),
                            image_ids: images.iter().map(cynic::Id::new).collect(),
                        },
                    })
                })
                .collect();
            let results = self
                .run_aliased("AddGalleryImagesBatch", ops, Safety::Idempotent)
                .await?;
            for ((gallery, _), result) in chunk.iter().zip(results) {
                match result {
                    AliasResult::Data(_) | AliasResult::NoErrorNoData => {
                        outcome.applied.push(gallery.clone());
                    }
                    AliasResult::Failed(e) => outcome.failed.push((gallery.clone(), e)),
                    AliasResult::Null => outcome.failed.push((
                        gallery.clone(),
                        MediaServerError::Decode {
                            operation: "addGalleryImages".into(),
                            message: "the server answered null for a non-null result".into(),
                        },
                    )),
                }
            }
        }
        Ok(outcome)
    }
}
