//! [`Patch`]: how one field of an update is meant to change.
//!
//! Stash distinguishes an *omitted* input key (leave the field alone) from an explicit `null`
//! (clear it). Python clients have lost data by collapsing the two; here they are separate
//! states of one type, and the adapter serialises `Unchanged` as an absent key.

/// The change to one field of an update: leave it, clear it, or set it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Patch<T> {
    /// Leave the field as it is on the server (the key is omitted from the request).
    #[default]
    Unchanged,
    /// Clear the field (an explicit `null`; on a list, the list becomes empty).
    Clear,
    /// Set the field to this value.
    Set(T),
}

impl<T> Patch<T> {
    /// True when this patch leaves the field alone.
    pub fn is_unchanged(&self) -> bool {
        matches!(self, Patch::Unchanged)
    }

    /// The value being set, if any.
    pub fn as_set(&self) -> Option<&T> {
        match self {
            Patch::Set(v) => Some(v),
            _ => None,
        }
    }

    /// Maps the value of a `Set`, keeping `Unchanged` and `Clear` as they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Patch::Unchanged => Patch::Unchanged,
            Patch::Clear => Patch::Clear,
            Patch::Set(v) => Patch::Set(f(v)),
        }
    }

    /// Borrows the value of a `Set`.
    pub fn as_ref(&self) -> Patch<&T> {
        match self {
            Patch::Unchanged => Patch::Unchanged,
            Patch::Clear => Patch::Clear,
            Patch::Set(v) => Patch::Set(v),
        }
    }

    /// The field's value after applying this patch to `current`.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Patch::Unchanged => current,
            Patch::Clear => None,
            Patch::Set(v) => Some(v),
        }
    }
}

impl<T: PartialEq> Patch<T> {
    /// The smallest patch that turns `current` into `desired`: `Unchanged` when they are equal,
    /// otherwise `Set` or `Clear`.
    pub fn diff(current: Option<&T>, desired: Option<T>) -> Patch<T> {
        match (current, desired) {
            (Some(c), Some(d)) if *c == d => Patch::Unchanged,
            (None, None) => Patch::Unchanged,
            (_, Some(d)) => Patch::Set(d),
            (Some(_), None) => Patch::Clear,
        }
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// `Some(v)` sets, `None` clears. Use [`Patch::Unchanged`] to leave a field alone.
    fn from(v: Option<T>) -> Self {
        match v {
            Some(v) => Patch::Set(v),
            None => Patch::Clear,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn default_is_unchanged() {
        assert!(Patch::<String>::default().is_unchanged());
    }

    #[test]
    fn apply_follows_the_three_states() {
        assert_eq!(Patch::Unchanged.apply(Some(1)), Some(1));
        assert_eq!(Patch::<i32>::Clear.apply(Some(1)), None);
        assert_eq!(Patch::Set(2).apply(Some(1)), Some(2));
        assert_eq!(Patch::Set(2).apply(None), Some(2));
    }

    #[test]
    fn diff_is_minimal() {
        assert_eq!(Patch::diff(Some(&1), Some(1)), Patch::Unchanged);
        assert_eq!(Patch::<i32>::diff(None, None), Patch::Unchanged);
        assert_eq!(Patch::diff(Some(&1), Some(2)), Patch::Set(2));
        assert_eq!(Patch::diff(None, Some(2)), Patch::Set(2));
        assert_eq!(Patch::<i32>::diff(Some(&1), None), Patch::Clear);
    }

    #[test]
    fn map_keeps_unchanged_and_clear() {
        assert_eq!(Patch::<i32>::Unchanged.map(|v| v + 1), Patch::Unchanged);
        assert_eq!(Patch::<i32>::Clear.map(|v| v + 1), Patch::Clear);
        assert_eq!(Patch::Set(1).map(|v| v + 1), Patch::Set(2));
        assert_eq!(Patch::from(Some(3)), Patch::Set(3));
        assert_eq!(Patch::<i32>::from(None), Patch::Clear);
    }

    proptest! {
        #[test]
        fn applying_the_diff_reaches_the_desired_value(cur in proptest::option::of(0i32..5), want in proptest::option::of(0i32..5)) {
            let patch = Patch::diff(cur.as_ref(), want);
            prop_assert_eq!(patch.clone().apply(cur), want);
            // A second diff against the result is empty: the planner's fixpoint in miniature.
            let after = patch.apply(cur);
            prop_assert!(Patch::diff(after.as_ref(), want).is_unchanged());
        }
    }
}
