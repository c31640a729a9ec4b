//! Database URLs: which ones we accept, and how they appear in messages (password hidden).

use domain::ports::RepositoryError;
use sea_orm::DbBackend;

/// Hides the password of a `scheme://user:password@host/...` URL.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The backend a URL names, or a user-facing error.
pub fn backend_of(url: &str) -> Result<DbBackend, RepositoryError> {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        Ok(DbBackend::Postgres)
    } else if lower.starts_with("sqlite:") {
        Ok(DbBackend::Sqlite)
    } else {
        Err(RepositoryError::Connection {
            url: redact(url),
            message: "unsupported database URL: use postgres://user:password@host/database, \
                      sqlite://path/to/file.db?mode=rwc, or sqlite::memory:"
                .into(),
        })
    }
}

/// Whether a SQLite URL names an in-memory database.
pub fn is_sqlite_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(redact("postgres://u:pw@h:5/db"), "postgres://u:***@h:5/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite::memory:"), "sqlite::memory:");
    }

    #[test]
    fn accepts_postgres_and_sqlite_urls_only() {
        assert_eq!(
            backend_of("postgres://h/db").ok(),
            Some(DbBackend::Postgres)
        );
        assert_eq!(
            backend_of("postgresql://h/db").ok(),
            Some(DbBackend::Postgres)
        );
        assert_eq!(backend_of("sqlite::memory:").ok(), Some(DbBackend::Sqlite));
        assert_eq!(
            backend_of("sqlite://x.db?mode=rwc").ok(),
            Some(DbBackend::Sqlite)
        );
        let err = backend_of("mysql://u:secret@h/db").unwrap_err().to_string();
        assert!(err.contains("unsupported database URL"), "{err}");
        assert!(!err.contains("secret"), "{err}");
    }
}
