//! The planner: desired state against current state gives the smallest patch (only fields
//! that differ), under the safety rules: fields we do not own are never in a patch, nothing
//! is ever cleared, and lists (performers, tags, urls, scenes) only grow: desired = current ∪
//! ours, current entries first.
//!
//! [`Plan`] is the readable list of what a dry run would write.

use std::fmt::Write as _;

use domain::Patch;
use domain::ids::SceneId;
use domain::ports::EntityKind;
use domain::stash::{Gallery, GalleryPatch, NewGallery, StampFields, StampPatch};

use crate::convert::DesiredFields;

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

/// Sets the field when we have a value and it differs; never clears.
fn scalar<T: PartialEq + Clone>(current: Option<&T>, desired: Option<&T>) -> Patch<T> {
    match desired {
        Some(d) if current != Some(d) => Patch::Set(d.clone()),
        _ => Patch::Unchanged,
    }
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

/// The patch that brings a scene or image to the desired fields. `organized` and galleries
/// are never touched (galleries are linked from the gallery side).
pub fn plan_stamp<Id>(id: Id, current: &StampFields, desired: &DesiredFields) -> StampPatch<Id> {
    StampPatch {
        title: scalar(current.title.as_ref(), Some(&desired.title)),
        code: scalar(current.code.as_ref(), desired.code.as_ref()),
        details: scalar(current.details.as_ref(), desired.details.as_ref()),
        date: scalar(current.date.as_ref(), desired.date.as_ref()),
        urls: additions(&current.urls, &desired.urls),
        studio_id: scalar(current.studio_id.as_ref(), desired.studio_id.as_ref()),
        performer_ids: additions(&current.performer_ids, &desired.performer_ids),
        tag_ids: additions(&current.tag_ids, &desired.tag_ids),
        ..StampPatch::new(id)
    }
}

/// The patch that brings an existing gallery to the desired fields, adding our scenes.
pub fn plan_gallery(
    current: &Gallery,
    desired: &DesiredFields,
    scenes: &[SceneId],
) -> GalleryPatch {
    let title = (current.title.as_deref() != Some(desired.title.as_str())
        && !desired.title.is_empty())
    .then(|| desired.title.clone());
    GalleryPatch {
        title,
        code: scalar(current.code.as_ref(), desired.code.as_ref()),
        details: scalar(current.details.as_ref(), desired.details.as_ref()),
        date: scalar(current.date.as_ref(), desired.date.as_ref()),
        urls: additions(&current.urls, &desired.urls),
        studio_id: scalar(current.studio_id.as_ref(), desired.studio_id.as_ref()),
        performer_ids: additions(&current.performer_ids, &desired.performer_ids),
        tag_ids: additions(&current.tag_ids, &desired.tag_ids),
        scene_ids: additions(&current.scene_ids, scenes),
        ..GalleryPatch::new(current.id.clone())
    }
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
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Link => "link",
        }
    }
}

/// One planned write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedChange {
    /// The creator.
    pub creator: String,
    /// The object kind.
    pub kind: EntityKind,
    /// Create, update or link.
    pub action: Action,
    /// The source key or entity name.
    pub key: String,
    /// The Stash id, for updates.
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

/// Cuts a cell to `max` characters.
fn cell(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut c: String = s.chars().take(max.saturating_sub(1)).collect();
        c.push('…');
        c
    }
}

impl Plan {
    /// Whether nothing would be written.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The plan as a plain-text table: one row per change, fields abbreviated.
    pub fn render_table(&self) -> String {
        let mut out = String::new();
        if self.changes.is_empty() {
            out.push_str("Nothing to write: Stash is up to date.\n");
            return out;
        }
        let _ = writeln!(
            out,
            "{:<16} {:<9} {:<7} {:<24} {:<8} fields",
            "creator", "kind", "action", "key", "stash id"
        );
        for c in &self.changes {
            let _ = writeln!(
                out,
                "{:<16} {:<9} {:<7} {:<24} {:<8} {}",
                cell(&c.creator, 16),
                c.kind.as_str(),
                c.action.as_str(),
                cell(&c.key, 24),
                cell(c.stash_id.as_deref().unwrap_or("-"), 8),
                cell(&c.fields.join("; "), 100)
            );
        }
        let _ = writeln!(
            out,
            "{} change(s) planned; nothing was written.",
            self.changes.len()
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::FuzzyDate;
    use domain::ids::{GalleryId, ImageId, PerformerId, StudioId, TagId};
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
        let p = plan_stamp(ImageId::new("i"), &current, &desired());
        assert!(p.title.is_unchanged(), "same title");
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
        let p = plan_gallery(&g, &d, &[SceneId::new("s1"), SceneId::new("s0")]);
        assert_eq!(p.title.as_deref(), Some("A title here"));
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
    fn plan_renders_as_a_table() {
        let plan = Plan {
            changes: vec![PlannedChange {
                creator: "alice".into(),
                kind: EntityKind::Scene,
                action: Action::Update,
                key: "media:77".into(),
                stash_id: Some("12".into()),
                fields: vec!["title = \"x\"".into()],
            }],
        };
        let t = plan.render_table();
        assert!(t.lines().next().unwrap().starts_with("creator"));
        assert!(
            t.contains("alice")
                && t.contains("media:77")
                && t.contains("update")
                && t.contains("title")
        );
        assert!(t.contains("1 change(s) planned"));
        assert!(Plan::default().render_table().contains("up to date"));
        let _ = FuzzyDate::Year(2020);
    }

    fn ids_strategy() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec("[1-6]", 0..4)
    }

    proptest! {
        #[test]
        fn applying_a_plan_then_planning_again_is_empty(
            cur_title in proptest::option::of("[ab]{1,3}"), cur_code in proptest::option::of("[12]"),
            cur_details in proptest::option::of("[xy]"), cur_studio in proptest::option::of("[34]"),
            cur_perf in ids_strategy(), cur_tags in ids_strategy(), cur_urls in ids_strategy(),
            want_title in "[ab]{1,3}", want_code in proptest::option::of("[12]"), want_details in proptest::option::of("[xy]"),
            want_studio in proptest::option::of("[34]"), want_perf in ids_strategy(), want_tags in ids_strategy(), want_urls in ids_strategy(),
        ) {
            let current = StampFields {
                title: cur_title, code: cur_code, details: cur_details.clone(), date: None,
                urls: cur_urls.clone(), organized: false, studio_id: cur_studio.map(StudioId::new),
                performer_ids: cur_perf.iter().cloned().map(PerformerId::new).collect(),
                tag_ids: cur_tags.iter().cloned().map(TagId::new).collect(), gallery_ids: vec![],
            };
            let want = DesiredFields {
                title: want_title, code: want_code, details: want_details.clone(), date: None,
                urls: want_urls.clone(), studio_id: want_studio.map(StudioId::new),
                performer_ids: want_perf.iter().cloned().map(PerformerId::new).collect(),
                tag_ids: want_tags.iter().cloned().map(TagId::new).collect(),
            };
            let after = apply(&current, plan_stamp(ImageId::new("1"), &current, &want));
            prop_assert!(plan_stamp(ImageId::new("1"), &after, &want).is_empty());
            // Additions only: everything the user had is still there, in the same order.
            prop_assert!(after.urls.starts_with(&current.urls));
            prop_assert!(after.performer_ids.starts_with(&current.performer_ids));
            prop_assert!(after.tag_ids.starts_with(&current.tag_ids));
            // Never cleared: a field we have no value for keeps the user's.
            if want_details.is_none() { prop_assert_eq!(after.details, cur_details); }
            // Everything we want is there.
            for u in &want_urls { prop_assert!(after.urls.contains(u)); }
            prop_assert_eq!(after.title.as_deref(), Some(want.title.as_str()));
        }
    }
}
