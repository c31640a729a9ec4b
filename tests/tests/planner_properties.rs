//! Property tests the crates' own suites lack: the gallery planner reaches a fixpoint
//! (apply the plan, plan again with the field hashes the first plan claimed: nothing left),
//! only ever adds to the user's lists, and takes a title only when it is free or forced; the stamp
//! planner's counterpart lives in `sync-core` (`planner::tests`). Patches are applied here the
//! way Stash applies them (omitted = unchanged, set = replace).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use domain::Patch;
use domain::ids::{GalleryId, PerformerId, SceneId, StudioId, TagId};
use domain::stash::{Gallery, GalleryPatch};
use proptest::prelude::*;
use sync_core::convert::DesiredFields;
use sync_core::planner::{Ownership, plan_gallery};

fn apply<T: Clone>(current: Option<T>, patch: &Patch<T>) -> Option<T> {
    match patch {
        Patch::Unchanged => current,
        Patch::Clear => None,
        Patch::Set(v) => Some(v.clone()),
    }
}

fn apply_list<T: Clone>(current: &[T], patch: &Patch<Vec<T>>) -> Vec<T> {
    apply(Some(current.to_vec()), patch).unwrap_or_default()
}

fn apply_gallery(g: &Gallery, p: &GalleryPatch) -> Gallery {
    Gallery {
        title: p.title.clone().or_else(|| g.title.clone()),
        code: apply(g.code.clone(), &p.code),
        details: apply(g.details.clone(), &p.details),
        date: apply(g.date, &p.date),
        urls: apply_list(&g.urls, &p.urls),
        organized: p.organized.unwrap_or(g.organized),
        studio_id: apply(g.studio_id.clone(), &p.studio_id),
        performer_ids: apply_list(&g.performer_ids, &p.performer_ids),
        tag_ids: apply_list(&g.tag_ids, &p.tag_ids),
        scene_ids: apply_list(&g.scene_ids, &p.scene_ids),
        ..g.clone()
    }
}

fn ids() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[1-6]", 0..4)
}

proptest! {
    #[test]
    fn planning_a_gallery_again_after_applying_the_plan_is_empty(
        cur_title in proptest::option::of("[ab]{0,3}"), cur_code in proptest::option::of("[12]"),
        cur_details in proptest::option::of("[xy]"), cur_studio in proptest::option::of("[34]"),
        cur_perf in ids(), cur_tags in ids(), cur_urls in ids(), cur_scenes in ids(),
        want_title in "[ab]{0,3}", want_code in proptest::option::of("[12]"),
        want_details in proptest::option::of("[xy]"), want_studio in proptest::option::of("[34]"),
        want_perf in ids(), want_tags in ids(), want_urls in ids(), want_scenes in ids(),
        force in any::<bool>(),
    ) {
        let current = Gallery {
            id: GalleryId::new("9"),
            title: cur_title.clone(),
            code: cur_code,
            details: cur_details.clone(),
            date: None,
            urls: cur_urls.clone(),
            organized: false,
            studio_id: cur_studio.map(StudioId::new),
            performer_ids: cur_perf.iter().cloned().map(PerformerId::new).collect(),
            tag_ids: cur_tags.iter().cloned().map(TagId::new).collect(),
            scene_ids: cur_scenes.iter().cloned().map(SceneId::new).collect(),
            image_count: 0,
            user_created: false,
        };
        let want = DesiredFields {
            title: want_title,
            code: want_code,
            details: want_details.clone(),
            date: None,
            urls: want_urls.clone(),
            studio_id: want_studio.map(StudioId::new),
            performer_ids: want_perf.iter().cloned().map(PerformerId::new).collect(),
            tag_ids: want_tags.iter().cloned().map(TagId::new).collect(),
            earlier: Default::default(),
        };
        let scenes: Vec<SceneId> = want_scenes.iter().cloned().map(SceneId::new).collect();
        let own = Ownership::new(domain::ports::FieldHashes::new(), force);
        let (plan, owned) = plan_gallery(&current, &want, &scenes, &own);
        // Organized is never ours to set.
        prop_assert!(plan.organized.is_none());
        let after = apply_gallery(&current, &plan);
        // Planned again with what the first write made ours: nothing left, same claims.
        let (again, owned_again) =
            plan_gallery(&after, &want, &scenes, &Ownership::new(owned.clone(), false));
        prop_assert!(again.is_empty(), "second plan not empty: {again:?}");
        prop_assert_eq!(owned_again, owned);
        // Additions only, the user's entries first and kept.
        prop_assert!(after.urls.starts_with(&current.urls));
        prop_assert!(after.performer_ids.starts_with(&current.performer_ids));
        prop_assert!(after.tag_ids.starts_with(&current.tag_ids));
        prop_assert!(after.scene_ids.starts_with(&current.scene_ids));
        for s in &scenes { prop_assert!(after.scene_ids.contains(s)); }
        // Never cleared: no value of ours keeps the user's.
        if want_details.is_none() { prop_assert_eq!(after.details, cur_details); }
        if want.title.is_empty() { prop_assert_eq!(&after.title, &current.title); }
        // A title someone else set stays unless forced; a free one becomes ours.
        let free = cur_title.as_deref().is_none_or(str::is_empty);
        if !want.title.is_empty() && (free || force) {
            prop_assert_eq!(after.title.as_deref(), Some(want.title.as_str()));
        } else if !want.title.is_empty() {
            prop_assert_eq!(after.title, cur_title);
        }
    }
}
