//! Issue 7/10, stale ids healed end to end: the user deletes in Stash the creator's studio, its
//! performer and a tag that the sync state remembers, and a gallery. Runs that do not write
//! are not affected (nothing is read). When our source changes, the first writes fail on the
//! stale ids ("FOREIGN KEY constraint failed" from the double, as from Stash); the run forgets
//! the remembered ids, finds or creates them again once, and goes on with the new ones; the
//! next run retries what failed and converges with no duplicates; then nothing is left to do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use domain::ports::{MetadataRepository, SyncStateStore};
use fansly_stash_tests::canonical::{canonical, duplicates};
use fansly_stash_tests::library::{Library, LibraryShape};
use fansly_stash_tests::world::{client_config, open_state, run_sync, start_stash, sync_options};
use sea_orm::ConnectionTrait;
use serde_json::Value;
use stash_adapter::StashClient;
use stash_double::{DeleteKind, DoubleConfig, StashDouble};
use sync_core::SyncReport;

async fn sync(lib: &Library, double: &StashDouble, state: Arc<dyn SyncStateStore>) -> SyncReport {
    let repo: Arc<dyn MetadataRepository> = Arc::new(lib.store().await.unwrap());
    let client = Arc::new(StashClient::connect(client_config(double)).await.unwrap());
    run_sync(repo, client, state, sync_options(lib), None)
        .await
        .unwrap()
}

/// The raw id of the object of `kind` whose `field` is `value`.
fn id_where(dump: &Value, kind: &str, field: &str, value: &str) -> String {
    dump[kind]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o[field] == value)
        .unwrap_or_else(|| panic!("no {kind} with {field} = {value}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn count_named(canon: &Value, kind: &str, name: &str) -> usize {
    canon[kind][name].as_array().map_or(0, Vec::len)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_entities_and_galleries_are_healed_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::generate(&LibraryShape::one_creator(20, 4, 40, 8), dir.path(), None)
        .await
        .unwrap();
    let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
    let creator = lib.creators[0].clone();
    let state = open_state(&dir.path().join("state.sqlite3")).await.unwrap();
    let first = sync(&lib, &world.double, state.clone()).await;
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    let reference = canonical(&world.double.dump());

    // The user deletes the creator's studio, its performer, a tag in use and a gallery.
    let dump = world.double.dump();
    let studio_name = format!("{} (Fansly)", creator.username);
    let tag_name = dump["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .find(|n| count_named(&reference, "tags", n) == 1 && n != "Trailer")
        .expect("the library has hashtags");
    let performer = dump["performers"][0]["name"].as_str().unwrap().to_owned();
    let post = creator.generated.posts[3];
    for (kind, table, field, value) in [
        (DeleteKind::Studio, "studios", "name", studio_name.clone()),
        (
            DeleteKind::Performer,
            "performers",
            "name",
            performer.clone(),
        ),
        (DeleteKind::Tag, "tags", "name", tag_name.clone()),
        (DeleteKind::Gallery, "galleries", "code", post.to_string()),
    ] {
        let id = id_where(&dump, table, field, &value);
        assert!(world.double.delete_object(kind, &id), "{table} {value}");
        assert!(!world.double.delete_object(kind, &id), "deleted once");
    }
    let deleted = canonical(&world.double.dump());
    assert_eq!(count_named(&deleted, "studios", &studio_name), 0);
    assert!(
        !deleted.to_string().contains("\"?"),
        "no dangling reference after a delete"
    );

    // Nothing changed on our side: nothing is read or written, nothing fails.
    world.double.reset_counters();
    let quiet = sync(&lib, &world.double, state.clone()).await;
    assert!(quiet.errors.is_empty() && quiet.healed.is_empty());
    assert_eq!(world.double.counters().mutation_requests, 0);

    // Our source changes: every post gets a new caption, so everything is written again.
    lib.store()
        .await
        .unwrap()
        .connection()
        .execute_unprepared(&format!(
            "UPDATE posts SET content = 'Rewritten caption for post ' || id \
             WHERE \"accountId\" = {}",
            creator.account_id
        ))
        .await
        .unwrap();
    let healing = sync(&lib, &world.double, state.clone()).await;
    assert!(
        healing
            .errors
            .iter()
            .all(|e| e.error.contains("FOREIGN KEY constraint failed")),
        "{:?}",
        healing.errors
    );
    assert!(
        !healing.errors.is_empty(),
        "the first batch met the stale ids"
    );
    let healed: Vec<&str> = healing.healed.iter().map(|h| h.what.as_str()).collect();
    assert!(
        healed.contains(&"performers, studios and tags")
            && healed.contains(&format!("post:{post}").as_str()),
        "{:?}",
        healing.healed
    );
    let after_heal = canonical(&world.double.dump());
    assert_eq!(count_named(&after_heal, "studios", &studio_name), 1);
    assert_eq!(count_named(&after_heal, "performers", &performer), 1);
    assert_eq!(count_named(&after_heal, "tags", &tag_name), 1);

    // The next run retries what failed; everything converges, once.
    let retry = sync(&lib, &world.double, state.clone()).await;
    assert!(retry.errors.is_empty(), "{:?}", retry.errors);
    assert!(retry.healed.is_empty(), "{:?}", retry.healed);
    let last = canonical(&world.double.dump());
    assert!(duplicates(&last).is_empty(), "{:?}", duplicates(&last));
    assert_eq!(count_named(&last, "studios", &studio_name), 1);
    assert_eq!(count_named(&last, "galleries", &format!("code:{post}")), 1);
    for kind in ["scenes", "images"] {
        for (path, list) in last[kind].as_object().unwrap() {
            for o in list.as_array().unwrap() {
                if o["code"].is_string() {
                    assert_eq!(o["studio"], studio_name.as_str(), "{kind} {path}");
                }
            }
        }
    }
    world.double.reset_counters();
    let done = sync(&lib, &world.double, state.clone()).await;
    assert!(done.errors.is_empty());
    assert_eq!(world.double.counters().mutation_requests, 0);
}
