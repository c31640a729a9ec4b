//! The Stash releases the double can impersonate ([`StashVersion`]), and the schema it serves
//! for a configured version: our subset (`schema/stash-subset.graphql`, written from v0.30.1)
//! minus what that release lacks.
//!
//! What each release lacks or does differently (checked against the real schemas in
//! `../shared/upstream/` by `tests/tests/schema_subset.rs`, and against recorded answers by
//! the conformance suite):
//! - before v0.30 (appSchema < 75): studios have one `url`, no `urls`; no partial dates; string
//!   inputs are stored as sent (not trimmed); `ids` lists are not checked for duplicates;
//! - before v0.29: no `findFiles`, no `parent_folder` on files and folders, no `BasicFile`,
//!   no `ImageFile.format`; the content type is always `application/json` and validation
//!   errors 422 (gqlgen before 0.17.73);
//! - before v0.28: an untitled image reads back its file's basename as `title`.
//!
//! The behaviour flags themselves live on [`DoubleConfig`] (they follow `version` and
//! `appSchema`), so a double configured with any version string behaves like the closest
//! release.

use apollo_compiler::Schema;
use apollo_compiler::schema::ExtendedType;

use crate::config::DoubleConfig;

/// A Stash release the double can answer as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StashVersion {
    /// v0.27.2 (appSchema 68), the oldest release fansly-stash supports.
    V0_27_2,
    /// v0.28.1 (appSchema 72).
    V0_28_1,
    /// v0.29.3 (appSchema 72).
    V0_29_3,
    /// v0.30.1 (appSchema 75), the one the transcripts were recorded from.
    V0_30_1,
    /// The development head at cf3489e (appSchema 75).
    Develop,
}

impl StashVersion {
    /// Every release, oldest first.
    pub const ALL: [StashVersion; 5] = [
        StashVersion::V0_27_2,
        StashVersion::V0_28_1,
        StashVersion::V0_29_3,
        StashVersion::V0_30_1,
        StashVersion::Develop,
    ];

    /// `version.version` as that release reports it.
    pub fn version(self) -> &'static str {
        match self {
            Self::V0_27_2 => "v0.27.2",
            Self::V0_28_1 => "v0.28.1",
            Self::V0_29_3 => "v0.29.3",
            Self::V0_30_1 => "v0.30.1",
            Self::Develop => "v0.30.1-19-gcf3489efd",
        }
    }

    /// `version.hash`: the short hash of the release's commit.
    pub fn hash(self) -> &'static str {
        match self {
            Self::V0_27_2 => "76648fee6",
            Self::V0_28_1 => "cc6917f29",
            Self::V0_29_3 => "7716c4dd8",
            Self::V0_30_1 => "b23b0267a",
            Self::Develop => "cf3489efd",
        }
    }

    /// `systemStatus.appSchema`.
    pub fn app_schema(self) -> i32 {
        match self {
            Self::V0_27_2 => 68,
            Self::V0_28_1 | Self::V0_29_3 => 72,
            Self::V0_30_1 | Self::Develop => 75,
        }
    }

    /// The folder of its real schema under `../shared/upstream/`.
    pub fn schema_folder(self) -> &'static str {
        match self {
            Self::V0_27_2 => "stash-schema-v0.27.2",
            Self::V0_28_1 => "stash-schema-v0.28.1",
            Self::V0_29_3 => "stash-schema-v0.29.3",
            Self::V0_30_1 => "stash-schema-v0.30.1",
            Self::Develop => "stash-schema-develop-cf3489e",
        }
    }
}

/// One element of the subset a release may lack.
enum Item {
    /// A field of an object or interface type.
    Field(&'static str, &'static str),
    /// A field of an input type.
    InputField(&'static str, &'static str),
    /// A whole type.
    Type(&'static str),
}

/// What a configured double lacks, from our subset.
fn missing(cfg: &DoubleConfig) -> Vec<Item> {
    let mut out = Vec::new();
    if !cfg.studio_urls() {
        out.push(Item::Field("Studio", "urls"));
        out.push(Item::InputField("StudioCreateInput", "urls"));
    }
    if !cfg.files_api() {
        out.extend([
            Item::Field("Query", "findFiles"),
            Item::Type("FindFilesResultType"),
            Item::Type("FileFilterType"),
            Item::Type("BasicFile"),
            Item::Field("Folder", "parent_folder"),
            Item::Field("BaseFile", "parent_folder"),
            Item::Field("VideoFile", "parent_folder"),
            Item::Field("ImageFile", "parent_folder"),
            Item::Field("GalleryFile", "parent_folder"),
            Item::Field("ImageFile", "format"),
        ]);
    }
    out
}

/// The schema (SDL) a double with `cfg` serves: the subset minus what its version lacks.
pub(crate) fn served_sdl(cfg: &DoubleConfig, subset: &str) -> Result<String, String> {
    let mut schema = Schema::parse(subset, "stash-subset.graphql")
        .map_err(|e| format!("schema/stash-subset.graphql does not parse: {}", e.errors))?;
    for item in missing(cfg) {
        match item {
            Item::Type(name) => {
                schema.types.shift_remove(name);
            }
            Item::Field(ty, field) => match schema.types.get_mut(ty) {
                Some(ExtendedType::Object(o)) => {
                    o.make_mut().fields.shift_remove(field);
                }
                Some(ExtendedType::Interface(i)) => {
                    i.make_mut().fields.shift_remove(field);
                }
                _ => return Err(format!("the subset has no type {ty} with fields")),
            },
            Item::InputField(ty, field) => match schema.types.get_mut(ty) {
                Some(ExtendedType::InputObject(o)) => {
                    o.make_mut().fields.shift_remove(field);
                }
                _ => return Err(format!("the subset has no input type {ty}")),
            },
        }
    }
    let valid = schema.validate().map_err(|e| {
        format!(
            "the schema for {} does not validate: {}",
            cfg.version, e.errors
        )
    })?;
    Ok(valid.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served(v: StashVersion) -> Schema {
        let sdl = served_sdl(
            &DoubleConfig::impersonating(v),
            crate::graphql::schema::SUBSET_SDL,
        )
        .unwrap();
        Schema::parse_and_validate(sdl, "served.graphql")
            .unwrap()
            .into_inner()
    }

    fn has_field(s: &Schema, ty: &str, field: &str) -> bool {
        match s.types.get(ty) {
            Some(ExtendedType::Object(o)) => o.fields.contains_key(field),
            Some(ExtendedType::InputObject(o)) => o.fields.contains_key(field),
            Some(ExtendedType::Interface(i)) => i.fields.contains_key(field),
            _ => false,
        }
    }

    #[test]
    fn old_releases_lose_what_they_lack() {
        let v27 = served(StashVersion::V0_27_2);
        assert!(!has_field(&v27, "Query", "findFiles"));
        assert!(!v27.types.contains_key("BasicFile"));
        assert!(!has_field(&v27, "StudioCreateInput", "urls"));
        assert!(has_field(&v27, "StudioCreateInput", "url"));
        assert!(!has_field(&v27, "Studio", "urls") && has_field(&v27, "Studio", "url"));
        let v29 = served(StashVersion::V0_29_3);
        assert!(has_field(&v29, "Query", "findFiles"));
        assert!(!has_field(&v29, "Studio", "urls"));
        for v in [StashVersion::V0_30_1, StashVersion::Develop] {
            let s = served(v);
            assert!(has_field(&s, "Studio", "urls") && has_field(&s, "Query", "findFiles"));
        }
    }
}
