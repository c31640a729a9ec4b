//! Scenes and images are planned by one generic path ([`Stamped`]): read, check it is ours,
//! leave it alone when organized, patch what differs. Only the ownership rule differs:
//!
//! - a scene is ours only through its primary file (a secondary file of someone's scene does
//!   not make the scene ours; it is skipped and not remembered);
//! - an image is ours only when all its files lie under the creator's folder (an image shared
//!   with another folder is skipped, remembered as left alone, and kept out of our gallery:
//!   see [`super::members`], which also keeps organized scenes and images out).

use std::collections::HashMap;
use std::fmt::Display;
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;

use domain::ids::{ImageId, SceneId};
use domain::ports::{EntityKind, MediaServer, MediaServerError};
use domain::stash::{BatchOutcome, Image, ImagePatch, Scene, ScenePatch, StampFields, StampPatch};

use super::plan_batch::{BatchPlanner, Current, PlannedBatch, StampWork, StampWrite};
use crate::index::ObjectRef;
use crate::planner::plan_stamp;

/// Why a scene or image is not ours to stamp.
pub(crate) struct NotOurs {
    reason: String,
    /// Shared with files that are not the creator's: remembered as left alone, and kept out
    /// of our gallery's images.
    shared: bool,
}

/// A Stash object a media is stamped onto.
pub(crate) trait Stamped: Sized {
    /// Its id.
    type Id: Clone + Eq + Hash + Display + Send + Sync;
    /// Its kind in the state and the report.
    const KIND: EntityKind;
    /// Its name in messages.
    const NOUN: &'static str;
    /// The fields we compare and patch.
    fn fields(&self) -> &StampFields;
    /// Why it is not ours to stamp, if it is not.
    fn not_ours(&self, work: &StampWork, root: &str) -> Option<NotOurs>;
    /// What Stash has of this kind.
    fn current(current: &Current) -> &Result<HashMap<Self::Id, Self>, MediaServerError>;
    /// Where the batch keeps its writes of this kind.
    fn writes(batch: &mut PlannedBatch) -> &mut Vec<StampWrite<Self::Id>>;
    /// Sends patches of this kind (`scenesUpdate` / `imagesUpdate`).
    fn update<'a>(
        stash: &'a dyn MediaServer,
        patches: &'a [StampPatch<Self::Id>],
    ) -> UpdateFuture<'a, Self::Id>;
}

/// A batched update in flight.
pub(crate) type UpdateFuture<'a, Id> =
    Pin<Box<dyn Future<Output = Result<BatchOutcome<Id>, MediaServerError>> + Send + 'a>>;

impl Stamped for Scene {
    type Id = SceneId;
    const KIND: EntityKind = EntityKind::Scene;
    const NOUN: &'static str = "scene";

    fn fields(&self) -> &StampFields {
        &self.fields
    }

    fn not_ours(&self, work: &StampWork, _root: &str) -> Option<NotOurs> {
        let primary = self.files.first();
        (!primary.is_some_and(|f| work.files.contains(&f.id))).then(|| NotOurs {
            reason: format!("our file is not the primary file of scene {}", self.id),
            shared: false,
        })
    }

    fn current(current: &Current) -> &Result<HashMap<SceneId, Scene>, MediaServerError> {
        &current.scenes
    }

    fn writes(batch: &mut PlannedBatch) -> &mut Vec<StampWrite<SceneId>> {
        &mut batch.scenes
    }

    fn update<'a>(
        stash: &'a dyn MediaServer,
        patches: &'a [ScenePatch],
    ) -> UpdateFuture<'a, SceneId> {
        stash.update_scenes(patches)
    }
}

impl Stamped for Image {
    type Id = ImageId;
    const KIND: EntityKind = EntityKind::Image;
    const NOUN: &'static str = "image";

    fn fields(&self) -> &StampFields {
        &self.fields
    }

    fn not_ours(&self, _work: &StampWork, root: &str) -> Option<NotOurs> {
        let outside = self.files.iter().find(|f| !under_root(root, &f.path()))?;
        Some(NotOurs {
            reason: format!(
                "image {} also has the file {} outside {root}",
                self.id,
                outside.path()
            ),
            shared: true,
        })
    }

    fn current(current: &Current) -> &Result<HashMap<ImageId, Image>, MediaServerError> {
        &current.images
    }

    fn writes(batch: &mut PlannedBatch) -> &mut Vec<StampWrite<ImageId>> {
        &mut batch.images
    }

    fn update<'a>(
        stash: &'a dyn MediaServer,
        patches: &'a [ImagePatch],
    ) -> UpdateFuture<'a, ImageId> {
        stash.update_images(patches)
    }
}

pub(crate) fn under_root(root: &str, path: &str) -> bool {
    path == root
        || path
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/'))
}

impl BatchPlanner<'_> {
    /// Plans the stamps.
    pub(crate) fn plan_stamps(
        &self,
        stamps: Vec<StampWork>,
        current: &Current,
        batch: &mut PlannedBatch,
    ) {
        for work in stamps {
            match work.object.clone() {
                ObjectRef::Scene(id) => self.plan_stamp_on::<Scene>(&id, work, current, batch),
                ObjectRef::Image(id) => self.plan_stamp_on::<Image>(&id, work, current, batch),
            }
        }
    }

    /// Plans the stamp of one object.
    fn plan_stamp_on<T: Stamped>(
        &self,
        id: &T::Id,
        work: StampWork,
        current: &Current,
        batch: &mut PlannedBatch,
    ) {
        let (kind, noun) = (T::KIND, T::NOUN);
        let found = match T::current(current) {
            Err(e) => {
                let error = format!("reading it from Stash failed: {e}");
                batch.fail(kind, work.key, Some(id.to_string()), error);
                return;
            }
            Ok(found) => found.get(id),
        };
        let Some(object) = found else {
            let error = format!(
                "{noun} {id} is gone from Stash (deleted or re-scanned); it will be matched again next run"
            );
            batch.fail(kind, work.key, Some(id.to_string()), error);
            return;
        };
        let text_id = id.to_string();
        if let Some(n) = object.not_ours(&work, &self.root) {
            batch.outcome.skipped(kind, &work.key, &n.reason);
            if n.shared {
                batch.settle(kind, work.key, &text_id, work.fingerprint, work.own.kept());
            }
            return;
        }
        if object.fields().organized && !self.engine.opts.force {
            let why = format!("{noun} {text_id} is marked organized");
            batch.outcome.skipped(kind, &work.key, &why);
            batch.settle(kind, work.key, &text_id, work.fingerprint, work.own.kept());
            return;
        }
        let (patch, fields) = plan_stamp(id.clone(), object.fields(), &work.desired, &work.own);
        if patch.is_empty() {
            batch.outcome.unchanged(kind);
            batch.settle(kind, work.key, &text_id, work.fingerprint, Some(fields));
        } else {
            T::writes(batch).push(StampWrite {
                patch,
                key: work.key,
                fingerprint: work.fingerprint,
                fields,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::under_root;

    #[test]
    fn under_root_respects_folder_boundaries() {
        assert!(under_root(
            "/s/alice_fansly",
            "/s/alice_fansly/Timeline/a.jpg"
        ));
        assert!(under_root("/s/alice_fansly", "/s/alice_fansly"));
        assert!(!under_root("/s/alice_fansly", "/s/alice_fansly2/a.jpg"));
        assert!(!under_root("/s/alice_fansly", "/s/bob_fansly/a.jpg"));
    }
}
