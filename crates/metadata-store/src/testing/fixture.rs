//! [`FixtureBuilder`]: rows for the upstream tables, inserted into PostgreSQL (upstream dump or
//! our migrations) or SQLite with multi-row inserts, in foreign-key order.
//!
//! Every method takes explicit ids so tests can name what they assert on. [`CreatorShape`]
//! generates a whole creator (posts, messages, bundles, images, videos, unattached media) for
//! sync tests and benchmarks.

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::fansly::{AttachmentOwner, ContentKind};
use sea_orm::sea_query::{Alias, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Value};

use crate::MetadataStore;

/// Bind parameters per insert statement (below SQLite's 32,766 and PostgreSQL's 65,535).
const MAX_PARAMS: usize = 30_000;

/// The time fixture rows get unless told otherwise: 2024-01-01T00:00:00Z.
pub fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// An attachment row before ids are assigned: post, message, contentId, pos, contentType.
type AttachmentRow = (Option<i64>, Option<i64>, i64, i32, String);

#[derive(Debug, Clone)]
struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<SimpleExpr>>,
}

impl Table {
    fn new(name: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            name,
            columns,
            rows: Vec::new(),
        }
    }
}

fn v(x: impl Into<Value>) -> SimpleExpr {
    SimpleExpr::Value(x.into())
}

/// Collects rows, then inserts them all with [`FixtureBuilder::insert`].
#[derive(Debug, Clone)]
pub struct FixtureBuilder {
    accounts: Table,
    media: Table,
    variants: Table,
    avatars: Table,
    banners: Table,
    account_media: Table,
    bundles: Table,
    bundle_media: Table,
    posts: Table,
    groups: Table,
    group_users: Table,
    messages: Table,
    attachments: Vec<AttachmentRow>,
    hashtags: Vec<(i32, String)>,
    /// Hashtags an earlier builder inserted: linked, not inserted again.
    known_hashtags: Vec<(i32, String)>,
    post_hashtags: Table,
    mentions: Table,
    next_attachment: i64,
    next_mention: i32,
}

impl Default for FixtureBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl FixtureBuilder {
    /// An empty fixture.
    pub fn new() -> Self {
        Self {
            accounts: Table::new(
                "accounts",
                &[
                    "id",
                    "username",
                    "displayName",
                    "about",
                    "createdAt",
                    "stash_id",
                ],
            ),
            media: Table::new(
                "media",
                &[
                    "id",
                    "accountId",
                    "mimetype",
                    "local_filename",
                    "width",
                    "height",
                    "duration",
                    "createdAt",
                    "is_downloaded",
                    "stash_id",
                ],
            ),
            variants: Table::new("media_variants", &["mediaId", "variantId"]),
            avatars: Table::new("account_avatar", &["accountId", "mediaId"]),
            banners: Table::new("account_banner", &["accountId", "mediaId"]),
            account_media: Table::new(
                "account_media",
                &[
                    "id",
                    "accountId",
                    "mediaId",
                    "previewId",
                    "createdAt",
                    "deleted",
                    "access",
                ],
            ),
            bundles: Table::new(
                "account_media_bundles",
                &[
                    "id",
                    "accountId",
                    "previewId",
                    "createdAt",
                    "deleted",
                    "access",
                    "purchased",
                    "whitelisted",
                ],
            ),
            bundle_media: Table::new(
                "account_media_bundle_media",
                &["bundle_id", "media_id", "pos"],
            ),
            posts: Table::new("posts", &["id", "accountId", "content", "createdAt"]),
            groups: Table::new("groups", &["id", "createdBy"]),
            group_users: Table::new("group_users", &["groupId", "accountId"]),
            messages: Table::new(
                "messages",
                &[
                    "id",
                    "groupId",
                    "senderId",
                    "recipientId",
                    "content",
                    "createdAt",
                    "deleted",
                ],
            ),
            attachments: Vec::new(),
            hashtags: Vec::new(),
            known_hashtags: Vec::new(),
            post_hashtags: Table::new("post_hashtags", &["postId", "hashtagId"]),
            mentions: Table::new("post_mentions", &["id", "postId", "accountId", "handle"]),
            next_attachment: 1,
            next_mention: 1,
        }
    }

    /// An account (`displayName` = None, `createdAt` = [`base_time`]).
    pub fn account(&mut self, id: i64, username: &str) -> &mut Self {
        self.account_full(id, username, None, None, None)
    }

    /// An account with every field sync reads.
    pub fn account_full(
        &mut self,
        id: i64,
        username: &str,
        display_name: Option<&str>,
        about: Option<&str>,
        stash_id: Option<i32>,
    ) -> &mut Self {
        self.accounts.rows.push(vec![
            v(id),
            v(username),
            v(display_name.map(str::to_owned)),
            v(about.map(str::to_owned)),
            v(Some(base_time())),
            v(stash_id),
        ]);
        self
    }

    /// A media row; downloaded (`is_downloaded`) exactly when `local_filename` is given;
    /// `createdAt` = [`base_time`] + `id % 1,000,000` seconds.
    pub fn media(
        &mut self,
        id: i64,
        account_id: i64,
        mimetype: Option<&str>,
        local_filename: Option<&str>,
    ) -> &mut Self {
        let created = base_time() + Duration::seconds(id.rem_euclid(1_000_000));
        self.media_full(
            id,
            account_id,
            mimetype,
            local_filename,
            Some(created),
            None,
        )
    }

    /// A media row with an explicit creation time and Stash id.
    pub fn media_full(
        &mut self,
        id: i64,
        account_id: i64,
        mimetype: Option<&str>,
        local_filename: Option<&str>,
        created_at: Option<DateTime<Utc>>,
        stash_id: Option<i32>,
    ) -> &mut Self {
        self.media.rows.push(vec![
            v(id),
            v(account_id),
            v(mimetype.map(str::to_owned)),
            v(local_filename.map(str::to_owned)),
            v(Some(1080i32)),
            v(Some(1920i32)),
            v(mimetype.filter(|m| m.starts_with("video")).map(|_| 12.5f64)),
            v(created_at),
            v(local_filename.is_some()),
            v(stash_id),
        ]);
        self
    }

    /// `variant` is a rendition of `parent` (both media rows).
    pub fn variant(&mut self, parent: i64, variant: i64) -> &mut Self {
        self.variants.rows.push(vec![v(parent), v(variant)]);
        self
    }

    /// The account's avatar media.
    pub fn avatar(&mut self, account_id: i64, media_id: i64) -> &mut Self {
        self.avatars.rows.push(vec![v(account_id), v(media_id)]);
        self
    }

    /// The account's banner media.
    pub fn banner(&mut self, account_id: i64, media_id: i64) -> &mut Self {
        self.banners.rows.push(vec![v(account_id), v(media_id)]);
        self
    }

    /// An account media wrapping `media_id`, with an optional preview media.
    pub fn account_media(
        &mut self,
        id: i64,
        account_id: i64,
        media_id: i64,
        preview_id: Option<i64>,
    ) -> &mut Self {
        self.account_media.rows.push(vec![
            v(id),
            v(account_id),
            v(media_id),
            v(preview_id),
            v(base_time()),
            v(false),
            v(true),
        ]);
        self
    }

    /// A bundle of account media (`pos` = index in `members`), with an optional preview media.
    pub fn bundle(
        &mut self,
        id: i64,
        account_id: i64,
        members: &[i64],
        preview_id: Option<i64>,
    ) -> &mut Self {
        self.bundles.rows.push(vec![
            v(id),
            v(account_id),
            v(preview_id),
            v(base_time()),
            v(false),
            v(true),
            v(false),
            v(false),
        ]);
        for (pos, m) in members.iter().enumerate() {
            let pos = i32::try_from(pos).unwrap_or(i32::MAX);
            self.bundle_media.rows.push(vec![v(id), v(*m), v(pos)]);
        }
        self
    }

    /// A post (`createdAt` = [`base_time`] + `id % 1,000,000` minutes).
    pub fn post(&mut self, id: i64, account_id: i64, content: &str) -> &mut Self {
        let created = base_time() + Duration::minutes(id.rem_euclid(1_000_000));
        self.post_full(id, account_id, Some(content), Some(created))
    }

    /// A post with nullable content and time (stub posts have neither).
    pub fn post_full(
        &mut self,
        id: i64,
        account_id: i64,
        content: Option<&str>,
        created_at: Option<DateTime<Utc>>,
    ) -> &mut Self {
        self.posts.rows.push(vec![
            v(id),
            v(account_id),
            v(content.map(str::to_owned)),
            v(created_at),
        ]);
        self
    }

    /// A conversation and its members.
    pub fn group(&mut self, id: i64, created_by: i64, users: &[i64]) -> &mut Self {
        self.groups.rows.push(vec![v(id), v(created_by)]);
        for u in users {
            self.group_users.rows.push(vec![v(id), v(*u)]);
        }
        self
    }

    /// A message (`createdAt` = [`base_time`] + `id % 1,000,000` minutes).
    pub fn message(
        &mut self,
        id: i64,
        group_id: Option<i64>,
        sender_id: i64,
        recipient_id: Option<i64>,
        content: &str,
    ) -> &mut Self {
        let created = base_time() + Duration::minutes(id.rem_euclid(1_000_000));
        self.messages.rows.push(vec![
            v(id),
            v(group_id),
            v(sender_id),
            v(recipient_id),
            v(content),
            v(created),
            v(false),
        ]);
        self
    }

    /// An attachment of a post or message.
    pub fn attach(
        &mut self,
        owner: AttachmentOwner,
        pos: i32,
        kind: ContentKind,
        content_id: i64,
    ) -> &mut Self {
        let (post, message) = match owner {
            AttachmentOwner::Post(p) => (Some(p.0), None),
            AttachmentOwner::Message(m) => (None, Some(m.0)),
        };
        self.attach_raw(post, message, pos, kind.db_name(), content_id)
    }

    /// An attachment with any `contentType` text (on PostgreSQL the name must be a value of
    /// the `contenttype` enum; add one with `ALTER TYPE` to simulate a newer upstream).
    pub fn attach_raw(
        &mut self,
        post_id: Option<i64>,
        message_id: Option<i64>,
        pos: i32,
        content_type: &str,
        content_id: i64,
    ) -> &mut Self {
        self.attachments.push((
            post_id,
            message_id,
            content_id,
            pos,
            content_type.to_owned(),
        ));
        self
    }

    /// The id the next attachment will get (attachments are numbered from 1 in insert order).
    pub fn next_attachment_id(&self) -> i64 {
        self.next_attachment + i64::try_from(self.attachments.len()).unwrap_or(0)
    }

    /// Links a hashtag (created on first use, lowercase) to a post.
    pub fn hashtag(&mut self, post_id: i64, value: &str) -> &mut Self {
        let value = value.trim_start_matches('#').to_lowercase();
        let known = self.hashtags.iter().chain(&self.known_hashtags);
        let id = match known.clone().find(|(_, h)| *h == value) {
            Some((id, _)) => *id,
            None => {
                let id = i32::try_from(known.count() + 1).unwrap_or(i32::MAX);
                self.hashtags.push((id, value));
                id
            }
        };
        self.post_hashtags.rows.push(vec![v(post_id), v(id)]);
        self
    }

    /// A mention in a post, of a known account, an unknown one, or none.
    pub fn mention(&mut self, post_id: i64, handle: &str, account_id: Option<i64>) -> &mut Self {
        let id = self.next_mention;
        self.next_mention += 1;
        self.mentions
            .rows
            .push(vec![v(id), v(post_id), v(account_id), v(handle)]);
        self
    }

    /// A builder for rows inserted after this one's (so a large fixture can be inserted in
    /// slices): attachment and mention ids continue where this one's end, and the hashtags
    /// this one made are linked again but not inserted again.
    pub fn next_builder(&self) -> FixtureBuilder {
        let mut next = FixtureBuilder::new();
        next.next_attachment = self.next_attachment_id();
        next.next_mention = self.next_mention;
        next.known_hashtags = self
            .known_hashtags
            .iter()
            .chain(&self.hashtags)
            .cloned()
            .collect();
        next
    }

    /// Inserts everything into the store's database.
    pub async fn insert(&self, store: &MetadataStore) -> Result<(), DbErr> {
        self.insert_into(store.connection()).await
    }

    /// Inserts everything through any connection (PostgreSQL or SQLite).
    pub async fn insert_into<C: ConnectionTrait>(&self, db: &C) -> Result<(), DbErr> {
        let backend = db.get_database_backend();
        let mut attachments = Table::new(
            "attachments",
            &[
                "id",
                "postId",
                "messageId",
                "contentId",
                "pos",
                "contentType",
            ],
        );
        for (i, (post, message, content, pos, kind)) in self.attachments.iter().enumerate() {
            let id = self.next_attachment + i64::try_from(i).unwrap_or(0);
            let kind_value = match backend {
                DbBackend::Postgres => v(kind.as_str()).cast_as(Alias::new("contenttype")),
                _ => v(kind.as_str()),
            };
            attachments.rows.push(vec![
                v(id),
                v(*post),
                v(*message),
                v(*content),
                v(*pos),
                kind_value,
            ]);
        }
        let mut hashtags = Table::new("hashtags", &["id", "value"]);
        for (id, value) in &self.hashtags {
            hashtags.rows.push(vec![v(*id), v(value.as_str())]);
        }
        for table in [
            &self.accounts,
            &self.media,
            &self.variants,
            &self.avatars,
            &self.banners,
            &self.account_media,
            &self.bundles,
            &self.bundle_media,
            &self.posts,
            &self.groups,
            &self.group_users,
            &self.messages,
            &attachments,
            &hashtags,
            &self.post_hashtags,
            &self.mentions,
        ] {
            insert_table(db, table).await?;
        }
        Ok(())
    }
}

async fn insert_table<C: ConnectionTrait>(db: &C, table: &Table) -> Result<(), DbErr> {
    let per_statement = (MAX_PARAMS / table.columns.len()).max(1);
    for chunk in table.rows.chunks(per_statement) {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new(table.name))
            .columns(table.columns.iter().map(|c| Alias::new(*c)));
        for row in chunk {
            insert
                .values(row.iter().cloned())
                .map_err(|e| DbErr::Custom(format!("fixture row for {}: {e}", table.name)))?;
        }
        db.execute(db.get_database_backend().build(&insert)).await?;
    }
    Ok(())
}

/// The shape of a generated creator.
#[derive(Debug, Clone)]
pub struct CreatorShape {
    /// The creator's account id; other ids are derived from it.
    pub account_id: i64,
    /// The creator's username.
    pub username: String,
    /// Posts authored.
    pub posts: usize,
    /// Messages in one conversation with a fan (half sent by the fan).
    pub messages: usize,
    /// Image media (each wrapped in an account media).
    pub images: usize,
    /// Video media (each wrapped in an account media, every video with a preview image).
    pub videos: usize,
    /// Bundles of `bundle_size` account media, each attached to one post.
    pub bundles: usize,
    /// Account media per bundle.
    pub bundle_size: usize,
    /// Downloaded media no attachment reaches.
    pub unattached: usize,
}

impl CreatorShape {
    /// A creator with nothing yet.
    pub fn new(account_id: i64, username: &str) -> Self {
        Self {
            account_id,
            username: username.to_owned(),
            posts: 0,
            messages: 0,
            images: 0,
            videos: 0,
            bundles: 0,
            bundle_size: 5,
            unattached: 0,
        }
    }
}

/// Ids of what [`FixtureBuilder::generate_creator`] made, for assertions.
#[derive(Debug, Clone, Default)]
pub struct GeneratedCreator {
    /// Post ids, ascending.
    pub posts: Vec<i64>,
    /// Message ids, ascending.
    pub messages: Vec<i64>,
    /// Main media ids (images then videos).
    pub media: Vec<i64>,
    /// Preview media ids of the videos.
    pub previews: Vec<i64>,
    /// Bundle ids.
    pub bundles: Vec<i64>,
    /// Unattached downloaded media ids.
    pub unattached: Vec<i64>,
    /// The fan account in the conversation.
    pub fan: i64,
}

impl FixtureBuilder {
    /// Generates a creator: account media for every image and video (videos get a preview
    /// image), bundles over the first account media, one bundle per post for the first posts,
    /// the remaining account media spread round-robin over posts and messages, a hashtag per
    /// post, and unattached downloaded media. Ids: posts `a+1_000_000+i`, messages
    /// `a+2_000_000+i`, media `a+3_000_000+i`, previews `a+4_000_000+i`, account media
    /// `a+5_000_000+i`, bundles `a+6_000_000+i`, unattached `a+7_000_000+i`, fan `a+8_000_000`,
    /// group `a+9_000_000` (a = `account_id`).
    pub fn generate_creator(&mut self, shape: &CreatorShape) -> GeneratedCreator {
        let a = shape.account_id;
        let fan = a + 8_000_000;
        let mut out = GeneratedCreator {
            fan,
            ..GeneratedCreator::default()
        };
        self.account(a, &shape.username);
        self.account(fan, &format!("{}_fan", shape.username));
        let account_media = self.generate_account_media(shape, &mut out);
        let bundled = self.generate_bundles(shape, &account_media, &mut out);
        self.generate_posts_and_messages(shape, &mut out);
        self.attach_generated(&out, &account_media[bundled..]);
        for u in 0..shape.unattached {
            let id = a + 7_000_000 + i64::try_from(u).unwrap_or(0);
            let name = format!("2024-01-01_at_00-00_UTC_id_{id}.jpg");
            self.media(id, a, Some("image/jpeg"), Some(&name));
            out.unattached.push(id);
        }
        out
    }

    /// Account media for every image and video (videos with a preview image); their ids.
    fn generate_account_media(
        &mut self,
        shape: &CreatorShape,
        out: &mut GeneratedCreator,
    ) -> Vec<i64> {
        let a = shape.account_id;
        let total = shape.images + shape.videos;
        let mut account_media = Vec::with_capacity(total);
        for i in 0..total {
            let i64i = i64::try_from(i).unwrap_or(0);
            let (mime, ext) = if i < shape.images {
                ("image/jpeg", "jpg")
            } else {
                ("video/mp4", "mp4")
            };
            let mid = a + 3_000_000 + i64i;
            let name = format!("2024-01-01_at_00-00_UTC_id_{mid}.{ext}");
            self.media(mid, a, Some(mime), Some(&name));
            out.media.push(mid);
            let preview = if i >= shape.images {
                let pid = a + 4_000_000 + i64i;
                let pname = format!("2024-01-01_at_00-00_UTC_preview_id_{pid}.jpg");
                self.media(pid, a, Some("image/jpeg"), Some(&pname));
                out.previews.push(pid);
                Some(pid)
            } else {
                None
            };
            let amid = a + 5_000_000 + i64i;
            self.account_media(amid, a, mid, preview);
            account_media.push(amid);
        }
        account_media
    }

    /// Bundles over the first account media; returns how many account media they took.
    fn generate_bundles(
        &mut self,
        shape: &CreatorShape,
        account_media: &[i64],
        out: &mut GeneratedCreator,
    ) -> usize {
        let a = shape.account_id;
        let mut cursor = 0;
        for b in 0..shape.bundles {
            let end = (cursor + shape.bundle_size).min(account_media.len());
            let bid = a + 6_000_000 + i64::try_from(b).unwrap_or(0);
            self.bundle(bid, a, &account_media[cursor..end], None);
            out.bundles.push(bid);
            cursor = end;
        }
        cursor
    }

    /// Posts (a hashtag each) and messages in one conversation with the fan.
    fn generate_posts_and_messages(&mut self, shape: &CreatorShape, out: &mut GeneratedCreator) {
        let (a, fan) = (shape.account_id, out.fan);
        for p in 0..shape.posts {
            let pid = a + 1_000_000 + i64::try_from(p).unwrap_or(0);
            let tag = format!("tag{}", p % 10);
            self.post(pid, a, &format!("Post number {p} #{tag}"));
            self.hashtag(pid, &tag);
            out.posts.push(pid);
        }
        let group = a + 9_000_000;
        if shape.messages > 0 {
            self.group(group, a, &[a, fan]);
        }
        for m in 0..shape.messages {
            let mid = a + 2_000_000 + i64::try_from(m).unwrap_or(0);
            let (from, to) = if m % 2 == 0 { (a, fan) } else { (fan, a) };
            self.message(mid, Some(group), from, Some(to), &format!("Message {m}"));
            out.messages.push(mid);
        }
    }

    /// One bundle per post for the first posts, then the `loose` account media round-robin
    /// over posts and messages.
    fn attach_generated(&mut self, out: &GeneratedCreator, loose: &[i64]) {
        let mut next_pos: std::collections::HashMap<i64, i32> = Default::default();
        for (b, bid) in out.bundles.iter().enumerate() {
            if let Some(pid) = out.posts.get(b) {
                let pos = next_pos.entry(*pid).or_insert(0);
                self.attach(
                    AttachmentOwner::Post(domain::ids::PostId(*pid)),
                    *pos,
                    ContentKind::Bundle,
                    *bid,
                );
                *pos += 1;
            }
        }
        let owners: Vec<AttachmentOwner> = out
            .posts
            .iter()
            .map(|p| AttachmentOwner::Post(domain::ids::PostId(*p)))
            .chain(
                out.messages
                    .iter()
                    .map(|m| AttachmentOwner::Message(domain::ids::MessageId(*m))),
            )
            .collect();
        if owners.is_empty() {
            return;
        }
        for (i, amid) in loose.iter().enumerate() {
            let owner = owners[i % owners.len()];
            let key = match owner {
                AttachmentOwner::Post(p) => p.0,
                AttachmentOwner::Message(m) => m.0,
            };
            let pos = next_pos.entry(key).or_insert(0);
            self.attach(owner, *pos, ContentKind::AccountMedia, *amid);
            *pos += 1;
        }
    }
}
