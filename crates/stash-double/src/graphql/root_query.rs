//! The `Query` root: `find*` lookups, jobs, `version`, `systemStatus`, and the library paths
//! of `configuration`.

use apollo_compiler::resolvers::{FieldError, ResolveInfo, ResolvedValue};
use serde_json::Value;

use super::args::parse_id;
use super::objects::{Kind, Node, Obj, ferr};
use crate::model::{Id, State};
use crate::query::find::{Findable, Page, find};

fn arguments(info: &ResolveInfo<'_>) -> serde_json::Map<String, Value> {
    match serde_json::to_value(info.arguments()) {
        Ok(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    }
}

fn run_find<T: Findable>(
    obj: &Obj<'_>,
    st: &State,
    rows: &std::collections::BTreeMap<Id, T>,
    args: &serde_json::Map<String, Value>,
    filter_arg: &str,
) -> Result<Page, FieldError> {
    find(
        st,
        rows,
        args.get("ids"),
        args.get(filter_arg),
        args.get("filter"),
        obj.ctx.cfg.checks_id_lists(),
    )
    .map_err(ferr)
}

pub(crate) fn resolve<'a, 'c: 'a>(
    obj: &'a Obj<'c>,
    info: &'a ResolveInfo<'a>,
) -> Result<ResolvedValue<'a>, FieldError> {
    if obj.ctx.db_locked {
        return Err(ferr("beginning transaction: database is locked"));
    }
    let args = arguments(info);
    let st = obj.ctx.st.borrow();
    let found = |type_name: &'static str, kind: Kind, page: Page| {
        ResolvedValue::object(obj.child(Node::Find {
            type_name,
            kind,
            count: page.count,
            ids: page.ids,
        }))
    };
    let value = match info.field_name() {
        "findScenes" => found(
            "FindScenesResultType",
            Kind::Scene,
            run_find(obj, &st, &st.scenes, &args, "scene_filter")?,
        ),
        "findImages" => found(
            "FindImagesResultType",
            Kind::Image,
            run_find(obj, &st, &st.images, &args, "image_filter")?,
        ),
        "findGalleries" => found(
            "FindGalleriesResultType",
            Kind::Gallery,
            run_find(obj, &st, &st.galleries, &args, "gallery_filter")?,
        ),
        "findPerformers" => found(
            "FindPerformersResultType",
            Kind::Performer,
            run_find(obj, &st, &st.performers, &args, "performer_filter")?,
        ),
        "findStudios" => found(
            "FindStudiosResultType",
            Kind::Studio,
            run_find(obj, &st, &st.studios, &args, "studio_filter")?,
        ),
        "findTags" => found(
            "FindTagsResultType",
            Kind::Tag,
            run_find(obj, &st, &st.tags, &args, "tag_filter")?,
        ),
        "findFiles" => found(
            "FindFilesResultType",
            Kind::File,
            run_find(obj, &st, &st.files, &args, "file_filter")?,
        ),
        "findScene" => {
            let id = lookup_one(
                &st,
                &args,
                |st, id| st.scenes.contains_key(&id),
                |st, sum| {
                    owner_by_checksum(st, sum).and_then(|o| match o {
                        crate::model::Owner::Scene(id) => Some(id),
                        _ => None,
                    })
                },
            )?;
            ResolvedValue::nullable_object(id.map(|i| obj.child(Node::Scene(i))))
        }
        "findImage" => {
            let id = lookup_one(
                &st,
                &args,
                |st, id| st.images.contains_key(&id),
                |st, sum| {
                    owner_by_checksum(st, sum).and_then(|o| match o {
                        crate::model::Owner::Image(id) => Some(id),
                        _ => None,
                    })
                },
            )?;
            ResolvedValue::nullable_object(id.map(|i| obj.child(Node::Image(i))))
        }
        "findGallery" => {
            let id = args.get("id").map(parse_id).transpose().map_err(ferr)?;
            ResolvedValue::nullable_object(
                id.filter(|i| st.galleries.contains_key(i))
                    .map(|i| obj.child(Node::Gallery(i))),
            )
        }
        "findJob" => {
            let id = args
                .get("input")
                .and_then(|i| i.get("id"))
                .map(parse_id)
                .transpose()
                .map_err(ferr)?;
            let job = id.and_then(|i| st.jobs.find(i)).cloned();
            ResolvedValue::nullable_object(job.map(|j| obj.child(Node::Job(Box::new(j)))))
        }
        "jobQueue" => {
            if st.jobs.active.is_empty() {
                ResolvedValue::null()
            } else {
                obj.list(
                    st.jobs
                        .active
                        .values()
                        .map(|j| Node::Job(Box::new(j.clone())))
                        .collect(),
                )
            }
        }
        "version" => ResolvedValue::object(obj.child(Node::Version)),
        "systemStatus" => ResolvedValue::object(obj.child(Node::SystemStatus)),
        "configuration" => ResolvedValue::object(obj.child(Node::Config)),
        _ => {
            return Err(ferr(format!(
                "field {} is not implemented by the double",
                info.field_name()
            )));
        }
    };
    Ok(value)
}

fn lookup_one(
    st: &State,
    args: &serde_json::Map<String, Value>,
    exists: impl Fn(&State, Id) -> bool,
    by_checksum: impl Fn(&State, &str) -> Option<Id>,
) -> Result<Option<Id>, FieldError> {
    if let Some(v) = args.get("id").filter(|v| !v.is_null()) {
        let id = parse_id(v).map_err(ferr)?;
        return Ok(exists(st, id).then_some(id));
    }
    if let Some(sum) = args.get("checksum").and_then(Value::as_str) {
        return Ok(by_checksum(st, sum));
    }
    Ok(None)
}

fn owner_by_checksum(st: &State, sum: &str) -> Option<crate::model::Owner> {
    st.files
        .values()
        .find(|f| f.md5 == sum || f.oshash == sum)
        .and_then(|f| st.file_owner.get(&f.id).copied())
}
