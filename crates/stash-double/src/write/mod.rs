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

/// A many-to-many relation as Stash stores it: its join table, the owner's and the foreign
/// key's columns, and the table the foreign key points to. Stash inserts join rows one by one
/// and the first unknown foreign key fails the statement, with a message naming both.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Join {
    pub table: &'static str,
    pub id_col: &'static str,
    pub fk_col: &'static str,
    pub foreign: Table,
}

impl Join {
    /// The relation behind the `field` of an update or create input of `owner`.
    pub(crate) fn of(owner: update::Target, field: &str) -> Join {
        use update::Target::{Gallery, Image, Scene};
        let (table, id_col, fk_col, foreign) = match (owner, field) {
            (Scene, "tag_ids") => ("scenes_tags", "scene_id", "tag_id", Table::Tags),
            (Scene, "performer_ids") => (
                "performers_scenes",
                "scene_id",
                "performer_id",
                Table::Performers,
            ),
            (Scene, _) => (
                "scenes_galleries",
                "scene_id",
                "gallery_id",
                Table::Galleries,
            ),
            (Image, "tag_ids") => ("images_tags", "image_id", "tag_id", Table::Tags),
            (Image, "performer_ids") => (
                "performers_images",
                "image_id",
                "performer_id",
                Table::Performers,
            ),
            (Image, _) => (
                "galleries_images",
                "image_id",
                "gallery_id",
                Table::Galleries,
            ),
            (Gallery, "tag_ids") => ("galleries_tags", "gallery_id", "tag_id", Table::Tags),
            (Gallery, "performer_ids") => (
                "performers_galleries",
                "gallery_id",
                "performer_id",
                Table::Performers,
            ),
            (Gallery, "image_ids") => ("galleries_images", "gallery_id", "image_id", Table::Images),
            (Gallery, _) => ("scenes_galleries", "gallery_id", "scene_id", Table::Scenes),
        };
        Join {
            table,
            id_col,
            fk_col,
            foreign,
        }
    }

    /// Stash's error for inserting the join row (`id`, `fk`) when `fk` does not exist
    /// (observed: `h_scenes_update_partial_bad_tag`).
    pub(crate) fn fk_error(self, id: Id, fk: Id) -> String {
        let Join {
            table,
            id_col,
            fk_col,
            ..
        } = self;
        format!(
            "error executing `INSERT INTO {table} ({id_col}, {fk_col}) VALUES (?, ?) ON CONFLICT ({id_col}, {fk_col}) DO NOTHING` [[{id} {fk}]]: {FK_FAILED}"
        )
    }

    /// Checks that every id in `added` (in input order) exists.
    pub(crate) fn check(self, st: &State, owner: Id, added: &[Id]) -> Result<(), String> {
        match added.iter().find(|fk| !exists(st, self.foreign, **fk)) {
            Some(fk) => Err(self.fk_error(owner, *fk)),
            None => Ok(()),
        }
    }
}

/// A `[ID!]` relation list of `owner`; every id must exist.
pub(crate) fn relation_ids(
    st: &State,
    join: Join,
    owner: Id,
    v: &Value,
) -> Result<BTreeSet<Id>, String> {
    let ids = id_list(v)?;
    join.check(st, owner, &ids)?;
    Ok(ids.into_iter().collect())
}

/// A list relation key of an update input: absent keeps, null empties, a value replaces.
pub(crate) fn relation_key(
    st: &State,
    join: Join,
    owner: Id,
    key: Key<'_>,
    current: &BTreeSet<Id>,
) -> Result<BTreeSet<Id>, String> {
    match key {
        Key::Absent => Ok(current.clone()),
        Key::Null => Ok(BTreeSet::new()),
        Key::Value(v) => relation_ids(st, join, owner, v),
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
