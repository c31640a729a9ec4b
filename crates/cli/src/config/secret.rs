//! [`Secret`]: a value (the Stash API key) that must never reach a log line, `Debug` output,
//! or `config show`; and [`DbUrl`], a database URL whose password is hidden the same way.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What secrets print as.
pub const REDACTED: &str = "***";

/// A secret string. `Debug`, `Display` and `Serialize` all print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that needs it (the HTTP header).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({REDACTED})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        super::scalar::string(d).map(Secret)
    }
}

/// A database URL. `Debug`, `Display` and `Serialize` hide the password.
#[derive(Clone, PartialEq, Eq)]
pub struct DbUrl(String);

impl DbUrl {
    /// Wraps a URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The URL with its password, to connect with.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with the password replaced by `***`.
    pub fn redacted(&self) -> String {
        metadata_store::redact_url(&self.0)
    }
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DbUrl({})", self.redacted())
    }
}

impl fmt::Display for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Serialize for DbUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

impl<'de> Deserialize<'de> for DbUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        super::scalar::string(d).map(DbUrl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("s3cr3t");
        let shown = format!("{s:?} {s} {}", serde_json::to_string(&s).unwrap());
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert_eq!(s.expose(), "s3cr3t");
    }

    #[test]
    fn db_url_passwords_never_print() {
        let u = DbUrl::new("postgres://me:hunter2@db/fansly");
        let shown = format!("{u:?} {u} {}", serde_json::to_string(&u).unwrap());
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("me:***@db"), "{shown}");
        assert_eq!(u.expose(), "postgres://me:hunter2@db/fansly");
    }
}
