//! Content resolution on every backend: posts, messages, attachments in `pos` order, account
//! media with previews, bundles, quoted posts, variants, hashtags, mentions, unattached media,
//! paging, the query bound, write-back and store info.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{FixtureBuilder, MetadataStore};
use domain::content::{ContentItem, ItemSource, MediaRole};
use domain::fansly::{AttachmentOwner, ContentKind, Hashtag};
use domain::ids::{AccountId, MediaId, MessageId, PostId};
use domain::ports::{
    AttachmentCoverage, ContentCursor, MetadataRepository, RepositoryError, StashIdWriteback,
};
use metadata_store::testing::rows_but_stash_ids;

const ALICE: i64 = 100;
const BOB: i64 = 200;
const CAROL: i64 = 300;

fn post(id: i64) -> AttachmentOwner {
    AttachmentOwner::Post(PostId(id))
}

/// A creator with every kind of reference; see the assertions for what each id is.
fn rich_fixture() -> FixtureBuilder {
    let mut f = FixtureBuilder::new();
    f.account_full(ALICE, "alice", Some("Alice A"), Some("about"), None)
        .account(BOB, "bob")
        .account(CAROL, "carol");
    f.media(1001, ALICE, Some("image/jpeg"), Some("a.jpg"))
        .media(1002, ALICE, Some("video/mp4"), Some("b.mp4"))
        .media(1003, ALICE, Some("image/jpeg"), Some("b_preview.jpg"))
        .media(1004, ALICE, Some("image/jpeg"), Some("d.jpg"))
        .media(1005, ALICE, Some("image/jpeg"), Some("e.jpg"))
        .media(1006, ALICE, Some("image/jpeg"), Some("bundle_preview.jpg"))
        .media(1007, ALICE, Some("video/mp4"), None)
        .media(1008, ALICE, Some("image/jpeg"), Some("quoted.jpg"))
        .media(1009, BOB, Some("image/jpeg"), Some("from_bob.jpg"))
        .media(1010, ALICE, Some("image/jpeg"), Some("orphan.jpg"))
        .media(1011, ALICE, Some("image/jpeg"), Some("avatar.jpg"))
        .media(
            1012,
            ALICE,
            Some("image/jpeg"),
            Some("variant_with_file.jpg"),
        )
        .media(1013, ALICE, Some("image/jpeg"), None)
        .media(1014, CAROL, Some("image/jpeg"), Some("carol.jpg"))
        .variant(1002, 1007)
        .variant(1001, 1012)
        .avatar(ALICE, 1011);
    f.account_media(2001, ALICE, 1001, None)
        .account_media(2002, ALICE, 1002, Some(1003))
        .account_media(2004, ALICE, 1004, None)
        .account_media(2005, ALICE, 1005, None)
        .account_media(2008, ALICE, 1008, None)
        .account_media(2009, BOB, 1009, None)
        .bundle(3001, ALICE, &[2005, 2004], Some(1006));
    f.post(10, ALICE, "Hello there #Summer and #beach")
        .post(11, ALICE, "quoted post")
        .post(12, CAROL, "not alice's");
    // Inserted out of order: pos decides.
    f.attach(post(10), 1, ContentKind::AccountMedia, 2002)
        .attach(post(10), 0, ContentKind::AccountMedia, 2001)
        .attach(post(10), 3, ContentKind::AggregatedPost, 11)
        .attach(post(10), 2, ContentKind::Bundle, 3001)
        .attach(post(10), 4, ContentKind::Poll, 77)
        .attach(post(11), 0, ContentKind::AccountMedia, 2008);
    f.hashtag(10, "beach").hashtag(10, "summer");
    f.mention(10, "carol", Some(CAROL))
        .mention(10, "ghost", Some(999_999));
    f.group(500, BOB, &[ALICE, BOB])
        .group(600, BOB, &[BOB, CAROL])
        .message(20, Some(500), BOB, Some(ALICE), "hi from bob")
        .message(21, Some(500), ALICE, Some(BOB), "hi from alice")
        .message(22, Some(600), BOB, Some(CAROL), "not for alice");
    f.attach(
        AttachmentOwner::Message(MessageId(20)),
        0,
        ContentKind::AccountMedia,
        2009,
    );
    f
}

async fn all_items(store: &MetadataStore, creator: i64, limit: usize) -> Vec<ContentItem> {
    let (mut cursor, mut out) = (None, Vec::new());
    loop {
        let page = store
            .content_page(AccountId(creator), cursor.take(), limit)
            .await
            .unwrap();
        assert!(page.items.len() <= limit);
        out.extend(page.items);
        match page.next {
            Some(n) => cursor = Some(n),
            None => return out,
        }
    }
}

fn media_ids(item: &ContentItem) -> Vec<(i64, MediaRole)> {
    item.media.iter().map(|m| (m.media.id.0, m.role)).collect()
}

async fn resolves_every_kind_of_reference(store: MetadataStore) {
    rich_fixture().insert(&store).await.unwrap();
    let items = all_items(&store, ALICE, 500).await;
    let sources: Vec<ItemSource> = items.iter().map(|i| i.source.clone()).collect();
    assert_eq!(
        sources,
        vec![
            ItemSource::Post(PostId(10)),
            ItemSource::Post(PostId(11)),
            ItemSource::Message {
                id: MessageId(20),
                group_id: Some(domain::ids::GroupId(500))
            },
            ItemSource::Message {
                id: MessageId(21),
                group_id: Some(domain::ids::GroupId(500))
            },
            ItemSource::Unattached(MediaId(1010)),
        ]
    );
    assert!(items.iter().all(|i| i.owner.id == AccountId(ALICE)));
    assert_eq!(items[0].owner.display_name.as_deref(), Some("Alice A"));

    let p10 = &items[0];
    use MediaRole::{Main, Preview};
    assert_eq!(
        media_ids(p10),
        vec![
            (1001, Main),
            (1002, Main),
            (1003, Preview),
            (1005, Main),
            (1004, Main),
            (1006, Preview),
            (1008, Main),
        ]
    );
    assert_eq!(p10.media[6].via_aggregated, Some(PostId(11)));
    assert_eq!(p10.media[0].via_aggregated, None);
    assert_eq!(
        p10.media[1].account_media_id,
        Some(domain::ids::AccountMediaId(2002))
    );
    assert_eq!(p10.media[5].account_media_id, None);
    assert_eq!(
        p10.media[1]
            .media
            .variants
            .iter()
            .map(|v| v.id.0)
            .collect::<Vec<_>>(),
        vec![1007]
    );
    assert_eq!(
        p10.media[0].media.variants[0].local_filename.as_deref(),
        Some("variant_with_file.jpg")
    );
    assert_eq!(p10.aggregated.len(), 1);
    assert_eq!(p10.aggregated[0].id, PostId(11));
    assert_eq!(p10.aggregated[0].content, "quoted post");
    assert_eq!(
        p10.hashtags,
        vec![Hashtag::new("summer"), Hashtag::new("beach")],
        "first-seen order in the text"
    );
    assert_eq!(p10.mentions.len(), 2);
    assert_eq!(p10.mentions[0].handle, "carol");
    assert_eq!(
        p10.mentions[0].account.as_ref().map(|a| a.id),
        Some(AccountId(CAROL))
    );
    assert_eq!(p10.mentions[1].handle, "ghost");
    assert_eq!(
        p10.mentions[1].account, None,
        "unknown account stays a handle"
    );
    assert_eq!(p10.content, "Hello there #Summer and #beach");

    assert_eq!(media_ids(&items[1]), vec![(1008, Main)]);
    assert_eq!(media_ids(&items[2]), vec![(1009, Main)]);
    assert_eq!(items[2].content, "hi from bob");
    assert!(items[3].media.is_empty());
    assert!(items[2].hashtags.is_empty() && items[2].mentions.is_empty());

    let orphan = &items[4];
    assert_eq!(media_ids(orphan), vec![(1010, Main)]);
    assert_eq!(orphan.created_at, orphan.media[0].media.created_at);
    assert!(orphan.created_at.is_some());
    assert_eq!(orphan.content, "");
    let coverage = store
        .attachment_coverage(&[AccountId(ALICE)])
        .await
        .unwrap();
    assert_eq!(coverage[&AccountId(ALICE)].unattached_media, 1);
}
on_every_backend!(resolves_every_kind_of_reference);

async fn paging_is_stable_whatever_the_page_size(store: MetadataStore) {
    rich_fixture().insert(&store).await.unwrap();
    let whole: Vec<String> = all_items(&store, ALICE, 500)
        .await
        .iter()
        .map(|i| i.source.key())
        .collect();
    for limit in [1, 2, 3, 4] {
        let paged: Vec<String> = all_items(&store, ALICE, limit)
            .await
            .iter()
            .map(|i| i.source.key())
            .collect();
        assert_eq!(paged, whole, "limit {limit}");
    }
    let bad = store
        .content_page(AccountId(ALICE), Some(ContentCursor("v1:zz:1".into())), 10)
        .await;
    assert_eq!(bad, Err(RepositoryError::BadCursor("v1:zz:1".into())));
    let unknown = store.content_page(AccountId(424242), None, 10).await;
    assert!(matches!(unknown, Err(RepositoryError::Query(m)) if m.contains("424242")));
}
on_every_backend!(paging_is_stable_whatever_the_page_size);

async fn lists_creators_and_finds_accounts(store: MetadataStore) {
    rich_fixture().insert(&store).await.unwrap();
    let creators = store.list_creators().await.unwrap();
    let names: Vec<&str> = creators
        .iter()
        .map(|c| c.account.username.as_str())
        .collect();
    assert_eq!(names, vec!["alice", "bob", "carol"]);
    let alice = &creators[0];
    assert_eq!((alice.posts, alice.messages), (2, 2));
    assert_eq!(alice.downloaded_media, 10);

    let found = store
        .accounts_by_username(&["ALICE".into(), "nobody".into(), "bob".into()])
        .await
        .unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found["ALICE"].id, AccountId(ALICE));
    assert_eq!(found["bob"].id, AccountId(BOB));
    let by_id = store
        .accounts_by_ids(&[AccountId(CAROL), AccountId(1)])
        .await
        .unwrap();
    assert_eq!(by_id.len(), 1);
    assert_eq!(by_id[&AccountId(CAROL)].username, "carol");
}
on_every_backend!(lists_creators_and_finds_accounts);

async fn write_back_is_refused_when_disabled(store: MetadataStore) {
    rich_fixture().insert(&store).await.unwrap();
    let ids = StashIdWriteback {
        accounts: vec![(AccountId(ALICE), 7)],
        ..StashIdWriteback::default()
    };
    let err = store.record_stash_ids(&ids).await.unwrap_err();
    assert!(matches!(err, RepositoryError::WriteDisabled(_)), "{err}");
    let alice = store.accounts_by_ids(&[AccountId(ALICE)]).await.unwrap();
    assert_eq!(alice[&AccountId(ALICE)].stash_id, None);
}
on_every_backend!(write_back_is_refused_when_disabled);

/// The write-back sets the four `stash_id` columns and nothing else, in one statement per
/// table (plus the transaction's two) whatever the number of ids.
async fn write_back_writes_only_the_stash_id_columns(store: MetadataStore) {
    rich_fixture().insert(&store).await.unwrap();
    let before = rows_but_stash_ids(&store).await;
    let ids = StashIdWriteback {
        accounts: vec![(AccountId(ALICE), 7), (AccountId(BOB), 8)],
        media: vec![(MediaId(1001), 41), (MediaId(1010), 42)],
        posts: vec![(PostId(10), 51)],
        messages: vec![(MessageId(20), 61)],
    };
    let q0 = store.query_count();
    store.record_stash_ids(&ids).await.unwrap();
    assert_eq!(
        store.query_count() - q0,
        6,
        "BEGIN, one UPDATE per table, COMMIT"
    );
    let accounts = store
        .accounts_by_ids(&[AccountId(ALICE), AccountId(BOB), AccountId(CAROL)])
        .await
        .unwrap();
    assert_eq!(accounts[&AccountId(ALICE)].stash_id, Some(7));
    assert_eq!(accounts[&AccountId(BOB)].stash_id, Some(8));
    assert_eq!(accounts[&AccountId(CAROL)].stash_id, None);
    let items = all_items(&store, ALICE, 500).await;
    assert_eq!(items[0].source, ItemSource::Post(PostId(10)));
    assert_eq!(items[0].stash_id, Some(51), "posts.stash_id");
    assert_eq!(items[0].media[0].media.stash_id, Some(41));
    assert_eq!(items[0].media[1].media.stash_id, None);
    assert_eq!(items[1].stash_id, None, "post 11 was not written");
    let message = items
        .iter()
        .find(|i| matches!(i.source, ItemSource::Message { id, .. } if id == MessageId(20)))
        .unwrap();
    assert_eq!(message.stash_id, Some(61), "messages.stash_id");
    assert_eq!(items[4].media[0].media.stash_id, Some(42));
    assert_eq!(
        rows_but_stash_ids(&store).await,
        before,
        "no other column of any table changed"
    );

    // Many ids cost the same statements; ids already in place are not rewritten.
    let many = StashIdWriteback {
        media: (0..20_000)
            .map(|i| (MediaId(1001 + i), 41))
            .chain([(MediaId(1002), 43)])
            .collect(),
        ..StashIdWriteback::default()
    };
    let q0 = store.query_count();
    store.record_stash_ids(&many).await.unwrap();
    assert_eq!(store.query_count() - q0, 3, "BEGIN, one UPDATE, COMMIT");
    let items = all_items(&store, ALICE, 500).await;
    assert_eq!(items[0].media[1].media.stash_id, Some(43));
    assert_eq!(rows_but_stash_ids(&store).await, before);
    let q0 = store.query_count();
    store
        .record_stash_ids(&StashIdWriteback::default())
        .await
        .unwrap();
    assert_eq!(store.query_count(), q0, "nothing to write: no statement");
}
on_every_backend!(
    write_back_writes_only_the_stash_id_columns,
    metadata_store::StoreOptions {
        write_back_stash_ids: true
    }
);

/// The query bound: 1,000 posts, 3,000 media, 200 bundles (plus messages and unattached
/// media) cost at most `QUERIES_PER_PAGE * pages + 1` queries; an N+1 resolver would need
/// thousands.
async fn resolving_a_big_creator_costs_o_pages_queries(store: MetadataStore) {
    use metadata_store::testing::CreatorShape;
    let mut shape = CreatorShape::new(1_000_000_000_000_000, "big");
    shape.posts = 1_000;
    shape.images = 2_000;
    shape.videos = 500; // each with a preview: 3,000 media with the images
    shape.bundles = 200;
    shape.messages = 100;
    shape.unattached = 300;
    let mut f = FixtureBuilder::new();
    let made = f.generate_creator(&shape);
    f.insert(&store).await.unwrap();

    const PAGE: usize = 500;
    // Per page and phase: items 1, attachments 1, bundles 2, account media 1, variants 1,
    // media 1, hashtags 2, mentions 1 (+1 for their accounts) = 11; plus 2 per level of
    // quoted posts (none here); the creator's row once per pass. A page spanning two phases
    // pays both.
    const QUERIES_PER_PAGE: u64 = 2 * 12;
    let before = store.query_count();
    let items = all_items(&store, shape.account_id, PAGE).await;
    let queries = store.query_count() - before;
    let total = made.posts.len() + made.messages.len() + made.unattached.len();
    assert_eq!(items.len(), total);
    let pages = total.div_ceil(PAGE) as u64 + 1;
    eprintln!("{total} items in {pages} pages took {queries} queries");
    assert!(
        queries <= QUERIES_PER_PAGE * pages + 1,
        "{queries} queries for {pages} pages"
    );
    let delivered: usize = items.iter().map(|i| i.media.len()).sum();
    assert_eq!(delivered, 3_000 + 300, "every media delivered exactly once");
}
on_every_backend!(resolving_a_big_creator_costs_o_pages_queries);

/// The unattached phase asks "which media does no attachment reach" (the recursive query)
/// once per pass through the creator, however many pages the phase spans, and still delivers
/// every unattached media once, in id order, page by page; the next pass asks afresh.
async fn unattached_media_cost_one_reached_query_per_pass(store: MetadataStore) {
    use metadata_store::testing::CreatorShape;
    let mut shape = CreatorShape::new(2_000_000_000_000_000, "many_loose");
    shape.posts = 40;
    shape.images = 120;
    shape.videos = 10;
    shape.bundles = 4;
    shape.messages = 10;
    shape.unattached = 1_050;
    let mut f = FixtureBuilder::new();
    let made = f.generate_creator(&shape);
    f.insert(&store).await.unwrap();
    let mut expected = made.unattached.clone();
    expected.sort_unstable();

    // A cursor in the middle of the unattached phase, and how many unattached media came
    // before it.
    let mut mid: Option<(ContentCursor, usize)> = None;
    for pass in 1..=2u64 {
        let before = store.recursive_query_count();
        let mut unattached: Vec<i64> = Vec::new();
        let mut cursor = None;
        loop {
            let page = store
                .content_page(AccountId(shape.account_id), cursor.take(), 100)
                .await
                .unwrap();
            unattached.extend(page.items.iter().filter_map(|i| match i.source {
                ItemSource::Unattached(id) => Some(id.0),
                _ => None,
            }));
            match page.next {
                Some(n) => {
                    if mid.is_none() && unattached.len() > 300 {
                        mid = Some((n.clone(), unattached.len()));
                    }
                    cursor = Some(n);
                }
                None => break,
            }
        }
        assert_eq!(unattached, expected, "pass {pass}");
        assert_eq!(
            store.recursive_query_count() - before,
            1,
            "pass {pass}: the reached set is computed once, not once per page"
        );
    }

    // Resuming that cursor after its pass ended lists the ids once more and carries on after
    // the cursor's id.
    let (mut cursor, done) = mid.map(|(c, n)| (Some(c), n)).unwrap();
    let before = store.recursive_query_count();
    let mut rest = Vec::new();
    loop {
        let page = store
            .content_page(AccountId(shape.account_id), cursor.take(), 100)
            .await
            .unwrap();
        rest.extend(page.items.iter().filter_map(|i| match i.source {
            ItemSource::Unattached(id) => Some(id.0),
            _ => None,
        }));
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    assert_eq!(store.recursive_query_count() - before, 1);
    assert_eq!(rest, expected[done..].to_vec());
}
on_every_backend!(unattached_media_cost_one_reached_query_per_pass);

async fn info_reports_what_the_database_is(store: MetadataStore) {
    let info = store.info().await.unwrap();
    match (info.backend.as_str(), info.upstream_revision.as_deref()) {
        ("sqlite", None) => assert!(info.created_by_us),
        ("postgres", Some("b6d60f698c27")) => assert!(!info.created_by_us),
        ("postgres", None) => assert!(info.created_by_us),
        other => panic!("unexpected info {other:?}"),
    }
}
on_every_backend!(info_reports_what_the_database_is);

#[tokio::test]
async fn a_sqlite_file_keeps_its_rows_and_is_not_migrated_twice() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("meta.db").display());
    let store = MetadataStore::open(&url, Default::default()).await.unwrap();
    rich_fixture().insert(&store).await.unwrap();
    drop(store);
    let store = MetadataStore::open(&url, Default::default()).await.unwrap();
    assert!(store.info().await.unwrap().created_by_us);
    assert_eq!(all_items(&store, ALICE, 500).await.len(), 5);
}

#[tokio::test]
async fn bad_urls_are_explained() {
    let err = MetadataStore::open("mysql://u:secret@h/db", Default::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unsupported database URL") && !err.contains("secret"),
        "{err}"
    );
    let err = MetadataStore::open(
        "sqlite:///nonexistent-dir/x/meta.db?mode=ro",
        Default::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, RepositoryError::Connection { .. }), "{err}");
}

/// How many of a creator's items are unattached media.
async fn unattached_items(store: &MetadataStore, creator: i64) -> u64 {
    let items = all_items(store, creator, 3).await;
    items
        .iter()
        .filter(|i| matches!(i.source, ItemSource::Unattached(_)))
        .count() as u64
}

/// The coverage of many creators is one query, and counts exactly the media that paging
/// delivers as unattached (the per-creator count agrees), plus the attachments of each
/// creator's posts and messages.
async fn coverage_counts_what_paging_delivers_in_one_query(store: MetadataStore) {
    rich_fixture().insert(&store).await.unwrap();
    let creators = [ALICE, BOB, CAROL, 424_242].map(AccountId);
    let before = store.query_count();
    let coverage = store.attachment_coverage(&creators).await.unwrap();
    assert_eq!(
        store.query_count() - before,
        1,
        "one query for every creator"
    );
    let of = |id: i64| coverage[&AccountId(id)];
    // Alice: post 10 has 5 attachments, post 11 one, message 20 (her conversation) one; the
    // orphan 1010 is the one media none reaches (not the variant 1012, nor the avatar).
    assert_eq!(
        of(ALICE),
        AttachmentCoverage {
            attachments: 7,
            unattached_media: 1
        }
    );
    // Bob's one media is reached by his message 20.
    assert_eq!(
        of(BOB),
        AttachmentCoverage {
            attachments: 1,
            unattached_media: 0
        }
    );
    // Carol has a download and no attachment at all.
    assert!(of(CAROL).attachments_missing(), "{:?}", of(CAROL));
    assert_eq!(of(424_242), AttachmentCoverage::default(), "unknown: zeros");
    for id in [ALICE, BOB, CAROL] {
        let c = of(id);
        assert_eq!(
            c,
            store.attachment_coverage(&[AccountId(id)]).await.unwrap()[&AccountId(id)],
            "creator {id}: asked alone"
        );
        assert_eq!(
            c.unattached_media,
            unattached_items(&store, id).await,
            "creator {id}: what paging delivers"
        );
    }
}
on_every_backend!(coverage_counts_what_paging_delivers_in_one_query);

async fn exec(store: &MetadataStore, sql: &str) {
    use sea_orm::{ConnectionTrait, Statement};
    let db = store.connection();
    db.execute(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
}

/// A database as fansly-scraper 0.13 to 0.15.1 writes it (no `attachments`, no
/// `post_mentions` rows for this creator): every download of the creator is unattached, its
/// posts and messages reach nothing, and the coverage says so; another creator's data is
/// untouched. On PostgreSQL this runs on the real upstream dump.
async fn a_creator_without_attachments_has_every_download_unattached(store: MetadataStore) {
    use metadata_store::testing::CreatorShape;
    const A: i64 = 1_000_000_000_000_000;
    const B: i64 = 2_000_000_000_000_000;
    let mut f = FixtureBuilder::new();
    let shape = CreatorShape {
        posts: 6,
        messages: 4,
        images: 8,
        videos: 3,
        bundles: 1,
        bundle_size: 3,
        unattached: 2,
        ..CreatorShape::new(A, "alice")
    };
    let made = f.generate_creator(&shape);
    f.generate_creator(&CreatorShape {
        posts: 2,
        images: 2,
        ..CreatorShape::new(B, "bob")
    });
    f.mention(made.posts[0], "bob", Some(B));
    f.insert(&store).await.unwrap();
    let both = [AccountId(A), AccountId(B)];
    let full = store.attachment_coverage(&both).await.unwrap();
    // One bundle attachment, then the 8 account media outside it, one attachment each.
    assert_eq!(
        full[&AccountId(A)],
        AttachmentCoverage {
            attachments: 9,
            unattached_media: 2
        }
    );

    exec(
        &store,
        &format!(
            r#"DELETE FROM attachments WHERE "postId" IN (SELECT id FROM posts WHERE "accountId" = {A})
               OR "messageId" IN (SELECT id FROM messages WHERE "senderId" = {A} OR "recipientId" = {A})"#
        ),
    )
    .await;
    exec(
        &store,
        &format!(
            r#"DELETE FROM post_mentions WHERE "postId" IN (SELECT id FROM posts WHERE "accountId" = {A})"#
        ),
    )
    .await;

    let before = store.query_count();
    let gap = store.attachment_coverage(&both).await.unwrap();
    assert_eq!(store.query_count() - before, 1);
    let downloads = (made.media.len() + made.previews.len() + made.unattached.len()) as u64;
    assert_eq!(
        gap[&AccountId(A)],
        AttachmentCoverage {
            attachments: 0,
            unattached_media: downloads
        }
    );
    assert!(gap[&AccountId(A)].attachments_missing());
    assert_eq!(gap[&AccountId(B)], full[&AccountId(B)], "bob is untouched");
    assert!(!gap[&AccountId(B)].attachments_missing());
    let items = all_items(&store, A, 7).await;
    assert_eq!(unattached_items(&store, A).await, downloads);
    assert!(
        items
            .iter()
            .filter(|i| !matches!(i.source, ItemSource::Unattached(_)))
            .all(|i| i.media.is_empty() && i.mentions.is_empty()),
        "posts and messages reach nothing"
    );
}
on_every_backend!(a_creator_without_attachments_has_every_download_unattached);
