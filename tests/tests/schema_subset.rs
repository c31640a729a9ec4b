//! Our Stash schema subset (`schema/stash-subset.graphql`) is a true subset of the real Stash
//! v0.30.1 schema in `../shared/upstream/`: every type, field, argument, input field, enum value
//! and union member we declare exists there with the same type.
//!
//! One file serves both sides: the Stash adapter compiles its operations against it (cynic) and
//! the Stash double validates every request with it, so this one check covers both. For every
//! other supported release, the schema the double serves when it answers as that release (the
//! subset minus what the release lacks) is a subset of that release's real schema, and what it
//! leaves out is really missing there.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use apollo_compiler::Schema;
use apollo_compiler::schema::ExtendedType;
use stash_double::{DoubleConfig, StashVersion};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn upstream() -> Schema {
    upstream_of("stash-schema-v0.30.1")
}

fn upstream_of(folder: &str) -> Schema {
    let dir = fansly_stash_tests::shared_dir()
        .join("upstream")
        .join(folder);
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
    builder.build().unwrap()
}

fn subset() -> Schema {
    let p = workspace().join("schema/stash-subset.graphql");
    Schema::parse_and_validate(std::fs::read_to_string(&p).unwrap(), &p)
        .unwrap()
        .into_inner()
}

/// What in `ours` is missing from, or typed differently than in, `theirs`.
fn subset_problems(ours: &Schema, theirs: &Schema) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, ty) in &ours.types {
        if ty.is_built_in() {
            continue;
        }
        let Some(up) = theirs.types.get(name) else {
            problems.push(format!("type {name} does not exist upstream"));
            continue;
        };
        match (ty, up) {
            (ExtendedType::Object(o), ExtendedType::Object(u)) => {
                for i in &o.implements_interfaces {
                    if !u.implements_interfaces.contains(i) {
                        problems.push(format!("{name} does not implement {i} upstream"));
                    }
                }
                for (f, def) in &o.fields {
                    let Some(uf) = u.fields.get(f) else {
                        problems.push(format!("{name}.{f} does not exist upstream"));
                        continue;
                    };
                    if def.ty != uf.ty {
                        problems.push(format!("{name}.{f}: ours {} upstream {}", def.ty, uf.ty));
                    }
                    for a in &def.arguments {
                        match uf.arguments.iter().find(|x| x.name == a.name) {
                            None => problems
                                .push(format!("{name}.{f}({}) does not exist upstream", a.name)),
                            Some(ua) if ua.ty != a.ty => problems.push(format!(
                                "{name}.{f}({}): ours {} upstream {}",
                                a.name, a.ty, ua.ty
                            )),
                            Some(_) => {}
                        }
                    }
                }
            }
            (ExtendedType::Interface(o), ExtendedType::Interface(u)) => {
                for (f, def) in &o.fields {
                    match u.fields.get(f) {
                        None => problems.push(format!("{name}.{f} does not exist upstream")),
                        Some(uf) if uf.ty != def.ty => {
                            problems.push(format!("{name}.{f}: ours {} upstream {}", def.ty, uf.ty))
                        }
                        Some(_) => {}
                    }
                }
            }
            (ExtendedType::InputObject(o), ExtendedType::InputObject(u)) => {
                for (f, def) in &o.fields {
                    match u.fields.get(f) {
                        None => problems.push(format!("input {name}.{f} does not exist upstream")),
                        Some(uf) if uf.ty != def.ty => problems.push(format!(
                            "input {name}.{f}: ours {} upstream {}",
                            def.ty, uf.ty
                        )),
                        Some(_) => {}
                    }
                }
            }
            (ExtendedType::Enum(o), ExtendedType::Enum(u)) => {
                for v in o.values.keys() {
                    if !u.values.contains_key(v) {
                        problems.push(format!("enum value {name}.{v} does not exist upstream"));
                    }
                }
            }
            (ExtendedType::Union(o), ExtendedType::Union(u)) => {
                for m in &o.members {
                    if !u.members.contains(m) {
                        problems.push(format!("union {name} has no member {m} upstream"));
                    }
                }
            }
            (ExtendedType::Scalar(_), ExtendedType::Scalar(_)) => {}
            _ => problems.push(format!("{name} is a different kind of type upstream")),
        }
    }
    problems
}

#[test]
fn our_sdl_is_a_subset_of_upstream() {
    let problems = subset_problems(&subset(), &upstream());
    assert!(
        problems.is_empty(),
        "not a subset of upstream:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_subset_check_catches_what_upstream_lacks() {
    let fake = Schema::parse_and_validate(
        r#"
        type Query { findScenes(ids: [ID!], fansly: Boolean): FindScenesResultType! version: Int }
        type FindScenesResultType { count: Int! scenes: [Scene!]! }
        type Scene { id: ID! title: String fansly_id: ID }
        input SceneUpdateInput { id: ID! bogus: String }
        enum JobStatus { READY EXPLODED }
        type Unknown { id: ID! }
        "#,
        "fake.graphql",
    )
    .unwrap()
    .into_inner();
    let problems = subset_problems(&fake, &upstream()).join("\n");
    for expected in [
        "findScenes(fansly) does not exist",
        "Query.version: ours Int upstream Version!",
        "Scene.fansly_id does not exist",
        "input SceneUpdateInput.bogus",
        "JobStatus.EXPLODED",
        "type Unknown does not exist",
    ] {
        assert!(
            problems.contains(expected),
            "missing '{expected}' in:\n{problems}"
        );
    }
}

#[test]
fn the_double_serves_exactly_this_file() {
    let file = std::fs::read_to_string(workspace().join("schema/stash-subset.graphql")).unwrap();
    assert_eq!(stash_double::SUBSET_SDL, file);
}

fn served(v: StashVersion) -> Schema {
    let sdl = stash_double::served_sdl(&DoubleConfig::impersonating(v)).unwrap();
    Schema::parse_and_validate(sdl, "served.graphql")
        .unwrap()
        .into_inner()
}

/// The types and fields of a schema, as `Type` and `Type.field` names.
fn members(schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for (name, ty) in &schema.types {
        if ty.is_built_in() {
            continue;
        }
        out.push(name.to_string());
        match ty {
            ExtendedType::Object(o) => out.extend(o.fields.keys().map(|f| format!("{name}.{f}"))),
            ExtendedType::Interface(i) => {
                out.extend(i.fields.keys().map(|f| format!("{name}.{f}")))
            }
            ExtendedType::InputObject(i) => {
                out.extend(i.fields.keys().map(|f| format!("{name}.{f}")))
            }
            _ => {}
        }
    }
    out
}

#[test]
fn the_double_serves_each_release_a_subset_of_its_real_schema() {
    for v in StashVersion::ALL {
        let problems = subset_problems(&served(v), &upstream_of(v.schema_folder()));
        assert!(
            problems.is_empty(),
            "the double answering as {} serves what Stash {} lacks:\n{}",
            v.version(),
            v.version(),
            problems.join("\n")
        );
    }
}

#[test]
fn what_the_double_leaves_out_for_a_release_is_missing_there() {
    let full = members(&subset());
    for v in StashVersion::ALL {
        let kept = members(&served(v));
        let theirs = members(&upstream_of(v.schema_folder()));
        let wrongly_refused: Vec<&String> = full
            .iter()
            .filter(|m| !kept.contains(m) && theirs.contains(m))
            .collect();
        assert!(
            wrongly_refused.is_empty(),
            "the double answering as {} refuses what it has: {wrongly_refused:?}",
            v.version()
        );
    }
    // And it does leave things out where they are missing (studio urls before v0.30).
    assert!(
        !members(&served(StashVersion::V0_27_2)).contains(&"StudioCreateInput.urls".to_owned())
    );
}
