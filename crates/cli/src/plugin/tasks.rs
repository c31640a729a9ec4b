//! The four plugin tasks, each the CLI's own code under the plugin's configuration:
//! "Sync all creators" (`sync`), "Preview changes (dry run)" (`plan`), "Check setup" (`check`)
//! and "Queue a scan of the creator folders" (`scan`).
//!
//! No task ever waits for a Stash job: Stash runs one job at a time and this task is one, so a
//! scan it waited for would only start after it ended. `sync` never scans; `scan` queues one
//! scan job and finishes.

use std::path::Path;

use domain::fansly::Account;
use domain::library::{describe_libraries, library_containing};
use domain::ports::{MediaServer, MetadataRepository};
use domain::stash::{ScanGenerate, ScanRequest};
use metadata_store::MetadataStore;
use serde_json::{Value, json};
use sync_core::report::CountsByKind;
use sync_core::{CancelFlag, SyncMonitor, SyncReport};

use super::context::{PluginContext, setting_origin};
use super::log::{Level, StashLog};
use super::progress::{self, RunProgress};
use super::settings::PLUGIN_ID;
use crate::cli::CreatorSelection;
use crate::commands::check::{self, Status};
use crate::commands::sync::{RunRequest, engine_for};
use crate::exit::{CliError, Exit};
use crate::{attachments, wiring};

/// Which task (the `mode` argument of the YAML's `defaultArgs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Sync every creator (or the ones in "Only these creators").
    Sync,
    /// The same run without writing anything.
    Plan,
    /// Diagnose the setup.
    Check,
    /// Queue a Stash scan of the creator folders and finish.
    Scan,
}

impl Task {
    /// The task for a `mode` argument.
    pub fn from_mode(mode: Option<&str>) -> Result<Task, CliError> {
        match mode.map(str::to_ascii_lowercase).as_deref() {
            Some("sync") => Ok(Task::Sync),
            Some("plan") | Some("preview") | Some("dry-run") => Ok(Task::Plan),
            Some("check") => Ok(Task::Check),
            Some("scan") => Ok(Task::Scan),
            other => Err(CliError::config(format!(
                "unknown task mode {}: the plugin's tasks pass mode sync, plan, check or scan; reinstall the plugin if its {PLUGIN_ID}.yml was edited",
                other.map_or("(none)".to_owned(), |m| format!("'{m}'"))
            ))),
        }
    }

    /// The mode's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Task::Sync => "sync",
            Task::Plan => "plan",
            Task::Check => "check",
            Task::Scan => "scan",
        }
    }
}

/// What a task hands back: the output JSON, or a failure (with the output so far).
pub type TaskResult = Result<Value, (CliError, Value)>;

/// Runs `task`.
pub async fn run(task: Task, ctx: &PluginContext, log: &StashLog) -> TaskResult {
    match task {
        Task::Sync => sync(ctx, log, false).await,
        Task::Plan => sync(ctx, log, true).await,
        Task::Check => setup_check(ctx, log).await,
        Task::Scan => queue_scan(ctx, log).await,
    }
}

fn fail(e: CliError) -> (CliError, Value) {
    (e, Value::Null)
}

/// The creators a task covers, with their weight for the progress bar.
async fn creators(
    ctx: &PluginContext,
    repo: &MetadataStore,
) -> Result<Vec<(Account, u64)>, CliError> {
    let config = &ctx.config;
    let mut all = repo
        .list_creators()
        .await
        .map_err(|e| wiring::repository_error(config, &e))?;
    all.sort_by(|a, b| a.account.username.cmp(&b.account.username));
    let weighed = |c: &domain::ports::CreatorSummary| c.posts + c.messages + c.downloaded_media;
    let wanted = &ctx.options.creators;
    if wanted.is_empty() {
        return Ok(all
            .iter()
            .map(|c| (c.account.clone(), weighed(c)))
            .collect());
    }
    let mut out = Vec::new();
    let mut unknown = Vec::new();
    for name in wanted {
        match all
            .iter()
            .find(|c| c.account.username.eq_ignore_ascii_case(name))
        {
            Some(c)
                if !out
                    .iter()
                    .any(|(a, _): &(Account, u64)| a.id == c.account.id) =>
            {
                out.push((c.account.clone(), weighed(c)));
            }
            Some(_) => {}
            None => unknown.push(format!("'{name}'")),
        }
    }
    if !unknown.is_empty() {
        let known: Vec<&str> = all
            .iter()
            .take(20)
            .map(|c| c.account.username.as_str())
            .collect();
        let known = if known.is_empty() {
            "the database has no creators".to_owned()
        } else {
            format!("known creators include: {}", known.join(", "))
        };
        return Err(CliError::config(format!(
            "unknown creator {} in {}: no such username in the metadata database {} ({known}). Fix the spelling, or clear the setting to cover every creator",
            unknown.join(", "),
            setting_origin(config, "creators", "Only these creators"),
            config.metadata_db()
        )));
    }
    Ok(out)
}

async fn sync(ctx: &PluginContext, log: &StashLog, dry_run: bool) -> TaskResult {
    let config = &ctx.config;
    let mapping = ctx.mapping().map_err(fail)?;
    let repo = wiring::open_metadata(config).await.map_err(fail)?;
    let selected = creators(ctx, &repo).await.map_err(fail)?;
    if selected.is_empty() {
        log.info(&format!(
            "No creators in the metadata database {}: nothing to do. Set 'Metadata database' to fansly-scraper's database, or import some metadata first.",
            config.metadata_db()
        ));
        return Ok(
            json!({"task": if dry_run { "plan" } else { "sync" }, "outcome": "ok", "creators": []}),
        );
    }
    let req = RunRequest {
        selection: CreatorSelection {
            creators: Vec::new(),
            all: true,
        },
        default_all: true,
        dry_run,
        scan: false,
        rescan: false,
        force: false,
    };
    let engine = engine_for(config, repo, &req, mapping)
        .await
        .map_err(fail)?;
    let weights = selected
        .iter()
        .map(|(a, w)| (a.username.clone(), *w))
        .collect::<Vec<_>>();
    let accounts: Vec<Account> = selected.into_iter().map(|(a, _)| a).collect();
    let (monitor, rx) = SyncMonitor::channel();
    let driver = tokio::spawn(progress::drive(rx, log.clone(), RunProgress::new(weights)));
    // Stop in Stash is SIGKILL: nothing to catch, the state is saved batch by batch.
    let result = engine
        .sync_creators(&accounts, &monitor, &CancelFlag::new())
        .await;
    drop(monitor);
    drop(engine);
    let _ = driver.await;
    let report = result.map_err(|e| fail(wiring::sync_error(config, e)))?;
    if let Some(plan) = &report.plan {
        log_plan(log, &crate::plan_table::render(plan));
    }
    log_data_notes(log, &report);
    log.info(&final_line(&report));
    Ok(report_json(&report))
}

/// What the metadata and the disk could not give, as in the CLI's report: a warning per
/// creator whose database has no attachments, a line per creator with some media no post or
/// message reaches, one line for the creators without a download folder.
fn log_data_notes(log: &StashLog, report: &SyncReport) {
    for c in &report.creators {
        if let Some(line) = attachments::line(&c.creator, &c.attachments) {
            match c.attachments.attachments_missing() {
                true => log.warn(&line),
                false => log.info(&line),
            }
        }
    }
    if let Some(line) = crate::report::absent_folders_line(report) {
        log.info(&line);
    }
}

/// The plan table, capped so a big library does not flood Stash's log.
fn log_plan(log: &StashLog, table: &str) {
    const MAX_LINES: usize = 200;
    let lines: Vec<&str> = table.lines().collect();
    for line in lines.iter().take(MAX_LINES) {
        log.info(line);
    }
    if lines.len() > MAX_LINES {
        log.info(&format!(
            "... and {} more plan lines (the task's output has them all)",
            lines.len() - MAX_LINES
        ));
    }
}

/// The one summary line: outcome, counts per kind, requests, time, and how many downloaded
/// media no post or message reaches (explained in the lines before it).
pub fn final_line(report: &SyncReport) -> String {
    let unattached: u64 = report
        .creators
        .iter()
        .map(|c| c.attachments.unattached_media)
        .sum();
    let unattached = match unattached {
        0 => String::new(),
        n => format!(
            "; {} downloaded media no post or message reaches (see above)",
            attachments::thousands(n)
        ),
    };
    format!(
        "{} finished ({}{}): {}; {} Stash requests in {:.1} s{unattached}",
        if report.dry_run { "Preview" } else { "Sync" },
        report.outcome(),
        if report.dry_run {
            ", nothing written"
        } else {
            ""
        },
        report.summary_line(),
        report.requests.total(),
        report.duration.as_secs_f64()
    )
}

fn counts_json(counts: &CountsByKind) -> Value {
    let mut out = serde_json::Map::new();
    for (kind, c) in counts {
        out.insert(
            kind.as_str().to_owned(),
            json!({
                "created": c.created,
                "updated": c.updated,
                "unchanged": c.unchanged,
                "skipped": c.skipped,
                "failed": c.failed,
            }),
        );
    }
    Value::Object(out)
}

/// The run as the task's output.
pub fn report_json(report: &SyncReport) -> Value {
    json!({
        "task": if report.dry_run { "plan" } else { "sync" },
        "outcome": report.outcome().as_str(),
        "dry_run": report.dry_run,
        "summary": report.summary_line(),
        "totals": counts_json(&report.totals()),
        "creators": report.creators.iter().map(|c| json!({
            "creator": c.creator,
            "totals": counts_json(&c.counts),
            "error": c.error,
            "attachments": c.attachments.attachments,
            "unattached_media": c.attachments.unattached_media,
            "attachments_missing": c.attachments.attachments_missing(),
            "absent_folder": c.absent_folder,
        })).collect::<Vec<_>>(),
        "failed_items": report.errors.iter().map(|e| json!({
            "creator": e.creator,
            "kind": e.kind.as_str(),
            "key": e.key,
            "error": e.error,
        })).collect::<Vec<_>>(),
        "requests": report.requests.total(),
        "requests_by_operation": report.requests.per_operation,
        "seconds": report.duration.as_secs_f64(),
        "plan": report.plan.as_ref().map(crate::plan_table::render),
    })
}

async fn setup_check(ctx: &PluginContext, log: &StashLog) -> TaskResult {
    let findings = check::findings(&ctx.config).await;
    for f in &findings {
        let level = match f.status {
            Status::Ok | Status::Skipped => Level::Info,
            Status::Warn => Level::Warning,
            Status::Fail => Level::Error,
        };
        log.log(
            level,
            &format!("{} {}: {}", f.status.label(), f.what, f.detail),
        );
        if let Some(fix) = &f.fix {
            log.log(level, &format!("{} fix: {fix}", f.what));
        }
    }
    let output = json!({
        "task": "check",
        "findings": findings.iter().map(|f| json!({
            "status": f.status.label(),
            "what": f.what,
            "detail": f.detail,
            "fix": f.fix,
        })).collect::<Vec<_>>(),
    });
    let problems: Vec<String> = findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| match &f.fix {
            Some(fix) => format!("{}: {}. Fix: {fix}", f.what, f.detail),
            None => format!("{}: {}", f.what, f.detail),
        })
        .collect();
    if problems.is_empty() {
        log.info("Check setup: all checks passed");
        return Ok(output);
    }
    let exit = check::exit_for(&findings);
    let message = format!(
        "Check setup found {} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    Err((
        CliError {
            exit: if exit == Exit::Ok {
                Exit::SomeFailed
            } else {
                exit
            },
            message,
        },
        output,
    ))
}

async fn queue_scan(ctx: &PluginContext, log: &StashLog) -> TaskResult {
    let config = &ctx.config;
    let mapping = ctx.mapping().map_err(fail)?;
    let repo = wiring::open_metadata(config).await.map_err(fail)?;
    let selected = creators(ctx, &repo).await.map_err(fail)?;
    let stash = wiring::connect_stash(config).await.map_err(fail)?;
    let libraries = stash
        .library_paths()
        .await
        .map_err(|e| fail(wiring::stash_error(config, &e)))?;
    let suffix = &config.settings.folder_suffix;
    let mut folders = Vec::new();
    let mut skipped = Vec::new();
    for (account, _) in &selected {
        let folder = mapping.creator_root(&account.username, suffix);
        if !Path::new(&folder).is_dir() {
            skipped.push(
                json!({"creator": account.username, "folder": folder, "reason": "no such folder"}),
            );
        } else if library_containing(&libraries, &folder).is_none() {
            log.warn(&format!(
                "{}: {folder} is not inside any of Stash's library paths ({}), so Stash would not scan it: add {} as a library in Stash (Settings > Library)",
                account.username,
                describe_libraries(&libraries),
                mapping.stash_root
            ));
            skipped.push(json!({"creator": account.username, "folder": folder, "reason": "outside Stash's libraries"}));
        } else {
            folders.push(folder);
        }
    }
    if folders.is_empty() {
        return Err((
            CliError::config(format!(
                "no creator folder to scan: none of the {} creator(s) has a folder <username>{suffix} inside a Stash library under {}. Check 'Download folder' and 'Creator folder suffix' in Settings > Plugins > {PLUGIN_ID}, and that the folder is a library in Settings > Library",
                selected.len(),
                mapping.stash_root
            )),
            json!({"task": "scan", "skipped": skipped}),
        ));
    }
    let request = ScanRequest {
        paths: folders.clone(),
        rescan: false,
        generate: ScanGenerate::default(),
    };
    let job = stash
        .start_scan(&request)
        .await
        .map_err(|e| fail(wiring::stash_error(config, &e)))?;
    log.info(&format!(
        "Queued Stash scan job {job} for {} creator folder(s). Stash runs one job at a time, so it starts when this task ends; queue \"Sync all creators\" now and it runs right after the scan.",
        folders.len()
    ));
    Ok(json!({
        "task": "scan",
        "job_id": job.to_string(),
        "folders": folders,
        "skipped": skipped,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_name_the_tasks() {
        assert_eq!(Task::from_mode(Some("sync")).unwrap(), Task::Sync);
        assert_eq!(Task::from_mode(Some("PLAN")).unwrap(), Task::Plan);
        assert_eq!(Task::from_mode(Some("scan")).unwrap(), Task::Scan);
        let e = Task::from_mode(Some("nuke")).unwrap_err();
        assert!(e.message.contains("'nuke'"), "{}", e.message);
        assert!(Task::from_mode(None).is_err());
    }
}
