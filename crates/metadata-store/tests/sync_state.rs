//! The SQLite sync-state store: upserts, per-creator loads, runs, summaries, persistence across
//! reopen, a 10,000-record save in one call, per-field ownership hashes, and a state file made
//! before those hashes existed (migrated in place, its records still load).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use domain::ids::AccountId;
use domain::ports::{EntityKind, SyncRecord, SyncStateStore};
use metadata_store::sync_state::SqliteSyncState;

fn record(creator: i64, kind: EntityKind, key: &str) -> SyncRecord {
    SyncRecord {
        creator: AccountId(creator),
        kind,
        key: key.to_owned(),
        stash_id: Some(format!("s-{key}")),
        fingerprint: Some(u64::MAX - 7),
        written_at: Utc.with_ymd_and_hms(2024, 5, 6, 7, 8, 9).single(),
        last_error: None,
        field_hashes: Some(
            [("title".to_owned(), 42), ("studio".to_owned(), u64::MAX)]
                .into_iter()
                .collect(),
        ),
    }
}

#[tokio::test]
async fn save_upserts_and_load_returns_one_creator() {
    let state = SqliteSyncState::in_memory().await.unwrap();
    let a = record(1, EntityKind::Scene, "media:1");
    let b = record(1, EntityKind::Gallery, "post:2");
    let other = record(2, EntityKind::Scene, "media:1");
    state
        .save(&[a.clone(), b.clone(), other.clone()])
        .await
        .unwrap();
    let failed = SyncRecord {
        last_error: Some("Stash said no".into()),
        fingerprint: None,
        ..a.clone()
    };
    state.save(std::slice::from_ref(&failed)).await.unwrap();
    let mut got = state.load_creator(AccountId(1)).await.unwrap();
    got.sort_by(|x, y| x.key.cmp(&y.key));
    assert_eq!(got, vec![failed, b]);
    assert_eq!(state.load_creator(AccountId(2)).await.unwrap(), vec![other]);
    assert!(state.load_creator(AccountId(3)).await.unwrap().is_empty());

    let sums = state.summaries().await.unwrap();
    assert_eq!(sums.len(), 2);
    assert_eq!(
        (sums[0].creator, sums[0].synced, sums[0].failed),
        (AccountId(1), 1, 1)
    );
    assert_eq!(sums[0].last_written_at, a.written_at);
}

#[tokio::test]
async fn runs_are_recorded_newest_first() {
    let state = SqliteSyncState::in_memory().await.unwrap();
    let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single().unwrap();
    let first = state.start_run(t0).await.unwrap();
    let second = state
        .start_run(t0 + chrono::Duration::hours(1))
        .await
        .unwrap();
    assert_ne!(first, second);
    state
        .finish_run(first, t0 + chrono::Duration::minutes(5), "ok", "3 scenes")
        .await
        .unwrap();
    let runs = state.recent_runs(10).await.unwrap();
    assert_eq!(
        runs.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![second, first]
    );
    assert_eq!(runs[0].outcome, "running");
    assert_eq!(runs[0].finished_at, None);
    assert_eq!(runs[1].outcome, "ok");
    assert_eq!(runs[1].summary, "3 scenes");
    assert_eq!(runs[1].finished_at, Some(t0 + chrono::Duration::minutes(5)));
    assert_eq!(state.recent_runs(1).await.unwrap().len(), 1);
    assert!(state.finish_run(999, t0, "ok", "").await.is_err());
}

#[tokio::test]
async fn state_survives_close_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let path = path.to_str().unwrap();
    let state = SqliteSyncState::open(path).await.unwrap();
    let r = record(1, EntityKind::Performer, "account:1");
    state.save(std::slice::from_ref(&r)).await.unwrap();
    let run = state.start_run(Utc::now()).await.unwrap();
    state.close().await.unwrap();

    let state = SqliteSyncState::open(path).await.unwrap();
    assert_eq!(state.load_creator(AccountId(1)).await.unwrap(), vec![r]);
    assert_eq!(state.recent_runs(5).await.unwrap()[0].id, run);
}

#[tokio::test]
async fn saves_ten_thousand_records_in_one_call() {
    let state = SqliteSyncState::in_memory().await.unwrap();
    let records: Vec<SyncRecord> = (0..10_000)
        .map(|i| record(7, EntityKind::Image, &format!("media:{i}")))
        .collect();
    state.save(&records).await.unwrap();
    let loaded = state.load_creator(AccountId(7)).await.unwrap();
    assert_eq!(loaded.len(), 10_000);
    assert!(loaded.iter().all(|r| r.fingerprint == Some(u64::MAX - 7)));
    // Saving them again replaces, never duplicates.
    state.save(&records).await.unwrap();
    assert_eq!(
        state.load_creator(AccountId(7)).await.unwrap().len(),
        10_000
    );
}

#[tokio::test]
async fn field_hashes_are_saved_replaced_and_cleared() {
    let state = SqliteSyncState::in_memory().await.unwrap();
    let mut r = record(1, EntityKind::Scene, "media:1");
    state.save(std::slice::from_ref(&r)).await.unwrap();
    assert_eq!(
        state.load_creator(AccountId(1)).await.unwrap(),
        vec![r.clone()]
    );
    r.field_hashes = Some([("date".to_owned(), 7)].into_iter().collect());
    state.save(std::slice::from_ref(&r)).await.unwrap();
    assert_eq!(
        state.load_creator(AccountId(1)).await.unwrap()[0].field_hashes,
        r.field_hashes
    );
    // An empty map (tracked, nothing ours) is not the same as "never tracked".
    r.field_hashes = Some(Default::default());
    state.save(std::slice::from_ref(&r)).await.unwrap();
    assert_eq!(
        state.load_creator(AccountId(1)).await.unwrap()[0].field_hashes,
        Some(Default::default())
    );
    r.field_hashes = None;
    r.stash_id = None;
    state.save(std::slice::from_ref(&r)).await.unwrap();
    let got = &state.load_creator(AccountId(1)).await.unwrap()[0];
    assert_eq!(
        (got.field_hashes.as_ref(), got.stash_id.as_ref()),
        (None, None)
    );
}

#[tokio::test]
async fn a_state_file_from_before_field_hashes_is_migrated_in_place() {
    use sea_orm::{ConnectionTrait, Database};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old-state.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    // The schema and migration history the first release wrote, with one record in it.
    let old = Database::connect(&url).await.unwrap();
    for sql in [
        "CREATE TABLE fansly_stash_state_migrations (version varchar NOT NULL PRIMARY KEY, \
         applied_at bigint NOT NULL)",
        "INSERT INTO fansly_stash_state_migrations VALUES ('s0001_records_and_runs', 0)",
        "CREATE TABLE sync_records (creator bigint NOT NULL, kind varchar NOT NULL, \
         key varchar NOT NULL, stash_id varchar NULL, fingerprint bigint NULL, \
         written_at_ms bigint NULL, last_error varchar NULL, PRIMARY KEY (creator, kind, key))",
        "CREATE TABLE sync_runs (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, \
         started_at_ms bigint NOT NULL, finished_at_ms bigint NULL, outcome varchar NOT NULL, \
         summary varchar NOT NULL)",
        "INSERT INTO sync_records VALUES (1, 'image', 'media:9', '12', 5, 1700000000000, NULL)",
    ] {
        old.execute_unprepared(sql).await.unwrap();
    }
    old.close().await.unwrap();

    let state = SqliteSyncState::open(path.to_str().unwrap()).await.unwrap();
    let got = state.load_creator(AccountId(1)).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].stash_id.as_deref(), got[0].fingerprint),
        (Some("12"), Some(5))
    );
    assert_eq!(
        got[0].field_hashes, None,
        "written before fields were tracked"
    );
    let mut r = got[0].clone();
    r.field_hashes = Some([("title".to_owned(), 1)].into_iter().collect());
    state.save(std::slice::from_ref(&r)).await.unwrap();
    state.close().await.unwrap();
    let state = SqliteSyncState::open(path.to_str().unwrap()).await.unwrap();
    assert_eq!(state.load_creator(AccountId(1)).await.unwrap(), vec![r]);
}

#[tokio::test]
async fn a_state_file_whose_migration_was_cut_short_opens() {
    use sea_orm::{ConnectionTrait, Database};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut-state.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    // A process killed after the tables were made but before any history row was written.
    let old = Database::connect(&url).await.unwrap();
    for sql in [
        "CREATE TABLE sync_records (creator bigint NOT NULL, kind varchar NOT NULL, \
         key varchar NOT NULL, stash_id varchar NULL, fingerprint bigint NULL, \
         written_at_ms bigint NULL, last_error varchar NULL, field_hashes varchar NULL, \
         PRIMARY KEY (creator, kind, key))",
        "CREATE TABLE sync_runs (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, \
         started_at_ms bigint NOT NULL, finished_at_ms bigint NULL, outcome varchar NOT NULL, \
         summary varchar NOT NULL)",
    ] {
        old.execute_unprepared(sql).await.unwrap();
    }
    old.close().await.unwrap();
    let state = SqliteSyncState::open(path.to_str().unwrap()).await.unwrap();
    let r = record(1, EntityKind::Tag, "tag:a");
    state.save(std::slice::from_ref(&r)).await.unwrap();
    assert_eq!(state.load_creator(AccountId(1)).await.unwrap(), vec![r]);
}
