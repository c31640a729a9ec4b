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
    fn map_keeps_unchanged_and_clear() {
        assert_eq!(Patch::<i32>::Unchanged.map(|v| v + 1), Patch::Unchanged);
        assert_eq!(Patch::<i32>::Clear.map(|v| v + 1), Patch::Clear);
        assert_eq!(Patch::Set(1).map(|v| v + 1), Patch::Set(2));
        assert_eq!(Patch::from(Some(3)), Patch::Set(3));
        assert_eq!(Patch::<i32>::from(None), Patch::Clear);
    }

    proptest! {
        #[test]
        fn a_patch_leaves_clears_or_sets_whatever_the_current_value(
            cur in proptest::option::of(0i32..5),
            want in proptest::option::of(0i32..5),
        ) {
            prop_assert_eq!(Patch::Unchanged.apply(cur), cur);
            prop_assert_eq!(Patch::<i32>::Clear.apply(cur), None);
            // A desired value as an option reaches exactly that value, whatever was there.
            let patch = Patch::from(want);
            prop_assert!(!patch.is_unchanged());
            prop_assert_eq!(patch.clone().apply(cur), want);
            // Mapping the value commutes with applying the patch.
            prop_assert_eq!(
                patch.as_ref().map(|v| v + 1).apply(cur.map(|v| v + 1)),
                want.map(|v| v + 1)
            );
        }
    }
}
