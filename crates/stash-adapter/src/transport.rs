//! The HTTP edge: one reqwest client (rustls, pooled connections, `Accept: application/json`,
//! the `ApiKey` header only when configured, or a plugin's session cookie instead), mapping of every failure to a typed
//! [`MediaServerError`], request counting, and retries with backon for requests that are safe
//! to repeat.

use std::time::Duration;

use backon::Retryable;
use domain::ports::{GraphQlError, MediaServerError};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::config::{ApiKey, RetryPolicy, StashConfig};
use crate::stats::Counters;

/// Whether a request may be sent again after an unclear failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Safety {
    /// Queries and absolute-value updates: retried on transient failures.
    Idempotent,
    /// Creates and job starts: retried only when the request surely never ran (connection
    /// refused, 429, validation); an unclear failure goes back to the caller, which looks up
    /// by natural key before creating again.
    NotIdempotent,
}

/// A GraphQL reply: data and errors as the server sent them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reply {
    /// `data` (may be null when a non-null field failed).
    pub data: Option<serde_json::Value>,
    /// `errors`, with their paths.
    pub errors: Vec<GraphQlError>,
}

/// A failed attempt, whether the server surely did not run it, and how long the server asked
/// us to wait before trying again (`Retry-After` on a 429 or 503).
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub error: MediaServerError,
    pub not_applied: bool,
    pub retry_after: Option<Duration>,
}

/// `Retry-After` in its delay-seconds form; the HTTP-date form (rare for 429/503 from a
/// proxy in front of Stash) is ignored and the backoff applies.
fn retry_after_of(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The delay before the next attempt: the backoff's, raised to the server's `Retry-After`
/// but never above the policy's largest single delay, and never beyond what is left of the
/// total budget (`None` = give up).
fn next_delay(
    policy: &RetryPolicy,
    planned: Option<Duration>,
    retry_after: Option<Duration>,
    slept: Duration,
) -> Option<Duration> {
    let planned = planned?;
    let wanted = match retry_after {
        Some(asked) => planned.max(asked.min(policy.max_delay)),
        None => planned,
    };
    let left = policy.max_total_delay.saturating_sub(slept);
    if left.is_zero() {
        return None;
    }
    Some(wanted.min(left))
}

#[derive(Deserialize)]
struct WireReply {
    data: Option<serde_json::Value>,
    #[serde(default)]
    errors: Option<Vec<WireError>>,
}

#[derive(Deserialize)]
struct WireError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    path: Option<Vec<serde_json::Value>>,
}

impl From<WireError> for GraphQlError {
    fn from(e: WireError) -> Self {
        GraphQlError {
            message: e.message,
            path: e
                .path
                .unwrap_or_default()
                .into_iter()
                .map(|p| match p {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                })
                .collect(),
        }
    }
}

/// The endpoint with user info and query removed: safe to log.
fn shown_url(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    // Both calls only fail on URLs that cannot carry credentials; nothing to redact then.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.to_string()
}

/// Builds `<base>/graphql` from a base URL that may carry a path prefix.
pub(crate) fn graphql_endpoint(base: &str) -> Result<reqwest::Url, MediaServerError> {
    let trimmed = base.trim().trim_end_matches('/');
    let trimmed = trimmed.strip_suffix("/graphql").unwrap_or(trimmed);
    let url = reqwest::Url::parse(&format!("{trimmed}/graphql")).map_err(|e| {
        MediaServerError::Unsupported(format!(
            "the Stash URL '{base}' is not a valid URL ({e}): give it as http://host:9999 or https://host/prefix"
        ))
    })?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(MediaServerError::Unsupported(format!(
            "the Stash URL '{base}' must start with http:// or https://"
        )));
    }
    Ok(url)
}

/// The HTTP client of one Stash server.
pub(crate) struct Transport {
    http: reqwest::Client,
    endpoint: reqwest::Url,
    shown: String,
    api_key: Option<ApiKey>,
    request_timeout: Duration,
    retry: RetryPolicy,
    counters: Counters,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("endpoint", &self.shown)
            .field("api_key", &self.api_key)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// A client for `config` (no request is made).
    pub(crate) fn new(config: &StashConfig) -> Result<Self, MediaServerError> {
        let endpoint = graphql_endpoint(&config.url)?;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(cookie) = &config.session_cookie {
            let mut value = HeaderValue::from_str(&cookie.header_value()).map_err(|_| {
                MediaServerError::Unsupported(
                    "the session cookie Stash gave this plugin contains characters that cannot be sent in a header: log in to Stash again and re-run the task".into(),
                )
            })?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::COOKIE, value);
        } else if let Some(key) = &config.api_key {
            let mut value = HeaderValue::from_str(key.expose()).map_err(|_| {
                MediaServerError::Unsupported(
                    "the Stash API key contains characters that cannot be sent in a header: copy it again from Stash under Settings > Security".into(),
                )
            })?;
            value.set_sensitive(true);
            headers.insert("ApiKey", value);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .use_rustls_tls()
            .build()
            .map_err(|e| MediaServerError::Connection {
                url: shown_url(&endpoint),
                message: format!("cannot set up the HTTP client: {e}"),
            })?;
        Ok(Self {
            shown: shown_url(&endpoint),
            http,
            endpoint,
            api_key: config.api_key.clone(),
            request_timeout: config.request_timeout,
            retry: config.retry.clone(),
            counters: Counters::default(),
        })
    }

    /// The endpoint, safe to show.
    pub(crate) fn shown_url(&self) -> &str {
        &self.shown
    }

    /// The request counters.
    pub(crate) fn counters(&self) -> &Counters {
        &self.counters
    }

    /// One HTTP request, no retry.
    async fn attempt(&self, operation: &str, body: &serde_json::Value) -> Result<Reply, Failure> {
        self.counters.record(operation);
        let sent = self
            .http
            .post(self.endpoint.clone())
            .json(body)
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => return Err(self.transport_failure(operation, &e)),
        };
        let status = response.status().as_u16();
        let retry_after = match status {
            429 | 503 => retry_after_of(response.headers()),
            _ => None,
        };
        let text = match response.text().await {
            Ok(t) => t,
            Err(e) => return Err(self.transport_failure(operation, &e)),
        };
        if let Some(mut failure) = self.status_failure(status, &text) {
            failure.retry_after = retry_after;
            return Err(failure);
        }
        let wire: WireReply = serde_json::from_str(&text).map_err(|e| Failure {
            error: MediaServerError::Decode {
                operation: operation.to_owned(),
                message: format!(
                    "the answer is not a GraphQL response ({e}): {}",
                    excerpt(&text)
                ),
            },
            not_applied: false,
            retry_after: None,
        })?;
        Ok(Reply {
            data: wire.data.filter(|d| !d.is_null()),
            errors: wire
                .errors
                .unwrap_or_default()
                .into_iter()
                .map(GraphQlError::from)
                .collect(),
        })
    }

    fn transport_failure(&self, operation: &str, e: &reqwest::Error) -> Failure {
        if e.is_timeout() {
            Failure {
                error: MediaServerError::Timeout {
                    operation: operation.to_owned(),
                    after: self.request_timeout,
                },
                not_applied: false,
                retry_after: None,
            }
        } else {
            // Strip the URL from reqwest's message: we show our own, redacted one.
            let e_no_url = format!("{}", WithoutUrl(e));
            Failure {
                error: MediaServerError::Connection {
                    url: self.shown.clone(),
                    message: e_no_url,
                },
                not_applied: e.is_connect(),
                retry_after: None,
            }
        }
    }

    fn status_failure(&self, status: u16, body: &str) -> Option<Failure> {
        let (error, not_applied) = match status {
            200..=299 => return None,
            401 => (MediaServerError::Unauthorized, true),
            403 => (MediaServerError::Forbidden, true),
            400 | 422 => (
                MediaServerError::Validation {
                    status,
                    messages: error_messages(body),
                },
                true,
            ),
            404 | 405 => (
                MediaServerError::Connection {
                    url: self.shown.clone(),
                    message: format!(
                        "no Stash GraphQL endpoint there (HTTP {status}): check the base URL and any reverse-proxy path prefix"
                    ),
                },
                true,
            ),
            429 => (
                MediaServerError::Server {
                    status,
                    body: excerpt(body),
                },
                true,
            ),
            _ => (
                MediaServerError::Server {
                    status,
                    body: excerpt(body),
                },
                false,
            ),
        };
        Some(Failure {
            error,
            not_applied,
            retry_after: None,
        })
    }

    /// Sends a request, retrying per `safety`. GraphQL errors are returned in the reply, except
    /// [`MediaServerError::Busy`] on idempotent requests, which is retried first.
    pub(crate) async fn post(
        &self,
        operation: &str,
        body: &serde_json::Value,
        safety: Safety,
    ) -> Result<Reply, MediaServerError> {
        let span = tracing::debug_span!("stash_request", operation, url = %self.shown);
        let attempt = || async {
            let reply = self.attempt(operation, body).await?;
            if safety == Safety::Idempotent && !reply.errors.is_empty() {
                let error = crate::errors::from_graphql(reply.errors.clone());
                if error.is_transient() {
                    return Err(Failure {
                        error,
                        not_applied: false,
                        retry_after: None,
                    });
                }
            }
            Ok(reply)
        };
        let mut slept = Duration::ZERO;
        attempt
            .retry(self.retry.backoff())
            .adjust(|f: &Failure, planned: Option<Duration>| {
                let delay = next_delay(&self.retry, planned, f.retry_after, slept)?;
                slept += delay;
                Some(delay)
            })
            .when(|f: &Failure| match safety {
                Safety::Idempotent => f.error.is_transient(),
                Safety::NotIdempotent => f.not_applied && f.error.is_transient(),
            })
            .notify(|f: &Failure, after: Duration| {
                tracing::warn!(operation, error = %f.error, retry_in = ?after, retry_after = ?f.retry_after, "Stash request failed, retrying");
            })
            .instrument(span)
            .await
            .map_err(|f| f.error)
    }

    /// Sends a cynic operation and decodes its data; any GraphQL error fails the call.
    pub(crate) async fn run<Q, V>(
        &self,
        operation: cynic::Operation<Q, V>,
        safety: Safety,
    ) -> Result<Q, MediaServerError>
    where
        Q: DeserializeOwned,
        V: serde::Serialize,
    {
        let name = operation
            .operation_name
            .as_deref()
            .unwrap_or("anonymous")
            .to_owned();
        let body = serde_json::to_value(&operation).map_err(|e| MediaServerError::Decode {
            operation: name.clone(),
            message: format!("cannot encode the request: {e}"),
        })?;
        let reply = self.post(&name, &body, safety).await?;
        reply_data(&name, reply)
    }
}

/// The decoded data of a reply without errors.
pub(crate) fn reply_data<Q: DeserializeOwned>(
    name: &str,
    reply: Reply,
) -> Result<Q, MediaServerError> {
    if !reply.errors.is_empty() {
        return Err(crate::errors::from_graphql(reply.errors));
    }
    let data = reply.data.ok_or_else(|| MediaServerError::Decode {
        operation: name.to_owned(),
        message: "the answer has neither data nor errors".into(),
    })?;
    serde_json::from_value(data).map_err(|e| MediaServerError::Decode {
        operation: name.to_owned(),
        message: e.to_string(),
    })
}

/// The `errors[].message` of a 400/422 body, or the start of the body.
fn error_messages(body: &str) -> Vec<String> {
    match serde_json::from_str::<WireReply>(body) {
        Ok(w) => {
            let msgs: Vec<String> = w
                .errors
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.message)
                .collect();
            if msgs.is_empty() {
                vec![excerpt(body)]
            } else {
                msgs
            }
        }
        Err(_) if body.trim().is_empty() => vec!["(empty body)".into()],
        Err(_) => vec![excerpt(body)],
    }
}

/// The first 300 characters of a body.
fn excerpt(body: &str) -> String {
    let mut s: String = body.chars().take(300).collect();
    if body.chars().count() > 300 {
        s.push('…');
    }
    s
}

/// Displays a reqwest error with its source chain but without the URL.
struct WithoutUrl<'a>(&'a reqwest::Error);

impl std::fmt::Display for WithoutUrl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.0.is_connect() {
            "connection failed"
        } else if self.0.is_body() || self.0.is_decode() {
            "the connection broke while reading the answer"
        } else if self.0.is_request() {
            "the request could not be sent"
        } else {
            "transport error"
        };
        write!(f, "{kind}")?;
        let mut source = std::error::Error::source(self.0);
        while let Some(s) = source {
            write!(f, ": {s}")?;
            source = s.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_raises_the_delay_within_the_policy() {
        let policy = RetryPolicy {
            max_retries: 4,
            min_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            max_total_delay: Duration::from_secs(8),
        };
        let ms = Duration::from_millis;
        let secs = Duration::from_secs;
        // No header: the backoff's delay.
        assert_eq!(
            next_delay(&policy, Some(ms(100)), None, ms(0)),
            Some(ms(100))
        );
        // A header above the backoff wins.
        assert_eq!(
            next_delay(&policy, Some(ms(100)), Some(secs(2)), ms(0)),
            Some(secs(2))
        );
        // A header below the backoff does not shorten it.
        assert_eq!(
            next_delay(&policy, Some(ms(400)), Some(secs(0)), ms(0)),
            Some(ms(400))
        );
        // Capped by the largest single delay...
        assert_eq!(
            next_delay(&policy, Some(ms(100)), Some(secs(120)), ms(0)),
            Some(secs(5))
        );
        // ...and by what is left of the total budget.
        assert_eq!(
            next_delay(&policy, Some(ms(100)), Some(secs(4)), secs(6)),
            Some(secs(2))
        );
        assert_eq!(
            next_delay(&policy, Some(ms(100)), Some(secs(4)), secs(8)),
            None
        );
        // The backoff gave up: so do we.
        assert_eq!(next_delay(&policy, None, Some(secs(1)), ms(0)), None);
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after_of(&h), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static(" 3 "));
        assert_eq!(retry_after_of(&h), Some(Duration::from_secs(3)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after_of(&h), None);
    }

    #[test]
    fn the_endpoint_keeps_a_proxy_prefix() {
        assert_eq!(
            graphql_endpoint("https://example.org/stash/")
                .unwrap()
                .as_str(),
            "https://example.org/stash/graphql"
        );
        assert_eq!(
            graphql_endpoint("http://localhost:9999").unwrap().as_str(),
            "http://localhost:9999/graphql"
        );
        assert_eq!(
            graphql_endpoint("http://localhost:9999/graphql")
                .unwrap()
                .as_str(),
            "http://localhost:9999/graphql"
        );
        assert!(graphql_endpoint("ftp://x").is_err());
        assert!(graphql_endpoint("not a url").is_err());
    }

    #[test]
    fn logged_urls_carry_no_credentials() {
        let url = reqwest::Url::parse("http://user:pw@host/graphql?apikey=k").unwrap();
        let shown = shown_url(&url);
        assert!(
            !shown.contains("pw") && !shown.contains("apikey"),
            "{shown}"
        );
    }

    #[test]
    fn validation_bodies_yield_the_server_messages() {
        let body = r#"{"errors":[{"message":"Cannot query field \"x\" on type \"Query\".","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}],"data":null}"#;
        assert_eq!(
            error_messages(body),
            vec!["Cannot query field \"x\" on type \"Query\".".to_owned()]
        );
        assert_eq!(error_messages(""), vec!["(empty body)".to_owned()]);
    }
}
