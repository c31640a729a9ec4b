//! Creates of galleries and gallery chapters, aliased many to a request. A create is never
//! retried blindly: after an unclear failure (timeout, dropped connection, 5xx, a locked
//! database) the adapter looks the objects up by natural key (gallery code; chapter gallery,
//! title and index), adopts what exists, and creates only what is still missing, once.

use std::collections::{HashMap, HashSet};

use cynic::MutationBuilder;
use domain::ids::GalleryId;
use domain::ports::MediaServerError;
use domain::stash::{Chapter, Gallery, GalleryPatch, NewChapter, NewGallery, ServerInfo};

use crate::aliased::AliasResult;
use crate::client::StashClient;
use crate::convert;
use crate::ops::inputs::{GalleryChapterCreateInput, GalleryCreateInput};
use crate::ops::mutations::{
    GalleryChapterCreate, GalleryChapterCreateVariables, GalleryCreate, GalleryCreateVariables,
};
use crate::transport::Safety;

/// The result of one create attempt for one item.
enum Attempt<T> {
    Done(T),
    Refused(MediaServerError),
    /// Unclear: the object may or may not exist now.
    Unclear(MediaServerError),
}

fn unclear_alias() -> MediaServerError {
    MediaServerError::Decode {
        operation: "create".into(),
        message: "the server returned no result and no error for this create".into(),
    }
}

/// The `galleryCreate` input of `g` on a server like `info` (partial dates from appSchema 75).
pub(crate) fn gallery_create_input(info: &ServerInfo, g: &NewGallery) -> GalleryCreateInput {
    let ids = |v: &[String]| -> Option<Vec<cynic::Id>> {
        (!v.is_empty()).then(|| v.iter().map(cynic::Id::new).collect())
    };
    GalleryCreateInput {
        title: g.title.clone(),
        code: g.code.clone(),
        urls: (!g.urls.is_empty()).then(|| g.urls.clone()),
        date: g
            .date
            .map(|d| convert::date_for_server(d, info.partial_dates())),
        details: g.details.clone(),
        organized: g.organized.then_some(true),
        scene_ids: ids(&g.scene_ids.iter().map(|x| x.0.clone()).collect::<Vec<_>>()),
        studio_id: g.studio_id.as_ref().map(|s| cynic::Id::new(s.as_str())),
        tag_ids: ids(&g.tag_ids.iter().map(|x| x.0.clone()).collect::<Vec<_>>()),
        performer_ids: ids(&g
            .performer_ids
            .iter()
            .map(|x| x.0.clone())
            .collect::<Vec<_>>()),
    }
}

impl StashClient {
    /// One aliased request creating `galleries`.
    async fn try_create_galleries(
        &self,
        galleries: &[&NewGallery],
    ) -> Result<Vec<Attempt<Gallery>>, MediaServerError> {
        let ops = galleries
            .iter()
            .map(|g| {
                GalleryCreate::build(GalleryCreateVariables {
                    input: gallery_create_input(&self.info, g),
                })
            })
            .collect();
        let results = match self
            .run_aliased("GalleryCreateBatch", ops, Safety::NotIdempotent)
            .await
        {
            Ok(r) => r,
            Err(e) if e.is_transient() => {
                return Ok(galleries
                    .iter()
                    .map(|_| Attempt::Unclear(e.clone()))
                    .collect());
            }
            Err(e) if e.is_fatal() => return Err(e),
            Err(e) => {
                return Ok(galleries
                    .iter()
                    .map(|_| Attempt::Refused(e.clone()))
                    .collect());
            }
        };
        Ok(results
            .into_iter()
            .map(|r| match r {
                AliasResult::Data(GalleryCreate {
                    gallery_create: Some(g),
                }) => match convert::gallery(&g) {
                    Ok(g) => Attempt::Done(g),
                    Err(e) => Attempt::Refused(e),
                },
                AliasResult::Failed(e) if e.is_transient() => Attempt::Unclear(e),
                AliasResult::Failed(e) => Attempt::Refused(e),
                AliasResult::Data(_) | AliasResult::Null | AliasResult::NoErrorNoData => {
                    Attempt::Unclear(unclear_alias())
                }
            })
            .collect())
    }

    pub(crate) async fn create_galleries_impl(
        &self,
        galleries: &[NewGallery],
    ) -> Result<HashMap<String, Result<Gallery, MediaServerError>>, MediaServerError> {
        let mut seen = HashSet::new();
        let unique: Vec<&NewGallery> = galleries
            .iter()
            .filter(|g| seen.insert(g.key.as_str()))
            .collect();
        let mut out: HashMap<String, Result<Gallery, MediaServerError>> = HashMap::new();
        for chunk in unique.chunks(self.limits.create_chunk) {
            let attempts = self.try_create_galleries(chunk).await?;
            let mut unclear: Vec<(&NewGallery, MediaServerError)> = Vec::new();
            for (g, a) in chunk.iter().zip(attempts) {
                match a {
                    Attempt::Done(made) => {
                        out.insert(g.key.clone(), Ok(made));
                    }
                    Attempt::Refused(e) => {
                        out.insert(g.key.clone(), Err(e));
                    }
                    Attempt::Unclear(e) => unclear.push((g, e)),
                }
            }
            if !unclear.is_empty() {
                self.recover_galleries(unclear, &mut out).await?;
            }
        }
        self.fix_organized_on_old_servers(&unique, &mut out).await?;
        Ok(out)
    }

    /// After an unclear create: adopt galleries that exist by code, create the rest once.
    async fn recover_galleries(
        &self,
        unclear: Vec<(&NewGallery, MediaServerError)>,
        out: &mut HashMap<String, Result<Gallery, MediaServerError>>,
    ) -> Result<(), MediaServerError> {
        tracing::warn!(
            galleries = unclear.len(),
            "gallery create ended unclearly; looking the codes up before creating again"
        );
        let codes: Vec<String> = unclear.iter().filter_map(|(g, _)| g.code.clone()).collect();
        let existing = self.galleries_by_codes_impl(&codes).await?;
        let mut retry = Vec::new();
        for (g, e) in unclear {
            match g.code.as_ref() {
                None => {
                    // No natural key to check: creating again could duplicate it.
                    out.insert(g.key.clone(), Err(e));
                }
                Some(code) => match existing.get(code).and_then(|v| v.first()) {
                    Some(found) => {
                        out.insert(g.key.clone(), Ok(found.clone()));
                    }
                    None => retry.push(g),
                },
            }
        }
        if retry.is_empty() {
            return Ok(());
        }
        let attempts = self.try_create_galleries(&retry).await?;
        for (g, a) in retry.into_iter().zip(attempts) {
            let result = match a {
                Attempt::Done(made) => Ok(made),
                Attempt::Refused(e) | Attempt::Unclear(e) => Err(e),
            };
            out.insert(g.key.clone(), result);
        }
        Ok(())
    }

    /// `galleryCreate` ignored `organized` before v0.30.1: set it afterwards there.
    async fn fix_organized_on_old_servers(
        &self,
        wanted: &[&NewGallery],
        out: &mut HashMap<String, Result<Gallery, MediaServerError>>,
    ) -> Result<(), MediaServerError> {
        if self.create_honours_organized() {
            return Ok(());
        }
        let mut patches = Vec::new();
        for g in wanted.iter().filter(|g| g.organized) {
            if let Some(Ok(made)) = out.get(&g.key)
                && !made.organized
            {
                let mut p = GalleryPatch::new(made.id.clone());
                p.organized = Some(true);
                patches.push((g.key.clone(), p));
            }
        }
        if patches.is_empty() {
            return Ok(());
        }
        let only: Vec<GalleryPatch> = patches.iter().map(|(_, p)| p.clone()).collect();
        let outcome = self.update_galleries_impl(&only).await?;
        let applied: HashSet<&GalleryId> = outcome.applied.iter().collect();
        for (key, p) in &patches {
            if let Some(Ok(made)) = out.get_mut(key)
                && applied.contains(&p.id)
            {
                made.organized = true;
            }
        }
        Ok(())
    }

    async fn try_create_chapters(
        &self,
        chapters: &[&NewChapter],
    ) -> Result<Vec<Attempt<Chapter>>, MediaServerError> {
        let ops = chapters
            .iter()
            .map(|c| {
                GalleryChapterCreate::build(GalleryChapterCreateVariables {
                    input: GalleryChapterCreateInput {
                        gallery_id: cynic::Id::new(c.gallery_id.as_str()),
                        title: c.title.clone(),
                        image_index: i32::try_from(c.image_index).unwrap_or(i32::MAX),
                    },
                })
            })
            .collect();
        let results = match self
            .run_aliased("GalleryChapterCreateBatch", ops, Safety::NotIdempotent)
            .await
        {
            Ok(r) => r,
            Err(e) if e.is_transient() => {
                return Ok(chapters
                    .iter()
                    .map(|_| Attempt::Unclear(e.clone()))
                    .collect());
            }
            Err(e) if e.is_fatal() => return Err(e),
            Err(e) => {
                return Ok(chapters
                    .iter()
                    .map(|_| Attempt::Refused(e.clone()))
                    .collect());
            }
        };
        Ok(chapters
            .iter()
            .zip(results)
            .map(|(c, r)| match r {
                AliasResult::Data(GalleryChapterCreate {
                    gallery_chapter_create: Some(made),
                }) => Attempt::Done(Chapter {
                    id: made.id.inner().to_owned(),
                    gallery_id: c.gallery_id.clone(),
                    title: made.title,
                    image_index: u32::try_from(made.image_index).unwrap_or(0),
                }),
                AliasResult::Failed(e) if e.is_transient() => Attempt::Unclear(e),
                AliasResult::Failed(e) => Attempt::Refused(e),
                AliasResult::Data(_) | AliasResult::Null | AliasResult::NoErrorNoData => {
                    Attempt::Unclear(unclear_alias())
                }
            })
            .collect())
    }

    pub(crate) async fn create_gallery_chapters_impl(
        &self,
        chapters: &[NewChapter],
    ) -> Result<Vec<Result<Chapter, MediaServerError>>, MediaServerError> {
        let mut out: Vec<Option<Result<Chapter, MediaServerError>>> = vec![None; chapters.len()];
        let indexed: Vec<(usize, &NewChapter)> = chapters.iter().enumerate().collect();
        for chunk in indexed.chunks(self.limits.create_chunk) {
            let refs: Vec<&NewChapter> = chunk.iter().map(|(_, c)| *c).collect();
            let attempts = self.try_create_chapters(&refs).await?;
            let mut unclear = Vec::new();
            for ((i, c), a) in chunk.iter().zip(attempts) {
                match a {
                    Attempt::Done(made) => out[*i] = Some(Ok(made)),
                    Attempt::Refused(e) => out[*i] = Some(Err(e)),
                    Attempt::Unclear(e) => unclear.push((*i, *c, e)),
                }
            }
            if unclear.is_empty() {
                continue;
            }
            let galleries: Vec<GalleryId> = unclear
                .iter()
                .map(|(_, c, _)| c.gallery_id.clone())
                .collect();
            let existing = self.gallery_chapters_impl(&galleries).await?;
            let mut retry = Vec::new();
            for (i, c, _) in unclear {
                let found = existing.get(&c.gallery_id).and_then(|list| {
                    list.iter()
                        .find(|x| x.title == c.title && x.image_index == c.image_index)
                });
                match found {
                    Some(x) => out[i] = Some(Ok(x.clone())),
                    None => retry.push((i, c)),
                }
            }
            if retry.is_empty() {
                continue;
            }
            let refs: Vec<&NewChapter> = retry.iter().map(|(_, c)| *c).collect();
            let attempts = self.try_create_chapters(&refs).await?;
            for ((i, _), a) in retry.into_iter().zip(attempts) {
                out[i] = Some(match a {
                    Attempt::Done(made) => Ok(made),
                    Attempt::Refused(e) | Attempt::Unclear(e) => Err(e),
                });
            }
        }
        Ok(out
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(unclear_alias())))
            .collect())
    }
}
