//! A faithful in-process Stash server for tests, benchmarks and the demo: GraphQL over HTTP
//! on `127.0.0.1`, validated against `schema/stash-subset.graphql`, with Stash's status
//! codes, error texts, filter semantics, partial-update rules, scans and jobs (see
//! `../shared/docs/stash-api-facts.md`), plus fault injection and request counters.
//!
//! Never a dependency of the shipped binary.
//!
//! What it does, in short (the tests in `tests/` pin each point over real HTTP, and
//! `tests/transcripts/` replays every recorded answer of a real Stash against it):
//! - It answers as one Stash release ([`StashVersion`], [`DoubleConfig::impersonating`]):
//!   `version`, `hash`, `appSchema`, the schema (the subset minus what that release lacks)
//!   and the behaviour that changed between releases (`src/versions.rs`).
//! - `POST {prefix}/graphql` validated with apollo-compiler against that schema: 422 (400 +
//!   `application/graphql-response+json` for `Accept: */*`/`application/*` on v0.29+, which
//!   also pick the content type of successful answers), gqlparser message shapes with their
//!   "Did you mean" hints, variable errors at `variable.<name>.<field>`; malformed JSON is
//!   400. `GET /healthz` answers `.` before auth.
//! - Resolver errors are HTTP 200 with `errors[{message, path}]` (no `locations`), the field
//!   null, or `data: null` for non-null fields.
//! - Filters: string criteria with `LIKE` semantics, INCLUDES words/phrases, regex, null
//!   checks, int, multi and hierarchical (studio depth) criteria, one AND/OR/NOT per level,
//!   `q`, sort allow-lists, paging with `per_page: -1`, `ids` lookups.
//! - Writes: omitted/null/value per key, strings stored trimmed (v0.30+), `organized: null`
//!   panics, plural updates all-or-nothing, foreign-key errors with Stash's SQL text, bulk
//!   SET/ADD/REMOVE, duplicate-name and duplicate-alias texts, gallery membership rules,
//!   chapters only within the gallery's images. Unset titles, codes and details read back
//!   `""`. Each mutation field is its own transaction; one writer at a time.
//! - Scans walk the library roots (default extensions, zero-length skipped, identical bytes
//!   merged, moves detected, `.forcegallery` folder galleries) as jobs with a 10-job graveyard;
//!   `stopJob` cancels queued jobs and stops running ones; tests can hold a job running
//!   ([`StashDouble::hold_job`]).
//!
//! Known simplifications: video/image properties (width, duration, codecs) are fixed
//! values, not probed; zip galleries, `.nogallery`, exclude patterns and generated files are
//! not modelled; written objects from scans are not counted in
//! [`RequestCounters::written_objects`]; `SETUP`/`NEEDS_MIGRATION` only change what
//! `systemStatus` reports.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use stash_double::{DoubleConfig, StashDouble};
//! let double = StashDouble::start(DoubleConfig::default()).await?;
//! println!("GraphQL at {}", double.graphql_url());
//! # Ok(()) }
//! ```

mod config;
mod counters;
mod faults;
mod graphql;
mod http;
mod model;
mod query;
mod scan;
mod server;
mod versions;
mod write;

pub use config::{DoubleConfig, SystemStatusKind};
pub use counters::RequestCounters;
pub use faults::{Fault, FaultPlan};
pub use graphql::schema::{SUBSET_SDL, served_sdl};
pub use model::delete::DeleteKind;
pub use scan::{IMAGE_EXTENSIONS, ScanSummary, VIDEO_EXTENSIONS};
pub use server::StashDouble;
pub use versions::StashVersion;
