//! Writing Stash ids back to fansly-scraper's `stash_id` columns (opt-in: the store is opened
//! with [`StoreOptions::write_back_stash_ids`](crate::StoreOptions)).
//!
//! One `UPDATE ... FROM (VALUES ...)` per table (`accounts`, `media`, `posts`, `messages`),
//! inside one transaction: at most six statements (`BEGIN`, four updates, `COMMIT`) whatever
//! the number of ids, so a sync's batch costs a fixed number of round trips. The ids are
//! integers written inline (no bind parameters, so no parameter limit to chunk around; nothing
//! text-like ever reaches the statement). Each update sets `stash_id` and nothing else, and
//! only on rows whose value differs (a row already holding the id is not rewritten, so
//! PostgreSQL makes no new row version for it). Both PostgreSQL and SQLite (3.33+) accept the
//! statement as written; a `VALUES` list names its columns `column1`, `column2` on both.
//!
//! It does not decide which ids to write (the engine does, from what it synced) and never
//! clears a column.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use domain::ports::{RepositoryError, StashIdWriteback};
use sea_orm::{ConnectionTrait, TransactionTrait};

use crate::counting::CountingConnection;

/// The statements that write `ids`: one per table with something to write.
pub(crate) fn statements(ids: &StashIdWriteback) -> Vec<String> {
    let tables: [(&str, Vec<(i64, i32)>); 4] = [
        (
            "accounts",
            ids.accounts.iter().map(|(a, s)| (a.0, *s)).collect(),
        ),
        ("media", ids.media.iter().map(|(m, s)| (m.0, *s)).collect()),
        ("posts", ids.posts.iter().map(|(p, s)| (p.0, *s)).collect()),
        (
            "messages",
            ids.messages.iter().map(|(m, s)| (m.0, *s)).collect(),
        ),
    ];
    tables
        .into_iter()
        .filter_map(|(table, rows)| update(table, rows))
        .collect()
}

/// `UPDATE table SET stash_id = ... FROM (VALUES ...)` for `rows` (a repeated id: the last
/// value wins), or nothing when there are none.
fn update(table: &str, rows: Vec<(i64, i32)>) -> Option<String> {
    let rows: BTreeMap<i64, i32> = rows.into_iter().collect();
    if rows.is_empty() {
        return None;
    }
    let mut values = String::with_capacity(rows.len() * 28);
    for (i, (id, stash_id)) in rows.iter().enumerate() {
        if i > 0 {
            values.push_str(", ");
        }
        let _ = write!(values, "({id}, {stash_id})");
    }
    Some(format!(
        "UPDATE \"{table}\" SET \"stash_id\" = v.column2 FROM (VALUES {values}) AS v \
         WHERE \"{table}\".\"id\" = v.column1 \
         AND (\"{table}\".\"stash_id\" IS NULL OR \"{table}\".\"stash_id\" <> v.column2)"
    ))
}

/// Runs the write-back in one transaction; the statements are counted on `db`.
pub(crate) async fn write(
    db: &CountingConnection,
    ids: &StashIdWriteback,
) -> Result<(), RepositoryError> {
    let statements = statements(ids);
    if statements.is_empty() {
        return Ok(());
    }
    let failed = |what: &'static str| {
        move |e: sea_orm::DbErr| RepositoryError::Query(format!("{what}: {e}"))
    };
    let txn = db
        .inner()
        .begin()
        .await
        .map_err(failed("starting the write-back transaction"))?;
    db.add(1);
    for sql in &statements {
        db.add(1);
        txn.execute_unprepared(sql)
            .await
            .map_err(failed("writing Stash ids back to the stash_id columns"))?;
    }
    db.add(1);
    txn.commit()
        .await
        .map_err(failed("committing the write-back"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ids::{AccountId, MediaId, PostId};

    #[test]
    fn one_statement_per_table_with_ids_whatever_their_number() {
        let ids = StashIdWriteback {
            accounts: vec![(AccountId(1), 7)],
            media: (0..50_000).map(|i| (MediaId(i), 3)).collect(),
            posts: vec![(PostId(9), 4), (PostId(9), 5)],
            messages: vec![],
        };
        let s = statements(&ids);
        assert_eq!(s.len(), 3);
        assert!(s[0].starts_with("UPDATE \"accounts\" SET \"stash_id\" = v.column2"));
        assert!(s[0].contains("(VALUES (1, 7))"), "{}", s[0]);
        assert!(
            s[2].contains("(VALUES (9, 5))"),
            "the last value wins: {}",
            s[2]
        );
        assert!(statements(&StashIdWriteback::default()).is_empty());
    }
}
