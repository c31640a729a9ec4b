//! Rows to domain types: the only place that knows how upstream columns map to the domain.

use domain::fansly::{Account, Media, MediaVariant};
use domain::ids::{AccountId, MediaId};

use crate::entities::{accounts, media};

/// An `accounts` row as a domain account.
pub fn account(row: &accounts::Model) -> Account {
    Account {
        id: AccountId(row.id),
        username: row.username.clone(),
        display_name: row.display_name.clone(),
        about: row.about.clone(),
        created_at: row.created_at,
        stash_id: row.stash_id,
    }
}

/// A `media` row as a domain media, with the variants given.
pub fn media(row: &media::Model, variants: Vec<MediaVariant>) -> Media {
    Media {
        id: MediaId(row.id),
        account_id: AccountId(row.account_id),
        mimetype: row.mimetype.clone(),
        local_filename: row.local_filename.clone(),
        width: row.width,
        height: row.height,
        duration: row.duration,
        created_at: row.created_at,
        is_downloaded: row.is_downloaded,
        variants,
        stash_id: row.stash_id,
    }
}

/// A `media` row as a variant of another media.
pub fn variant(row: &media::Model) -> MediaVariant {
    MediaVariant {
        id: MediaId(row.id),
        mimetype: row.mimetype.clone(),
        local_filename: row.local_filename.clone(),
    }
}
