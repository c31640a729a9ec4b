//! The double's schema (`schema/stash-subset.graphql`) must be a true subset of the real
//! Stash v0.30.1 schema in `../shared/upstream/`: every type, field, argument, enum value,
//! input field, union member and interface we declare exists upstream with the same type.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use apollo_compiler::Schema;
use apollo_compiler::schema::ExtendedType;

fn upstream_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/upstream/stash-schema-v0.30.1")
}

fn upstream() -> Schema {
    let dir = upstream_dir();
    let mut builder = Schema::builder();
    let main = dir.join("schema.graphql");
    builder = builder.parse(std::fs::read_to_string(&main).unwrap(), main);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("types"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "graphql"))
        .collect();
    files.sort();
    for f in files {
        builder = builder.parse(std::fs::read_to_string(&f).unwrap(), f);
    }
    builder.build().expect("upstream schema builds")
}

fn subset_violations(ours: &Schema, theirs: &Schema) -> Vec<String> {
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
            (ExtendedType::Object(a), ExtendedType::Object(b)) => {
                for i in &a.implements_interfaces {
                    if !b.implements_interfaces.contains(i) {
                        problems.push(format!("{name} does not implement {} upstream", i.name));
                    }
                }
                for (f, def) in &a.fields {
                    match b.fields.get(f) {
                        None => problems.push(format!("field {name}.{f} does not exist upstream")),
                        Some(up_def) => {
                            if def.ty != up_def.ty {
                                problems.push(format!(
                                    "{name}.{f}: ours {} upstream {}",
                                    def.ty, up_def.ty
                                ));
                            }
                            for arg in &def.arguments {
                                match up_def.arguments.iter().find(|x| x.name == arg.name) {
                                    None => problems.push(format!(
                                        "argument {name}.{f}({}) missing upstream",
                                        arg.name
                                    )),
                                    Some(x) if x.ty != arg.ty => problems.push(format!(
                                        "argument {name}.{f}({}): ours {} upstream {}",
                                        arg.name, arg.ty, x.ty
                                    )),
                                    Some(_) => {}
                                }
                            }
                        }
                    }
                }
            }
            (ExtendedType::Interface(a), ExtendedType::Interface(b)) => {
                for (f, def) in &a.fields {
                    match b.fields.get(f) {
                        None => problems.push(format!("field {name}.{f} does not exist upstream")),
                        Some(up_def) if up_def.ty != def.ty => problems.push(format!(
                            "{name}.{f}: ours {} upstream {}",
                            def.ty, up_def.ty
                        )),
                        Some(_) => {}
                    }
                }
            }
            (ExtendedType::InputObject(a), ExtendedType::InputObject(b)) => {
                for (f, def) in &a.fields {
                    match b.fields.get(f) {
                        None => {
                            problems.push(format!("input field {name}.{f} does not exist upstream"))
                        }
                        Some(up_def) if up_def.ty != def.ty => problems.push(format!(
                            "{name}.{f}: ours {} upstream {}",
                            def.ty, up_def.ty
                        )),
                        Some(_) => {}
                    }
                }
            }
            (ExtendedType::Enum(a), ExtendedType::Enum(b)) => {
                for v in a.values.keys() {
                    if !b.values.contains_key(v) {
                        problems.push(format!("enum value {name}.{v} does not exist upstream"));
                    }
                }
            }
            (ExtendedType::Union(a), ExtendedType::Union(b)) => {
                for m in &a.members {
                    if !b.members.contains(m) {
                        problems.push(format!("union {name} has no member {} upstream", m.name));
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
fn schema_subset_is_subset_of_upstream() {
    let ours =
        Schema::parse_and_validate(stash_double::SUBSET_SDL, "stash-subset.graphql").unwrap();
    let theirs = upstream();
    let problems = subset_violations(&ours, &theirs);
    assert!(
        problems.is_empty(),
        "subset violations:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_subset_check_catches_an_invented_field() {
    let altered = stash_double::SUBSET_SDL.replace(
        "  code: String\n  details: String\n  urls: [String!]!",
        "  code: String\n  details: String\n  invented: Int\n  urls: [String!]!",
    );
    assert_ne!(altered, stash_double::SUBSET_SDL, "fixture edit must apply");
    let ours = Schema::parse_and_validate(altered, "altered.graphql").unwrap();
    let problems = subset_violations(&ours, &upstream());
    assert!(
        problems.iter().any(|p| p.contains("invented")),
        "{problems:?}"
    );
}
