//! The Fansly side, as fansly-scraper stores it in its metadata database.
//!
//! These types mirror the upstream tables closely enough that the store can fill them without
//! guessing, and carry only what sync (or the importer) needs. Field names follow Rust style;
//! the store maps them to the quoted camelCase columns.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::ids::{AccountId, AccountMediaId, BundleId, GroupId, MediaId, MessageId, PostId};

/// A Fansly user or creator (`accounts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// `accounts.id`
    pub id: AccountId,
    /// Unique handle, e.g. `alice`.
    pub username: String,
    /// Shown name; may be absent.
    pub display_name: Option<String>,
    /// Profile text.
    pub about: Option<String>,
    /// When the account was created.
    pub created_at: Option<DateTime<Utc>>,
    /// `accounts.stash_id`: the Stash performer id written back by upstream (or by us, if enabled).
    pub stash_id: Option<i32>,
}

impl Account {
    /// The name a performer gets: the display name when it has text, else the username.
    pub fn performer_name(&self) -> &str {
        match self.display_name.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => name,
            _ => &self.username,
        }
    }

    /// `https://fansly.com/<username>`
    pub fn profile_url(&self) -> String {
        format!("https://fansly.com/{}", self.username)
    }

    /// Whether the account is known only by its id: its username is exactly its id in decimal
    /// and it has no display name with text. The JSON importer makes such placeholder rows for
    /// accounts it sees referenced but not described (and gives an account that lost its
    /// username to another its id): they have no real name, so they must not name a
    /// performer or a studio.
    pub fn is_unnamed(&self) -> bool {
        let no_display_name = self
            .display_name
            .as_deref()
            .is_none_or(|d| d.trim().is_empty());
        no_display_name && self.username == self.id.to_string()
    }
}

/// A timeline or wall post (`posts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// `posts.id`
    pub id: PostId,
    /// The author.
    pub account_id: AccountId,
    /// Post text (may be empty).
    pub content: String,
    /// When it was posted (null on stub posts).
    pub created_at: Option<DateTime<Utc>>,
}

/// A direct message (`messages`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// `messages.id`
    pub id: MessageId,
    /// The conversation, when known.
    pub group_id: Option<GroupId>,
    /// Who sent it.
    pub sender_id: AccountId,
    /// Who received it, when recorded.
    pub recipient_id: Option<AccountId>,
    /// Message text (may be empty).
    pub content: String,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
}

/// What an attachment points at: Fansly's `contentType`.
///
/// Maps both ways to the API codes and to the names of the upstream `contenttype` enum.
/// Tips (API code 7) are not a kind: upstream drops them at ingestion, and so do we.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContentKind {
    /// `ACCOUNT_MEDIA`, API 1: `contentId` is an `account_media.id`.
    AccountMedia,
    /// `ACCOUNT_MEDIA_BUNDLE`, API 2: `contentId` is an `account_media_bundles.id`.
    Bundle,
    /// `AGGREGATED_POSTS`, API 8: `contentId` is a `posts.id`.
    AggregatedPost,
    /// `STORY`, API 32001.
    Story,
    /// `POLL`, API 42001.
    Poll,
    /// `TIP_GOALS`, API 7100.
    TipGoal,
}

/// A content-type code or name that is not one of [`ContentKind`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnknownContentKind {
    /// An API `contentType` number we do not know (7, tips, is one of them: upstream drops tips).
    #[error("unknown Fansly contentType code {0}")]
    Code(i64),
    /// A `contenttype` enum name we do not know.
    #[error("unknown contenttype name '{0}'")]
    Name(String),
}

impl ContentKind {
    /// Every kind, in the order of the upstream enum's values.
    pub const ALL: [ContentKind; 6] = [
        ContentKind::AccountMedia,
        ContentKind::Bundle,
        ContentKind::Poll,
        ContentKind::Story,
        ContentKind::AggregatedPost,
        ContentKind::TipGoal,
    ];

    /// The API's numeric `contentType`.
    pub fn api_code(self) -> i64 {
        match self {
            ContentKind::AccountMedia => 1,
            ContentKind::Bundle => 2,
            ContentKind::AggregatedPost => 8,
            ContentKind::Story => 32001,
            ContentKind::Poll => 42001,
            ContentKind::TipGoal => 7100,
        }
    }

    /// The kind for an API `contentType` code.
    pub fn from_api_code(code: i64) -> Result<Self, UnknownContentKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.api_code() == code)
            .ok_or(UnknownContentKind::Code(code))
    }

    /// The name stored in the upstream `contenttype` enum.
    pub fn db_name(self) -> &'static str {
        match self {
            ContentKind::AccountMedia => "ACCOUNT_MEDIA",
            ContentKind::Bundle => "ACCOUNT_MEDIA_BUNDLE",
            ContentKind::AggregatedPost => "AGGREGATED_POSTS",
            ContentKind::Story => "STORY",
            ContentKind::Poll => "POLL",
            ContentKind::TipGoal => "TIP_GOALS",
        }
    }

    /// The kind for a `contenttype` enum name (exact, as upstream writes it).
    pub fn from_db_name(name: &str) -> Result<Self, UnknownContentKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.db_name() == name)
            .ok_or_else(|| UnknownContentKind::Name(name.to_owned()))
    }
}

impl fmt::Display for ContentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.db_name())
    }
}

/// Which item an attachment belongs to (the upstream CHECK allows only one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttachmentOwner {
    /// `attachments.postId`
    Post(PostId),
    /// `attachments.messageId`
    Message(MessageId),
}

/// One entry of a post's or message's attachment list (`attachments`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The post or message it belongs to.
    pub owner: AttachmentOwner,
    /// Order within the owner (`pos`).
    pub pos: i32,
    /// What `content_id` refers to.
    pub kind: ContentKind,
    /// The referenced row's id; its table follows `kind`.
    pub content_id: i64,
}

/// What kind of file a mimetype names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// `image/*`: becomes a Stash image.
    Image,
    /// `video/*` (and HLS playlists): becomes a Stash scene.
    Video,
    /// `audio/*`: Stash does not index audio.
    Audio,
    /// Anything else, or no mimetype.
    Other,
}

impl MediaKind {
    /// The kind a mimetype implies (case-insensitive; parameters after `;` ignored).
    pub fn from_mimetype(mimetype: Option<&str>) -> Self {
        let Some(m) = mimetype else {
            return MediaKind::Other;
        };
        let m = m
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if m == "application/vnd.apple.mpegurl" || m == "application/x-mpegurl" {
            return MediaKind::Video;
        }
        match m.split('/').next() {
            Some("image") => MediaKind::Image,
            Some("video") => MediaKind::Video,
            Some("audio") => MediaKind::Audio,
            _ => MediaKind::Other,
        }
    }
}

/// A media object (`media`): a picture, a video, a variant of one, or a preview.
#[derive(Debug, Clone, PartialEq)]
pub struct Media {
    /// `media.id`
    pub id: MediaId,
    /// Owner account.
    pub account_id: AccountId,
    /// The (simplified) mimetype upstream stores.
    pub mimetype: Option<String>,
    /// Basename of the downloaded file, if downloaded. Not unique across media.
    pub local_filename: Option<String>,
    /// Pixel size, when known.
    pub width: Option<i32>,
    /// Pixel size, when known.
    pub height: Option<i32>,
    /// Seconds, for video and audio.
    pub duration: Option<f64>,
    /// When the media was created (the file name's timestamp).
    pub created_at: Option<DateTime<Utc>>,
    /// Whether upstream downloaded it.
    pub is_downloaded: bool,
    /// Other renditions (`media_variants`): the downloaded file may be named after one of them.
    pub variants: Vec<MediaVariant>,
    /// `media.stash_id`: a scene or image id written back earlier.
    pub stash_id: Option<i32>,
}

impl Media {
    /// The kind derived from the mimetype.
    pub fn kind(&self) -> MediaKind {
        MediaKind::from_mimetype(self.mimetype.as_deref())
    }
}

/// One rendition of a media (`media_variants` joined to `media`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaVariant {
    /// The variant's own `media.id`.
    pub id: MediaId,
    /// Its mimetype.
    pub mimetype: Option<String>,
    /// Its file name, if one was ever recorded for it.
    pub local_filename: Option<String>,
}

/// An `account_media` row resolved to its media and optional preview.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountMedia {
    /// `account_media.id`
    pub id: AccountMediaId,
    /// Owner account.
    pub account_id: AccountId,
    /// The main media.
    pub media: Media,
    /// The preview (teaser) media, if any.
    pub preview: Option<Media>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Deleted on Fansly.
    pub deleted: bool,
}

/// An ordered collection of account media (`account_media_bundles` + `account_media_bundle_media`).
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// `account_media_bundles.id`
    pub id: BundleId,
    /// Owner account.
    pub account_id: AccountId,
    /// Members in `pos` order.
    pub items: Vec<AccountMedia>,
    /// The bundle's own preview media.
    pub preview: Option<Media>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A hashtag (`hashtags`): lowercase, without `#`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hashtag(pub String);

impl Hashtag {
    /// Normalises a tag text: strips leading `#`, trims, lowercases.
    pub fn new(text: &str) -> Self {
        Hashtag(text.trim().trim_start_matches('#').to_lowercase())
    }

    /// The tag text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A mention of an account in a post (`post_mentions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The mentioned handle as written.
    pub handle: String,
    /// The mentioned account, resolved when it is known.
    pub account: Option<Account>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: i64, username: &str, display_name: Option<&str>) -> Account {
        Account {
            id: AccountId(id),
            username: username.into(),
            display_name: display_name.map(Into::into),
            about: None,
            created_at: None,
            stash_id: None,
        }
    }

    #[test]
    fn an_account_whose_username_is_its_id_and_without_display_name_is_unnamed() {
        let id = 412_345_678_901_234_567;
        assert!(account(id, "412345678901234567", None).is_unnamed());
        assert!(account(id, "412345678901234567", Some("  ")).is_unnamed());
        // A display name names it; another number, a padded id or a real username is a name.
        assert!(!account(id, "412345678901234567", Some("Bestie")).is_unnamed());
        assert!(!account(id, "412345678901234568", None).is_unnamed());
        assert!(!account(id, "0412345678901234567", None).is_unnamed());
        assert!(!account(id, " 412345678901234567", None).is_unnamed());
        assert!(!account(id, "bestie", None).is_unnamed());
        assert!(account(-5, "-5", None).is_unnamed());
    }

    #[test]
    fn content_kind_maps_api_codes_both_ways() {
        let expected = [
            (1, ContentKind::AccountMedia),
            (2, ContentKind::Bundle),
            (8, ContentKind::AggregatedPost),
            (32001, ContentKind::Story),
            (42001, ContentKind::Poll),
            (7100, ContentKind::TipGoal),
        ];
        for (code, kind) in expected {
            assert_eq!(ContentKind::from_api_code(code), Ok(kind));
            assert_eq!(kind.api_code(), code);
        }
    }

    #[test]
    fn content_kind_maps_db_names_both_ways() {
        for kind in ContentKind::ALL {
            assert_eq!(ContentKind::from_db_name(kind.db_name()), Ok(kind));
        }
        assert_eq!(ContentKind::AggregatedPost.db_name(), "AGGREGATED_POSTS");
        assert_eq!(ContentKind::Bundle.to_string(), "ACCOUNT_MEDIA_BUNDLE");
    }

    #[test]
    fn unknown_codes_and_names_are_error_values() {
        assert_eq!(
            ContentKind::from_api_code(7),
            Err(UnknownContentKind::Code(7))
        );
        assert_eq!(
            ContentKind::from_api_code(-1),
            Err(UnknownContentKind::Code(-1))
        );
        assert_eq!(
            ContentKind::from_db_name("account_media"),
            Err(UnknownContentKind::Name("account_media".into()))
        );
        assert_eq!(
            ContentKind::from_db_name("TIP").unwrap_err().to_string(),
            "unknown contenttype name 'TIP'"
        );
    }

    #[test]
    fn mimetype_to_kind() {
        let cases = [
            (Some("image/jpeg"), MediaKind::Image),
            (Some("IMAGE/GIF"), MediaKind::Image),
            (Some("video/mp4"), MediaKind::Video),
            (Some("video/mp4; codecs=avc1"), MediaKind::Video),
            (Some("application/vnd.apple.mpegurl"), MediaKind::Video),
            (Some("audio/mp3"), MediaKind::Audio),
            (Some("application/pdf"), MediaKind::Other),
            (Some(""), MediaKind::Other),
            (Some("garbage"), MediaKind::Other),
            (None, MediaKind::Other),
        ];
        for (mime, kind) in cases {
            assert_eq!(MediaKind::from_mimetype(mime), kind, "{mime:?}");
        }
    }

    #[test]
    fn performer_name_falls_back_to_username() {
        let mut a = Account {
            id: AccountId(1),
            username: "alice".into(),
            display_name: Some("Alice A".into()),
            about: None,
            created_at: None,
            stash_id: None,
        };
        assert_eq!(a.performer_name(), "Alice A");
        a.display_name = Some("   ".into());
        assert_eq!(a.performer_name(), "alice");
        a.display_name = None;
        assert_eq!(a.performer_name(), "alice");
        assert_eq!(a.profile_url(), "https://fansly.com/alice");
    }

    #[test]
    fn hashtags_are_normalised() {
        assert_eq!(Hashtag::new("##Summer").as_str(), "summer");
        assert_eq!(Hashtag::new(" ÉTÉ ").as_str(), "été");
    }
}
