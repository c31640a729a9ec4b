//! [`ContentItem`]: one post or message with everything sync needs already resolved.
//!
//! The metadata store does the joins (attachments in `pos` order, bundles, previews, aggregated
//! posts, hashtags, mentions) and hands sync a flat, ordered list of media per item. Media of a
//! creator that no attachment reaches (upstream's ingestion stopped saving attachments) arrive
//! as [`ItemSource::Unattached`] items, one per media, so they can still be labelled.

use chrono::{DateTime, Utc};

use crate::fansly::{Account, Hashtag, Media, Mention};
use crate::ids::{AccountMediaId, GroupId, MediaId, MessageId, PostId};

/// Where a content item comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ItemSource {
    /// A timeline or wall post.
    Post(PostId),
    /// A direct message, with its conversation when known.
    Message {
        /// The message.
        id: MessageId,
        /// Its conversation (used in the message URL).
        group_id: Option<GroupId>,
    },
    /// A downloaded media of the creator that no attachment reaches.
    Unattached(MediaId),
}

impl ItemSource {
    /// A stable key for state and logs: `post:<id>`, `message:<id>`, `media:<id>`.
    pub fn key(&self) -> String {
        match self {
            ItemSource::Post(id) => format!("post:{id}"),
            ItemSource::Message { id, .. } => format!("message:{id}"),
            ItemSource::Unattached(id) => format!("media:{id}"),
        }
    }

    /// The Fansly URL of the item: `https://fansly.com/post/<id>` or
    /// `https://fansly.com/messages/<groupId>/<id>`; none for unattached media or a message
    /// whose conversation is unknown.
    pub fn url(&self) -> Option<String> {
        match self {
            ItemSource::Post(id) => Some(format!("https://fansly.com/post/{id}")),
            ItemSource::Message {
                id,
                group_id: Some(g),
            } => Some(format!("https://fansly.com/messages/{g}/{id}")),
            _ => None,
        }
    }

    /// The code a Stash gallery gets: the post or message id.
    pub fn gallery_code(&self) -> Option<String> {
        match self {
            ItemSource::Post(id) => Some(id.to_string()),
            ItemSource::Message { id, .. } => Some(id.to_string()),
            ItemSource::Unattached(_) => None,
        }
    }
}

/// Whether a media is shown in full or as a teaser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaRole {
    /// The media itself.
    Main,
    /// A preview (teaser) of an account media or a bundle: tagged `Trailer` in Stash.
    Preview,
}

/// One media of an item, in display order.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemMedia {
    /// The media row, with its variants.
    pub media: Media,
    /// Main or preview.
    pub role: MediaRole,
    /// The account media it came through, when it came through one.
    pub account_media_id: Option<AccountMediaId>,
    /// The aggregated post it came through, when the item quotes other posts.
    pub via_aggregated: Option<PostId>,
}

/// A post quoted by an item (attachment type 8): becomes a chapter of the item's gallery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregatedPost {
    /// The quoted post.
    pub id: PostId,
    /// Its text.
    pub content: String,
    /// When it was posted.
    pub created_at: Option<DateTime<Utc>>,
}

/// A post or message (or an unattached media) ready to be synced.
#[derive(Debug, Clone, PartialEq)]
pub struct ContentItem {
    /// What the item is.
    pub source: ItemSource,
    /// The creator whose content this is (the post author, or the creator in the conversation).
    pub owner: Account,
    /// The item's text (empty for unattached media).
    pub content: String,
    /// When it was posted (for unattached media: the media's own time).
    pub created_at: Option<DateTime<Utc>>,
    /// Media in display order: attachments by `pos`, bundles by `pos`, previews beside their media.
    pub media: Vec<ItemMedia>,
    /// Quoted posts in attachment order.
    pub aggregated: Vec<AggregatedPost>,
    /// Hashtags in first-seen order (posts only).
    pub hashtags: Vec<Hashtag>,
    /// Mentioned accounts (posts only).
    pub mentions: Vec<Mention>,
    /// The `stash_id` column of the item's own row (`posts` or `messages`): the id of its
    /// gallery, when written back; always `None` for unattached media.
    pub stash_id: Option<i32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_codes_follow_the_item_kind() {
        let post = ItemSource::Post(PostId(10));
        assert_eq!(post.url().as_deref(), Some("https://fansly.com/post/10"));
        assert_eq!(post.gallery_code().as_deref(), Some("10"));
        assert_eq!(post.key(), "post:10");

        let msg = ItemSource::Message {
            id: MessageId(20),
            group_id: Some(GroupId(30)),
        };
        assert_eq!(
            msg.url().as_deref(),
            Some("https://fansly.com/messages/30/20")
        );
        assert_eq!(msg.gallery_code().as_deref(), Some("20"));

        let lost = ItemSource::Message {
            id: MessageId(20),
            group_id: None,
        };
        assert_eq!(lost.url(), None);

        let orphan = ItemSource::Unattached(MediaId(5));
        assert_eq!((orphan.url(), orphan.gallery_code()), (None, None));
        assert_eq!(orphan.key(), "media:5");
    }
}
