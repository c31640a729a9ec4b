//! From a parsed Fansly API response to a [`Batch`] of rows, following upstream's rules
//! (`fansly-metadata-facts.md` §4): the `{"success", "response"}` envelope or a bare body; the
//! response kind detected by shape (timeline and wall pages, message pages, message groups,
//! conversations, account lookups, account-media and bundle responses, stories); ids as strings;
//! `*At` seconds or milliseconds; hashtags parsed from post text; tips and tip goals dropped;
//! bundle order from `accountMediaIds`; variants, previews, locations, avatars, banners.
//!
//! Unknown keys are counted warnings naming their JSON path, never failures; a value of the
//! wrong type, a missing required key or an out-of-range id is an error naming its path.

use chrono::Utc;
use domain::fansly::ContentKind;
use serde_json::Value;

use super::hashtags;
use super::json::{Field, JResult, Node, Obj, kind_of};
use super::report::Warnings;
use super::rows::{Attachment, Batch, Cell, Mention, Owner, Reference};

/// Top-level keys of an envelope.
const ENVELOPE_KEYS: &[&str] = &["success", "response"];

/// Keys of a response object that hold something we import.
const CONTENT_KEYS: &[&str] = &[
    "posts",
    "aggregatedPosts",
    "accountMedia",
    "accountMediaBundles",
    "accounts",
    "messages",
    "stories",
    "mediaStories",
    "conversations",
    "data",
    "aggregationData",
    "subscriptions",
];

/// Keys of a response object we know and ignore.
const IGNORED_PAGE_KEYS: &[&str] = &[
    "stats",
    "tips",
    "tipGoals",
    "accountMediaOrders",
    "storyOrders",
    "polls",
    "timelineReadPermissionFlags",
    "accountTimelineReadPermissionFlags",
    "mediaStoryState",
    "storyStates",
];

const ACCOUNT_KEYS: &[&str] = &[
    "id",
    "username",
    "displayName",
    "flags",
    "version",
    "createdAt",
    "subscribed",
    "about",
    "location",
    "following",
    "profileAccess",
    "avatar",
    "banner",
    // Known, not stored (upstream drops them or keeps them in tables sync does not read).
    "followCount",
    "subscriberCount",
    "permissions",
    "timelineStats",
    "mediaStoryState",
    "subscription",
    "subscriptionTiers",
    "profileSocials",
    "accountMediaLikes",
    "profileAccessFlags",
    "profileFlags",
    "postLikes",
    "streaming",
    "walls",
    "pinnedPosts",
    "joinDate",
    "lastSeen",
    "lastSeenAt",
    "statusId",
    "earnings",
];

const MEDIA_KEYS: &[&str] = &[
    "id",
    "type",
    "status",
    "accountId",
    "mimetype",
    "flags",
    "location",
    "width",
    "height",
    "metadata",
    "updatedAt",
    "createdAt",
    "variants",
    "locations",
    // Known, not stored.
    "variantHash",
    "filename",
];

const ACCOUNT_MEDIA_KEYS: &[&str] = &[
    "id",
    "accountId",
    "mediaId",
    "previewId",
    "createdAt",
    "deletedAt",
    "deleted",
    "access",
    "media",
    "preview",
    // Known, not stored.
    "permissionFlags",
    "price",
    "permissions",
    "likeCount",
    "liked",
    "purchased",
    "whitelisted",
    "accountPermissionFlags",
    "updatedAt",
    "tipAmount",
];

const BUNDLE_KEYS: &[&str] = &[
    "id",
    "accountId",
    "previewId",
    "preview",
    "createdAt",
    "deletedAt",
    "deleted",
    "access",
    "purchased",
    "whitelisted",
    "accountMediaIds",
    "bundleContent",
    // Known, not stored.
    "permissionFlags",
    "price",
    "permissions",
    "accountPermissionFlags",
    "likeCount",
    "liked",
    "updatedAt",
];

const POST_KEYS: &[&str] = &[
    "id",
    "accountId",
    "content",
    "fypFlags",
    "inReplyTo",
    "inReplyToRoot",
    "createdAt",
    "expiresAt",
    "attachments",
    "accountMentions",
    // Known, not stored (`hashtags` is re-parsed from `content`, as upstream).
    "hashtags",
    "updatedAt",
    "likeCount",
    "liked",
    "replyCount",
    "quoteCount",
    "timelineReadPermissionFlags",
    "accountTimelineReadPermissionFlags",
    "postReplyPermissionFlags",
    "mediaLikeCount",
    "totalTipAmount",
    "attachmentTipAmount",
    "wallIds",
    "pinned",
    "deletedAt",
    "deleted",
    // Aggregated posts.
    "postIds",
    "type",
    "metadata",
];

const MESSAGE_KEYS: &[&str] = &[
    "id",
    "groupId",
    "senderId",
    "recipientId",
    "createdAt",
    "deletedAt",
    "deleted",
    "content",
    "attachments",
    // Known, not stored.
    "type",
    "dataVersion",
    "correlationId",
    "inReplyTo",
    "inReplyToRoot",
    "updatedAt",
    "embeds",
    "interactions",
    "likes",
    "totalTipAmount",
    "previews",
];

const ATTACHMENT_KEYS: &[&str] = &["pos", "contentType", "contentId", "postId", "messageId"];

const MENTION_KEYS: &[&str] = &[
    "handle",
    "accountId",
    "username",
    "displayName",
    "id",
    "postId",
    "pos",
];

const GROUP_DATA_KEYS: &[&str] = &[
    "groupId",
    "account_id",
    "partnerAccountId",
    "lastMessageId",
    // Known, not stored.
    "partnerUsername",
    "flags",
    "unreadCount",
    "subscriptionTierId",
    "lastUnreadMessageId",
];

const AGGREGATED_GROUP_KEYS: &[&str] = &[
    "id",
    "createdBy",
    "users",
    "lastMessageId",
    // Known, not stored.
    "type",
    "flags",
    "createdAt",
    "updatedAt",
    "recipients",
    "lastMessage",
];

const AGGREGATION_KEYS: &[&str] = &["accounts", "groups", "accountMedia", "messages"];

const CONVERSATION_KEYS: &[&str] = &[
    "id",
    "accountId",
    "lastMessageId",
    "lastMessage",
    // Known, not stored.
    "createdAt",
    "updatedAt",
];

const STORY_KEYS: &[&str] = &[
    "id",
    "accountId",
    "authorId",
    "contentType",
    "contentId",
    "createdAt",
    "updatedAt",
    "attachments",
    // Known, not stored.
    "title",
    "description",
    "content",
    "expiresAt",
    "pollData",
    "sliderData",
    "permissions",
    "purchased",
    "whitelisted",
    "accountPermissionFlags",
    "access",
    "interactions",
    "deletedAt",
    "deleted",
    "version",
    "likeCount",
    "viewCount",
];

/// Parses one document into rows; the kinds found are in [`Batch::kinds`].
pub fn document(root: &Value, w: &mut Warnings) -> JResult<Batch> {
    let mut b = Batch::default();
    let top = Node::root(root, "$");
    let body = match root {
        Value::Object(map) if map.contains_key("response") => {
            let env = top.object("an API response")?;
            env.check_keys(ENVELOPE_KEYS, "the response envelope", w);
            if let Some(Some(false)) = env.bool("success")? {
                return Err(JsonError::at(
                    "$.success",
                    "the response says success=false: it is an error reply, not data",
                ));
            }
            match env.node("response") {
                Some(n) => Node {
                    value: n.value,
                    path: "response".into(),
                },
                None => return Err(JsonError::at("$.response", "`response` is null")),
            }
        }
        _ => top,
    };
    match body.value {
        Value::Array(_) => list(&body, &mut b, w)?,
        Value::Object(map) => {
            if map.contains_key("username") && map.contains_key("id") {
                b.kinds.insert("accounts");
                account(&body.object("an account")?, &mut b, w)?;
            } else {
                page(&body.object("an API response")?, &mut b, w)?;
            }
        }
        other => {
            return Err(body.err(format!(
                "expected an API response (an object or a list), found {}",
                kind_of(other)
            )));
        }
    }
    Ok(b)
}

use super::json::JsonError;

impl JsonError {
    fn at(path: &str, message: &str) -> Self {
        JsonError {
            path: path.to_owned(),
            message: message.to_owned(),
        }
    }
}

/// A bare list: accounts (`account?ids=`), account media (`account/media?ids=`), bundles,
/// posts or messages, told apart by the first item's keys.
fn list(body: &Node<'_>, b: &mut Batch, w: &mut Warnings) -> JResult<()> {
    let items = body.elements("items")?;
    let Some(first) = items.first() else {
        b.kinds.insert("empty");
        return Ok(());
    };
    let first = first.object("an item")?;
    if first.has("username") {
        b.kinds.insert("accounts");
        for n in &items {
            account(&n.object("an account")?, b, w)?;
        }
    } else if first.has("accountMediaIds") || first.has("bundleContent") {
        b.kinds.insert("bundles");
        for n in &items {
            bundle(&n.object("a bundle")?, b, w)?;
        }
    } else if first.has("mediaId") || first.has("media") {
        b.kinds.insert("account media");
        for n in &items {
            account_media(&n.object("an account media")?, None, b, w)?;
        }
    } else if first.has("senderId") {
        b.kinds.insert("messages");
        for n in &items {
            message(&n.object("a message")?, None, b, w)?;
        }
    } else if first.has("fypFlags") || first.has("accountMentions") {
        b.kinds.insert("timeline");
        for n in &items {
            post(&n.object("a post")?, b, w)?;
        }
    } else {
        return Err(first_err(
            &items[0],
            "a list whose items are not accounts, account media, bundles, posts or messages",
        ));
    }
    Ok(())
}

fn first_err(n: &Node<'_>, what: &str) -> JsonError {
    n.err(format!(
        "not a Fansly API response this importer knows: {what}"
    ))
}

/// A response object holding any of the known collections.
fn page(o: &Obj<'_>, b: &mut Batch, w: &mut Warnings) -> JResult<()> {
    if !CONTENT_KEYS.iter().any(|k| o.has(k)) {
        return Err(JsonError {
            path: o.path().to_owned(),
            message: format!(
                "not a Fansly API response this importer knows: expected one of the keys {}",
                CONTENT_KEYS.join(", ")
            ),
        });
    }
    let known: Vec<&str> = CONTENT_KEYS
        .iter()
        .chain(IGNORED_PAGE_KEYS)
        .copied()
        .collect();
    o.check_keys(&known, "the response", w);

    let label = if o.has("posts") || o.has("aggregatedPosts") {
        "timeline"
    } else if o.has("messages") {
        "messages"
    } else if o.has("data") || o.has("aggregationData") {
        "groups"
    } else if o.has("conversations") {
        "conversations"
    } else if o.has("stories") || o.has("mediaStories") {
        "stories"
    } else if o.has("accountMediaBundles") {
        "bundles"
    } else if o.has("accountMedia") {
        "account media"
    } else if o.has("subscriptions") {
        "subscriptions"
    } else {
        "accounts"
    };
    b.kinds.insert(label);

    for n in o.array("accounts", "accounts")? {
        account(&n.object("an account")?, b, w)?;
    }
    for n in o.array("posts", "posts")? {
        post(&n.object("a post")?, b, w)?;
    }
    for n in o.array("aggregatedPosts", "aggregated posts")? {
        post(&n.object("an aggregated post")?, b, w)?;
    }
    for n in o.array("accountMedia", "account media")? {
        account_media(&n.object("an account media")?, None, b, w)?;
    }
    for n in o.array("accountMediaBundles", "bundles")? {
        bundle(&n.object("a bundle")?, b, w)?;
    }
    for n in o.array("messages", "messages")? {
        message(&n.object("a message")?, None, b, w)?;
    }
    for n in o.array("data", "message groups")? {
        group_data(&n.object("a message group")?, b, w)?;
    }
    if let Some(agg) = o.object("aggregationData", "aggregation data")? {
        aggregation(&agg, b, w)?;
    }
    for n in o.array("conversations", "conversations")? {
        conversation(&n.object("a conversation")?, b, w)?;
    }
    for n in o.array("stories", "stories")? {
        story(&n.object("a story")?, b, w)?;
    }
    for n in o.array("mediaStories", "media stories")? {
        story(&n.object("a media story")?, b, w)?;
    }
    if o.has("subscriptions") {
        // Check the shape, then say it is not imported.
        o.array("subscriptions", "subscriptions")?;
        w.add(
            Some(format!("{}.subscriptions", o.path())),
            "subscriptions are not imported: sync does not use them",
        );
    }
    Ok(())
}

fn required_str(o: &Obj<'_>, key: &str) -> JResult<String> {
    match o.str(key)? {
        Some(Some(s)) => Ok(s),
        Some(None) => Err(JsonError {
            path: format!("{}.{key}", o.path()),
            message: format!("required `{key}` is null"),
        }),
        None => Err(JsonError {
            path: format!("{}.{key}", o.path()),
            message: format!("required key `{key}` is missing"),
        }),
    }
}

fn required_id_or(o: &Obj<'_>, key: &str, fallback: Option<i64>) -> JResult<i64> {
    match (o.opt_id(key)?, fallback) {
        (Some(Some(id)), _) => Ok(id),
        (_, Some(id)) => Ok(id),
        _ => o.id(key),
    }
}

fn flat<T>(f: Field<T>) -> Option<T> {
    f.flatten()
}

fn reference_account(b: &mut Batch, id: i64, path: String) {
    b.account_refs.entry(id).or_insert(path);
}

fn account(o: &Obj<'_>, b: &mut Batch, w: &mut Warnings) -> JResult<()> {
    o.check_keys(ACCOUNT_KEYS, "an account", w);
    let id = o.id("id")?;
    let username = required_str(o, "username")?;
    let cells = vec![
        Cell::Set(Some(username).into()),
        Cell::of(o.str("displayName")?),
        Cell::of(o.i32("flags")?),
        Cell::of(o.i32("version")?),
        Cell::of(o.str("about")?),
        Cell::of(o.str("location")?),
        Cell::of(o.bool("following")?),
        Cell::of(o.bool("profileAccess")?),
        Cell::of(o.time("createdAt")?),
        Cell::of(o.bool("subscribed")?),
    ];
    b.accounts.put(id, cells);
    if let Some(n) = o.node("avatar") {
        let m = media(&n.object("an avatar media")?, Some(id), b, w)?;
        b.avatars.insert(id, m);
    }
    if let Some(n) = o.node("banner") {
        let m = media(&n.object("a banner media")?, Some(id), b, w)?;
        b.banners.insert(id, m);
    }
    Ok(())
}

/// Duration and original size from a media's `metadata` JSON string.
struct MediaMeta {
    duration: Option<f64>,
    width: Option<i32>,
    height: Option<i32>,
}

fn media_meta(raw: &str) -> Option<MediaMeta> {
    let v: Value = serde_json::from_str(raw).ok()?;
    let int = |v: Option<&Value>| {
        v.and_then(Value::as_i64)
            .and_then(|i| i32::try_from(i).ok())
    };
    let original = v.get("original");
    Some(MediaMeta {
        duration: v.get("duration").and_then(Value::as_f64),
        width: int(original.and_then(|o| o.get("width"))).or(int(v.get("originalWidth"))),
        height: int(original.and_then(|o| o.get("height"))).or(int(v.get("originalHeight"))),
    })
}

/// A media object (with its variants and locations); returns its id.
fn media(
    o: &Obj<'_>,
    parent_account: Option<i64>,
    b: &mut Batch,
    w: &mut Warnings,
) -> JResult<i64> {
    o.check_keys(MEDIA_KEYS, "a media", w);
    let id = o.id("id")?;
    let account = required_id_or(o, "accountId", parent_account)?;
    reference_account(b, account, format!("{}.accountId", o.path()));
    let mimetype = o.str("mimetype")?;
    let metadata: Field<String> = match o.get("metadata") {
        None => o.str("metadata")?,
        Some(Value::String(s)) => Some(Some(s.clone())),
        // Upstream stores the raw string; an object is kept as its JSON text.
        Some(other) => Some(Some(other.to_string())),
    };
    let meta = flat(metadata.clone()).as_deref().and_then(media_meta);
    let mut width = o.i32("width")?;
    let mut height = o.i32("height")?;
    let mut duration: Field<f64> = None;
    if let Some(meta) = &meta {
        let video = flat(mimetype.clone()).is_some_and(|m| m.starts_with("video/"));
        if video && let Some(d) = meta.duration {
            duration = Some(Some(d));
        }
        if flat(width).is_none()
            && let Some(x) = meta.width
        {
            width = Some(Some(x));
        }
        if flat(height).is_none()
            && let Some(x) = meta.height
        {
            height = Some(Some(x));
        }
    }
    let cells = vec![
        Cell::Set(Some(account).into()),
        Cell::of(o.str("location")?),
        Cell::of(mimetype),
        Cell::of(height),
        Cell::of(width),
        Cell::of(o.i32("type")?),
        Cell::of(o.i32("status")?),
        Cell::of(o.time("createdAt")?),
        Cell::of(o.time("updatedAt")?),
        Cell::of(o.i32("flags")?),
        Cell::of(metadata),
        Cell::of(duration),
    ];
    b.media.put(id, cells);
    for n in o.array("variants", "variants")? {
        let v = media(&n.object("a variant media")?, Some(account), b, w)?;
        if v != id {
            b.variants.insert((id, v));
        }
    }
    if o.get("locations").is_some() {
        let mut list = Vec::new();
        for n in o.array("locations", "locations")? {
            let l = n.object("a location")?;
            l.check_keys(&["locationId", "location"], "a location", w);
            let Some(location_id) = l.small_int("locationId")? else {
                return Err(JsonError {
                    path: format!("{}.locationId", l.path()),
                    message: "required key `locationId` is missing".into(),
                });
            };
            let url = flat(l.str("location")?)
                .map(|u| u.split('?').next().unwrap_or_default().to_owned());
            if !list.iter().any(|(lid, _)| *lid == location_id) {
                list.push((location_id, url));
            }
        }
        b.locations.insert(id, list);
    }
    Ok(id)
}

fn account_media(
    o: &Obj<'_>,
    default_account: Option<i64>,
    b: &mut Batch,
    w: &mut Warnings,
) -> JResult<()> {
    o.check_keys(ACCOUNT_MEDIA_KEYS, "an account media", w);
    let id = o.id("id")?;
    let account = required_id_or(o, "accountId", default_account)?;
    reference_account(b, account, format!("{}.accountId", o.path()));
    let nested_media = match o.object("media", "a media")? {
        Some(m) => Some(media(&m, Some(account), b, w)?),
        None => None,
    };
    let media_id = match (flat(o.opt_id("mediaId")?), nested_media) {
        (Some(m), _) | (None, Some(m)) => m,
        (None, None) => {
            return Err(JsonError {
                path: format!("{}.mediaId", o.path()),
                message: "an account media needs `mediaId` or a `media` object; neither is there"
                    .into(),
            });
        }
    };
    if nested_media != Some(media_id) {
        b.media_refs.entry(media_id).or_insert(Reference {
            owner: account,
            path: format!("{}.mediaId", o.path()),
        });
    }
    let nested_preview = match o.object("preview", "a preview media")? {
        Some(m) => Some(media(&m, Some(account), b, w)?),
        None => None,
    };
    let preview = preview_of(o, nested_preview, account, b)?;
    let created = match flat(o.time("createdAt")?) {
        Some(t) => Cell::Set(Some(t).into()),
        None => {
            let fallback = nested_media
                .and_then(|m| b.media.get_mut(m))
                .and_then(|row| match &row.cells[7] {
                    Cell::Set(v) => Some(v.clone()),
                    _ => None,
                })
                .filter(|v| !matches!(v, sea_orm::Value::ChronoDateTimeUtc(None)));
            Cell::InsertOnly(fallback.unwrap_or_else(|| Some(Utc::now()).into()))
        }
    };
    let cells = vec![
        Cell::Set(Some(account).into()),
        Cell::Set(Some(media_id).into()),
        Cell::of(preview),
        created,
        Cell::of(o.time("deletedAt")?),
        Cell::required_or(o.bool("deleted")?, false),
        Cell::required_or(o.bool("access")?, false),
    ];
    b.account_media.put(id, cells);
    Ok(())
}

/// `previewId` (or the nested preview's id); a preview not in the document is a reference.
fn preview_of(
    o: &Obj<'_>,
    nested_preview: Option<i64>,
    account: i64,
    b: &mut Batch,
) -> JResult<Field<i64>> {
    let mut preview = o.opt_id("previewId")?;
    if flat(preview).is_none()
        && let Some(p) = nested_preview
    {
        preview = Some(Some(p));
    }
    if let Some(p) = flat(preview)
        && nested_preview != Some(p)
    {
        b.media_refs.entry(p).or_insert(Reference {
            owner: account,
            path: format!("{}.previewId", o.path()),
        });
    }
    Ok(preview)
}

fn bundle(o: &Obj<'_>, b: &mut Batch, w: &mut Warnings) -> JResult<()> {
    o.check_keys(BUNDLE_KEYS, "a bundle", w);
    let id = o.id("id")?;
    let account = o.id("accountId")?;
    reference_account(b, account, format!("{}.accountId", o.path()));
    let nested_preview = match o.object("preview", "a preview media")? {
        Some(m) => Some(media(&m, Some(account), b, w)?),
        None => None,
    };
    let preview = preview_of(o, nested_preview, account, b)?;
    let created = match flat(o.time("createdAt")?) {
        Some(t) => Cell::Set(Some(t).into()),
        // Upstream: "now" when the API omits it.
        None => Cell::InsertOnly(Some(Utc::now()).into()),
    };
    let cells = vec![
        Cell::Set(Some(account).into()),
        Cell::of(preview),
        created,
        Cell::of(o.time("deletedAt")?),
        Cell::required_or(o.bool("deleted")?, false),
        Cell::required_or(o.bool("access")?, false),
        Cell::required_or(o.bool("purchased")?, false),
        Cell::required_or(o.bool("whitelisted")?, false),
    ];
    b.bundles.put(id, cells);
    if o.get("accountMediaIds").is_some() {
        let node = o.node("accountMediaIds");
        let mut ids = Vec::new();
        if let Some(node) = node {
            for n in node.elements("account media ids")? {
                let id = super::json::snowflake(n.value).map_err(|m| n.err(m))?;
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            b.bundle_items.insert(id, (ids, node.path));
        }
    } else if o.get("bundleContent").is_some() {
        // No `accountMediaIds`: fall back to `bundleContent` ordered by its `pos`.
        let mut entries = Vec::new();
        for (i, n) in o
            .array("bundleContent", "bundle content")?
            .iter()
            .enumerate()
        {
            let e = n.object("a bundle entry")?;
            e.check_keys(&["accountMediaId", "pos"], "a bundle entry", w);
            let am = e.id("accountMediaId")?;
            let pos = flat(e.i32("pos")?).unwrap_or(i32::try_from(i).unwrap_or(i32::MAX));
            entries.push((pos, am));
        }
        entries.sort_by_key(|(pos, _)| *pos);
        let mut ids: Vec<i64> = Vec::new();
        for (_, am) in entries {
            if !ids.contains(&am) {
                ids.push(am);
            }
        }
        b.bundle_items
            .insert(id, (ids, format!("{}.bundleContent", o.path())));
    }
    Ok(())
}

/// An attachment list: tips (7), tip goals (7100) and unknown types dropped.
fn attachments(o: &Obj<'_>, w: &mut Warnings) -> JResult<Option<Vec<Attachment>>> {
    if !o.has("attachments") {
        return Ok(None);
    }
    let mut out = Vec::new();
    for (i, n) in o.array("attachments", "attachments")?.iter().enumerate() {
        let a = n.object("an attachment")?;
        a.check_keys(ATTACHMENT_KEYS, "an attachment", w);
        let Some(code) = a.small_int("contentType")? else {
            return Err(n.err("required key `contentType` is missing"));
        };
        if code == 7 || code == 7100 {
            continue;
        }
        let kind = match ContentKind::from_api_code(code) {
            Ok(k) => k,
            Err(e) => {
                w.add(
                    Some(format!("{}.contentType", n.path)),
                    format!("{e}; attachment dropped, as upstream does"),
                );
                continue;
            }
        };
        let content_id = a.id("contentId")?;
        let pos = flat(a.i32("pos")?).unwrap_or(i32::try_from(i).unwrap_or(i32::MAX));
        out.push(Attachment {
            content_id,
            pos,
            kind,
        });
    }
    out.sort_by_key(|a| a.pos);
    Ok(Some(out))
}

fn post(o: &Obj<'_>, b: &mut Batch, w: &mut Warnings) -> JResult<()> {
    o.check_keys(POST_KEYS, "a post", w);
    let id = o.id("id")?;
    let account = o.id("accountId")?;
    reference_account(b, account, format!("{}.accountId", o.path()));
    let content = o.str("content")?;
    if let Some(c) = &content {
        b.hashtags
            .insert(id, c.as_deref().map(hashtags::parse).unwrap_or_default());
    }
    let cells = vec![
        Cell::Set(Some(account).into()),
        match content {
            // Upstream's model default is "".
            None => Cell::InsertOnly(Some(String::new()).into()),
            Some(c) => Cell::Set(c.into()),
        },
        Cell::of(o.i32("fypFlags")?),
        Cell::of(o.opt_id("inReplyTo")?),
        Cell::of(o.opt_id("inReplyToRoot")?),
        Cell::of(o.time("createdAt")?),
        Cell::of(o.time("expiresAt")?),
    ];
    b.posts.put(id, cells);
    if let Some(list) = attachments(o, w)? {
        b.attachments.insert(Owner::Post(id), list);
    }
    if o.has("accountMentions") {
        let mut list: Vec<Mention> = Vec::new();
        for n in o.array("accountMentions", "mentions")? {
            let m = n.object("a mention")?;
            m.check_keys(MENTION_KEYS, "a mention", w);
            let account_id = flat(m.opt_id("accountId")?);
            let handle = match (flat(m.str("handle")?), flat(m.str("username")?)) {
                (Some(h), _) | (None, Some(h)) => h,
                (None, None) => {
                    w.add(
                        Some(n.path.clone()),
                        "a mention without `handle` or `username`; skipped (the handle is \
                         required)",
                    );
                    continue;
                }
            };
            let duplicate = list.iter().any(|x| {
                x.handle == handle || (account_id.is_some() && x.account_id == account_id)
            });
            if !duplicate {
                list.push(Mention { account_id, handle });
            }
        }
        b.mentions.insert(id, list);
    }
    Ok(())
}

fn message(
    o: &Obj<'_>,
    default_group: Option<i64>,
    b: &mut Batch,
    w: &mut Warnings,
) -> JResult<()> {
    o.check_keys(MESSAGE_KEYS, "a message", w);
    let id = o.id("id")?;
    let sender = o.id("senderId")?;
    reference_account(b, sender, format!("{}.senderId", o.path()));
    let Some(created) = flat(o.time("createdAt")?) else {
        return Err(JsonError {
            path: format!("{}.createdAt", o.path()),
            message: "required key `createdAt` is missing or null".into(),
        });
    };
    let mut group = o.opt_id("groupId")?;
    if flat(group).is_none()
        && let Some(g) = default_group
    {
        group = Some(Some(g));
    }
    if let Some(g) = flat(group) {
        b.group_refs.entry(g).or_insert(Reference {
            owner: sender,
            path: format!("{}.groupId", o.path()),
        });
    }
    let recipient = o.opt_id("recipientId")?;
    if let Some(r) = flat(recipient) {
        reference_account(b, r, format!("{}.recipientId", o.path()));
    }
    let content = match o.str("content")? {
        None => Cell::InsertOnly(Some(String::new()).into()),
        // NOT NULL upstream.
        Some(c) => Cell::Set(Some(c.unwrap_or_default()).into()),
    };
    let cells = vec![
        Cell::of(group),
        Cell::Set(Some(sender).into()),
        Cell::of(recipient),
        Cell::Set(Some(created).into()),
        Cell::of(o.time("deletedAt")?),
        Cell::required_or(o.bool("deleted")?, false),
        content,
    ];
    b.messages.put(id, cells);
    if let Some(list) = attachments(o, w)? {
        b.attachments.insert(Owner::Message(id), list);
    }
    Ok(())
}

fn group_row(b: &mut Batch, id: i64, created_by: i64, last: Field<i64>, path: String) {
    reference_account(b, created_by, path);
    b.groups
        .put(id, vec![Cell::Set(Some(created_by).into()), Cell::of(last)]);
}

/// One item of `GET messaging/groups` `data[]`. Unlike upstream, both the account and the
/// partner are linked as members (so messages are attributed to the creator).
fn group_data(o: &Obj<'_>, b: &mut Batch, w: &mut Warnings) -> JResult<()> {
    o.check_keys(GROUP_DATA_KEYS, "a message group", w);
    let id = o.id("groupId")?;
    let owner = o.id("account_id")?;
    group_row(
        b,
        id,
        owner,
        o.opt_id("lastMessageId")?,
        format!("{}.account_id", o.path()),
    );
    b.group_users.insert((id, owner));
    if let Some(partner) = flat(o.opt_id("partnerAccountId")?) {
        b.group_users.insert((id, partner));
    }
    Ok(())
}

fn aggregation(o: &Obj<'_>, b: &mut Batch, w: &mut Warnings) -> JResult<()> {
    o.check_keys(AGGREGATION_KEYS, "aggregation data", w);
    for n in o.array("accounts", "accounts")? {
        account(&n.object("an account")?, b, w)?;
    }
    for n in o.array("accountMedia", "account media")? {
        account_media(&n.object("an account media")?, None, b, w)?;
    }
    for n in o.array("messages", "messages")? {
        message(&n.object("a message")?, None, b, w)?;
    }
    for n in o.array("groups", "groups")? {
        let g = n.object("a group")?;
        g.check_keys(AGGREGATED_GROUP_KEYS, "a group", w);
        let id = g.id("id")?;
        let created_by = g.id("createdBy")?;
        group_row(
            b,
            id,
            created_by,
            g.opt_id("lastMessageId")?,
            format!("{}.createdBy", g.path()),
        );
        for u in g.array("users", "group users")? {
            let u = u.object("a group user")?;
            u.check_keys(
                &["userId", "groupId", "userFlags", "flags", "permissionFlags"],
                "a group user",
                w,
            );
            b.group_users.insert((id, u.id("userId")?));
        }
    }
    Ok(())
}

/// A conversation (`conversations[]`): a group with its last message.
fn conversation(o: &Obj<'_>, b: &mut Batch, w: &mut Warnings) -> JResult<()> {
    o.check_keys(CONVERSATION_KEYS, "a conversation", w);
    let id = o.id("id")?;
    let account = o.id("accountId")?;
    group_row(
        b,
        id,
        account,
        o.opt_id("lastMessageId")?,
        format!("{}.accountId", o.path()),
    );
    b.group_users.insert((id, account));
    if let Some(m) = o.object("lastMessage", "a message")? {
        message(&m, Some(id), b, w)?;
    }
    Ok(())
}

/// A story: `mediaStories[]` (`contentType`/`contentId`) or the older `stories[]` format
/// (`authorId`, `attachments`: the first attachment becomes the content).
fn story(o: &Obj<'_>, b: &mut Batch, w: &mut Warnings) -> JResult<()> {
    o.check_keys(STORY_KEYS, "a story", w);
    let id = o.id("id")?;
    let account = match flat(o.opt_id("accountId")?) {
        Some(a) => a,
        None => o.id("authorId")?,
    };
    reference_account(b, account, format!("{}.accountId", o.path()));
    let Some(created) = flat(o.time("createdAt")?) else {
        return Err(JsonError {
            path: format!("{}.createdAt", o.path()),
            message: "required key `createdAt` is missing or null".into(),
        });
    };
    let (content_type, content_id) = if o.has("contentType") || o.has("contentId") {
        let ct = o.small_int("contentType")?;
        let ct = match ct.map(i32::try_from) {
            None => None,
            Some(Ok(x)) => Some(x),
            Some(Err(_)) => {
                return Err(JsonError {
                    path: format!("{}.contentType", o.path()),
                    message: "contentType is out of range".into(),
                });
            }
        };
        (Cell::Set(ct.into()), Cell::of(o.opt_id("contentId")?))
    } else if let Some(list) = attachments(o, w)? {
        if list.len() > 1 {
            w.add(
                Some(format!("{}.attachments", o.path())),
                format!(
                    "a story holds one content; {} attachments given, the first is kept",
                    list.len()
                ),
            );
        }
        match list.first() {
            Some(a) => (
                Cell::Set(Some(i32::try_from(a.kind.api_code()).unwrap_or(0)).into()),
                Cell::Set(Some(a.content_id).into()),
            ),
            None => (Cell::Absent, Cell::Absent),
        }
    } else {
        (Cell::Absent, Cell::Absent)
    };
    b.story_paths.insert(id, format!("{}.contentId", o.path()));
    let cells = vec![
        Cell::Set(Some(account).into()),
        content_type,
        content_id,
        Cell::Set(Some(created).into()),
        Cell::of(o.time("updatedAt")?),
    ];
    b.stories.put(id, cells);
    Ok(())
}
