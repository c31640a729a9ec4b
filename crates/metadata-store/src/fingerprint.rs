//! [`ContentFingerprint`]s of every creator in one query: what `watch` asks each cycle to learn
//! whether anything a sync reads has changed, without altering the upstream schema (which has
//! no trustworthy updated-at column: `media.updatedAt` is Fansly's, and the download columns
//! are written without touching it).
//!
//! The query is a `UNION ALL` of per-account aggregates, one full pass over each table and
//! nothing else: posts; messages by conversation member, sender and recipient; attachments of
//! posts and of messages (by sender and by conversation member); account media and bundles;
//! media with their download columns. Counts and largest ids catch added rows; a checksum over
//! `is_downloaded` and `local_filename` catches downloads. The checksum uses `hashtext` on
//! PostgreSQL; SQLite has no hash function, so there it mixes the name's length with the
//! number after `_id_` (fansly-scraper's names), each weighted by the media id.
//!
//! It does not detect edits of existing text (post content, profiles) or junction rows added
//! to existing posts (hashtags, mentions, bundle members); `watch` picks those up when it
//! starts (it syncs every creator once) and `sync` always does.

use std::collections::HashMap;

use domain::ids::AccountId;
use domain::ports::{ContentFingerprint, RepositoryError, RowTally};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::counting::CountingConnection;
use crate::db_error::classify;

/// What each row of the query tallies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Posts = 1,
    MessagesInGroups = 2,
    MessagesSent = 3,
    MessagesReceived = 4,
    PostAttachments = 5,
    SentAttachments = 6,
    GroupAttachments = 7,
    AccountMedia = 8,
    Bundles = 9,
    Media = 10,
}

impl Part {
    const ALL: [Part; 10] = [
        Part::Posts,
        Part::MessagesInGroups,
        Part::MessagesSent,
        Part::MessagesReceived,
        Part::PostAttachments,
        Part::SentAttachments,
        Part::GroupAttachments,
        Part::AccountMedia,
        Part::Bundles,
        Part::Media,
    ];

    fn from_code(code: i32) -> Option<Part> {
        Part::ALL.into_iter().find(|p| *p as i32 == code)
    }
}

/// Every part but the media one: `(part, account, rows, largest id)`, zeros elsewhere.
const COUNT_PARTS: &str = r#"
SELECT 1 AS part, p."accountId" AS account, COUNT(*) AS n, MAX(p.id) AS top,
       0 AS downloaded, 0 AS named, 0 AS name_sum, 0 AS download_sum
  FROM posts p GROUP BY p."accountId"
UNION ALL
SELECT 2, gu."accountId", COUNT(*), MAX(msg.id), 0, 0, 0, 0
  FROM messages msg JOIN group_users gu ON gu."groupId" = msg."groupId"
  GROUP BY gu."accountId"
UNION ALL
SELECT 3, msg."senderId", COUNT(*), MAX(msg.id), 0, 0, 0, 0
  FROM messages msg GROUP BY msg."senderId"
UNION ALL
SELECT 4, msg."recipientId", COUNT(*), MAX(msg.id), 0, 0, 0, 0
  FROM messages msg WHERE msg."recipientId" IS NOT NULL GROUP BY msg."recipientId"
UNION ALL
SELECT 5, p."accountId", COUNT(*), MAX(a.id), 0, 0, 0, 0
  FROM attachments a JOIN posts p ON p.id = a."postId" GROUP BY p."accountId"
UNION ALL
SELECT 6, msg."senderId", COUNT(*), MAX(a.id), 0, 0, 0, 0
  FROM attachments a JOIN messages msg ON msg.id = a."messageId" GROUP BY msg."senderId"
UNION ALL
SELECT 7, gu."accountId", COUNT(*), MAX(a.id), 0, 0, 0, 0
  FROM attachments a JOIN messages msg ON msg.id = a."messageId"
  JOIN group_users gu ON gu."groupId" = msg."groupId"
  GROUP BY gu."accountId"
UNION ALL
SELECT 8, am."accountId", COUNT(*), MAX(am.id), 0, 0, 0, 0
  FROM account_media am GROUP BY am."accountId"
UNION ALL
SELECT 9, b."accountId", COUNT(*), MAX(b.id), 0, 0, 0, 0
  FROM account_media_bundles b GROUP BY b."accountId"
UNION ALL
"#;

/// The media part; `{name_hash}` and `{download_weight}` are the backend's expressions.
const MEDIA_PART: &str = r#"
SELECT 10, m."accountId", COUNT(*), MAX(m.id),
       SUM(CASE WHEN m.is_downloaded THEN 1 ELSE 0 END),
       COUNT(m.local_filename),
       SUM(CASE WHEN m.local_filename IS NULL THEN 0 ELSE {name_hash} END),
       SUM(CASE WHEN m.is_downloaded THEN {download_weight} ELSE 0 END)
  FROM media m GROUP BY m."accountId"
"#;

/// The whole query for `backend`.
pub(crate) fn query(backend: DbBackend) -> String {
    let (name_hash, download_weight) = match backend {
        // int4 all the way, so SUM stays a bigint (not numeric) and cannot overflow.
        DbBackend::Postgres => (
            "(hashtext(m.local_filename) # CAST(m.id % 2147483647 AS INTEGER))",
            "CAST(m.id % 65521 AS INTEGER)",
        ),
        // At most ~1.7e11 per row: a sum over a billion media still fits an i64.
        _ => (
            "((length(m.local_filename) * 7919 \
               + CAST(substr(m.local_filename, instr(m.local_filename, '_id_') + 4) AS INTEGER) \
                 % 1000003) * (m.id % 8191 + 1))",
            "(m.id % 65521)",
        ),
    };
    let media = MEDIA_PART
        .replace("{name_hash}", name_hash)
        .replace("{download_weight}", download_weight);
    format!("{COUNT_PARTS}{media}")
}

/// One account's parts, as the query returns them.
#[derive(Debug, Default)]
struct Parts {
    tallies: [RowTally; Part::ALL.len()],
    downloaded: i64,
    named: u64,
    name_sum: i64,
    download_sum: i64,
}

impl Parts {
    fn tally(&self, part: Part) -> RowTally {
        self.tallies[part as usize - 1]
    }

    /// The list-creators rule: an account with posts or downloaded media.
    fn is_creator(&self) -> bool {
        self.tally(Part::Posts).count > 0 || self.named > 0
    }

    fn fingerprint(&self) -> ContentFingerprint {
        let merged = |parts: &[Part]| {
            parts
                .iter()
                .fold(RowTally::default(), |acc, p| acc.merge(self.tally(*p)))
        };
        ContentFingerprint {
            posts: self.tally(Part::Posts),
            messages: merged(&[
                Part::MessagesInGroups,
                Part::MessagesSent,
                Part::MessagesReceived,
            ]),
            attachments: merged(&[
                Part::PostAttachments,
                Part::SentAttachments,
                Part::GroupAttachments,
            ]),
            account_media: merged(&[Part::AccountMedia, Part::Bundles]),
            media: self.tally(Part::Media),
            downloaded_media: self.named,
            download_checksum: self
                .name_sum
                .wrapping_mul(31)
                .wrapping_add(self.download_sum)
                .wrapping_mul(31)
                .wrapping_add(self.downloaded),
        }
    }
}

fn column<T: sea_orm::TryGetable>(
    row: &sea_orm::QueryResult,
    name: &str,
) -> Result<T, RepositoryError> {
    row.try_get::<T>("", name).map_err(|e| {
        RepositoryError::Query(format!("reading content fingerprints: column {name}: {e}"))
    })
}

/// Runs the query: a fingerprint per creator.
pub(crate) async fn fingerprints(
    db: &CountingConnection,
    url: &str,
) -> Result<HashMap<AccountId, ContentFingerprint>, RepositoryError> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all(Statement::from_string(backend, query(backend)))
        .await
        .map_err(|e| classify(e, url, "reading content fingerprints"))?;
    let mut accounts: HashMap<i64, Parts> = HashMap::new();
    for row in &rows {
        let code: i32 = column(row, "part")?;
        let Some(part) = Part::from_code(code) else {
            continue;
        };
        let account: i64 = column(row, "account")?;
        let entry = accounts.entry(account).or_default();
        entry.tallies[part as usize - 1] = RowTally {
            count: u64::try_from(column::<i64>(row, "n")?).unwrap_or(0),
            max_id: column::<Option<i64>>(row, "top")?.unwrap_or(0),
        };
        if part == Part::Media {
            entry.downloaded = column::<Option<i64>>(row, "downloaded")?.unwrap_or(0);
            entry.named = u64::try_from(column::<i64>(row, "named")?).unwrap_or(0);
            entry.name_sum = column::<Option<i64>>(row, "name_sum")?.unwrap_or(0);
            entry.download_sum = column::<Option<i64>>(row, "download_sum")?.unwrap_or(0);
        }
    }
    Ok(accounts
        .into_iter()
        .filter(|(_, parts)| parts.is_creator())
        .map(|(id, parts)| (AccountId(id), parts.fingerprint()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_code_round_trips() {
        for p in Part::ALL {
            assert_eq!(Part::from_code(p as i32), Some(p));
        }
        assert_eq!(Part::from_code(0), None);
        let sql = query(DbBackend::Postgres);
        for p in Part::ALL {
            let code = p as i32;
            assert!(
                sql.contains(&format!("SELECT {code} "))
                    || sql.contains(&format!("SELECT {code},")),
                "{p:?}"
            );
        }
    }

    #[test]
    fn the_creator_rule_is_posts_or_named_media() {
        let mut parts = Parts::default();
        assert!(!parts.is_creator());
        parts.named = 1;
        assert!(parts.is_creator());
        let mut parts = Parts::default();
        parts.tallies[Part::Posts as usize - 1].count = 1;
        assert!(parts.is_creator());
    }
}
