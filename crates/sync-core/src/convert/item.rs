//! Posts and messages to galleries, their media to scene or image stamps, quoted posts to
//! chapters.

use std::collections::{HashMap, HashSet};

use domain::FuzzyDate;
use domain::content::{ContentItem, ItemMedia, ItemSource, MediaRole};
use domain::ids::{ImageId, PerformerId, PostId, StudioId, TagId};
use domain::stash::PerformerSpec;

use super::entities::{TRAILER_TAG, creator_studio_name, mention_spec, performer_spec};
use super::title::{item_title, media_title, upstream_title};
use crate::fingerprint::Fingerprint;

/// The fields we own on a gallery, scene or image, with entities named by natural key
/// (performer keys, studio and tag names) before they are resolved to Stash ids. Every text
/// is as Stash will store it: trimmed, and none when empty after trimming (Stash trims every
/// string it stores from v0.30, `o_strings_trimmed`), so comparisons, fingerprints and field
/// hashes see what Stash holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    /// Title.
    pub title: String,
    /// Code: the post or message id on galleries, the media id on scenes and images.
    pub code: Option<String>,
    /// The item's text, trimmed (none when blank).
    pub details: Option<String>,
    /// The item's UTC day.
    pub date: Option<FuzzyDate>,
    /// Fansly URLs.
    pub urls: Vec<String>,
    /// The creator studio's name.
    pub studio: String,
    /// Performer keys: the creator first, then mentions.
    pub performers: Vec<String>,
    /// Tag names: hashtags in first-seen order, then `Trailer` for previews.
    pub tags: Vec<String>,
    /// What earlier writers put in these fields, which still counts as ours.
    pub earlier: EarlierForms,
}

/// Earlier forms of our values that still count as ours though they differ from what we
/// want now: what fansly-scraper and versions of fansly-stash before values were trimmed
/// wrote for the same item. Never written and not part of the fingerprint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EarlierForms {
    /// fansly-scraper's title for the object, when its rule (on the untrimmed text) gives
    /// another one than ours.
    pub upstream_title: Option<String>,
    /// The blank text around the item's text: earlier versions sent the text with it as
    /// details (and remembered the hash of that), Stash stored it trimmed.
    pub details_padding: Padding,
}

/// The blank text before and after a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Padding {
    /// Before.
    pub leading: String,
    /// After.
    pub trailing: String,
}

impl Padding {
    /// The padding of `text` (empty for a text without).
    pub fn of(text: &str) -> Self {
        let start = text.len() - text.trim_start().len();
        let end = text.trim_end().len();
        if end <= start {
            return Self::default();
        }
        Self {
            leading: text[..start].to_owned(),
            trailing: text[end..].to_owned(),
        }
    }

    /// Whether there is any.
    pub fn is_empty(&self) -> bool {
        self.leading.is_empty() && self.trailing.is_empty()
    }

    /// `value` with this padding around it.
    pub fn around(&self, value: &str) -> String {
        format!("{}{value}{}", self.leading, self.trailing)
    }
}

/// Stash ids of the entities resolved so far, by natural key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntityIds {
    /// Performers by performer key.
    pub performers: HashMap<String, PerformerId>,
    /// Studios by name.
    pub studios: HashMap<String, StudioId>,
    /// Tags by name.
    pub tags: HashMap<String, TagId>,
}

/// The fields we own, resolved to Stash ids: what the planner compares with Stash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredFields {
    /// Title.
    pub title: String,
    /// Code.
    pub code: Option<String>,
    /// Details.
    pub details: Option<String>,
    /// Date.
    pub date: Option<FuzzyDate>,
    /// URLs we add.
    pub urls: Vec<String>,
    /// Studio.
    pub studio_id: Option<StudioId>,
    /// Performers we add.
    pub performer_ids: Vec<PerformerId>,
    /// Tags we add.
    pub tag_ids: Vec<TagId>,
    /// Earlier forms of these values that count as ours (not part of the fingerprint).
    pub earlier: EarlierForms,
}

impl Labels {
    /// Resolves names to ids; entities that could not be resolved (e.g. a tag Stash refused)
    /// are left out rather than failing the item.
    pub fn resolve(&self, ids: &EntityIds) -> DesiredFields {
        DesiredFields {
            title: self.title.clone(),
            code: self.code.clone(),
            details: self.details.clone(),
            date: self.date,
            urls: self.urls.clone(),
            studio_id: ids.studios.get(&self.studio).cloned(),
            performer_ids: self
                .performers
                .iter()
                .filter_map(|k| ids.performers.get(k).cloned())
                .collect(),
            tag_ids: self
                .tags
                .iter()
                .filter_map(|t| ids.tags.get(t).cloned())
                .collect(),
            earlier: self.earlier.clone(),
        }
    }
}

impl DesiredFields {
    /// The fingerprint of these fields on one Stash object (`extra` lets galleries add their
    /// member lists).
    pub fn fingerprint(&self, object_id: &str, extra: &[&str]) -> u64 {
        let date = self.date.map(|d| d.to_string());
        Fingerprint::new()
            .tag(1)
            .str(object_id)
            .str(&self.title)
            .opt(self.code.as_deref())
            .opt(self.details.as_deref())
            .opt(date.as_deref())
            .list(self.urls.iter().map(String::as_str))
            .opt(self.studio_id.as_ref().map(StudioId::as_str))
            .list(self.performer_ids.iter().map(PerformerId::as_str))
            .list(self.tag_ids.iter().map(TagId::as_str))
            .list(extra.iter().copied())
            .finish()
    }
}

/// The media of an item in display order, each media once (first occurrence wins).
pub fn distinct_media(item: &ContentItem) -> Vec<&ItemMedia> {
    let mut seen = HashSet::new();
    item.media
        .iter()
        .filter(|m| seen.insert(m.media.id))
        .collect()
}

/// Performer specs an item needs: its creator, then each mention (deduplicated by key),
/// leaving out mentions of accounts known only by their id (see [`unnamed_mention`]).
///
/// [`unnamed_mention`]: super::unnamed_mention
pub fn item_performer_specs(item: &ContentItem) -> Vec<PerformerSpec> {
    let mut seen = HashSet::new();
    std::iter::once(performer_spec(&item.owner))
        .chain(item.mentions.iter().filter_map(mention_spec))
        .filter(|s| seen.insert(s.key.clone()))
        .collect()
}

/// The item's text as Stash stores it: trimmed; none when blank.
fn details(item: &ContentItem) -> Option<String> {
    let text = item.content.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The title of an item (no media suffix).
pub fn title_of(item: &ContentItem) -> String {
    item_title(&item.content, &item.owner.username, item.created_at)
}

/// What every object of one item shares (title, details, date, studio, performer keys, tags),
/// computed once per item; the gallery's and each media's labels are made from it.
#[derive(Debug, Clone)]
pub struct ItemLabels<'a> {
    item: &'a ContentItem,
    base: Labels,
    /// fansly-scraper's title of the item (no media suffix).
    upstream_title: String,
}

impl<'a> ItemLabels<'a> {
    /// The shared labels of `item`.
    pub fn of(item: &'a ContentItem) -> Self {
        let title = title_of(item);
        let upstream_title = upstream_title(&item.content, &item.owner.username, item.created_at);
        let earlier = EarlierForms {
            upstream_title: (upstream_title != title).then(|| upstream_title.clone()),
            details_padding: Padding::of(&item.content),
        };
        let base = Labels {
            title,
            code: None,
            details: details(item),
            earlier,
            date: item.created_at.map(FuzzyDate::from_utc),
            urls: Vec::new(),
            studio: creator_studio_name(&item.owner.username),
            performers: item_performer_specs(item)
                .into_iter()
                .map(|s| s.key)
                .collect(),
            tags: item
                .hashtags
                .iter()
                .map(|h| h.as_str().to_owned())
                .collect(),
        };
        Self {
            item,
            base,
            upstream_title,
        }
    }

    /// What the item's gallery should carry; `None` for unattached media.
    pub fn gallery(&self) -> Option<Labels> {
        let code = self.item.source.gallery_code()?;
        Some(Labels {
            code: Some(code),
            urls: self.item.source.url().into_iter().collect(),
            ..self.base.clone()
        })
    }

    /// What the scene or image of the `index`-th (0-based) of `count` media should carry: the
    /// item's labels, the media id as code, the post url (posts only), and `Trailer` for
    /// previews when `trailer` is on.
    pub fn stamp(&self, media: &ItemMedia, index: usize, count: usize, trailer: bool) -> Labels {
        let title = media_title(&self.base.title, index + 1, count);
        let upstream = media_title(&self.upstream_title, index + 1, count);
        let mut labels = Labels {
            code: Some(media.media.id.to_string()),
            earlier: EarlierForms {
                upstream_title: (upstream != title).then_some(upstream),
                ..self.base.earlier.clone()
            },
            title,
            ..self.base.clone()
        };
        if let ItemSource::Post(_) = self.item.source {
            labels.urls = self.item.source.url().into_iter().collect();
        }
        if trailer && media.role == MediaRole::Preview {
            labels.tags.push(TRAILER_TAG.to_owned());
        }
        labels
    }
}

/// What a post's or message's gallery should carry; `None` for unattached media.
pub fn gallery_labels(item: &ContentItem) -> Option<Labels> {
    ItemLabels::of(item).gallery()
}

/// What the scene or image of the `index`-th (0-based) of `count` media of an item should
/// carry (see [`ItemLabels::stamp`]).
pub fn stamp_labels(
    item: &ContentItem,
    media: &ItemMedia,
    index: usize,
    count: usize,
    trailer: bool,
) -> Labels {
    ItemLabels::of(item).stamp(media, index, count, trailer)
}

/// A chapter we want in a gallery: it starts at the first of the quoted post's images that
/// the gallery holds, counted in the order Stash shows the gallery (known only once the
/// images are linked; see the engine's writer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredChapter {
    /// The quoted post.
    pub post: PostId,
    /// Title (the title rule on the quoted post).
    pub title: String,
    /// The 1-based position of the quoted post's first image among the item's images: the
    /// chapter's identity in fingerprints, not the index Stash gets.
    pub image_index: u32,
    /// The quoted post's images, in item order.
    pub images: Vec<ImageId>,
}

/// One chapter per quoted post that has at least one image among `images`; `linked` names
/// the aggregated post each of them came through (the two run in parallel, in item order).
pub fn chapters(
    item: &ContentItem,
    images: &[ImageId],
    linked: &[Option<PostId>],
) -> Vec<DesiredChapter> {
    item.aggregated
        .iter()
        .filter_map(|agg| {
            let pos = linked.iter().position(|v| *v == Some(agg.id))?;
            Some(DesiredChapter {
                post: agg.id,
                title: item_title(&agg.content, &item.owner.username, agg.created_at),
                image_index: u32::try_from(pos + 1).ok()?,
                images: images
                    .iter()
                    .zip(linked)
                    .filter(|(_, v)| **v == Some(agg.id))
                    .map(|(i, _)| i.clone())
                    .collect(),
            })
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use domain::content::AggregatedPost;
    use domain::fansly::{Account, Hashtag, Media, Mention};
    use domain::ids::{AccountId, GroupId, MediaId, MessageId};

    pub(crate) fn alice() -> Account {
        Account {
            id: AccountId(1),
            username: "alice".into(),
            display_name: Some("Alice".into()),
            about: None,
            created_at: None,
            stash_id: None,
        }
    }

    pub(crate) fn media(id: i64, mime: &str, file: &str, role: MediaRole) -> ItemMedia {
        ItemMedia {
            media: Media {
                id: MediaId(id),
                account_id: AccountId(1),
                mimetype: Some(mime.into()),
                local_filename: Some(file.into()),
                width: None,
                height: None,
                duration: None,
                created_at: None,
                is_downloaded: true,
                variants: vec![],
                stash_id: None,
            },
            role,
            account_media_id: None,
            via_aggregated: None,
        }
    }

    pub(crate) fn post(id: i64, content: &str, day: u32, media: Vec<ItemMedia>) -> ContentItem {
        ContentItem {
            source: ItemSource::Post(PostId(id)),
            owner: alice(),
            content: content.into(),
            created_at: Some(Utc.with_ymd_and_hms(2024, 3, day, 22, 0, 0).unwrap()),
            media,
            aggregated: vec![],
            hashtags: vec![Hashtag::new("Summer"), Hashtag::new("beach")],
            mentions: vec![Mention {
                handle: "bob".into(),
                account: None,
            }],
            stash_id: None,
        }
    }

    #[test]
    fn post_becomes_gallery_with_code_url_date_and_labels() {
        let item = post(10, "A sunny day at the beach\nmore", 5, vec![]);
        let g = gallery_labels(&item).unwrap();
        assert_eq!(g.title, "A sunny day at the beach");
        assert_eq!(g.code.as_deref(), Some("10"));
        assert_eq!(g.details.as_deref(), Some("A sunny day at the beach\nmore"));
        assert_eq!(g.date.map(|d| d.to_string()).as_deref(), Some("2024-03-05"));
        assert_eq!(g.urls, ["https://fansly.com/post/10"]);
        assert_eq!(g.studio, "alice (Fansly)");
        assert_eq!(g.performers, ["alice", "bob"]);
        assert_eq!(g.tags, ["summer", "beach"]);
    }

    #[test]
    fn a_mention_of_an_account_known_only_by_its_id_labels_nothing() {
        let mut item = post(10, "With friends", 5, vec![]);
        let mut unnamed = alice();
        unnamed.id = domain::ids::AccountId(412_345_678_901_234_567);
        unnamed.username = "412345678901234567".into();
        unnamed.display_name = None;
        item.mentions.push(Mention {
            handle: "bestie".into(),
            account: Some(unnamed),
        });
        let keys: Vec<String> = item_performer_specs(&item)
            .into_iter()
            .map(|s| s.key)
            .collect();
        assert_eq!(keys, ["alice", "bob"]);
        assert_eq!(gallery_labels(&item).unwrap().performers, ["alice", "bob"]);
        let media = media(1, "image/jpeg", "a_id_1.jpg", MediaRole::Main);
        assert_eq!(
            stamp_labels(&item, &media, 0, 1, false).performers,
            ["alice", "bob"]
        );
    }

    #[test]
    fn message_gallery_uses_the_conversation_url_and_unattached_has_none() {
        let mut item = post(10, "", 5, vec![]);
        item.source = ItemSource::Message {
            id: MessageId(20),
            group_id: Some(GroupId(30)),
        };
        let g = gallery_labels(&item).unwrap();
        assert_eq!(g.urls, ["https://fansly.com/messages/30/20"]);
        assert_eq!(g.title, "alice - 2024/03/05");
        assert_eq!(g.details, None);
        item.source = ItemSource::Unattached(MediaId(3));
        assert_eq!(gallery_labels(&item), None);
    }

    #[test]
    fn media_stamp_has_media_code_post_url_suffix_and_trailer() {
        let m = media(77, "image/jpeg", "a.jpg", MediaRole::Preview);
        let item = post(10, "A sunny day at the beach", 5, vec![m.clone()]);
        let s = stamp_labels(&item, &m, 1, 3, true);
        assert_eq!(s.title, "A sunny day at the beach - 2/3");
        assert_eq!(s.code.as_deref(), Some("77"));
        assert_eq!(s.urls, ["https://fansly.com/post/10"]);
        assert_eq!(s.tags, ["summer", "beach", "Trailer"]);
        assert_eq!(
            stamp_labels(&item, &m, 0, 1, false).tags,
            ["summer", "beach"]
        );

        let mut msg = item.clone();
        msg.source = ItemSource::Message {
            id: MessageId(20),
            group_id: Some(GroupId(30)),
        };
        assert!(
            stamp_labels(&msg, &m, 0, 1, true).urls.is_empty(),
            "messages get no url on media"
        );
    }

    #[test]
    fn resolve_drops_unknown_entities_and_fingerprint_tracks_every_field() {
        let item = post(10, "A sunny day at the beach", 5, vec![]);
        let labels = gallery_labels(&item).unwrap();
        let mut ids = EntityIds::default();
        ids.performers.insert("alice".into(), PerformerId::new("1"));
        ids.tags.insert("beach".into(), TagId::new("9"));
        ids.studios
            .insert("alice (Fansly)".into(), StudioId::new("4"));
        let d = labels.resolve(&ids);
        assert_eq!(d.performer_ids, [PerformerId::new("1")]);
        assert_eq!(d.tag_ids, [TagId::new("9")]);
        assert_eq!(d.studio_id, Some(StudioId::new("4")));
        let fp = d.fingerprint("g1", &[]);
        assert_eq!(fp, labels.resolve(&ids).fingerprint("g1", &[]));
        assert_ne!(fp, d.fingerprint("g2", &[]));
        assert_ne!(fp, d.fingerprint("g1", &["s:1"]));
        let mut other = d.clone();
        other.title.push('!');
        assert_ne!(fp, other.fingerprint("g1", &[]));
    }

    #[test]
    fn texts_are_what_stash_stores_trimmed() {
        let padded = post(10, "\n\nLove you all, my dears  \nsee you  \n", 5, vec![]);
        let g = gallery_labels(&padded).unwrap();
        assert_eq!(g.title, "Love you all, my dears");
        assert_eq!(
            g.details.as_deref(),
            Some("Love you all, my dears  \nsee you")
        );
        assert_eq!(
            g.earlier.upstream_title.as_deref(),
            Some("alice - 2024/03/05"),
            "fansly-scraper's title of the same post"
        );
        assert_eq!(g.earlier.details_padding.leading, "\n\n");
        assert_eq!(g.earlier.details_padding.trailing, "  \n");
        // The same text without the padding: same fields, same fingerprint.
        let plain = post(10, "Love you all, my dears  \nsee you", 5, vec![]);
        let p = gallery_labels(&plain).unwrap();
        assert_eq!((&p.title, &p.details), (&g.title, &g.details));
        assert!(p.earlier.upstream_title.is_none() && p.earlier.details_padding.is_empty());
        let ids = EntityIds::default();
        assert_eq!(
            g.resolve(&ids).fingerprint("g", &[]),
            p.resolve(&ids).fingerprint("g", &[])
        );
        let blank = post(10, " \n\t ", 5, vec![]);
        assert_eq!(gallery_labels(&blank).unwrap().details, None);
        let m = media(7, "image/jpeg", "a.jpg", MediaRole::Main);
        let s = stamp_labels(&padded, &m, 0, 2, false);
        assert_eq!(s.title, "Love you all, my dears - 1/2");
        assert_eq!(
            s.earlier.upstream_title.as_deref(),
            Some("alice - 2024/03/05 - 1/2")
        );
    }

    #[test]
    fn distinct_media_keeps_first_occurrence() {
        let a = media(1, "image/jpeg", "a.jpg", MediaRole::Main);
        let b = media(2, "image/jpeg", "b.jpg", MediaRole::Main);
        let item = post(1, "", 1, vec![a.clone(), b.clone(), a.clone()]);
        let ids: Vec<_> = distinct_media(&item).iter().map(|m| m.media.id).collect();
        assert_eq!(ids, [MediaId(1), MediaId(2)]);
    }

    #[test]
    fn chapters_start_at_the_first_image_of_each_quoted_post() {
        let mut item = post(1, "", 1, vec![]);
        item.aggregated = vec![
            AggregatedPost {
                id: PostId(5),
                content: "First quoted post!".into(),
                created_at: None,
            },
            AggregatedPost {
                id: PostId(6),
                content: "no media here".into(),
                created_at: None,
            },
            AggregatedPost {
                id: PostId(7),
                content: "x".into(),
                created_at: None,
            },
        ];
        let linked = [None, Some(PostId(5)), Some(PostId(5)), Some(PostId(7))];
        let images: Vec<ImageId> = ["1", "2", "3", "4"].map(ImageId::new).into();
        let ch = chapters(&item, &images, &linked);
        assert_eq!(ch.len(), 2);
        assert_eq!(ch[0].images, [ImageId::new("2"), ImageId::new("3")]);
        assert_eq!(ch[1].images, [ImageId::new("4")]);
        assert_eq!(
            (ch[0].post, ch[0].image_index, ch[0].title.as_str()),
            (PostId(5), 2, "First quoted post!")
        );
        assert_eq!(
            (ch[1].post, ch[1].image_index, ch[1].title.as_str()),
            (PostId(7), 4, "alice")
        );
    }
}
