//! Benchmark of the JSON importer: generates 10,000 posts with 30,000 media as 100 timeline
//! pages (100 posts, 300 account media each, with hashtags and attachments) in a temporary
//! folder, imports them into a new SQLite file and prints rows per second.
//!
//! Run with `cargo run --release -p fansly-stash-metadata-store --example import_bench`
//! (`FANSLY_STASH_BENCH_POSTS=N` changes the size; media are three per post). The result is
//! recorded in `BENCHMARKS.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use metadata_store::import::{ImportOptions, import_paths};
use metadata_store::{MetadataStore, StoreOptions};
use serde_json::{Value, json};

const CREATOR: i64 = 1_000_000_000_000_000;
const POSTS_PER_PAGE: usize = 100;
const MEDIA_PER_POST: usize = 3;

fn page(first_post: usize, posts: usize) -> Value {
    let mut post_list = Vec::with_capacity(posts);
    let mut media_list = Vec::with_capacity(posts * MEDIA_PER_POST);
    for p in first_post..first_post + posts {
        let post_id = CREATOR + 1_000_000 + p as i64;
        let mut attachments = Vec::new();
        for k in 0..MEDIA_PER_POST {
            let am = CREATOR + 10_000_000 + (p * MEDIA_PER_POST + k) as i64;
            attachments.push(json!({"pos": k, "contentType": 1, "contentId": am.to_string()}));
            let video = k == 2;
            media_list.push(json!({
                "id": am.to_string(), "accountId": CREATOR.to_string(), "mediaId": am.to_string(),
                "previewId": null, "createdAt": 1_737_290_986 + p, "deletedAt": null,
                "deleted": false, "access": true, "price": 0, "likeCount": 3,
                "media": {
                    "id": am.to_string(), "accountId": CREATOR.to_string(), "type": if video { 2 } else { 1 },
                    "status": 1, "mimetype": if video { "video/mp4" } else { "image/jpeg" },
                    "flags": 298, "location": format!("/{CREATOR}/{am}.jpeg"), "width": 1920,
                    "height": 1080, "createdAt": 1_737_290_986 + p, "updatedAt": 1_737_290_987 + p,
                    "metadata": if video { "{\"duration\":20.5}" } else { "{\"resolutionMode\":1}" },
                    "variants": [], "variantHash": {}, "locations": []
                }
            }));
        }
        post_list.push(json!({
            "id": post_id.to_string(), "accountId": CREATOR.to_string(),
            "content": format!("post {p} #tag{} #Topic{} #all", p % 50, p % 7),
            "fypFlags": 0, "inReplyTo": null, "inReplyToRoot": null,
            "createdAt": 1_737_290_985 + p, "expiresAt": null, "attachments": attachments,
            "accountMentions": [], "likeCount": 1
        }));
    }
    json!({"success": true, "response": {
        "posts": post_list, "aggregatedPosts": [], "accountMedia": media_list,
        "accountMediaBundles": [],
        "accounts": [{"id": CREATOR.to_string(), "username": "bench", "displayName": "Bench",
                      "createdAt": 1_673_792_358_000_i64}]
    }})
}

#[tokio::main]
async fn main() {
    let posts: usize = std::env::var("FANSLY_STASH_BENCH_POSTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let json_dir = dir.path().join("responses");
    std::fs::create_dir(&json_dir).unwrap();
    let mut bytes = 0usize;
    for (i, first) in (0..posts).step_by(POSTS_PER_PAGE).enumerate() {
        let text = page(first, POSTS_PER_PAGE.min(posts - first)).to_string();
        bytes += text.len();
        std::fs::write(json_dir.join(format!("timeline-{i:05}.json")), text).unwrap();
    }
    let db = dir.path().join("metadata.sqlite");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let store = MetadataStore::open(&url, StoreOptions::default())
        .await
        .unwrap();

    let started = Instant::now();
    let report = import_paths(
        &store,
        std::slice::from_ref(&json_dir),
        ImportOptions::default(),
    )
    .await;
    let elapsed = started.elapsed();
    assert!(!report.has_failures(), "{:?}", report.failed().next());
    let rows = report.total_rows();
    let secs = elapsed.as_secs_f64();
    println!(
        "import: {} files ({:.1} MB), {posts} posts, {} media: {rows} rows in {secs:.2} s \
         = {:.0} rows/s, {} statements",
        report.files.len(),
        bytes as f64 / 1e6,
        posts * MEDIA_PER_POST,
        rows as f64 / secs,
        store.query_count()
    );
    for (table, n) in report.files.iter().flat_map(|f| f.rows.iter()).fold(
        std::collections::BTreeMap::<&str, u64>::new(),
        |mut acc, (t, n)| {
            *acc.entry(t).or_default() += n;
            acc
        },
    ) {
        println!("  {table}: {n}");
    }

    // Re-import: everything is already there.
    let started = Instant::now();
    let again = import_paths(&store, &[json_dir], ImportOptions::default()).await;
    let secs2 = started.elapsed().as_secs_f64();
    assert!(!again.has_failures());
    println!(
        "re-import of the same files: {} rows in {secs2:.2} s = {:.0} rows/s",
        again.total_rows(),
        again.total_rows() as f64 / secs2
    );
}
