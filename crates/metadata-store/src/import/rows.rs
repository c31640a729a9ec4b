//! The rows one file turns into, before they are written: upserted tables keyed by id with
//! three-state cells (absent, set, insert-only default), and the child and junction rows
//! (variants, locations, bundle items, attachments, mentions, hashtags, group members,
//! avatars, banners), plus the references that may need placeholder rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use domain::fansly::ContentKind;
use sea_orm::Value;

/// One cell of an upserted row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// The key was absent: a new row gets NULL (or the column default), an existing row keeps
    /// its value.
    Absent,
    /// The value (possibly a typed NULL) to insert and to update to.
    Set(Value),
    /// A value for a new row only (a required column the document did not give); an existing
    /// row keeps its value.
    InsertOnly(Value),
}

impl Cell {
    /// A three-state field as a cell.
    pub fn of<T>(field: Option<Option<T>>) -> Cell
    where
        Option<T>: Into<Value>,
    {
        match field {
            None => Cell::Absent,
            Some(v) => Cell::Set(v.into()),
        }
    }

    /// A NOT NULL column: a value is set, an absent key or a null gets `default` on insert only.
    pub fn required_or<T>(field: Option<Option<T>>, default: T) -> Cell
    where
        Option<T>: Into<Value>,
    {
        match field {
            Some(Some(v)) => Cell::Set(Some(v).into()),
            _ => Cell::InsertOnly(Some(default).into()),
        }
    }

    fn merge(&mut self, newer: Cell) {
        match (&*self, newer) {
            (_, Cell::Absent) => {}
            (Cell::Set(_), Cell::InsertOnly(_)) => {}
            (_, n) => *self = n,
        }
    }
}

/// An upserted table: its name and non-key columns (the key is always `id`).
#[derive(Debug)]
pub struct TableSpec {
    /// The table.
    pub name: &'static str,
    /// Columns after `id`, in the order of [`Row::cells`].
    pub columns: &'static [&'static str],
}

/// `accounts` (never `stash_id`).
pub const ACCOUNTS: TableSpec = TableSpec {
    name: "accounts",
    columns: &[
        "username",
        "displayName",
        "flags",
        "version",
        "about",
        "location",
        "following",
        "profileAccess",
        "createdAt",
        "subscribed",
    ],
};

/// `media` (never `local_filename`, `content_hash`, `is_downloaded`, `stash_id`).
pub const MEDIA: TableSpec = TableSpec {
    name: "media",
    columns: &[
        "accountId",
        "location",
        "mimetype",
        "height",
        "width",
        "type",
        "status",
        "createdAt",
        "updatedAt",
        "flags",
        "meta_info",
        "duration",
    ],
};

/// `account_media`.
pub const ACCOUNT_MEDIA: TableSpec = TableSpec {
    name: "account_media",
    columns: &[
        "accountId",
        "mediaId",
        "previewId",
        "createdAt",
        "deletedAt",
        "deleted",
        "access",
    ],
};

/// `account_media_bundles`.
pub const BUNDLES: TableSpec = TableSpec {
    name: "account_media_bundles",
    columns: &[
        "accountId",
        "previewId",
        "createdAt",
        "deletedAt",
        "deleted",
        "access",
        "purchased",
        "whitelisted",
    ],
};

/// `posts`.
pub const POSTS: TableSpec = TableSpec {
    name: "posts",
    columns: &[
        "accountId",
        "content",
        "fypFlag",
        "inReplyTo",
        "inReplyToRoot",
        "createdAt",
        "expiresAt",
    ],
};

/// `messages`.
pub const MESSAGES: TableSpec = TableSpec {
    name: "messages",
    columns: &[
        "groupId",
        "senderId",
        "recipientId",
        "createdAt",
        "deletedAt",
        "deleted",
        "content",
    ],
};

/// `groups`.
pub const GROUPS: TableSpec = TableSpec {
    name: "groups",
    columns: &["createdBy", "lastMessageId"],
};

/// `media_stories`.
pub const STORIES: TableSpec = TableSpec {
    name: "media_stories",
    columns: &[
        "accountId",
        "contentType",
        "contentId",
        "createdAt",
        "updatedAt",
    ],
};

/// Index of `contentId` in [`STORIES`] cells.
pub const STORY_CONTENT_ID: usize = 2;

/// One upserted row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The `id`.
    pub id: i64,
    /// One cell per [`TableSpec::columns`] entry.
    pub cells: Vec<Cell>,
}

/// The rows of one upserted table; a repeated id merges into the first (newer present fields
/// win, as upstream's merge).
#[derive(Debug)]
pub struct Upserts {
    /// The table.
    pub spec: &'static TableSpec,
    index: HashMap<i64, usize>,
    /// Rows in first-seen order.
    pub rows: Vec<Row>,
}

impl Upserts {
    /// An empty table.
    pub fn new(spec: &'static TableSpec) -> Self {
        Self {
            spec,
            index: HashMap::new(),
            rows: Vec::new(),
        }
    }

    /// Adds or merges a row.
    pub fn put(&mut self, id: i64, cells: Vec<Cell>) {
        debug_assert_eq!(cells.len(), self.spec.columns.len(), "{}", self.spec.name);
        match self.index.get(&id) {
            Some(&i) => {
                for (old, new) in self.rows[i].cells.iter_mut().zip(cells) {
                    old.merge(new);
                }
            }
            None => {
                self.index.insert(id, self.rows.len());
                self.rows.push(Row { id, cells });
            }
        }
    }

    /// Whether the id has a row here.
    pub fn contains(&self, id: i64) -> bool {
        self.index.contains_key(&id)
    }

    /// The row of `id`.
    pub fn get_mut(&mut self, id: i64) -> Option<&mut Row> {
        self.index.get(&id).map(|&i| &mut self.rows[i])
    }
}

/// Who owns an attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Owner {
    /// A post.
    Post(i64),
    /// A message.
    Message(i64),
}

/// One attachment as the API lists it (tips and unknown types already dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// `contentId`.
    pub content_id: i64,
    /// `pos`.
    pub pos: i32,
    /// `contentType`.
    pub kind: ContentKind,
}

/// One mention of an account in a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The mentioned account (may be unknown to the store).
    pub account_id: Option<i64>,
    /// The handle as written.
    pub handle: String,
}

/// A reference that may need a placeholder row, with the JSON path it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The account owning the placeholder (media) or creating it (group).
    pub owner: i64,
    /// Where the reference is in the document.
    pub path: String,
}

/// Everything one file writes.
#[derive(Debug)]
pub struct Batch {
    /// What kinds of response the document held (`timeline`, `messages`, ...).
    pub kinds: BTreeSet<&'static str>,
    /// `accounts`.
    pub accounts: Upserts,
    /// `media` (main media, previews, variants, avatars, banners).
    pub media: Upserts,
    /// `account_media`.
    pub account_media: Upserts,
    /// `account_media_bundles`.
    pub bundles: Upserts,
    /// `posts` (aggregated posts included).
    pub posts: Upserts,
    /// `messages`.
    pub messages: Upserts,
    /// `groups`.
    pub groups: Upserts,
    /// `media_stories`.
    pub stories: Upserts,
    /// Where each story's `contentId` came from (for warnings).
    pub story_paths: HashMap<i64, String>,
    /// `media_variants` (parent, variant).
    pub variants: BTreeSet<(i64, i64)>,
    /// `media_locations` per media that listed them (replaced).
    pub locations: BTreeMap<i64, Vec<(i64, Option<String>)>>,
    /// `account_avatar` per account (replaced).
    pub avatars: BTreeMap<i64, i64>,
    /// `account_banner` per account (replaced).
    pub banners: BTreeMap<i64, i64>,
    /// Bundle items (account media ids in order) per bundle that listed them, with the path.
    pub bundle_items: BTreeMap<i64, (Vec<i64>, String)>,
    /// Attachments per owner that listed them (replaced when different).
    pub attachments: BTreeMap<Owner, Vec<Attachment>>,
    /// Mentions per post that listed them (replaced when different).
    pub mentions: BTreeMap<i64, Vec<Mention>>,
    /// Hashtags per post whose content was given (replaced).
    pub hashtags: BTreeMap<i64, Vec<String>>,
    /// `group_users` (group, account).
    pub group_users: BTreeSet<(i64, i64)>,
    /// Accounts referenced (id, where): placeholders if unknown.
    pub account_refs: BTreeMap<i64, String>,
    /// Media referenced (id, owner and where): placeholders if unknown.
    pub media_refs: BTreeMap<i64, Reference>,
    /// Groups referenced by messages (id, sender and where): placeholders if unknown.
    pub group_refs: BTreeMap<i64, Reference>,
}

impl Default for Batch {
    fn default() -> Self {
        Self {
            kinds: BTreeSet::new(),
            accounts: Upserts::new(&ACCOUNTS),
            media: Upserts::new(&MEDIA),
            account_media: Upserts::new(&ACCOUNT_MEDIA),
            bundles: Upserts::new(&BUNDLES),
            posts: Upserts::new(&POSTS),
            messages: Upserts::new(&MESSAGES),
            groups: Upserts::new(&GROUPS),
            stories: Upserts::new(&STORIES),
            story_paths: HashMap::new(),
            variants: BTreeSet::new(),
            locations: BTreeMap::new(),
            avatars: BTreeMap::new(),
            banners: BTreeMap::new(),
            bundle_items: BTreeMap::new(),
            attachments: BTreeMap::new(),
            mentions: BTreeMap::new(),
            hashtags: BTreeMap::new(),
            group_users: BTreeSet::new(),
            account_refs: BTreeMap::new(),
            media_refs: BTreeMap::new(),
            group_refs: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_id_merges_present_fields_and_keeps_set_values() {
        let mut t = Upserts::new(&GROUPS);
        t.put(
            1,
            vec![Cell::Set(Some(5_i64).into()), Cell::Set(Some(7_i64).into())],
        );
        t.put(1, vec![Cell::InsertOnly(Some(9_i64).into()), Cell::Absent]);
        t.put(2, vec![Cell::Absent, Cell::Set(None::<i64>.into())]);
        t.put(2, vec![Cell::Set(Some(6_i64).into()), Cell::Absent]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(
            t.rows[0].cells,
            vec![Cell::Set(Some(5_i64).into()), Cell::Set(Some(7_i64).into())]
        );
        assert_eq!(
            t.rows[1].cells,
            vec![Cell::Set(Some(6_i64).into()), Cell::Set(None::<i64>.into())]
        );
    }
}
