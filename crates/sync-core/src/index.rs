//! The light per-creator indices built before anything is written: which item owns each media
//! (the earliest one), how Stash files find their media (exact basename, then the id in the
//! file name), and which Stash object each media ended up in.
//!
//! Only ids, dates and file names are kept, never whole items, so a creator with thousands of
//! posts costs a few hundred kilobytes here while the items themselves stream page by page.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use domain::content::{ContentItem, ItemSource};
use domain::fansly::MediaKind;
use domain::ids::{FileId, ImageId, MediaId, SceneId};
use domain::ports::EntityKind;
use domain::stash::{FileOwner, StashFile};

use crate::filename::parse_filename_id;
use crate::state::StateKey;

/// Where an item sorts when several items share a media: earlier `created_at` first (an item
/// without a date sorts last), then the lower id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRank {
    /// When the item was posted.
    pub created_at: Option<DateTime<Utc>>,
    /// The post, message or media id.
    pub id: i64,
    /// The item's state key (`post:1`, ...).
    pub key: StateKey,
}

impl ItemRank {
    /// The rank of an item.
    pub fn of(item: &ContentItem) -> Self {
        let id = match &item.source {
            ItemSource::Post(p) => p.get(),
            ItemSource::Message { id, .. } => id.get(),
            ItemSource::Unattached(m) => m.get(),
        };
        Self {
            created_at: item.created_at,
            id,
            key: StateKey::of_item(&item.source),
        }
    }
}

impl Ord for ItemRank {
    fn cmp(&self, other: &Self) -> Ordering {
        let date = match (self.created_at, other.created_at) {
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        date.then(self.id.cmp(&other.id))
            .then_with(|| self.key.cmp(&other.key))
    }
}

impl PartialOrd for ItemRank {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A Stash object a media can be stamped onto.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectRef {
    /// A scene.
    Scene(SceneId),
    /// An image.
    Image(ImageId),
}

impl ObjectRef {
    /// The object's kind in the state and the report.
    pub fn kind(&self) -> EntityKind {
        match self {
            ObjectRef::Scene(_) => EntityKind::Scene,
            ObjectRef::Image(_) => EntityKind::Image,
        }
    }

    /// The scene, if it is one.
    pub fn scene(&self) -> Option<SceneId> {
        match self {
            ObjectRef::Scene(id) => Some(id.clone()),
            ObjectRef::Image(_) => None,
        }
    }

    /// The image, if it is one.
    pub fn image(&self) -> Option<ImageId> {
        match self {
            ObjectRef::Image(id) => Some(id.clone()),
            ObjectRef::Scene(_) => None,
        }
    }

    /// The object's id as text.
    pub fn id_str(&self) -> &str {
        match self {
            ObjectRef::Scene(id) => id.as_str(),
            ObjectRef::Image(id) => id.as_str(),
        }
    }
}

#[derive(Debug, Clone)]
struct MediaEntry {
    kind: MediaKind,
    owner: ItemRank,
}

/// Media of a creator: owners and file names. Built in a first pass over the content pages.
#[derive(Debug, Default)]
pub struct MediaIndex {
    media: HashMap<MediaId, MediaEntry>,
    by_basename: HashMap<String, Vec<MediaId>>,
    by_number: HashMap<i64, Vec<MediaId>>,
}

impl MediaIndex {
    /// Adds an item's media; a media already owned by an earlier item keeps that owner.
    pub fn add_item(&mut self, item: &ContentItem) {
        let rank = ItemRank::of(item);
        for im in &item.media {
            let m = &im.media;
            let entry = self.media.entry(m.id).or_insert_with(|| MediaEntry {
                kind: m.kind(),
                owner: rank.clone(),
            });
            if rank < entry.owner {
                entry.owner = rank.clone();
            }
            let mut names: Vec<&str> = m.local_filename.iter().map(String::as_str).collect();
            names.extend(
                m.variants
                    .iter()
                    .filter_map(|v| v.local_filename.as_deref()),
            );
            for name in names {
                push_unique(self.by_basename.entry(name.to_owned()).or_default(), m.id);
            }
            push_unique(self.by_number.entry(m.id.get()).or_default(), m.id);
            for v in &m.variants {
                push_unique(self.by_number.entry(v.id.get()).or_default(), m.id);
            }
        }
    }

    /// The item that owns a media (the earliest one it appears in).
    pub fn owner(&self, media: MediaId) -> Option<&ItemRank> {
        self.media.get(&media).map(|e| &e.owner)
    }

    /// The kind of a media.
    pub fn kind(&self, media: MediaId) -> Option<MediaKind> {
        self.media.get(&media).map(|e| e.kind)
    }

    /// How many media are indexed.
    pub fn len(&self) -> usize {
        self.media.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.media.is_empty()
    }

    /// The media a Stash file belongs to: every media whose `local_filename` (or a variant's)
    /// is exactly the basename; failing that, the media (or variant) whose id the file name
    /// carries.
    pub fn media_for_basename(&self, basename: &str) -> Vec<MediaId> {
        if let Some(exact) = self.by_basename.get(basename) {
            return exact.clone();
        }
        parse_filename_id(basename)
            .and_then(|f| self.by_number.get(&f.id))
            .cloned()
            .unwrap_or_default()
    }
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

/// A file that matched a media but was not used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedFile {
    /// The file's Stash-side path.
    pub path: String,
    /// Why it was not used.
    pub reason: String,
}

/// A Stash object we may stamp, with the media that decides its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedObject {
    /// The media whose owning item stamps the object (earliest owner, then lowest media id).
    pub winner: MediaId,
    /// The matched files of this object (for the scene primary-file re-check).
    pub files: Vec<FileId>,
}

/// Stash files matched to a creator's media.
#[derive(Debug, Default)]
pub struct FileMatches {
    /// Objects we may stamp.
    pub objects: BTreeMap<ObjectRef, MatchedObject>,
    /// Objects of each media.
    pub by_media: HashMap<MediaId, Vec<ObjectRef>>,
    /// Files that matched a media but belong to objects that are not ours.
    pub skipped: Vec<SkippedFile>,
    /// Files listed under the creator's root.
    pub files_seen: usize,
    /// Files that matched no media.
    pub unmatched: usize,
}

impl FileMatches {
    /// Adds one listed file: a video file counts only for the scene it is the primary file of,
    /// and only for video media; an image file for its images.
    pub fn add_file(&mut self, index: &MediaIndex, file: &StashFile) {
        self.files_seen += 1;
        let media = index.media_for_basename(&file.basename);
        if media.is_empty() {
            self.unmatched += 1;
            return;
        }
        for owner in &file.owners {
            let object = match owner {
                FileOwner::Scene { id, primary } => {
                    if !primary {
                        self.skipped.push(SkippedFile {
                            path: file.path(),
                            reason: format!("secondary file of scene {id}, which is not ours"),
                        });
                        continue;
                    }
                    if media
                        .iter()
                        .all(|m| index.kind(*m) == Some(MediaKind::Image))
                    {
                        self.skipped.push(SkippedFile {
                            path: file.path(),
                            reason: format!(
                                "the media is an image but the file is in scene {id} (animated image)"
                            ),
                        });
                        continue;
                    }
                    ObjectRef::Scene(id.clone())
                }
                FileOwner::Image(id) => ObjectRef::Image(id.clone()),
            };
            let winner = best_media(index, &media);
            let entry = self
                .objects
                .entry(object.clone())
                .or_insert_with(|| MatchedObject {
                    winner,
                    files: Vec::new(),
                });
            if media_order(index, winner, entry.winner) == Ordering::Less {
                entry.winner = winner;
            }
            push_unique(&mut entry.files, file.id.clone());
            for m in &media {
                push_unique(self.by_media.entry(*m).or_default(), object.clone());
            }
        }
    }

    /// Objects the media was matched to.
    pub fn objects_of(&self, media: MediaId) -> &[ObjectRef] {
        self.by_media.get(&media).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Distinct media that matched some object.
    pub fn matched_media(&self) -> HashSet<MediaId> {
        self.by_media.keys().copied().collect()
    }
}

fn media_order(index: &MediaIndex, a: MediaId, b: MediaId) -> Ordering {
    match (index.owner(a), index.owner(b)) {
        (Some(x), Some(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
    .then(a.cmp(&b))
}

fn best_media(index: &MediaIndex, media: &[MediaId]) -> MediaId {
    let mut best = media[0];
    for m in &media[1..] {
        if media_order(index, *m, best) == Ordering::Less {
            best = *m;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::tests::{media, post};
    use domain::content::MediaRole;
    use domain::fansly::MediaVariant;
    use domain::ids::PostId;
    use domain::stash::FileKind;

    fn file(id: &str, name: &str, owners: Vec<FileOwner>) -> StashFile {
        StashFile {
            id: FileId::new(id),
            folder: "/data/alice_fansly/Timeline".into(),
            basename: name.into(),
            kind: FileKind::Image,
            owners,
        }
    }

    #[test]
    fn earliest_item_owns_a_shared_media() {
        let shared = media(5, "image/jpeg", "x_id_5.jpg", MediaRole::Main);
        let late = post(200, "", 20, vec![shared.clone()]);
        let early = post(300, "", 2, vec![shared.clone()]);
        let mut same_day_low_id = post(100, "", 20, vec![shared.clone()]);
        same_day_low_id.created_at = late.created_at;
        let mut idx = MediaIndex::default();
        idx.add_item(&late);
        idx.add_item(&same_day_low_id);
        assert_eq!(idx.owner(MediaId(5)).unwrap().key.to_string(), "post:100");
        idx.add_item(&early);
        assert_eq!(idx.owner(MediaId(5)).unwrap().key.to_string(), "post:300");
        let mut undated = post(1, "", 1, vec![shared]);
        undated.created_at = None;
        idx.add_item(&undated);
        assert_eq!(
            idx.owner(MediaId(5)).unwrap().key.to_string(),
            "post:300",
            "undated items sort last"
        );
    }

    #[test]
    fn basename_match_first_then_id_in_name_including_variants() {
        let mut m = media(5, "video/mp4", "2024_id_5.mp4", MediaRole::Main);
        m.media.variants = vec![
            MediaVariant {
                id: MediaId(6),
                mimetype: Some("video/mp4".into()),
                local_filename: Some("variant-name.mp4".into()),
            },
            MediaVariant {
                id: MediaId(7),
                mimetype: None,
                local_filename: None,
            },
        ];
        let mut idx = MediaIndex::default();
        idx.add_item(&post(1, "", 1, vec![m]));
        assert_eq!(idx.media_for_basename("2024_id_5.mp4"), [MediaId(5)]);
        assert_eq!(idx.media_for_basename("variant-name.mp4"), [MediaId(5)]);
        assert_eq!(idx.media_for_basename("renamed_id_5.mp4"), [MediaId(5)]);
        assert_eq!(
            idx.media_for_basename("renamed_id_7.mp4"),
            [MediaId(5)],
            "variant id"
        );
        assert_eq!(
            idx.media_for_basename("renamed_preview_id_7.mp4"),
            [MediaId(5)]
        );
        assert!(idx.media_for_basename("unrelated_id_8.mp4").is_empty());
        assert!(idx.media_for_basename("holiday.mp4").is_empty());
    }

    #[test]
    fn media_sharing_one_filename_map_to_one_object_stamped_by_the_earliest() {
        let a = media(5, "image/jpeg", "same.jpg", MediaRole::Main);
        let b = media(6, "image/jpeg", "same.jpg", MediaRole::Main);
        let mut idx = MediaIndex::default();
        idx.add_item(&post(1, "", 9, vec![a]));
        idx.add_item(&post(2, "", 3, vec![b]));
        let mut fm = FileMatches::default();
        fm.add_file(
            &idx,
            &file("f1", "same.jpg", vec![FileOwner::Image(ImageId::new("i1"))]),
        );
        let obj = &fm.objects[&ObjectRef::Image(ImageId::new("i1"))];
        assert_eq!(obj.winner, MediaId(6), "post 2 is earlier");
        assert_eq!(
            fm.objects_of(MediaId(5)),
            [ObjectRef::Image(ImageId::new("i1"))]
        );
        assert_eq!(
            fm.objects_of(MediaId(6)),
            [ObjectRef::Image(ImageId::new("i1"))]
        );
    }

    #[test]
    fn scenes_count_only_through_their_primary_file_and_only_for_videos() {
        let v = media(5, "video/mp4", "v.mp4", MediaRole::Main);
        let i = media(6, "image/gif", "anim.mp4", MediaRole::Main);
        let mut idx = MediaIndex::default();
        idx.add_item(&post(1, "", 1, vec![v, i]));
        let mut fm = FileMatches::default();
        fm.add_file(
            &idx,
            &file(
                "f1",
                "v.mp4",
                vec![
                    FileOwner::Scene {
                        id: SceneId::new("s1"),
                        primary: true,
                    },
                    FileOwner::Scene {
                        id: SceneId::new("s2"),
                        primary: false,
                    },
                ],
            ),
        );
        fm.add_file(
            &idx,
            &file(
                "f2",
                "anim.mp4",
                vec![FileOwner::Scene {
                    id: SceneId::new("s3"),
                    primary: true,
                }],
            ),
        );
        fm.add_file(
            &idx,
            &file(
                "f3",
                "nobody.mp4",
                vec![FileOwner::Scene {
                    id: SceneId::new("s4"),
                    primary: true,
                }],
            ),
        );
        assert_eq!(
            fm.objects.keys().cloned().collect::<Vec<_>>(),
            [ObjectRef::Scene(SceneId::new("s1"))]
        );
        assert_eq!(fm.skipped.len(), 2);
        assert!(
            fm.skipped[0].reason.contains("secondary"),
            "{:?}",
            fm.skipped
        );
        assert!(
            fm.skipped[1].reason.contains("animated"),
            "{:?}",
            fm.skipped
        );
        assert_eq!((fm.files_seen, fm.unmatched), (3, 1));
        assert_eq!(fm.objects.len(), 1, "one scene, no image");
        let _ = PostId(1);
    }
}
