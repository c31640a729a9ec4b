//! GraphQL over the in-memory state: request decoding, validation against the subset
//! schema (with Stash's status codes and message shapes), and execution.

pub(crate) mod args;
mod fields;
mod objects;
mod plugin_config;
mod root_mutation;
mod root_query;
pub mod schema;
mod suggest;
mod variables;

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use apollo_compiler::executable::{OperationType, Selection};
use apollo_compiler::resolvers::Execution;
use apollo_compiler::response::{JsonMap, JsonValue};
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};
use serde_json::{Value, json};

use crate::config::DoubleConfig;
use crate::model::{Id, State};
use objects::{Ctx, Node, Obj};

/// A reply that ends the request before execution.
#[derive(Debug)]
pub(crate) struct EarlyReply {
    pub status: u16,
    pub graphql_response_content_type: bool,
    pub body: Value,
}

/// A decoded, validated request.
pub(crate) struct Prepared {
    pub document: Valid<ExecutableDocument>,
    pub operation_name: Option<String>,
    pub is_mutation: bool,
    pub root_fields: Vec<String>,
    pub variables: JsonMap,
}

/// The result of executing a prepared request.
pub(crate) struct Executed {
    pub body: Value,
    pub writes: u64,
    pub queued_jobs: Vec<Id>,
}

/// Whether the answer is `application/graphql-response+json` (else `application/json`), as
/// gqlgen 0.17.73 (v0.29+) decides from `Accept`: the first part naming `*/*`,
/// `application/*` or `application/graphql-response+json` picks the new type, one naming
/// `application/json` the old; no `Accept` means `application/json`; parts naming neither are
/// skipped, and if none names either the new type wins. Before v0.29: always JSON.
pub(crate) fn graphql_response_type(cfg: &DoubleConfig, accept: Option<&str>) -> bool {
    if !cfg.negotiates_content_type() {
        return false;
    }
    let Some(accept) = accept.filter(|a| !a.is_empty()) else {
        return false;
    };
    for part in accept.split(',') {
        let media = part
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match media.as_str() {
            "*/*" | "application/*" | "application/graphql-response+json" => return true,
            "application/json" => return false,
            _ => {}
        }
    }
    true
}

/// Status and content type of a request refused before execution: 400 with
/// `application/graphql-response+json`, or 422 with `application/json`.
fn validation_status(cfg: &DoubleConfig, accept: Option<&str>) -> (u16, bool) {
    if graphql_response_type(cfg, accept) {
        (400, true)
    } else {
        (422, false)
    }
}

fn error_reply(cfg: &DoubleConfig, accept: Option<&str>, errors: Vec<Value>) -> EarlyReply {
    let (status, graphql_response_content_type) = validation_status(cfg, accept);
    EarlyReply {
        status,
        graphql_response_content_type,
        body: json!({"errors": errors, "data": null}),
    }
}

fn with_code(mut e: Value, code: &str) -> Value {
    if let Some(m) = e.as_object_mut() {
        m.insert("extensions".into(), json!({"code": code}));
    }
    e
}

/// One validation error as gqlparser words it (its hint, its location).
fn validation_error(
    schema: &Valid<Schema>,
    query: &str,
    d: &apollo_compiler::diagnostic::Diagnostic<'_, apollo_compiler::validation::DiagnosticData>,
) -> Value {
    let mut e = serde_json::to_value(d.unstable_to_json_compat()).unwrap_or_default();
    if let Some(Value::String(m)) = e.get_mut("message") {
        *m = suggest::with_hint(schema, m);
    }
    suggest::point_at_field_name(query, &mut e);
    with_code(e, "GRAPHQL_VALIDATION_FAILED")
}

/// Decodes and validates a request body.
pub(crate) fn prepare(
    schema: &Valid<Schema>,
    cfg: &DoubleConfig,
    body: &[u8],
    accept: Option<&str>,
) -> Result<Prepared, EarlyReply> {
    let request: Value = serde_json::from_slice(body).map_err(|e| EarlyReply {
        status: 400,
        graphql_response_content_type: graphql_response_type(cfg, accept),
        body: json!({"errors": [{"message": format!("json request body could not be decoded: {e} body:{}", String::from_utf8_lossy(body))}], "data": null}),
    })?;
    let query = request
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if query.trim().is_empty() {
        return Err(error_reply(
            cfg,
            accept,
            vec![with_code(
                json!({"message": "no operation provided"}),
                "GRAPHQL_VALIDATION_FAILED",
            )],
        ));
    }
    let operation_name = request
        .get("operationName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let variables = match request.get("variables") {
        Some(Value::Object(m)) => m.clone(),
        _ => serde_json::Map::new(),
    };
    let document = ExecutableDocument::parse_and_validate(schema, query, "query.graphql")
        .map_err(|with_errors| invalid_document(cfg, accept, schema, query, &with_errors.errors))?;
    let operation = document
        .operations
        .get(operation_name.as_deref())
        .map_err(|e| {
            error_reply(
                cfg,
                accept,
                vec![with_code(
                    json!({"message": e.message().to_string()}),
                    "GRAPHQL_VALIDATION_FAILED",
                )],
            )
        })?;
    variables::validate(schema, operation, &variables).map_err(|e| {
        error_reply(
            cfg,
            accept,
            vec![with_code(
                json!({"message": e.message, "path": e.path}),
                "GRAPHQL_VALIDATION_FAILED",
            )],
        )
    })?;
    let mut root_fields = Vec::new();
    collect_root_fields(
        &document,
        &operation.selection_set.selections,
        &mut root_fields,
    );
    let is_mutation = operation.operation_type == OperationType::Mutation;
    let variables = match JsonValue::from(Value::Object(variables)) {
        JsonValue::Object(m) => m,
        _ => JsonMap::new(),
    };
    let name = operation.name.as_ref().map(|n| n.to_string());
    Ok(Prepared {
        operation_name: name,
        is_mutation,
        root_fields,
        variables,
        document,
    })
}

/// Stash's answer to a document that does not parse (`GRAPHQL_PARSE_FAILED`) or validate
/// (`GRAPHQL_VALIDATION_FAILED`).
/// The 422 (or 400) answer to a document that does not parse or validate, worded as Stash's.
fn invalid_document(
    cfg: &DoubleConfig,
    accept: Option<&str>,
    schema: &Valid<Schema>,
    query: &str,
    errors: &apollo_compiler::validation::DiagnosticList,
) -> EarlyReply {
    let diagnostics: Vec<_> = errors.iter().collect();
    let syntax: Vec<Value> = diagnostics
        .iter()
        .filter(|d| d.error.to_string().starts_with("syntax error"))
        .map(|d| {
            let mut e = serde_json::to_value(d.to_json()).unwrap_or_default();
            if let Some(msg) = e
                .get("message")
                .and_then(Value::as_str)
                .map(|m| m.trim_start_matches("syntax error: ").to_owned())
            {
                e["message"] = Value::String(msg);
            }
            with_code(e, "GRAPHQL_PARSE_FAILED")
        })
        .collect();
    if !syntax.is_empty() {
        return error_reply(cfg, accept, syntax);
    }
    let errors = diagnostics
        .iter()
        .map(|d| validation_error(schema, query, d))
        .collect();
    error_reply(cfg, accept, errors)
}

fn collect_root_fields(doc: &ExecutableDocument, selections: &[Selection], out: &mut Vec<String>) {
    for s in selections {
        match s {
            Selection::Field(f) if f.name != "__typename" => out.push(f.name.to_string()),
            Selection::Field(_) => {}
            Selection::InlineFragment(i) => {
                collect_root_fields(doc, &i.selection_set.selections, out)
            }
            Selection::FragmentSpread(fs) => {
                if let Some(frag) = doc.fragments.get(&fs.fragment_name) {
                    collect_root_fields(doc, &frag.selection_set.selections, out);
                }
            }
        }
    }
}

/// Executes a prepared request against `state` (taken out of its lock by the caller).
pub(crate) fn execute(
    schema: &Valid<Schema>,
    cfg: Arc<DoubleConfig>,
    prepared: &Prepared,
    state: &mut State,
    db_locked: bool,
) -> Executed {
    let ctx = Ctx {
        st: RefCell::new(std::mem::take(state)),
        cfg,
        writes: Cell::new(0),
        db_locked,
        queued_jobs: RefCell::new(Vec::new()),
    };
    let root = Obj::new(
        &ctx,
        if prepared.is_mutation {
            Node::Mutation
        } else {
            Node::Query
        },
    );
    let result = Execution::new(schema, &prepared.document)
        .operation_name(prepared.operation_name.as_deref())
        .and_then(|exec| {
            exec.raw_variable_values(&prepared.variables)
                .execute_sync(&root)
        });
    let body = match result {
        Ok(response) => {
            let mut v = serde_json::to_value(&response).unwrap_or_default();
            strip_locations(&mut v);
            v
        }
        Err(e) => json!({"errors": [{"message": e.message().to_string()}], "data": null}),
    };
    drop(root);
    *state = ctx.st.into_inner();
    Executed {
        body,
        writes: ctx.writes.get(),
        queued_jobs: ctx.queued_jobs.into_inner(),
    }
}

/// Stash's resolver errors carry `message` and `path` only.
fn strip_locations(v: &mut Value) {
    if let Some(errors) = v.get_mut("errors").and_then(Value::as_array_mut) {
        for e in errors {
            if let Some(m) = e.as_object_mut() {
                m.remove("locations");
                if let Some(Value::String(msg)) = m.get_mut("message")
                    && let Some(raw) = msg.strip_prefix("resolver error: ")
                {
                    *msg = raw.to_owned();
                }
            }
        }
    }
    if let Some(m) = v.as_object_mut() {
        m.entry("data").or_insert(Value::Null);
    }
}
