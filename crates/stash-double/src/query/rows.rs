//! How each stored object answers filter criteria, sort keys and `q` searches.

use std::collections::BTreeSet;

use super::filter::{FieldValue, Row};
use super::find::{Findable, SortKey};
use super::natural::NaturalCi;
use crate::model::{Common, File, Gallery, Id, Image, Performer, Scene, State, Studio, Tag};

fn opt(s: &Option<String>) -> Vec<String> {
    s.iter().cloned().collect()
}

fn common_field(c: &Common, name: &str) -> Option<FieldValue> {
    Some(match name {
        "title" => FieldValue::Strings(opt(&c.title)),
        "code" => FieldValue::Strings(opt(&c.code)),
        "details" => FieldValue::Strings(opt(&c.details)),
        "url" => FieldValue::Strings(c.urls.clone()),
        "organized" => FieldValue::Bool(c.organized),
        "studios" => FieldValue::Studio(c.studio_id),
        "tags" => FieldValue::Ids(c.tag_ids.clone()),
        "performers" => FieldValue::Ids(c.performer_ids.clone()),
        _ => return None,
    })
}

fn common_sort(c: &Common, id: Id, key: &str) -> Option<SortKey> {
    Some(match key {
        "id" => SortKey::Int(id as i64),
        "created_at" => SortKey::Str(c.created_at.clone()),
        "updated_at" => SortKey::Str(c.updated_at.clone()),
        "title" => SortKey::Str(c.title.clone().unwrap_or_default().to_lowercase()),
        "date" => SortKey::Str(c.date.clone().unwrap_or_default()),
        _ => return None,
    })
}

fn first_path(st: &State, files: &[Id]) -> String {
    st.file_paths(files).into_iter().next().unwrap_or_default()
}

impl Row for Scene {
    fn field(&self, st: &State, name: &str) -> Option<FieldValue> {
        match name {
            "id" => Some(FieldValue::Int(Some(self.id as i64))),
            "path" => Some(FieldValue::Strings(st.file_paths(&self.file_ids))),
            "file_count" => Some(FieldValue::Int(Some(self.file_ids.len() as i64))),
            "galleries" => Some(FieldValue::Ids(self.gallery_ids.clone())),
            _ => common_field(&self.c, name),
        }
    }
}

impl Findable for Scene {
    const LABEL: &'static str = "scene";
    const SORTS: &'static [&'static str] = &["title", "path", "date"];
    fn id(&self) -> Id {
        self.id
    }
    fn sort_key(&self, st: &State, key: &str) -> Option<SortKey> {
        match key {
            "path" => Some(SortKey::Str(first_path(st, &self.file_ids))),
            _ => common_sort(&self.c, self.id, key),
        }
    }
    fn search_text(&self, st: &State) -> Vec<String> {
        let mut v = opt(&self.c.title);
        v.extend(opt(&self.c.details));
        v.extend(st.file_paths(&self.file_ids));
        v
    }
}

impl Row for Image {
    fn field(&self, st: &State, name: &str) -> Option<FieldValue> {
        match name {
            "id" => Some(FieldValue::Int(Some(self.id as i64))),
            "path" => Some(FieldValue::Strings(st.file_paths(&self.file_ids))),
            "file_count" => Some(FieldValue::Int(Some(self.file_ids.len() as i64))),
            "galleries" => Some(FieldValue::Ids(self.gallery_ids.clone())),
            _ => common_field(&self.c, name),
        }
    }
}

impl Findable for Image {
    const LABEL: &'static str = "image";
    const SORTS: &'static [&'static str] = &["title", "path", "date"];
    fn id(&self) -> Id {
        self.id
    }
    fn sort_key(&self, st: &State, key: &str) -> Option<SortKey> {
        match key {
            // As Stash orders images by path (and a gallery's images, which chapters count):
            // the primary file's folder path and basename run together (no separator),
            // `NATURAL_CI`, then the title (the id when untitled), `NATURAL_CI`.
            "path" => {
                let path = self
                    .file_ids
                    .first()
                    .and_then(|f| st.files.get(f))
                    .map(|f| {
                        let folder = st.folders.get(&f.folder_id).map(|d| d.path.as_str());
                        format!("{}{}", folder.unwrap_or_default(), f.basename)
                    })
                    .unwrap_or_default();
                let title = self.c.title.clone().unwrap_or_else(|| self.id.to_string());
                Some(SortKey::Natural(vec![NaturalCi(path), NaturalCi(title)]))
            }
            _ => common_sort(&self.c, self.id, key),
        }
    }
    fn search_text(&self, st: &State) -> Vec<String> {
        let mut v = opt(&self.c.title);
        v.extend(st.file_paths(&self.file_ids));
        v
    }
}

fn gallery_paths(st: &State, g: &Gallery) -> Vec<String> {
    let mut paths = st.file_paths(&g.file_ids);
    if let Some(f) = g.folder_id.and_then(|f| st.folders.get(&f)) {
        paths.push(f.path.clone());
    }
    paths
}

impl Row for Gallery {
    fn field(&self, st: &State, name: &str) -> Option<FieldValue> {
        match name {
            "id" => Some(FieldValue::Int(Some(self.id as i64))),
            "path" => Some(FieldValue::Strings(gallery_paths(st, self))),
            "file_count" => Some(FieldValue::Int(Some(self.file_ids.len() as i64))),
            "image_count" => Some(FieldValue::Int(
                Some(st.gallery_image_count(self.id) as i64),
            )),
            "scenes" => Some(FieldValue::Ids(
                st.gallery_scenes.get(&self.id).cloned().unwrap_or_default(),
            )),
            _ => common_field(&self.c, name),
        }
    }
}

impl Findable for Gallery {
    const LABEL: &'static str = "gallery";
    const SORTS: &'static [&'static str] = &["title", "path", "date"];
    fn id(&self) -> Id {
        self.id
    }
    fn sort_key(&self, st: &State, key: &str) -> Option<SortKey> {
        match key {
            "path" => Some(SortKey::Str(
                gallery_paths(st, self)
                    .into_iter()
                    .next()
                    .unwrap_or_default(),
            )),
            _ => common_sort(&self.c, self.id, key),
        }
    }
    fn search_text(&self, st: &State) -> Vec<String> {
        let mut v = opt(&self.c.title);
        v.extend(gallery_paths(st, self));
        v
    }
}

fn named_sort(id: Id, name: &str, created: &str, updated: &str, key: &str) -> Option<SortKey> {
    Some(match key {
        "id" => SortKey::Int(id as i64),
        "name" => SortKey::Str(name.to_lowercase()),
        "created_at" => SortKey::Str(created.to_owned()),
        "updated_at" => SortKey::Str(updated.to_owned()),
        _ => return None,
    })
}

impl Row for Performer {
    fn field(&self, _: &State, name: &str) -> Option<FieldValue> {
        Some(match name {
            "name" => FieldValue::Strings(vec![self.name.clone()]),
            "disambiguation" => FieldValue::Strings(opt(&self.disambiguation)),
            "details" => FieldValue::Strings(opt(&self.details)),
            "aliases" => FieldValue::Strings(self.aliases.clone()),
            "url" => FieldValue::Strings(self.urls.clone()),
            _ => return None,
        })
    }
}

impl Findable for Performer {
    const LABEL: &'static str = "performer";
    const SORTS: &'static [&'static str] = &["name"];
    fn id(&self) -> Id {
        self.id
    }
    fn sort_key(&self, _: &State, key: &str) -> Option<SortKey> {
        named_sort(self.id, &self.name, &self.created_at, &self.updated_at, key)
    }
    fn search_text(&self, _: &State) -> Vec<String> {
        let mut v = vec![self.name.clone()];
        v.extend(self.aliases.iter().cloned());
        v
    }
}

impl Row for Studio {
    fn field(&self, _: &State, name: &str) -> Option<FieldValue> {
        Some(match name {
            "name" => FieldValue::Strings(vec![self.name.clone()]),
            "details" => FieldValue::Strings(opt(&self.details)),
            "aliases" => FieldValue::Strings(self.aliases.clone()),
            "url" => FieldValue::Strings(self.urls.clone()),
            "parents" => FieldValue::Ids(self.parent_id.into_iter().collect::<BTreeSet<_>>()),
            _ => return None,
        })
    }
}

impl Findable for Studio {
    const LABEL: &'static str = "studio";
    const SORTS: &'static [&'static str] = &["name"];
    fn id(&self) -> Id {
        self.id
    }
    fn sort_key(&self, _: &State, key: &str) -> Option<SortKey> {
        named_sort(self.id, &self.name, &self.created_at, &self.updated_at, key)
    }
    fn search_text(&self, _: &State) -> Vec<String> {
        let mut v = vec![self.name.clone()];
        v.extend(self.aliases.iter().cloned());
        v
    }
}

impl Row for Tag {
    fn field(&self, _: &State, name: &str) -> Option<FieldValue> {
        Some(match name {
            "name" => FieldValue::Strings(vec![self.name.clone()]),
            "description" => FieldValue::Strings(opt(&self.description)),
            "aliases" => FieldValue::Strings(self.aliases.clone()),
            _ => return None,
        })
    }
}

impl Findable for Tag {
    const LABEL: &'static str = "tag";
    const SORTS: &'static [&'static str] = &["name"];
    fn id(&self) -> Id {
        self.id
    }
    fn sort_key(&self, _: &State, key: &str) -> Option<SortKey> {
        named_sort(self.id, &self.name, &self.created_at, &self.updated_at, key)
    }
    fn search_text(&self, _: &State) -> Vec<String> {
        let mut v = vec![self.name.clone()];
        v.extend(self.aliases.iter().cloned());
        v
    }
}

impl Row for File {
    fn field(&self, st: &State, name: &str) -> Option<FieldValue> {
        Some(match name {
            "path" => FieldValue::Strings(vec![st.file_path(self)]),
            "basename" => FieldValue::Strings(vec![self.basename.clone()]),
            "dir" => FieldValue::Strings(
                st.folders
                    .get(&self.folder_id)
                    .map(|f| f.path.clone())
                    .into_iter()
                    .collect(),
            ),
            _ => return None,
        })
    }
}

impl Findable for File {
    const LABEL: &'static str = "file";
    const SORTS: &'static [&'static str] = &["path", "basename"];
    fn id(&self) -> Id {
        self.id
    }
    fn sort_key(&self, st: &State, key: &str) -> Option<SortKey> {
        Some(match key {
            "id" => SortKey::Int(self.id as i64),
            "path" => SortKey::Str(st.file_path(self)),
            "basename" => SortKey::Str(self.basename.clone()),
            "created_at" => SortKey::Str(self.created_at.clone()),
            "updated_at" => SortKey::Str(self.updated_at.clone()),
            _ => return None,
        })
    }
    fn search_text(&self, st: &State) -> Vec<String> {
        vec![st.file_path(self)]
    }
}
