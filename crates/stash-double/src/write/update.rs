//! `sceneUpdate`/`scenesUpdate`, `imageUpdate`/`imagesUpdate`, `galleryUpdate`/
//! `galleriesUpdate` and `addGalleryImages`: omitted keys stay, null clears (lists become
//! empty), `organized: null` is a server panic, and a plural update is all-or-nothing.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::{FK_FAILED, Join, NULL_BOOL, Table, relation_key, single_relation};
use crate::config::DoubleConfig;
use crate::graphql::args::{Key, Strings, id_list, key, parse_id};
use crate::model::dates::parse_date;
use crate::model::{Common, Id, State, now};

/// Which object type an update targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Scene,
    Image,
    Gallery,
}

impl Target {
    pub fn label(self) -> &'static str {
        match self {
            Self::Scene => "scene",
            Self::Image => "image",
            Self::Gallery => "gallery",
        }
    }
}

/// A validated update, ready to commit.
pub(crate) struct Planned {
    pub target: Target,
    pub id: Id,
    pub common: Common,
    /// Scenes/images: their galleries. Galleries: their scenes.
    pub related: BTreeSet<Id>,
}

fn nullable_string(text: Strings, k: Key<'_>, current: &Option<String>) -> Option<String> {
    match k {
        Key::Absent => current.clone(),
        Key::Null => None,
        Key::Value(v) => Some(text.one(v)),
    }
}

/// Applies the scalar and list keys shared by the three update inputs.
pub(crate) fn patch_common(
    st: &State,
    cfg: &DoubleConfig,
    target: Target,
    id: Id,
    old: &Common,
    user_created_gallery: bool,
    input: &Map<String, Value>,
) -> Result<Common, String> {
    let mut c = old.clone();
    let text = Strings::of(cfg);
    match (target, key(input, "title")) {
        (_, Key::Absent) | (Target::Gallery, Key::Null) => {}
        // Stash stores a gallery's new title as sent, untrimmed, on every version.
        (Target::Gallery, Key::Value(v)) => {
            let t = v.as_str().unwrap_or_default();
            if t.is_empty() && user_created_gallery {
                return Err("title must not be empty for user-created galleries".into());
            }
            c.title = Some(t.to_owned());
        }
        (_, k) => c.title = nullable_string(text, k, &old.title),
    }
    c.code = nullable_string(text, key(input, "code"), &old.code);
    c.details = nullable_string(text, key(input, "details"), &old.details);
    match key(input, "urls") {
        Key::Absent => {}
        Key::Null => c.urls.clear(),
        Key::Value(v) => c.urls = text.list(v).into_iter().filter(|u| !u.is_empty()).collect(),
    }
    match key(input, "date") {
        Key::Absent => {}
        Key::Null => c.date = None,
        Key::Value(v) => c.date = parse_date(v.as_str().unwrap_or_default(), cfg.partial_dates())?,
    }
    match key(input, "organized") {
        Key::Absent => {}
        Key::Null => return Err(NULL_BOOL.into()),
        Key::Value(v) => c.organized = v.as_bool().unwrap_or(c.organized),
    }
    c.studio_id = single_relation(st, Table::Studios, key(input, "studio_id"), old.studio_id)?;
    c.tag_ids = relation_key(
        st,
        Join::of(target, "tag_ids"),
        id,
        key(input, "tag_ids"),
        &old.tag_ids,
    )?;
    c.performer_ids = relation_key(
        st,
        Join::of(target, "performer_ids"),
        id,
        key(input, "performer_ids"),
        &old.performer_ids,
    )?;
    Ok(c)
}

/// Images may only join or leave user-created galleries.
pub(crate) fn check_gallery_membership(
    st: &State,
    old: &BTreeSet<Id>,
    new: &BTreeSet<Id>,
) -> Result<(), String> {
    for g in old.symmetric_difference(new) {
        let Some(gallery) = st.galleries.get(g) else {
            return Err(FK_FAILED.into());
        };
        if gallery.folder_id.is_some() {
            return Err(format!(
                "cannot change contents of folder-based gallery \"{}\"",
                st.gallery_display_name(gallery)
            ));
        }
        if !gallery.file_ids.is_empty() {
            return Err(format!(
                "cannot change contents of zip-based gallery \"{}\"",
                st.gallery_display_name(gallery)
            ));
        }
    }
    Ok(())
}

/// Validates one update input against the current state.
pub(crate) fn plan(
    st: &State,
    cfg: &DoubleConfig,
    target: Target,
    input: &Map<String, Value>,
) -> Result<Planned, String> {
    let id = input
        .get("id")
        .map(parse_id)
        .transpose()?
        .unwrap_or_default();
    let not_found = || format!("{} with id {id} not found", target.label());
    let (old, related, user_created) = match target {
        Target::Scene => {
            let s = st.scenes.get(&id).ok_or_else(not_found)?;
            (&s.c, s.gallery_ids.clone(), true)
        }
        Target::Image => {
            let i = st.images.get(&id).ok_or_else(not_found)?;
            (&i.c, i.gallery_ids.clone(), true)
        }
        Target::Gallery => {
            let g = st.galleries.get(&id).ok_or_else(not_found)?;
            let scenes = st.gallery_scenes.get(&id).cloned().unwrap_or_default();
            (&g.c, scenes, g.user_created())
        }
    };
    let common = patch_common(st, cfg, target, id, old, user_created, input)?;
    let field = match target {
        Target::Scene | Target::Image => "gallery_ids",
        Target::Gallery => "scene_ids",
    };
    let related = relation_key(st, Join::of(target, field), id, key(input, field), &related)?;
    if target == Target::Image {
        let old = st
            .images
            .get(&id)
            .map(|i| i.gallery_ids.clone())
            .unwrap_or_default();
        check_gallery_membership(st, &old, &related)?;
    }
    Ok(Planned {
        target,
        id,
        common,
        related,
    })
}

/// Writes a validated update (cannot fail).
pub(crate) fn commit(st: &mut State, p: Planned) {
    let mut common = p.common;
    common.updated_at = now();
    match p.target {
        Target::Scene => {
            if let Some(s) = st.scenes.get_mut(&p.id) {
                s.c = common;
            }
            st.set_scene_galleries(p.id, p.related);
        }
        Target::Image => {
            if let Some(i) = st.images.get_mut(&p.id) {
                i.c = common;
            }
            st.set_image_galleries(p.id, p.related);
        }
        Target::Gallery => {
            if let Some(g) = st.galleries.get_mut(&p.id) {
                g.c = common;
            }
            let old = st.gallery_scenes.get(&p.id).cloned().unwrap_or_default();
            for scene in old.symmetric_difference(&p.related) {
                let mut galleries = st
                    .scenes
                    .get(scene)
                    .map(|s| s.gallery_ids.clone())
                    .unwrap_or_default();
                if p.related.contains(scene) {
                    galleries.insert(p.id);
                } else {
                    galleries.remove(&p.id);
                }
                st.set_scene_galleries(*scene, galleries);
            }
        }
    }
}

/// Updates several objects in one transaction: one failure writes nothing.
pub(crate) fn update_many(
    st: &mut State,
    cfg: &DoubleConfig,
    target: Target,
    inputs: &[&Map<String, Value>],
) -> Result<Vec<Id>, String> {
    let mut planned = Vec::with_capacity(inputs.len());
    for input in inputs {
        planned.push(plan(st, cfg, target, input)?);
    }
    let ids = planned.iter().map(|p| p.id).collect();
    for p in planned {
        commit(st, p);
    }
    Ok(ids)
}

/// `addGalleryImages`: user-created galleries only; idempotent; bumps `updated_at`.
pub(crate) fn add_gallery_images(st: &mut State, input: &Map<String, Value>) -> Result<(), String> {
    let gallery_id = input
        .get("gallery_id")
        .map(parse_id)
        .transpose()?
        .unwrap_or_default();
    let Some(gallery) = st.galleries.get(&gallery_id) else {
        return Err(format!("gallery with id {gallery_id} not found"));
    };
    if gallery.folder_id.is_some() {
        return Err(format!(
            "cannot change contents of folder-based gallery \"{}\"",
            st.gallery_display_name(gallery)
        ));
    }
    if !gallery.file_ids.is_empty() {
        return Err(format!(
            "cannot change contents of zip-based gallery \"{}\"",
            st.gallery_display_name(gallery)
        ));
    }
    let image_ids = input
        .get("image_ids")
        .map(id_list)
        .transpose()?
        .unwrap_or_default();
    Join::of(Target::Gallery, "image_ids").check(st, gallery_id, &image_ids)?;
    for image in image_ids {
        let mut galleries = st
            .images
            .get(&image)
            .map(|i| i.gallery_ids.clone())
            .unwrap_or_default();
        if galleries.insert(gallery_id) {
            st.set_image_galleries(image, galleries);
        }
    }
    if let Some(g) = st.galleries.get_mut(&gallery_id) {
        g.c.updated_at = now();
    }
    Ok(())
}
