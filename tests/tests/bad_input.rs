//! Issue 10, bad input in the metadata database, end to end: dangling ids, NULLs, a 1 MB
//! post, control characters, emoji, right-to-left text, files that do not exist, duplicate
//! local filenames and a path outside the library root. The sync completes without a panic
//! or a failed item, each bad row or file is named in a per-item note, odd text reaches Stash
//! verbatim, and nothing outside the creator's folder is touched. Accounts the JSON importer
//! knows only by their id (placeholders) name no performer or studio: a mention of one is
//! noted and left out, a creator that is one is reported and not synced.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use domain::fansly::{AttachmentOwner, ContentKind};
use domain::ids::PostId;
use domain::ports::MetadataRepository;
use fansly_stash_tests::canonical::{canonical, duplicates};
use fansly_stash_tests::library::{file_bytes, sqlite_url};
use fansly_stash_tests::world::{client_config, open_state, run_sync};
use metadata_store::testing::FixtureBuilder;
use metadata_store::{MetadataStore, StoreOptions};
use serde_json::Value;
use stash_adapter::StashClient;
use stash_double::{DoubleConfig, StashDouble};
use sync_core::{PathMapping, SyncOptions};

const ALICE: i64 = 1;

fn name(id: i64) -> String {
    format!("2024-02-02_at_10-00_UTC_id_{id}.jpg")
}

/// One post `post` with one account media wrapping media `media` named `file`.
fn post_with_image(
    f: &mut FixtureBuilder,
    post: i64,
    content: Option<&str>,
    media: i64,
    file: Option<&str>,
) {
    match content {
        Some(c) => f.post(post, ALICE, c),
        None => f.post_full(post, ALICE, None, None),
    };
    f.media(media, ALICE, Some("image/jpeg"), file);
    f.account_media(media + 10_000, ALICE, media, None);
    f.attach(
        AttachmentOwner::Post(PostId(post)),
        0,
        ContentKind::AccountMedia,
        media + 10_000,
    );
}

fn write(path: &Path, id: i64) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, file_bytes(id, 99, path)).unwrap();
}

fn gallery(canon: &Value, post: i64) -> &Value {
    &canon["galleries"][format!("code:{post}")][0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rows_and_files_give_per_item_notes_and_nothing_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("downloads");
    let pictures = root.join("alice_fansly").join("Timeline").join("Pictures");
    let outside = dir.path().join("elsewhere");
    let huge = format!("{}\nsecond line", "A very long first line. ".repeat(45_000));
    assert!(huge.len() > 1_000_000);
    let control = "Bell\u{7} and escape\u{1b}[31m red\u{0} nul\ttab";
    let emoji = "🎉 Party time with friends 👩‍👩‍👧 🏳️‍🌈";
    let rtl = "مرحبا بالعالم، هذا منشور جديد \u{202e}txet desrever";

    let mut f = FixtureBuilder::new();
    f.account(ALICE, "alice");
    post_with_image(&mut f, 101, Some(&huge), 1001, Some(&name(1001)));
    post_with_image(&mut f, 102, Some(control), 1002, Some(&name(1002)));
    post_with_image(&mut f, 103, Some(emoji), 1003, Some(&name(1003)));
    post_with_image(&mut f, 104, Some(rtl), 1004, Some(&name(1004)));
    // NULL content and time.
    post_with_image(&mut f, 105, None, 1005, Some(&name(1005)));
    // A dangling attachment (no such account media) beside a good one.
    post_with_image(
        &mut f,
        106,
        Some("A post with a dangling attachment"),
        1006,
        Some(&name(1006)),
    );
    f.attach(
        AttachmentOwner::Post(PostId(106)),
        1,
        ContentKind::AccountMedia,
        424_242,
    );
    f.attach(
        AttachmentOwner::Post(PostId(106)),
        2,
        ContentKind::Bundle,
        535_353,
    );
    // A file that does not exist on disk.
    post_with_image(
        &mut f,
        107,
        Some("The file of this one is missing"),
        1007,
        Some(&name(1007)),
    );
    // Two media sharing one local filename (one file on disk).
    post_with_image(
        &mut f,
        108,
        Some("First owner of a shared file"),
        1008,
        Some("shared_id_1008.jpg"),
    );
    post_with_image(
        &mut f,
        109,
        Some("Second owner of a shared file"),
        1009,
        Some("shared_id_1008.jpg"),
    );
    // A file name that climbs out of the library; a file with that basename outside it.
    post_with_image(
        &mut f,
        110,
        Some("A path outside the library root"),
        1010,
        Some("../../../elsewhere/outside_id_1010.jpg"),
    );
    // NULL mimetype, and a media never downloaded.
    f.post(111, ALICE, "Media without a mimetype here");
    f.media(1011, ALICE, None, Some(&name(1011)));
    f.account_media(11_011, ALICE, 1011, None);
    f.attach(
        AttachmentOwner::Post(PostId(111)),
        0,
        ContentKind::AccountMedia,
        11_011,
    );
    post_with_image(
        &mut f,
        112,
        Some("Media that was never downloaded"),
        1012,
        None,
    );

    let db_url = sqlite_url(dir.path());
    let store = MetadataStore::open(&db_url, StoreOptions::default())
        .await
        .unwrap();
    f.insert(&store).await.unwrap();
    for id in [1001, 1002, 1003, 1004, 1005, 1006, 1011] {
        write(&pictures.join(name(id)), id);
    }
    write(&pictures.join("shared_id_1008.jpg"), 1008);
    write(&outside.join("outside_id_1010.jpg"), 1010);

    let double = StashDouble::start(DoubleConfig {
        library_roots: vec![root.clone(), outside.clone()],
        ..DoubleConfig::default()
    })
    .await
    .unwrap();
    double.scan_now(&[]).await;
    let before = canonical(&double.dump());
    let client = Arc::new(StashClient::connect(client_config(&double)).await.unwrap());
    let state = open_state(&dir.path().join("state.sqlite3")).await.unwrap();
    let repo: Arc<dyn MetadataRepository> = Arc::new(store);
    let opts = SyncOptions::new(PathMapping::identity(root.display().to_string()));
    let report = run_sync(repo.clone(), client, state.clone(), opts.clone(), None)
        .await
        .unwrap();

    // No item failed; each bad row or file is named in a note with its reason.
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let notes: Vec<String> = report
        .skipped
        .iter()
        .map(|n| format!("{} | {} | {}", n.creator, n.what, n.reason))
        .collect();
    let noted = |needle: &str| notes.iter().any(|n| n.contains(needle));
    assert!(noted("424242"), "dangling account media: {notes:#?}");
    assert!(noted("535353"), "dangling bundle: {notes:#?}");
    assert!(noted(&name(1007)), "missing file: {notes:#?}");
    assert!(
        noted("outside_id_1010.jpg"),
        "file outside the root: {notes:#?}"
    );
    assert!(
        notes.iter().all(|n| n.starts_with("alice | ")),
        "{notes:#?}"
    );

    let after = canonical(&double.dump());
    assert!(duplicates(&after).is_empty(), "{:?}", duplicates(&after));
    // Odd text arrives verbatim; titles follow the rule in characters.
    let g = gallery(&after, 101);
    assert_eq!(g["details"].as_str().unwrap(), huge);
    let title = g["title"].as_str().unwrap();
    assert_eq!(title.chars().count(), 128);
    assert!(title.ends_with("..."));
    for (post, text) in [(102, control), (103, emoji), (104, rtl)] {
        let g = gallery(&after, post);
        assert_eq!(g["details"], text, "post {post}");
        assert_eq!(g["title"], text.trim(), "post {post}");
    }
    // NULL content and time: the username alone, no details, no date.
    let g = gallery(&after, 105);
    assert_eq!(
        (
            g["title"].as_str(),
            g["details"].is_null(),
            g["date"].is_null()
        ),
        (Some("alice"), true, true)
    );
    // The good attachment of the post with dangling ones is synced.
    assert_eq!(gallery(&after, 106)["images"].as_array().unwrap().len(), 1);
    // The shared file is one image, stamped once, by the earliest post.
    let shared = pictures.join("shared_id_1008.jpg").display().to_string();
    let img = &after["images"][&shared];
    assert_eq!(img.as_array().unwrap().len(), 1);
    assert_eq!(img[0]["code"], "1008");
    // The file outside the library root is not touched.
    let out = outside.join("outside_id_1010.jpg").display().to_string();
    assert_eq!(after["images"][&out], before["images"][&out]);
    // Nothing was created for the missing or never-downloaded media, and nothing for 110.
    assert!(gallery(&after, 107).is_null() && gallery(&after, 112).is_null());
    assert!(gallery(&after, 110).is_null());

    // A second run changes nothing and still completes.
    double.reset_counters();
    let client = Arc::new(StashClient::connect(client_config(&double)).await.unwrap());
    let report = run_sync(repo, client, state, opts, None).await.unwrap();
    assert!(report.errors.is_empty());
    assert_eq!(double.counters().mutation_requests, 0);
}

/// An account the importer only saw referenced (a media owner): a placeholder named by its id.
const BESTIE: i64 = 412_345_678_901_234_567;
/// The author of a post the importer saw, known only by its id: a placeholder creator.
const NOBODY: i64 = 512_345_678_901_234_567;
/// Its post (the importer takes only real-sized Fansly ids).
const NOBODY_POST: i64 = 612_345_678_901_234_301;

/// A saved timeline response naming both accounts only by id.
fn timeline_with_unknown_accounts() -> String {
    format!(
        r#"{{"success": true, "response": {{
  "posts": [{{"id": "{NOBODY_POST}", "accountId": "{NOBODY}", "content": "A post by an account known only by its id",
              "fypFlags": 0, "createdAt": 1706868000, "accountMentions": []}}],
  "accountMedia": [{{"id": "612345678901239001", "accountId": "{BESTIE}", "mediaId": "612345678901239002", "createdAt": 1706868000,
                     "media": {{"id": "612345678901239002", "accountId": "{BESTIE}", "mimetype": "image/jpeg",
                               "createdAt": 1706868000}}}}],
  "accountMediaBundles": [],
  "accounts": []
}}}}"#
    )
}

/// Whether a Stash name is a number, or holds one of the placeholders' ids.
fn named_by_a_number(name: &str) -> bool {
    let digits = name.trim_end_matches(" (Fansly)");
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
        || [BESTIE, NOBODY]
            .iter()
            .any(|id| name.contains(&id.to_string()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn placeholder_accounts_never_become_performers_or_studios_named_by_a_number() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("downloads");
    let db_url = sqlite_url(dir.path());
    let store = MetadataStore::open(&db_url, StoreOptions::default())
        .await
        .unwrap();
    // The importer makes the placeholders, as it does for real saved responses.
    let imported = metadata_store::import::import_bytes(
        &store,
        Path::new("timeline.json"),
        timeline_with_unknown_accounts().as_bytes(),
        metadata_store::import::ImportOptions::default(),
    )
    .await;
    assert!(imported.ok(), "{:?}", imported.error);
    for id in [BESTIE, NOBODY] {
        assert!(
            imported
                .warnings
                .iter()
                .any(|w| w.message.contains(&format!("username '{id}'"))),
            "{id}: {:?}",
            imported.warnings
        );
    }
    // Alice mentions the first in a post with a picture; the second has a downloaded picture.
    let mut f = FixtureBuilder::new();
    f.account(ALICE, "alice");
    post_with_image(
        &mut f,
        202,
        Some("Coffee with @bestie"),
        1002,
        Some(&name(1002)),
    );
    f.mention(202, "bestie", Some(BESTIE));
    f.media(3001, NOBODY, Some("image/jpeg"), Some(&name(3001)));
    f.account_media(13_001, NOBODY, 3001, None);
    f.attach(
        AttachmentOwner::Post(PostId(NOBODY_POST)),
        0,
        ContentKind::AccountMedia,
        13_001,
    );
    f.insert(&store).await.unwrap();
    let alice_pictures = root.join("alice_fansly").join("Timeline").join("Pictures");
    let nobody_pictures = root
        .join(format!("{NOBODY}_fansly"))
        .join("Timeline")
        .join("Pictures");
    write(&alice_pictures.join(name(1002)), 1002);
    write(&nobody_pictures.join(name(3001)), 3001);

    let double = StashDouble::start(DoubleConfig {
        library_roots: vec![root.clone()],
        ..DoubleConfig::default()
    })
    .await
    .unwrap();
    double.scan_now(&[]).await;
    let before = canonical(&double.dump());
    let client = Arc::new(StashClient::connect(client_config(&double)).await.unwrap());
    let state = open_state(&dir.path().join("state.sqlite3")).await.unwrap();
    let repo: Arc<dyn MetadataRepository> = Arc::new(store);
    let opts = SyncOptions::new(PathMapping::identity(root.display().to_string()));
    let report = run_sync(repo.clone(), client, state.clone(), opts.clone(), None)
        .await
        .unwrap();

    // The placeholder creator is reported, not synced; alice is synced; no item failed.
    let creators: Vec<(&str, Option<&str>)> = report
        .creators
        .iter()
        .map(|c| (c.creator.as_str(), c.error.as_deref()))
        .collect();
    assert_eq!(creators.len(), 2, "{creators:?}");
    let nobody = creators
        .iter()
        .find(|(c, _)| *c == NOBODY.to_string())
        .and_then(|(_, e)| *e)
        .expect("the placeholder creator is reported");
    assert!(
        nobody.starts_with(&format!(
            "not synced: account {NOBODY} is known only by its id"
        )) && nobody.contains("import a response containing it, e.g. an account lookup"),
        "{nobody}"
    );
    assert!(creators.contains(&("alice", None)), "{creators:?}");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(
        report.outcome(),
        sync_core::RunOutcome::Partial,
        "exit 1, like other creator errors"
    );
    // The mention is left out with a note saying why and what to do.
    assert!(
        report.skipped.iter().any(|n| n.creator == "alice"
            && n.what == format!("mention of account {BESTIE} in post:202")
            && n.reason.contains(&format!(
                "account {BESTIE} is known only by its id; import a response containing it, \
                 e.g. an account lookup, to name it"
            ))),
        "{:#?}",
        report.skipped
    );

    // Nothing in Stash is named by a number; alice's gallery names only her.
    let dump = double.dump();
    for kind in ["performers", "studios"] {
        let names: Vec<&str> = dump[kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap())
            .collect();
        assert!(!names.is_empty(), "{kind}");
        assert!(
            names.iter().all(|n| !named_by_a_number(n)),
            "{kind}: {names:?}"
        );
    }
    let after = canonical(&dump);
    assert!(duplicates(&after).is_empty(), "{:?}", duplicates(&after));
    assert_eq!(
        gallery(&after, 202)["performers"],
        serde_json::json!(["alice"])
    );
    // The placeholder creator's picture is untouched, and it has no gallery.
    let theirs = nobody_pictures.join(name(3001)).display().to_string();
    assert_eq!(after["images"][&theirs], before["images"][&theirs]);
    assert!(gallery(&after, NOBODY_POST).is_null());
}
