//! Reading the recorded transcripts of a real Stash (`../shared/stash-observed/`): each
//! `### request` block (request line, headers, body) and the `### response` block that follows
//! it (status line, headers, body), with the `#` comment lines written above the request.
//!
//! One narrated form is an exchange too: a line `## the plugin then POSTed <query> with header
//! <Name>: <value>; the answer:` followed by the JSON body of the 200 answer
//! (`r_plugin_raw_task`, where a plugin process made the request). Anything else (`## ...`
//! narrative, `### stash.log ...` notes and their lines) is kept out of the exchanges: it
//! describes what happened, it is not something to replay.

use std::path::Path;

/// One recorded request.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, e.g. `/graphql?apikey=<API_KEY>`.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// What the real server answered.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// A header the transcript lists (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

impl Request {
    /// A header the transcript lists (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A request and its answer.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The `#` lines written just above the request (what the case is).
    pub notes: Vec<String>,
    pub request: Request,
    pub response: Response,
    /// 1-based line of `### request`, for messages.
    pub line: usize,
}

/// A transcript file, parsed.
#[derive(Debug, Clone)]
pub struct Transcript {
    /// `v0.30.1/a_unknown_field.txt`.
    pub name: String,
    pub exchanges: Vec<Exchange>,
}

#[derive(Debug, PartialEq)]
enum Block {
    /// Between exchanges: comments, narrative, notes.
    Outside,
    Request,
    Response,
    /// A `### something else` section (e.g. log lines): skipped.
    Note,
}

fn is_header_line(line: &str) -> Option<(String, String)> {
    let (name, value) = line.split_once(':')?;
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && name.starts_with(|c: char| c.is_ascii_alphabetic());
    valid.then(|| (name.to_owned(), value.trim().to_owned()))
}

type Pending = Option<(Request, usize, Vec<String>)>;

/// Completes the exchange in progress, if both halves were read.
fn finish_exchange(
    exchanges: &mut Vec<Exchange>,
    request: &mut Pending,
    response: &mut Option<Response>,
) {
    if let (Some((req, line, notes)), Some(mut resp)) = (request.take(), response.take()) {
        resp.body = resp.body.trim().to_owned();
        exchanges.push(Exchange {
            notes,
            request: Request {
                body: req.body.trim().to_owned(),
                ..req
            },
            response: resp,
            line,
        });
    }
}

/// Parses a transcript; `name` is how messages refer to it.
pub fn parse(name: &str, text: &str) -> Result<Transcript, String> {
    let mut exchanges = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut block = Block::Outside;
    let mut request: Pending = None;
    let mut response: Option<Response> = None;
    // Where we are inside a request/response block: start line seen, headers done.
    let mut started = false;
    let mut in_body = false;

    let lines: Vec<&str> = text.lines().collect();
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim_end_matches('\r');
        let n = i + 1;
        if block != Block::Request
            && let Some(narrated) = narrated(line, lines.get(i + 1).copied(), n, &notes)
        {
            if block == Block::Response {
                finish_exchange(&mut exchanges, &mut request, &mut response);
            }
            block = Block::Outside;
            exchanges.push(narrated);
            notes.clear();
            continue;
        }
        if line == "### request" {
            if block == Block::Request {
                return Err(format!("{name}:{n}: a request without a response"));
            }
            finish_exchange(&mut exchanges, &mut request, &mut response);
            request = Some((
                Request {
                    method: String::new(),
                    target: String::new(),
                    headers: Vec::new(),
                    body: String::new(),
                },
                n,
                std::mem::take(&mut notes),
            ));
            block = Block::Request;
            started = false;
            in_body = false;
            continue;
        }
        if line == "### response" {
            if block != Block::Request {
                return Err(format!("{name}:{n}: a response without a request"));
            }
            response = Some(Response {
                status: 0,
                headers: Vec::new(),
                body: String::new(),
            });
            block = Block::Response;
            started = false;
            in_body = false;
            continue;
        }
        if line.starts_with('#') {
            // A comment, narrative, or another section: the exchange (if any) is complete.
            if block == Block::Request {
                return Err(format!("{name}:{n}: request interrupted by '{line}'"));
            }
            if block == Block::Response {
                finish_exchange(&mut exchanges, &mut request, &mut response);
            }
            block = if line.starts_with("### ") {
                Block::Note
            } else {
                Block::Outside
            };
            if let Some(note) = line.strip_prefix("# ") {
                notes.push(note.to_owned());
            }
            continue;
        }
        match block {
            Block::Outside | Block::Note => {}
            Block::Request => {
                let Some((req, ..)) = request.as_mut() else {
                    continue;
                };
                if !started {
                    let (method, target) = line
                        .split_once(' ')
                        .ok_or_else(|| format!("{name}:{n}: bad request line '{line}'"))?;
                    req.method = method.to_owned();
                    req.target = target.to_owned();
                    started = true;
                } else if !in_body && let Some(h) = is_header_line(line) {
                    req.headers.push(h);
                } else if !in_body && line.is_empty() {
                    in_body = true;
                } else {
                    in_body = true;
                    req.body.push_str(line);
                    req.body.push('\n');
                }
            }
            Block::Response => {
                let Some(resp) = response.as_mut() else {
                    continue;
                };
                if !started {
                    let status = line
                        .split_whitespace()
                        .nth(1)
                        .and_then(|s| s.parse().ok())
                        .ok_or_else(|| format!("{name}:{n}: bad status line '{line}'"))?;
                    resp.status = status;
                    started = true;
                } else if !in_body && let Some(h) = is_header_line(line) {
                    resp.headers.push(h);
                } else if !in_body && line.is_empty() {
                    in_body = true;
                } else {
                    in_body = true;
                    resp.body.push_str(line);
                    resp.body.push('\n');
                }
            }
        }
    }
    if block == Block::Request {
        return Err(format!("{name}: ends inside a request"));
    }
    finish_exchange(&mut exchanges, &mut request, &mut response);
    Ok(Transcript {
        name: name.to_owned(),
        exchanges,
    })
}

/// `## the plugin then POSTed <query> with header <Name>: <value>; the answer:` + body line.
fn narrated(line: &str, next: Option<&str>, n: usize, notes: &[String]) -> Option<Exchange> {
    let rest = line.strip_prefix("## ")?;
    let (_, rest) = rest.split_once(" POSTed ")?;
    let (query, rest) = rest.split_once(" with header ")?;
    let header = rest.strip_suffix("; the answer:")?;
    let (name, value) = header.split_once(':')?;
    let body = next?.trim();
    Some(Exchange {
        notes: notes.to_vec(),
        request: Request {
            method: "POST".into(),
            target: "/graphql".into(),
            headers: vec![(name.trim().to_owned(), value.trim().to_owned())],
            body: serde_json::json!({ "query": query.trim() }).to_string(),
        },
        response: Response {
            status: 200,
            headers: Vec::new(),
            body: body.to_owned(),
        },
        line: n,
    })
}

/// Every transcript under `dir` (`<version>/<case>.txt`), sorted by name.
pub fn load_all(dir: &Path) -> Vec<Transcript> {
    let mut names = Vec::new();
    for version in std::fs::read_dir(dir).expect("the stash-observed folder") {
        let version = version.expect("a directory entry");
        if !version.path().is_dir() {
            continue;
        }
        for file in std::fs::read_dir(version.path()).expect("a version folder") {
            let path = file.expect("a directory entry").path();
            if path.extension().is_some_and(|e| e == "txt") {
                names.push(path);
            }
        }
    }
    names.sort();
    names
        .iter()
        .map(|p| {
            let rel = p
                .strip_prefix(dir)
                .expect("under the folder")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(p).expect("a readable transcript");
            parse(&rel, &text).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# a: what it is\n### request\nPOST /graphql?apikey=k\nContent-Type: application/json\nAccept: */*\n{\"query\": \"{ a }\"}\n### response\nHTTP/1.1 400 Bad Request\r\nContent-Type: application/graphql-response+json\r\n\r\n{\"data\":null}\n\n\n# second\n### request\nPOST /graphql\n{\"query\":\"{ b }\"}\n### response\nHTTP/1.1 401 Unauthorized\nWww-Authenticate: FormBased\nContent-Length: 0\n\n\n### stash.log lines\nWARN[x] something\n### request\nPOST /graphql\n{}\n### response\nHTTP/1.1 200 OK\n{\"data\":{}}\n## narrative\n{\"not\": \"a body\"}\n";

    #[test]
    fn parses_requests_responses_notes_and_skips_sections() {
        let t = parse("x.txt", SAMPLE).unwrap();
        assert_eq!(t.exchanges.len(), 3);
        let a = &t.exchanges[0];
        assert_eq!(a.notes, ["a: what it is"]);
        assert_eq!(
            (a.request.method.as_str(), a.request.target.as_str()),
            ("POST", "/graphql?apikey=k")
        );
        assert_eq!(a.request.header("accept"), Some("*/*"));
        assert_eq!(a.request.body, "{\"query\": \"{ a }\"}");
        assert_eq!(a.response.status, 400);
        assert_eq!(
            a.response.header("content-type"),
            Some("application/graphql-response+json")
        );
        assert_eq!(a.response.body, "{\"data\":null}");
        let b = &t.exchanges[1];
        assert_eq!(b.notes, ["second"]);
        assert_eq!(b.response.status, 401);
        assert_eq!(b.response.body, "");
        assert_eq!(b.response.header("Www-Authenticate"), Some("FormBased"));
        assert_eq!(t.exchanges[2].response.body, "{\"data\":{}}");
    }

    #[test]
    fn a_narrated_plugin_request_is_an_exchange() {
        let text = "# r: a plugin\n## what it read\n{\"a\": 1}\n## the plugin then POSTed { configuration { plugins(include: [\"x\"]) } } with header Cookie: session=<value>; the answer:\n{\"data\":{\"configuration\":{\"plugins\":{}}}}\n## more narrative\n";
        let t = parse("r.txt", text).unwrap();
        assert_eq!(t.exchanges.len(), 1);
        let ex = &t.exchanges[0];
        assert_eq!(ex.request.header("cookie"), Some("session=<value>"));
        assert_eq!(
            ex.request.body,
            r#"{"query":"{ configuration { plugins(include: [\"x\"]) } }"}"#
        );
        assert_eq!(ex.response.status, 200);
        assert_eq!(
            ex.response.body,
            r#"{"data":{"configuration":{"plugins":{}}}}"#
        );
    }

    #[test]
    fn a_request_without_a_response_is_an_error() {
        assert!(parse("x.txt", "### request\nPOST /graphql\n{}\n# oops\n").is_err());
        assert!(parse("x.txt", "### response\nHTTP/1.1 200 OK\n").is_err());
    }
}
