//! `bulkSceneUpdate`, `bulkImageUpdate`, `bulkGalleryUpdate`: the same change applied to
//! many objects, lists changed with SET/ADD/REMOVE, in one transaction.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::update::{Planned, Target, check_gallery_membership, commit};
use super::{Join, NULL_BOOL, relation_ids};
use crate::graphql::args::{Key, Strings, id_list, key};
use crate::model::{Id, State};

fn mode_of(v: &Value) -> &str {
    v.get("mode").and_then(Value::as_str).unwrap_or("SET")
}

/// Applies a `BulkUpdateIds` value to a set of ids.
fn bulk_ids(
    st: &State,
    join: Join,
    owner: Id,
    k: Key<'_>,
    current: &BTreeSet<Id>,
) -> Result<BTreeSet<Id>, String> {
    let Key::Value(v) = k else {
        return Ok(current.clone());
    };
    let ids = match v.get("ids") {
        Some(list) if !list.is_null() => relation_ids(st, join, owner, list)?,
        _ => BTreeSet::new(),
    };
    Ok(match mode_of(v) {
        "ADD" => current.union(&ids).copied().collect(),
        "REMOVE" => current.difference(&ids).copied().collect(),
        _ => ids,
    })
}

/// Applies a `BulkUpdateStrings` value to a list, keeping order.
fn bulk_strings(text: Strings, k: Key<'_>, current: &[String]) -> Vec<String> {
    let Key::Value(v) = k else {
        return current.to_vec();
    };
    let values: Vec<String> = v.get("values").map(|l| text.list(l)).unwrap_or_default();
    match mode_of(v) {
        "ADD" => {
            let mut out = current.to_vec();
            for value in values {
                if !out.contains(&value) {
                    out.push(value);
                }
            }
            out
        }
        "REMOVE" => current
            .iter()
            .filter(|c| !values.contains(c))
            .cloned()
            .collect(),
        _ => values,
    }
}

/// Runs a bulk update; returns the updated ids in input order.
pub(crate) fn bulk_update(
    st: &mut State,
    text: Strings,
    target: Target,
    input: &Map<String, Value>,
) -> Result<Vec<Id>, String> {
    let ids = input
        .get("ids")
        .map(id_list)
        .transpose()?
        .unwrap_or_default();
    let mut planned = Vec::with_capacity(ids.len());
    for id in &ids {
        let not_found = || format!("{} with id {id} not found", target.label());
        let (old, related) = match target {
            Target::Scene => {
                let s = st.scenes.get(id).ok_or_else(not_found)?;
                (s.c.clone(), s.gallery_ids.clone())
            }
            Target::Image => {
                let i = st.images.get(id).ok_or_else(not_found)?;
                (i.c.clone(), i.gallery_ids.clone())
            }
            Target::Gallery => {
                let g = st.galleries.get(id).ok_or_else(not_found)?;
                (
                    g.c.clone(),
                    st.gallery_scenes.get(id).cloned().unwrap_or_default(),
                )
            }
        };
        let mut c = old;
        match key(input, "organized") {
            Key::Absent => {}
            Key::Null => return Err(NULL_BOOL.into()),
            Key::Value(v) => c.organized = v.as_bool().unwrap_or(c.organized),
        }
        c.urls = bulk_strings(text, key(input, "urls"), &c.urls);
        let join = |field| Join::of(target, field);
        c.tag_ids = bulk_ids(st, join("tag_ids"), *id, key(input, "tag_ids"), &c.tag_ids)?;
        c.performer_ids = bulk_ids(
            st,
            join("performer_ids"),
            *id,
            key(input, "performer_ids"),
            &c.performer_ids,
        )?;
        let field = match target {
            Target::Scene | Target::Image => "gallery_ids",
            Target::Gallery => "scene_ids",
        };
        let new_related = bulk_ids(st, join(field), *id, key(input, field), &related)?;
        if target == Target::Image {
            check_gallery_membership(st, &related, &new_related)?;
        }
        planned.push(Planned {
            target,
            id: *id,
            common: c,
            related: new_related,
        });
    }
    for p in planned {
        commit(st, p);
    }
    Ok(ids)
}
