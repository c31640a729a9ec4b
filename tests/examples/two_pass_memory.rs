//! Measures the memory trade-off behind the engine's two passes over a creator's items (see
//! ARCHITECTURE.md, "Memory: two passes over the items"): what the index pass keeps while it
//! streams the pages (the media index and each item's needs), against what holding every item
//! at once costs. One "typical fan" creator (the benchmark's shape) in an in-memory SQLite
//! store; live heap bytes counted by the `cap` allocator.
//!
//! ```sh
//! cargo run --release -p fansly-stash-tests --example two_pass_memory
//! ```

use std::alloc::System;

use cap::Cap;
use domain::content::ContentItem;
use domain::ids::AccountId;
use domain::ports::MetadataRepository;
use metadata_store::testing::{CreatorShape, FixtureBuilder, sqlite_memory_store};
use sync_core::convert::item_performer_specs;
use sync_core::index::MediaIndex;

#[global_allocator]
static HEAP: Cap<System> = Cap::new(System, usize::MAX);

/// Live heap bytes.
fn heap() -> usize {
    HEAP.allocated()
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
    let before = heap();
    let started = std::time::Instant::now();
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
    let index_pass = heap().saturating_sub(before);
    let index_time = started.elapsed();

    // Holding every item instead.
    let before = heap();
    let started = std::time::Instant::now();
    let mut all: Vec<ContentItem> = Vec::new();
    pages(&store, creator, |items| all.extend(items)).await;
    let held = heap().saturating_sub(before);
    let read_time = started.elapsed();
    let media: usize = all.iter().map(|i| i.media.len()).sum();
    println!(
        "typical fan: {} items, {media} item media, {} indexed media",
        all.len(),
        index.len()
    );
    println!(
        "index pass keeps: {:.1} MiB; holding every item: {:.1} MiB ({:.0}x)",
        index_pass as f64 / 1_048_576.0,
        held as f64 / 1_048_576.0,
        held as f64 / index_pass.max(1) as f64
    );
    println!(
        "one read of every page (what the second pass costs): {read_time:.2?}; the index pass: {index_time:.2?}"
    );
    drop((needs, all));
}
