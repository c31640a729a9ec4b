//! A dry run's entities: the performers, studios and tags the sync state does not know are
//! looked up in Stash (one read-only [`MediaServer::find_entities`] call: at most one lookup
//! request per kind, the same lookups and matching a real sync's find-or-create makes) and
//! nothing is created. What Stash already has is *adopted*: the plan says so with its id, the
//! items are planned with that id, and it counts as unchanged; the rest is a planned create
//! without an id, counted as created. So the plan says exactly what a sync would do.

use domain::fansly::Account;
use domain::ids::StudioId;
use domain::ports::{EntityKind, MediaServer};
use domain::stash::{EntityLookup, FoundEntities};

use super::entities::{Missing, NetworkStudio};
use super::outcome::Outcome;
use super::sink::PlanTable;
use crate::convert::{EntityIds, creator_studio_name, creator_studio_spec, network_studio_spec};
use crate::error::CreatorError;
use crate::planner::{Action, PlannedChange};

/// Resolves a dry run's entities read-only, into planned creates and adoptions.
pub(super) struct DryRun<'a> {
    pub(super) stash: &'a dyn MediaServer,
    pub(super) plan: &'a mut PlanTable,
    pub(super) out: &'a mut Outcome,
    pub(super) network: &'a mut NetworkStudio,
    pub(super) network_name: String,
    pub(super) account: &'a Account,
}

impl DryRun<'_> {
    /// Looks `missing` up (and the network studio, once per run) and plans each one.
    pub(super) async fn resolve(
        &mut self,
        missing: Missing,
        ids: &mut EntityIds,
    ) -> Result<(), CreatorError> {
        let lookup = self.lookup(&missing);
        let found = if lookup.is_empty() {
            FoundEntities::default()
        } else {
            self.stash.find_entities(&lookup).await?
        };
        for spec in &missing.performers {
            let hit = found.performers.get(&spec.key).map(|p| p.id.clone());
            if let Some(id) = &hit {
                ids.performers.insert(spec.key.clone(), id.clone());
            }
            let id = hit.map(|i| i.to_string());
            self.row(EntityKind::Performer, &spec.key, &spec.name, id);
        }
        if *self.network == NetworkStudio::Unresolved {
            let name = self.network_name.clone();
            let hit = found.studios.get(&name).map(|s| s.id.clone());
            *self.network = match &hit {
                Some(id) => NetworkStudio::Known(id.clone()),
                None => NetworkStudio::Planned,
            };
            self.row(EntityKind::Studio, &name, &name, hit.map(|i| i.to_string()));
        }
        if missing.creator_studio {
            let name = creator_studio_name(&self.account.username);
            let hit: Option<StudioId> = found.studios.get(&name).map(|s| s.id.clone());
            if let Some(id) = &hit {
                ids.studios.insert(name.clone(), id.clone());
            }
            self.row(EntityKind::Studio, &name, &name, hit.map(|i| i.to_string()));
        }
        for t in &missing.tags {
            match found.tags.get(&t.name) {
                Some(tag) => {
                    ids.tags.insert(t.name.clone(), tag.id.clone());
                    let id = Some(tag.id.to_string());
                    self.row(EntityKind::Tag, &t.name, &t.name, id);
                }
                // A sync would leave it out too (e.g. `Trailer`, never created).
                None if !t.create_if_missing => {}
                None => self.row(EntityKind::Tag, &t.name, &t.name, None),
            }
        }
        Ok(())
    }

    /// What to ask Stash: the entities the state does not know, the network studio while it
    /// is unresolved in this run.
    fn lookup(&self, missing: &Missing) -> EntityLookup {
        let mut studios = Vec::new();
        if *self.network == NetworkStudio::Unresolved {
            studios.push(network_studio_spec(&self.network_name));
        }
        if missing.creator_studio {
            studios.push(creator_studio_spec(self.account, self.network.id()));
        }
        EntityLookup {
            performers: missing.performers.clone(),
            studios,
            tags: missing.tags.clone(),
        }
    }

    /// Plans an adoption (`stash_id` of what Stash has) or a create, and counts it as a sync
    /// would: adopted ones unchanged, new ones created.
    fn row(&mut self, kind: EntityKind, key: &str, name: &str, stash_id: Option<String>) {
        let (action, fields) = match &stash_id {
            Some(_) => (
                Action::Adopt,
                vec![format!("name = {name:?} (in Stash already)")],
            ),
            None => (Action::Create, vec![format!("name = {name:?}")]),
        };
        self.out.found_or_created(kind, stash_id.is_none());
        self.plan.push(PlannedChange {
            creator: self.account.username.clone(),
            kind,
            action,
            key: key.to_owned(),
            stash_id,
            fields,
        });
    }
}
