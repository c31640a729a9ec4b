//! The entities phase: performers, studios and tags the items refer to, resolved to Stash ids.
//! Ids remembered in the sync state need no request; the rest go to the sink: Stash finds or
//! creates them with one batched call per kind (two for studios, since a creator studio needs
//! its parent's id) and the state remembers them; in a dry run they are looked up without
//! creating (`engine/plan_entities.rs`): what Stash has is adopted, the rest planned as creates
//! without an id.
//! A remembered network studio Stash no longer has shows when the creator's studio cannot be
//! created under it; it is then found or created again, and the creator's studio retried.

use std::collections::BTreeMap;

use domain::fansly::Account;
use domain::ids::{PerformerId, StudioId, TagId};
use domain::ports::{EntityKind, MediaServer, MediaServerError};
use domain::stash::{PerformerSpec, TagSpec};

use super::outcome::Outcome;
use super::plan_entities::DryRun;
use super::run::CreatorRun;
use super::sink::Sink;
use crate::convert::{
    EntityIds, creator_studio_name, creator_studio_spec, network_studio_spec, tag_spec,
};
use crate::error::CreatorError;
use crate::fingerprint::Fingerprint;
use crate::state::{StateKey, StateWriter, Written};

/// What the items of a creator need.
#[derive(Debug, Default)]
pub(crate) struct EntityNeeds {
    /// Performer specs by key.
    pub(crate) performers: BTreeMap<String, PerformerSpec>,
    /// Tag names.
    pub(crate) tags: Vec<String>,
}

/// The network studio every creator studio hangs under, resolved once per run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum NetworkStudio {
    /// Not looked at yet in this run.
    #[default]
    Unresolved,
    /// Its Stash id.
    Known(StudioId),
    /// A dry run plans to create it (the plan says so once per run).
    Planned,
}

impl NetworkStudio {
    pub(super) fn id(&self) -> Option<StudioId> {
        match self {
            NetworkStudio::Known(id) => Some(id.clone()),
            _ => None,
        }
    }
}

/// Entities the sync state does not know.
#[derive(Debug, Default)]
pub(super) struct Missing {
    pub(super) performers: Vec<PerformerSpec>,
    pub(super) tags: Vec<TagSpec>,
    pub(super) creator_studio: bool,
}

fn performer_fp(s: &PerformerSpec) -> u64 {
    Fingerprint::new()
        .str(&s.name)
        .list(s.aliases.iter().map(String::as_str))
        .list(s.urls.iter().map(String::as_str))
        .finish()
}

impl CreatorRun<'_> {
    /// Resolves everything the creator's items need, plus the network and creator studios;
    /// counts and notes go to `out`.
    pub(crate) async fn resolve_entities(
        &mut self,
        out: &mut Outcome,
    ) -> Result<EntityIds, CreatorError> {
        let mut ids = EntityIds::default();
        let network_name = self.engine.opts.network_studio.clone();
        if self.shared.network == NetworkStudio::Unresolved
            && let Some(id) = self
                .state
                .stash_id(EntityKind::Studio, &StateKey::Studio(network_name.clone()))
        {
            self.shared.network = NetworkStudio::Known(StudioId::new(id));
        }
        let missing = self.known_entities(&mut ids);
        match &mut self.shared.sink {
            Sink::Stash(sink) => {
                let mut finder = Finder {
                    stash: sink.stash.as_ref(),
                    state: &mut self.state,
                    out,
                    network: &mut self.shared.network,
                    network_name,
                    account: self.account,
                };
                finder.resolve(missing, &mut ids).await?;
            }
            Sink::Plan(plan) => {
                let mut dry = DryRun {
                    stash: self.engine.stash.as_ref(),
                    plan,
                    out,
                    network: &mut self.shared.network,
                    network_name,
                    account: self.account,
                };
                dry.resolve(missing, &mut ids).await?;
            }
        }
        Ok(ids)
    }

    /// Fills `ids` with what the state remembers; returns the rest.
    fn known_entities(&self, ids: &mut EntityIds) -> Missing {
        let mut missing = Missing::default();
        for (key, spec) in &self.needs.performers {
            let state_key = StateKey::Performer(key.clone());
            match self.state.stash_id(EntityKind::Performer, &state_key) {
                Some(id) => {
                    ids.performers.insert(key.clone(), PerformerId::new(id));
                }
                None => missing.performers.push(spec.clone()),
            }
        }
        let studio = creator_studio_name(&self.account.username);
        match self
            .state
            .stash_id(EntityKind::Studio, &StateKey::Studio(studio.clone()))
        {
            Some(id) => {
                ids.studios.insert(studio, StudioId::new(id));
            }
            None => missing.creator_studio = true,
        }
        for name in &self.needs.tags {
            match self
                .state
                .stash_id(EntityKind::Tag, &StateKey::Tag(name.clone()))
            {
                Some(id) => {
                    ids.tags.insert(name.clone(), TagId::new(id));
                }
                None => missing.tags.push(tag_spec(name)),
            }
        }
        missing
    }
}

/// Finds or creates entities in Stash and remembers their ids.
struct Finder<'a> {
    stash: &'a dyn MediaServer,
    state: &'a mut StateWriter,
    out: &'a mut Outcome,
    network: &'a mut NetworkStudio,
    network_name: String,
    account: &'a Account,
}

impl Finder<'_> {
    async fn resolve(&mut self, missing: Missing, ids: &mut EntityIds) -> Result<(), CreatorError> {
        self.performers(&missing.performers, ids).await?;
        let network_created = self.network_studio().await?;
        if missing.creator_studio {
            let id = self.creator_studio(network_created).await?;
            ids.studios
                .insert(creator_studio_name(&self.account.username), id);
        }
        self.tags(&missing.tags, ids).await
    }

    async fn performers(
        &mut self,
        missing: &[PerformerSpec],
        ids: &mut EntityIds,
    ) -> Result<(), CreatorError> {
        if missing.is_empty() {
            return Ok(());
        }
        let found = self.stash.find_or_create_performers(missing).await?;
        let written = Written::now(0);
        for spec in missing {
            let key = StateKey::Performer(spec.key.clone());
            let Some(r) = found.get(&spec.key) else {
                let why = "Stash neither found nor created this performer";
                self.out.failed(EntityKind::Performer, &key, why);
                continue;
            };
            ids.performers.insert(spec.key.clone(), r.entity.id.clone());
            let written = Written {
                fingerprint: performer_fp(spec),
                ..written
            };
            self.state
                .mark_written(EntityKind::Performer, &key, r.entity.id.as_str(), written);
            self.out.found_or_created(EntityKind::Performer, r.created);
        }
        Ok(())
    }

    /// The network studio: cached for the run, remembered in each creator's state. Returns
    /// whether it was found or created just now.
    async fn network_studio(&mut self) -> Result<bool, CreatorError> {
        let key = StateKey::Studio(self.network_name.clone());
        let just_now = match self.network.id() {
            Some(_) => false,
            None => {
                let created = self.find_network().await?;
                self.out.found_or_created(EntityKind::Studio, created);
                true
            }
        };
        if let (None, Some(id)) = (
            self.state.stash_id(EntityKind::Studio, &key),
            self.network.id(),
        ) {
            self.state
                .mark_written(EntityKind::Studio, &key, id.as_str(), Written::now(0));
        }
        Ok(just_now)
    }

    /// Finds or creates the network studio and remembers it; returns whether it was created.
    async fn find_network(&mut self) -> Result<bool, CreatorError> {
        let name = self.network_name.clone();
        let found = self
            .stash
            .find_or_create_studios(&[network_studio_spec(&name)])
            .await?;
        let r = found.get(&name).ok_or_else(|| {
            CreatorError::Creator(format!(
                "Stash neither found nor created the network studio '{name}'"
            ))
        })?;
        let key = StateKey::Studio(name);
        self.state.mark_written(
            EntityKind::Studio,
            &key,
            r.entity.id.as_str(),
            Written::now(0),
        );
        *self.network = NetworkStudio::Known(r.entity.id.clone());
        Ok(r.created)
    }

    /// The creator's studio under the network studio; a stale network id (not created just
    /// now) is healed once.
    async fn creator_studio(&mut self, network_created: bool) -> Result<StudioId, CreatorError> {
        let found = match self.find_creator_studio().await {
            Err(e) if !network_created && e.is_stale_reference() => {
                self.heal_network(&e).await?;
                self.find_creator_studio().await?
            }
            other => other?,
        };
        let name = creator_studio_name(&self.account.username);
        let r = found.ok_or_else(|| {
            CreatorError::Creator(format!(
                "Stash neither found nor created the studio '{name}'"
            ))
        })?;
        self.out.found_or_created(EntityKind::Studio, r.1);
        let key = StateKey::Studio(name);
        self.state
            .mark_written(EntityKind::Studio, &key, r.0.as_str(), Written::now(0));
        Ok(r.0)
    }

    /// The creator's studio, found or created: its id and whether it was created.
    async fn find_creator_studio(&self) -> Result<Option<(StudioId, bool)>, MediaServerError> {
        let spec = creator_studio_spec(self.account, self.network.id());
        let found = self
            .stash
            .find_or_create_studios(std::slice::from_ref(&spec))
            .await?;
        Ok(found
            .get(&spec.name)
            .map(|r| (r.entity.id.clone(), r.created)))
    }

    /// The remembered network studio is gone: find or create it again.
    async fn heal_network(&mut self, e: &MediaServerError) -> Result<(), CreatorError> {
        let name = self.network_name.clone();
        self.state
            .forget(EntityKind::Studio, &StateKey::Studio(name.clone()));
        if self.find_network().await? {
            self.out.created(EntityKind::Studio);
        }
        let id = self.network.id().map(|i| i.to_string()).unwrap_or_default();
        self.out.healed(
            &name,
            &format!(
                "the remembered studio '{name}' is gone from Stash ({e}); found or created it \
                 again as {id}"
            ),
        );
        Ok(())
    }

    async fn tags(&mut self, missing: &[TagSpec], ids: &mut EntityIds) -> Result<(), CreatorError> {
        if missing.is_empty() {
            return Ok(());
        }
        let found = self.stash.find_or_create_tags(missing).await?;
        let written = Written::now(0);
        for t in missing {
            let key = StateKey::Tag(t.name.clone());
            let Some(r) = found.get(&t.name) else {
                let why = "Stash neither found nor created this tag";
                self.out.failed(EntityKind::Tag, &key, why);
                continue;
            };
            ids.tags.insert(t.name.clone(), r.entity.id.clone());
            self.state
                .mark_written(EntityKind::Tag, &key, r.entity.id.as_str(), written);
            self.out.found_or_created(EntityKind::Tag, r.created);
        }
        Ok(())
    }
}
