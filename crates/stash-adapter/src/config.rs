//! How to reach a Stash server and how hard to push it: [`StashConfig`] with its API key
//! ([`ApiKey`], never printed) or the session cookie Stash hands a plugin ([`SessionCookie`],
//! never printed either), timeouts, [`RetryPolicy`] and [`BatchLimits`].

use std::fmt;
use std::time::Duration;

/// A Stash API key. `Debug` and `Display` print `***`, so it never reaches a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself, for the `ApiKey` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The session cookie Stash gives a plugin process (`server_connection.SessionCookie`), sent
/// as `Cookie: <name>=<value>`. `Debug` prints the name only.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionCookie {
    name: String,
    value: String,
}

impl SessionCookie {
    /// A cookie; an empty name becomes `session`, the name Stash uses.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        Self {
            name: if name.trim().is_empty() {
                "session".to_owned()
            } else {
                name
            },
            value: value.into(),
        }
    }

    /// The cookie's name (`session`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `Cookie` header value, for the transport only.
    pub(crate) fn header_value(&self) -> String {
        format!("{}={}", self.name, self.value)
    }
}

impl fmt::Debug for SessionCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionCookie({}=***)", self.name)
    }
}

/// When and how often to try a request again (exponential backoff with jitter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub max_retries: usize,
    /// First delay.
    pub min_delay: Duration,
    /// Largest single delay.
    pub max_delay: Duration,
    /// Cap on the sum of all delays of one request.
    pub max_total_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 4,
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_total_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The backon builder for this policy.
    pub(crate) fn backoff(&self) -> backon::ExponentialBuilder {
        backon::ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries)
            .with_total_delay(Some(self.max_total_delay))
            .with_jitter()
    }
}

/// How many objects go into one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchLimits {
    /// Ids per `find*(ids:)` lookup.
    pub ids_chunk: usize,
    /// Objects per `scenesUpdate` / `imagesUpdate` / `galleriesUpdate` (one transaction each).
    pub update_chunk: usize,
    /// Aliased creates per request.
    pub create_chunk: usize,
    /// Objects per page of a file listing.
    pub page_size: usize,
    /// Names per natural-key lookup.
    pub names_chunk: usize,
    /// `false` = the naive baseline: one request per lookup and one mutation per object.
    pub batching: bool,
}

impl Default for BatchLimits {
    fn default() -> Self {
        Self {
            ids_chunk: 1000,
            update_chunk: 250,
            create_chunk: 100,
            page_size: 2500,
            names_chunk: 200,
            batching: true,
        }
    }
}

impl BatchLimits {
    /// The limits in effect: with `batching` off every chunk is a single object.
    pub(crate) fn effective(&self) -> BatchLimits {
        if self.batching {
            BatchLimits {
                ids_chunk: self.ids_chunk.max(1),
                update_chunk: self.update_chunk.max(1),
                create_chunk: self.create_chunk.max(1),
                page_size: self.page_size.max(1),
                names_chunk: self.names_chunk.max(1),
                batching: true,
            }
        } else {
            BatchLimits {
                ids_chunk: 1,
                update_chunk: 1,
                create_chunk: 1,
                page_size: self.page_size.max(1),
                names_chunk: 1,
                batching: false,
            }
        }
    }
}

/// Everything needed to talk to one Stash server.
#[derive(Debug, Clone)]
pub struct StashConfig {
    /// Base URL, optionally with a reverse-proxy path prefix (`http://host:9999`,
    /// `https://host/stash`); `/graphql` is appended.
    pub url: String,
    /// API key, sent as the `ApiKey` header only when set (and no session cookie is).
    pub api_key: Option<ApiKey>,
    /// The session cookie of a plugin run; when set it is the only credential sent (the API
    /// key is not).
    pub session_cookie: Option<SessionCookie>,
    /// Limit on establishing a connection.
    pub connect_timeout: Duration,
    /// Limit on one whole request.
    pub request_timeout: Duration,
    /// Retries of queries and idempotent updates.
    pub retry: RetryPolicy,
    /// Chunk and page sizes.
    pub batch: BatchLimits,
}

impl StashConfig {
    /// Defaults for `url`: no key, 10 s connect, 120 s request, default retries and batches.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            api_key: None,
            session_cookie: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(120),
            retry: RetryPolicy::default(),
            batch: BatchLimits::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_key_is_never_printed() {
        let mut cfg = StashConfig::new("http://localhost:9999");
        cfg.api_key = Some(ApiKey::new("s3cr3t-key"));
        let shown = format!("{cfg:?} {}", ApiKey::new("s3cr3t-key"));
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("***"));
        assert_eq!(ApiKey::new("k").expose(), "k");
    }

    #[test]
    fn the_session_cookie_is_never_printed() {
        let mut cfg = StashConfig::new("http://localhost:9999");
        cfg.session_cookie = Some(SessionCookie::new("", "s3cr3t-cookie"));
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("SessionCookie(session=***)"), "{shown}");
        let cookie = cfg.session_cookie.unwrap();
        assert_eq!(cookie.header_value(), "session=s3cr3t-cookie");
    }

    #[test]
    fn naive_mode_uses_single_object_chunks() {
        let naive = BatchLimits {
            batching: false,
            ..BatchLimits::default()
        }
        .effective();
        assert_eq!(
            (
                naive.ids_chunk,
                naive.update_chunk,
                naive.create_chunk,
                naive.names_chunk
            ),
            (1, 1, 1, 1)
        );
        let zero = BatchLimits {
            update_chunk: 0,
            ..BatchLimits::default()
        }
        .effective();
        assert_eq!(zero.update_chunk, 1);
    }
}
