//! `performerCreate`, `studioCreate`, `tagCreate`, `galleryCreate`, `galleryChapterCreate`.

use serde_json::{Map, Value};

use super::names::{Named, check_named_with_aliases, check_performer, check_performer_aliases};
use super::{FK_FAILED, NULL_BOOL, Table, relation_ids};
use crate::config::DoubleConfig;
use crate::graphql::args::{Key, key, parse_id, string_list, trimmed};
use crate::model::dates::parse_date;
use crate::model::{Chapter, Common, Gallery, Id, Performer, Sequences, State, Studio, Tag, now};

fn opt_string(m: &Map<String, Value>, k: &str) -> Option<String> {
    m.get(k).and_then(Value::as_str).map(str::to_owned)
}

fn list(m: &Map<String, Value>, k: &str) -> Vec<String> {
    m.get(k).map(string_list).unwrap_or_default()
}

pub(crate) fn performer(st: &mut State, input: &Map<String, Value>) -> Result<Id, String> {
    let name = input.get("name").map(trimmed).unwrap_or_default();
    if name.is_empty() {
        return Err("performer name must not be blank".into());
    }
    let disambiguation = input
        .get("disambiguation")
        .map(trimmed)
        .filter(|d| !d.is_empty());
    let aliases: Vec<String> = list(input, "alias_list")
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
            urls: list(input, "urls")
                .into_iter()
                .filter(|u| !u.is_empty())
                .collect(),
            aliases,
            details: opt_string(input, "details"),
            created_at: t.clone(),
            updated_at: t,
        },
    );
    Ok(id)
}

pub(crate) fn studio(st: &mut State, input: &Map<String, Value>) -> Result<Id, String> {
    let name = input.get("name").map(trimmed).unwrap_or_default();
    let aliases = list(input, "aliases");
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
    st.studios.insert(
        id,
        Studio {
            id,
            name,
            urls: list(input, "urls")
                .into_iter()
                .filter(|u| !u.is_empty())
                .collect(),
            parent_id,
            aliases,
            details: opt_string(input, "details"),
            created_at: t.clone(),
            updated_at: t,
        },
    );
    Ok(id)
}

pub(crate) fn tag(st: &mut State, input: &Map<String, Value>) -> Result<Id, String> {
    let name = input.get("name").map(trimmed).unwrap_or_default();
    let aliases = list(input, "aliases");
    check_named_with_aliases(st, Named::Tag, None, &name, &aliases)?;
    let id = Sequences::next(&mut st.seq.tag);
    let t = now();
    st.tags.insert(
        id,
        Tag {
            id,
            name,
            description: opt_string(input, "description"),
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
    let title = input
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if title.trim().is_empty() {
        return Err("title must not be empty".into());
    }
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
    let rel = |st: &State, k: &str, table| {
        input
            .get(k)
            .map_or(Ok(Default::default()), |v| relation_ids(st, table, v))
    };
    let tag_ids = rel(st, "tag_ids", Table::Tags)?;
    let performer_ids = rel(st, "performer_ids", Table::Performers)?;
    let scene_ids = rel(st, "scene_ids", Table::Scenes)?;
    let id = Sequences::next(&mut st.seq.gallery);
    let t = now();
    st.galleries.insert(
        id,
        Gallery {
            id,
            c: Common {
                title: Some(title),
                code: opt_string(input, "code"),
                details: opt_string(input, "details"),
                urls: list(input, "urls")
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
        .transpose()?
        .unwrap_or_default();
    if !st.galleries.contains_key(&gallery_id) {
        return Err(format!("gallery with id {gallery_id} not found"));
    }
    let index = input
        .get("image_index")
        .and_then(Value::as_i64)
        .unwrap_or_default();
    let count = st.gallery_image_count(gallery_id) as i64;
    if index < 1 || index > count {
        return Err("Image # must greater than zero".into());
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
