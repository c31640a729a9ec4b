//! The `find*` pipeline: `ids` lookups (input order, missing or duplicated ids fail), or
//! filter + `q` + sort (per-type allow-list) + paging (`per_page: -1` = everything).
//!
//! From v0.30 an `ids` list is checked first (`validating ids: duplicate id found: N`) and a
//! non-numeric id says `converting ids: strconv.Atoi: ...`; before, a bad id gives the bare
//! `strconv.Atoi` error and a duplicate fails as not found.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::filter::{Filter, Row};
use super::like::Like;
use super::natural::NaturalCi;
use crate::model::{Id, State};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SortKey {
    Int(i64),
    Str(String),
    /// Compared with Stash's `NATURAL_CI` collation, key by key.
    Natural(Vec<NaturalCi>),
}

/// An object a `find*` query can return.
pub(crate) trait Findable: Row {
    /// The noun in `<label> with id N not found`.
    const LABEL: &'static str;
    /// Sort keys besides `id`, `created_at`, `updated_at`, `random`.
    const SORTS: &'static [&'static str];
    fn id(&self) -> Id;
    fn sort_key(&self, st: &State, key: &str) -> Option<SortKey>;
    fn search_text(&self, st: &State) -> Vec<String>;
}

/// A page of results: the total count and the ids on this page.
pub(crate) struct Page {
    pub count: usize,
    pub ids: Vec<Id>,
}

/// An `ids` lookup: input order; a missing id fails, and so does a duplicated one (from v0.30
/// as a duplicate, before as not found).
fn by_ids<T: Findable>(
    rows: &BTreeMap<Id, T>,
    list: &[Value],
    checks_id_lists: bool,
) -> Result<Page, String> {
    if checks_id_lists {
        let mut seen = BTreeSet::new();
        for v in list {
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            if !seen.insert(text.clone()) {
                return Err(format!("validating ids: duplicate id found: {text}"));
            }
        }
    }
    let converting = if checks_id_lists {
        "converting ids: "
    } else {
        ""
    };
    let mut wanted = Vec::with_capacity(list.len());
    for v in list {
        let Some(id) = crate::graphql::args::id_of(v) else {
            return Err(format!(
                "{converting}strconv.Atoi: parsing {v}: invalid syntax"
            ));
        };
        wanted.push(id);
    }
    let mut seen = BTreeSet::new();
    for id in &wanted {
        if !rows.contains_key(id) || !seen.insert(*id) {
            return Err(format!("{} with id {id} not found", T::LABEL));
        }
    }
    Ok(Page {
        count: wanted.len(),
        ids: wanted,
    })
}

/// Runs a `find*` query over `rows`.
pub(crate) fn find<T: Findable>(
    st: &State,
    rows: &BTreeMap<Id, T>,
    ids: Option<&Value>,
    object_filter: Option<&Value>,
    find_filter: Option<&Value>,
    checks_id_lists: bool,
) -> Result<Page, String> {
    if let Some(list) = ids.and_then(Value::as_array).filter(|a| !a.is_empty()) {
        return by_ids(rows, list, checks_id_lists);
    }
    let filter = Filter::compile(object_filter)?;
    let ff = find_filter.and_then(Value::as_object);
    let get_str = |k: &str| ff.and_then(|m| m.get(k)).and_then(Value::as_str);
    let get_int = |k: &str| ff.and_then(|m| m.get(k)).and_then(Value::as_i64);
    let sort = get_str("sort");
    if let Some(s) = sort {
        let allowed =
            ["id", "created_at", "updated_at", "random"].contains(&s) || T::SORTS.contains(&s);
        if !allowed {
            return Err(format!("invalid sort: {s}"));
        }
    }
    let q_words: Vec<Like> = get_str("q")
        .map(|q| q.split_whitespace().map(Like::containing).collect())
        .unwrap_or_default();
    let mut hits: Vec<&T> = rows
        .values()
        .filter(|r| filter.as_ref().is_none_or(|f| f.matches(st, *r)))
        .filter(|r| {
            q_words.is_empty() || {
                let text = r.search_text(st);
                q_words.iter().all(|w| text.iter().any(|t| w.matches(t)))
            }
        })
        .collect();
    let desc = get_str("direction") == Some("DESC");
    match sort {
        Some("random") => hits.sort_by_key(|r| r.id().wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        Some(key) => {
            let mut keyed: Vec<(SortKey, Id, &T)> = hits
                .into_iter()
                .map(|r| (r.sort_key(st, key).unwrap_or(SortKey::Int(0)), r.id(), r))
                .collect();
            keyed.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
            hits = keyed.into_iter().map(|(_, _, r)| r).collect();
        }
        None => {}
    }
    if desc {
        hits.reverse();
    }
    let count = hits.len();
    let per_page = get_int("per_page").unwrap_or(25);
    let page = get_int("page").unwrap_or(1).max(1);
    let ids: Vec<Id> = if per_page < 0 {
        hits.iter().map(|r| r.id()).collect()
    } else {
        let per = usize::try_from(per_page).unwrap_or(0);
        let skip = usize::try_from(page - 1).unwrap_or(0).saturating_mul(per);
        hits.iter().skip(skip).take(per).map(|r| r.id()).collect()
    };
    Ok(Page { count, ids })
}
