//! How a double is configured: auth, library roots, reported version/status and the
//! performance knobs (latency, cost per write) that benchmarks and tests turn.

use std::path::PathBuf;
use std::time::Duration;

/// What `systemStatus.status` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SystemStatusKind {
    /// A configured, migrated server (`OK`).
    #[default]
    Ok,
    /// No configuration yet (`SETUP`).
    Setup,
    /// The database schema is older than the binary (`NEEDS_MIGRATION`).
    NeedsMigration,
}

impl SystemStatusKind {
    /// The GraphQL enum value.
    pub fn as_graphql(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Setup => "SETUP",
            Self::NeedsMigration => "NEEDS_MIGRATION",
        }
    }
}

/// Configuration of a [`crate::StashDouble`].
#[derive(Clone)]
pub struct DoubleConfig {
    /// The API key the server expects in the `ApiKey` header (`None`: no key may be sent).
    pub api_key: Option<String>,
    /// Library roots: `metadataScan` only looks inside these.
    pub library_roots: Vec<PathBuf>,
    /// `version.version`, e.g. `v0.30.1`; what the double does differently per release follows
    /// from it (see [`crate::StashVersion`] and the `*_` predicates below).
    pub version: String,
    /// `version.hash`, the short git hash of the build.
    pub hash: String,
    /// `systemStatus.appSchema`. Below 75 partial dates (`2020`, `2020-05`) are refused and
    /// studios have a single `url` instead of `urls`.
    pub app_schema: i32,
    /// `systemStatus.status`.
    pub status: SystemStatusKind,
    /// Whether ffmpeg/ffprobe are "installed"; without them `metadataScan` fails at once.
    pub ffmpeg: bool,
    /// Reverse-proxy prefix such as `/stash` (endpoint `/stash/graphql`); `""` for none.
    pub path_prefix: String,
    /// Added to every GraphQL request before it is handled.
    pub latency_per_request: Duration,
    /// Added per object a mutation or scan writes, while holding the writer lock.
    pub cost_per_written_object: Duration,
}

impl Default for DoubleConfig {
    fn default() -> Self {
        Self {
            api_key: None,
            library_roots: Vec::new(),
            version: "v0.30.1".to_owned(),
            hash: "b23b0267a".to_owned(),
            app_schema: 75,
            status: SystemStatusKind::Ok,
            ffmpeg: true,
            path_prefix: String::new(),
            latency_per_request: Duration::ZERO,
            cost_per_written_object: Duration::ZERO,
        }
    }
}

impl std::fmt::Debug for DoubleConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DoubleConfig")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("library_roots", &self.library_roots)
            .field("version", &self.version)
            .field("hash", &self.hash)
            .field("app_schema", &self.app_schema)
            .field("status", &self.status)
            .field("ffmpeg", &self.ffmpeg)
            .field("path_prefix", &self.path_prefix)
            .field("latency_per_request", &self.latency_per_request)
            .field("cost_per_written_object", &self.cost_per_written_object)
            .finish()
    }
}

impl DoubleConfig {
    /// A double answering as the real `version` does: its `version`, `hash` and `appSchema`,
    /// and with them its schema and behaviour.
    pub fn impersonating(version: crate::StashVersion) -> Self {
        Self {
            version: version.version().to_owned(),
            hash: version.hash().to_owned(),
            app_schema: version.app_schema(),
            ..Self::default()
        }
    }

    /// Whether the configured version is at least `major.minor` (unparsable versions count
    /// as the newest).
    pub(crate) fn version_at_least(&self, major: u32, minor: u32) -> bool {
        parse_version(&self.version).is_none_or(|(ma, mi)| (ma, mi) >= (major, minor))
    }

    /// Whether partial dates (`YYYY`, `YYYY-MM`) are accepted (appSchema 75, v0.30+).
    pub(crate) fn partial_dates(&self) -> bool {
        self.app_schema >= 75
    }

    /// Studios have `urls` (appSchema 75, v0.30+); before, a single `url`.
    pub(crate) fn studio_urls(&self) -> bool {
        self.app_schema >= 75
    }

    /// The response content type follows `Accept` (gqlgen 0.17.73, v0.29+): validation errors
    /// are 400 with `application/graphql-response+json` for `*/*`; before, always
    /// `application/json` and 422.
    pub(crate) fn negotiates_content_type(&self) -> bool {
        self.version_at_least(0, 29)
    }

    /// String inputs are stored trimmed (v0.30.0, stash PR 6226); before, as sent.
    pub(crate) fn trims_strings(&self) -> bool {
        self.version_at_least(0, 30)
    }

    /// `ids` lists are checked for duplicates and their errors prefixed (`validating ids: `,
    /// `converting ids: `) (v0.30+); before, a duplicate is "not found" and a bad id the bare
    /// `strconv.Atoi` error.
    pub(crate) fn checks_id_lists(&self) -> bool {
        self.version_at_least(0, 30)
    }

    /// An untitled image reads back its primary file's basename as `title` (until v0.28.0,
    /// stash PR 5658).
    pub(crate) fn untitled_image_reads_basename(&self) -> bool {
        !self.version_at_least(0, 28)
    }

    /// `findFiles`, files' and folders' `parent_folder`, `BasicFile` and `ImageFile.format`
    /// exist (v0.29+).
    pub(crate) fn files_api(&self) -> bool {
        self.version_at_least(0, 29)
    }
}

fn parse_version(v: &str) -> Option<(u32, u32)> {
    let v = v.strip_prefix('v').unwrap_or(v);
    let mut parts = v.split(['.', '-']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_gate_compares_major_minor() {
        let mut c = DoubleConfig::default();
        assert!(c.version_at_least(0, 29));
        c.version = "v0.28.1".into();
        assert!(!c.version_at_least(0, 29));
        c.version = "v0.29.0-25-gabc".into();
        assert!(c.version_at_least(0, 29));
    }

    #[test]
    fn debug_hides_the_api_key() {
        let c = DoubleConfig {
            api_key: Some("sekrit".into()),
            ..DoubleConfig::default()
        };
        assert!(!format!("{c:?}").contains("sekrit"));
    }
}
