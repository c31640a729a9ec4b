//! Benchmark: stream 100,000 media of one creator page by page through
//! [`MetadataRepository::content_page`], holding one page at a time.
//!
//! It prints the time, the number of pages and queries, and the largest page (items and media)
//! seen: the memory bound is "one page" (`DEFAULT_PAGE_SIZE` items), never the whole creator.
//! Run with `cargo bench -p fansly-stash-metadata-store --bench stream_media`
//! (`FANSLY_STASH_BENCH_MEDIA=N` changes the size).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use domain::ids::AccountId;
use domain::ports::MetadataRepository;
use metadata_store::DEFAULT_PAGE_SIZE;
use metadata_store::testing::{CreatorShape, FixtureBuilder, sqlite_memory_store};

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("FANSLY_STASH_BENCH_MEDIA")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let store = sqlite_memory_store().await;
    let mut shape = CreatorShape::new(1_000_000_000_000_000, "bench");
    // Half attached (images and videos in posts and bundles), half unattached.
    shape.posts = n / 10;
    shape.images = n / 4;
    shape.videos = n / 8;
    shape.bundles = n / 100;
    shape.unattached = n - shape.images - shape.videos * 2;
    let mut fx = FixtureBuilder::new();
    let made = fx.generate_creator(&shape);
    let t = Instant::now();
    fx.insert(&store).await.expect("fixture inserts");
    println!(
        "inserted {} media ({} unattached) in {:?}",
        made.media.len() + made.previews.len() + made.unattached.len(),
        made.unattached.len(),
        t.elapsed()
    );

    let before = store.query_count();
    let recursive_before = store.recursive_query_count();
    let t = Instant::now();
    let (mut cursor, mut pages, mut items, mut media) = (None, 0usize, 0usize, 0usize);
    let (mut max_items, mut max_media) = (0usize, 0usize);
    loop {
        let page = store
            .content_page(
                AccountId(shape.account_id),
                cursor.take(),
                DEFAULT_PAGE_SIZE,
            )
            .await
            .expect("a page");
        pages += 1;
        let page_media: usize = page.items.iter().map(|i| i.media.len()).sum();
        items += page.items.len();
        media += page_media;
        max_items = max_items.max(page.items.len());
        max_media = max_media.max(page_media);
        assert!(page.items.len() <= DEFAULT_PAGE_SIZE);
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
        // `page` is dropped here: only one page is ever held.
    }
    let elapsed = t.elapsed();
    println!(
        "streamed {items} items / {media} media in {pages} pages, {} queries ({} recursive), \
         {elapsed:?} ({:.0} media/s); largest page: {max_items} items, {max_media} media",
        store.query_count() - before,
        store.recursive_query_count() - recursive_before,
        media as f64 / elapsed.as_secs_f64()
    );
}
