//! Test-only: every GraphQL document this crate can send (single and aliased), with variables
//! setting every input field it ever sets, validated against the REAL schema of every Stash
//! release the README supports (`../shared/upstream/stash-schema-*`), with the version gates
//! applied: a document goes only to the releases the adapter would send it to
//! ([`StudioUrls`], [`ServerInfo::performer_urls`], [`ServerInfo::partial_dates`]). A failure
//! names the release, the document and what is wrong.
//!
//! Variables are checked too (a document can be valid while its input object carries a field
//! the release lacks, e.g. studio `urls` before v0.30), and so are the dates sent before
//! appSchema 75 (full dates only). [`every_operation_is_in_the_catalog`] keeps the catalog
//! complete: an operation added to `ops/` without an entry here fails it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use apollo_compiler::ast::Type;
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::{ExecutableDocument, Schema, validation::Valid};
use cynic::{MutationBuilder, QueryBuilder};
use domain::FuzzyDate;
use domain::Patch;
use domain::ids::{GalleryId, ImageId, PerformerId, SceneId, StudioId, TagId};
use domain::stash::{
    GalleryPatch, NewGallery, PerformerSpec, ServerInfo, ServerStatus, StampPatch, StudioSpec,
};
use serde::Serialize;
use serde_json::Value;

use crate::aliased::AliasedDocument;
use crate::convert;
use crate::creates::gallery_create_input;
use crate::entities::{StudioUrls, performer_create_input};
use crate::ops::inputs::*;
use crate::ops::mutations::*;
use crate::ops::queries::*;

/// The supported releases: version, appSchema, schema folder under `../shared/upstream/`.
const RELEASES: [(&str, i32, &str); 5] = [
    ("v0.27.2", 68, "stash-schema-v0.27.2"),
    ("v0.28.1", 72, "stash-schema-v0.28.1"),
    ("v0.29.3", 72, "stash-schema-v0.29.3"),
    ("v0.30.1", 75, "stash-schema-v0.30.1"),
    ("v0.30.1-19-gcf3489efd", 75, "stash-schema-develop-cf3489e"),
];

fn shared() -> PathBuf {
    match std::env::var_os("FANSLY_STASH_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

fn upstream(folder: &str) -> Valid<Schema> {
    let dir = shared().join("upstream").join(folder);
    let mut builder = Schema::builder().adopt_orphan_extensions();
    let main = dir.join("schema.graphql");
    builder = builder.parse(std::fs::read_to_string(&main).unwrap(), &main);
    let mut types: Vec<PathBuf> = std::fs::read_dir(dir.join("types"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "graphql"))
        .collect();
    types.sort();
    for p in types {
        builder = builder.parse(std::fs::read_to_string(&p).unwrap(), &p);
    }
    builder.build().unwrap().validate().unwrap()
}

fn info(version: &str, app_schema: i32) -> ServerInfo {
    ServerInfo {
        version: version.into(),
        app_schema,
        database_schema: Some(app_schema),
        status: ServerStatus::Ok,
        ffmpeg_path: None,
        ffprobe_path: None,
    }
}

/// One document as it goes on the wire.
struct Doc {
    name: String,
    query: String,
    variables: Value,
}

fn doc<Q, V: Serialize>(name: &str, op: cynic::Operation<Q, V>) -> Doc {
    Doc {
        name: name.to_owned(),
        variables: serde_json::to_value(&op.variables).unwrap(),
        query: op.query,
    }
}

fn aliased<Q, V: Serialize>(name: &str, ops: Vec<cynic::Operation<Q, V>>) -> Doc {
    let d = AliasedDocument::build(name, ops).unwrap();
    Doc {
        name: name.to_owned(),
        query: d.query().to_owned(),
        variables: d.variables().clone(),
    }
}

fn ids() -> IdsVariables {
    IdsVariables {
        ids: Some(vec![cynic::Id::new("1"), cynic::Id::new("2")]),
        filter: FindFilterType::all_by_id(),
    }
}

fn one(id: &str) -> IdVariables {
    IdVariables {
        id: cynic::Id::new(id),
    }
}

fn year_month() -> FuzzyDate {
    "2024-05".parse().unwrap()
}

/// A stamp patch setting every field the sync ever sets.
fn stamp<Id: Clone>(id: Id) -> StampPatch<Id> {
    StampPatch {
        title: Patch::Set("t".into()),
        code: Patch::Set("c".into()),
        details: Patch::Set("d".into()),
        date: Patch::Set(year_month()),
        urls: Patch::Set(vec!["https://fansly.com/post/1".into()]),
        organized: Some(false),
        studio_id: Patch::Set(StudioId::new("1")),
        performer_ids: Patch::Set(vec![PerformerId::new("1")]),
        tag_ids: Patch::Set(vec![TagId::new("1")]),
        gallery_ids: Patch::Set(vec![GalleryId::new("1")]),
        ..StampPatch::new(id)
    }
}

fn gallery_patch() -> GalleryPatch {
    GalleryPatch {
        title: Some("t".into()),
        code: Patch::Set("c".into()),
        details: Patch::Clear,
        date: Patch::Set(year_month()),
        urls: Patch::Set(vec!["u".into()]),
        organized: Some(false),
        studio_id: Patch::Set(StudioId::new("1")),
        performer_ids: Patch::Set(vec![PerformerId::new("1")]),
        tag_ids: Patch::Set(vec![TagId::new("1")]),
        scene_ids: Patch::Set(vec![SceneId::new("1")]),
        ..GalleryPatch::new(GalleryId::new("1"))
    }
}

fn new_gallery() -> NewGallery {
    NewGallery {
        key: "1".into(),
        title: "t".into(),
        code: Some("1".into()),
        details: Some("d".into()),
        date: Some(year_month()),
        urls: vec!["https://fansly.com/post/1".into()],
        organized: true,
        studio_id: Some(StudioId::new("1")),
        performer_ids: vec![PerformerId::new("1")],
        tag_ids: vec![TagId::new("1")],
        scene_ids: vec![SceneId::new("1")],
    }
}

fn performer_spec() -> PerformerSpec {
    PerformerSpec {
        key: "alice_x".into(),
        name: "Alice".into(),
        disambiguation: None,
        aliases: vec!["alice_x".into()],
        urls: vec!["https://fansly.com/alice_x".into()],
        details: Some("about".into()),
    }
}

fn studio_spec() -> StudioSpec {
    StudioSpec {
        name: "alice_x (Fansly)".into(),
        parent_id: Some(StudioId::new("1")),
        urls: vec!["https://fansly.com/alice_x".into()],
    }
}

fn criterion() -> StringCriterionInput {
    StringCriterionInput::regex("(?i)^(a|b)$".into())
}

/// Every document the adapter sends to a server like `info`, gates applied.
fn documents(info: &ServerInfo) -> Vec<Doc> {
    let mut docs = reads();
    docs.extend(entities(info));
    docs.extend(writes(info));
    docs
}

/// The queries: server info, library paths, objects by id, file listings, jobs.
fn reads() -> Vec<Doc> {
    let range = || IntCriterionInput {
        value: 10,
        modifier: CriterionModifier::GreaterThan,
    };
    vec![
        doc("ServerInfoQuery", ServerInfoQuery::build(())),
        doc("LibraryPaths", LibraryPaths::build(())),
        doc(
            "PluginSettingsQuery",
            crate::plugin_settings::plugin_settings_operation("fansly-stash"),
        ),
        doc("FindScenesByIds", FindScenesByIds::build(ids())),
        doc("FindImagesByIds", FindImagesByIds::build(ids())),
        doc("FindGalleriesByIds", FindGalleriesByIds::build(ids())),
        doc("FindGalleryChapters", FindGalleryChapters::build(ids())),
        doc("FindScene", FindScene::build(one("1"))),
        doc("FindImage", FindImage::build(one("1"))),
        doc("FindGallery", FindGallery::build(one("1"))),
        doc(
            "FindGalleryChaptersOne",
            FindGalleryChaptersOne::build(one("1")),
        ),
        aliased(
            "FindScenesEachById",
            vec![FindScene::build(one("1")), FindScene::build(one("2"))],
        ),
        aliased(
            "FindImagesEachById",
            vec![FindImage::build(one("1")), FindImage::build(one("2"))],
        ),
        aliased(
            "FindGalleriesEachById",
            vec![FindGallery::build(one("1")), FindGallery::build(one("2"))],
        ),
        doc(
            "ListSceneFiles",
            ListSceneFiles::build(SceneFilesVariables {
                scene_filter: SceneFilterType {
                    id: Some(range()),
                    path: Some(criterion()),
                },
                filter: FindFilterType::default(),
            }),
        ),
        doc(
            "ListImageFiles",
            ListImageFiles::build(ImageFilesVariables {
                image_filter: ImageFilterType {
                    id: Some(range()),
                    path: Some(criterion()),
                    galleries: None,
                },
                filter: FindFilterType::default(),
            }),
        ),
        doc(
            "ListGalleryImages",
            ListGalleryImages::build(ImageFilesVariables {
                image_filter: ImageFilterType {
                    galleries: Some(MultiCriterionInput {
                        value: Some(vec![cynic::Id::new("1"), cynic::Id::new("2")]),
                        modifier: CriterionModifier::Includes,
                    }),
                    ..ImageFilterType::default()
                },
                filter: FindFilterType::page_by_path(1, 1000),
            }),
        ),
        doc(
            "FindGalleriesByCode",
            FindGalleriesByCode::build(GalleryFilterVariables {
                gallery_filter: GalleryFilterType {
                    code: Some(criterion()),
                },
                filter: FindFilterType::all_by_id(),
            }),
        ),
        doc(
            "FindJob",
            FindJob::build(FindJobVariables {
                input: FindJobInput {
                    id: cynic::Id::new("1"),
                },
            }),
        ),
    ]
}

/// Performer, studio and tag lookups and creates; studios by the server's URL shape.
fn entities(info: &ServerInfo) -> Vec<Doc> {
    let performer = || PerformerCreateVariables {
        input: performer_create_input(info, &performer_spec(), Some("Fansly".into())),
    };
    let tag = |n: &str| {
        TagCreate::build(TagCreateVariables {
            input: TagCreateInput { name: n.into() },
        })
    };
    // The lookups serve find-or-create and `find_entities` (a dry run's adopt-or-create) alike.
    let mut docs = vec![
        doc(
            "PerformerLookup",
            PerformerLookup::build(PerformerLookupVariables {
                by_name: PerformerFilterType {
                    name: Some(criterion()),
                    ..Default::default()
                },
                by_alias: PerformerFilterType {
                    aliases: Some(criterion()),
                    ..Default::default()
                },
                by_url: PerformerFilterType {
                    url: Some(criterion()),
                    ..Default::default()
                },
                filter: FindFilterType::all_by_id(),
            }),
        ),
        doc(
            "TagLookup",
            TagLookup::build(TagLookupVariables {
                by_name: TagFilterType {
                    name: Some(criterion()),
                    ..Default::default()
                },
                by_alias: TagFilterType {
                    aliases: Some(criterion()),
                    ..Default::default()
                },
                filter: FindFilterType::all_by_id(),
            }),
        ),
        doc("PerformerCreate", PerformerCreate::build(performer())),
        aliased(
            "PerformerCreateBatch",
            vec![
                PerformerCreate::build(performer()),
                PerformerCreate::build(performer()),
            ],
        ),
        doc("TagCreate", tag("a")),
        aliased("TagCreateBatch", vec![tag("a"), tag("b")]),
    ];
    docs.extend(studios(info));
    docs
}

/// Studio lookups (find-or-create and `find_entities`) and creates: the one shape the adapter
/// uses on this server (the gate).
fn studios(info: &ServerInfo) -> Vec<Doc> {
    let studio = || StudioCreateVariables {
        input: StudioUrls::of(info).create_input(&studio_spec()),
    };
    let lookup = || StudioLookupVariables {
        by_name: StudioFilterType {
            name: Some(criterion()),
            ..Default::default()
        },
        by_alias: StudioFilterType {
            aliases: Some(criterion()),
            ..Default::default()
        },
        filter: FindFilterType::all_by_id(),
    };
    match StudioUrls::of(info) {
        StudioUrls::List => vec![
            doc(
                "StudioLookupWithUrls",
                StudioLookupWithUrls::build(lookup()),
            ),
            doc(
                "StudioCreateWithUrls",
                StudioCreateWithUrls::build(studio()),
            ),
            aliased(
                "StudioCreateBatch",
                vec![
                    StudioCreateWithUrls::build(studio()),
                    StudioCreateWithUrls::build(studio()),
                ],
            ),
        ],
        StudioUrls::Single => vec![
            doc("StudioLookup", StudioLookup::build(lookup())),
            doc("StudioCreate", StudioCreate::build(studio())),
            aliased(
                "StudioCreateBatch",
                vec![StudioCreate::build(studio()), StudioCreate::build(studio())],
            ),
        ],
    }
}

/// Updates, gallery creates, gallery images, chapters and scans, every field set.
fn writes(info: &ServerInfo) -> Vec<Doc> {
    let partial = info.partial_dates();
    let scene = convert::scene_update(&stamp(SceneId::new("1")), partial);
    let image = convert::image_update(&stamp(ImageId::new("1")), partial);
    let gallery = convert::gallery_update(&gallery_patch(), partial);
    let gallery_create = || GalleryCreateVariables {
        input: gallery_create_input(info, &new_gallery()),
    };
    let chapter = |g: &str| {
        GalleryChapterCreate::build(GalleryChapterCreateVariables {
            input: GalleryChapterCreateInput {
                gallery_id: cynic::Id::new(g),
                title: "c".into(),
                image_index: 1,
            },
        })
    };
    let add_images = |g: &str| {
        AddGalleryImages::build(AddGalleryImagesVariables {
            input: GalleryAddInput {
                gallery_id: cynic::Id::new(g),
                image_ids: vec![cynic::Id::new("5")],
            },
        })
    };
    vec![
        doc(
            "ScenesUpdate",
            ScenesUpdate::build(ScenesUpdateVariables { input: vec![scene] }),
        ),
        doc(
            "ImagesUpdate",
            ImagesUpdate::build(ImagesUpdateVariables { input: vec![image] }),
        ),
        doc(
            "GalleriesUpdate",
            GalleriesUpdate::build(GalleriesUpdateVariables {
                input: vec![gallery],
            }),
        ),
        doc("GalleryCreate", GalleryCreate::build(gallery_create())),
        aliased(
            "GalleryCreateBatch",
            vec![
                GalleryCreate::build(gallery_create()),
                GalleryCreate::build(gallery_create()),
            ],
        ),
        doc("AddGalleryImages", add_images("1")),
        aliased(
            "AddGalleryImagesBatch",
            vec![add_images("1"), add_images("2")],
        ),
        doc("GalleryChapterCreate", chapter("1")),
        aliased(
            "GalleryChapterCreateBatch",
            vec![chapter("1"), chapter("2")],
        ),
        doc("MetadataScan", MetadataScan::build(scan())),
    ]
}

fn scan() -> MetadataScanVariables {
    MetadataScanVariables {
        input: ScanMetadataInput {
            paths: Some(vec!["/data/alice_fansly".into()]),
            rescan: Some(true),
            scan_generate_covers: Some(false),
            scan_generate_previews: Some(false),
            scan_generate_image_previews: Some(false),
            scan_generate_sprites: Some(false),
            scan_generate_phashes: Some(false),
            scan_generate_thumbnails: Some(false),
            scan_generate_clip_previews: Some(false),
        },
    }
}

/// The named type of a (possibly list, possibly non-null) type.
fn named(ty: &Type) -> &str {
    match ty {
        Type::Named(n) | Type::NonNullNamed(n) => n.as_str(),
        Type::List(inner) | Type::NonNullList(inner) => named(inner),
    }
}

/// What in `value` (of GraphQL type `ty`) the release's schema does not have.
fn variable_problems(
    schema: &Schema,
    app_schema: i32,
    ty: &Type,
    value: &Value,
    path: &str,
    out: &mut Vec<String>,
) {
    match value {
        Value::Null => {}
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                variable_problems(schema, app_schema, ty, v, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(fields) => match schema.types.get(named(ty)) {
            Some(ExtendedType::InputObject(def)) => {
                for (k, v) in fields {
                    match def.fields.get(k.as_str()) {
                        None => out.push(format!(
                            "{path}.{k}: input type {} has no field {k}",
                            def.name
                        )),
                        Some(f) => variable_problems(
                            schema,
                            app_schema,
                            &f.ty,
                            v,
                            &format!("{path}.{k}"),
                            out,
                        ),
                    }
                }
            }
            _ => out.push(format!("{path}: an object where {ty} is expected")),
        },
        Value::String(s) => {
            if let Some(ExtendedType::Enum(e)) = schema.types.get(named(ty))
                && !e.values.contains_key(s.as_str())
            {
                out.push(format!("{path}: {s} is not a value of {}", e.name));
            }
            let is_date = path.ends_with(".date");
            let full_date = s.len() == 10
                && s.as_bytes()[4] == b'-'
                && s.as_bytes()[7] == b'-'
                && s.bytes().filter(u8::is_ascii_digit).count() == 8;
            if is_date && app_schema < 75 && !full_date {
                out.push(format!(
                    "{path}: date {s} is refused before appSchema 75 (full dates only)"
                ));
            }
        }
        _ => {}
    }
}

/// Why `d` would fail on the release with `schema` (empty: it would not).
fn problems(schema: &Valid<Schema>, app_schema: i32, d: &Doc) -> Vec<String> {
    let document = match ExecutableDocument::parse_and_validate(
        schema,
        &d.query,
        format!("{}.graphql", d.name),
    ) {
        Ok(doc) => doc,
        Err(e) => return vec![e.errors.to_string()],
    };
    let mut out = Vec::new();
    for op in document.operations.iter() {
        for def in &op.variables {
            let value = d.variables.get(def.name.as_str()).unwrap_or(&Value::Null);
            if value.is_null() && def.ty.is_non_null() {
                out.push(format!("${} is required", def.name));
            }
            variable_problems(
                schema,
                app_schema,
                &def.ty,
                value,
                &format!("${}", def.name),
                &mut out,
            );
        }
    }
    out
}

#[test]
fn every_document_is_valid_on_every_supported_release() {
    let mut failures = Vec::new();
    for (version, app_schema, folder) in RELEASES {
        let schema = upstream(folder);
        for d in documents(&info(version, app_schema)) {
            let p = problems(&schema, app_schema, &d);
            if !p.is_empty() {
                failures.push(format!(
                    "{} is not valid on Stash {version} (appSchema {app_schema}):\n  {}\n  {}\n  variables {}",
                    d.name,
                    p.join("\n  "),
                    d.query,
                    d.variables
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_operation_is_in_the_catalog() {
    // Every root operation of the crate: a `graphql_type = "Query"`/`"Mutation"` fragment.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<PathBuf> = Vec::new();
    let mut dirs = vec![src];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("upstream_check.rs")
            {
                files.push(p);
            }
        }
    }
    let mut names: Vec<String> = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        for chunk in text.split("#[cynic(").skip(1) {
            let Some((attr, rest)) = chunk.split_once(")]") else {
                continue;
            };
            if attr.contains("graphql_type = \"Query\"")
                || attr.contains("graphql_type = \"Mutation\"")
            {
                let name = rest
                    .split("struct ")
                    .nth(1)
                    .and_then(|r| r.split_whitespace().next())
                    .unwrap();
                names.push(name.to_owned());
            }
        }
    }
    assert!(names.len() >= 25, "found only {names:?}");
    let catalog: Vec<String> = RELEASES
        .iter()
        .flat_map(|(v, a, _)| documents(&info(v, *a)))
        .map(|d| d.name)
        .collect();
    let missing: Vec<&String> = names.iter().filter(|n| !catalog.contains(n)).collect();
    assert!(
        missing.is_empty(),
        "operations the upstream check does not validate (add them to documents()): {missing:?}"
    );
}

#[test]
fn the_check_catches_what_a_release_lacks() {
    let v27 = upstream("stash-schema-v0.27.2");
    // The v0.30 studio shape sent to v0.27: refused, as the real v0.27.2 refused it.
    let with_urls = doc(
        "StudioCreateWithUrls",
        StudioCreateWithUrls::build(StudioCreateVariables {
            input: StudioUrls::List.create_input(&studio_spec()),
        }),
    );
    let p = problems(&v27, 68, &with_urls).join("\n");
    assert!(p.contains("urls"), "{p}");
    let with_url_input = doc(
        "StudioCreate",
        StudioCreate::build(StudioCreateVariables {
            input: StudioUrls::List.create_input(&studio_spec()),
        }),
    );
    let p = problems(&v27, 68, &with_url_input).join("\n");
    assert!(
        p.contains("input type StudioCreateInput has no field urls"),
        "{p}"
    );
    // A year-month date for a server before v0.30.
    let scene = convert::scene_update(&stamp(SceneId::new("1")), true);
    let p = problems(
        &v27,
        68,
        &doc(
            "ScenesUpdate",
            ScenesUpdate::build(ScenesUpdateVariables { input: vec![scene] }),
        ),
    )
    .join("\n");
    assert!(p.contains("2024-05 is refused"), "{p}");
    let bad = "query Bad { findScenes { scenes { fansly_id } } }";
    assert!(ExecutableDocument::parse_and_validate(&v27, bad, "bad.graphql").is_err());
}
