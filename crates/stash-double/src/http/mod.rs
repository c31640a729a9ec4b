//! The HTTP face of the double: `POST {prefix}/graphql` with Stash's auth (the `ApiKey`
//! header or `?apikey=`, or the `session` cookie of a logged-in user, which Stash also hands
//! to plugin processes), latency, fault injection and counting; `GET /healthz` before auth.

pub(crate) mod listener;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use tracing::{Instrument, debug, info_span};

use crate::faults::Fault;
use crate::graphql::{self, EarlyReply};
use crate::model::jobs::JobOutcome;
use crate::server::Shared;
use listener::ConnHandle;

/// Builds the router for a double.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let prefix = shared.cfg.path_prefix.trim_end_matches('/').to_owned();
    let mut router = Router::new()
        .route(&format!("{prefix}/graphql"), post(graphql_endpoint))
        .route("/healthz", get(healthz));
    if !prefix.is_empty() {
        router = router.route(&format!("{prefix}/healthz"), get(healthz));
    }
    router.with_state(shared)
}

async fn healthz() -> &'static str {
    "."
}

fn unauthorized() -> Response {
    let mut r = StatusCode::UNAUTHORIZED.into_response();
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("FormBased"),
    );
    r
}

fn json_response(status: u16, graphql_response: bool, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = if graphql_response {
        "application/graphql-response+json"
    } else {
        "application/json"
    };
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

fn provided_key(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    if let Some(v) = headers.get("ApiKey") {
        return Some(v.to_str().unwrap_or_default().to_owned());
    }
    query?
        .split('&')
        .find_map(|kv| kv.strip_prefix("apikey="))
        .map(str::to_owned)
}

/// The value of the `session` cookie, if the request carries one.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == "session").then(|| value.to_owned())
        })
}

fn authorized(expected: Option<&str>, provided: Option<&str>) -> bool {
    match (expected, provided) {
        (Some(k), Some(p)) => k == p,
        (Some(_), None) => false,
        (None, Some(p)) => p.is_empty(),
        (None, None) => true,
    }
}

/// What an injected fault does to a request: answer it right away, or let it run (maybe as
/// if the database were locked, maybe answering late).
enum FaultEffect {
    Reply(Response),
    Go {
        db_locked: bool,
        answer_after: Option<std::time::Duration>,
    },
}

async fn apply_fault(shared: &Shared, conn: &ConnHandle, fault: Option<Fault>) -> FaultEffect {
    let (mut db_locked, mut answer_after) = (false, None);
    match fault {
        None => {}
        Some(Fault::Http500) => {
            return FaultEffect::Reply(
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response(),
            );
        }
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return FaultEffect::Reply(
                (status, status.canonical_reason().unwrap_or("error")).into_response(),
            );
        }
        Some(Fault::StatusWithRetryAfter(code, seconds)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return FaultEffect::Reply(
                (
                    status,
                    [(header::RETRY_AFTER, seconds.to_string())],
                    status.canonical_reason().unwrap_or("error"),
                )
                    .into_response(),
            );
        }
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(Fault::SlowAnswer(d)) => answer_after = Some(d),
        Some(Fault::DropConnection) => {
            conn.kill();
            return FaultEffect::Reply(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
        Some(Fault::DatabaseLocked) => db_locked = true,
        Some(Fault::FailNextJob(message)) => {
            shared
                .state()
                .jobs
                .armed_outcomes
                .push_back(JobOutcome::Fail(message));
        }
        Some(Fault::CancelNextJob) => {
            shared
                .state()
                .jobs
                .armed_outcomes
                .push_back(JobOutcome::Cancel);
        }
    }
    FaultEffect::Go {
        db_locked,
        answer_after,
    }
}

async fn graphql_endpoint(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(conn): ConnectInfo<ConnHandle>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.counters().http_requests += 1;
    let key = provided_key(&headers, query.as_deref());
    let has_session = session_cookie(&headers).is_some_and(|v| shared.has_session(&v));
    if !has_session && !authorized(shared.cfg.api_key.as_deref(), key.as_deref()) {
        debug!("rejected request: wrong or unexpected API key");
        return unauthorized();
    }
    if !shared.cfg.latency_per_request.is_zero() {
        tokio::time::sleep(shared.cfg.latency_per_request).await;
    }
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let prepared = match graphql::prepare(&shared.schema, &shared.cfg, &body, accept) {
        Ok(p) => p,
        Err(EarlyReply {
            status,
            graphql_response_content_type,
            body,
        }) => {
            return json_response(status, graphql_response_content_type, &body);
        }
    };
    let span = info_span!(
        "graphql_request",
        operation = prepared.operation_name.as_deref().unwrap_or("<anonymous>"),
        fields = %prepared.root_fields.join(","),
        remote = %conn.remote,
    );
    async move {
        shared.counters().record_document(
            prepared.operation_name.as_deref(),
            prepared.is_mutation,
            &prepared.root_fields,
        );
        let (db_locked, answer_after) = match apply_fault(
            &shared,
            &conn,
            shared.faults.take_for(&prepared.root_fields),
        )
        .await
        {
            FaultEffect::Reply(response) => return response,
            FaultEffect::Go {
                db_locked,
                answer_after,
            } => (db_locked, answer_after),
        };
        let executed = if prepared.is_mutation {
            let _writer = shared.writer.lock().await;
            let executed = shared.execute(&prepared, db_locked);
            let cost = shared.cfg.cost_per_written_object;
            if !cost.is_zero() && executed.writes > 0 {
                tokio::time::sleep(
                    cost.saturating_mul(u32::try_from(executed.writes).unwrap_or(u32::MAX)),
                )
                .await;
            }
            executed
        } else {
            shared.execute(&prepared, db_locked)
        };
        shared.counters().written_objects += executed.writes;
        for job in executed.queued_jobs {
            let _ = shared.jobs_tx.send(job);
        }
        if let Some(d) = answer_after {
            tokio::time::sleep(d).await;
        }
        let graphql_response = graphql::graphql_response_type(&shared.cfg, accept);
        json_response(200, graphql_response, &executed.body)
    }
    .instrument(span)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; session=abc123"),
        );
        assert_eq!(session_cookie(&h).as_deref(), Some("abc123"));
        assert_eq!(session_cookie(&HeaderMap::new()), None);
    }

    #[test]
    fn auth_rules() {
        assert!(authorized(None, None));
        assert!(!authorized(None, Some("x")));
        assert!(authorized(Some("k"), Some("k")));
        assert!(!authorized(Some("k"), Some("K")));
        assert!(!authorized(Some("k"), None));
    }
}
