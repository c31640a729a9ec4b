//! `check`: diagnoses the setup one step at a time (configuration, Stash reachable, version
//! and appSchema, authentication, ffmpeg as Stash reports it, library paths and path mapping,
//! metadata database and its upstream schema revision, per creator the downloaded media no
//! post or message reaches (a fansly-scraper that stores no attachments), sync state), each
//! problem with a fix.
//! Exit 3 when Stash or the metadata database cannot be used, 1 for any other failure.

use std::fmt::Write as _;
use std::path::Path;

use domain::ids::AccountId;
use domain::library::{describe_libraries, is_inside, library_containing};
use domain::ports::{CreatorSummary, MediaServer, MediaServerError, MetadataRepository};
use domain::stash::LibraryPath;
use metadata_store::MetadataStore;
use stash_adapter::StashClient;

use super::Context;
use crate::config::{Config, Connection};
use crate::exit::{CmdResult, Exit};
use crate::{attachments, wiring};

/// The fansly-scraper Alembic head this build was written against.
pub const KNOWN_UPSTREAM_REVISION: &str = "b6d60f698c27";

/// The appSchema from which partial dates and studio URL lists work (Stash v0.30).
const FULL_FEATURE_APP_SCHEMA: i32 = 75;

/// How one check went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Fine.
    Ok,
    /// Works, but something is probably not as intended.
    Warn,
    /// Broken.
    Fail,
    /// Not tried because an earlier check failed.
    Skipped,
}

impl Status {
    /// The word printed before the finding (`ok`, `warn`, `FAIL`, `skip`).
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
            Status::Skipped => "skip",
        }
    }
}

/// One diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Outcome.
    pub status: Status,
    /// What was checked.
    pub what: &'static str,
    /// What was found.
    pub detail: String,
    /// How to fix it.
    pub fix: Option<String>,
    /// A failure meaning Stash or the metadata database cannot be used (exit 3).
    pub unavailable: bool,
}

impl Finding {
    fn ok(what: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status: Status::Ok,
            what,
            detail: detail.into(),
            fix: None,
            unavailable: false,
        }
    }

    fn warn(what: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            status: Status::Warn,
            what,
            detail: detail.into(),
            fix: Some(fix.into()),
            unavailable: false,
        }
    }

    fn fail(what: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            status: Status::Fail,
            what,
            detail: detail.into(),
            fix: Some(fix.into()),
            unavailable: false,
        }
    }

    fn unusable(mut self) -> Self {
        self.unavailable = true;
        self
    }

    fn skipped(what: &'static str, why: &str) -> Self {
        Self {
            status: Status::Skipped,
            what,
            detail: format!("not checked: {why}"),
            fix: None,
            unavailable: false,
        }
    }
}

/// Runs every check and prints the findings.
pub async fn run(ctx: &Context) -> CmdResult {
    let findings = findings(&ctx.config).await;
    print!("{}", render(&findings));
    Ok(exit_for(&findings))
}

/// Every check, in order (the CLI prints them; the Stash plugin logs them).
pub async fn findings(config: &Config) -> Vec<Finding> {
    let mut findings = vec![config_finding(config)];
    let stash = check_stash(config, &mut findings).await;
    let creators = check_metadata(config, &mut findings).await;
    check_paths(config, stash.as_ref(), creators.as_deref(), &mut findings).await;
    findings.push(check_state(config).await);
    findings
}

/// The exit code for a set of findings.
pub fn exit_for(findings: &[Finding]) -> Exit {
    if findings
        .iter()
        .any(|f| f.status == Status::Fail && f.unavailable)
    {
        Exit::Unavailable
    } else if findings.iter().any(|f| f.status == Status::Fail) {
        Exit::SomeFailed
    } else {
        Exit::Ok
    }
}

/// The findings as text.
pub fn render(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(out, "{:<5} {:<18} {}", f.status.label(), f.what, f.detail);
        if let Some(fix) = &f.fix {
            let _ = writeln!(out, "{:<5} {:<18} fix: {fix}", "", "");
        }
    }
    let fails = findings.iter().filter(|f| f.status == Status::Fail).count();
    let warns = findings.iter().filter(|f| f.status == Status::Warn).count();
    let _ = writeln!(
        out,
        "{}",
        match (fails, warns) {
            (0, 0) => "All checks passed.".to_owned(),
            (0, w) => format!("No problems; {w} warning(s)."),
            (f, w) => format!("{f} problem(s), {w} warning(s)."),
        }
    );
    out
}

fn config_finding(config: &Config) -> Finding {
    let file = match &config.file {
        crate::config::ConfigFile::Read(p) => p.display().to_string(),
        crate::config::ConfigFile::Missing(p) => {
            format!("{} (not found: defaults and environment)", p.display())
        }
    };
    if config.warnings.is_empty() {
        Finding::ok("configuration", file)
    } else {
        Finding::warn(
            "configuration",
            format!("{file}; {}", config.warnings.join("; ")),
            "remove or rename the variables named above",
        )
    }
}

async fn check_stash(config: &Config, findings: &mut Vec<Finding>) -> Option<StashClient> {
    let url = &config.settings.stash_url;
    let url_fix = format!(
        "start Stash, or fix stash_url (now from {}); the address is the one you open in the browser",
        config.origin("stash_url")
    );
    match StashClient::connect(wiring::stash_config(config)).await {
        Ok(client) => {
            let info = client.info().clone();
            findings.push(Finding::ok("Stash reachable", url.to_string()));
            findings.push(Finding::ok(
                "authentication",
                match (&config.connection, config.api_key.is_some()) {
                    (Connection::Plugin { cookie: Some(_) }, _) => {
                        "the session Stash gave the plugin was accepted".to_owned()
                    }
                    (Connection::Plugin { cookie: None }, _) => {
                        "Stash has no login, none needed".to_owned()
                    }
                    (Connection::Configured, true) => {
                        format!("API key accepted (from {})", wiring::key_origin(config))
                    }
                    (Connection::Configured, false) => {
                        "no API key configured, none needed".to_owned()
                    }
                },
            ));
            let version = if info.version.is_empty() {
                "unknown version".to_owned()
            } else {
                info.version.clone()
            };
            if info.app_schema < FULL_FEATURE_APP_SCHEMA {
                findings.push(Finding::warn(
                    "Stash version",
                    format!("{version}, appSchema {}", info.app_schema),
                    "supported; until v0.30 partial dates are written as full dates (2024-05 as 2024-05-01) and a studio keeps only its first URL: upgrade Stash to v0.30 or newer for those",
                ));
            } else {
                findings.push(Finding::ok(
                    "Stash version",
                    format!("{version}, appSchema {}", info.app_schema),
                ));
            }
            let present = |p: &Option<String>| p.as_deref().is_some_and(|s| !s.trim().is_empty());
            if present(&info.ffmpeg_path) && present(&info.ffprobe_path) {
                findings.push(Finding::ok(
                    "ffmpeg",
                    format!(
                        "ffmpeg {}, ffprobe {}",
                        info.ffmpeg_path.as_deref().unwrap_or(""),
                        info.ffprobe_path.as_deref().unwrap_or("")
                    ),
                ));
            } else {
                findings.push(Finding::fail(
                    "ffmpeg",
                    "Stash reports no ffmpeg/ffprobe: every scan fails, so new files never reach Stash",
                    "install ffmpeg on the Stash host (or Settings > System > FFmpeg > Download in Stash), then restart Stash",
                ));
            }
            Some(client)
        }
        Err(e) => {
            let message = e.to_string();
            match e {
                MediaServerError::Unauthorized | MediaServerError::Forbidden => {
                    findings.push(Finding::ok("Stash reachable", url.to_string()));
                    let fix = wiring::stash_error(config, &e).message;
                    let fix = fix.lines().last().unwrap_or("").to_owned();
                    findings.push(Finding::fail("authentication", message, fix).unusable());
                    findings.push(Finding::skipped("Stash version", "not authenticated"));
                    findings.push(Finding::skipped("ffmpeg", "not authenticated"));
                }
                MediaServerError::Unsupported(_) => {
                    findings.push(Finding::ok("Stash reachable", url.to_string()));
                    findings.push(Finding::ok("authentication", "accepted"));
                    findings.push(
                        Finding::fail(
                            "Stash version",
                            message,
                            "do what the message says (upgrade Stash, or finish its setup or migration in the Stash web UI), then run check again",
                        )
                        .unusable(),
                    );
                    findings.push(Finding::skipped("ffmpeg", "Stash is not usable"));
                }
                _ => {
                    findings.push(Finding::fail("Stash reachable", message, url_fix).unusable());
                    findings.push(Finding::skipped("authentication", "Stash is not reachable"));
                    findings.push(Finding::skipped("Stash version", "Stash is not reachable"));
                    findings.push(Finding::skipped("ffmpeg", "Stash is not reachable"));
                }
            }
            None
        }
    }
}

async fn check_metadata(config: &Config, findings: &mut Vec<Finding>) -> Option<Vec<String>> {
    let url = config.metadata_db();
    let repo = match wiring::open_metadata(config).await {
        Ok(r) => r,
        Err(e) => {
            let mut lines = e.message.lines();
            let detail = lines.next().unwrap_or("").to_owned();
            let fix = lines.collect::<Vec<_>>().join(" ");
            findings.push(Finding::fail("metadata database", detail, fix).unusable());
            return None;
        }
    };
    let info = match repo.info().await {
        Ok(i) => i,
        Err(e) => {
            findings.push(
                Finding::fail(
                    "metadata database",
                    format!("{url}: {e}"),
                    "point metadata_db at fansly-scraper's database",
                )
                .unusable(),
            );
            return None;
        }
    };
    let creators = match repo.list_creators().await {
        Ok(c) => c,
        Err(e) => {
            findings.push(
                Finding::fail(
                    "metadata database",
                    format!("{url}: listing creators failed: {e}"),
                    "check that the database is a fansly-scraper database and readable",
                )
                .unusable(),
            );
            return None;
        }
    };
    let what = match &info.upstream_revision {
        Some(rev) => format!("fansly-scraper schema revision {rev}"),
        None if info.created_by_us => "created by fansly-stash (imported metadata)".to_owned(),
        None => "no schema revision recorded".to_owned(),
    };
    let detail = format!(
        "{url}: {} database, {what}, {} creator(s)",
        info.backend,
        creators.len()
    );
    match &info.upstream_revision {
        Some(rev) if rev != KNOWN_UPSTREAM_REVISION => findings.push(Finding::warn(
            "metadata database",
            detail,
            format!(
                "this build knows revision {KNOWN_UPSTREAM_REVISION} (fansly-scraper 0.15.1); run fansly-scraper once so it migrates its database, or update fansly-stash"
            ),
        )),
        _ if creators.is_empty() => findings.push(Finding::warn(
            "metadata database",
            detail,
            "the database has no creators yet: download with fansly-scraper or `fansly-stash import` first",
        )),
        _ => findings.push(Finding::ok("metadata database", detail)),
    }
    findings.extend(attachment_findings(&repo, &creators).await);
    Some(creators.into_iter().map(|c| c.account.username).collect())
}

/// Per creator, the downloaded media no post or message reaches (one query for all), and for
/// a creator with downloads but no attachment at all, what it means and how to repair it.
async fn attachment_findings(repo: &MetadataStore, creators: &[CreatorSummary]) -> Vec<Finding> {
    const WHAT: &str = "attachments";
    if creators.is_empty() {
        return Vec::new();
    }
    let ids: Vec<AccountId> = creators.iter().map(|c| c.account.id).collect();
    let coverage = match repo.attachment_coverage(&ids).await {
        Ok(c) => c,
        Err(e) => {
            return vec![Finding::fail(
                WHAT,
                format!("counting the media no post or message reaches failed: {e}"),
                "check that the database is a fansly-scraper database and readable",
            )];
        }
    };
    let mut out = Vec::new();
    let mut reached = 0;
    for c in creators {
        let cov = coverage.get(&c.account.id).copied().unwrap_or_default();
        match attachments::check_detail(&c.account.username, &cov) {
            None => reached += 1,
            Some(detail) if cov.attachments_missing() => {
                out.push(Finding::warn(WHAT, detail, attachments::REPAIR));
            }
            Some(detail) => out.push(Finding::ok(WHAT, detail)),
        }
    }
    if reached > 0 {
        out.push(Finding::ok(
            WHAT,
            format!(
                "{reached} of {} creator(s): every downloaded media is reached by a post or message",
                creators.len()
            ),
        ));
    }
    out
}

async fn check_paths(
    config: &Config,
    stash: Option<&StashClient>,
    creators: Option<&[String]>,
    findings: &mut Vec<Finding>,
) {
    let Some(mapping) = config.path_mapping() else {
        findings.push(Finding::fail(
            "download folder",
            "download_root is not set",
            "set download_root to fansly-scraper's download_directory, and stash_root to the same folder as Stash sees it if they differ",
        ));
        return;
    };
    let local = Path::new(&mapping.local_root);
    if local.is_dir() {
        findings.push(Finding::ok(
            "download folder",
            format!(
                "{} (download_root from {})",
                local.display(),
                config.origin("download_root")
            ),
        ));
    } else {
        findings.push(Finding::fail(
            "download folder",
            format!("{} is not a folder on this machine", local.display()),
            format!(
                "set download_root (now from {}) to fansly-scraper's download_directory",
                config.origin("download_root")
            ),
        ));
    }
    if let Some(names) = creators {
        let suffix = &config.settings.folder_suffix;
        let with_folder = names
            .iter()
            .filter(|n| local.join(format!("{n}{suffix}")).is_dir())
            .count();
        if !names.is_empty() && with_folder == 0 {
            findings.push(Finding::warn(
                "creator folders",
                format!(
                    "none of the {} creator(s) has a folder <username>{suffix} under {}",
                    names.len(),
                    local.display()
                ),
                "check download_root, and folder_suffix (\"\" if fansly-scraper ran with use_folder_suffix = false)",
            ));
        } else if !names.is_empty() {
            findings.push(Finding::ok(
                "creator folders",
                format!("{with_folder} of {} creator(s) have a folder", names.len()),
            ));
        }
    }
    let Some(stash) = stash else {
        findings.push(Finding::skipped("library paths", "Stash is not usable"));
        findings.push(Finding::skipped("path mapping", "Stash is not usable"));
        return;
    };
    let root = mapping.stash_root.trim_end_matches('/').to_owned();
    findings.push(match stash.library_paths().await {
        Ok(libraries) => library_finding(&root, &libraries, &stash_root_origin(config)),
        Err(e) => Finding::fail(
            "library paths",
            format!("reading Stash's library paths failed: {e}"),
            "look at Stash's log; run check again",
        ),
    });
    match stash.list_files(&root, None).await {
        Ok(page) if !page.files.is_empty() => findings.push(Finding::ok(
            "path mapping",
            format!(
                "Stash has files under {root}{}",
                if page.next.is_some() { " (many)" } else { "" }
            ),
        )),
        Ok(_) => findings.push(Finding::warn(
            "path mapping",
            format!("Stash has no files under {root}"),
            format!(
                "add {root} as a library in Stash (Settings > Library) and scan it (or run `sync --scan`); if Stash sees the downloads at another path, set stash_root (now from {})",
                config.origin("stash_root")
            ),
        )),
        Err(e) => findings.push(Finding::fail(
            "path mapping",
            format!("listing Stash files under {root} failed: {e}"),
            "look at Stash's log; run check again",
        )),
    }
}

/// Where `stash_root` comes from, for fixes: `now from <origin>`, or that it is unset.
fn stash_root_origin(config: &Config) -> String {
    if config.origins.contains_key("stash_root") {
        format!("now from {}", config.origin("stash_root"))
    } else {
        "unset, so it is download_root".to_owned()
    }
}

/// Whether Stash can scan `stash_root`: it must lie inside one of Stash's library paths, and
/// that library should take both videos and images. `origin` says where `stash_root` comes
/// from (`now from FANSLY_STASH_STASH_ROOT`, ...).
pub fn library_finding(stash_root: &str, libraries: &[LibraryPath], origin: &str) -> Finding {
    const WHAT: &str = "library paths";
    if let Some(library) = library_containing(libraries, stash_root) {
        let detail = format!("{stash_root} is inside Stash's library {}", library.path);
        return match library.excluded_media() {
            None => Finding::ok(WHAT, detail),
            Some(excluded) => Finding::warn(
                WHAT,
                format!("{detail}, which excludes {excluded}"),
                format!(
                    "include {excluded} for the library {} in Stash (Settings > Library): Stash never scans the {excluded} there, so they cannot be labelled",
                    library.path
                ),
            ),
        };
    }
    let fix = format!(
        "add {stash_root} as a library in Stash (Settings > Library), or set stash_root ({origin}) to the folder where Stash sees the downloads"
    );
    let below: Vec<&LibraryPath> = libraries
        .iter()
        .filter(|l| is_inside(&l.path, stash_root))
        .collect();
    if !below.is_empty() {
        let list: Vec<LibraryPath> = below.into_iter().cloned().collect();
        return Finding::warn(
            WHAT,
            format!(
                "{stash_root} is not a Stash library, only these folders inside it are: {}; creator folders outside them are never scanned",
                describe_libraries(&list)
            ),
            fix,
        );
    }
    let why = if libraries.is_empty() {
        "Stash has no library path configured".to_owned()
    } else {
        format!(
            "it is not inside any of Stash's library paths ({})",
            describe_libraries(libraries)
        )
    };
    Finding::fail(
        WHAT,
        format!(
            "{stash_root}: {why}, so Stash never scans the downloads (`sync --scan` cannot work)"
        ),
        fix,
    )
}

async fn check_state(config: &Config) -> Finding {
    let path = config.state_db();
    if !path.exists() {
        let parent = path.parent().unwrap_or(Path::new("."));
        return match std::fs::create_dir_all(parent) {
            Ok(()) => Finding::ok(
                "sync state",
                format!("{} (created by the first sync)", path.display()),
            ),
            Err(e) => Finding::fail(
                "sync state",
                format!("cannot create {}: {e}", parent.display()),
                format!(
                    "set state_db (now from {}) to a writable place",
                    config.origin("state_db")
                ),
            ),
        };
    }
    match wiring::open_state(config, true).await {
        Ok(Some(_)) => Finding::ok("sync state", path.display().to_string()),
        Ok(None) => Finding::ok(
            "sync state",
            format!("{} (created by the first sync)", path.display()),
        ),
        Err(e) => Finding::fail(
            "sync state",
            e.message.lines().next().unwrap_or("").to_owned(),
            "delete the file (the next run is only slower) or set state_db to another place",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_paths_say_which_library_holds_stash_root() {
        let libs = vec![
            LibraryPath::new("/media/other"),
            LibraryPath::new("/data/fansly/"),
        ];
        let f = library_finding("/data/fansly", &libs, "now from the file");
        assert_eq!(f.status, Status::Ok);
        assert_eq!(
            f.detail,
            "/data/fansly is inside Stash's library /data/fansly/"
        );

        let f = library_finding("/data/fans", &libs, "now from FANSLY_STASH_STASH_ROOT");
        assert_eq!(f.status, Status::Fail);
        assert!(
            f.detail
                .contains("not inside any of Stash's library paths (/media/other, /data/fansly/)"),
            "{}",
            f.detail
        );
        let fix = f.fix.unwrap();
        assert!(
            fix.contains("add /data/fans as a library in Stash (Settings > Library)")
                && fix.contains("set stash_root (now from FANSLY_STASH_STASH_ROOT)"),
            "{fix}"
        );

        let f = library_finding("/data", &[], "x");
        assert_eq!(f.status, Status::Fail);
        assert!(
            f.detail.contains("Stash has no library path configured"),
            "{}",
            f.detail
        );

        let f = library_finding("/data", &libs, "x");
        assert_eq!(f.status, Status::Warn);
        assert!(
            f.detail
                .contains("only these folders inside it are: /data/fansly/"),
            "{}",
            f.detail
        );
    }

    #[test]
    fn a_library_excluding_media_is_a_warning() {
        let libs = vec![LibraryPath {
            exclude_video: true,
            ..LibraryPath::new("/data")
        }];
        let f = library_finding("/data/fansly", &libs, "x");
        assert_eq!(f.status, Status::Warn);
        assert!(f.detail.ends_with("which excludes videos"), "{}", f.detail);
        assert!(
            f.fix
                .unwrap()
                .contains("include videos for the library /data in Stash (Settings > Library)")
        );
    }

    #[test]
    fn exit_codes_follow_the_worst_finding() {
        let ok = Finding::ok("a", "fine");
        let warn = Finding::warn("b", "hmm", "do x");
        let fail = Finding::fail("c", "broken", "do y");
        let down = Finding::fail("d", "down", "start it").unusable();
        assert_eq!(exit_for(&[ok.clone(), warn.clone()]), Exit::Ok);
        assert_eq!(exit_for(&[ok.clone(), fail.clone()]), Exit::SomeFailed);
        assert_eq!(exit_for(&[fail.clone(), down.clone()]), Exit::Unavailable);
        let text = render(&[ok, warn, fail, down]);
        assert!(text.contains("FAIL  c                  broken"), "{text}");
        assert!(text.contains("fix: do y"), "{text}");
        assert!(text.contains("2 problem(s), 1 warning(s)."), "{text}");
    }
}
