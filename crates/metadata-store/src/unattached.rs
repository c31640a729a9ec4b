//! The attachments gap: current fansly-scraper ingestion saves no `attachments`, so downloaded
//! media of a creator may be reached by no item. Such media are found here, in one query per
//! page, so sync can still label them (performer, studio, date, code).
//!
//! A media is *unattached* when it is downloaded (`local_filename` set), owned by the creator
//! (`media.accountId`), not a variant of another media, not an avatar or banner, and not reached
//! by any attachment of the creator's posts and messages: directly (account media main or
//! preview), through a bundle (members and the bundle preview), through quoted posts
//! (recursively; `UNION` stops cycles), or as a variant of a reached media.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement, Value};

use crate::entities::media;

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

/// One page of the creator's unattached media with an id above `after`, by id.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    creator: i64,
    after: i64,
    limit: usize,
) -> Result<Vec<media::Model>, DbErr> {
    let sql = format!(
        "{REACHED} SELECT m.* FROM media m {UNATTACHED_WHERE} AND m.id > $2 ORDER BY m.id LIMIT $3"
    );
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let stmt = Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        [Value::from(creator), Value::from(after), Value::from(limit)],
    );
    media::Model::find_by_statement(stmt).all(db).await
}

/// How many unattached media the creator has.
pub async fn count<C: ConnectionTrait>(db: &C, creator: i64) -> Result<u64, DbErr> {
    let sql = format!("{REACHED} SELECT COUNT(*) AS n FROM media m {UNATTACHED_WHERE}");
    let stmt =
        Statement::from_sql_and_values(db.get_database_backend(), sql, [Value::from(creator)]);
    let row = db.query_one(stmt).await?;
    let n: i64 = match row {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}
