//! Fuzzes the JSON importer of saved Fansly API responses: any bytes (not JSON, wrong shapes,
//! huge numbers, lone surrogates, deep nesting) must end in a file report, imported or refused
//! with a named error, never a panic. All inputs go into one in-memory SQLite store, made once
//! (a fresh store per input spent the time on migrations: 17 inputs/s), so later inputs also
//! meet rows earlier ones left, as a user's store would. `cargo xtask fuzz` seeds the corpus
//! with the real API samples in `../shared/upstream/fansly-api-samples` when they are there.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use metadata_store::MetadataStore;
use metadata_store::import::{ImportOptions, import_bytes};
use metadata_store::testing::sqlite_memory_store;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread runtime starts")
    })
}

fn store() -> &'static MetadataStore {
    static STORE: OnceLock<MetadataStore> = OnceLock::new();
    STORE.get_or_init(|| runtime().block_on(sqlite_memory_store()))
}

fuzz_target!(|data: &[u8]| {
    let store = store();
    runtime().block_on(async {
        let report = import_bytes(
            store,
            Path::new("fuzz.json"),
            data,
            ImportOptions::default(),
        )
        .await;
        // A refused file writes nothing.
        if report.error.is_some() {
            assert_eq!(report.total_rows(), 0, "{report:?}");
        }
    });
});
