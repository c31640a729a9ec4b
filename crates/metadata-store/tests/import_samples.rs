//! Every sample Fansly API response in `../shared/upstream/fansly-api-samples/` imports into a
//! fresh store; each test asserts the row counts and field values the sample implies. Also:
//! importing the same files twice changes nothing, DB-only fields survive a re-import, and
//! the imported data reads back through the repository as content.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use common::import::{
    count, counts, dump, import, import_ok, ints, sample, samples_dir, store, texts,
};
use domain::ids::AccountId;
use domain::ports::MetadataRepository;
use metadata_store::entities::{
    account_media, account_media_bundles, accounts, attachments, groups, hashtags, media, messages,
    post_mentions, posts,
};
use metadata_store::{MetadataStore, StoreOptions};
use sea_orm::{EntityTrait, QueryOrder};

fn expect(pairs: &[(&'static str, i64)]) -> BTreeMap<&'static str, i64> {
    pairs.iter().copied().collect()
}

#[tokio::test]
async fn conversation_sample_account() {
    let s = store().await;
    let r = import_ok(&s, sample("conversation-sample-account.json")).await;
    assert_eq!(r.kind.as_deref(), Some("conversations"));
    assert_eq!(r.warning_count, 0, "{:?}", r.warnings);
    assert_eq!(
        counts(&s).await,
        expect(&[
            ("accounts", 1),
            ("groups", 1),
            ("group_users", 1),
            ("messages", 1),
        ])
    );
    let a = accounts::Entity::find_by_id(737318930569244672_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.username, "testaccount");
    assert_eq!(a.display_name.as_deref(), Some("Test Account"));
    assert_eq!(a.location.as_deref(), Some("US"));
    assert_eq!(a.flags, Some(0));
    assert_eq!(a.created_at, None);
    let g = groups::Entity::find_by_id(737344486891335693_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(g.created_by, 737318930569244672);
    assert_eq!(g.last_message_id, Some(737344486891335694));
    let m = messages::Entity::find_by_id(737344486891335694_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        m.group_id,
        Some(737344486891335693),
        "the conversation's id"
    );
    assert_eq!(m.sender_id, 737318930569244672);
    assert_eq!(
        m.content,
        "Hello, this is a test message from the conversation sample."
    );
    assert_eq!(m.created_at.timestamp(), 1737290990);
    assert!(!m.deleted);
}

#[tokio::test]
async fn example_conversation() {
    let s = store().await;
    let r = import_ok(&s, sample("example_conversation.json")).await;
    assert_eq!(r.kind.as_deref(), Some("messages"));
    // Placeholders: the sender's and the media owner's accounts, the message's group.
    assert_eq!(r.warning_count, 3, "{:?}", r.warnings);
    assert_eq!(
        counts(&s).await,
        expect(&[
            ("accounts", 2),
            ("groups", 1),
            ("messages", 1),
            ("attachments", 1),
            ("account_media", 1),
            ("media", 3),
            ("media_variants", 2),
            ("media_locations", 1),
        ])
    );
    let placeholder = accounts::Entity::find_by_id(720167541418237953_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(placeholder.username, "720167541418237953");
    let g = groups::Entity::find_by_id(720709197191393280_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(g.created_by, 720167541418237953, "created by the sender");
    let att = attachments::Entity::find()
        .all(s.connection())
        .await
        .unwrap();
    assert_eq!(att.len(), 1);
    assert_eq!(att[0].message_id, Some(720752212945612800));
    assert_eq!(att[0].post_id, None);
    assert_eq!(att[0].content_id, 720419390651346944);
    assert_eq!(att[0].content_type, "ACCOUNT_MEDIA");
    assert_eq!(att[0].pos, 0);
    let m = media::Entity::find_by_id(720419390651346944_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.account_id, 720222192536395776);
    assert_eq!(m.mimetype.as_deref(), Some("video/mp4"));
    assert_eq!(m.duration, Some(43.883), "from metadata, for video/*");
    assert_eq!((m.width, m.height), (Some(1920), Some(1080)));
    assert_eq!(m.media_type, Some(2));
    assert!(!m.is_downloaded);
    assert!(m.meta_info.unwrap().contains("\"frameRate\":30"));
    let hls = media::Entity::find_by_id(720419390651346946_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        hls.account_id, 720222192536395776,
        "variants take the parent's owner"
    );
    assert_eq!(hls.location, None);
    assert_eq!(hls.media_type, Some(302));
    assert_eq!(
        texts(&s, "SELECT location FROM media_locations").await,
        vec![Some(
            "https://cdn3.fansly.com/720222192536395776/720419390651346944.mp4".to_owned()
        )]
    );
}

#[tokio::test]
async fn example_subscriptions_is_recognised_and_not_imported() {
    let s = store().await;
    let r = import_ok(&s, sample("example_subscriptions.json")).await;
    assert_eq!(r.kind.as_deref(), Some("subscriptions"));
    assert_eq!(r.total_rows(), 0);
    assert_eq!(r.warning_count, 1);
    assert!(
        r.warnings[0]
            .message
            .contains("subscriptions are not imported")
    );
    assert_eq!(
        r.warnings[0].json_path.as_deref(),
        Some("response.subscriptions")
    );
    assert_eq!(counts(&s).await, BTreeMap::new());
}

#[tokio::test]
async fn example_timeline() {
    let s = store().await;
    let r = import_ok(&s, sample("example_timeline.json")).await;
    assert_eq!(r.kind.as_deref(), Some("timeline"));
    // Bundle items 737344486891335700 are account media neither the file nor the store has.
    assert_eq!(r.warning_count, 2, "{:?}", r.warnings);
    assert!(
        r.warnings
            .iter()
            .all(|w| w.message.contains("737344486891335700"))
    );
    assert_eq!(
        counts(&s).await,
        expect(&[
            ("accounts", 2),
            ("posts", 5),
            ("account_media", 1),
            ("media", 6),
            ("media_variants", 4),
            ("media_locations", 1),
            ("account_media_bundles", 2),
            ("account_media_bundle_media", 1),
            ("attachments", 3),
            ("hashtags", 3),
            ("post_hashtags", 3),
            ("post_mentions", 1),
        ])
    );
    let p = posts::Entity::find_by_id(737344486891335698_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        p.content.as_deref(),
        Some("Post with expiring content #timed")
    );
    assert_eq!(p.created_at.unwrap().timestamp(), 1737290991);
    assert_eq!(p.expires_at.unwrap().timestamp(), 1737377390);
    assert_eq!(p.fyp_flag, Some(0));
    let reply = posts::Entity::find_by_id(737344486891335701_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reply.account_id, 737318930569244673);
    assert_eq!(reply.in_reply_to, Some(737344486891335700));
    assert_eq!(reply.in_reply_to_root, Some(737344486891335699));
    let tags: Vec<String> = hashtags::Entity::find()
        .order_by_asc(hashtags::Column::Value)
        .all(s.connection())
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.value)
        .collect();
    assert_eq!(tags, ["example", "test", "timed"]);
    let mention = post_mentions::Entity::find()
        .all(s.connection())
        .await
        .unwrap();
    assert_eq!(mention.len(), 1);
    assert_eq!(mention[0].post_id, 737344486891335699);
    assert_eq!(mention[0].account_id, Some(737318930569244673));
    assert_eq!(mention[0].handle, "other_user");
    let am = account_media::Entity::find_by_id(737344486891335698_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(am.media_id, 737344486891335698);
    assert_eq!(am.preview_id, Some(737344486891335701));
    assert!(am.access);
    assert!(!am.deleted);
    let b = account_media_bundles::Entity::find_by_id(737344487302963201_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert!(b.purchased);
    assert!(!b.whitelisted);
    assert_eq!(b.created_at.timestamp(), 1737290992);
    assert_eq!(
        ints(
            &s,
            "SELECT media_id FROM account_media_bundle_media WHERE bundle_id = 737344487302963200"
        )
        .await,
        vec![Some(737344486891335698)]
    );
    // Variants of the main media and of the preview.
    assert_eq!(
        ints(
            &s,
            "SELECT \"variantId\" FROM media_variants ORDER BY \"mediaId\", \"variantId\""
        )
        .await,
        [
            737344486891335703,
            737344486891335704,
            737344486891335705,
            737344486891335706
        ]
        .map(Some)
    );
    let a = accounts::Entity::find_by_id(737318930569244672_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.version, Some(19));
    assert_eq!(a.following, Some(true));
    assert_eq!(a.profile_access, Some(true));
    assert_eq!(a.created_at.unwrap().timestamp(), 1737290980, "seconds");
}

#[tokio::test]
async fn messages_group() {
    let s = store().await;
    let r = import_ok(&s, sample("messages-group.json")).await;
    assert_eq!(r.kind.as_deref(), Some("groups"));
    assert_eq!(r.warning_count, 0, "{:?}", r.warnings);
    assert_eq!(
        counts(&s).await,
        expect(&[("accounts", 3), ("groups", 2), ("group_users", 4)])
    );
    let a = accounts::Entity::find_by_id(737318930569244672_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.username, "test_account");
    assert_eq!(a.flags, Some(50));
    assert_eq!(
        a.created_at,
        Some(Utc.timestamp_opt(1737290990, 0).unwrap()),
        "milliseconds above 1e10"
    );
    assert_eq!(a.location.as_deref(), Some(""));
    let g = groups::Entity::find_by_id(737344486891335700_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(g.created_by, 737318930569244672);
    assert_eq!(g.last_message_id, None);
    assert_eq!(
        ints(
            &s,
            "SELECT \"accountId\" FROM group_users WHERE \"groupId\" = 737344486891335698 \
             ORDER BY \"accountId\""
        )
        .await,
        vec![Some(737318930569244672), Some(737344486891335699)],
        "the account and its partner"
    );
}

#[tokio::test]
async fn test_media_bundle_response() {
    let s = store().await;
    let r = import_ok(&s, sample("test_media_bundle_response.json")).await;
    assert_eq!(r.kind.as_deref(), Some("bundles"));
    // Placeholder account 987654321098765432, placeholder preview media
    // 123456789012345670, bundle item 123456789012345673 unknown.
    assert_eq!(r.warning_count, 3, "{:?}", r.warnings);
    assert_eq!(
        counts(&s).await,
        expect(&[
            ("accounts", 1),
            ("account_media", 2),
            ("media", 3),
            ("account_media_bundles", 1),
            ("account_media_bundle_media", 2),
        ])
    );
    assert_eq!(
        ints(
            &s,
            "SELECT media_id FROM account_media_bundle_media WHERE bundle_id = \
             123456789012345678 ORDER BY pos"
        )
        .await,
        vec![Some(123456789012345671), Some(123456789012345672)],
        "order of accountMediaIds"
    );
    assert_eq!(
        ints(
            &s,
            "SELECT pos FROM account_media_bundle_media ORDER BY pos"
        )
        .await,
        vec![Some(0), Some(1)]
    );
    let b = account_media_bundles::Entity::find_by_id(123456789012345678_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b.preview_id, Some(123456789012345670));
    assert!(!b.access);
    let preview = media::Entity::find_by_id(123456789012345670_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(preview.account_id, 987654321098765432);
    assert_eq!(preview.mimetype, None, "a placeholder");
    let video = media::Entity::find_by_id(123456789012345675_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(video.duration, Some(60.0));
}

#[tokio::test]
async fn test_message_response() {
    let s = store().await;
    let r = import_ok(&s, sample("test_message_response.json")).await;
    assert_eq!(r.kind.as_deref(), Some("messages"));
    assert_eq!(r.warning_count, 2, "{:?}", r.warnings);
    assert_eq!(
        counts(&s).await,
        expect(&[
            ("accounts", 1),
            ("groups", 1),
            ("messages", 1),
            ("attachments", 1),
            ("account_media", 1),
            ("media", 1),
        ])
    );
    let m = messages::Entity::find_by_id(123456789012345678_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.content, "Test message content");
    assert_eq!(m.group_id, Some(123456789012345670));
    assert_eq!(m.sender_id, 987654321098765432);
    assert_eq!(m.created_at.timestamp(), 1733815029);
    let am = account_media::Entity::find_by_id(123456789012345672_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(am.media_id, 123456789012345674);
    assert_eq!(am.created_at.timestamp(), 1733815029);
    assert!(am.access);
}

#[tokio::test]
async fn test_story_response() {
    let s = store().await;
    let r = import_ok(&s, sample("test_story_response.json")).await;
    assert_eq!(r.kind.as_deref(), Some("stories"));
    assert_eq!(r.warning_count, 0, "{:?}", r.warnings);
    assert_eq!(
        counts(&s).await,
        expect(&[("accounts", 1), ("media_stories", 1)])
    );
    assert_eq!(
        ints(
            &s,
            "SELECT \"accountId\" FROM media_stories WHERE id = 123456789012345678"
        )
        .await,
        vec![Some(987654321098765432)]
    );
    assert_eq!(
        ints(&s, "SELECT \"contentId\" FROM media_stories").await,
        vec![None]
    );
    let a = accounts::Entity::find_by_id(987654321098765432_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.created_at.unwrap().timestamp(), 1673792358);
    assert_eq!(a.profile_access, Some(true));
}

#[tokio::test]
async fn test_story_variants() {
    let s = store().await;
    let r = import_ok(&s, sample("test_story_variants.json")).await;
    assert_eq!(r.kind.as_deref(), Some("stories"));
    assert_eq!(r.warning_count, 0, "{:?}", r.warnings);
    assert_eq!(
        counts(&s).await,
        expect(&[
            ("accounts", 1),
            ("account_media", 2),
            ("media", 6),
            ("media_variants", 3),
            ("media_locations", 3),
            ("media_stories", 2),
        ])
    );
    assert_eq!(
        ints(&s, "SELECT \"contentType\" FROM media_stories ORDER BY id").await,
        vec![Some(1), Some(2)]
    );
    assert_eq!(
        ints(&s, "SELECT \"contentId\" FROM media_stories ORDER BY id").await,
        vec![Some(737344486891335681), Some(737344486891335685)]
    );
    let am = account_media::Entity::find_by_id(737344486891335685_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(am.preview_id, Some(737344486891335690));
    let portrait = media::Entity::find_by_id(737344486891335689_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((portrait.width, portrait.height), (Some(1080), Some(1920)));
    assert_eq!(portrait.duration, Some(15.0));
}

#[tokio::test]
async fn test_timeline_response() {
    let s = store().await;
    let r = import_ok(&s, sample("test_timeline_response.json")).await;
    assert_eq!(r.kind.as_deref(), Some("timeline"));
    assert_eq!(r.warning_count, 2, "{:?}", r.warnings);
    assert_eq!(
        counts(&s).await,
        expect(&[
            ("accounts", 1),
            ("posts", 1),
            ("attachments", 1),
            ("account_media", 1),
            ("media", 1),
            ("account_media_bundles", 1),
            ("hashtags", 1),
            ("post_hashtags", 1),
        ])
    );
    let att = attachments::Entity::find()
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(att.post_id, Some(123456789012345678));
    assert_eq!(att.content_type, "ACCOUNT_MEDIA_BUNDLE");
    assert_eq!(att.content_id, 123456789012345670);
    assert_eq!(
        texts(&s, "SELECT value FROM hashtags").await,
        vec![Some("hashtags".to_owned())]
    );
    let a = accounts::Entity::find_by_id(987654321098765432_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.username, "test_user");
    assert_eq!(a.following, Some(true));
}

#[tokio::test]
async fn timeline_sample_account() {
    let s = store().await;
    let r = import_ok(&s, sample("timeline-sample-account.json")).await;
    assert_eq!(r.kind.as_deref(), Some("timeline"));
    assert_eq!(r.warning_count, 1, "{:?}", r.warnings);
    assert_eq!(
        counts(&s).await,
        expect(&[
            ("accounts", 1),
            ("posts", 1),
            ("attachments", 2),
            ("account_media", 1),
            ("media", 5),
            ("media_variants", 3),
            ("media_locations", 1),
            ("account_media_bundles", 1),
            ("account_media_bundle_media", 1),
            ("hashtags", 2),
            ("post_hashtags", 2),
        ])
    );
    let att = attachments::Entity::find()
        .order_by_asc(attachments::Column::Pos)
        .all(s.connection())
        .await
        .unwrap();
    assert_eq!(
        att.iter()
            .map(|a| (a.content_id, a.pos))
            .collect::<Vec<_>>(),
        vec![(737344486891335683, 0), (737344486891335684, 1)]
    );
    let preview = media::Entity::find_by_id(737344486891335686_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(preview.account_id, 737318930569244672);
    assert_eq!(preview.created_at, None);
    assert_eq!(preview.duration, None, "not a video");
}

#[tokio::test]
async fn every_sample_imports_into_one_store_and_a_second_import_changes_nothing() {
    all_samples_twice(store().await).await;
}

#[tokio::test]
async fn every_sample_imports_twice_into_the_upstream_postgres_schema() {
    let Some(db) = metadata_store::testing::pg_test_database() else {
        return;
    };
    let s = MetadataStore::open(&db.url, StoreOptions::default())
        .await
        .unwrap();
    all_samples_twice(s).await;
}

#[tokio::test]
async fn every_sample_imports_twice_into_postgres_made_by_our_migrations() {
    let Some(db) = metadata_store::testing::pg_empty_database() else {
        return;
    };
    let s = MetadataStore::open(&db.url, StoreOptions::default())
        .await
        .unwrap();
    all_samples_twice(s).await;
}

/// Imports the samples folder twice; the second import must change nothing.
async fn all_samples_twice(s: MetadataStore) {
    let first = import(&s, &[samples_dir()]).await;
    assert_eq!(first.files.len(), 11, "the folder is walked for *.json");
    for f in &first.files {
        assert!(
            f.ok(),
            "{}: {}",
            f.path.display(),
            f.error.as_ref().unwrap()
        );
    }
    let names: Vec<String> = first
        .files
        .iter()
        .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "files are imported in sorted order");
    let before = dump(&s).await;
    assert!(count(&s, "posts").await > 0);

    let second = import(&s, &[samples_dir()]).await;
    assert!(!second.has_failures());
    let after = dump(&s).await;
    assert_eq!(before, after, "a second import changed rows");
    // The union of the samples (placeholders filled in by later files where they overlap).
    assert_eq!(count(&s, "attachments").await, 8);
    assert_eq!(count(&s, "post_mentions").await, 1);
    assert_eq!(
        texts(&s, "SELECT value FROM hashtags ORDER BY value").await,
        ["example", "hashtags", "test", "timed"].map(|x| Some(x.to_owned()))
    );
}

#[tokio::test]
async fn db_only_fields_survive_a_reimport() {
    let s = store().await;
    import_ok(&s, sample("example_timeline.json")).await;
    let db = s.connection();
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(
        "UPDATE media SET local_filename = 'x.mp4', is_downloaded = 1, content_hash = 'abc', \
         stash_id = 7 WHERE id = 737344486891335698",
    )
    .await
    .unwrap();
    db.execute_unprepared("UPDATE accounts SET stash_id = 3 WHERE id = 737318930569244672")
        .await
        .unwrap();
    import_ok(&s, sample("example_timeline.json")).await;
    let m = media::Entity::find_by_id(737344486891335698_i64)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.local_filename.as_deref(), Some("x.mp4"));
    assert!(m.is_downloaded);
    assert_eq!(m.content_hash.as_deref(), Some("abc"));
    assert_eq!(m.stash_id, Some(7));
    let a = accounts::Entity::find_by_id(737318930569244672_i64)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.stash_id, Some(3));
}

#[tokio::test]
async fn imported_timeline_reads_back_as_content_with_attachments_hashtags_and_mentions() {
    let s = store().await;
    import_ok(&s, sample("example_timeline.json")).await;
    let creators = s.list_creators().await.unwrap();
    let names: Vec<&str> = creators
        .iter()
        .map(|c| c.account.username.as_str())
        .collect();
    assert_eq!(names, ["other_user", "test_user"]);
    let page = s
        .content_page(AccountId(737318930569244672), None, 100)
        .await
        .unwrap();
    let post = page
        .items
        .iter()
        .find(|i| i.content.starts_with("Post mentioning"))
        .expect("the post with a mention");
    assert_eq!(post.mentions.len(), 1);
    let tagged = page
        .items
        .iter()
        .find(|i| i.content.starts_with("Post with expiring"))
        .unwrap();
    assert_eq!(tagged.hashtags.len(), 1);
    // Its attachment is account media 737344486891335699, which the sample does not contain.
    let first = page
        .items
        .iter()
        .find(|i| i.content.starts_with("Test post with text"))
        .unwrap();
    assert_eq!(first.hashtags.len(), 2);
}
