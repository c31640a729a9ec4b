//! Issue 17.2, `write_back_stash_ids`: with the setting on, a sync writes the Stash ids back to
//! fansly-scraper's `stash_id` columns (performer on the account, scene or image on the media
//! row, gallery on the post or message), on SQLite and on PostgreSQL loaded with the upstream
//! schema, batched (a fixed number of statements per batch), and never touches another column.
//! A write-back lost to a kill (the Stash write and the state saved, the write-back not) is
//! repaired by the next run without a Stash write; a run with nothing new writes nothing; the
//! content fingerprints `watch` compares do not move.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use domain::fansly::Account;
use domain::ids::AccountId;
use domain::ports::{
    AttachmentCoverage, ContentCursor, ContentFingerprint, ContentPage, CreatorSummary,
    MetadataRepository, RepositoryError, StashIdWriteback, StoreInfo,
};
use fansly_stash_tests::library::{Library, LibraryShape};
use fansly_stash_tests::world::{open_state, run_sync, start_stash, sync_options};
use metadata_store::testing::rows_but_stash_ids;
use metadata_store::{MetadataStore, StoreOptions};
use sea_orm::{ConnectionTrait, FromQueryResult, JsonValue, Statement};
use serde_json::Value;
use stash_double::DoubleConfig;
use sync_core::SyncReport;

/// The statements one write-back may cost: `BEGIN`, one `UPDATE` per table, `COMMIT`.
const STATEMENTS_PER_BATCH: u64 = 6;

/// A repository that counts each write-back's statements, and can lose the write-backs from
/// the `fail_from`-th call on (as a kill right after the batch's state was saved would). The
/// write-back goes through its own connection (`writer`), so that its statement count is not
/// mixed with the reads the engine makes meanwhile.
struct Recorder {
    store: Arc<MetadataStore>,
    writer: MetadataStore,
    calls: Mutex<Vec<(usize, u64)>>,
    fail_from: Option<usize>,
}

impl Recorder {
    async fn new(lib: &Library, store: Arc<MetadataStore>, fail_from: Option<usize>) -> Self {
        let options = StoreOptions {
            write_back_stash_ids: true,
        };
        Self {
            store,
            writer: MetadataStore::open(&lib.db_url, options).await.unwrap(),
            calls: Mutex::new(Vec::new()),
            fail_from,
        }
    }

    /// Each call: (rows, statements).
    fn calls(&self) -> Vec<(usize, u64)> {
        self.calls.lock().unwrap().clone()
    }
}

#[async_trait]
impl MetadataRepository for Recorder {
    async fn info(&self) -> Result<StoreInfo, RepositoryError> {
        self.store.info().await
    }
    async fn list_creators(&self) -> Result<Vec<CreatorSummary>, RepositoryError> {
        self.store.list_creators().await
    }
    async fn accounts_by_username(
        &self,
        usernames: &[String],
    ) -> Result<HashMap<String, Account>, RepositoryError> {
        self.store.accounts_by_username(usernames).await
    }
    async fn content_page(
        &self,
        creator: AccountId,
        cursor: Option<ContentCursor>,
        limit: usize,
    ) -> Result<ContentPage, RepositoryError> {
        self.store.content_page(creator, cursor, limit).await
    }
    async fn content_fingerprints(
        &self,
    ) -> Result<HashMap<AccountId, ContentFingerprint>, RepositoryError> {
        self.store.content_fingerprints().await
    }
    async fn attachment_coverage(
        &self,
        creators: &[AccountId],
    ) -> Result<HashMap<AccountId, AttachmentCoverage>, RepositoryError> {
        self.store.attachment_coverage(creators).await
    }
    async fn record_stash_ids(&self, ids: &StashIdWriteback) -> Result<(), RepositoryError> {
        let n = self.calls.lock().unwrap().len() + 1;
        if self.fail_from.is_some_and(|f| n >= f) {
            self.calls.lock().unwrap().push((ids.len(), 0));
            return Err(RepositoryError::Query("the process was killed".into()));
        }
        let before = self.writer.query_count();
        let result = self.writer.record_stash_ids(ids).await;
        let statements = self.writer.query_count() - before;
        self.calls.lock().unwrap().push((ids.len(), statements));
        result
    }
}

fn shape() -> LibraryShape {
    // 10 posts and 4 messages over 24 images and 4 videos (with previews): 14 items, 32 files.
    LibraryShape::one_creator(10, 4, 24, 4)
}

/// `id -> stash_id` of a table (rows without one left out).
async fn stash_ids(store: &MetadataStore, table: &str) -> BTreeMap<i64, String> {
    let conn = store.connection().inner();
    let stmt = Statement::from_string(
        conn.get_database_backend(),
        format!("SELECT id, stash_id FROM \"{table}\" WHERE stash_id IS NOT NULL"),
    );
    JsonValue::find_by_statement(stmt)
        .all(conn)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r["id"].as_i64().unwrap(), r["stash_id"].to_string()))
        .collect()
}

/// What the columns must hold after a full sync, read from the double's own state: the
/// creator's performer, the scene or image of each downloaded file, the gallery of each
/// post and message (by its code).
fn expected(lib: &Library, dump: &Value) -> BTreeMap<&'static str, BTreeMap<i64, String>> {
    let creator = &lib.creators[0];
    let list = |kind: &str| dump[kind].as_array().unwrap().clone();
    let id = |v: &Value| format!("{}", v["id"].as_str().unwrap().parse::<i64>().unwrap());
    let url = format!("https://fansly.com/{}", creator.username);
    let performer = list("performers")
        .into_iter()
        .find(|p| p["urls"].as_array().unwrap().iter().any(|u| *u == url))
        .unwrap();
    let mut media = BTreeMap::new();
    for f in creator.files.values() {
        let path = f.path.display().to_string();
        let file = list("files")
            .into_iter()
            .find(|x| x["path"] == path.as_str())
            .unwrap();
        let owner = list("scenes")
            .into_iter()
            .chain(list("images"))
            .find(|o| o["file_ids"].as_array().unwrap().contains(&file["id"]))
            .unwrap();
        media.insert(f.media_id, id(&owner));
    }
    let galleries: HashMap<String, String> = list("galleries")
        .into_iter()
        .filter_map(|g| Some((g["code"].as_str()?.to_owned(), id(&g))))
        .collect();
    let of = |items: &[i64]| -> BTreeMap<i64, String> {
        items
            .iter()
            .filter_map(|i| Some((*i, galleries.get(&i.to_string())?.clone())))
            .collect()
    };
    BTreeMap::from([
        (
            "accounts",
            BTreeMap::from([(creator.account_id, id(&performer))]),
        ),
        ("media", media),
        ("posts", of(&creator.generated.posts)),
        ("messages", of(&creator.generated.messages)),
    ])
}

async fn columns(store: &MetadataStore) -> BTreeMap<&'static str, BTreeMap<i64, String>> {
    let mut out = BTreeMap::new();
    for table in ["accounts", "media", "posts", "messages"] {
        out.insert(table, stash_ids(store, table).await);
    }
    out
}

async fn sync(
    lib: &Library,
    stash: &Arc<stash_adapter::StashClient>,
    state: Arc<metadata_store::sync_state::SqliteSyncState>,
    repo: Arc<Recorder>,
) -> SyncReport {
    let mut opts = sync_options(lib);
    opts.batch_size = 4;
    opts.write_back_stash_ids = true;
    run_sync(repo, stash.clone(), state, opts, None)
        .await
        .unwrap()
}

async fn fills_the_columns_and_nothing_else(lib: Library, dir: &std::path::Path) {
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let store = Arc::new(
        MetadataStore::open(
            &lib.db_url,
            StoreOptions {
                write_back_stash_ids: true,
            },
        )
        .await
        .unwrap(),
    );
    let untouched = rows_but_stash_ids(&store).await;
    let fingerprints = store.content_fingerprints().await.unwrap();
    let state = open_state(&dir.join("state.sqlite3")).await.unwrap();

    // First sync: the second batch's write-back is lost (killed after its state was saved).
    let killed = Arc::new(Recorder::new(&lib, store.clone(), Some(2)).await);
    let report = sync(&lib, &world.client, state.clone(), killed.clone()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let error = report.creators[0].error.clone().unwrap_or_default();
    assert!(error.contains("writing Stash ids back"), "{error}");
    let calls = killed.calls();
    assert_eq!(calls.len(), 2, "not tried again after it failed: {calls:?}");
    assert!(
        calls[0].0 > 0 && calls[0].1 <= STATEMENTS_PER_BATCH,
        "{calls:?}"
    );
    let want = expected(&lib, &world.double.dump());
    let partial = columns(&store).await;
    assert_eq!(partial["accounts"], want["accounts"]);
    assert!(partial["media"].len() < want["media"].len(), "{partial:?}");

    // The next run repairs it without writing to Stash, a batch at a time.
    world.double.reset_counters();
    let repair = Arc::new(Recorder::new(&lib, store.clone(), None).await);
    let report = sync(&lib, &world.client, state.clone(), repair.clone()).await;
    assert!(report.creators[0].error.is_none(), "{report:?}");
    assert_eq!(world.double.counters().mutation_requests, 0);
    assert_eq!(columns(&store).await, want, "every id written back");
    let calls = repair.calls();
    let batches = (shape().posts + shape().messages).div_ceil(4) + 1;
    assert!(!calls.is_empty() && calls.len() <= batches, "{calls:?}");
    for (rows, statements) in &calls {
        assert!(*rows > 0, "{calls:?}");
        assert!(*statements <= STATEMENTS_PER_BATCH, "{calls:?}");
    }
    println!("write-back calls (rows, statements) of the repairing run: {calls:?}");

    // Nothing new: no write-back at all.
    let idle = Arc::new(Recorder::new(&lib, store.clone(), None).await);
    sync(&lib, &world.client, state.clone(), idle.clone()).await;
    assert_eq!(idle.calls(), vec![], "nothing differs, nothing written");

    assert_eq!(
        rows_but_stash_ids(&store).await,
        untouched,
        "no other column changed"
    );
    assert_eq!(
        store.content_fingerprints().await.unwrap(),
        fingerprints,
        "watch sees no change"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_back_fills_the_stash_id_columns_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&shape(), dir.path(), None).await.unwrap();
    fills_the_columns_and_nothing_else(lib, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_back_fills_the_stash_id_columns_on_the_upstream_postgresql_schema() {
    let Some(db) = metadata_store::testing::pg_test_database() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&shape(), dir.path(), Some(&db.url))
        .await
        .unwrap();
    let info = lib.store().await.unwrap().info().await.unwrap();
    assert!(
        info.upstream_revision.is_some(),
        "upstream schema: {info:?}"
    );
    fills_the_columns_and_nothing_else(lib, dir.path()).await;
}
