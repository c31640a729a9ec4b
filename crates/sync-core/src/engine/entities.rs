//! The entities phase: performers, studios and tags an item refers to, resolved to Stash ids.
//! Ids remembered in the sync state need no request; the rest are found or created with one
//! batched call per kind (two for studios, since a creator studio needs its parent's id).
//! In a dry run nothing is created: unknown entities get placeholder ids and planned changes.
//! A remembered network studio Stash no longer has shows when the creator's studio cannot be
//! created under it; it is then found or created again, and the creator's studio retried.

use std::collections::BTreeMap;

use chrono::Utc;
use domain::ids::{PerformerId, StudioId, TagId};
use domain::ports::EntityKind;
use domain::stash::{PerformerSpec, StudioSpec};

use super::SyncEngine;
use super::heal::is_stale_reference;
use super::outcome::Tally;
use crate::convert::{EntityIds, creator_studio_spec, network_studio_spec, tag_spec};
use crate::error::CreatorError;
use crate::fingerprint::Fingerprint;
use crate::planner::{Action, PlannedChange};
use crate::state::SyncState;

/// What the items of a creator need.
#[derive(Debug, Default)]
pub(crate) struct EntityNeeds {
    /// Performer specs by key.
    pub(crate) performers: BTreeMap<String, PerformerSpec>,
    /// Tag names.
    pub(crate) tags: Vec<String>,
}

fn performer_fp(s: &PerformerSpec) -> u64 {
    Fingerprint::new()
        .str(&s.name)
        .list(s.aliases.iter().map(String::as_str))
        .list(s.urls.iter().map(String::as_str))
        .finish()
}

/// The state key of an entity record.
pub(crate) fn state_key(kind: EntityKind, name: &str) -> String {
    format!("{}:{name}", kind.as_str())
}

fn placeholder(name: &str) -> String {
    format!("new:{name}")
}

impl SyncEngine {
    /// Resolves everything `needs` names, plus the network and creator studios.
    pub(crate) async fn resolve_entities(
        &self,
        account: &domain::fansly::Account,
        needs: &EntityNeeds,
        state: &mut SyncState,
        network_cache: &mut Option<StudioId>,
        tally: &mut Tally,
    ) -> Result<EntityIds, CreatorError> {
        let creator = account.username.as_str();
        let dry = self.opts.dry_run;
        let now = Utc::now();
        let mut ids = EntityIds::default();

        // Performers.
        let mut missing = Vec::new();
        for (key, spec) in &needs.performers {
            match state.stash_id(
                EntityKind::Performer,
                &state_key(EntityKind::Performer, key),
            ) {
                Some(id) => {
                    ids.performers.insert(key.clone(), PerformerId::new(id));
                }
                None => missing.push(spec.clone()),
            }
        }
        if !missing.is_empty() {
            if dry {
                for spec in &missing {
                    ids.performers
                        .insert(spec.key.clone(), PerformerId::new(placeholder(&spec.key)));
                    tally.plan.push(planned(
                        creator,
                        EntityKind::Performer,
                        &spec.key,
                        &spec.name,
                    ));
                }
            } else {
                let found = self.stash.find_or_create_performers(&missing).await?;
                for spec in &missing {
                    let key = state_key(EntityKind::Performer, &spec.key);
                    match found.get(&spec.key) {
                        Some(r) => {
                            ids.performers.insert(spec.key.clone(), r.entity.id.clone());
                            state.mark_written(
                                EntityKind::Performer,
                                &key,
                                r.entity.id.as_str(),
                                performer_fp(spec),
                                now,
                            );
                            if r.created {
                                tally.created(EntityKind::Performer)
                            } else {
                                tally.unchanged(EntityKind::Performer)
                            }
                        }
                        None => tally.failed(
                            creator,
                            EntityKind::Performer,
                            &key,
                            "Stash neither found nor created this performer",
                        ),
                    }
                }
            }
        }

        // Studios: the network first (cached for the whole run), then the creator's.
        let network_name = self.opts.network_studio.clone();
        let network_key = state_key(EntityKind::Studio, &network_name);
        if network_cache.is_none() {
            *network_cache = state
                .stash_id(EntityKind::Studio, &network_key)
                .map(StudioId::new);
        }
        let creator_spec_name = crate::convert::creator_studio_name(&account.username);
        let creator_key = state_key(EntityKind::Studio, &creator_spec_name);
        let creator_known = state
            .stash_id(EntityKind::Studio, &creator_key)
            .map(StudioId::new);
        let mut studio_specs: Vec<StudioSpec> = Vec::new();
        if network_cache.is_none() {
            studio_specs.push(network_studio_spec(&network_name));
        }
        if dry {
            if network_cache.is_none() {
                *network_cache = Some(StudioId::new(placeholder(&network_name)));
                tally.plan.push(planned(
                    creator,
                    EntityKind::Studio,
                    &network_name,
                    &network_name,
                ));
            }
            let id = match creator_known {
                Some(id) => id,
                None => {
                    tally.plan.push(planned(
                        creator,
                        EntityKind::Studio,
                        &creator_spec_name,
                        &creator_spec_name,
                    ));
                    StudioId::new(placeholder(&creator_spec_name))
                }
            };
            ids.studios.insert(creator_spec_name, id);
        } else {
            let network_created = !studio_specs.is_empty();
            if let Some(spec) = studio_specs.pop() {
                let found = self.stash.find_or_create_studios(&[spec]).await?;
                let r = found.get(&network_name).ok_or_else(|| {
                    CreatorError::Creator(format!(
                        "Stash neither found nor created the network studio '{network_name}'"
                    ))
                })?;
                if r.created {
                    tally.created(EntityKind::Studio)
                } else {
                    tally.unchanged(EntityKind::Studio)
                }
                state.mark_written(
                    EntityKind::Studio,
                    &network_key,
                    r.entity.id.as_str(),
                    0,
                    now,
                );
                *network_cache = Some(r.entity.id.clone());
            }
            if let (None, Some(id)) = (
                state.stash_id(EntityKind::Studio, &network_key),
                network_cache.as_ref(),
            ) {
                state.mark_written(EntityKind::Studio, &network_key, id.as_str(), 0, now);
            }
            let id = match creator_known {
                Some(id) => id,
                None => {
                    let mut spec = creator_studio_spec(account, network_cache.clone());
                    let found = match self
                        .stash
                        .find_or_create_studios(std::slice::from_ref(&spec))
                        .await
                    {
                        Ok(found) => found,
                        Err(e) if !network_created && is_stale_reference(&e.to_string()) => {
                            // The remembered network studio is gone: find or create it again,
                            // then the creator's studio under it.
                            state.forget(EntityKind::Studio, &network_key);
                            let r = self
                                .stash
                                .find_or_create_studios(&[network_studio_spec(&network_name)])
                                .await?;
                            let r = r.get(&network_name).ok_or_else(|| {
                                CreatorError::Creator(format!(
                                    "Stash neither found nor created the network studio \
                                     '{network_name}'"
                                ))
                            })?;
                            if r.created {
                                tally.created(EntityKind::Studio)
                            }
                            state.mark_written(
                                EntityKind::Studio,
                                &network_key,
                                r.entity.id.as_str(),
                                0,
                                now,
                            );
                            *network_cache = Some(r.entity.id.clone());
                            tally.healed(
                                creator,
                                &network_name,
                                &format!(
                                    "the remembered studio '{network_name}' is gone from Stash \
                                     ({e}); found or created it again as {}",
                                    r.entity.id
                                ),
                            );
                            spec = creator_studio_spec(account, network_cache.clone());
                            self.stash
                                .find_or_create_studios(std::slice::from_ref(&spec))
                                .await?
                        }
                        Err(e) => return Err(e.into()),
                    };
                    let r = found.get(&spec.name).ok_or_else(|| {
                        CreatorError::Creator(format!(
                            "Stash neither found nor created the studio '{}'",
                            spec.name
                        ))
                    })?;
                    if r.created {
                        tally.created(EntityKind::Studio)
                    } else {
                        tally.unchanged(EntityKind::Studio)
                    }
                    state.mark_written(
                        EntityKind::Studio,
                        &creator_key,
                        r.entity.id.as_str(),
                        0,
                        now,
                    );
                    r.entity.id.clone()
                }
            };
            ids.studios.insert(creator_spec_name, id);
        }

        // Tags.
        let mut missing_tags = Vec::new();
        for name in &needs.tags {
            match state.stash_id(EntityKind::Tag, &state_key(EntityKind::Tag, name)) {
                Some(id) => {
                    ids.tags.insert(name.clone(), TagId::new(id));
                }
                None => missing_tags.push(tag_spec(name)),
            }
        }
        if !missing_tags.is_empty() {
            if dry {
                for t in &missing_tags {
                    ids.tags
                        .insert(t.name.clone(), TagId::new(placeholder(&t.name)));
                    tally
                        .plan
                        .push(planned(creator, EntityKind::Tag, &t.name, &t.name));
                }
            } else {
                let found = self.stash.find_or_create_tags(&missing_tags).await?;
                for t in &missing_tags {
                    let key = state_key(EntityKind::Tag, &t.name);
                    match found.get(&t.name) {
                        Some(r) => {
                            ids.tags.insert(t.name.clone(), r.entity.id.clone());
                            state.mark_written(EntityKind::Tag, &key, r.entity.id.as_str(), 0, now);
                            if r.created {
                                tally.created(EntityKind::Tag)
                            } else {
                                tally.unchanged(EntityKind::Tag)
                            }
                        }
                        None => tally.failed(
                            creator,
                            EntityKind::Tag,
                            &key,
                            "Stash neither found nor created this tag",
                        ),
                    }
                }
            }
        }
        Ok(ids)
    }
}

fn planned(creator: &str, kind: EntityKind, key: &str, name: &str) -> PlannedChange {
    PlannedChange {
        creator: creator.to_owned(),
        kind,
        action: Action::Create,
        key: key.to_owned(),
        stash_id: None,
        fields: vec![format!("name = {name:?} (or adopt an existing one)")],
    }
}
