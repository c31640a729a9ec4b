//! GraphQL object values over the in-memory state: every Stash type the subset declares,
//! resolved field by field for apollo-compiler's executor (which handles aliases,
//! fragments, `__typename` and result coercion).

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::JsonValue;
use serde_json::{Value, json};

use crate::config::DoubleConfig;
use crate::model::{FileKind, Id, Job, State};

/// Everything resolvers need for one request. The state is moved in for the duration of
/// execution (the caller holds the lock) and moved back afterwards.
pub(crate) struct Ctx {
    pub st: RefCell<State>,
    pub cfg: Arc<DoubleConfig>,
    /// Objects written by this request's mutations.
    pub writes: Cell<u64>,
    /// Fault: every root field fails with `database is locked`.
    pub db_locked: bool,
    /// Jobs queued by this request (`metadataScan`), started once the state is back.
    pub queued_jobs: RefCell<Vec<Id>>,
}

/// Which list a `Find*ResultType` carries.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Scene,
    Image,
    Gallery,
    Performer,
    Studio,
    Tag,
    File,
}

pub(crate) enum Node {
    Query,
    Mutation,
    Scene(Id),
    Image(Id),
    Gallery(Id),
    Chapter(Id),
    Performer(Id),
    Studio(Id),
    Tag(Id),
    Folder(Id),
    File(Id, FileKind),
    Fingerprint(&'static str, String),
    Find {
        type_name: &'static str,
        kind: Kind,
        count: usize,
        ids: Vec<Id>,
    },
    Job(Box<Job>),
    Version,
    SystemStatus,
    /// `configuration` (only `general` is modelled).
    Config,
    /// `configuration.general` (only `stashes` is modelled).
    ConfigGeneral,
    /// One library path (`StashConfig`): the index into the configured library roots.
    LibraryPath(usize),
}

/// One GraphQL object.
pub(crate) struct Obj<'c> {
    pub ctx: &'c Ctx,
    pub node: Node,
}

pub(crate) fn leaf<'a>(v: Value) -> ResolvedValue<'a> {
    ResolvedValue::Leaf(JsonValue::from(v))
}

/// A list of strings (list types must resolve to lists, not JSON arrays).
pub(crate) fn strings<'a>(items: &[String]) -> ResolvedValue<'a> {
    ResolvedValue::list(items.iter().map(|s| leaf(json!(s))).collect::<Vec<_>>())
}

pub(crate) fn ferr(message: impl Into<String>) -> FieldError {
    FieldError {
        message: message.into(),
    }
}

impl<'c> Obj<'c> {
    pub fn new(ctx: &'c Ctx, node: Node) -> Self {
        Self { ctx, node }
    }

    pub fn child(&self, node: Node) -> Obj<'c> {
        Obj {
            ctx: self.ctx,
            node,
        }
    }

    pub fn list<'a>(&self, nodes: Vec<Node>) -> ResolvedValue<'a>
    where
        'c: 'a,
    {
        let ctx = self.ctx;
        ResolvedValue::list(
            nodes
                .into_iter()
                .map(move |n| ResolvedValue::object(Obj { ctx, node: n })),
        )
    }

    pub fn nodes_of(kind: Kind, ids: &[Id], st: &State) -> Vec<Node> {
        ids.iter()
            .filter_map(|id| {
                Some(match kind {
                    Kind::Scene => Node::Scene(*id),
                    Kind::Image => Node::Image(*id),
                    Kind::Gallery => Node::Gallery(*id),
                    Kind::Performer => Node::Performer(*id),
                    Kind::Studio => Node::Studio(*id),
                    Kind::Tag => Node::Tag(*id),
                    Kind::File => Node::File(*id, st.files.get(id)?.kind),
                })
            })
            .collect()
    }
}

fn ids_nodes<'i>(ids: impl IntoIterator<Item = &'i Id>, f: fn(Id) -> Node) -> Vec<Node> {
    ids.into_iter().map(|i| f(*i)).collect()
}

/// Resolves the fields shared by scenes, images and galleries. Stash keeps `title`, `code`
/// and `details` as plain strings: unset, they read back `""`, never `null`.
fn common_field<'a, 'c: 'a>(
    obj: &Obj<'c>,
    c: &crate::model::Common,
    field: &str,
) -> Option<ResolvedValue<'a>> {
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

impl ObjectValue for Obj<'_> {
    fn type_name(&self) -> &str {
        match &self.node {
            Node::Query => "Query",
            Node::Mutation => "Mutation",
            Node::Scene(_) => "Scene",
            Node::Image(_) => "Image",
            Node::Gallery(_) => "Gallery",
            Node::Chapter(_) => "GalleryChapter",
            Node::Performer(_) => "Performer",
            Node::Studio(_) => "Studio",
            Node::Tag(_) => "Tag",
            Node::Folder(_) => "Folder",
            Node::File(_, kind) => kind.type_name(),
            Node::Fingerprint(..) => "Fingerprint",
            Node::Find { type_name, .. } => type_name,
            Node::Job(_) => "Job",
            Node::Version => "Version",
            Node::SystemStatus => "SystemStatus",
            Node::Config => "ConfigResult",
            Node::ConfigGeneral => "ConfigGeneralResult",
            Node::LibraryPath(_) => "StashConfig",
        }
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        let field = info.field_name();
        match &self.node {
            Node::Query => crate::graphql::root_query::resolve(self, info),
            Node::Mutation => crate::graphql::root_mutation::resolve(self, info),
            _ => {
                let st = self.ctx.st.borrow();
                let value = self.resolve_entity_field(&st, field, info);
                drop(st);
                value.ok_or_else(|| self.unknown_field_error(info))
            }
        }
    }
}

impl<'c> Obj<'c> {
    fn resolve_entity_field<'a>(
        &self,
        st: &State,
        field: &str,
        info: &ResolveInfo<'_>,
    ) -> Option<ResolvedValue<'a>>
    where
        'c: 'a,
    {
        Some(match &self.node {
            Node::Scene(id) => {
                let Some(s) = st.scenes.get(id) else {
                    return Some(ResolvedValue::null());
                };
                match field {
                    "id" => leaf(json!(s.id.to_string())),
                    "files" => self.list(
                        s.file_ids
                            .iter()
                            .map(|f| Node::File(*f, FileKind::Video))
                            .collect(),
                    ),
                    "galleries" => self.list(ids_nodes(&s.gallery_ids, Node::Gallery)),
                    _ => return common_field(self, &s.c, field),
                }
            }
            Node::Image(id) => {
                let Some(i) = st.images.get(id) else {
                    return Some(ResolvedValue::null());
                };
                match field {
                    "id" => leaf(json!(i.id.to_string())),
                    // Before v0.28 an untitled image reads back its primary file's basename.
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
                }
            }
            Node::Gallery(id) => {
                let Some(g) = st.galleries.get(id) else {
                    return Some(ResolvedValue::null());
                };
                match field {
                    "id" => leaf(json!(g.id.to_string())),
                    "files" => self.list(
                        g.file_ids
                            .iter()
                            .map(|f| Node::File(*f, FileKind::Gallery))
                            .collect(),
                    ),
                    "folder" => ResolvedValue::nullable_object(
                        g.folder_id.map(|f| self.child(Node::Folder(f))),
                    ),
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
                }
            }
            Node::Chapter(id) => {
                let c = st.chapters.get(id)?;
                match field {
                    "id" => leaf(json!(c.id.to_string())),
                    "gallery" => ResolvedValue::object(self.child(Node::Gallery(c.gallery_id))),
                    "title" => leaf(json!(c.title)),
                    "image_index" => leaf(json!(c.image_index)),
                    "created_at" => leaf(json!(c.created_at)),
                    "updated_at" => leaf(json!(c.updated_at)),
                    _ => return None,
                }
            }
            Node::Performer(id) => {
                let p = st.performers.get(id)?;
                match field {
                    "id" => leaf(json!(p.id.to_string())),
                    "name" => leaf(json!(p.name)),
                    "disambiguation" => leaf(json!(p.disambiguation)),
                    "urls" => strings(&p.urls),
                    "alias_list" => strings(&p.aliases),
                    "details" => leaf(json!(p.details)),
                    "created_at" => leaf(json!(p.created_at)),
                    "updated_at" => leaf(json!(p.updated_at)),
                    _ => return None,
                }
            }
            Node::Studio(id) => {
                let s = st.studios.get(id)?;
                match field {
                    "id" => leaf(json!(s.id.to_string())),
                    "name" => leaf(json!(s.name)),
                    // v0.27-v0.29 store one `url`; v0.30 keeps it as the first of `urls`.
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
                }
            }
            Node::Tag(id) => {
                let t = st.tags.get(id)?;
                match field {
                    "id" => leaf(json!(t.id.to_string())),
                    "name" => leaf(json!(t.name)),
                    "description" => leaf(json!(t.description)),
                    "aliases" => strings(&t.aliases),
                    "created_at" => leaf(json!(t.created_at)),
                    "updated_at" => leaf(json!(t.updated_at)),
                    _ => return None,
                }
            }
            Node::Folder(id) => {
                let f = st.folders.get(id)?;
                match field {
                    "id" => leaf(json!(f.id.to_string())),
                    "path" => leaf(json!(f.path)),
                    "parent_folder" => ResolvedValue::nullable_object(
                        f.parent_id.map(|p| self.child(Node::Folder(p))),
                    ),
                    "mod_time" => leaf(json!(f.mod_time)),
                    "created_at" => leaf(json!(f.created_at)),
                    "updated_at" => leaf(json!(f.updated_at)),
                    _ => return None,
                }
            }
            Node::File(id, _) => {
                let f = st.files.get(id)?;
                let ext = f
                    .basename
                    .rsplit('.')
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                match field {
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
                    "format" => leaf(json!(ext)),
                    "width" => leaf(json!(if f.kind == FileKind::Video {
                        1920
                    } else {
                        1080
                    })),
                    "height" => leaf(json!(if f.kind == FileKind::Video {
                        1080
                    } else {
                        1350
                    })),
                    "duration" => leaf(json!(10.0)),
                    "video_codec" => leaf(json!("h264")),
                    "audio_codec" => leaf(json!("aac")),
                    "frame_rate" => leaf(json!(30.0)),
                    "bit_rate" => leaf(json!(2_000_000)),
                    "created_at" => leaf(json!(f.created_at)),
                    "updated_at" => leaf(json!(f.updated_at)),
                    _ => return None,
                }
            }
            Node::Fingerprint(t, v) => match field {
                "type" => leaf(json!(t)),
                "value" => leaf(json!(v)),
                _ => return None,
            },
            Node::Find {
                kind, count, ids, ..
            } => match field {
                "count" => leaf(json!(count)),
                _ => self.list(Obj::nodes_of(*kind, ids, st)),
            },
            Node::Job(job) => match field {
                "id" => leaf(json!(job.id.to_string())),
                "status" => leaf(json!(job.status.as_graphql())),
                // The file a running scan is at; none while queued or once it ended.
                "subTasks" => match &job.sub_task {
                    Some(t) if job.status == crate::model::JobStatus::Running => {
                        strings(std::slice::from_ref(t))
                    }
                    _ => ResolvedValue::null(),
                },
                "description" => leaf(json!(job.description)),
                "progress" => leaf(json!(job.progress)),
                "startTime" => leaf(json!(job.start_time)),
                "endTime" => leaf(json!(job.end_time)),
                "addTime" => leaf(json!(job.add_time)),
                "error" => leaf(json!(job.error)),
                _ => return None,
            },
            Node::Version => match field {
                "version" => leaf(json!(self.ctx.cfg.version)),
                "hash" => leaf(json!(self.ctx.cfg.hash)),
                "build_time" => leaf(json!("2025-12-18 12:00:00")),
                _ => return None,
            },
            Node::SystemStatus => {
                let cfg = &self.ctx.cfg;
                let status = st.status;
                match field {
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
                }
            }
            Node::Config => match field {
                "general" => ResolvedValue::object(self.child(Node::ConfigGeneral)),
                "plugins" => leaf(super::plugin_config::plugins(st, info)),
                _ => return None,
            },
            Node::ConfigGeneral => match field {
                "stashes" => self.list(
                    (0..self.ctx.cfg.library_roots.len())
                        .map(Node::LibraryPath)
                        .collect(),
                ),
                _ => return None,
            },
            Node::LibraryPath(i) => {
                let root = self.ctx.cfg.library_roots.get(*i)?;
                match field {
                    "path" => leaf(json!(root.to_string_lossy())),
                    // The double scans videos and images in every library.
                    "excludeVideo" | "excludeImage" => leaf(json!(false)),
                    _ => return None,
                }
            }
            Node::Query | Node::Mutation => return None,
        })
    }
}

/// A file's fingerprints as Stash computes them by default: oshash (+md5) for videos, md5
/// for images and gallery files.
fn fingerprints(f: &crate::model::File) -> Vec<(&'static str, String)> {
    match f.kind {
        FileKind::Video => vec![("oshash", f.oshash.clone()), ("md5", f.md5.clone())],
        FileKind::Image | FileKind::Gallery => vec![("md5", f.md5.clone())],
    }
}
