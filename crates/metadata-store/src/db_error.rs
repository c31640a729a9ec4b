//! Telling database failures apart by what they mean for the caller, from sqlx's typed errors
//! and the server's SQLSTATE codes (this adapter is the only place that looks at them): the
//! connection failed (down, restarting, unreachable: worth waiting for), the server refused us
//! (credentials, database name: configuration), or a statement failed.

use domain::ports::RepositoryError;
use sea_orm::sqlx;
use sea_orm::{DbErr, RuntimeErr};

/// A failure of the connection is a [`RepositoryError::Connection`], a refusal a
/// [`RepositoryError::Refused`], anything else a [`RepositoryError::Query`]; `what` says what
/// was being done.
pub(crate) fn classify(e: DbErr, url: &str, what: &str) -> RepositoryError {
    let sqlx_error = match &e {
        DbErr::Conn(RuntimeErr::SqlxError(inner))
        | DbErr::Query(RuntimeErr::SqlxError(inner))
        | DbErr::Exec(RuntimeErr::SqlxError(inner)) => Some(inner),
        _ => None,
    };
    if sqlx_error.is_some_and(is_refusal) {
        return RepositoryError::Refused {
            url: url.to_owned(),
            message: format!("{what}: {e}"),
        };
    }
    let connection = matches!(e, DbErr::ConnectionAcquire(_) | DbErr::Conn(_))
        || sqlx_error.is_some_and(is_connection_error);
    if connection {
        RepositoryError::Connection {
            url: url.to_owned(),
            message: format!("{what}: {e}"),
        }
    } else {
        RepositoryError::Query(format!("{what}: {e}"))
    }
}

fn sqlstate(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(db) => db.code().map(|c| c.into_owned()),
        _ => None,
    }
}

/// SQLSTATE class 28 (invalid authorization: user, password) and 3D000 (no such database).
fn is_refusal(e: &sqlx::Error) -> bool {
    sqlstate(e).is_some_and(|c| c.starts_with("28") || c == "3D000")
}

fn is_connection_error(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // SQLSTATE class 08 (connection exception) and 57 (operator intervention: the server
        // is shutting down or restarting).
        _ => sqlstate(e).is_some_and(|c| c.starts_with("08") || c.starts_with("57")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_failures_are_told_from_query_failures() {
        let conn = classify(
            DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout),
            "postgres://u:***@h/db",
            "x",
        );
        assert!(matches!(conn, RepositoryError::Connection { .. }), "{conn}");
        let io = classify(
            DbErr::Query(RuntimeErr::SqlxError(sqlx::Error::Io(
                std::io::Error::from(std::io::ErrorKind::ConnectionReset),
            ))),
            "u",
            "x",
        );
        assert!(matches!(io, RepositoryError::Connection { .. }), "{io}");
        let bad = classify(
            DbErr::Query(RuntimeErr::Internal("syntax".into())),
            "u",
            "x",
        );
        assert!(matches!(bad, RepositoryError::Query(_)), "{bad}");
    }
}
