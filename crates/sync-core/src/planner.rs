//! The planner: desired state against current state gives the smallest patch (only fields
//! that differ), under the safety rules: nothing is ever cleared; lists (performers, tags,
//! urls, scenes) only grow: desired = current ∪ ours, current entries first; and each scalar
//! field we write (title, details, date, code, studio) is changed only while it is ours.
//!
//! A scalar field is ours when it is empty, when it already holds our value, or when it still
//! holds what we last wrote there (by hash, remembered per field in the sync state); a value
//! anyone else put there, before our first sync or after, is left alone unless `force`.
//! fansly-scraper's own stamps count as ours: its title for the item (its rule on the
//! untrimmed text, [`EarlierForms::upstream_title`]) and its legacy titles containing
//! `Media from` are replaced.
//!
//! Values are compared as Stash stores them (trimmed, see [`crate::convert::Labels`]). Versions
//! of fansly-stash before that sent the item's text untrimmed and remembered the hash of the
//! untrimmed text, which Stash (v0.30+) stored trimmed: a details field whose remembered hash is
//! that of its current value with the source text's blank padding around it
//! ([`EarlierForms::details_padding`]) is still ours, and is remembered by its trimmed hash
//! from then on. (If the padding itself changed before the first run of this version, the
//! field cannot be told from a user's edit and is left alone.)
//!
//! [`Plan`] is the list of what a dry run would write (the CLI renders it as a table).

use domain::ids::{SceneId, StudioId};
use domain::ports::{EntityKind, FieldHashes};
use domain::stash::{Gallery, GalleryPatch, NewGallery, StampFields, StampPatch};
use domain::{FuzzyDate, Patch};

use crate::convert::{DesiredFields, EarlierForms};
use crate::fingerprint::Fingerprint;

/// The names of the owned scalar fields, as stored in [`FieldHashes`].
pub mod field {
    /// Title.
    pub const TITLE: &str = "title";
    /// Details.
    pub const DETAILS: &str = "details";
    /// Date.
    pub const DATE: &str = "date";
    /// Code.
    pub const CODE: &str = "code";
    /// Studio.
    pub const STUDIO: &str = "studio";
    /// A gallery's organized flag, once we set it (`galleries_organized`). Unlike the other
    /// names this records a write, not a value: the claim is kept for as long as the record
    /// is about that gallery, whatever Stash shows since, so a gallery the user un-organizes
    /// afterwards is theirs and is not organized again (unless `force`; see
    /// [`Ownership::may_organize`](super::Ownership::may_organize)).
    pub const ORGANIZED: &str = "organized";
}

/// The hash remembered under [`field::ORGANIZED`] once we marked a gallery organized.
pub fn organized_hash() -> u64 {
    Fingerprint::new().str("organized").finish()
}

/// fansly-scraper's legacy titles contain this; such a title is replaced (its own rule).
pub const LEGACY_TITLE_MARKER: &str = "Media from";

/// A scalar value we may own: hashable the same way on every run, and possibly blank.
pub trait OwnedValue: PartialEq + Clone {
    /// The hash remembered in [`FieldHashes`].
    fn value_hash(&self) -> u64;
    /// Whether the value counts as empty (free to take).
    fn is_blank(&self) -> bool;
}

impl OwnedValue for String {
    fn value_hash(&self) -> u64 {
        Fingerprint::new().str(self).finish()
    }
    fn is_blank(&self) -> bool {
        self.trim().is_empty()
    }
}

impl OwnedValue for FuzzyDate {
    fn value_hash(&self) -> u64 {
        Fingerprint::new().str(&self.to_string()).finish()
    }
    fn is_blank(&self) -> bool {
        false
    }
}

impl OwnedValue for StudioId {
    fn value_hash(&self) -> u64 {
        Fingerprint::new().str(self.as_str()).finish()
    }
    fn is_blank(&self) -> bool {
        self.as_str().is_empty()
    }
}

/// What we know about who owns the scalar fields of one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ownership {
    last: FieldHashes,
    legacy: bool,
    force: bool,
}

impl Ownership {
    /// Fields whose current value hashes to `last[field]` are ours; with `force`, every field.
    pub fn new(last: FieldHashes, force: bool) -> Self {
        Self {
            last,
            legacy: false,
            force,
        }
    }

    /// An object we wrote before fields were tracked: every field counts as ours (the old
    /// per-object rule), once; the write then records per-field hashes.
    pub fn legacy(force: bool) -> Self {
        Self {
            last: FieldHashes::new(),
            legacy: true,
            force,
        }
    }

    /// An object we know nothing about.
    pub fn unknown() -> Self {
        Self::new(FieldHashes::new(), false)
    }

    /// Whether `current` is what a version of ours before values were trimmed wrote to
    /// `name`: its remembered hash is that of `current` with `earlier`'s padding around it.
    fn written_untrimmed(
        &self,
        name: &str,
        current: Option<&String>,
        earlier: &EarlierForms,
    ) -> bool {
        let padding = &earlier.details_padding;
        match (current, self.last.get(name)) {
            (Some(c), Some(h)) if !padding.is_empty() => *h == padding.around(c).value_hash(),
            _ => false,
        }
    }

    /// Whether we wrote `name` before (its hash is remembered).
    pub fn claims(&self, name: &str) -> bool {
        self.last.contains_key(name)
    }

    /// Whether `galleries_organized` may mark the gallery organized: not while it is, and
    /// not once we did before (the user has un-organized it since: the flag is theirs), unless
    /// `force`, which writes over the user's choices as it does for every field.
    pub fn may_organize(&self, organized_now: bool) -> bool {
        !organized_now && (self.force || !self.claims(field::ORGANIZED))
    }

    /// Carries the [`field::ORGANIZED`] claim into `out`, whatever the flag is now.
    fn keep_organized_claim(&self, out: &mut FieldHashes) {
        if let Some(h) = self.last.get(field::ORGANIZED) {
            out.insert(field::ORGANIZED.to_owned(), *h);
        }
    }

    /// What to keep in the record when the object is left alone on purpose (organized, not
    /// ours): the same hashes; `None` keeps a record from before field tracking as it is.
    pub fn kept(&self) -> Option<FieldHashes> {
        (!self.legacy).then(|| self.last.clone())
    }

    /// The patch for one field, noting in `out` the hash of the value the field will hold when
    /// it is ours. `replaceable`: the current value is a known stamp of ours by its form.
    fn scalar<T: OwnedValue>(
        &self,
        name: &str,
        current: Option<&T>,
        desired: Option<&T>,
        replaceable: bool,
        out: &mut FieldHashes,
    ) -> Patch<T> {
        let Some(d) = desired.filter(|d| !d.is_blank()) else {
            // Nothing to write; the claim stays while the value is still the one we wrote.
            if let (Some(h), Some(c)) = (self.last.get(name), current)
                && *h == c.value_hash()
            {
                out.insert(name.to_owned(), *h);
            }
            return Patch::Unchanged;
        };
        let ours = match current {
            None => true,
            Some(c) if c == d => {
                out.insert(name.to_owned(), d.value_hash());
                return Patch::Unchanged;
            }
            Some(c) if c.is_blank() => true,
            Some(c) => {
                self.force
                    || self.legacy
                    || replaceable
                    || self.last.get(name) == Some(&c.value_hash())
            }
        };
        if ours {
            out.insert(name.to_owned(), d.value_hash());
            Patch::Set(d.clone())
        } else {
            Patch::Unchanged
        }
    }
}

/// A title fansly-scraper wrote: its legacy form, or its rule's title for this object.
fn upstream_title(current: Option<&String>, earlier: &EarlierForms) -> bool {
    current.is_some_and(|t| {
        t.contains(LEGACY_TITLE_MARKER) || earlier.upstream_title.as_ref() == Some(t)
    })
}

/// The hashes of every scalar field of `desired` (an object we create holds exactly these).
pub fn desired_hashes(desired: &DesiredFields) -> FieldHashes {
    let mut out = FieldHashes::new();
    let own = Ownership::new(FieldHashes::new(), true);
    let _ = own.scalar(field::TITLE, None, Some(&desired.title), false, &mut out);
    let _ = own.scalar(field::CODE, None, desired.code.as_ref(), false, &mut out);
    let _ = own.scalar(
        field::DETAILS,
        None,
        desired.details.as_ref(),
        false,
        &mut out,
    );
    let _ = own.scalar(field::DATE, None, desired.date.as_ref(), false, &mut out);
    let _ = own.scalar(
        field::STUDIO,
        None,
        desired.studio_id.as_ref(),
        false,
        &mut out,
    );
    out
}

/// `current` followed by the entries of `ours` it lacks.
pub fn union<T: Clone + PartialEq>(current: &[T], ours: &[T]) -> Vec<T> {
    let mut out = current.to_vec();
    for x in ours {
        if !out.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

/// Sets the list to current ∪ ours when that adds something.
fn additions<T: PartialEq + Clone>(current: &[T], ours: &[T]) -> Patch<Vec<T>> {
    let merged = union(current, ours);
    if merged.len() == current.len() {
        Patch::Unchanged
    } else {
        Patch::Set(merged)
    }
}

/// The patch that brings a scene or image to the desired fields, and the hashes of the fields
/// that are ours afterwards. `organized` and galleries are never touched (galleries are
/// linked from the gallery side).
pub fn plan_stamp<Id>(
    id: Id,
    current: &StampFields,
    desired: &DesiredFields,
    own: &Ownership,
) -> (StampPatch<Id>, FieldHashes) {
    let mut out = FieldHashes::new();
    let upstream = upstream_title(current.title.as_ref(), &desired.earlier);
    let untrimmed =
        own.written_untrimmed(field::DETAILS, current.details.as_ref(), &desired.earlier);
    let patch = StampPatch {
        title: own.scalar(
            field::TITLE,
            current.title.as_ref(),
            Some(&desired.title),
            upstream,
            &mut out,
        ),
        code: own.scalar(
            field::CODE,
            current.code.as_ref(),
            desired.code.as_ref(),
            false,
            &mut out,
        ),
        details: own.scalar(
            field::DETAILS,
            current.details.as_ref(),
            desired.details.as_ref(),
            untrimmed,
            &mut out,
        ),
        date: own.scalar(
            field::DATE,
            current.date.as_ref(),
            desired.date.as_ref(),
            false,
            &mut out,
        ),
        urls: additions(&current.urls, &desired.urls),
        studio_id: own.scalar(
            field::STUDIO,
            current.studio_id.as_ref(),
            desired.studio_id.as_ref(),
            false,
            &mut out,
        ),
        performer_ids: additions(&current.performer_ids, &desired.performer_ids),
        tag_ids: additions(&current.tag_ids, &desired.tag_ids),
        ..StampPatch::new(id)
    };
    (patch, out)
}

/// The patch that brings an existing gallery to the desired fields, adding our scenes, and
/// the hashes of the fields that are ours afterwards (the organized claim included: it is
/// never dropped, see [`field::ORGANIZED`]).
pub fn plan_gallery(
    current: &Gallery,
    desired: &DesiredFields,
    scenes: &[SceneId],
    own: &Ownership,
) -> (GalleryPatch, FieldHashes) {
    let mut out = FieldHashes::new();
    own.keep_organized_claim(&mut out);
    let untrimmed =
        own.written_untrimmed(field::DETAILS, current.details.as_ref(), &desired.earlier);
    let title = match own.scalar(
        field::TITLE,
        current.title.as_ref(),
        Some(&desired.title),
        upstream_title(current.title.as_ref(), &desired.earlier),
        &mut out,
    ) {
        Patch::Set(t) => Some(t),
        Patch::Unchanged | Patch::Clear => None,
    };
    let patch = GalleryPatch {
        title,
        code: own.scalar(
            field::CODE,
            current.code.as_ref(),
            desired.code.as_ref(),
            false,
            &mut out,
        ),
        details: own.scalar(
            field::DETAILS,
            current.details.as_ref(),
            desired.details.as_ref(),
            untrimmed,
            &mut out,
        ),
        date: own.scalar(
            field::DATE,
            current.date.as_ref(),
            desired.date.as_ref(),
            false,
            &mut out,
        ),
        urls: additions(&current.urls, &desired.urls),
        studio_id: own.scalar(
            field::STUDIO,
            current.studio_id.as_ref(),
            desired.studio_id.as_ref(),
            false,
            &mut out,
        ),
        performer_ids: additions(&current.performer_ids, &desired.performer_ids),
        tag_ids: additions(&current.tag_ids, &desired.tag_ids),
        scene_ids: additions(&current.scene_ids, scenes),
        ..GalleryPatch::new(current.id.clone())
    };
    (patch, out)
}

/// A gallery to create. We create galleries with `organized: false` (upstream uses `true`) so
/// that "organized" keeps meaning "a human checked this".
pub fn new_gallery(key: &str, desired: &DesiredFields, scenes: &[SceneId]) -> NewGallery {
    NewGallery {
        key: key.to_owned(),
        title: desired.title.clone(),
        code: desired.code.clone(),
        details: desired.details.clone(),
        date: desired.date,
        urls: desired.urls.clone(),
        organized: false,
        studio_id: desired.studio_id.clone(),
        performer_ids: desired.performer_ids.clone(),
        tag_ids: desired.tag_ids.clone(),
        scene_ids: scenes.to_vec(),
    }
}

/// What a planned change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Create a new object.
    Create,
    /// Update an existing one.
    Update,
    /// Add images to a gallery.
    Link,
    /// Take over a performer, studio or tag Stash already has (nothing is written to Stash;
    /// the sync state remembers its id).
    Adopt,
}

impl Action {
    /// `create`, `update`, `link` or `adopt`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Link => "link",
            Action::Adopt => "adopt",
        }
    }

    /// Whether the change writes to Stash (all but [`Action::Adopt`]).
    pub fn writes(self) -> bool {
        self != Action::Adopt
    }
}

/// One planned write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedChange {
    /// The creator.
    pub creator: String,
    /// The object kind.
    pub kind: EntityKind,
    /// Create, update, link or adopt.
    pub action: Action,
    /// The source key or entity name.
    pub key: String,
    /// The Stash id, for updates (and adoptions).
    pub stash_id: Option<String>,
    /// `field = value` for each field written.
    pub fields: Vec<String>,
}

/// Everything a dry run would write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The changes, in the order they would be written.
    pub changes: Vec<PlannedChange>,
}

fn show<T: std::fmt::Debug>(name: &str, p: &Patch<T>, out: &mut Vec<String>) {
    match p {
        Patch::Unchanged => {}
        Patch::Clear => out.push(format!("{name} = (cleared)")),
        Patch::Set(v) => out.push(format!("{name} = {v:?}")),
    }
}

/// The fields a stamp patch writes, as `field = value`.
pub fn stamp_fields<Id>(p: &StampPatch<Id>) -> Vec<String> {
    let mut out = Vec::new();
    show("title", &p.title, &mut out);
    show("code", &p.code, &mut out);
    show("details", &p.details, &mut out);
    show("date", &p.date.as_ref().map(|d| d.to_string()), &mut out);
    show("urls", &p.urls, &mut out);
    show(
        "studio",
        &p.studio_id.as_ref().map(|s| s.to_string()),
        &mut out,
    );
    show(
        "performers",
        &p.performer_ids.as_ref().map(|v| ids(v)),
        &mut out,
    );
    show("tags", &p.tag_ids.as_ref().map(|v| ids(v)), &mut out);
    out
}

/// The fields a gallery patch writes.
pub fn gallery_fields(p: &GalleryPatch) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(t) = &p.title {
        out.push(format!("title = {t:?}"));
    }
    show("code", &p.code, &mut out);
    show("details", &p.details, &mut out);
    show("date", &p.date.as_ref().map(|d| d.to_string()), &mut out);
    show("urls", &p.urls, &mut out);
    show(
        "studio",
        &p.studio_id.as_ref().map(|s| s.to_string()),
        &mut out,
    );
    show(
        "performers",
        &p.performer_ids.as_ref().map(|v| ids(v)),
        &mut out,
    );
    show("tags", &p.tag_ids.as_ref().map(|v| ids(v)), &mut out);
    show("scenes", &p.scene_ids.as_ref().map(|v| ids(v)), &mut out);
    out
}

/// The fields of a new gallery.
pub fn new_gallery_fields(g: &NewGallery) -> Vec<String> {
    let mut out = vec![format!("title = {:?}", g.title)];
    if let Some(c) = &g.code {
        out.push(format!("code = {c:?}"));
    }
    if let Some(d) = &g.date {
        out.push(format!("date = \"{d}\""));
    }
    if !g.urls.is_empty() {
        out.push(format!("urls = {:?}", g.urls));
    }
    if !g.scene_ids.is_empty() {
        out.push(format!("scenes = {:?}", ids(&g.scene_ids)));
    }
    out
}

fn ids<T: std::fmt::Display>(v: &[T]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}

impl Plan {
    /// Whether nothing would be written.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ids::{GalleryId, ImageId, PerformerId, TagId};
    use proptest::prelude::*;

    fn apply<Id: Clone>(cur: &StampFields, p: StampPatch<Id>) -> StampFields {
        StampFields {
            title: p.title.apply(cur.title.clone()),
            code: p.code.apply(cur.code.clone()),
            details: p.details.apply(cur.details.clone()),
            date: p.date.apply(cur.date),
            urls: p.urls.apply(Some(cur.urls.clone())).unwrap_or_default(),
            organized: p.organized.unwrap_or(cur.organized),
            studio_id: p.studio_id.apply(cur.studio_id.clone()),
            performer_ids: p
                .performer_ids
                .apply(Some(cur.performer_ids.clone()))
                .unwrap_or_default(),
            tag_ids: p
                .tag_ids
                .apply(Some(cur.tag_ids.clone()))
                .unwrap_or_default(),
            gallery_ids: p
                .gallery_ids
                .apply(Some(cur.gallery_ids.clone()))
                .unwrap_or_default(),
        }
    }

    fn desired() -> DesiredFields {
        DesiredFields {
            title: "A title here".into(),
            code: Some("77".into()),
            details: None,
            date: "2024-03-05".parse().ok(),
            urls: vec!["https://fansly.com/post/1".into()],
            studio_id: Some(StudioId::new("3")),
            performer_ids: vec![PerformerId::new("1")],
            tag_ids: vec![TagId::new("9")],
            earlier: EarlierForms::default(),
        }
    }

    #[test]
    fn only_differing_fields_are_patched_and_user_additions_survive() {
        let current = StampFields {
            title: Some("A title here".into()),
            details: Some("user notes".into()),
            urls: vec!["https://example.com/user".into()],
            performer_ids: vec![PerformerId::new("42")],
            tag_ids: vec![TagId::new("9")],
            organized: false,
            ..StampFields::default()
        };
        let (p, owned) = plan_stamp(
            ImageId::new("i"),
            &current,
            &desired(),
            &Ownership::unknown(),
        );
        assert!(p.title.is_unchanged(), "same title");
        assert_eq!(
            owned.keys().map(String::as_str).collect::<Vec<_>>(),
            ["code", "date", "studio", "title"],
            "the title equal to ours is recorded as ours; the user's details are not"
        );
        assert!(
            p.details.is_unchanged(),
            "we have no details: the user's stay"
        );
        assert!(p.tag_ids.is_unchanged(), "tag already there");
        assert_eq!(p.code, Patch::Set("77".into()));
        assert_eq!(
            p.urls,
            Patch::Set(vec![
                "https://example.com/user".into(),
                "https://fansly.com/post/1".into()
            ])
        );
        assert_eq!(
            p.performer_ids,
            Patch::Set(vec![PerformerId::new("42"), PerformerId::new("1")])
        );
        assert!(p.organized.is_none() && p.gallery_ids.is_unchanged());
        assert_eq!(stamp_fields(&p).len(), 5);
    }

    #[test]
    fn gallery_plan_adds_scenes_and_never_clears() {
        let g = Gallery {
            id: GalleryId::new("5"),
            title: Some("old".into()),
            code: Some("1".into()),
            details: Some("x".into()),
            date: None,
            urls: vec![],
            organized: false,
            studio_id: None,
            performer_ids: vec![],
            tag_ids: vec![],
            scene_ids: vec![SceneId::new("s0")],
            image_count: 0,
            user_created: true,
        };
        let mut d = desired();
        d.code = Some("1".into());
        let scenes = [SceneId::new("s1"), SceneId::new("s0")];
        let (p, _) = plan_gallery(&g, &d, &scenes, &Ownership::unknown());
        assert!(p.title.is_none(), "\"old\" was not written by us: it stays");
        let mine: FieldHashes = [(field::TITLE.to_owned(), "old".to_owned().value_hash())]
            .into_iter()
            .collect();
        let (p, owned) = plan_gallery(&g, &d, &scenes, &Ownership::new(mine, false));
        assert_eq!(p.title.as_deref(), Some("A title here"), "ours: updated");
        assert_eq!(owned[field::TITLE], "A title here".to_owned().value_hash());
        assert!(p.code.is_unchanged() && p.details.is_unchanged());
        assert_eq!(
            p.scene_ids,
            Patch::Set(vec![SceneId::new("s0"), SceneId::new("s1")])
        );
        let n = new_gallery("1", &d, &[SceneId::new("s1")]);
        assert!(!n.organized);
        assert!(
            new_gallery_fields(&n)
                .iter()
                .any(|f| f.starts_with("scenes"))
        );
    }

    #[test]
    fn the_organized_claim_outlives_the_flag() {
        let mut g = Gallery {
            id: GalleryId::new("5"),
            title: Some("A title here".into()),
            code: Some("77".into()),
            details: None,
            date: None,
            urls: vec![],
            organized: false,
            studio_id: None,
            performer_ids: vec![],
            tag_ids: vec![],
            scene_ids: vec![],
            image_count: 0,
            user_created: true,
        };
        let claim: FieldHashes = [(field::ORGANIZED.to_owned(), organized_hash())]
            .into_iter()
            .collect();
        let ours = Ownership::new(claim, false);
        // We organized it, the user un-organized it: the claim stays, the flag is theirs.
        let (_, owned) = plan_gallery(&g, &desired(), &[], &ours);
        assert_eq!(owned.get(field::ORGANIZED), Some(&organized_hash()));
        assert!(!ours.may_organize(g.organized));
        g.organized = true;
        let (_, owned) = plan_gallery(&g, &desired(), &[], &ours);
        assert_eq!(owned.get(field::ORGANIZED), Some(&organized_hash()));
        assert!(!ours.may_organize(g.organized), "already organized");
        // Never organized by us: ours to mark; with force, always (unless it is).
        let (_, owned) = plan_gallery(&g, &desired(), &[], &Ownership::unknown());
        assert!(!owned.contains_key(field::ORGANIZED));
        assert!(Ownership::unknown().may_organize(false));
        let forced = Ownership::new(ours.kept().unwrap_or_default(), true);
        assert!(forced.may_organize(false) && !forced.may_organize(true));
    }

    fn stamp(title: Option<&str>, details: Option<&str>, date: Option<&str>) -> StampFields {
        StampFields {
            title: title.map(str::to_owned),
            details: details.map(str::to_owned),
            date: date.and_then(|d| d.parse().ok()),
            ..StampFields::default()
        }
    }

    fn hashes_of(pairs: &[(&str, &str)]) -> FieldHashes {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned().value_hash()))
            .collect()
    }

    #[test]
    fn a_field_is_written_only_while_it_is_free_or_ours() {
        let mut d = desired();
        d.details = Some("new caption".into());
        // Free: empty or blank values are taken.
        let (p, owned) = plan_stamp(
            ImageId::new("i"),
            &stamp(None, Some("  "), None),
            &d,
            &Ownership::unknown(),
        );
        assert_eq!(p.title, Patch::Set("A title here".into()));
        assert_eq!(p.details, Patch::Set("new caption".into()));
        assert!(matches!(p.date, Patch::Set(_)));
        assert_eq!(owned[field::DETAILS], "new caption".to_owned().value_hash());

        // Someone else's values, before our first sync or after our last write: left alone.
        let user = stamp(Some("My title"), Some("my notes"), Some("2020-01-01"));
        let ours_before = hashes_of(&[("title", "Old caption"), ("details", "Old caption")]);
        for own in [
            Ownership::unknown(),
            Ownership::new(ours_before.clone(), false),
        ] {
            let (p, owned) = plan_stamp(ImageId::new("i"), &user, &d, &own);
            assert!(
                p.title.is_unchanged() && p.details.is_unchanged() && p.date.is_unchanged(),
                "{p:?}"
            );
            assert!(!owned.contains_key(field::TITLE) && !owned.contains_key(field::DATE));
        }

        // Still what we wrote: ours, so our new value replaces it.
        let ours_now = stamp(Some("Old caption"), Some("Old caption"), Some("2020-01-01"));
        let mut last = ours_before;
        last.insert(
            field::DATE.to_owned(),
            "2020-01-01".parse::<FuzzyDate>().unwrap().value_hash(),
        );
        let (p, owned) = plan_stamp(
            ImageId::new("i"),
            &ours_now,
            &d,
            &Ownership::new(last, false),
        );
        assert_eq!(p.title, Patch::Set("A title here".into()));
        assert_eq!(p.details, Patch::Set("new caption".into()));
        assert_eq!(p.date, Patch::Set("2024-03-05".parse().unwrap()));
        assert_eq!(owned[field::TITLE], "A title here".to_owned().value_hash());

        // With force ours wins; a record from before field tracking owns every field once.
        for own in [
            Ownership::new(FieldHashes::new(), true),
            Ownership::legacy(false),
        ] {
            let (p, _) = plan_stamp(ImageId::new("i"), &user, &d, &own);
            assert_eq!(p.title, Patch::Set("A title here".into()));
            assert_eq!(p.details, Patch::Set("new caption".into()));
            assert!(matches!(p.date, Patch::Set(_)));
        }
    }

    #[test]
    fn upstream_stamps_count_as_ours() {
        let d = desired();
        // fansly-scraper's legacy title: replaced.
        let (p, _) = plan_stamp(
            ImageId::new("i"),
            &stamp(Some("Media from alice - 2024/03/05"), None, None),
            &d,
            &Ownership::unknown(),
        );
        assert_eq!(p.title, Patch::Set("A title here".into()));
        // Its title-rule title equals ours: simply recorded as ours, then followed.
        let (p, owned) = plan_stamp(
            ImageId::new("i"),
            &stamp(Some("A title here"), None, None),
            &d,
            &Ownership::unknown(),
        );
        assert!(p.title.is_unchanged());
        let mut changed = d.clone();
        changed.title = "An edited caption".into();
        let (p, _) = plan_stamp(
            ImageId::new("i"),
            &stamp(Some("A title here"), None, None),
            &changed,
            &Ownership::new(owned, false),
        );
        assert_eq!(p.title, Patch::Set("An edited caption".into()));
    }

    #[test]
    fn a_field_we_have_no_value_for_keeps_its_claim_only_while_unchanged() {
        let mut d = desired();
        d.details = None;
        let last = hashes_of(&[("details", "we wrote this")]);
        let (p, owned) = plan_stamp(
            ImageId::new("i"),
            &stamp(None, Some("we wrote this"), None),
            &d,
            &Ownership::new(last.clone(), false),
        );
        assert!(p.details.is_unchanged(), "never cleared");
        assert_eq!(owned.get(field::DETAILS), last.get(field::DETAILS));
        let (_, owned) = plan_stamp(
            ImageId::new("i"),
            &stamp(None, Some("the user's now"), None),
            &d,
            &Ownership::new(last, false),
        );
        assert!(!owned.contains_key(field::DETAILS));
        assert_eq!(
            desired_hashes(&desired()).len(),
            4,
            "title, code, date, studio"
        );
    }

    #[test]
    fn a_field_written_untrimmed_by_an_earlier_version_is_still_ours() {
        use crate::convert::Padding;
        // An earlier version sent "\n\nLove you all  " and remembered its hash; Stash (v0.30)
        // stored "Love you all". The post is then edited, keeping its blank lines.
        let old_raw = "\n\nLove you all  ";
        let last = hashes_of(&[("details", old_raw), ("title", "A title here")]);
        let mut d = desired();
        d.details = Some("Missed you all".into());
        d.earlier.details_padding = Padding::of("\n\nMissed you all  ");
        let stash_has = stamp(Some("A title here"), Some("Love you all"), None);
        let (p, owned) = plan_stamp(
            ImageId::new("i"),
            &stash_has,
            &d,
            &Ownership::new(last.clone(), false),
        );
        assert_eq!(p.details, Patch::Set("Missed you all".into()));
        assert_eq!(
            owned[field::DETAILS],
            "Missed you all".to_owned().value_hash(),
            "remembered by its trimmed hash from now on"
        );
        // A user's text is not mistaken for ours, padding or not.
        let users = stamp(Some("A title here"), Some("My own words"), None);
        let (p, owned) = plan_stamp(
            ImageId::new("i"),
            &users,
            &d,
            &Ownership::new(last.clone(), false),
        );
        assert!(p.details.is_unchanged() && !owned.contains_key(field::DETAILS));
        // Without the earlier form the trimmed value would have looked like the user's.
        d.earlier = EarlierForms::default();
        let (p, _) = plan_stamp(
            ImageId::new("i"),
            &stash_has,
            &d,
            &Ownership::new(last, false),
        );
        assert!(p.details.is_unchanged());
    }

    #[test]
    fn fansly_scrapers_title_for_the_item_is_replaced() {
        let mut d = desired();
        d.earlier.upstream_title = Some("alice - 2024/03/05".into());
        let (p, owned) = plan_stamp(
            ImageId::new("i"),
            &stamp(Some("alice - 2024/03/05"), None, None),
            &d,
            &Ownership::unknown(),
        );
        assert_eq!(p.title, Patch::Set("A title here".into()));
        assert_eq!(owned[field::TITLE], "A title here".to_owned().value_hash());
        let (p, _) = plan_stamp(
            ImageId::new("i"),
            &stamp(Some("bob - 2024/03/05"), None, None),
            &d,
            &Ownership::unknown(),
        );
        assert!(p.title.is_unchanged(), "another title is the user's");
    }

    fn ids_strategy() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec("[1-6]", 0..4)
    }

    proptest! {
        #[test]
        fn applying_a_plan_then_planning_again_is_empty(
            cur_title in proptest::option::of("[ab]{0,3}"), cur_code in proptest::option::of("[12]"),
            cur_details in proptest::option::of("[xy]"), cur_studio in proptest::option::of("[34]"),
            cur_perf in ids_strategy(), cur_tags in ids_strategy(), cur_urls in ids_strategy(),
            want_title in "[ab]{1,3}", want_code in proptest::option::of("[12]"), want_details in proptest::option::of("[xy]"),
            want_studio in proptest::option::of("[34]"), want_perf in ids_strategy(), want_tags in ids_strategy(), want_urls in ids_strategy(),
            force in any::<bool>(),
        ) {
            let current = StampFields {
                title: cur_title.clone(), code: cur_code, details: cur_details.clone(), date: None,
                urls: cur_urls.clone(), organized: false, studio_id: cur_studio.map(StudioId::new),
                performer_ids: cur_perf.iter().cloned().map(PerformerId::new).collect(),
                tag_ids: cur_tags.iter().cloned().map(TagId::new).collect(), gallery_ids: vec![],
            };
            let want = DesiredFields {
                title: want_title, code: want_code, details: want_details.clone(), date: None,
                urls: want_urls.clone(), studio_id: want_studio.map(StudioId::new),
                performer_ids: want_perf.iter().cloned().map(PerformerId::new).collect(),
                tag_ids: want_tags.iter().cloned().map(TagId::new).collect(),
                earlier: EarlierForms::default(),
            };
            let own = Ownership::new(FieldHashes::new(), force);
            let (patch, owned) = plan_stamp(ImageId::new("1"), &current, &want, &own);
            let after = apply(&current, patch);
            let (again, owned_again) =
                plan_stamp(ImageId::new("1"), &after, &want, &Ownership::new(owned.clone(), false));
            prop_assert!(again.is_empty());
            prop_assert_eq!(owned_again, owned);
            // Additions only: everything the user had is still there, in the same order.
            prop_assert!(after.urls.starts_with(&current.urls));
            prop_assert!(after.performer_ids.starts_with(&current.performer_ids));
            prop_assert!(after.tag_ids.starts_with(&current.tag_ids));
            // Never cleared: a field we have no value for keeps the user's.
            if want_details.is_none() { prop_assert_eq!(after.details, cur_details); }
            // Everything we want is there.
            for u in &want_urls { prop_assert!(after.urls.contains(u)); }
            // Our title is there when the field was free or forced; otherwise the user's stays.
            let free = cur_title.as_deref().is_none_or(str::is_empty);
            if free || force {
                prop_assert_eq!(after.title.as_deref(), Some(want.title.as_str()));
            } else {
                prop_assert_eq!(after.title, cur_title);
            }
        }
    }
}
