//! Bad input never panics: unknown contentType text, dangling ids, cycles of quoted posts,
//! NULLs where upstream allows them, duplicate `local_filename`s and odd text. A bad row is
//! skipped with a warning naming its table and id; the rest of the item is delivered.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{FixtureBuilder, MetadataStore};
use domain::content::{ContentItem, ItemSource};
use domain::fansly::{AttachmentOwner, ContentKind};
use domain::ids::{AccountId, MediaId, MessageId, PostId};
use domain::ports::{DataWarning, MetadataRepository};
use sea_orm::{ConnectionTrait, DbBackend};

const ALICE: i64 = 100;

async fn everything(store: &MetadataStore) -> (Vec<ContentItem>, Vec<DataWarning>) {
    let (mut cursor, mut items, mut warnings) = (None, Vec::new(), Vec::new());
    loop {
        let page = store
            .content_page(AccountId(ALICE), cursor.take(), 500)
            .await
            .unwrap();
        items.extend(page.items);
        warnings.extend(page.warnings);
        match page.next {
            Some(n) => cursor = Some(n),
            None => return (items, warnings),
        }
    }
}

fn base() -> FixtureBuilder {
    let mut f = FixtureBuilder::new();
    f.account(ALICE, "alice")
        .media(1001, ALICE, Some("image/jpeg"), Some("a.jpg"))
        .account_media(2001, ALICE, 1001, None);
    f
}

fn media_of(item: &ContentItem) -> Vec<i64> {
    item.media.iter().map(|m| m.media.id.0).collect()
}

async fn unknown_content_type_is_skipped_with_a_warning(store: MetadataStore) {
    if store.connection().get_database_backend() == DbBackend::Postgres {
        // A newer upstream may add enum values; simulate one.
        store
            .connection()
            .execute_unprepared("ALTER TYPE contenttype ADD VALUE IF NOT EXISTS 'FUTURE_KIND'")
            .await
            .unwrap();
    }
    let mut f = base();
    f.post(10, ALICE, "post");
    let bad_id = f.next_attachment_id();
    f.attach_raw(Some(10), None, 0, "FUTURE_KIND", 5).attach(
        AttachmentOwner::Post(PostId(10)),
        1,
        ContentKind::AccountMedia,
        2001,
    );
    f.insert(&store).await.unwrap();
    let (items, warnings) = everything(&store).await;
    assert_eq!(items.len(), 1);
    assert_eq!(media_of(&items[0]), vec![1001]);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].table, "attachments");
    assert_eq!(warnings[0].id, bad_id.to_string());
    assert!(warnings[0].message.contains("FUTURE_KIND"), "{warnings:?}");
}
on_every_backend!(unknown_content_type_is_skipped_with_a_warning);

async fn dangling_ids_are_skipped_with_warnings(store: MetadataStore) {
    let mut f = base();
    f.account(200, "bob")
        .group(500, 200, &[ALICE, 200])
        .message(20, Some(500), 200, Some(ALICE), "hi")
        .post(10, ALICE, "post");
    let first = f.next_attachment_id();
    let p = AttachmentOwner::Post(PostId(10));
    f.attach(p, 0, ContentKind::AccountMedia, 9_999) // no such account media
        .attach(p, 1, ContentKind::Bundle, 8_888) // no such bundle
        .attach(p, 2, ContentKind::AggregatedPost, 7_777) // no such post
        .attach(p, 3, ContentKind::AccountMedia, 2001)
        .attach(
            AttachmentOwner::Message(MessageId(20)),
            0,
            ContentKind::AccountMedia,
            6_666,
        )
        // Belongs to nothing (allowed by upstream's CHECK): never read.
        .attach_raw(None, None, 0, "ACCOUNT_MEDIA", 2001)
        .mention(10, "nobody", None)
        .mention(10, "ghost", Some(123_456));
    f.insert(&store).await.unwrap();
    let (items, warnings) = everything(&store).await;
    assert_eq!(items.len(), 2);
    assert_eq!(media_of(&items[0]), vec![1001]);
    assert!(items[1].media.is_empty());
    let mentions: Vec<_> = items[0]
        .mentions
        .iter()
        .map(|m| (m.handle.as_str(), m.account.is_some()))
        .collect();
    assert_eq!(mentions, vec![("nobody", false), ("ghost", false)]);
    let named: Vec<(String, String)> = warnings
        .iter()
        .map(|w| (w.table.clone(), w.id.clone()))
        .collect();
    let expected: Vec<(String, String)> = [first, first + 1, first + 2, first + 4]
        .iter()
        .map(|id| ("attachments".to_owned(), id.to_string()))
        .collect();
    assert_eq!(named, expected, "{warnings:?}");
}
on_every_backend!(dangling_ids_are_skipped_with_warnings);

async fn quoted_post_cycles_stop(store: MetadataStore) {
    let mut f = base();
    f.media(1002, ALICE, Some("image/jpeg"), Some("b.jpg"))
        .account_media(2002, ALICE, 1002, None)
        .post(10, ALICE, "ten")
        .post(11, ALICE, "eleven");
    let (p10, p11) = (
        AttachmentOwner::Post(PostId(10)),
        AttachmentOwner::Post(PostId(11)),
    );
    f.attach(p10, 0, ContentKind::AccountMedia, 2001)
        .attach(p10, 1, ContentKind::AggregatedPost, 11)
        .attach(p11, 0, ContentKind::AccountMedia, 2002)
        .attach(p11, 1, ContentKind::AggregatedPost, 10)
        .attach(p11, 2, ContentKind::AggregatedPost, 11);
    f.insert(&store).await.unwrap();
    let (items, warnings) = everything(&store).await;
    assert_eq!(items.len(), 2);
    // 10: own media, then 11's media; 11 quoting 10 (cycle) and itself are not followed.
    assert_eq!(media_of(&items[0]), vec![1001, 1002]);
    assert_eq!(
        items[0]
            .aggregated
            .iter()
            .map(|a| a.id.0)
            .collect::<Vec<_>>(),
        vec![11]
    );
    assert_eq!(items[0].media[1].via_aggregated, Some(PostId(11)));
    // 11: own media, then 10's media (10 quoting 11 is the cycle).
    assert_eq!(media_of(&items[1]), vec![1002, 1001]);
    assert!(warnings.iter().all(|w| w.table == "attachments"));
    assert!(
        warnings.iter().any(|w| w.message.contains("cycle")),
        "{warnings:?}"
    );
    assert_eq!(warnings.len(), 4, "{warnings:?}");
}
on_every_backend!(quoted_post_cycles_stop);

async fn nulls_where_upstream_allows_them(store: MetadataStore) {
    let mut f = base();
    f.post_full(10, ALICE, None, None) // a stub post
        .media_full(1003, ALICE, None, Some("no_mime_no_time.bin"), None, None)
        .account_media(2003, ALICE, 1003, None)
        .media_full(1004, ALICE, None, Some("orphan_no_time.bin"), None, None);
    f.attach(
        AttachmentOwner::Post(PostId(10)),
        0,
        ContentKind::AccountMedia,
        2003,
    );
    f.insert(&store).await.unwrap();
    let (items, warnings) = everything(&store).await;
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(items.len(), 3);
    assert_eq!(items[0].content, "");
    assert_eq!(items[0].created_at, None);
    assert_eq!(items[0].media[0].media.mimetype, None);
    assert_eq!(items[0].media[0].media.created_at, None);
    let unattached: Vec<_> = items[1..].iter().map(|i| i.source.clone()).collect();
    assert_eq!(
        unattached,
        vec![
            ItemSource::Unattached(MediaId(1001)),
            ItemSource::Unattached(MediaId(1004))
        ]
    );
    assert_eq!(items[2].created_at, None);
}
on_every_backend!(nulls_where_upstream_allows_them);

async fn duplicate_local_filenames_are_all_delivered(store: MetadataStore) {
    let mut f = FixtureBuilder::new();
    f.account(ALICE, "alice")
        .media(1001, ALICE, Some("image/jpeg"), Some("same.jpg"))
        .media(1002, ALICE, Some("image/jpeg"), Some("same.jpg"))
        .media(1003, ALICE, Some("image/jpeg"), Some("same.jpg"))
        .account_media(2001, ALICE, 1001, None)
        .account_media(2002, ALICE, 1002, None)
        .post(10, ALICE, "one")
        .post(11, ALICE, "two");
    f.attach(
        AttachmentOwner::Post(PostId(10)),
        0,
        ContentKind::AccountMedia,
        2001,
    )
    .attach(
        AttachmentOwner::Post(PostId(11)),
        0,
        ContentKind::AccountMedia,
        2002,
    )
    .attach(
        AttachmentOwner::Post(PostId(11)),
        1,
        ContentKind::AccountMedia,
        2001,
    );
    f.insert(&store).await.unwrap();
    let (items, warnings) = everything(&store).await;
    assert!(warnings.is_empty());
    assert_eq!(media_of(&items[0]), vec![1001]);
    assert_eq!(media_of(&items[1]), vec![1002, 1001]);
    assert_eq!(items[2].source, ItemSource::Unattached(MediaId(1003)));
    assert!(
        items
            .iter()
            .flat_map(|i| &i.media)
            .all(|m| m.media.local_filename.as_deref() == Some("same.jpg"))
    );
}
on_every_backend!(duplicate_local_filenames_are_all_delivered);

async fn odd_text_round_trips(store: MetadataStore) {
    let odd = [
        "emoji 🍑🔥 and ZWJ 👩‍👩‍👧",
        "right-to-left: مرحبا بالعالم",
        "quotes ' \" `; DROP TABLE posts; --",
        "line\nbreaks\r\nand\ttabs",
        "percent % and underscore _ and backslash \\",
    ];
    let long = "x".repeat(20_000);
    let mut f = FixtureBuilder::new();
    f.account_full(ALICE, "alice_ünïcødé", Some("Ålice 🌸"), Some(odd[2]), None);
    for (i, text) in odd.iter().chain([&long.as_str()]).enumerate() {
        f.post(10 + i as i64, ALICE, text);
    }
    f.post(30, ALICE, "#Été and #summer_2024 and ##double");
    f.hashtag(30, "summer_2024")
        .hashtag(30, "été")
        .hashtag(30, "double");
    f.insert(&store).await.unwrap();
    let (items, warnings) = everything(&store).await;
    assert!(warnings.is_empty());
    let texts: Vec<&str> = items.iter().map(|i| i.content.as_str()).collect();
    assert_eq!(&texts[..5], &odd[..]);
    assert_eq!(texts[5].len(), 20_000);
    assert_eq!(items[0].owner.username, "alice_ünïcødé");
    assert_eq!(items[0].owner.display_name.as_deref(), Some("Ålice 🌸"));
    let tags: Vec<&str> = items[6].hashtags.iter().map(|h| h.as_str()).collect();
    assert_eq!(tags, vec!["été", "summer_2024", "double"]);
}
on_every_backend!(odd_text_round_trips);
