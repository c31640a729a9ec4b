//! `performerCreate`, `studioCreate`, `tagCreate`, `galleryCreate`, `galleryChapterCreate`.

use serde_json::{Map, Value};

use super::names::{Named, check_named_with_aliases, check_performer, check_performer_aliases};
use super::update::Target;
use super::{FK_FAILED, Join, NULL_BOOL, relation_ids};
use crate::config::DoubleConfig;
use crate::graphql::args::{Key, Strings, key, parse_id};
use crate::model::dates::parse_date;
use crate::model::{Chapter, Common, Gallery, Id, Performer, Sequences, State, Studio, Tag, now};

fn list(text: Strings, m: &Map<String, Value>, k: &str) -> Vec<String> {
    m.get(k).map(|v| text.list(v)).unwrap_or_default()
}

/// Stash's refusal of a chapter whose image index is not one of the gallery's images.
pub(crate) const CHAPTER_INDEX: &str =
    "Image # must greater than zero and in range of the gallery images";

pub(crate) fn performer(
    st: &mut State,
    cfg: &DoubleConfig,
    input: &Map<String, Value>,
) -> Result<Id, String> {
    let text = Strings::of(cfg);
    let name = input.get("name").map(|v| text.one(v)).unwrap_or_default();
    if name.is_empty() {
        return Err("performer name must not be blank".into());
    }
    let disambiguation = text
        .opt(input.get("disambiguation"))
        .filter(|d| !d.is_empty());
    let aliases: Vec<String> = list(text, input, "alias_list")
        .into_iter()
        .filter(|a| !a.is_empty())
        .collect();
    check_performer_aliases(&name, &aliases)?;
    check_performer(st, &name, disambiguation.as_deref())?;
    let id = Sequences::next(&mut st.seq.performer);
    let t = now();
    st.performers.insert(
        id,
        Performer {
            id,
            name,
            disambiguation,
            urls: list(text, input, "urls")
                .into_iter()
                .filter(|u| !u.is_empty())
                .collect(),
            aliases,
            details: text.opt(input.get("details")),
            created_at: t.clone(),
            updated_at: t,
        },
    );
    Ok(id)
}

pub(crate) fn studio(
    st: &mut State,
    cfg: &DoubleConfig,
    input: &Map<String, Value>,
) -> Result<Id, String> {
    let text = Strings::of(cfg);
    let name = input.get("name").map(|v| text.one(v)).unwrap_or_default();
    let aliases = list(text, input, "aliases");
    check_named_with_aliases(st, Named::Studio, None, &name, &aliases)?;
    let parent_id = match key(input, "parent_id") {
        Key::Value(v) => {
            let p = parse_id(v)?;
            if !st.studios.contains_key(&p) {
                return Err(FK_FAILED.into());
            }
            Some(p)
        }
        _ => None,
    };
    let id = Sequences::next(&mut st.seq.studio);
    let t = now();
    // The legacy `url` (the only one before v0.30) comes first, then `urls`.
    let urls = text
        .opt(input.get("url"))
        .into_iter()
        .chain(list(text, input, "urls"))
        .filter(|u| !u.is_empty())
        .collect();
    st.studios.insert(
        id,
        Studio {
            id,
            name,
            urls,
            parent_id,
            aliases,
            details: text.opt(input.get("details")),
            created_at: t.clone(),
            updated_at: t,
        },
    );
    Ok(id)
}

pub(crate) fn tag(
    st: &mut State,
    cfg: &DoubleConfig,
    input: &Map<String, Value>,
) -> Result<Id, String> {
    let text = Strings::of(cfg);
    let name = input.get("name").map(|v| text.one(v)).unwrap_or_default();
    let aliases = list(text, input, "aliases");
    check_named_with_aliases(st, Named::Tag, None, &name, &aliases)?;
    let id = Sequences::next(&mut st.seq.tag);
    let t = now();
    st.tags.insert(
        id,
        Tag {
            id,
            name,
            description: text.opt(input.get("description")),
            aliases,
            created_at: t.clone(),
            updated_at: t,
        },
    );
    Ok(id)
}

pub(crate) fn gallery(
    st: &mut State,
    cfg: &DoubleConfig,
    input: &Map<String, Value>,
) -> Result<Id, String> {
    let text = Strings::of(cfg);
    // Stash checks the title as sent, then stores it trimmed (v0.30+): "  " passes as "".
    let raw_title = input
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if raw_title.is_empty() {
        return Err("title must not be empty".into());
    }
    let title = text.one(&Value::from(raw_title));
    let organized = match key(input, "organized") {
        Key::Null => return Err(NULL_BOOL.into()),
        Key::Value(v) => v.as_bool().unwrap_or(false),
        Key::Absent => false,
    };
    let date = match input.get("date").and_then(Value::as_str) {
        Some(d) => parse_date(d, cfg.partial_dates())?,
        None => None,
    };
    let studio_id = match key(input, "studio_id") {
        Key::Value(v) => {
            let s = parse_id(v)?;
            if !st.studios.contains_key(&s) {
                return Err(FK_FAILED.into());
            }
            Some(s)
        }
        _ => None,
    };
    // The join rows are inserted with the id the gallery is about to get.
    let new_id = st.seq.gallery + 1;
    let rel = |st: &State, k: &str| {
        input.get(k).map_or(Ok(Default::default()), |v| {
            relation_ids(st, Join::of(Target::Gallery, k), new_id, v)
        })
    };
    let tag_ids = rel(st, "tag_ids")?;
    let performer_ids = rel(st, "performer_ids")?;
    let scene_ids = rel(st, "scene_ids")?;
    let id = Sequences::next(&mut st.seq.gallery);
    let t = now();
    st.galleries.insert(
        id,
        Gallery {
            id,
            c: Common {
                title: Some(title),
                code: text.opt(input.get("code")),
                details: text.opt(input.get("details")),
                urls: list(text, input, "urls")
                    .into_iter()
                    .filter(|u| !u.is_empty())
                    .collect(),
                date,
                organized,
                studio_id,
                tag_ids,
                performer_ids,
                created_at: t.clone(),
                updated_at: t,
            },
            folder_id: None,
            file_ids: Vec::new(),
        },
    );
    for scene in scene_ids {
        let mut galleries = st
            .scenes
            .get(&scene)
            .map(|s| s.gallery_ids.clone())
            .unwrap_or_default();
        galleries.insert(id);
        st.set_scene_galleries(scene, galleries);
    }
    Ok(id)
}

pub(crate) fn chapter(st: &mut State, input: &Map<String, Value>) -> Result<Id, String> {
    let gallery_id = input
        .get("gallery_id")
        .map(parse_id)
        .transpose()
        .map_err(|e| format!("converting gallery id: {e}"))?
        .unwrap_or_default();
    let index = input
        .get("image_index")
        .and_then(Value::as_i64)
        .unwrap_or_default();
    // Stash counts the gallery's images (0 for a gallery that does not exist) and checks the
    // index against that, with one message for every case.
    let count = if st.galleries.contains_key(&gallery_id) {
        st.gallery_image_count(gallery_id) as i64
    } else {
        0
    };
    if index < 1 || index > count {
        return Err(CHAPTER_INDEX.into());
    }
    let id = Sequences::next(&mut st.seq.chapter);
    let t = now();
    st.chapters.insert(
        id,
        Chapter {
            id,
            gallery_id,
            title: input
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            image_index: index,
            created_at: t.clone(),
            updated_at: t,
        },
    );
    if let Some(g) = st.galleries.get_mut(&gallery_id) {
        g.c.updated_at = now();
    }
    Ok(id)
}
