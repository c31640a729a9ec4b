//! GraphQL object values over the in-memory state: every Stash type the subset declares,
//! resolved field by field for apollo-compiler's executor (which handles aliases,
//! fragments, `__typename` and result coercion). This file holds the object handle ([`Obj`]:
//! a [`Node`] in the request's [`Ctx`]) and picks each node's resolver; the fields of each
//! type are in `fields.rs`.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::JsonValue;
use serde_json::{Value, json};

use super::fields;
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
    /// A field of an entity, a list result or a settings object: the node's own resolver
    /// (in [`super::fields`]). `None` for a field the type does not have; a missing scene,
    /// image or gallery reads as `null`.
    fn resolve_entity_field<'a>(
        &self,
        st: &State,
        field: &str,
        info: &ResolveInfo<'_>,
    ) -> Option<ResolvedValue<'a>>
    where
        'c: 'a,
    {
        match &self.node {
            Node::Scene(id) => self.scene_field(st, *id, field),
            Node::Image(id) => self.image_field(st, *id, field),
            Node::Gallery(id) => self.gallery_field(st, *id, field),
            Node::Chapter(id) => self.chapter_field(st, *id, field),
            Node::Performer(id) => fields::performer_field(st, *id, field),
            Node::Studio(id) => self.studio_field(st, *id, field),
            Node::Tag(id) => fields::tag_field(st, *id, field),
            Node::Folder(id) => self.folder_field(st, *id, field),
            Node::File(id, _) => self.file_field(st, *id, field, info),
            Node::Fingerprint(t, v) => fields::fingerprint_field(t, v, field),
            Node::Find {
                kind, count, ids, ..
            } => Some(match field {
                "count" => leaf(json!(count)),
                _ => self.list(Obj::nodes_of(*kind, ids, st)),
            }),
            Node::Job(job) => fields::job_field(job, field),
            Node::Version => self.version_field(field),
            Node::SystemStatus => self.system_status_field(st, field),
            Node::Config => self.config_field(st, field, info),
            Node::ConfigGeneral => self.config_general_field(field),
            Node::LibraryPath(i) => self.library_path_field(*i, field),
            Node::Query | Node::Mutation => None,
        }
    }
}
