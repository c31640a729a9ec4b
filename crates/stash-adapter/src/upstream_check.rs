//! Test-only: every operation this crate sends, single and aliased, validated against the
//! REAL Stash v0.30.1 schema (`../shared/upstream/`), not just our subset.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use apollo_compiler::{ExecutableDocument, Schema, validation::Valid};
use cynic::{MutationBuilder, QueryBuilder};

use crate::aliased::AliasedDocument;
use crate::ops::inputs::*;
use crate::ops::mutations::*;
use crate::ops::queries::*;
use crate::schema::{Tri, TriList};

fn upstream() -> Valid<Schema> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/upstream/stash-schema-v0.30.1");
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

fn check(schema: &Valid<Schema>, name: &str, query: &str) {
    if let Err(e) = ExecutableDocument::parse_and_validate(schema, query, format!("{name}.graphql"))
    {
        panic!(
            "{name} is not valid against upstream Stash v0.30.1:\n{}\n{query}",
            e.errors
        );
    }
}

fn ids() -> IdsVariables {
    IdsVariables {
        ids: Some(vec![cynic::Id::new("1")]),
        filter: FindFilterType::all_by_id(),
    }
}

fn scene_input() -> SceneUpdateInput {
    SceneUpdateInput {
        id: cynic::Id::new("1"),
        title: Tri::Null,
        code: Tri::Value("c".into()),
        details: Tri::Absent,
        urls: TriList::Value(vec![]),
        date: Tri::Absent,
        organized: None,
        studio_id: Tri::Absent,
        gallery_ids: TriList::Absent,
        performer_ids: TriList::Absent,
        tag_ids: TriList::Null,
    }
}

fn gallery_create() -> cynic::Operation<GalleryCreate, GalleryCreateVariables> {
    GalleryCreate::build(GalleryCreateVariables {
        input: GalleryCreateInput {
            title: "t".into(),
            code: None,
            urls: None,
            date: None,
            details: None,
            organized: None,
            scene_ids: None,
            studio_id: None,
            tag_ids: None,
            performer_ids: None,
        },
    })
}

#[test]
fn every_operation_is_valid_against_the_real_schema() {
    let schema = upstream();
    let queries: Vec<(&str, String)> = vec![
        ("ServerInfoQuery", ServerInfoQuery::build(()).query),
        ("LibraryPaths", LibraryPaths::build(()).query),
        (
            "PluginSettingsQuery",
            crate::plugin_settings::plugin_settings_operation("fansly-stash").query,
        ),
        ("FindScenesByIds", FindScenesByIds::build(ids()).query),
        ("FindImagesByIds", FindImagesByIds::build(ids()).query),
        ("FindGalleriesByIds", FindGalleriesByIds::build(ids()).query),
        (
            "FindGalleryChapters",
            FindGalleryChapters::build(ids()).query,
        ),
        (
            "FindScene",
            FindScene::build(IdVariables {
                id: cynic::Id::new("1"),
            })
            .query,
        ),
        (
            "FindImage",
            FindImage::build(IdVariables {
                id: cynic::Id::new("1"),
            })
            .query,
        ),
        (
            "FindGallery",
            FindGallery::build(IdVariables {
                id: cynic::Id::new("1"),
            })
            .query,
        ),
        (
            "FindGalleryChaptersOne",
            FindGalleryChaptersOne::build(IdVariables {
                id: cynic::Id::new("1"),
            })
            .query,
        ),
        (
            "ListSceneFiles",
            ListSceneFiles::build(SceneFilesVariables {
                scene_filter: SceneFilterType::default(),
                filter: FindFilterType::default(),
            })
            .query,
        ),
        (
            "ListImageFiles",
            ListImageFiles::build(ImageFilesVariables {
                image_filter: ImageFilterType::default(),
                filter: FindFilterType::default(),
            })
            .query,
        ),
        (
            "FindGalleriesByCode",
            FindGalleriesByCode::build(GalleryFilterVariables {
                gallery_filter: GalleryFilterType::default(),
                filter: FindFilterType::default(),
            })
            .query,
        ),
        (
            "PerformerLookup",
            PerformerLookup::build(PerformerLookupVariables {
                by_name: Default::default(),
                by_alias: Default::default(),
                by_url: Default::default(),
                filter: FindFilterType::default(),
            })
            .query,
        ),
        (
            "StudioLookup",
            StudioLookup::build(StudioLookupVariables {
                by_name: Default::default(),
                by_alias: Default::default(),
                filter: FindFilterType::default(),
            })
            .query,
        ),
        (
            "StudioLookupWithUrls",
            StudioLookupWithUrls::build(StudioLookupVariables {
                by_name: Default::default(),
                by_alias: Default::default(),
                filter: FindFilterType::default(),
            })
            .query,
        ),
        (
            "TagLookup",
            TagLookup::build(TagLookupVariables {
                by_name: Default::default(),
                by_alias: Default::default(),
                filter: FindFilterType::default(),
            })
            .query,
        ),
        (
            "FindJob",
            FindJob::build(FindJobVariables {
                input: FindJobInput {
                    id: cynic::Id::new("1"),
                },
            })
            .query,
        ),
        (
            "ScenesUpdate",
            ScenesUpdate::build(ScenesUpdateVariables {
                input: vec![scene_input()],
            })
            .query,
        ),
        ("GalleryCreate", gallery_create().query),
    ];
    for (name, q) in &queries {
        check(&schema, name, q);
    }
}

#[test]
fn aliased_documents_are_valid_against_the_real_schema() {
    let schema = upstream();
    let creates = AliasedDocument::build(
        "GalleryCreateBatch",
        (0..3).map(|_| gallery_create()).collect(),
    )
    .unwrap();
    check(&schema, "GalleryCreateBatch", creates.query());
    let tags = AliasedDocument::build(
        "TagCreateBatch",
        ["a", "b"]
            .iter()
            .map(|n| {
                TagCreate::build(TagCreateVariables {
                    input: TagCreateInput { name: (*n).into() },
                })
            })
            .collect(),
    )
    .unwrap();
    check(&schema, "TagCreateBatch", tags.query());
    let finds = AliasedDocument::build(
        "FindScenesEachById",
        ["1", "2"]
            .iter()
            .map(|i| {
                FindScene::build(IdVariables {
                    id: cynic::Id::new(*i),
                })
            })
            .collect(),
    )
    .unwrap();
    check(&schema, "FindScenesEachById", finds.query());
    let adds = AliasedDocument::build(
        "AddGalleryImagesBatch",
        ["1", "2"]
            .iter()
            .map(|g| {
                AddGalleryImages::build(AddGalleryImagesVariables {
                    input: GalleryAddInput {
                        gallery_id: cynic::Id::new(*g),
                        image_ids: vec![cynic::Id::new("5")],
                    },
                })
            })
            .collect(),
    )
    .unwrap();
    check(&schema, "AddGalleryImagesBatch", adds.query());
}

#[test]
fn the_check_rejects_an_invalid_document() {
    let schema = upstream();
    let bad = "query Bad { findScenes { scenes { fansly_id } } }";
    assert!(ExecutableDocument::parse_and_validate(&schema, bad, "bad.graphql").is_err());
}
