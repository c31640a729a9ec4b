//! Write side of the double: creates, updates and gallery membership with Stash's
//! validation rules and exact error texts. Every operation validates completely before it
//! changes anything, so a failing operation writes nothing (one transaction each).

pub(crate) mod bulk;
pub(crate) mod create;
pub(crate) mod names;
pub(crate) mod update;

use std::collections::BTreeSet;

use serde_json::Value;

use crate::graphql::args::{Key, id_list, parse_id};
use crate::model::{Id, State};

/// Stash's message for a relation to an unknown object.
pub(crate) const FK_FAILED: &str = "FOREIGN KEY constraint failed";

/// What a Go panic on `organized: null` looks like to a client.
pub(crate) const NULL_BOOL: &str =
    "Internal system error. Error <null value not allowed in optional bool>";

/// Which table a relation points to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Table {
    Scenes,
    Images,
    Galleries,
    Performers,
    Studios,
    Tags,
}

pub(crate) fn exists(st: &State, table: Table, id: Id) -> bool {
    match table {
        Table::Scenes => st.scenes.contains_key(&id),
        Table::Images => st.images.contains_key(&id),
        Table::Galleries => st.galleries.contains_key(&id),
        Table::Performers => st.performers.contains_key(&id),
        Table::Studios => st.studios.contains_key(&id),
        Table::Tags => st.tags.contains_key(&id),
    }
}

/// A `[ID!]` relation list; every id must exist.
pub(crate) fn relation_ids(st: &State, table: Table, v: &Value) -> Result<BTreeSet<Id>, String> {
    let ids = id_list(v)?;
    if ids.iter().any(|id| !exists(st, table, *id)) {
        return Err(FK_FAILED.to_owned());
    }
    Ok(ids.into_iter().collect())
}

/// A list relation key of an update input: absent keeps, null empties, a value replaces.
pub(crate) fn relation_key(
    st: &State,
    table: Table,
    key: Key<'_>,
    current: &BTreeSet<Id>,
) -> Result<BTreeSet<Id>, String> {
    match key {
        Key::Absent => Ok(current.clone()),
        Key::Null => Ok(BTreeSet::new()),
        Key::Value(v) => relation_ids(st, table, v),
    }
}

/// A single relation (`studio_id`): absent keeps, null clears, a value must exist.
pub(crate) fn single_relation(
    st: &State,
    table: Table,
    key: Key<'_>,
    current: Option<Id>,
) -> Result<Option<Id>, String> {
    match key {
        Key::Absent => Ok(current),
        Key::Null => Ok(None),
        Key::Value(v) => {
            let id = parse_id(v)?;
            if exists(st, table, id) {
                Ok(Some(id))
            } else {
                Err(FK_FAILED.to_owned())
            }
        }
    }
}
