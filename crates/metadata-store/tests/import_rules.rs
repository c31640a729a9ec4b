//! Import rules and bad input: malformed files fail alone with an error naming the file and the
//! JSON path, never half-written; unknown fields and unpaired surrogates are warnings;
//! upstream's conversion rules (bare bodies, tips dropped, bundle order, aggregated posts,
//! avatars, hashtag case, username clashes) and the replace-when-different child rows.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;

use common::import::{count, counts, dump, import, ints, store, texts, write};
use metadata_store::MetadataStore;
use metadata_store::entities::{accounts, attachments, posts};
use metadata_store::import::{FileReport, ImportError};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use serde_json::{Value, json};

const ALICE: &str = "1000000000000001";
const BOB: &str = "1000000000000002";

fn alice() -> Value {
    json!({"id": ALICE, "username": "alice", "displayName": "Alice", "createdAt": 1673792358000_i64})
}

fn post(id: &str, content: &str, attachments: Value) -> Value {
    json!({"id": id, "accountId": ALICE, "content": content, "fypFlags": 0,
           "createdAt": 1737290985, "attachments": attachments})
}

fn media_item(am: &str, m: &str) -> Value {
    json!({"id": am, "accountId": ALICE, "mediaId": m, "createdAt": 1737290986,
           "deleted": false, "access": true,
           "media": {"id": m, "accountId": ALICE, "type": 1, "mimetype": "image/jpeg",
                     "width": 10, "height": 20}})
}

fn page(body: Value) -> String {
    json!({"success": true, "response": body}).to_string()
}

async fn import_text(store: &MetadataStore, text: &str) -> FileReport {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "file.json", text);
    import(store, &[p]).await.files.into_iter().next().unwrap()
}

fn shape_error(r: &FileReport) -> (String, String) {
    match r.error.as_ref().expect("the file fails") {
        ImportError::Shape {
            json_path, message, ..
        } => (json_path.clone(), message.clone()),
        other => panic!("expected a shape error, got {other}"),
    }
}

#[tokio::test]
async fn a_bad_file_fails_alone_and_the_others_import() {
    let s = store().await;
    let dir = tempfile::tempdir().unwrap();
    let good1 = write(dir.path(), "a.json", &page(json!({"accounts": [alice()]})));
    let bad = write(dir.path(), "b.json", "{\"response\": {\"posts\": [}");
    let good2 = write(
        dir.path(),
        "c.json",
        &page(json!({"posts": [post("1000000000000100", "hi", json!([]))]})),
    );
    let report = import(&s, &[dir.path().to_owned()]).await;
    assert_eq!(report.files.len(), 3);
    assert_eq!(
        report
            .files
            .iter()
            .map(|f| f.path.clone())
            .collect::<Vec<PathBuf>>(),
        vec![good1, bad.clone(), good2]
    );
    assert!(report.files[0].ok() && report.files[2].ok());
    assert!(report.has_failures());
    let err = report.files[1].error.as_ref().unwrap();
    match err {
        ImportError::NotJson { line, column, .. } => {
            assert_eq!((*line, *column), (1, 25));
        }
        other => panic!("expected NotJson, got {other}"),
    }
    let text = err.to_string();
    assert!(text.contains(&bad.display().to_string()), "{text}");
    assert!(text.contains("not valid JSON"), "{text}");
    assert_eq!(count(&s, "accounts").await, 1);
    assert_eq!(count(&s, "posts").await, 1);
}

#[tokio::test]
async fn a_missing_path_is_a_read_error_and_the_rest_still_imports() {
    let s = store().await;
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "a.json", &page(json!({"accounts": [alice()]})));
    let report = import(&s, &[dir.path().join("nope.json"), good]).await;
    assert!(matches!(
        report.files[0].error,
        Some(ImportError::Read { .. })
    ));
    assert!(report.files[1].ok());
    assert!(
        report.files[0]
            .error
            .as_ref()
            .unwrap()
            .to_string()
            .contains("nope.json")
    );
}

#[tokio::test]
async fn wrong_shapes_name_the_json_path() {
    let s = store().await;
    let cases = [
        (
            json!({"response": "hello"}).to_string(),
            "response",
            "found a string",
        ),
        (
            page(json!({"foo": 1})),
            "response",
            "not a Fansly API response",
        ),
        (page(json!({"posts": {}})), "response.posts", "JSON array"),
        (
            page(json!({"posts": ["x"]})),
            "response.posts[0]",
            "JSON object",
        ),
        (
            page(json!({"posts": [{"id": "1000000000000100", "accountId": ALICE, "content": 5}]})),
            "response.posts[0].content",
            "expected a string",
        ),
        (
            page(
                json!({"posts": [{"id": "1000000000000100", "accountId": ALICE, "fypFlags": 1e12}]}),
            ),
            "response.posts[0].fypFlags",
            "32-bit",
        ),
        (
            json!({"success": false, "response": {}}).to_string(),
            "$.success",
            "success=false",
        ),
        ("[1, 2]".to_owned(), "$[0]", "JSON object"),
        ("42".to_owned(), "$", "found a number"),
    ];
    for (text, path, needle) in cases {
        let r = import_text(&s, &text).await;
        let (p, m) = shape_error(&r);
        assert_eq!(p, path, "{text}");
        assert!(m.contains(needle), "{text}: {m}");
        let shown = r.error.unwrap().to_string();
        assert!(
            shown.contains("file.json") && shown.contains(path),
            "{shown}"
        );
    }
    assert_eq!(counts(&s).await.len(), 0, "nothing written");
}

#[tokio::test]
async fn ids_out_of_range_and_missing_required_keys_are_errors() {
    let s = store().await;
    let cases = [
        (
            page(json!({"posts": [{"id": "12", "accountId": ALICE}]})),
            "response.posts[0].id",
            "out of range",
        ),
        (
            page(json!({"posts": [{"id": "9223372036854775808", "accountId": ALICE}]})),
            "response.posts[0].id",
            "out of range",
        ),
        (
            page(json!({"posts": [{"id": "abc", "accountId": ALICE}]})),
            "response.posts[0].id",
            "expected an id",
        ),
        (
            page(json!({"posts": [{"id": "1000000000000100"}]})),
            "response.posts[0].accountId",
            "missing",
        ),
        (
            page(json!({"messages": [{"id": "1000000000000100", "senderId": ALICE}]})),
            "response.messages[0].createdAt",
            "missing",
        ),
        (
            page(json!({"accounts": [{"id": ALICE}]})),
            "response.accounts[0].username",
            "missing",
        ),
        (
            page(json!({"accountMedia": [{"id": "1000000000000100", "accountId": ALICE}]})),
            "response.accountMedia[0].mediaId",
            "neither",
        ),
        (
            page(
                json!({"accountMediaBundles": [{"id": "1000000000000100", "accountId": ALICE,
                "accountMediaIds": ["1000000000000101", "5"]}]}),
            ),
            "response.accountMediaBundles[0].accountMediaIds[1]",
            "out of range",
        ),
    ];
    for (text, path, needle) in cases {
        let r = import_text(&s, &text).await;
        let (p, m) = shape_error(&r);
        assert_eq!(p, path, "{text}");
        assert!(m.contains(needle), "{text}: {m}");
    }
    assert_eq!(counts(&s).await.len(), 0, "nothing written");
}

#[tokio::test]
async fn a_file_that_fails_in_the_database_leaves_nothing_behind() {
    let s = store().await;
    // Accounts are written before posts; make the post insert fail.
    s.connection()
        .execute_unprepared(
            "CREATE TRIGGER refuse BEFORE INSERT ON posts BEGIN \
             SELECT RAISE(ABORT, 'refused by test trigger'); END",
        )
        .await
        .unwrap();
    let r = import_text(
        &s,
        &page(json!({"accounts": [alice()], "posts": [post("1000000000000100", "#x", json!([]))]})),
    )
    .await;
    match r.error.as_ref().unwrap() {
        ImportError::Database { message, .. } => assert!(message.contains("refused")),
        other => panic!("expected a database error, got {other}"),
    }
    assert!(r.error.unwrap().to_string().contains("rolled back"));
    assert_eq!(counts(&s).await.len(), 0, "the transaction was rolled back");
}

#[tokio::test]
async fn unknown_fields_are_counted_warnings_with_their_path() {
    let s = store().await;
    let mut p = post("1000000000000100", "hi", json!([]));
    p["brandNew"] = json!(1);
    let r = import_text(
        &s,
        &page(json!({"posts": [p], "accounts": [alice()], "somethingElse": []})),
    )
    .await;
    assert!(r.ok());
    assert_eq!(r.warning_count, 2, "{:?}", r.warnings);
    let paths: Vec<&str> = r
        .warnings
        .iter()
        .filter_map(|w| w.json_path.as_deref())
        .collect();
    assert!(paths.contains(&"response.posts[0].brandNew"), "{paths:?}");
    assert!(paths.contains(&"response.somethingElse"), "{paths:?}");
    assert_eq!(count(&s, "posts").await, 1);
}

#[tokio::test]
async fn unpaired_surrogates_become_replacement_characters() {
    let s = store().await;
    let text = format!(
        "{{\"response\": {{\"accounts\": [{{\"id\": \"{ALICE}\", \"username\": \"alice\", \
         \"about\": \"broken \\ud83d here, fine \\ud83d\\ude00\"}}]}}}}"
    );
    let r = import_text(&s, &text).await;
    assert!(r.ok(), "{:?}", r.error);
    assert_eq!(r.warning_count, 1);
    assert!(
        r.warnings[0].message.contains("line 1"),
        "{}",
        r.warnings[0]
    );
    let a = accounts::Entity::find()
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        a.about.as_deref(),
        Some("broken \u{FFFD} here, fine \u{1F600}")
    );
}

#[tokio::test]
async fn bare_bodies_without_the_envelope_import() {
    let s = store().await;
    // A bare account lookup list, a bare single account, a bare page.
    let r = import_text(&s, &json!([alice()]).to_string()).await;
    assert_eq!(r.kind.as_deref(), Some("accounts"));
    let r2 = import_text(&s, &json!({"id": BOB, "username": "bob"}).to_string()).await;
    assert!(r2.ok());
    let r3 = import_text(
        &s,
        &json!({"posts": [post("1000000000000100", "x", json!([]))]}).to_string(),
    )
    .await;
    assert_eq!(r3.kind.as_deref(), Some("timeline"));
    let r4 = import_text(
        &s,
        &json!([media_item("1000000000000200", "1000000000000201")]).to_string(),
    )
    .await;
    assert_eq!(r4.kind.as_deref(), Some("account media"));
    assert_eq!(
        counts(&s).await,
        [
            ("accounts", 2),
            ("posts", 1),
            ("account_media", 1),
            ("media", 1)
        ]
        .into_iter()
        .collect()
    );
}

#[tokio::test]
async fn tips_and_tip_goals_are_dropped_unknown_types_warned_and_kinds_mapped() {
    let s = store().await;
    let atts = json!([
        {"pos": 0, "contentType": 1, "contentId": "1000000000000200"},
        {"pos": 1, "contentType": 7, "contentId": "1000000000000300"},
        {"pos": 2, "contentType": 7100, "contentId": "1000000000000301"},
        {"pos": 3, "contentType": 8, "contentId": "1000000000000400"},
        {"pos": 4, "contentType": 42001, "contentId": "1000000000000500"},
        {"pos": 5, "contentType": 32001, "contentId": "1000000000000600"},
        {"pos": 6, "contentType": 9999, "contentId": "1000000000000700"}
    ]);
    let r = import_text(
        &s,
        &page(
            json!({"accounts": [alice()], "posts": [post("1000000000000100", "", atts)],
                     "aggregatedPosts": [{"id": "1000000000000400", "accountId": ALICE,
                                          "postIds": ["1000000000000100"], "type": 1,
                                          "createdAt": 1737290985}]}),
        ),
    )
    .await;
    assert!(r.ok());
    assert_eq!(
        r.warning_count, 1,
        "only the unknown type: {:?}",
        r.warnings
    );
    assert_eq!(
        r.warnings[0].json_path.as_deref(),
        Some("response.posts[0].attachments[6].contentType")
    );
    let rows = attachments::Entity::find()
        .order_by_asc(attachments::Column::Pos)
        .all(s.connection())
        .await
        .unwrap();
    let got: Vec<(i32, &str)> = rows
        .iter()
        .map(|a| (a.pos, a.content_type.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (0, "ACCOUNT_MEDIA"),
            (3, "AGGREGATED_POSTS"),
            (4, "POLL"),
            (5, "STORY")
        ]
    );
    let agg = posts::Entity::find_by_id(1000000000000400_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        agg.content.as_deref(),
        Some(""),
        "aggregated posts are posts"
    );
}

#[tokio::test]
async fn bundle_order_follows_account_media_ids_not_bundle_content() {
    let s = store().await;
    let (a, b, c) = ("1000000000000201", "1000000000000202", "1000000000000203");
    let r = import_text(
        &s,
        &page(json!({
            "accounts": [alice()],
            "accountMedia": [media_item(a, "1000000000000301"), media_item(b, "1000000000000302"),
                             media_item(c, "1000000000000303")],
            "accountMediaBundles": [{"id": "1000000000000400", "accountId": ALICE,
                "createdAt": 1737290986, "accountMediaIds": [c, a, b],
                "bundleContent": [{"accountMediaId": a, "pos": 0}, {"accountMediaId": b, "pos": 1},
                                  {"accountMediaId": c, "pos": 2}]}]
        })),
    )
    .await;
    assert!(
        r.ok() && r.warning_count == 0,
        "{:?} {:?}",
        r.error,
        r.warnings
    );
    assert_eq!(
        ints(
            &s,
            "SELECT media_id FROM account_media_bundle_media ORDER BY pos"
        )
        .await,
        [c, a, b].map(|x| Some(x.parse::<i64>().unwrap()))
    );
    // A later response with a new order replaces the items.
    let r = import_text(
        &s,
        &page(
            json!({"accountMediaBundles": [{"id": "1000000000000400", "accountId": ALICE,
            "accountMediaIds": [b, c]}]}),
        ),
    )
    .await;
    assert!(r.ok());
    assert_eq!(
        ints(
            &s,
            "SELECT media_id FROM account_media_bundle_media ORDER BY pos"
        )
        .await,
        [b, c].map(|x| Some(x.parse::<i64>().unwrap()))
    );
}

#[tokio::test]
async fn avatar_banner_variants_and_locations() {
    let s = store().await;
    let mut acc = alice();
    acc["avatar"] = json!({"id": "1000000000000500", "type": 1, "mimetype": "image/jpeg",
        "variants": [{"id": "1000000000000501", "type": 1, "mimetype": "image/jpeg",
                      "locations": [{"locationId": "1", "location": "https://cdn/x.jpg?sig=1&e=2"}]}],
        "locations": [{"locationId": 1, "location": "https://cdn/a.jpg?Policy=abc"},
                      {"locationId": "102", "location": null}]});
    acc["banner"] = json!({"id": "1000000000000600", "type": 1});
    let r = import_text(&s, &page(json!({"accounts": [acc.clone()]}))).await;
    assert!(
        r.ok() && r.warning_count == 0,
        "{:?} {:?}",
        r.error,
        r.warnings
    );
    assert_eq!(
        ints(&s, "SELECT \"mediaId\" FROM account_avatar").await,
        vec![Some(1000000000000500)]
    );
    assert_eq!(
        ints(&s, "SELECT \"mediaId\" FROM account_banner").await,
        vec![Some(1000000000000600)]
    );
    assert_eq!(
        texts(
            &s,
            "SELECT location FROM media_locations ORDER BY \"mediaId\", \"locationId\""
        )
        .await,
        vec![
            Some("https://cdn/a.jpg".to_owned()),
            None,
            Some("https://cdn/x.jpg".to_owned())
        ],
        "query strings stripped"
    );
    assert_eq!(
        ints(
            &s,
            "SELECT \"accountId\" FROM media WHERE id = 1000000000000501"
        )
        .await,
        vec![Some(1000000000000001)],
        "owner from the account"
    );
    // A new avatar replaces the old link.
    acc["avatar"] = json!({"id": "1000000000000700", "type": 1});
    import_text(&s, &page(json!({"accounts": [acc]}))).await;
    assert_eq!(
        ints(&s, "SELECT \"mediaId\" FROM account_avatar").await,
        vec![Some(1000000000000700)]
    );
}

#[tokio::test]
async fn hashtags_match_case_insensitively_and_follow_the_content() {
    let s = store().await;
    s.connection()
        .execute_unprepared("INSERT INTO hashtags (id, value) VALUES (41, 'Test')")
        .await
        .unwrap();
    let r = import_text(
        &s,
        &page(json!({"accounts": [alice()],
                     "posts": [post("1000000000000100", "#TEST and #Größe ##test #new", json!([]))]})),
    )
    .await;
    assert!(r.ok());
    assert_eq!(
        texts(&s, "SELECT value FROM hashtags ORDER BY id").await,
        ["Test", "größe", "new"].map(|x| Some(x.to_owned()))
    );
    assert_eq!(
        ints(
            &s,
            "SELECT \"hashtagId\" FROM post_hashtags WHERE \"hashtagId\" = 41"
        )
        .await,
        vec![Some(41)]
    );
    assert_eq!(count(&s, "post_hashtags").await, 3);
    // Edited content: links follow it.
    import_text(
        &s,
        &page(json!({"posts": [post("1000000000000100", "now only #new", json!([]))]})),
    )
    .await;
    assert_eq!(count(&s, "post_hashtags").await, 1);
}

#[tokio::test]
async fn attachments_and_mentions_are_replaced_only_when_they_change() {
    replaced_only_when_changed(store().await).await;
}

#[tokio::test]
async fn attachments_are_replaced_only_when_they_change_on_upstream_postgres() {
    // Upstream fills attachments.id from a sequence; our own schema needs explicit ids.
    let Some(db) = metadata_store::testing::pg_test_database() else {
        return;
    };
    replaced_only_when_changed(
        MetadataStore::open(&db.url, Default::default())
            .await
            .unwrap(),
    )
    .await;
}

#[tokio::test]
async fn attachments_are_replaced_only_when_they_change_on_our_postgres() {
    let Some(db) = metadata_store::testing::pg_empty_database() else {
        return;
    };
    replaced_only_when_changed(
        MetadataStore::open(&db.url, Default::default())
            .await
            .unwrap(),
    )
    .await;
}

async fn replaced_only_when_changed(s: MetadataStore) {
    let one = json!([{"pos": 0, "contentType": 1, "contentId": "1000000000000200"}]);
    let mut p = post("1000000000000100", "x", one.clone());
    p["accountMentions"] = json!([{"handle": "bob", "accountId": BOB}]);
    import_text(
        &s,
        &page(json!({"accounts": [alice()], "posts": [p.clone()]})),
    )
    .await;
    let before = dump(&s).await;
    import_text(&s, &page(json!({"posts": [p.clone()]}))).await;
    assert_eq!(
        dump(&s).await,
        before,
        "same attachments: same rows, same ids"
    );

    // A file without the attachments key leaves them alone.
    import_text(
        &s,
        &page(json!({"posts": [{"id": "1000000000000100", "accountId": ALICE}]})),
    )
    .await;
    assert_eq!(count(&s, "attachments").await, 1);
    let p2 = posts::Entity::find_by_id(1000000000000100_i64)
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        p2.content.as_deref(),
        Some("x"),
        "absent fields keep their values"
    );

    p["attachments"] = json!([
        {"pos": 0, "contentType": 2, "contentId": "1000000000000300"},
        {"pos": 1, "contentType": 1, "contentId": "1000000000000200"}
    ]);
    p["accountMentions"] = json!([]);
    import_text(&s, &page(json!({"posts": [p]}))).await;
    assert_eq!(
        ints(&s, "SELECT \"contentId\" FROM attachments ORDER BY pos").await,
        vec![Some(1000000000000300), Some(1000000000000200)]
    );
    assert_eq!(
        texts(
            &s,
            "SELECT CAST(\"contentType\" AS TEXT) FROM attachments ORDER BY pos"
        )
        .await,
        ["ACCOUNT_MEDIA_BUNDLE", "ACCOUNT_MEDIA"].map(|x| Some(x.to_owned()))
    );
    assert_eq!(count(&s, "post_mentions").await, 0);
}

#[tokio::test]
async fn a_username_taken_by_another_account_moves_to_the_newcomer() {
    let s = store().await;
    import_text(&s, &page(json!({"accounts": [alice()]}))).await;
    let r = import_text(
        &s,
        &page(json!({"accounts": [{"id": BOB, "username": "alice"}]})),
    )
    .await;
    assert!(r.ok(), "{:?}", r.error);
    assert_eq!(r.warning_count, 1);
    assert!(r.warnings[0].message.contains("username 'alice'"));
    let all = accounts::Entity::find()
        .order_by_asc(accounts::Column::Id)
        .all(s.connection())
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|a| a.username.as_str()).collect::<Vec<_>>(),
        [ALICE, "alice"]
    );
}

#[tokio::test]
async fn a_placeholder_account_is_filled_in_by_a_later_lookup() {
    let s = store().await;
    let r = import_text(
        &s,
        &page(json!({"posts": [post("1000000000000100", "x", json!([]))]})),
    )
    .await;
    assert_eq!(r.warning_count, 1);
    assert_eq!(
        r.warnings[0].json_path.as_deref(),
        Some("response.posts[0].accountId")
    );
    import_text(&s, &page(json!({"accounts": [alice()]}))).await;
    let a = accounts::Entity::find()
        .one(s.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.username, "alice");
    assert_eq!(a.display_name.as_deref(), Some("Alice"));
    assert_eq!(count(&s, "accounts").await, 1);
}

#[tokio::test]
async fn warnings_beyond_the_kept_number_are_counted() {
    let s = store().await;
    let posts: Vec<Value> = (0..150)
        .map(|i| {
            let mut p = post(&format!("{}", 1000000000000100_i64 + i), "", json!([]));
            p["odd"] = json!(true);
            p
        })
        .collect();
    let r = import_text(&s, &page(json!({"accounts": [alice()], "posts": posts}))).await;
    assert_eq!(r.warning_count, 150);
    assert_eq!(r.warnings.len(), 100);
    assert_eq!(r.rows.get("posts"), Some(&150));
}

#[tokio::test]
async fn a_story_showing_unknown_account_media_keeps_its_type_and_a_null_content() {
    let s = store().await;
    let r = import_text(
        &s,
        &page(json!({"accounts": [alice()], "mediaStories": [
            {"id": "1000000000000900", "accountId": ALICE, "contentType": 1,
             "contentId": "1000000000000901", "createdAt": 1737290980, "updatedAt": null}]})),
    )
    .await;
    assert!(r.ok(), "{:?}", r.error);
    assert_eq!(r.kind.as_deref(), Some("stories"));
    assert_eq!(r.warning_count, 1);
    assert_eq!(
        r.warnings[0].json_path.as_deref(),
        Some("response.mediaStories[0].contentId")
    );
    assert_eq!(
        ints(&s, "SELECT \"contentType\" FROM media_stories").await,
        vec![Some(1)]
    );
    assert_eq!(
        ints(&s, "SELECT \"contentId\" FROM media_stories").await,
        vec![None]
    );
}
