//! `content_fingerprints` on every backend: one query for all creators; a creator's
//! fingerprint moves exactly when something its sync reads is added or downloaded (a post, a
//! message, an attachment, an account media, a media, a download, a renamed file), and stays
//! put for writes a sync does not read (the Stash id write-back) and for other creators.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;

use domain::ids::{AccountId, PostId};
use domain::ports::{ContentFingerprint, MetadataRepository};
use metadata_store::MetadataStore;
use metadata_store::testing::{CreatorShape, FixtureBuilder};
use sea_orm::{ConnectionTrait, Statement};

const ALICE: i64 = 100;
const BOB: i64 = 200_000_000;

async fn fingerprints(store: &MetadataStore) -> HashMap<AccountId, ContentFingerprint> {
    let before = store.query_count();
    let fps = store.content_fingerprints().await.unwrap();
    assert_eq!(
        store.query_count() - before,
        1,
        "one query for every creator"
    );
    fps
}

async fn exec(store: &MetadataStore, sql: &str) {
    let db = store.connection();
    db.execute(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
}

/// Runs `change`, then asserts that Alice's fingerprint moved and Bob's did not.
async fn assert_moves_alice_only(
    store: &MetadataStore,
    what: &str,
    change: impl std::future::Future<Output = ()>,
) {
    let before = fingerprints(store).await;
    change.await;
    let after = fingerprints(store).await;
    assert_ne!(
        before[&AccountId(ALICE)],
        after[&AccountId(ALICE)],
        "{what}: Alice's fingerprint did not move"
    );
    assert_eq!(
        before[&AccountId(BOB)],
        after[&AccountId(BOB)],
        "{what}: Bob's fingerprint moved"
    );
}

async fn fingerprints_move_with_what_a_sync_reads(store: MetadataStore) {
    let mut fixture = FixtureBuilder::new();
    let alice = fixture.generate_creator(&CreatorShape {
        posts: 3,
        messages: 2,
        images: 4,
        videos: 1,
        unattached: 1,
        ..CreatorShape::new(ALICE, "alice")
    });
    fixture.generate_creator(&CreatorShape {
        posts: 2,
        images: 2,
        ..CreatorShape::new(BOB, "bob")
    });
    fixture.insert(&store).await.unwrap();

    let first = fingerprints(&store).await;
    let mut creators: Vec<i64> = first.keys().map(|a| a.0).collect();
    creators.sort_unstable();
    assert_eq!(
        creators,
        [ALICE, BOB],
        "the list-creators rule: not the fans"
    );
    let listed: Vec<i64> = store
        .list_creators()
        .await
        .unwrap()
        .iter()
        .map(|c| c.account.id.0)
        .collect();
    assert_eq!(listed, creators);
    let a = first[&AccountId(ALICE)];
    assert_eq!(a.posts.count, 3);
    assert_eq!(a.posts.max_id, alice.posts[2]);
    // 5 main media, 1 preview, 1 unattached; all downloaded.
    assert_eq!((a.media.count, a.downloaded_media), (7, 7));
    assert_eq!(
        fingerprints(&store).await,
        first,
        "stable while nothing changes"
    );

    // Writes a sync does not read leave every fingerprint as it was.
    let before = fingerprints(&store).await;
    exec(&store, "UPDATE media SET stash_id = 7 WHERE id IS NOT NULL").await;
    exec(&store, "UPDATE accounts SET stash_id = 3").await;
    exec(&store, "UPDATE posts SET stash_id = 5").await;
    exec(&store, "UPDATE messages SET stash_id = 6").await;
    assert_eq!(fingerprints(&store).await, before, "stash_id write-back");

    assert_moves_alice_only(&store, "a new post", async {
        let mut f = FixtureBuilder::new();
        f.post(ALICE + 1_500_000, ALICE, "a new post");
        f.insert(&store).await.unwrap();
    })
    .await;
    assert_moves_alice_only(&store, "a new message from the fan", async {
        let mut f = FixtureBuilder::new();
        f.message(
            ALICE + 2_500_000,
            Some(ALICE + 9_000_000),
            alice.fan,
            Some(ALICE),
            "hi",
        );
        f.insert(&store).await.unwrap();
    })
    .await;
    assert_moves_alice_only(&store, "a new media, not downloaded", async {
        let mut f = FixtureBuilder::new();
        f.media_full(
            ALICE + 3_500_000,
            ALICE,
            Some("image/jpeg"),
            None,
            None,
            None,
        );
        f.insert(&store).await.unwrap();
    })
    .await;
    assert_moves_alice_only(&store, "that media downloaded", async {
        exec(
            &store,
            &format!(
                "UPDATE media SET is_downloaded = TRUE, \
                 local_filename = '2024-06-01_at_00-00_UTC_id_{}.jpg' WHERE id = {}",
                ALICE + 3_500_000,
                ALICE + 3_500_000
            ),
        )
        .await;
    })
    .await;
    assert_moves_alice_only(
        &store,
        "a file renamed to a name of the same length",
        async {
            exec(
                &store,
                &format!(
                    "UPDATE media SET local_filename = '2024-06-01_at_00-00_UTC_id_{}.jpg' \
                 WHERE id = {}",
                    ALICE + 3_500_001,
                    ALICE + 3_500_000
                ),
            )
            .await;
        },
    )
    .await;
    assert_moves_alice_only(&store, "is_downloaded alone flipped", async {
        exec(
            &store,
            &format!(
                "UPDATE media SET is_downloaded = FALSE WHERE id = {}",
                ALICE + 3_500_000
            ),
        )
        .await;
    })
    .await;
    assert_moves_alice_only(&store, "a new account media", async {
        let mut f = FixtureBuilder::new();
        f.account_media(ALICE + 5_500_000, ALICE, ALICE + 3_500_000, None);
        f.insert(&store).await.unwrap();
    })
    .await;
    let next_attachment = {
        let db = store.connection();
        db.query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT COALESCE(MAX(id), 0) + 1 AS n FROM attachments",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
    };
    assert_moves_alice_only(&store, "an attachment added to an existing post", async {
        let kind = match store.connection().get_database_backend() {
            sea_orm::DbBackend::Postgres => "CAST('ACCOUNT_MEDIA' AS contenttype)",
            _ => "'ACCOUNT_MEDIA'",
        };
        exec(
            &store,
            &format!(
                "INSERT INTO attachments (id, \"postId\", \"contentId\", pos, \"contentType\") \
                 VALUES ({next_attachment}, {}, {}, 9, {kind})",
                PostId(alice.posts[0]).0,
                ALICE + 5_500_000
            ),
        )
        .await;
    })
    .await;
}

on_every_backend!(fingerprints_move_with_what_a_sync_reads);
