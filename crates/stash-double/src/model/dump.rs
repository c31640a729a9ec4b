//! A JSON dump of the whole state, ordered by id, for assertions and diffs.

use serde_json::{Value, json};

use super::{Common, State};

fn common(c: &Common) -> Value {
    json!({
        "title": c.title,
        "code": c.code,
        "details": c.details,
        "urls": c.urls,
        "date": c.date,
        "organized": c.organized,
        "studio_id": c.studio_id.map(|i| i.to_string()),
        "tag_ids": c.tag_ids.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "performer_ids": c.performer_ids.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    })
}

fn merge(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        b.extend(e);
    }
    base
}

fn ids<'a>(it: impl IntoIterator<Item = &'a u64>) -> Vec<String> {
    it.into_iter().map(ToString::to_string).collect()
}

/// Dumps `state` (objects keyed by type, each a list ordered by id).
pub(crate) fn dump(state: &State) -> Value {
    let performers: Vec<Value> = state
        .performers
        .values()
        .map(|p| {
            json!({"id": p.id.to_string(), "name": p.name, "disambiguation": p.disambiguation,
                   "urls": p.urls, "alias_list": p.aliases, "details": p.details,
                   "created_at": p.created_at, "updated_at": p.updated_at})
        })
        .collect();
    let studios: Vec<Value> = state
        .studios
        .values()
        .map(|s| {
            json!({"id": s.id.to_string(), "name": s.name, "urls": s.urls,
                   "parent_id": s.parent_id.map(|i| i.to_string()), "aliases": s.aliases,
                   "details": s.details, "created_at": s.created_at, "updated_at": s.updated_at})
        })
        .collect();
    let tags: Vec<Value> = state
        .tags
        .values()
        .map(|t| {
            json!({"id": t.id.to_string(), "name": t.name, "description": t.description,
                   "aliases": t.aliases, "created_at": t.created_at, "updated_at": t.updated_at})
        })
        .collect();
    let folders: Vec<Value> = state
        .folders
        .values()
        .map(|f| {
            json!({"id": f.id.to_string(), "path": f.path,
                   "parent_folder_id": f.parent_id.map(|i| i.to_string())})
        })
        .collect();
    let files: Vec<Value> = state
        .files
        .values()
        .map(|f| {
            json!({"id": f.id.to_string(), "type": f.kind.type_name(), "path": state.file_path(f),
                   "basename": f.basename, "size": f.size, "md5": f.md5, "oshash": f.oshash})
        })
        .collect();
    let scenes: Vec<Value> = state
        .scenes
        .values()
        .map(|s| {
            merge(
                json!({"id": s.id.to_string()}),
                merge(
                    common(&s.c),
                    json!({"gallery_ids": ids(&s.gallery_ids), "file_ids": ids(&s.file_ids)}),
                ),
            )
        })
        .collect();
    let images: Vec<Value> = state
        .images
        .values()
        .map(|i| {
            merge(
                json!({"id": i.id.to_string()}),
                merge(
                    common(&i.c),
                    json!({"gallery_ids": ids(&i.gallery_ids), "file_ids": ids(&i.file_ids)}),
                ),
            )
        })
        .collect();
    let galleries: Vec<Value> = state
        .galleries
        .values()
        .map(|g| {
            let images = state.gallery_images.get(&g.id);
            merge(
                json!({"id": g.id.to_string()}),
                merge(
                    common(&g.c),
                    json!({
                        "folder_id": g.folder_id.map(|i| i.to_string()),
                        "file_ids": ids(&g.file_ids),
                        "image_ids": images.map(ids).unwrap_or_default(),
                        "scene_ids": state.gallery_scenes.get(&g.id).map(ids).unwrap_or_default(),
                    }),
                ),
            )
        })
        .collect();
    let chapters: Vec<Value> = state
        .chapters
        .values()
        .map(|c| {
            json!({"id": c.id.to_string(), "gallery_id": c.gallery_id.to_string(),
                   "title": c.title, "image_index": c.image_index})
        })
        .collect();
    let jobs: Vec<Value> = state
        .jobs
        .graveyard
        .iter()
        .chain(state.jobs.active.values())
        .map(|j| json!({"id": j.id.to_string(), "status": j.status.as_graphql(), "error": j.error}))
        .collect();
    json!({
        "performers": performers,
        "studios": studios,
        "tags": tags,
        "folders": folders,
        "files": files,
        "scenes": scenes,
        "images": images,
        "galleries": galleries,
        "chapters": chapters,
        "jobs": jobs,
    })
}
