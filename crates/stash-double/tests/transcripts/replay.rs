//! Replaying recorded exchanges against a running double and comparing its answers with the
//! real server's: status code, the headers a client acts on (`Content-Type`,
//! `Www-Authenticate`) and the body as JSON.
//!
//! What may differ, and nothing else:
//! - object ids (the real server held other objects): an id the transcript shows is mapped to
//!   the double's on first sight (under an `id` key or as a `metadataScan` job id), must map
//!   the same way everywhere after, and is rewritten in later requests;
//! - timestamps (`startTime`, `endTime`, `addTime`, `created_at`, `updated_at`): any RFC 3339
//!   time matches any other (`null` still only matches `null`);
//! - a job's `progress` while or after it ran: any number matches any number (`null` only
//!   `null`), since how far a scan got depends on timing;
//! - `<API_KEY>` in a transcript stands for the key the double is configured with.
//!
//! Error texts are compared exactly.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;
use stash_double::StashDouble;

use crate::transcript::{Exchange, Transcript};

/// The key the double runs with where a transcript shows `<API_KEY>`.
pub const API_KEY: &str = "conformance-test-key";

const TIME_KEYS: &[&str] = &[
    "startTime",
    "endTime",
    "addTime",
    "created_at",
    "updated_at",
];

/// Transcript ids to the double's ids, one to one.
#[derive(Debug, Default)]
pub struct IdMap {
    to_double: BTreeMap<String, String>,
}

impl IdMap {
    /// Records (or checks) that transcript id `t` is the double's `d`. Equal ids need no
    /// record (the same number may name objects of several kinds).
    pub fn unify(&mut self, t: &str, d: &str) -> Result<(), String> {
        match self.to_double.get(t) {
            None if t == d => Ok(()),
            Some(known) if known == d => Ok(()),
            Some(known) => Err(format!(
                "transcript id {t} is the double's {known} elsewhere, here {d}"
            )),
            None => {
                if let Some((other, _)) = self.to_double.iter().find(|(_, v)| *v == d) {
                    return Err(format!(
                        "the double's id {d} already stands for transcript id {other}, here {t}"
                    ));
                }
                self.to_double.insert(t.to_owned(), d.to_owned());
                Ok(())
            }
        }
    }

    /// The double's id for a transcript id, when one was learned.
    pub fn get(&self, t: &str) -> Option<&str> {
        self.to_double.get(t).map(String::as_str)
    }

    /// Rewrites quoted ids (`"58"` in JSON, `\"58\"` inside a query string) the map knows.
    pub fn rewrite(&self, body: &str) -> String {
        let re = regex::Regex::new(r#"(\\?")([0-9]+)(\\?")"#).expect("a valid regex");
        re.replace_all(body, |c: &regex::Captures<'_>| {
            let id = &c[2];
            match self.get(id) {
                Some(d) => format!("{}{d}{}", &c[1], &c[3]),
                None => c[0].to_owned(),
            }
        })
        .into_owned()
    }
}

fn is_id_key(key: &str) -> bool {
    key == "id" || key == "metadataScan"
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_time(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

/// Compares a recorded JSON value with the double's, noting every difference in `out`.
pub fn compare(
    expected: &Value,
    actual: &Value,
    key: &str,
    path: &str,
    ids: &mut IdMap,
    out: &mut Vec<String>,
) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    Some(av) => compare(ev, av, k, &p, ids, out),
                    None => out.push(format!("{p}: missing (expected {ev})")),
                }
            }
            for k in a.keys().filter(|k| !e.contains_key(*k)) {
                out.push(format!("{path}.{k}: not expected (got {})", a[k]));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                out.push(format!(
                    "{path}: {} items expected, got {}: expected {expected}, got {actual}",
                    e.len(),
                    a.len()
                ));
                return;
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                compare(ev, av, key, &format!("{path}[{i}]"), ids, out);
            }
        }
        (Value::String(e), Value::String(a)) if is_id_key(key) && is_digits(e) && is_digits(a) => {
            if let Err(msg) = ids.unify(e, a) {
                out.push(format!("{path}: {msg}"));
            }
        }
        (Value::String(e), Value::String(a)) if TIME_KEYS.contains(&key) => {
            if !(is_time(e) && is_time(a)) {
                out.push(format!("{path}: expected a time like {e:?}, got {a:?}"));
            }
        }
        (Value::Number(_), Value::Number(_)) if key == "progress" => {}
        (Value::Number(e), Value::Number(a)) => {
            if e.as_f64() != a.as_f64() {
                out.push(format!("{path}: expected {e}, got {a}"));
            }
        }
        (e, a) => {
            if e != a {
                out.push(format!("{path}: expected {e}, got {a}"));
            }
        }
    }
}

/// What the double answered to one request.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub www_authenticate: Option<String>,
    pub body: String,
}

/// A double being replayed against, with its id map.
pub struct Replay {
    pub double: StashDouble,
    pub http: reqwest::Client,
    pub lib: tempfile::TempDir,
    pub ids: IdMap,
    /// The `session` cookie value a case logged in for (stands for `<value>`).
    pub session: Option<String>,
}

fn mime(v: &str) -> String {
    v.split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

impl Replay {
    /// Sends one recorded request (ids rewritten, `<API_KEY>` substituted).
    pub async fn send(&self, exchange: &Exchange) -> Answer {
        let req = &exchange.request;
        let target = req.target.replace("<API_KEY>", API_KEY);
        let url = format!("http://{}{target}", self.double.addr());
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).expect("a method");
        let mut builder = self.http.request(method, url);
        let mut has_content_type = false;
        for (name, value) in &req.headers {
            if name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("host") {
                continue;
            }
            has_content_type |= name.eq_ignore_ascii_case("content-type");
            let mut value = value.replace("<API_KEY>", API_KEY);
            if let Some(session) = &self.session {
                value = value.replace("session=<value>", &format!("session={session}"));
            }
            builder = builder.header(name.as_str(), value);
        }
        if !has_content_type {
            // The transcripts list only the headers that matter; every client posts JSON.
            builder = builder.header("Content-Type", "application/json");
        }
        let response = builder
            .body(self.ids.rewrite(&req.body))
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .expect("the double answers");
        let header = |n: &str| {
            response
                .headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header("content-type");
        let www_authenticate = header("www-authenticate");
        let status = response.status().as_u16();
        let body = response.text().await.expect("a body");
        Answer {
            status,
            content_type,
            www_authenticate,
            body,
        }
    }

    /// Replays one exchange; the differences from the recording (empty: it matched).
    pub async fn check(&mut self, exchange: &Exchange) -> Vec<String> {
        let answer = self.send(exchange).await;
        let expected = &exchange.response;
        let mut out = Vec::new();
        if answer.status != expected.status {
            out.push(format!(
                "status: expected {}, got {} (body {})",
                expected.status, answer.status, answer.body
            ));
        }
        if let Some(ct) = expected.header("content-type")
            && answer.content_type.as_deref().map(mime) != Some(mime(ct))
        {
            out.push(format!(
                "Content-Type: expected {ct}, got {:?}",
                answer.content_type
            ));
        }
        if let Some(w) = expected.header("www-authenticate")
            && answer.www_authenticate.as_deref() != Some(w)
        {
            out.push(format!(
                "Www-Authenticate: expected {w}, got {:?}",
                answer.www_authenticate
            ));
        }
        if expected.body.is_empty() {
            if !answer.body.is_empty() {
                out.push(format!("body: expected none, got {}", answer.body));
            }
            return out;
        }
        let want: Value = match serde_json::from_str(&expected.body) {
            Ok(v) => v,
            Err(e) => {
                out.push(format!("the recorded body is not JSON ({e})"));
                return out;
            }
        };
        match serde_json::from_str::<Value>(&answer.body) {
            Ok(got) => compare(&want, &got, "", "body", &mut self.ids, &mut out),
            Err(_) => out.push(format!(
                "body: expected {}, got non-JSON {:?}",
                expected.body, answer.body
            )),
        }
        out
    }

    /// Runs a GraphQL document for setting up state (not part of the recording).
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        let mut request = self
            .http
            .post(self.double.graphql_url())
            .header("Accept", "application/json");
        if self.double.config().api_key.is_some() {
            request = request.header("ApiKey", API_KEY);
        }
        let response = request
            .json(&serde_json::json!({"query": query, "variables": variables}))
            .send()
            .await
            .expect("the double answers");
        let body: Value = response.json().await.expect("a JSON body");
        assert!(
            body.get("errors").is_none(),
            "setup request {query} failed: {body}"
        );
        body["data"].clone()
    }
}

/// The report of one transcript.
#[derive(Debug)]
pub struct FileReport {
    pub name: String,
    /// Per exchange: its line, its notes, and what differed.
    pub exchanges: Vec<(usize, Vec<String>, Vec<String>)>,
}

impl FileReport {
    pub fn matched(&self) -> usize {
        self.exchanges
            .iter()
            .filter(|(_, _, d)| d.is_empty())
            .count()
    }

    pub fn all_matched(&self) -> bool {
        self.matched() == self.exchanges.len()
    }

    pub fn render(&self) -> String {
        let mut s = format!(
            "{}: {}/{} exchanges match\n",
            self.name,
            self.matched(),
            self.exchanges.len()
        );
        for (line, notes, diffs) in &self.exchanges {
            if diffs.is_empty() {
                continue;
            }
            let what = notes.last().map(String::as_str).unwrap_or("");
            s.push_str(&format!("  line {line} ({what}):\n"));
            for d in diffs {
                s.push_str(&format!("    {d}\n"));
            }
        }
        s
    }
}

/// Replays every exchange of `t`, calling `before(index, replay)` ahead of each.
pub async fn replay_all<F>(t: &Transcript, replay: &mut Replay, mut before: F) -> FileReport
where
    F: FnMut(usize) -> Vec<crate::cases::Hook>,
{
    let mut report = FileReport {
        name: t.name.clone(),
        exchanges: Vec::new(),
    };
    for (i, ex) in t.exchanges.iter().enumerate() {
        let mut diffs = Vec::new();
        for hook in before(i) {
            if let Err(e) = hook.run(replay).await {
                diffs.push(e);
            }
        }
        diffs.extend(replay.check(ex).await);
        report.exchanges.push((ex.line, ex.notes.clone(), diffs));
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_map_one_to_one_and_rewrite_requests() {
        let mut ids = IdMap::default();
        ids.unify("1149", "1").unwrap();
        ids.unify("1149", "1").unwrap();
        assert!(ids.unify("1149", "2").is_err());
        assert!(ids.unify("7", "1").is_err());
        ids.unify("1", "1").unwrap();
        assert_eq!(ids.get("1"), None, "equal ids are not recorded");
        assert_eq!(
            ids.rewrite(r#"{"query":"{ g(id:\"1149\") }","v":{"id":"1149","n":"11490"}}"#),
            r#"{"query":"{ g(id:\"1\") }","v":{"id":"1","n":"11490"}}"#
        );
    }

    #[test]
    fn comparison_maps_ids_and_times_but_not_texts() {
        let mut ids = IdMap::default();
        let mut out = Vec::new();
        let want = json!({"data": {"a": {"id": "9", "endTime": "2026-12-02T02:46:50.8Z",
            "progress": 0.75, "title": "x"}}, "errors": [{"message": "m"}]});
        let got = json!({"errors": [{"message": "m"}], "data": {"a": {"id": "1",
            "endTime": "2025-01-01T00:00:00Z", "progress": 0.5, "title": "x"}}});
        compare(&want, &got, "", "body", &mut ids, &mut out);
        assert!(out.is_empty(), "{out:?}");
        let bad = json!({"errors": [{"message": "M"}], "data": {"a": {"id": "2",
            "endTime": null, "progress": null, "title": "x"}}});
        compare(&want, &bad, "", "body", &mut ids, &mut out);
        assert_eq!(out.len(), 4, "{out:?}");
    }
}
