//! Typed identifiers, so a post id can never be passed where a media id is expected.
//!
//! Fansly ids are 64-bit snowflakes (`bigint` in the upstream database). Stash ids travel as
//! GraphQL `ID` strings; we keep them as strings and never assume they parse as numbers.

use std::fmt;

macro_rules! fansly_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl $name {
            /// The raw snowflake.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl From<i64> for $name {
            fn from(v: i64) -> Self {
                Self(v)
            }
        }
    };
}

fansly_id!(
    /// `accounts.id`: a Fansly user or creator.
    AccountId
);
fansly_id!(
    /// `posts.id`.
    PostId
);
fansly_id!(
    /// `messages.id`.
    MessageId
);
fansly_id!(
    /// `media.id`: a media object, variant or preview.
    MediaId
);
fansly_id!(
    /// `account_media.id`: the access wrapper around a media (target of attachment type 1).
    AccountMediaId
);
fansly_id!(
    /// `account_media_bundles.id`.
    BundleId
);
fansly_id!(
    /// `groups.id`: a direct-message conversation.
    GroupId
);

macro_rules! stash_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub String);

        impl $name {
            /// Builds the id from anything string-like.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as sent on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(v: &str) -> Self {
                Self(v.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(v: String) -> Self {
                Self(v)
            }
        }
    };
}

stash_id!(
    /// A Stash performer id.
    PerformerId
);
stash_id!(
    /// A Stash studio id.
    StudioId
);
stash_id!(
    /// A Stash tag id.
    TagId
);
stash_id!(
    /// A Stash gallery id.
    GalleryId
);
stash_id!(
    /// A Stash scene id.
    SceneId
);
stash_id!(
    /// A Stash image id.
    ImageId
);
stash_id!(
    /// A Stash file id (video, image, gallery or basic file).
    FileId
);
stash_id!(
    /// A Stash job id (job ids restart at 1 when the server restarts).
    JobId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fansly_ids_display_as_their_number() {
        assert_eq!(
            PostId(737_344_486_891_335_683).to_string(),
            "737344486891335683"
        );
        assert_eq!(MediaId::from(42).get(), 42);
    }

    #[test]
    fn stash_ids_keep_their_text() {
        let id = SceneId::new("0012");
        assert_eq!(id.as_str(), "0012");
        assert_eq!(id.to_string(), "0012");
        assert_ne!(SceneId::from("12"), id);
    }
}
