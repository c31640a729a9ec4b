//! Aliased documents: many copies of one cynic operation in a single request
//! (`op0: galleryCreate(input: $input0) { ... } op1: ...`), for runtime-sized batches that
//! Stash has no plural mutation or query for.
//!
//! The text of each copy is cut from the query cynic generated for the single operation, so
//! selections and variable types stay the compile-time-checked ones; each alias's result is
//! decoded back into the cynic type. Each alias runs in its own server transaction: results
//! and errors are mapped back per alias by the error's `path[0]`.

use domain::ports::{GraphQlError, MediaServerError};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::transport::Reply;

/// One operation as cynic generated it, cut into its parts.
#[derive(Debug, Clone)]
struct Template {
    /// `query` or `mutation`.
    kind: String,
    /// `(name, type)` of each variable.
    variables: Vec<(String, String)>,
    /// The root field's name (`galleryCreate`).
    root_field: String,
    /// The root selection, starting at the root field.
    body: String,
}

fn template_error(message: impl Into<String>) -> MediaServerError {
    MediaServerError::Decode {
        operation: "aliased document".into(),
        message: message.into(),
    }
}

impl Template {
    fn parse(query: &str) -> Result<Self, MediaServerError> {
        let query = query.trim();
        let open = query
            .find('{')
            .ok_or_else(|| template_error("no selection in the template"))?;
        let header = query[..open].trim();
        let kind = header
            .split_whitespace()
            .next()
            .ok_or_else(|| template_error("no operation kind in the template"))?
            .to_owned();
        let variables = match (header.find('('), header.rfind(')')) {
            (Some(l), Some(r)) if l < r => header[l + 1..r]
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|decl| {
                    let (name, ty) = decl
                        .split_once(':')
                        .ok_or_else(|| template_error(format!("bad variable '{decl}'")))?;
                    Ok((
                        name.trim().trim_start_matches('$').to_owned(),
                        ty.trim().to_owned(),
                    ))
                })
                .collect::<Result<Vec<_>, MediaServerError>>()?,
            _ => Vec::new(),
        };
        let close = query
            .rfind('}')
            .ok_or_else(|| template_error("unbalanced template"))?;
        let body = query[open + 1..close].trim().to_owned();
        let root_field: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if root_field.is_empty() {
            return Err(template_error("no root field in the template"));
        }
        Ok(Self {
            kind,
            variables,
            root_field,
            body,
        })
    }

    /// The body for alias `i`, with each `$var` renamed to `$var<i>`.
    fn instance(&self, i: usize) -> String {
        let mut text = format!("op{i}: {}", self.body);
        for (name, _) in &self.variables {
            text = rename_variable(&text, name, &format!("{name}{i}"));
        }
        text
    }
}

/// Replaces `$from` (as a whole variable name) by `$to`.
fn rename_variable(text: &str, from: &str, to: &str) -> String {
    let needle = format!("${from}");
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(pos) = rest.find(&needle) {
        let after = &rest[pos + needle.len()..];
        let whole = !after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        out.push_str(&rest[..pos]);
        if whole {
            out.push('$');
            out.push_str(to);
        } else {
            out.push_str(&needle);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// A document of `n` aliased copies of one operation, ready to send.
#[derive(Debug, Clone)]
pub(crate) struct AliasedDocument {
    /// Operation name (for counters and logs).
    pub name: String,
    /// The request body (`query`, `variables`, `operationName`).
    pub body: serde_json::Value,
    /// How many aliases.
    pub len: usize,
    root_field: String,
}

impl AliasedDocument {
    /// Builds the document from one cynic operation per item.
    pub(crate) fn build<Q, V: Serialize>(
        name: &str,
        operations: Vec<cynic::Operation<Q, V>>,
    ) -> Result<Self, MediaServerError> {
        let first = operations
            .first()
            .ok_or_else(|| template_error("an aliased document needs at least one operation"))?;
        let template = Template::parse(&first.query)?;
        let mut decls = Vec::new();
        let mut fields = Vec::new();
        let mut variables = serde_json::Map::new();
        for (i, op) in operations.iter().enumerate() {
            for (var, ty) in &template.variables {
                decls.push(format!("${var}{i}: {ty}"));
            }
            fields.push(template.instance(i));
            let vars = serde_json::to_value(&op.variables)
                .map_err(|e| template_error(format!("cannot encode variables: {e}")))?;
            if let serde_json::Value::Object(map) = vars {
                for (k, v) in map {
                    variables.insert(format!("{k}{i}"), v);
                }
            }
        }
        let decls = if decls.is_empty() {
            String::new()
        } else {
            format!("({})", decls.join(", "))
        };
        let query = format!(
            "{} {name}{decls} {{\n{}\n}}\n",
            template.kind,
            fields.join("\n")
        );
        Ok(Self {
            name: name.to_owned(),
            body: serde_json::json!({
                "query": query,
                "variables": variables,
                "operationName": name,
            }),
            len: operations.len(),
            root_field: template.root_field,
        })
    }

    /// The query text.
    #[cfg(test)]
    pub(crate) fn query(&self) -> &str {
        self.body["query"].as_str().unwrap_or_default()
    }

    /// The variables as sent (the operations' variables, renamed per alias).
    #[cfg(test)]
    pub(crate) fn variables(&self) -> &serde_json::Value {
        &self.body["variables"]
    }

    /// Splits a reply into one result per alias, in input order.
    pub(crate) fn split<Q: DeserializeOwned>(&self, reply: &Reply) -> Vec<AliasResult<Q>> {
        let data = reply.data.as_ref().and_then(|d| d.as_object());
        let pathless: Vec<GraphQlError> = reply
            .errors
            .iter()
            .filter(|e| e.path.is_empty())
            .cloned()
            .collect();
        (0..self.len)
            .map(|i| {
                let alias = format!("op{i}");
                let own: Vec<GraphQlError> = reply
                    .errors
                    .iter()
                    .filter(|e| e.path.first().map(String::as_str) == Some(alias.as_str()))
                    .cloned()
                    .collect();
                if !own.is_empty() {
                    return AliasResult::Failed(crate::errors::from_graphql(own));
                }
                match data.and_then(|d| d.get(&alias)) {
                    Some(value) if !value.is_null() => {
                        let wrapped = serde_json::json!({ self.root_field.clone(): value });
                        match serde_json::from_value::<Q>(wrapped) {
                            Ok(q) => AliasResult::Data(q),
                            Err(e) => AliasResult::Failed(MediaServerError::Decode {
                                operation: self.name.clone(),
                                message: format!("{alias}: {e}"),
                            }),
                        }
                    }
                    Some(_) => AliasResult::Null,
                    None if !pathless.is_empty() => {
                        AliasResult::Failed(crate::errors::from_graphql(pathless.clone()))
                    }
                    // `data` is null because another alias's non-null field failed: this
                    // alias ran in its own transaction and reported no error.
                    None => AliasResult::NoErrorNoData,
                }
            })
            .collect()
    }
}

/// What one alias of a document returned.
#[derive(Debug)]
pub(crate) enum AliasResult<Q> {
    /// Its data, decoded into the single operation's cynic type.
    Data(Q),
    /// The field was `null` without an error (e.g. `findScene` of a missing id).
    Null,
    /// Its own errors (or the document's path-less errors).
    Failed(MediaServerError),
    /// No data (another alias nulled `data`) and no error of its own.
    NoErrorNoData,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::inputs::GalleryCreateInput;
    use crate::ops::mutations::{GalleryCreate, GalleryCreateVariables};
    use cynic::MutationBuilder;

    fn create(title: &str) -> cynic::Operation<GalleryCreate, GalleryCreateVariables> {
        GalleryCreate::build(GalleryCreateVariables {
            input: GalleryCreateInput {
                title: title.into(),
                code: Some(format!("c-{title}")),
                urls: None,
                date: None,
                details: None,
                organized: None,
                scene_ids: None,
                studio_id: None,
                tag_ids: None,
                performer_ids: None,
            },
        })
    }

    #[test]
    fn renames_whole_variables_only() {
        assert_eq!(
            rename_variable("a($input, $inputs)", "input", "input3"),
            "a($input3, $inputs)"
        );
    }

    #[test]
    fn builds_one_alias_per_operation_with_own_variables() {
        let doc =
            AliasedDocument::build("GalleryCreateBatch", vec![create("a"), create("b")]).unwrap();
        let q = doc.query();
        assert!(q.starts_with("mutation GalleryCreateBatch($input0: GalleryCreateInput!, $input1: GalleryCreateInput!)"), "{q}");
        assert!(q.contains("op0: galleryCreate(input: $input0)"), "{q}");
        assert!(q.contains("op1: galleryCreate(input: $input1)"), "{q}");
        assert_eq!(doc.body["variables"]["input1"]["title"], "b");
        assert_eq!(doc.body["variables"]["input0"]["code"], "c-a");
        // Unset optional inputs are absent, not null.
        assert!(doc.body["variables"]["input0"].get("details").is_none());
    }

    #[test]
    fn splits_results_and_errors_per_alias() {
        let doc = AliasedDocument::build(
            "GalleryCreateBatch",
            vec![create("a"), create("b"), create("c")],
        )
        .unwrap();
        let gallery = serde_json::json!({"id":"7","title":"a","code":"c-a","details":null,"urls":[],"date":null,
            "organized":false,"studio":null,"performers":[],"tags":[],"scenes":[],"image_count":0,"files":[],"folder":null});
        let reply = Reply {
            data: Some(serde_json::json!({"op0": gallery, "op1": null})),
            errors: vec![GraphQlError {
                message: "boom".into(),
                path: vec!["op1".into()],
            }],
        };
        let results = doc.split::<GalleryCreate>(&reply);
        assert!(
            matches!(&results[0], AliasResult::Data(g) if g.gallery_create.as_ref().unwrap().id.inner() == "7")
        );
        assert!(
            matches!(&results[1], AliasResult::Failed(MediaServerError::GraphQl { errors }) if errors[0].message == "boom")
        );
        assert!(matches!(&results[2], AliasResult::NoErrorNoData));
    }
}
