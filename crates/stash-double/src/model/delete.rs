//! Deleting objects the way Stash's destroy mutations do (a test-only hook, not part of the
//! GraphQL subset): so tests can play a user who deletes a performer, studio, tag or gallery
//! the sync state still remembers. References go with the object, as Stash's foreign keys do:
//! join rows are removed, a studio reference becomes null, child studios lose their parent.

use super::{Id, State};

/// What kind of object to delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteKind {
    /// A performer (`performerDestroy`).
    Performer,
    /// A studio (`studioDestroy`).
    Studio,
    /// A tag (`tagDestroy`).
    Tag,
    /// A gallery (`galleryDestroy` without deleting files; its images stay).
    Gallery,
}

impl State {
    /// Deletes one object and every reference to it; whether it existed.
    pub(crate) fn delete_object(&mut self, kind: DeleteKind, id: Id) -> bool {
        let existed = match kind {
            DeleteKind::Performer => self.performers.remove(&id).is_some(),
            DeleteKind::Studio => self.studios.remove(&id).is_some(),
            DeleteKind::Tag => self.tags.remove(&id).is_some(),
            DeleteKind::Gallery => self.galleries.remove(&id).is_some(),
        };
        if !existed {
            return false;
        }
        let commons = self
            .scenes
            .values_mut()
            .map(|s| &mut s.c)
            .chain(self.images.values_mut().map(|i| &mut i.c))
            .chain(self.galleries.values_mut().map(|g| &mut g.c));
        match kind {
            DeleteKind::Performer => commons.for_each(|c| {
                c.performer_ids.remove(&id);
            }),
            DeleteKind::Tag => commons.for_each(|c| {
                c.tag_ids.remove(&id);
            }),
            DeleteKind::Studio => {
                commons
                    .filter(|c| c.studio_id == Some(id))
                    .for_each(|c| c.studio_id = None);
                for s in self.studios.values_mut() {
                    if s.parent_id == Some(id) {
                        s.parent_id = None;
                    }
                }
            }
            DeleteKind::Gallery => {
                drop(commons);
                for s in self.scenes.values_mut() {
                    s.gallery_ids.remove(&id);
                }
                for i in self.images.values_mut() {
                    i.gallery_ids.remove(&id);
                }
                self.gallery_scenes.remove(&id);
                self.gallery_images.remove(&id);
                self.chapters.retain(|_, c| c.gallery_id != id);
            }
        }
        true
    }
}
