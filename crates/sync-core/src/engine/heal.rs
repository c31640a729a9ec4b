//! Healing stale ids: when the user deletes in Stash a performer, studio or tag the sync state
//! remembers, writes that refer to it fail ("FOREIGN KEY constraint failed"). Nothing is
//! checked up front (the happy path costs no request); when such a failure shows, the creator's
//! remembered performer, studio and tag ids are forgotten and found or created again by natural
//! key, once per creator and run, and the rest of the run uses the new ids (batches already
//! planned with the old ones are planned again). The network studio
//! is kept: if it is gone too, creating the creator's studio under it fails and heals it (see
//! `entities`). The items whose write failed keep their error and are retried on the next run.

use std::collections::HashMap;

use domain::fansly::Account;
use domain::ids::StudioId;
use domain::ports::EntityKind;

use super::SyncEngine;
use super::entities::EntityNeeds;
use super::outcome::Tally;
use super::prepare::PrepareCtx;
use crate::convert::EntityIds;
use crate::error::CreatorError;

/// Whether an error says a write refers to a performer, studio or tag that does not exist.
pub(crate) fn is_stale_reference(message: &str) -> bool {
    if message.contains("FOREIGN KEY constraint failed") {
        return true;
    }
    let lower = message.to_ascii_lowercase();
    lower.contains("not found")
        && ["performer with id", "studio with id", "tag with id"]
            .iter()
            .any(|p| lower.contains(p))
}

impl SyncEngine {
    /// Forgets the creator's performer, studio and tag ids and resolves them again; the new
    /// ids replace the old ones for the batches still to come.
    pub(crate) async fn heal_entities(
        &self,
        account: &Account,
        needs: &EntityNeeds,
        ctx: &PrepareCtx<'_>,
        network: &mut Option<StudioId>,
        tally: &mut Tally,
    ) -> Result<(), CreatorError> {
        let mut st = match ctx.state.lock() {
            Ok(s) => s.clone(),
            Err(p) => p.into_inner().clone(),
        };
        let network_key = super::entities::state_key(EntityKind::Studio, &self.opts.network_studio);
        let forgotten = st.forget_where(|kind, key| match kind {
            EntityKind::Performer | EntityKind::Tag => true,
            EntityKind::Studio => key != network_key,
            _ => false,
        });
        tracing::warn!(
            forgotten,
            "a write referred to an object Stash no longer has; re-resolving performers, studios and tags"
        );
        let ids = self
            .resolve_entities(account, needs, &mut st, network, tally)
            .await?;
        match ctx.state.lock() {
            Ok(mut s) => *s = st,
            Err(p) => *p.into_inner() = st,
        }
        let changed = {
            let mut current = match ctx.ids.write() {
                Ok(i) => i,
                Err(p) => p.into_inner(),
            };
            let changed = changed_ids(&current.ids, &ids);
            current.ids = ids;
            current.generation += 1;
            changed
        };
        tally.healed(
            ctx.creator,
            "performers, studios and tags",
            &format!(
                "a write failed on an id Stash no longer has (deleted there?); forgot {forgotten} \
                 remembered id(s) and found or created them again by name ({} changed: {}); the \
                 items that failed are retried on the next run",
                changed.len(),
                if changed.is_empty() {
                    "none".to_owned()
                } else {
                    changed.join(", ")
                }
            ),
        );
        self.save_state(ctx).await
    }
}

/// `kind name` of every entity whose id differs between `old` and `new`.
fn changed_ids(old: &EntityIds, new: &EntityIds) -> Vec<String> {
    fn changed<V: PartialEq>(
        kind: &str,
        old: &HashMap<String, V>,
        new: &HashMap<String, V>,
        out: &mut Vec<String>,
    ) {
        let mut names: Vec<String> = new
            .iter()
            .filter(|(k, v)| old.get(*k) != Some(*v))
            .map(|(k, _)| format!("{kind} {k}"))
            .collect();
        names.sort();
        out.extend(names);
    }
    let mut out = Vec::new();
    changed("performer", &old.performers, &new.performers, &mut out);
    changed("studio", &old.studios, &new.studios, &mut out);
    changed("tag", &old.tags, &new.tags, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_references_are_told_from_other_failures() {
        assert!(is_stale_reference(
            "updating the image failed: Stash reported: FOREIGN KEY constraint failed"
        ));
        assert!(is_stale_reference(
            "Stash reported: studio with id 12 not found"
        ));
        assert!(is_stale_reference("Tag with ID 3 not found"));
        assert!(!is_stale_reference(
            "Stash reported: scene with id 12 not found"
        ));
        assert!(!is_stale_reference("gallery with id 4 not found"));
        assert!(!is_stale_reference("Stash answered HTTP 500: oops"));
    }
}
