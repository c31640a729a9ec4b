//! Throwaway PostgreSQL databases for tests: one uniquely named database per test on the
//! server at `FANSLY_STASH_TEST_PG_URL`, dropped when the [`TestDb`] drops. Uses the `psql`
//! client (the upstream dump is a plain `pg_dump` script).

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// The real upstream schema (fansly-scraper head `b6d60f698c27`), read from the shared
/// directory beside the repository (never copied into it).
pub const UPSTREAM_SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/upstream/fansly-scraper-schema-b6d60f698c27.sql"
);

const URL_VAR: &str = "FANSLY_STASH_TEST_PG_URL";

/// Whether missing services must fail the suite (`FANSLY_STASH_REQUIRE_SERVICES=1` or `CI`).
pub fn services_required() -> bool {
    let set = |v: &str| std::env::var(v).map(|s| !s.is_empty() && s != "0");
    set("FANSLY_STASH_REQUIRE_SERVICES").unwrap_or(false) || set("CI").unwrap_or(false)
}

/// A database created for one test; dropped (with its connections) on drop.
#[derive(Debug)]
pub struct TestDb {
    /// Where to connect.
    pub url: String,
    name: String,
    admin_url: String,
}

fn admin_url() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            if services_required() {
                panic!(
                    "{URL_VAR} is not set, but PostgreSQL is required here \
                     (FANSLY_STASH_REQUIRE_SERVICES or CI is set). Run the suites with \
                     `cargo xtask ci`, or start a server with `cargo xtask pg` and export the \
                     URL it prints."
                );
            }
            // libtest names each test's thread after the test.
            let current = std::thread::current();
            let test = current.name().unwrap_or("this test");
            eprintln!(
                "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                 !! SKIPPED (PostgreSQL part): {test}\n\
                 !! why: {URL_VAR} is not set and services are optional outside CI.\n\
                 !! Run `cargo xtask pg` and export the URL it prints, or `cargo xtask ci`.\n\
                 !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
            );
            None
        }
    }
}

/// `url` with its database name replaced by `name` (query string kept).
fn with_database(url: &str, name: &str) -> String {
    let (main, query) = match url.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (url, None),
    };
    let after_scheme = main.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match main[after_scheme..].find('/') {
        Some(i) => &main[..after_scheme + i],
        None => main,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

fn psql(url: &str, args: &[&str]) {
    let out = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url])
        .args(args)
        .output()
        .expect("the `psql` client runs (install postgresql-client)");
    assert!(
        out.status.success(),
        "psql {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn create(load_upstream: bool) -> Option<TestDb> {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let admin_url = admin_url()?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!(
        "fansly_stash_test_{}_{}_{nanos}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    );
    psql(&admin_url, &["-c", &format!("CREATE DATABASE {name}")]);
    let url = with_database(&admin_url, &name);
    let db = TestDb {
        url,
        name,
        admin_url,
    };
    if load_upstream {
        psql(&db.url, &["-f", UPSTREAM_SCHEMA]);
        psql(
            &db.url,
            &[
                "-c",
                "INSERT INTO public.alembic_version (version_num) VALUES ('b6d60f698c27')",
            ],
        );
    }
    Some(db)
}

/// A new database loaded with the upstream schema dump (and its Alembic revision), or `None`
/// (after a loud notice) when no server is configured and services are optional.
pub fn pg_test_database() -> Option<TestDb> {
    create(true)
}

/// A new, empty database (for our own migrations), or `None` like [`pg_test_database`].
pub fn pg_empty_database() -> Option<TestDb> {
    create(false)
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args(["-X", "-q", "-d", &self.admin_url, "-c"])
            .arg(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .output();
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn swaps_the_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5/postgres", "x"),
            "postgres://postgres@127.0.0.1:5/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}
