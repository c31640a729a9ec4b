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
//! Members already in a gallery are never removed (lists only grow), and a gallery whose
//! members are all current is not planned at all, so a scene or image organized after it was
//! linked stays where it is.

use domain::ids::{ImageId, SceneId};

use super::outcome::Outcome;
use super::plan_batch::{BatchPlanner, Current, GalleryWork};
use super::stamps::under_root;

/// The scenes and images a gallery may link.
#[derive(Debug, Default)]
pub(crate) struct Linkable {
    pub(crate) scenes: Vec<SceneId>,
    pub(crate) images: Vec<ImageId>,
}

impl BatchPlanner<'_> {
    /// The members of `g` that may be linked; organized ones are noted on the gallery in
    /// `out`. `Err`: why Stash could not tell.
    pub(crate) fn linkable(
        &self,
        g: &GalleryWork,
        current: &Current,
        out: &mut Outcome,
    ) -> Result<Linkable, String> {
        let force = self.engine.opts.force;
        let mut organized: Vec<String> = Vec::new();
        let mut linkable = Linkable::default();
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
        if !organized.is_empty() {
            let why = format!(
                "skipped (organized): {} not linked into the gallery (what you organized is left \
                 alone)",
                organized.join(", ")
            );
            out.note(&g.key, &why);
        }
        Ok(linkable)
    }
}
