//! The attachments gap: current fansly-scraper ingestion saves no `attachments`, so downloaded
//! media of a creator may be reached by no item. Such media are found here, so sync can still
//! label them (performer, studio, date, code): one query lists the ids of all of a creator's
//! unattached media (the "reached" set is computed once, not once per page); the store keeps
//! that list (8 bytes per media) while it pages through it and loads each page by id.
//!
//! A media is *unattached* when it is downloaded (`local_filename` set), owned by the creator
//! (`media.accountId`), not a variant of another media, not an avatar or banner, and not reached
//! by any attachment of the creator's posts and messages: directly (account media main or
//! preview), through a bundle (members and the bundle preview), through quoted posts
//! (recursively; `UNION` stops cycles), or as a variant of a reached media.
//!
//! [`coverage`] answers the same question for many creators at once, counting rather than
//! listing: the reached set per (creator, media) pair, in one query, for `check`, `status` and
//! the sync report. `tests/content.rs` holds the two to the same answer.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DbErr, Statement, Value};

/// The reached-media CTE; `$1` is the creator's account id.
const REACHED: &str = r#"
WITH RECURSIVE
creator_messages AS (
  SELECT msg.id AS id FROM messages msg
  WHERE msg."groupId" IN (SELECT gu."groupId" FROM group_users gu WHERE gu."accountId" = $1)
     OR msg."senderId" = $1 OR msg."recipientId" = $1
),
top_att AS (
  SELECT a."contentId" AS cid, CAST(a."contentType" AS TEXT) AS ctype FROM attachments a
  WHERE a."postId" IN (SELECT p.id FROM posts p WHERE p."accountId" = $1)
     OR a."messageId" IN (SELECT id FROM creator_messages)
),
agg(pid) AS (
  SELECT cid FROM top_att WHERE ctype = 'AGGREGATED_POSTS'
  UNION
  SELECT a."contentId" FROM attachments a JOIN agg ON a."postId" = agg.pid
  WHERE CAST(a."contentType" AS TEXT) = 'AGGREGATED_POSTS'
),
all_att AS (
  SELECT cid, ctype FROM top_att
  UNION ALL
  SELECT a."contentId", CAST(a."contentType" AS TEXT) FROM attachments a
  WHERE a."postId" IN (SELECT pid FROM agg)
),
reached_am AS (
  SELECT cid AS amid FROM all_att WHERE ctype = 'ACCOUNT_MEDIA'
  UNION
  SELECT bm.media_id FROM account_media_bundle_media bm
  WHERE bm.bundle_id IN (SELECT cid FROM all_att WHERE ctype = 'ACCOUNT_MEDIA_BUNDLE')
),
reached AS (
  SELECT am."mediaId" AS mid FROM account_media am WHERE am.id IN (SELECT amid FROM reached_am)
  UNION
  SELECT am."previewId" FROM account_media am
  WHERE am.id IN (SELECT amid FROM reached_am) AND am."previewId" IS NOT NULL
  UNION
  SELECT b."previewId" FROM account_media_bundles b
  WHERE b.id IN (SELECT cid FROM all_att WHERE ctype = 'ACCOUNT_MEDIA_BUNDLE')
    AND b."previewId" IS NOT NULL
),
reached_all AS (
  SELECT mid FROM reached
  UNION
  SELECT mv."variantId" FROM media_variants mv WHERE mv."mediaId" IN (SELECT mid FROM reached)
)
"#;

/// The filter on `media m` shared by the page and the count queries.
const UNATTACHED_WHERE: &str = r#"
WHERE m."accountId" = $1 AND m.local_filename IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM media_variants v WHERE v."variantId" = m.id)
  AND NOT EXISTS (SELECT 1 FROM account_avatar av WHERE av."mediaId" = m.id)
  AND NOT EXISTS (SELECT 1 FROM account_banner ab WHERE ab."mediaId" = m.id)
  AND m.id NOT IN (SELECT mid FROM reached_all WHERE mid IS NOT NULL)
"#;

/// The ids of all of the creator's unattached media, ascending.
pub async fn ids<C: ConnectionTrait>(db: &C, creator: i64) -> Result<Vec<i64>, DbErr> {
    let sql = format!("{REACHED} SELECT m.id AS id FROM media m {UNATTACHED_WHERE} ORDER BY m.id");
    let stmt =
        Statement::from_sql_and_values(db.get_database_backend(), sql, [Value::from(creator)]);
    let rows = db.query_all(stmt).await?;
    let mut ids = rows
        .iter()
        .map(|r| r.try_get::<i64>("", "id"))
        .collect::<Result<Vec<i64>, DbErr>>()?;
    // The database sorted them already; make sure for the binary search.
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The next at most `limit` ids of `ids` (ascending) above `after`.
pub fn next_ids(ids: &[i64], after: i64, limit: usize) -> &[i64] {
    let start = ids.partition_point(|&id| id <= after);
    let end = start.saturating_add(limit).min(ids.len());
    &ids[start..end]
}

/// [`REACHED`] for every creator of `wanted` at once: `(creator, media)` pairs. A message
/// counts for each creator in its conversation, as in [`REACHED`].
const REACHED_BY_CREATOR: &str = r#"
creator_messages(creator, mid) AS (
  SELECT gu."accountId", msg.id FROM messages msg JOIN group_users gu ON gu."groupId" = msg."groupId"
  WHERE gu."accountId" IN (SELECT creator FROM wanted)
  UNION
  SELECT msg."senderId", msg.id FROM messages msg WHERE msg."senderId" IN (SELECT creator FROM wanted)
  UNION
  SELECT msg."recipientId", msg.id FROM messages msg
  WHERE msg."recipientId" IN (SELECT creator FROM wanted)
),
top_att(creator, cid, ctype) AS (
  SELECT p."accountId", a."contentId", CAST(a."contentType" AS TEXT)
  FROM attachments a JOIN posts p ON p.id = a."postId"
  WHERE p."accountId" IN (SELECT creator FROM wanted)
  UNION ALL
  SELECT cm.creator, a."contentId", CAST(a."contentType" AS TEXT)
  FROM attachments a JOIN creator_messages cm ON cm.mid = a."messageId"
),
agg(creator, pid) AS (
  SELECT creator, cid FROM top_att WHERE ctype = 'AGGREGATED_POSTS'
  UNION
  SELECT agg.creator, a."contentId" FROM attachments a JOIN agg ON a."postId" = agg.pid
  WHERE CAST(a."contentType" AS TEXT) = 'AGGREGATED_POSTS'
),
all_att(creator, cid, ctype) AS (
  SELECT creator, cid, ctype FROM top_att
  UNION ALL
  SELECT agg.creator, a."contentId", CAST(a."contentType" AS TEXT)
  FROM attachments a JOIN agg ON a."postId" = agg.pid
),
reached_am(creator, amid) AS (
  SELECT creator, cid FROM all_att WHERE ctype = 'ACCOUNT_MEDIA'
  UNION
  SELECT t.creator, bm.media_id FROM account_media_bundle_media bm
  JOIN all_att t ON t.cid = bm.bundle_id AND t.ctype = 'ACCOUNT_MEDIA_BUNDLE'
),
reached(creator, mid) AS (
  SELECT r.creator, am."mediaId" FROM account_media am JOIN reached_am r ON r.amid = am.id
  UNION
  SELECT r.creator, am."previewId" FROM account_media am JOIN reached_am r ON r.amid = am.id
  WHERE am."previewId" IS NOT NULL
  UNION
  SELECT t.creator, b."previewId" FROM account_media_bundles b
  JOIN all_att t ON t.cid = b.id AND t.ctype = 'ACCOUNT_MEDIA_BUNDLE'
  WHERE b."previewId" IS NOT NULL
),
reached_all(creator, mid) AS (
  SELECT creator, mid FROM reached
  UNION
  SELECT r.creator, mv."variantId" FROM media_variants mv JOIN reached r ON r.mid = mv."mediaId"
)
"#;

/// Per creator: part 1 counts the attachments of its posts and messages, part 2 its
/// unattached media (the filter of [`UNATTACHED_WHERE`], per creator).
const COVERAGE_PARTS: &str = r#"
SELECT 1 AS part, creator, COUNT(*) AS n FROM top_att GROUP BY creator
UNION ALL
SELECT 2, m."accountId", COUNT(*) FROM media m
WHERE m."accountId" IN (SELECT creator FROM wanted) AND m.local_filename IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM media_variants v WHERE v."variantId" = m.id)
  AND NOT EXISTS (SELECT 1 FROM account_avatar av WHERE av."mediaId" = m.id)
  AND NOT EXISTS (SELECT 1 FROM account_banner ab WHERE ab."mediaId" = m.id)
  AND NOT EXISTS (SELECT 1 FROM reached_all r WHERE r.creator = m."accountId" AND r.mid = m.id)
GROUP BY m."accountId"
"#;

/// Creators per coverage query (each is one bound value).
const COVERAGE_CHUNK: usize = 1_000;

/// Per creator of `creators`: `(attachments of its posts and messages, unattached media)`;
/// every creator asked for has an entry. One query per [`COVERAGE_CHUNK`] creators.
pub async fn coverage<C: ConnectionTrait>(
    db: &C,
    creators: &[i64],
) -> Result<HashMap<i64, (u64, u64)>, DbErr> {
    let mut out: HashMap<i64, (u64, u64)> = creators.iter().map(|c| (*c, (0, 0))).collect();
    let mut wanted: Vec<i64> = creators.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    for chunk in wanted.chunks(COVERAGE_CHUNK) {
        let params: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "WITH RECURSIVE\nwanted(creator) AS (SELECT a.id FROM accounts a WHERE a.id IN ({})),\n{REACHED_BY_CREATOR}{COVERAGE_PARTS}",
            params.join(", ")
        );
        let values = chunk.iter().map(|c| Value::from(*c));
        let stmt = Statement::from_sql_and_values(db.get_database_backend(), sql, values);
        for row in db.query_all(stmt).await? {
            let part: i32 = row.try_get("", "part")?;
            let creator: i64 = row.try_get("", "creator")?;
            let n = u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or(0);
            let entry = out.entry(creator).or_default();
            match part {
                1 => entry.0 += n,
                _ => entry.1 += n,
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::next_ids;

    #[test]
    fn next_ids_continue_after_the_last_one_delivered() {
        let ids = [3, 5, 8, 13, 21];
        assert_eq!(next_ids(&ids, i64::MIN, 2), [3, 5]);
        assert_eq!(next_ids(&ids, 5, 2), [8, 13]);
        assert_eq!(next_ids(&ids, 6, 10), [8, 13, 21]);
        assert!(next_ids(&ids, 21, 2).is_empty());
        assert!(next_ids(&[], i64::MIN, 2).is_empty());
    }
}
