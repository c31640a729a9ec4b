//! `status`: what the sync state knows, per creator (synced, failed and pending items, the
//! last write) and the recent runs. Works without Stash; uses the metadata database, when it
//! opens, for names, pending counts and the downloaded media no post or message reaches (one
//! query for every creator; see [`crate::attachments`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use domain::ids::AccountId;
use domain::ports::{
    AttachmentCoverage, CreatorSummary, EntityKind, MetadataRepository, RunRecord, SyncRecord,
    SyncStateStore,
};

use super::Context;
use crate::exit::{CmdResult, Exit};
use crate::{attachments, wiring};

/// Runs recorded per `status`.
const RECENT_RUNS: usize = 5;

/// One creator's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatorLine {
    /// Username, or the account id when the metadata database is not available.
    pub name: String,
    /// Records whose last write succeeded.
    pub synced: u64,
    /// Records with a last error.
    pub failed: u64,
    /// Downloaded media without a synced scene or image record (`None`: unknown).
    pub pending: Option<u64>,
    /// How far the creator's posts and messages reach its downloads (`None`: unknown).
    pub attachments: Option<AttachmentCoverage>,
    /// Last successful write.
    pub last_written: Option<DateTime<Utc>>,
}

/// Prints the status.
pub async fn run(ctx: &Context) -> CmdResult {
    let config = &ctx.config;
    let Some(state) = wiring::open_state(config, true).await? else {
        println!(
            "No sync has run yet: the sync-state file {} does not exist. Run `fansly-stash plan` to see what a sync would do, then `fansly-stash sync --all`.",
            config.state_db().display()
        );
        return Ok(Exit::Ok);
    };
    let (creators, coverage, db_note) = match wiring::open_metadata(config).await {
        Ok(repo) => match repo.list_creators().await {
            Ok(c) => {
                let cov = coverage_or_empty(&repo, &c).await;
                (Some(c), cov, None)
            }
            Err(e) => (None, HashMap::new(), Some(e.to_string())),
        },
        Err(e) => (
            None,
            HashMap::new(),
            Some(e.message.lines().next().unwrap_or("").to_owned()),
        ),
    };
    let summaries = state
        .summaries()
        .await
        .map_err(|e| wiring::state_error(config, &e))?;
    let mut ids: Vec<AccountId> = summaries.iter().map(|s| s.creator).collect();
    if let Some(cs) = &creators {
        ids.extend(cs.iter().map(|c| c.account.id));
    }
    ids.sort_unstable_by_key(|a| a.0);
    ids.dedup();
    let mut records = HashMap::new();
    for id in &ids {
        let r = state
            .load_creator(*id)
            .await
            .map_err(|e| wiring::state_error(config, &e))?;
        records.insert(*id, r);
    }
    let runs = state
        .recent_runs(RECENT_RUNS)
        .await
        .map_err(|e| wiring::state_error(config, &e))?;
    let lines = creator_lines(&ids, &records, creators.as_deref(), &coverage);
    print!(
        "{}",
        render(
            &config.state_db().display().to_string(),
            &lines,
            &runs,
            db_note.as_deref()
        )
    );
    Ok(Exit::Ok)
}

/// Every creator of the metadata database, and how far its posts and messages reach its
/// downloads (two queries).
/// The attachment coverage of `creators`; a note, so a failure is logged and the creators
/// are listed without it.
async fn coverage_or_empty(
    repo: &metadata_store::MetadataStore,
    creators: &[CreatorSummary],
) -> HashMap<AccountId, AttachmentCoverage> {
    let ids: Vec<AccountId> = creators.iter().map(|c| c.account.id).collect();
    repo.attachment_coverage(&ids).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "could not count the downloaded media no post or message reaches; status shows the creators without that count");
        HashMap::new()
    })
}

/// Builds one line per creator, by name.
pub fn creator_lines(
    ids: &[AccountId],
    records: &HashMap<AccountId, Vec<SyncRecord>>,
    creators: Option<&[CreatorSummary]>,
    coverage: &HashMap<AccountId, AttachmentCoverage>,
) -> Vec<CreatorLine> {
    let by_id: HashMap<AccountId, &CreatorSummary> = creators
        .unwrap_or_default()
        .iter()
        .map(|c| (c.account.id, c))
        .collect();
    let mut out: BTreeMap<String, CreatorLine> = BTreeMap::new();
    for id in ids {
        let recs = records.get(id).map(Vec::as_slice).unwrap_or_default();
        let ok = |r: &&SyncRecord| r.last_error.is_none() && r.stash_id.is_some();
        let synced = recs.iter().filter(ok).count() as u64;
        let failed = recs.iter().filter(|r| r.last_error.is_some()).count() as u64;
        let synced_media = recs
            .iter()
            .filter(ok)
            .filter(|r| matches!(r.kind, EntityKind::Scene | EntityKind::Image))
            .count() as u64;
        let summary = by_id.get(id);
        let name = summary.map_or_else(
            || format!("account {}", id.0),
            |c| c.account.username.clone(),
        );
        let pending = match (creators, summary) {
            (Some(_), Some(c)) => Some(c.downloaded_media.saturating_sub(synced_media)),
            (Some(_), None) => Some(0),
            (None, _) => None,
        };
        let last_written = recs.iter().filter_map(|r| r.written_at).max();
        out.insert(
            name.clone(),
            CreatorLine {
                name,
                synced,
                failed,
                pending,
                attachments: coverage.get(id).copied(),
                last_written,
            },
        );
    }
    out.into_values().collect()
}

fn when(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "-".to_owned(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

/// The status as text.
pub fn render(
    state_path: &str,
    lines: &[CreatorLine],
    runs: &[RunRecord],
    db_note: Option<&str>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Sync state: {state_path}");
    if let Some(note) = db_note {
        let _ = writeln!(
            out,
            "(metadata database unavailable, so names and pending counts are unknown: {note})"
        );
    }
    if lines.is_empty() {
        let _ = writeln!(out, "No creators yet.");
    } else {
        let _ = writeln!(
            out,
            "{:<24} {:>8} {:>8} {:>8} {:>10}  last written",
            "creator", "synced", "pending", "failed", "unattached"
        );
        let unknown = || "?".to_owned();
        for l in lines {
            let _ = writeln!(
                out,
                "{:<24} {:>8} {:>8} {:>8} {:>10}  {}",
                l.name,
                l.synced,
                l.pending.map_or_else(unknown, |p| p.to_string()),
                l.failed,
                l.attachments
                    .map_or_else(unknown, |c| c.unattached_media.to_string()),
                when(l.last_written)
            );
        }
        let _ = writeln!(
            out,
            "(synced and failed count Stash objects; pending counts downloaded media with no synced scene or image yet; unattached counts downloaded media no post or message reaches: {})",
            attachments::WHAT_SYNC_DOES
        );
        for l in lines {
            if let Some(c) = l
                .attachments
                .filter(AttachmentCoverage::attachments_missing)
                && let Some(line) = attachments::line(&l.name, &c)
            {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    if runs.is_empty() {
        let _ = writeln!(out, "No runs recorded.");
    } else {
        let _ = writeln!(out, "Recent runs:");
        for r in runs {
            let outcome = if r.finished_at.is_none() && r.outcome == "running" {
                "did not finish (killed?)".to_owned()
            } else {
                r.outcome.clone()
            };
            let _ = writeln!(
                out,
                "  #{:<4} {}  {:<12} {}",
                r.id,
                when(Some(r.started_at)),
                outcome,
                r.summary
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::fansly::Account;

    fn rec(kind: EntityKind, key: &str, ok: bool) -> SyncRecord {
        SyncRecord {
            creator: AccountId(1),
            kind,
            key: key.into(),
            stash_id: Some("9".into()),
            fingerprint: Some(1),
            written_at: None,
            last_error: (!ok).then(|| "boom".to_owned()),
            field_hashes: None,
        }
    }

    #[test]
    fn pending_is_downloaded_media_without_a_synced_record() {
        let mut records = HashMap::new();
        records.insert(
            AccountId(1),
            vec![
                rec(EntityKind::Scene, "media:1", true),
                rec(EntityKind::Image, "media:2", true),
                rec(EntityKind::Image, "media:3", false),
                rec(EntityKind::Gallery, "post:1", true),
            ],
        );
        let account = Account {
            id: AccountId(1),
            username: "alice".into(),
            display_name: None,
            about: None,
            created_at: None,
            stash_id: None,
        };
        let creators = vec![CreatorSummary {
            account,
            posts: 1,
            messages: 0,
            downloaded_media: 5,
        }];
        let coverage = HashMap::from([(
            AccountId(1),
            AttachmentCoverage {
                attachments: 0,
                unattached_media: 4,
            },
        )]);
        let lines = creator_lines(&[AccountId(1)], &records, Some(&creators), &coverage);
        assert_eq!(
            lines,
            [CreatorLine {
                name: "alice".into(),
                synced: 3,
                failed: 1,
                pending: Some(3),
                attachments: Some(coverage[&AccountId(1)]),
                last_written: None,
            }]
        );
        let text = render("/s", &lines, &[], None);
        let row = text.lines().find(|l| l.starts_with("alice")).unwrap();
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(&cols[..5], ["alice", "3", "3", "1", "4"], "{text}");
        assert!(
            text.contains("\nalice: 4 downloaded media and no attachment in the database"),
            "the one-line explanation: {text}"
        );
        let unknown = creator_lines(&[AccountId(1)], &records, None, &HashMap::new());
        assert_eq!(unknown[0].name, "account 1");
        assert_eq!(unknown[0].pending, None);
        let text = render("/s", &unknown, &[], Some("down"));
        assert!(
            text.contains("account 1") && text.contains("?") && text.contains("down"),
            "{text}"
        );
    }
}
