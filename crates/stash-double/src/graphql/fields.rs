//! The fields of each GraphQL object type the double serves, one resolver per type, as Stash
//! answers them (plain strings that read back `""` when unset, `null` for a missing object,
//! per-release quirks). [`Obj`]'s dispatch in `objects.rs` picks the resolver by node;
//! the root `Query` and `Mutation` fields live in `root_query.rs` and `root_mutation.rs`.
//!
//! Every resolver returns `None` for a field its type does not have (the caller turns that
//! into Stash's error).

use apollo_compiler::resolvers::{ResolveInfo, ResolvedValue};
use serde_json::{Value, json};

use super::objects::{Node, Obj, leaf, strings};
use crate::model::{Common, File, FileKind, Id, Job, JobStatus, State};

fn ids_nodes<'i>(ids: impl IntoIterator<Item = &'i Id>, f: fn(Id) -> Node) -> Vec<Node> {
    ids.into_iter().map(|i| f(*i)).collect()
}

/// Resolves the fields shared by scenes, images and galleries. Stash keeps `title`, `code`
/// and `details` as plain strings: unset, they read back `""`, never `null`.
fn common_field<'a, 'c: 'a>(obj: &Obj<'c>, c: &Common, field: &str) -> Option<ResolvedValue<'a>> {
    Some(match field {
        "title" => leaf(json!(c.title.as_deref().unwrap_or_default())),
        "code" => leaf(json!(c.code.as_deref().unwrap_or_default())),
        "details" => leaf(json!(c.details.as_deref().unwrap_or_default())),
        "urls" => strings(&c.urls),
        "date" => leaf(json!(c.date)),
        "organized" => leaf(json!(c.organized)),
        "created_at" => leaf(json!(c.created_at)),
        "updated_at" => leaf(json!(c.updated_at)),
        "studio" => ResolvedValue::nullable_object(c.studio_id.map(|s| obj.child(Node::Studio(s)))),
        "tags" => obj.list(ids_nodes(&c.tag_ids, Node::Tag)),
        "performers" => obj.list(ids_nodes(&c.performer_ids, Node::Performer)),
        _ => return None,
    })
}

impl<'c> Obj<'c> {
    /// `Scene`: a missing scene reads as `null`.
    pub(super) fn scene_field<'a>(
        &self,
        st: &State,
        id: Id,
        field: &str,
    ) -> Option<ResolvedValue<'a>>
    where
        'c: 'a,
    {
        let Some(s) = st.scenes.get(&id) else {
            return Some(ResolvedValue::null());
        };
        Some(match field {
            "id" => leaf(json!(s.id.to_string())),
            "files" => self.list(
                s.file_ids
                    .iter()
                    .map(|f| Node::File(*f, FileKind::Video))
                    .collect(),
            ),
            "galleries" => self.list(ids_nodes(&s.gallery_ids, Node::Gallery)),
            _ => return common_field(self, &s.c, field),
        })
    }

    /// `Image`: a missing image reads as `null`; before v0.28 an untitled image reads back
    /// its primary file's basename as its title.
    pub(super) fn image_field<'a>(
        &self,
        st: &State,
        id: Id,
        field: &str,
    ) -> Option<ResolvedValue<'a>>
    where
        'c: 'a,
    {
        let Some(i) = st.images.get(&id) else {
            return Some(ResolvedValue::null());
        };
        Some(match field {
            "id" => leaf(json!(i.id.to_string())),
            "title"
                if self.ctx.cfg.untitled_image_reads_basename()
                    && i.c.title.as_deref().unwrap_or_default().is_empty() =>
            {
                let basename = i
                    .file_ids
                    .first()
                    .and_then(|f| st.files.get(f))
                    .map(|f| f.basename.clone())
                    .unwrap_or_default();
                leaf(json!(basename))
            }
            "visual_files" => self.list(
                i.file_ids
                    .iter()
                    .filter_map(|f| st.files.get(f).map(|file| Node::File(*f, file.kind)))
                    .collect(),
            ),
            "galleries" => self.list(ids_nodes(&i.gallery_ids, Node::Gallery)),
            _ => return common_field(self, &i.c, field),
        })
    }

    /// `Gallery`: a missing gallery reads as `null`.
    pub(super) fn gallery_field<'a>(
        &self,
        st: &State,
        id: Id,
        field: &str,
    ) -> Option<ResolvedValue<'a>>
    where
        'c: 'a,
    {
        let Some(g) = st.galleries.get(&id) else {
            return Some(ResolvedValue::null());
        };
        Some(match field {
            "id" => leaf(json!(g.id.to_string())),
            "files" => self.list(
                g.file_ids
                    .iter()
                    .map(|f| Node::File(*f, FileKind::Gallery))
                    .collect(),
            ),
            "folder" => {
                ResolvedValue::nullable_object(g.folder_id.map(|f| self.child(Node::Folder(f))))
            }
            "chapters" => self.list(
                st.chapters
                    .values()
                    .filter(|c| c.gallery_id == g.id)
                    .map(|c| Node::Chapter(c.id))
                    .collect(),
            ),
            "scenes" => self.list(
                st.gallery_scenes
                    .get(&g.id)
                    .map(|s| ids_nodes(s, Node::Scene))
                    .unwrap_or_default(),
            ),
            "image_count" => leaf(json!(st.gallery_image_count(g.id))),
            _ => return common_field(self, &g.c, field),
        })
    }

    /// `GalleryChapter`.
    pub(super) fn chapter_field<'a>(
        &self,
        st: &State,
        id: Id,
        field: &str,
    ) -> Option<ResolvedValue<'a>>
    where
        'c: 'a,
    {
        let c = st.chapters.get(&id)?;
        Some(match field {
            "id" => leaf(json!(c.id.to_string())),
            "gallery" => ResolvedValue::object(self.child(Node::Gallery(c.gallery_id))),
            "title" => leaf(json!(c.title)),
            "image_index" => leaf(json!(c.image_index)),
            "created_at" => leaf(json!(c.created_at)),
            "updated_at" => leaf(json!(c.updated_at)),
            _ => return None,
        })
    }

    /// `Studio`: v0.27-v0.29 store one `url`; v0.30 keeps it as the first of `urls`.
    pub(super) fn studio_field<'a>(
        &self,
        st: &State,
        id: Id,
        field: &str,
    ) -> Option<ResolvedValue<'a>>
    where
        'c: 'a,
    {
        let s = st.studios.get(&id)?;
        Some(match field {
            "id" => leaf(json!(s.id.to_string())),
            "name" => leaf(json!(s.name)),
            "url" => leaf(json!(s.urls.first())),
            "urls" => strings(&s.urls),
            "parent_studio" => ResolvedValue::nullable_object(
                s.parent_id
                    .filter(|p| st.studios.contains_key(p))
                    .map(|p| self.child(Node::Studio(p))),
            ),
            "aliases" => strings(&s.aliases),
            "details" => leaf(json!(s.details)),
            "created_at" => leaf(json!(s.created_at)),
            "updated_at" => leaf(json!(s.updated_at)),
            _ => return None,
        })
    }

    /// `Folder`.
    pub(super) fn folder_field<'a>(
        &self,
        st: &State,
        id: Id,
        field: &str,
    ) -> Option<ResolvedValue<'a>>
    where
        'c: 'a,
    {
        let f = st.folders.get(&id)?;
        Some(match field {
            "id" => leaf(json!(f.id.to_string())),
            "path" => leaf(json!(f.path)),
            "parent_folder" => {
                ResolvedValue::nullable_object(f.parent_id.map(|p| self.child(Node::Folder(p))))
            }
            "mod_time" => leaf(json!(f.mod_time)),
            "created_at" => leaf(json!(f.created_at)),
            "updated_at" => leaf(json!(f.updated_at)),
            _ => return None,
        })
    }

    /// `VideoFile`, `ImageFile`, `GalleryFile`: what the double stores, plus the fixed media
    /// properties a scan would have probed.
    pub(super) fn file_field<'a>(
        &self,
        st: &State,
        id: Id,
        field: &str,
        info: &ResolveInfo<'_>,
    ) -> Option<ResolvedValue<'a>>
    where
        'c: 'a,
    {
        let f = st.files.get(&id)?;
        Some(match field {
            "id" => leaf(json!(f.id.to_string())),
            "path" => leaf(json!(st.file_path(f))),
            "basename" => leaf(json!(f.basename)),
            "parent_folder" => ResolvedValue::object(self.child(Node::Folder(f.folder_id))),
            "mod_time" => leaf(json!(f.mod_time)),
            "size" => leaf(json!(f.size)),
            "fingerprint" => {
                let wanted = info
                    .arguments()
                    .get("type")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default();
                leaf(json!(
                    fingerprints(f)
                        .into_iter()
                        .find(|(t, _)| *t == wanted)
                        .map(|(_, v)| v)
                ))
            }
            "fingerprints" => self.list(
                fingerprints(f)
                    .into_iter()
                    .map(|(t, v)| Node::Fingerprint(t, v))
                    .collect(),
            ),
            "created_at" => leaf(json!(f.created_at)),
            "updated_at" => leaf(json!(f.updated_at)),
            _ => return media_property(f, field),
        })
    }

    /// `Version`.
    pub(super) fn version_field<'a>(&self, field: &str) -> Option<ResolvedValue<'a>> {
        Some(match field {
            "version" => leaf(json!(self.ctx.cfg.version)),
            "hash" => leaf(json!(self.ctx.cfg.hash)),
            "build_time" => leaf(json!("2025-12-18 12:00:00")),
            _ => return None,
        })
    }

    /// `SystemStatus`: the database schema follows the status the test set.
    pub(super) fn system_status_field<'a>(
        &self,
        st: &State,
        field: &str,
    ) -> Option<ResolvedValue<'a>> {
        let cfg = &self.ctx.cfg;
        let status = st.status;
        Some(match field {
            "databaseSchema" => leaf(match status {
                crate::SystemStatusKind::Ok => json!(cfg.app_schema),
                crate::SystemStatusKind::NeedsMigration => json!(cfg.app_schema - 1),
                crate::SystemStatusKind::Setup => Value::Null,
            }),
            "databasePath" => leaf(json!("/stash-double/stash-go.sqlite")),
            "configPath" => leaf(json!("/stash-double/config.yml")),
            "appSchema" => leaf(json!(cfg.app_schema)),
            "status" => leaf(json!(status.as_graphql())),
            "os" => leaf(json!(std::env::consts::OS)),
            "workingDir" => leaf(json!("/stash-double")),
            "homeDir" => leaf(json!("/stash-double/home")),
            "ffmpegPath" => leaf(json!(cfg.ffmpeg.then_some("/usr/bin/ffmpeg"))),
            "ffprobePath" => leaf(json!(cfg.ffmpeg.then_some("/usr/bin/ffprobe"))),
            _ => return None,
        })
    }

    /// `ConfigResult` (only `general` and `plugins` are modelled).
    pub(super) fn config_field<'a>(
        &self,
        st: &State,
        field: &str,
        info: &ResolveInfo<'_>,
    ) -> Option<ResolvedValue<'a>>
    where
        'c: 'a,
    {
        Some(match field {
            "general" => ResolvedValue::object(self.child(Node::ConfigGeneral)),
            "plugins" => leaf(super::plugin_config::plugins(st, info)),
            _ => return None,
        })
    }

    /// `ConfigGeneralResult` (only `stashes`, the library paths, is modelled).
    pub(super) fn config_general_field<'a>(&self, field: &str) -> Option<ResolvedValue<'a>>
    where
        'c: 'a,
    {
        Some(match field {
            "stashes" => self.list(
                (0..self.ctx.cfg.library_roots.len())
                    .map(Node::LibraryPath)
                    .collect(),
            ),
            _ => return None,
        })
    }

    /// `StashConfig`: one library path; the double scans videos and images in every library.
    pub(super) fn library_path_field<'a>(
        &self,
        index: usize,
        field: &str,
    ) -> Option<ResolvedValue<'a>> {
        let root = self.ctx.cfg.library_roots.get(index)?;
        Some(match field {
            "path" => leaf(json!(root.to_string_lossy())),
            "excludeVideo" | "excludeImage" => leaf(json!(false)),
            _ => return None,
        })
    }
}

/// `Performer`.
pub(super) fn performer_field<'a>(st: &State, id: Id, field: &str) -> Option<ResolvedValue<'a>> {
    let p = st.performers.get(&id)?;
    Some(match field {
        "id" => leaf(json!(p.id.to_string())),
        "name" => leaf(json!(p.name)),
        "disambiguation" => leaf(json!(p.disambiguation)),
        "urls" => strings(&p.urls),
        "alias_list" => strings(&p.aliases),
        "details" => leaf(json!(p.details)),
        "created_at" => leaf(json!(p.created_at)),
        "updated_at" => leaf(json!(p.updated_at)),
        _ => return None,
    })
}

/// `Tag`.
pub(super) fn tag_field<'a>(st: &State, id: Id, field: &str) -> Option<ResolvedValue<'a>> {
    let t = st.tags.get(&id)?;
    Some(match field {
        "id" => leaf(json!(t.id.to_string())),
        "name" => leaf(json!(t.name)),
        "description" => leaf(json!(t.description)),
        "aliases" => strings(&t.aliases),
        "created_at" => leaf(json!(t.created_at)),
        "updated_at" => leaf(json!(t.updated_at)),
        _ => return None,
    })
}

/// `Fingerprint`.
pub(super) fn fingerprint_field<'a>(
    kind: &str,
    value: &str,
    field: &str,
) -> Option<ResolvedValue<'a>> {
    Some(match field {
        "type" => leaf(json!(kind)),
        "value" => leaf(json!(value)),
        _ => return None,
    })
}

/// `Job`: a running scan names the file it is at in `subTasks`; none while queued or once
/// it ended.
pub(super) fn job_field<'a>(job: &Job, field: &str) -> Option<ResolvedValue<'a>> {
    Some(match field {
        "id" => leaf(json!(job.id.to_string())),
        "status" => leaf(json!(job.status.as_graphql())),
        "subTasks" => match &job.sub_task {
            Some(t) if job.status == JobStatus::Running => strings(std::slice::from_ref(t)),
            _ => ResolvedValue::null(),
        },
        "description" => leaf(json!(job.description)),
        "progress" => leaf(json!(job.progress)),
        "startTime" => leaf(json!(job.start_time)),
        "endTime" => leaf(json!(job.end_time)),
        "addTime" => leaf(json!(job.add_time)),
        "error" => leaf(json!(job.error)),
        _ => return None,
    })
}

/// The media properties of a file the double does not probe: fixed, plausible values (the
/// format from the extension).
fn media_property<'a>(f: &File, field: &str) -> Option<ResolvedValue<'a>> {
    let video = f.kind == FileKind::Video;
    Some(match field {
        "format" => leaf(json!(
            f.basename
                .rsplit('.')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase()
        )),
        "width" => leaf(json!(if video { 1920 } else { 1080 })),
        "height" => leaf(json!(if video { 1080 } else { 1350 })),
        "duration" => leaf(json!(10.0)),
        "video_codec" => leaf(json!("h264")),
        "audio_codec" => leaf(json!("aac")),
        "frame_rate" => leaf(json!(30.0)),
        "bit_rate" => leaf(json!(2_000_000)),
        _ => return None,
    })
}

/// A file's fingerprints as Stash computes them by default: oshash (+md5) for videos, md5
/// for images and gallery files.
fn fingerprints(f: &File) -> Vec<(&'static str, String)> {
    match f.kind {
        FileKind::Video => vec![("oshash", f.oshash.clone()), ("md5", f.md5.clone())],
        FileKind::Image | FileKind::Gallery => vec![("md5", f.md5.clone())],
    }
}
