//! Id-free views of a Stash double's [`dump`](stash_double::StashDouble::dump), so two Stash
//! states reached by different paths (an interrupted run resumed, an uninterrupted run on
//! another double) can be compared for equality.
//!
//! Stash assigns ids in creation order, which differs between runs that create the same
//! objects in a different order; timestamps differ too. The canonical form replaces every id by
//! the object's natural key (performer, studio and tag names; file paths; gallery codes),
//! drops `created_at`/`updated_at` and jobs, and sorts every list of references.
//!
//! The way back, for tests that act on one object of a dump: [`object_id_of`] gives the raw
//! id of the scene or image a file belongs to.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

fn s(v: &Value, k: &str) -> String {
    match v.get(k) {
        Some(Value::String(x)) => x.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn id_list(v: &Value, k: &str) -> Vec<String> {
    v.get(k)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn names_of(dump: &Value, kind: &str, key: &str) -> BTreeMap<String, String> {
    dump.get(kind)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|o| (s(o, "id"), s(o, key))).collect())
        .unwrap_or_default()
}

fn map_ids(ids: &[String], names: &BTreeMap<String, String>) -> Vec<String> {
    let mut out: Vec<String> = ids
        .iter()
        .map(|i| names.get(i).cloned().unwrap_or_else(|| format!("?{i}")))
        .collect();
    out.sort();
    out
}

fn strip(o: &Value, drop: &[&str]) -> Map<String, Value> {
    let mut m = o.as_object().cloned().unwrap_or_default();
    for k in drop {
        m.remove(*k);
    }
    m
}

/// Natural keys by id, for every kind a reference can point at.
struct Names {
    performers: BTreeMap<String, String>,
    studios: BTreeMap<String, String>,
    tags: BTreeMap<String, String>,
    files: BTreeMap<String, String>,
    folders: BTreeMap<String, String>,
}

impl Names {
    fn of(dump: &Value) -> Self {
        Self {
            performers: names_of(dump, "performers", "name"),
            studios: names_of(dump, "studios", "name"),
            tags: names_of(dump, "tags", "name"),
            files: names_of(dump, "files", "path"),
            folders: names_of(dump, "folders", "path"),
        }
    }

    /// A scene or image is known by its first file.
    fn first_file(&self, o: &Value) -> String {
        id_list(o, "file_ids")
            .first()
            .and_then(|f| self.files.get(f).cloned())
            .unwrap_or_else(|| format!("no-file:{}", s(o, "id")))
    }

    /// A gallery is known by its code, else its folder, else its title.
    fn gallery_key(&self, g: &Value) -> String {
        let code = s(g, "code");
        if !code.is_empty() {
            return format!("code:{code}");
        }
        if let Some(p) = self.folders.get(&s(g, "folder_id")) {
            return format!("folder:{p}");
        }
        format!("title:{}", s(g, "title"))
    }
}

/// `id -> key(object)` for every object of a kind.
fn keyed(dump: &Value, kind: &str, key: &dyn Fn(&Value) -> String) -> BTreeMap<String, String> {
    dump.get(kind)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|o| (s(o, "id"), key(o))).collect())
        .unwrap_or_default()
}

/// Replaces the id list `from` by the sorted natural keys under `to`.
fn rename(
    m: &mut Map<String, Value>,
    o: &Value,
    from: &str,
    to: &str,
    names: &BTreeMap<String, String>,
) {
    m.insert(to.into(), json!(map_ids(&id_list(o, from), names)));
    m.remove(from);
}

/// Every object of a kind, id-free, under its key (several objects under one key, i.e.
/// duplicates, stay visible as a longer list).
fn objects(
    dump: &Value,
    kind: &str,
    key: &dyn Fn(&Value) -> String,
    extra: &dyn Fn(&Value, &mut Map<String, Value>),
) -> Value {
    let mut out = BTreeMap::new();
    for o in dump
        .get(kind)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let mut m = strip(o, &["id", "created_at", "updated_at"]);
        extra(o, &mut m);
        out.entry(key(o))
            .or_insert_with(Vec::new)
            .push(Value::Object(m));
    }
    Value::Object(out.into_iter().map(|(k, v)| (k, Value::Array(v))).collect())
}

/// The canonical, id-free form of a dump (see the module docs).
pub fn canonical(dump: &Value) -> Value {
    let n = Names::of(dump);
    let first_file = |o: &Value| n.first_file(o);
    let gallery_key = |o: &Value| n.gallery_key(o);
    let scene_keys = keyed(dump, "scenes", &first_file);
    let image_keys = keyed(dump, "images", &first_file);
    let gallery_keys = keyed(dump, "galleries", &gallery_key);
    let common = |o: &Value, m: &mut Map<String, Value>| {
        m.insert(
            "studio".into(),
            json!(n.studios.get(&s(o, "studio_id")).cloned()),
        );
        m.remove("studio_id");
        rename(m, o, "tag_ids", "tags", &n.tags);
        rename(m, o, "performer_ids", "performers", &n.performers);
        if m.contains_key("gallery_ids") {
            rename(m, o, "gallery_ids", "galleries", &gallery_keys);
        }
        rename(m, o, "file_ids", "files", &n.files);
    };
    let by_name = |o: &Value| s(o, "name");
    let chapter_key = |o: &Value| {
        let gallery = gallery_keys.get(&s(o, "gallery_id")).cloned();
        format!("{}#{}", gallery.unwrap_or_default(), s(o, "image_index"))
    };
    json!({
        "performers": objects(dump, "performers", &by_name, &|_, _| {}),
        "studios": objects(dump, "studios", &by_name, &|o, m| {
            m.insert("parent".into(), json!(n.studios.get(&s(o, "parent_id")).cloned()));
            m.remove("parent_id");
        }),
        "tags": objects(dump, "tags", &by_name, &|_, _| {}),
        "files": objects(dump, "files", &|o| s(o, "path"), &|_, _| {}),
        "scenes": objects(dump, "scenes", &first_file, &|o, m| common(o, m)),
        "images": objects(dump, "images", &first_file, &|o, m| common(o, m)),
        "galleries": objects(dump, "galleries", &gallery_key, &|o, m| {
            common(o, m);
            m.insert("folder".into(), json!(n.folders.get(&s(o, "folder_id")).cloned()));
            m.remove("folder_id");
            rename(m, o, "image_ids", "images", &image_keys);
            rename(m, o, "scene_ids", "scenes", &scene_keys);
        }),
        "chapters": objects(dump, "chapters", &chapter_key, &|o, m| {
            m.insert("gallery".into(), json!(gallery_keys.get(&s(o, "gallery_id")).cloned()));
            m.remove("gallery_id");
        }),
    })
}

/// [`canonical`] with the library root replaced by `<root>` in every path, so states of two
/// libraries generated in different directories compare equal.
pub fn canonical_in(dump: &Value, root: &std::path::Path) -> Value {
    let text = dump.to_string();
    let root = root.display().to_string();
    let quoted = serde_json::to_string(&root).unwrap_or_default();
    let inner = quoted.trim_matches('"');
    let replaced = text.replace(inner, "<root>");
    canonical(&serde_json::from_str(&replaced).unwrap_or(Value::Null))
}

/// Natural keys that name more than one object of a kind (duplicate performers, studios,
/// tags, galleries, scenes or images), as `kind: key xN`.
pub fn duplicates(canonical: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(kinds) = canonical.as_object() {
        for (kind, objs) in kinds {
            for (key, list) in objs.as_object().into_iter().flatten() {
                let n = list.as_array().map_or(0, Vec::len);
                if n > 1 {
                    out.push(format!("{kind}: {key} x{n}"));
                }
            }
        }
    }
    out
}

/// The first differences between two canonical dumps, as readable lines (empty when equal).
pub fn diff(a: &Value, b: &Value, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    diff_into("", a, b, &mut out, limit);
    out
}

fn diff_into(path: &str, a: &Value, b: &Value, out: &mut Vec<String>, limit: usize) {
    if out.len() >= limit || a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let p = format!("{path}/{k}");
                match (x.get(k), y.get(k)) {
                    (Some(va), Some(vb)) => diff_into(&p, va, vb, out, limit),
                    (Some(_), None) => out.push(format!("{p}: only in the first")),
                    (None, Some(_)) => out.push(format!("{p}: only in the second")),
                    (None, None) => {}
                }
                if out.len() >= limit {
                    return;
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                diff_into(&format!("{path}[{i}]"), va, vb, out, limit);
            }
        }
        _ => out.push(format!("{path}: {a} != {b}")),
    }
}

/// The raw id of the scene or image (`kind`: `"scenes"` or `"images"`) of `dump` that holds
/// `file`; `None` when the double has no such file or no object holds it.
pub fn object_id_of(dump: &Value, kind: &str, file: &crate::library::MediaFile) -> Option<String> {
    let path = file.path.display().to_string();
    let file_id = dump["files"]
        .as_array()?
        .iter()
        .find(|f| f["path"] == path.as_str())?
        .get("id")?;
    dump[kind].as_array()?.iter().find(|o| {
        o["file_ids"]
            .as_array()
            .is_some_and(|ids| ids.contains(file_id))
    })?["id"]
        .as_str()
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(tag_ids: (&str, &str)) -> Value {
        json!({
            "performers": [{"id": "1", "name": "alice", "created_at": "x", "updated_at": "y"}],
            "studios": [],
            "tags": [{"id": tag_ids.0, "name": "a"}, {"id": tag_ids.1, "name": "b"}],
            "folders": [],
            "files": [{"id": "7", "path": "/r/x.jpg"}],
            "scenes": [],
            "images": [{"id": "3", "title": "t", "tag_ids": [tag_ids.0], "performer_ids": ["1"],
                        "studio_id": null, "gallery_ids": [], "file_ids": ["7"],
                        "created_at": "x", "updated_at": "y"}],
            "galleries": [],
            "chapters": [],
            "jobs": [{"id": "1"}],
        })
    }

    #[test]
    fn ids_and_timestamps_do_not_matter_names_do() {
        let a = canonical(&dump(("10", "11")));
        let b = canonical(&dump(("21", "20")));
        assert_eq!(a, b, "{:?}", diff(&a, &b, 5));
        assert_eq!(a["images"]["/r/x.jpg"][0]["tags"], json!(["a"]));
        let mut other = dump(("10", "11"));
        other["images"][0]["tag_ids"] = json!(["11"]);
        let c = canonical(&other);
        assert_ne!(a, c);
        assert_eq!(diff(&a, &c, 5).len(), 1, "{:?}", diff(&a, &c, 5));
        assert!(duplicates(&a).is_empty());
        let mut dup = dump(("10", "11"));
        dup["tags"][1]["name"] = json!("a");
        assert_eq!(duplicates(&canonical(&dup)), vec!["tags: a x2".to_owned()]);
    }
}
