//! `library_paths` against the double: Stash's library paths in one request, mapped with
//! their exclude flags; a transient failure is retried; and the domain helper answers
//! "is this folder inside a library" on what the adapter read.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Lab;
use domain::library::library_containing;
use domain::ports::MediaServer;
use domain::stash::LibraryPath;
use stash_double::{DoubleConfig, Fault};

#[tokio::test]
async fn library_paths_are_read_in_one_request() {
    let lab = Lab::start().await;
    let client = lab.client().await;
    lab.double.reset_counters();
    let libraries = client.library_paths().await.unwrap();
    assert_eq!(
        libraries,
        vec![LibraryPath::new(lab.root().to_string_lossy())]
    );
    assert_eq!(lab.double.counters().requests_named("LibraryPaths"), 1);
    assert_eq!(lab.double.counters().http_requests, 1);
    assert_eq!(client.request_stats().per_operation["LibraryPaths"], 1);

    let inside = library_containing(&libraries, &lab.folder("alice_fansly"));
    assert_eq!(inside, Some(&libraries[0]));
    let sibling = format!("{}_other/alice_fansly", lab.root().to_string_lossy());
    assert_eq!(library_containing(&libraries, &sibling), None);
}

#[tokio::test]
async fn a_transient_failure_is_retried() {
    let lab = Lab::start_with(DoubleConfig::default()).await;
    let client = lab.client().await;
    lab.double
        .faults()
        .inject(Some("configuration"), 1, Fault::Http500);
    let libraries = client.library_paths().await.unwrap();
    assert_eq!(libraries.len(), 1);
    assert_eq!(client.request_stats().per_operation["LibraryPaths"], 2);
}
