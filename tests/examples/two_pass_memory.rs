//! Measures the memory trade-off behind the engine's two passes over a creator's items (see
//! ARCHITECTURE.md, "Memory: two passes over the items"): what the index pass keeps while it
//! streams the pages (the media index and each item's needs), against what holding every item
//! at once costs. One "typical fan" creator (the benchmark's shape) in an in-memory SQLite
//! store; resident memory from `/proc/self/status`, so the numbers are approximate (allocator
//! slack included).
//!
//! ```sh
//! cargo run --release -p fansly-stash-tests --example two_pass_memory
//! ```

use domain::content::ContentItem;
use domain::ids::AccountId;
use domain::ports::MetadataRepository;
use metadata_store::testing::{CreatorShape, FixtureBuilder, sqlite_memory_store};
use sync_core::convert::item_performer_specs;
use sync_core::index::MediaIndex;

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

async fn pages(
    store: &dyn MetadataRepository,
    creator: AccountId,
    mut each: impl FnMut(Vec<ContentItem>),
) {
    let mut cursor = None;
    loop {
        let page = store
            .content_page(creator, cursor.take(), 250)
            .await
            .expect("a page");
        each(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let store = sqlite_memory_store().await;
    let mut shape = CreatorShape::new(7, "typical");
    (shape.posts, shape.messages, shape.images, shape.videos) = (1_200, 300, 3_000, 800);
    (shape.bundles, shape.bundle_size, shape.unattached) = (60, 5, 20);
    let mut fixture = FixtureBuilder::new();
    fixture.generate_creator(&shape);
    fixture
        .insert(&store)
        .await
        .expect("the fixture is inserted");
    let creator = AccountId(7);

    // The index pass: one page at a time, keeping the index and each item's light needs.
    let before = rss_kib();
    let mut index = MediaIndex::default();
    let mut needs: Vec<(Vec<i64>, Vec<String>, Vec<String>)> = Vec::new();
    pages(&store, creator, |items| {
        for item in &items {
            index.add_item(item);
            let performers = item_performer_specs(item).into_iter().map(|s| s.key);
            needs.push((
                item.media.iter().map(|m| m.media.id.get()).collect(),
                performers.collect(),
                item.hashtags
                    .iter()
                    .map(|h| h.as_str().to_owned())
                    .collect(),
            ));
        }
    })
    .await;
    let index_pass = rss_kib().saturating_sub(before);

    // Holding every item instead.
    let before = rss_kib();
    let mut all: Vec<ContentItem> = Vec::new();
    pages(&store, creator, |items| all.extend(items)).await;
    let held = rss_kib().saturating_sub(before);
    let media: usize = all.iter().map(|i| i.media.len()).sum();
    println!(
        "typical fan: {} items, {media} item media, {} indexed media",
        all.len(),
        index.len()
    );
    println!(
        "index pass keeps: {:.1} MiB; holding every item: {:.1} MiB ({:.0}x)",
        index_pass as f64 / 1024.0,
        held as f64 / 1024.0,
        held as f64 / index_pass.max(1) as f64
    );
    drop((needs, all));
}
