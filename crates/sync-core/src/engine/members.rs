//! Which of an item's scenes and images may be linked into its gallery. Linking changes the
//! object too (its gallery list), so what the user organized is kept out, like everything
//! else about it: an organized scene or image is neither stamped nor linked (unless
//! `force`), and the gallery notes it as skipped. An image that also has files outside the
//! creator's folder is someone else's too and is kept out as well; a member gone from Stash
//! is left out quietly (its stamp reports it).
//!
//! Every member of a gallery being planned is read (in the batch's one read per kind, see
//! [`BatchPlanner::read_current`](super::plan_batch::BatchPlanner)), not only those whose
//! stamp changed: an object's organized flag is the user's and can change at any time. When
//! Stash cannot tell (the read failed), nothing is linked: the gallery fails and is tried
//! again next run.
//!
//! A gallery we would create with no member at all is not created: it exists to group the
//! post's files, and without one it is noise. The item is skipped with a note (see
//! [`Linkable::none_note`]); a gallery that exists already is kept as it is.
//!
//! Members already in a gallery are never removed (lists only grow), and a gallery whose
//! members are all current is not planned at all, so a scene or image organized after it was
//! linked stays where it is.

use domain::ids::{ImageId, SceneId};

use super::outcome::Outcome;
use super::plan_batch::{BatchPlanner, Current, GalleryWork};
use super::stamps::under_root;
use crate::state::StateKey;

/// The scenes and images a gallery may link, and the organized ones it may not.
#[derive(Debug, Default)]
pub(crate) struct Linkable {
    pub(crate) scenes: Vec<SceneId>,
    pub(crate) images: Vec<ImageId>,
    /// The organized members left out (`scene 3`, `image 7`).
    organized: Vec<String>,
}

impl Linkable {
    /// Whether there is nothing to link.
    pub(crate) fn is_empty(&self) -> bool {
        self.scenes.is_empty() && self.images.is_empty()
    }

    /// Notes on the gallery `key` the organized members it leaves out, if any.
    pub(crate) fn note_left_out(&self, key: &StateKey, out: &mut Outcome) {
        if !self.organized.is_empty() {
            let why = format!(
                "skipped (organized): {} not linked into the gallery (what you organized is left \
                 alone)",
                self.organized.join(", ")
            );
            out.note(key, &why);
        }
    }

    /// Why no gallery is created when there is nothing to link.
    pub(crate) fn none_note(&self) -> String {
        if self.organized.is_empty() {
            "no gallery created: none of its files in Stash may be linked (gone from Stash, or \
             with a file outside the creator's folder as well)"
                .to_owned()
        } else {
            format!(
                "skipped (organized): no gallery created, as none of its files may be linked: {} \
                 (what you organized is left alone; `sync --force` links them)",
                self.organized.join(", ")
            )
        }
    }
}

impl BatchPlanner<'_> {
    /// The members of `g` that may be linked, and the organized ones left out. `Err`: why
    /// Stash could not tell.
    pub(crate) fn linkable(&self, g: &GalleryWork, current: &Current) -> Result<Linkable, String> {
        let force = self.engine.opts.force;
        let mut linkable = Linkable::default();
        let organized = &mut linkable.organized;
        if !g.scenes.is_empty() {
            let now = current
                .scenes
                .as_ref()
                .map_err(|e| format!("reading its scenes from Stash failed: {e}"))?;
            for id in &g.scenes {
                match now.get(id) {
                    None => {}
                    Some(s) if s.fields.organized && !force => {
                        organized.push(format!("scene {id}"));
                    }
                    Some(_) => linkable.scenes.push(id.clone()),
                }
            }
        }
        if !g.images.is_empty() {
            let now = current
                .images
                .as_ref()
                .map_err(|e| format!("reading its images from Stash failed: {e}"))?;
            for id in &g.images {
                match now.get(id) {
                    None => {}
                    Some(i) if i.files.iter().any(|f| !under_root(&self.root, &f.path())) => {}
                    Some(i) if i.fields.organized && !force => {
                        organized.push(format!("image {id}"));
                    }
                    Some(_) => linkable.images.push(id.clone()),
                }
            }
        }
        Ok(linkable)
    }
}
