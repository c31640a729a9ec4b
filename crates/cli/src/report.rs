//! The final report of a run: counts per object kind (created, updated, unchanged, skipped,
//! failed), what the metadata could not give (media no post or message reaches, see
//! [`crate::attachments`]), creators without a download folder (once), the failures, requests
//! made, time taken, and where the log is.

use std::fmt::Write as _;

use sync_core::{RunOutcome, SyncReport};

use crate::attachments;

/// How many failures are listed one by one before "... and N more".
const MAX_LISTED_FAILURES: usize = 20;

/// The report as text for stdout.
pub fn render(report: &SyncReport, log: &str, verbose: bool) -> String {
    let mut out = String::new();
    let title = match (report.dry_run, report.outcome()) {
        (true, RunOutcome::Interrupted) => "Plan interrupted (partial: nothing was written)",
        (true, _) => "Plan (dry run: nothing was written)",
        (false, RunOutcome::Ok) => "Sync finished",
        (false, RunOutcome::Partial) => "Sync finished with failures (they are retried next run)",
        (false, RunOutcome::Interrupted | RunOutcome::Failed) => {
            "Sync interrupted (the sync state is saved; run again to continue)"
        }
    };
    let _ = writeln!(out, "{title}");
    let totals = report.totals();
    if totals.is_empty() {
        let _ = writeln!(out, "  nothing to do");
    } else {
        let _ = writeln!(
            out,
            "  {:<10} {:>8} {:>8} {:>10} {:>8} {:>7}",
            "kind", "created", "updated", "unchanged", "skipped", "failed"
        );
        for (kind, c) in &totals {
            let _ = writeln!(
                out,
                "  {:<10} {:>8} {:>8} {:>10} {:>8} {:>7}",
                kind.as_str(),
                c.created,
                c.updated,
                c.unchanged,
                c.skipped,
                c.failed
            );
        }
    }
    for c in &report.creators {
        if let Some(e) = &c.error {
            let _ = writeln!(out, "  creator {}: {e}", c.creator);
        }
    }
    out.push_str(&data_notes(report));
    if !report.errors.is_empty() {
        let _ = writeln!(out, "Failed items ({}):", report.errors.len());
        for e in report.errors.iter().take(MAX_LISTED_FAILURES) {
            let _ = writeln!(
                out,
                "  {} {} {}: {}",
                e.creator,
                e.kind.as_str(),
                e.key,
                e.error
            );
        }
        if report.errors.len() > MAX_LISTED_FAILURES {
            let _ = writeln!(
                out,
                "  ... and {} more (see the log)",
                report.errors.len() - MAX_LISTED_FAILURES
            );
        }
    }
    if !report.healed.is_empty() {
        let _ = writeln!(
            out,
            "Re-resolved after they vanished from Stash ({}):",
            report.healed.len()
        );
        for h in &report.healed {
            let _ = writeln!(out, "  {} {}: {}", h.creator, h.what, h.reason);
        }
    }
    if verbose && !report.skipped.is_empty() {
        let _ = writeln!(out, "Left alone on purpose ({}):", report.skipped.len());
        for s in &report.skipped {
            let _ = writeln!(out, "  {} {}: {}", s.creator, s.what, s.reason);
        }
    }
    let _ = writeln!(
        out,
        "Requests: {} to Stash{}",
        report.requests.total(),
        if verbose && !report.requests.per_operation.is_empty() {
            format!(
                " ({})",
                report
                    .requests
                    .per_operation
                    .iter()
                    .map(|(op, n)| format!("{op} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            String::new()
        }
    );
    let _ = writeln!(out, "Time: {:.1}s", report.duration.as_secs_f64());
    let _ = writeln!(out, "Log: {log}");
    out
}

/// Creators named in the absent-folders line before "and N more".
const NAMED_ABSENT: usize = 10;

/// What the metadata and the disk could not give: per creator, media no post or message
/// reaches (one line each); once, the creators without a download folder here.
pub fn data_notes(report: &SyncReport) -> String {
    let mut out = String::new();
    for c in &report.creators {
        if let Some(line) = attachments::line(&c.creator, &c.attachments) {
            let _ = writeln!(out, "  {line}");
        }
    }
    if let Some(line) = absent_folders_line(report) {
        let _ = writeln!(out, "  {line}");
    }
    out
}

/// The one line about creators whose download folder does not exist here: what was skipped,
/// why, and what to do. When no creator of the run has a folder, the setting is the likely
/// cause (an empty mount, the wrong folder) and the line says so.
pub fn absent_folders_line(report: &SyncReport) -> Option<String> {
    let absent: Vec<_> = report.absent_folders().collect();
    let example = absent.first()?.absent_folder.as_deref().unwrap_or_default();
    if absent.len() == report.creators.len() && absent.len() > 1 {
        return Some(format!(
            "none of the {} creators has a download folder here (no folder such as {example}), so nothing was looked up or written: download_root (or folder_suffix) is probably wrong, or the download folder is not mounted; point download_root at fansly-scraper's download_directory as this machine sees it (`fansly-stash check` lists what it finds there)",
            absent.len()
        ));
    }
    let mut names: Vec<&str> = absent.iter().map(|c| c.creator.as_str()).collect();
    names.sort_unstable();
    let more = match names.len().saturating_sub(NAMED_ABSENT) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    names.truncate(NAMED_ABSENT);
    Some(format!(
        "{} creator(s) without a download folder here, not looked up in Stash: {}{more} (no folder such as {example}). Nothing to do if fansly-scraper downloaded nothing for them (mentioned or quoted accounts, fans); otherwise check download_root and folder_suffix (`fansly-stash check`)",
        absent.len(),
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ports::{AttachmentCoverage, EntityKind};
    use sync_core::Counts;
    use sync_core::report::{CountsByKind, CreatorReport, ItemError};

    fn report() -> SyncReport {
        let mut counts = CountsByKind::new();
        counts.insert(
            EntityKind::Scene,
            Counts {
                created: 0,
                updated: 4,
                unchanged: 2,
                skipped: 1,
                failed: 1,
            },
        );
        let mut r = SyncReport::default();
        r.creators.push(CreatorReport {
            creator: "alice".into(),
            counts,
            error: None,
            awaiting_files: 0,
            attachments: AttachmentCoverage {
                attachments: 3,
                unattached_media: 0,
            },
            absent_folder: None,
        });
        r.errors.push(ItemError {
            creator: "alice".into(),
            kind: EntityKind::Scene,
            key: "media:7".into(),
            error: "boom".into(),
        });
        r.requests.per_operation.insert("FindScenes".into(), 3);
        r
    }

    #[test]
    fn the_report_has_counts_failures_requests_time_and_log() {
        let text = render(&report(), "/logs/today.log", false);
        assert!(text.starts_with("Sync finished with failures"), "{text}");
        assert!(
            text.contains("scene             0        4          2        1       1"),
            "{text}"
        );
        assert!(text.contains("alice scene media:7: boom"), "{text}");
        assert!(text.contains("Requests: 3 to Stash\n"), "{text}");
        assert!(text.contains("Time: "), "{text}");
        assert!(text.contains("Log: /logs/today.log"), "{text}");
        let verbose = render(&report(), "x", true);
        assert!(verbose.contains("FindScenes 3"), "{verbose}");
    }

    #[test]
    fn long_failure_lists_are_cut() {
        let mut r = report();
        let e = r.errors[0].clone();
        r.errors = vec![e; 25];
        let text = render(&r, "x", false);
        assert!(text.contains("... and 5 more"), "{text}");
    }

    #[test]
    fn healed_entities_are_listed() {
        let mut r = report();
        assert!(!render(&r, "x", false).contains("vanished"));
        r.healed.push(sync_core::report::SkipNote {
            creator: "alice".into(),
            what: "tag:summer".into(),
            reason: "tag 12 was deleted in Stash; found or created again".into(),
        });
        let text = render(&r, "x", false);
        assert!(
            text.contains(
                "Re-resolved after they vanished from Stash (1):\n  alice tag:summer: tag 12"
            ),
            "{text}"
        );
    }

    #[test]
    fn media_no_post_reaches_and_absent_folders_are_said() {
        let mut r = report();
        let text = render(&r, "x", false);
        assert!(!text.contains("no post or message"), "{text}");
        assert!(!text.contains("download folder"), "{text}");
        r.creators[0].attachments = AttachmentCoverage {
            attachments: 0,
            unattached_media: 3706,
        };
        for (name, folder) in [("dave", "/dl/dave_fansly"), ("bob", "/dl/bob_fansly")] {
            r.creators.push(CreatorReport {
                creator: name.into(),
                counts: CountsByKind::new(),
                error: None,
                awaiting_files: 0,
                attachments: AttachmentCoverage::default(),
                absent_folder: Some(folder.into()),
            });
        }
        let text = render(&r, "x", false);
        assert!(
            text.contains("  alice: 3,706 downloaded media and no attachment in the database"),
            "{text}"
        );
        let absent: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("without a download folder"))
            .collect();
        assert_eq!(absent.len(), 1, "said once: {text}");
        assert!(
            absent[0].starts_with(
                "  2 creator(s) without a download folder here, not looked up in Stash: bob, dave (no folder such as /dl/dave_fansly)"
            ),
            "{text}"
        );
        assert!(
            absent[0].contains("check download_root and folder_suffix"),
            "{text}"
        );

        // Every creator without a folder: the setting is the likely cause.
        r.creators[0].absent_folder = Some("/dl/alice_fansly".into());
        let text = render(&r, "x", false);
        assert!(
            text.contains("none of the 3 creators has a download folder here (no folder such as /dl/alice_fansly)"),
            "{text}"
        );
        assert!(
            text.contains("download_root (or folder_suffix) is probably wrong"),
            "{text}"
        );
    }
}
