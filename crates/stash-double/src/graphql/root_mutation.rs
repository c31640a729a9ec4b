//! The `Mutation` root: each field is its own transaction (validate, then write), run in
//! document order by the executor.

use apollo_compiler::resolvers::{FieldError, ResolveInfo, ResolvedValue};
use serde_json::{Map, Value, json};

use super::objects::{Node, Obj, ferr, leaf};
use crate::model::Id;
use crate::write::update::{Target, add_gallery_images, update_many};
use crate::write::{bulk, create};

fn input(info: &ResolveInfo<'_>) -> Value {
    serde_json::to_value(info.arguments())
        .ok()
        .and_then(|v| v.get("input").cloned())
        .unwrap_or(Value::Null)
}

fn object_input(v: &Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn node_for(target: Target, id: Id) -> Node {
    match target {
        Target::Scene => Node::Scene(id),
        Target::Image => Node::Image(id),
        Target::Gallery => Node::Gallery(id),
    }
}

/// `stopJob`: true whatever the job (a finished or unknown one is left as it is).
fn stop_job<'a>(obj: &Obj<'_>, info: &ResolveInfo<'_>) -> Result<ResolvedValue<'a>, FieldError> {
    let args = serde_json::to_value(info.arguments()).unwrap_or(Value::Null);
    let id =
        crate::graphql::args::parse_id(args.get("job_id").unwrap_or(&Value::Null)).map_err(ferr)?;
    obj.ctx.st.borrow_mut().jobs.stop(id);
    Ok(leaf(json!(true)))
}

/// `metadataScan`: queues a scan job of the given paths (all libraries when none); refused
/// without ffmpeg, as Stash does.
fn metadata_scan<'a>(obj: &Obj<'_>, arg: &Value) -> Result<ResolvedValue<'a>, FieldError> {
    let ctx = obj.ctx;
    if !ctx.cfg.ffmpeg {
        return Err(ferr("missing ffmpeg and/or ffprobe"));
    }
    let paths = arg
        .get("paths")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(std::path::PathBuf::from)
                .collect()
        })
        .unwrap_or_default();
    let id = ctx.st.borrow_mut().jobs.add("Scanning...", paths);
    ctx.queued_jobs.borrow_mut().push(id);
    Ok(leaf(json!(id.to_string())))
}

pub(crate) fn resolve<'a, 'c: 'a>(
    obj: &'a Obj<'c>,
    info: &'a ResolveInfo<'a>,
) -> Result<ResolvedValue<'a>, FieldError> {
    let ctx = obj.ctx;
    if ctx.db_locked {
        return Err(ferr("beginning transaction: database is locked"));
    }
    let arg = input(info);
    let written = |n: usize| ctx.writes.set(ctx.writes.get() + n as u64);
    let single = |target: Target| -> Result<ResolvedValue<'a>, FieldError> {
        let map = object_input(&arg);
        let ids = update_many(&mut ctx.st.borrow_mut(), &ctx.cfg, target, &[&map]).map_err(ferr)?;
        written(ids.len());
        Ok(ResolvedValue::nullable_object(
            ids.first().map(|id| obj.child(node_for(target, *id))),
        ))
    };
    let plural = |target: Target| -> Result<ResolvedValue<'a>, FieldError> {
        let maps: Vec<Map<String, Value>> = arg
            .as_array()
            .map(|a| a.iter().map(object_input).collect())
            .unwrap_or_default();
        let refs: Vec<&Map<String, Value>> = maps.iter().collect();
        let ids = update_many(&mut ctx.st.borrow_mut(), &ctx.cfg, target, &refs).map_err(ferr)?;
        written(ids.len());
        Ok(obj.list(ids.into_iter().map(|id| node_for(target, id)).collect()))
    };
    let bulk_run = |target: Target| -> Result<ResolvedValue<'a>, FieldError> {
        let text = crate::graphql::args::Strings::of(&ctx.cfg);
        let ids = bulk::bulk_update(&mut ctx.st.borrow_mut(), text, target, &object_input(&arg))
            .map_err(ferr)?;
        written(ids.len());
        Ok(obj.list(ids.into_iter().map(|id| node_for(target, id)).collect()))
    };
    let created = |id: Id, node: fn(Id) -> Node| {
        written(1);
        ResolvedValue::object(obj.child(node(id)))
    };
    match info.field_name() {
        "performerCreate" => {
            let id = create::performer(&mut ctx.st.borrow_mut(), &ctx.cfg, &object_input(&arg))
                .map_err(ferr)?;
            Ok(created(id, Node::Performer))
        }
        "studioCreate" => {
            let id = create::studio(&mut ctx.st.borrow_mut(), &ctx.cfg, &object_input(&arg))
                .map_err(ferr)?;
            Ok(created(id, Node::Studio))
        }
        "tagCreate" => {
            let id = create::tag(&mut ctx.st.borrow_mut(), &ctx.cfg, &object_input(&arg))
                .map_err(ferr)?;
            Ok(created(id, Node::Tag))
        }
        "galleryCreate" => {
            let id = create::gallery(&mut ctx.st.borrow_mut(), &ctx.cfg, &object_input(&arg))
                .map_err(ferr)?;
            Ok(created(id, Node::Gallery))
        }
        "galleryChapterCreate" => {
            let id =
                create::chapter(&mut ctx.st.borrow_mut(), &object_input(&arg)).map_err(ferr)?;
            Ok(created(id, Node::Chapter))
        }
        "sceneUpdate" => single(Target::Scene),
        "imageUpdate" => single(Target::Image),
        "galleryUpdate" => single(Target::Gallery),
        "scenesUpdate" => plural(Target::Scene),
        "imagesUpdate" => plural(Target::Image),
        "galleriesUpdate" => plural(Target::Gallery),
        "bulkSceneUpdate" => bulk_run(Target::Scene),
        "bulkImageUpdate" => bulk_run(Target::Image),
        "bulkGalleryUpdate" => bulk_run(Target::Gallery),
        "addGalleryImages" => {
            add_gallery_images(&mut ctx.st.borrow_mut(), &object_input(&arg)).map_err(ferr)?;
            written(1);
            Ok(leaf(json!(true)))
        }
        "configurePlugin" => {
            let settings =
                super::plugin_config::configure(&mut ctx.st.borrow_mut(), info).map_err(ferr)?;
            Ok(leaf(settings))
        }
        "metadataScan" => metadata_scan(obj, &arg),
        "stopJob" => stop_job(obj, info),
        other => Err(ferr(format!(
            "field {other} is not implemented by the double"
        ))),
    }
}
