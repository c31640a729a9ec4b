//! What a batch wants: for each item, the stamp of each media on the scenes and images its
//! files ended up in (only by the item that owns the media, and only through the media that
//! wins the object), and the item's gallery with those members and its chapters. Whatever the
//! fingerprints in the sync state call unchanged is counted and goes no further (no read, no
//! write); so is a gallery left uncreated for the same fingerprint (nothing it could link).

use domain::content::{ContentItem, ItemMedia, MediaRole};
use domain::fansly::MediaKind;
use domain::ids::{GalleryId, ImageId, PostId, SceneId};
use domain::ports::{EntityKind, FieldHashes};

use super::outcome::Outcome;
use super::plan_batch::{BatchPlanner, GalleryTarget, GalleryWork, StampWork, WrittenKeys};
use crate::convert::{EntityIds, ItemLabels, chapters, distinct_media};
use crate::index::ObjectRef;
use crate::planner::Ownership;
use crate::state::StateKey;

/// What a batch wants that the fingerprints do not call unchanged.
#[derive(Debug, Default)]
pub(crate) struct Wanted {
    pub(crate) stamps: Vec<StampWork>,
    pub(crate) galleries: Vec<GalleryWork>,
}

/// The scenes and images an item's media ended up in, in gallery order.
#[derive(Debug, Default)]
struct Members {
    scenes: Vec<SceneId>,
    images: Vec<ImageId>,
    /// The quoted post each image came through (for chapters).
    image_via: Vec<Option<PostId>>,
}

impl Members {
    fn add(&mut self, object: &ObjectRef, via: Option<PostId>) {
        match object {
            ObjectRef::Scene(id) if !self.scenes.contains(id) => self.scenes.push(id.clone()),
            ObjectRef::Image(id) if !self.images.contains(id) => {
                self.images.push(id.clone());
                self.image_via.push(via);
            }
            _ => {}
        }
    }
}

/// One media of an item, where it stands in the item.
struct MediaAt<'i> {
    media: &'i ItemMedia,
    index: usize,
    count: usize,
    /// Whether this item owns the media (the earliest item it appears in).
    owned_here: bool,
}

/// Collects what a batch wants.
pub(crate) struct Wanting<'p, 'a> {
    pub(crate) planner: &'p BatchPlanner<'a>,
    pub(crate) ids: &'p EntityIds,
    pub(crate) written: &'p WrittenKeys,
    pub(crate) out: &'p mut Outcome,
    pub(crate) wanted: Wanted,
}

impl Wanting<'_, '_> {
    /// The stamps and the gallery of one item.
    pub(crate) fn item(&mut self, item: &ContentItem) {
        let labels = ItemLabels::of(item);
        let key = StateKey::of_item(&item.source);
        let media = distinct_media(item);
        let mut members = Members::default();
        for (index, m) in media.iter().enumerate() {
            let owned_here = self
                .planner
                .index
                .owner(m.media.id)
                .is_some_and(|o| o.key == key);
            let at = MediaAt {
                media: m,
                index,
                count: media.len(),
                owned_here,
            };
            self.media(&at, &labels, &mut members);
        }
        if !self.written.contains(EntityKind::Gallery, &key) {
            self.gallery(item, key, &labels, members);
        }
    }

    /// The stamps of one media on the objects its files matched.
    fn media(&mut self, at: &MediaAt<'_>, labels: &ItemLabels<'_>, members: &mut Members) {
        let files = &self.planner.files;
        let objects = files.matches.objects_of(at.media.media.id);
        if objects.is_empty() {
            self.unmatched(at);
            return;
        }
        for object in objects {
            members.add(object, at.media.via_aggregated);
            let Some(matched) = files.matches.objects.get(object) else {
                continue;
            };
            if matched.winner != at.media.media.id || !at.owned_here {
                continue;
            }
            self.stamp(at, labels, object, matched.files.clone());
        }
    }

    /// A media no Stash file matched: skipped (once, by the item that owns it).
    fn unmatched(&mut self, at: &MediaAt<'_>) {
        let m = &at.media.media;
        let kind = match m.kind() {
            MediaKind::Video => EntityKind::Scene,
            MediaKind::Image => EntityKind::Image,
            _ => return,
        };
        let (true, Some(file)) = (at.owned_here, m.local_filename.as_deref()) else {
            return;
        };
        if self.planner.files.unseen.contains(file) {
            self.out.awaiting_noted_before(kind);
        } else {
            let reason =
                format!("no Stash file matches {file} (not downloaded there or not scanned yet)");
            self.out.awaiting(kind, StateKey::Media(m.id), &reason);
        }
    }

    /// The stamp of one media on one object, unless the fingerprint says it is there.
    fn stamp(
        &mut self,
        at: &MediaAt<'_>,
        labels: &ItemLabels<'_>,
        object: &ObjectRef,
        files: Vec<domain::ids::FileId>,
    ) {
        let opts = &self.planner.engine.opts;
        let trailer = opts.tag_previews_trailer && at.media.role == MediaRole::Preview;
        let desired = labels
            .stamp(at.media, at.index, at.count, trailer)
            .resolve(self.ids);
        let fingerprint = desired.fingerprint(object.id_str(), &[]);
        let key = StateKey::Media(at.media.media.id);
        let kind = object.kind();
        if self.written.contains(kind, &key) {
            return;
        }
        let state = &self.planner.state;
        if !opts.force && state.is_current(kind, &key, object.id_str(), fingerprint) {
            self.out.unchanged(kind);
            return;
        }
        self.wanted.stamps.push(StampWork {
            own: state.ownership(kind, &key, object.id_str(), opts.force),
            object: object.clone(),
            key,
            desired,
            fingerprint,
            files,
        });
    }

    /// The item's gallery, when it has one and some of its media are in Stash.
    fn gallery(
        &mut self,
        item: &ContentItem,
        key: StateKey,
        labels: &ItemLabels<'_>,
        members: Members,
    ) {
        let Some(labels) = labels.gallery() else {
            return;
        };
        if members.scenes.is_empty() && members.images.is_empty() {
            return;
        }
        let desired = labels.resolve(self.ids);
        let chapter_list = chapters(item, &members.images, &members.image_via);
        let mut extra: Vec<String> = members.scenes.iter().map(|s| format!("s:{s}")).collect();
        extra.extend(members.images.iter().map(|i| format!("i:{i}")));
        extra.extend(
            chapter_list
                .iter()
                .map(|c| format!("c:{}@{}", c.title, c.image_index)),
        );
        if self.planner.engine.opts.galleries_organized {
            // Turning the setting on plans every gallery once more, to organize it.
            extra.push("o:1".to_owned());
        }
        let extra_refs: Vec<&str> = extra.iter().map(String::as_str).collect();
        let code = labels.code.clone().unwrap_or_default();
        let fingerprint = desired.fingerprint(&code, &extra_refs);
        let (state, force) = (&self.planner.state, self.planner.engine.opts.force);
        let known = state
            .stash_id(EntityKind::Gallery, &key)
            .map(GalleryId::new);
        let current = match &known {
            Some(id) => state.is_current(EntityKind::Gallery, &key, id.as_str(), fingerprint),
            // Left without a gallery for this very state (nothing to link).
            None => state.is_not_made(EntityKind::Gallery, &key, fingerprint),
        };
        if current && !force {
            self.out.unchanged(EntityKind::Gallery);
            return;
        }
        let own = match &known {
            Some(id) => state.ownership(EntityKind::Gallery, &key, id.as_str(), force),
            None => Ownership::new(FieldHashes::new(), force),
        };
        self.wanted.galleries.push(GalleryWork {
            own,
            key,
            code,
            desired,
            fingerprint,
            target: known.map_or(GalleryTarget::ByCode, GalleryTarget::Known),
            scenes: members.scenes,
            images: members.images,
            chapters: chapter_list,
        });
    }
}
