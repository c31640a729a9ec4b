//! What `watch` prints: one line per cycle in which something happened (which creators were
//! synced and why, what was written, what it cost), the notices about files Stash has not
//! indexed yet and creators that did not finish (each said once), and at `-v` one line per
//! idle cycle. Lines go to stderr with a timestamp, and to the log file.

use domain::ports::ContentFingerprint;
use sync_core::SyncReport;

use super::tracker::{Notice, Unfinished, Why};
use crate::logging::FILE_ONLY;
use crate::progress;

/// Prints `text` (timestamped, unless quiet) and logs it to the file.
pub(crate) fn say(quiet: bool, text: &str) {
    tracing::info!(target: FILE_ONLY, "{text}");
    if !quiet {
        progress::line(&format!(
            "{} {text}",
            chrono::Local::now().format("%Y-%m-%d %H:%M:%S")
        ));
    }
}

/// Logs `text` to the file only.
pub(crate) fn log_only(text: &str) {
    tracing::info!(target: FILE_ONLY, "{text}");
}

/// Whether a sync created, updated or failed anything.
pub(crate) fn wrote_anything(report: &SyncReport) -> bool {
    report
        .totals()
        .values()
        .any(|c| c.created + c.updated + c.failed > 0)
}

/// The `-v` line of an idle cycle.
pub(crate) fn idle(cycle: u64, queries: u64, requests: u64) -> String {
    format!(
        "cycle {cycle}: no change ({queries} database {}, {requests} Stash {})",
        if queries == 1 { "query" } else { "queries" },
        if requests == 1 { "request" } else { "requests" }
    )
}

/// The synced creators of a cycle, `alice (2 new posts)`, at most [`NAMED`] of them by name.
pub(crate) fn creators(synced: &[String]) -> String {
    match synced.len() {
        n if n <= NAMED => synced.join(", "),
        n => format!(
            "{} and {} more creators",
            synced[..NAMED].join(", "),
            n - NAMED
        ),
    }
}

/// Creators named on a cycle's line.
const NAMED: usize = 5;

/// `2 new posts, 5 new downloads`: what moved between two fingerprints.
pub(crate) fn change(before: &ContentFingerprint, now: &ContentFingerprint) -> String {
    let mut parts = Vec::new();
    let delta = |a: u64, b: u64| i128::from(b) - i128::from(a);
    let count = |parts: &mut Vec<String>, d: i128, one: &str, many: &str| match d {
        0 => {}
        1 => parts.push(format!("1 new {one}")),
        d if d > 0 => parts.push(format!("{d} new {many}")),
        d => parts.push(format!("{} {many} gone", -d)),
    };
    count(
        &mut parts,
        delta(before.posts.count, now.posts.count),
        "post",
        "posts",
    );
    if before.messages != now.messages {
        parts.push("new messages".into());
    }
    count(
        &mut parts,
        delta(before.downloaded_media, now.downloaded_media),
        "download",
        "downloads",
    );
    let counted = !parts.is_empty();
    if !counted && before.posts != now.posts {
        parts.push("posts changed".into());
    }
    if before.attachments != now.attachments {
        parts.push("attachments changed".into());
    }
    if !counted && (before.media != now.media || before.account_media != now.account_media) {
        parts.push("new media".into());
    }
    if parts.is_empty() && before.download_checksum != now.download_checksum {
        parts.push("downloaded files changed".into());
    }
    if parts.is_empty() {
        "changed".into()
    } else {
        parts.join(", ")
    }
}

/// Why a creator is synced, in a few words.
pub(crate) fn why(why: &Why) -> String {
    match why {
        Why::First => "catching up".into(),
        Why::Changed { before, now } => change(before, now),
        Why::Again(left) => again(left),
    }
}

fn again(left: &Unfinished) -> String {
    let mut parts = Vec::new();
    if left.awaiting_files > 0 {
        parts.push(format!(
            "looking again for {} {} not in Stash yet",
            left.awaiting_files,
            plural(left.awaiting_files, "file", "files")
        ));
    }
    if left.failed_items > 0 || left.error.is_some() {
        parts.push("trying again after a failure".into());
    }
    parts.join(", ")
}

fn plural<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// `gallery 2 created, image 5 updated` (only what was written or failed), or `nothing to write`.
pub(crate) fn written(report: &SyncReport) -> String {
    let mut parts = Vec::new();
    for (kind, c) in report.totals() {
        for (n, what) in [
            (c.created, "created"),
            (c.updated, "updated"),
            (c.failed, "failed"),
        ] {
            if n > 0 {
                parts.push(format!("{} {n} {what}", kind.as_str()));
            }
        }
    }
    if parts.is_empty() {
        "nothing to write".into()
    } else {
        parts.join(", ")
    }
}

/// The line for a notice about `creator`; `interval_secs` turns cycles into time.
pub(crate) fn notice(creator: &str, notice: &Notice, interval: std::time::Duration) -> String {
    let when = |cycles: u64| super::health::human(interval * u32::try_from(cycles).unwrap_or(1));
    match notice {
        Notice::Awaiting { files, cycles } => format!(
            "{creator}: {files} downloaded {} not in Stash yet (not scanned, or Stash is still indexing); looking again in {}",
            plural(*files, "file is", "files are"),
            when(*cycles)
        ),
        Notice::Failed {
            items,
            error,
            cycles,
        } => {
            let what = match (error, items) {
                (Some(e), _) => format!("did not finish ({e})"),
                (None, n) => format!(
                    "{n} {} failed (see the log)",
                    plural(u64::try_from(*n).unwrap_or(0), "item", "items")
                ),
            };
            format!("{creator}: {what}; trying again in {}", when(*cycles))
        }
        Notice::Done => format!("{creator}: everything left over is in Stash now"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ports::RowTally;

    fn fp(posts: u64, downloads: u64) -> ContentFingerprint {
        ContentFingerprint {
            posts: RowTally {
                count: posts,
                max_id: i64::try_from(posts).unwrap_or(0),
            },
            downloaded_media: downloads,
            ..ContentFingerprint::default()
        }
    }

    #[test]
    fn changes_are_said_in_words() {
        assert_eq!(change(&fp(1, 1), &fp(3, 6)), "2 new posts, 5 new downloads");
        assert_eq!(change(&fp(1, 1), &fp(2, 1)), "1 new post");
        assert_eq!(change(&fp(3, 1), &fp(2, 1)), "1 posts gone");
        let mut renamed = fp(1, 1);
        renamed.download_checksum = 9;
        assert_eq!(change(&fp(1, 1), &renamed), "downloaded files changed");
        let mut messages = fp(1, 1);
        messages.messages.count = 4;
        assert_eq!(change(&fp(1, 1), &messages), "new messages");
    }

    #[test]
    fn idle_and_creator_lists_read_well() {
        assert_eq!(
            idle(3, 1, 0),
            "cycle 3: no change (1 database query, 0 Stash requests)"
        );
        let many: Vec<String> = (0..7).map(|i| format!("c{i} (catching up)")).collect();
        assert_eq!(
            creators(&many),
            "c0 (catching up), c1 (catching up), c2 (catching up), c3 (catching up), c4 (catching up) and 2 more creators"
        );
        assert_eq!(creators(&many[..1]), "c0 (catching up)");
    }

    #[test]
    fn notices_name_the_creator_and_when() {
        let s = std::time::Duration::from_secs(60);
        let text = notice(
            "alice",
            &Notice::Awaiting {
                files: 3,
                cycles: 2,
            },
            s,
        );
        assert!(
            text.starts_with("alice: 3 downloaded files are not in Stash yet"),
            "{text}"
        );
        assert!(text.ends_with("in 2m 0s"), "{text}");
        let text = notice(
            "bob",
            &Notice::Failed {
                items: 2,
                error: None,
                cycles: 1,
            },
            s,
        );
        assert_eq!(
            text,
            "bob: 2 items failed (see the log); trying again in 1m 0s"
        );
        assert_eq!(
            why(&Why::Again(Unfinished {
                awaiting_files: 1,
                ..Unfinished::default()
            })),
            "looking again for 1 file not in Stash yet"
        );
    }
}
