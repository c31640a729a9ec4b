//! The cynic view of our Stash schema subset (`schema/stash-subset.graphql`, registered in
//! `build.rs`), plus [`Tri`] and [`TriList`]: the three-state input values (absent / null /
//! value) that Stash's partial updates need and plain `Option` cannot express.

use serde::{Serialize, Serializer};

/// The schema markers cynic generated from the SDL.
#[cynic::schema("stash")]
pub mod schema {}

/// One field of an update input: absent (leave alone), `null` (clear) or a value.
///
/// Fields of this type carry `#[cynic(skip_serializing_if = "Tri::is_absent")]`, so `Absent`
/// never reaches the wire; `Null` is sent as an explicit JSON `null`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Tri<T> {
    /// The key is omitted: the server leaves the field alone.
    #[default]
    Absent,
    /// The key is sent as `null`: the server clears the field.
    Null,
    /// The key is sent with this value.
    Value(T),
}

impl<T> Tri<T> {
    /// True for [`Tri::Absent`] (used by `skip_serializing_if`).
    pub fn is_absent(&self) -> bool {
        matches!(self, Tri::Absent)
    }
}

impl<T> From<domain::Patch<T>> for Tri<T> {
    fn from(p: domain::Patch<T>) -> Self {
        match p {
            domain::Patch::Unchanged => Tri::Absent,
            domain::Patch::Clear => Tri::Null,
            domain::Patch::Set(v) => Tri::Value(v),
        }
    }
}

impl<T: Serialize> Serialize for Tri<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            // Only reached when a field forgot its `skip_serializing_if`; null is the
            // conservative reading of "no value" for a nullable input.
            Tri::Absent | Tri::Null => s.serialize_none(),
            Tri::Value(v) => v.serialize(s),
        }
    }
}

// cynic checks an input field's Rust type against the schema type. A `Tri<T>` stands for a
// nullable `T`, so it is the scalar `T` is.
impl<T, S> cynic::schema::IsScalar<S> for Tri<T>
where
    T: cynic::schema::IsScalar<S>,
{
    type SchemaType = T::SchemaType;
}

/// A list field of an update input: absent, `null` (the server empties the list) or a list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TriList<T> {
    /// The key is omitted: the server leaves the list alone.
    #[default]
    Absent,
    /// The key is sent as `null`: the server replaces the list with an empty one.
    Null,
    /// The key is sent with this list (SET semantics).
    Value(Vec<T>),
}

impl<T> TriList<T> {
    /// True for [`TriList::Absent`] (used by `skip_serializing_if`).
    pub fn is_absent(&self) -> bool {
        matches!(self, TriList::Absent)
    }
}

impl<T> From<domain::Patch<Vec<T>>> for TriList<T> {
    fn from(p: domain::Patch<Vec<T>>) -> Self {
        match p {
            domain::Patch::Unchanged => TriList::Absent,
            domain::Patch::Clear => TriList::Null,
            domain::Patch::Set(v) => TriList::Value(v),
        }
    }
}

impl<T: Serialize> Serialize for TriList<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TriList::Absent | TriList::Null => s.serialize_none(),
            TriList::Value(v) => v.serialize(s),
        }
    }
}

// cynic sees a non-`Vec` type on a list field as "a single item coerced to a list", so the
// check it makes is on the element type: `TriList<T>` passes where `T` does. (That the field
// really is a list is covered by the wire-shape tests and the document validation against the
// upstream schema.)
impl<T, S> cynic::schema::IsScalar<S> for TriList<T>
where
    T: cynic::schema::IsScalar<S>,
{
    type SchemaType = T::SchemaType;
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Patch;

    #[test]
    fn patches_map_to_the_three_wire_states() {
        assert_eq!(Tri::from(Patch::<String>::Unchanged), Tri::Absent);
        assert_eq!(Tri::from(Patch::<String>::Clear), Tri::Null);
        assert_eq!(Tri::from(Patch::Set(1)), Tri::Value(1));
        assert_eq!(TriList::from(Patch::Set(vec![1])), TriList::Value(vec![1]));
        assert_eq!(TriList::from(Patch::<Vec<i32>>::Clear), TriList::Null);
        assert_eq!(
            serde_json::to_value(Tri::<String>::Null).unwrap(),
            serde_json::Value::Null
        );
        assert_eq!(
            serde_json::to_value(TriList::Value(vec!["a"])).unwrap(),
            serde_json::json!(["a"])
        );
    }
}
