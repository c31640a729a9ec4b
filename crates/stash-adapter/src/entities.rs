//! Race-free find-or-create of performers, studios and tags by natural key.
//!
//! Per key single flight (within the process) serialises callers resolving the same name.
//! Lookups go out batched (one request carries name, alias and URL regexes for many specs) and
//! every hit is verified client-side. Missing entities are created in aliased batches; a
//! duplicate-name error means someone else created it meanwhile, so the adapter looks it up
//! again and adopts it; an unclear failure is followed by a lookup before any second create.
//! [`StashClient::find_entities_impl`] is the same lookups and matching without any create
//! (a dry run's "adopt or create").

use std::collections::{HashMap, HashSet};

use cynic::{MutationBuilder, QueryBuilder};
use domain::ports::MediaServerError;
use domain::stash::{
    EntityLookup, FoundEntities, Performer, PerformerSpec, Resolved, ServerInfo, Studio,
    StudioSpec, Tag, TagSpec,
};

use crate::aliased::AliasResult;
use crate::client::StashClient;
use crate::convert;
use crate::keys::{any_of_regex, is_duplicate_name, same_name};
use crate::ops::inputs::{
    FindFilterType, PerformerCreateInput, PerformerFilterType, StringCriterionInput,
    StudioCreateInput, StudioFilterType, TagCreateInput, TagFilterType,
};
use crate::ops::mutations::{
    PerformerCreate, PerformerCreateVariables, StudioCreate, StudioCreateVariables,
    StudioCreateWithUrls, TagCreate, TagCreateVariables,
};
use crate::ops::queries::{
    PerformerLookup, PerformerLookupVariables, StudioLookup, StudioLookupVariables,
    StudioLookupWithUrls, TagLookup, TagLookupVariables,
};
use crate::transport::Safety;

/// A filter that matches nothing useful stays a regex that cannot match (`$^`-like), so the
/// aliased query keeps its shape.
const NO_MATCH: &str = "^\\b\\B$";

fn regex_or_none<'a>(values: impl IntoIterator<Item = &'a str>) -> StringCriterionInput {
    StringCriterionInput::regex(any_of_regex(values).unwrap_or_else(|| NO_MATCH.to_owned()))
}

fn is_fansly_url(u: &str) -> bool {
    u.to_lowercase().contains("fansly.com/")
}

/// How a create went, per spec.
enum Made<T> {
    Created(T),
    /// Taken meanwhile, or unclear: look up again.
    LookAgain(MediaServerError),
    Failed(MediaServerError),
}

fn classify<T>(r: Result<Option<T>, MediaServerError>) -> Made<T> {
    match r {
        Ok(Some(t)) => Made::Created(t),
        Ok(None) => Made::LookAgain(MediaServerError::Decode {
            operation: "create".into(),
            message: "the server returned no result and no error".into(),
        }),
        Err(MediaServerError::GraphQl { errors })
            if errors.iter().any(|e| is_duplicate_name(&e.message)) =>
        {
            Made::LookAgain(MediaServerError::GraphQl { errors })
        }
        Err(e) if e.is_transient() => Made::LookAgain(e),
        Err(e) => Made::Failed(e),
    }
}

/// Sends aliased creates; a transport failure of the whole request is unclear for every item.
fn per_item<Q, T>(
    n: usize,
    sent: Result<Vec<AliasResult<Q>>, MediaServerError>,
    unpack: impl Fn(Q) -> Option<T>,
) -> Result<Vec<Made<T>>, MediaServerError> {
    match sent {
        Ok(results) => Ok(results
            .into_iter()
            .map(|r| {
                classify(match r {
                    AliasResult::Data(q) => Ok(unpack(q)),
                    AliasResult::Failed(e) => Err(e),
                    AliasResult::Null | AliasResult::NoErrorNoData => Ok(None),
                })
            })
            .collect()),
        Err(e) if e.is_fatal() => Err(e),
        Err(e) => Ok((0..n).map(|_| classify::<T>(Err(e.clone()))).collect()),
    }
}

fn create_failed(kind: &str, name: &str, e: MediaServerError) -> MediaServerError {
    tracing::warn!(kind, name, error = %e, "create failed");
    e
}

/// What one find-or-create call has resolved so far, keyed by the caller's key.
type Found<T> = HashMap<String, Resolved<T>>;

/// The bookkeeping the find-or-create of every kind shares (lookup, create, look again,
/// create once more): only the lookups, the creates and the matching rule differ per kind.
struct Resolving<W, T> {
    kind: &'static str,
    key: fn(&W) -> String,
    name: fn(&W) -> &str,
    out: Found<T>,
}

impl<W: Copy, T: Clone> Resolving<W, T> {
    /// Adopts every wanted item `pick` finds among `candidates`; returns the others.
    fn adopt<E>(
        &mut self,
        wanted: impl IntoIterator<Item = (W, E)>,
        candidates: &[T],
        pick: impl Fn(&W, &[T]) -> Option<T>,
    ) -> Vec<(W, E)> {
        let mut unfound = Vec::new();
        for (w, extra) in wanted {
            match pick(&w, candidates) {
                Some(entity) => {
                    self.out.insert(
                        (self.key)(&w),
                        Resolved {
                            entity,
                            created: false,
                        },
                    );
                }
                None => unfound.push((w, extra)),
            }
        }
        unfound
    }

    /// Records what a create made; returns the items to look up again (taken meanwhile, or
    /// an unclear failure). A plain failure stops the call.
    fn record_created(
        &mut self,
        wanted: &[W],
        made: Vec<Made<T>>,
    ) -> Result<Vec<(W, MediaServerError)>, MediaServerError> {
        let mut again = Vec::new();
        for (w, made) in wanted.iter().zip(made) {
            match made {
                Made::Created(entity) => {
                    self.out.insert(
                        (self.key)(w),
                        Resolved {
                            entity,
                            created: true,
                        },
                    );
                }
                Made::LookAgain(e) => again.push((*w, e)),
                Made::Failed(e) => return Err(create_failed(self.kind, (self.name)(w), e)),
            }
        }
        Ok(again)
    }

    /// After the second lookup: an item still missing is created once more, unless its
    /// create error says that would not help (`give_up`).
    fn still_missing(
        &self,
        unfound: Vec<(W, MediaServerError)>,
        give_up: impl Fn(&MediaServerError) -> bool,
    ) -> Result<Vec<W>, MediaServerError> {
        let mut still = Vec::new();
        for (w, e) in unfound {
            if give_up(&e) {
                return Err(create_failed(self.kind, (self.name)(&w), e));
            }
            still.push(w);
        }
        Ok(still)
    }

    /// Records the last create: anything not made now is an error.
    fn finish(mut self, wanted: &[W], made: Vec<Made<T>>) -> Result<Found<T>, MediaServerError> {
        if let Some((w, e)) = self.record_created(wanted, made)?.into_iter().next() {
            return Err(create_failed(self.kind, (self.name)(&w), e));
        }
        Ok(self.out)
    }
}

fn studio_names<'a>(specs: &[&'a StudioSpec]) -> Vec<&'a str> {
    specs.iter().map(|s| s.name.as_str()).collect()
}

fn unit<W>(w: W) -> (W, ()) {
    (w, ())
}

fn first<W, E>(pairs: &[(W, E)]) -> Vec<W>
where
    W: Copy,
{
    pairs.iter().map(|(w, _)| *w).collect()
}

/// How a server holds a studio's URLs: a list (`urls`, appSchema 75+, v0.30) or one `url`
/// (v0.27-v0.29). The one gate the studio lookups and creates follow, and the one the
/// upstream-schema check applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StudioUrls {
    /// `urls: [String!]`.
    List,
    /// `url: String`: a studio keeps its first URL only.
    Single,
}

impl StudioUrls {
    pub(crate) fn of(info: &ServerInfo) -> Self {
        if info.studio_urls() {
            Self::List
        } else {
            Self::Single
        }
    }

    /// The `studioCreate` input of `spec` on such a server.
    pub(crate) fn create_input(self, spec: &StudioSpec) -> StudioCreateInput {
        let urls: Vec<String> = spec
            .urls
            .iter()
            .map(|u| u.trim())
            .filter(|u| !u.is_empty())
            .map(str::to_owned)
            .collect();
        let (url, urls) = match self {
            Self::List => (None, (!urls.is_empty()).then_some(urls)),
            Self::Single => (urls.into_iter().next(), None),
        };
        StudioCreateInput {
            name: spec.name.trim().to_owned(),
            url,
            urls,
            parent_id: spec.parent_id.as_ref().map(|p| cynic::Id::new(p.as_str())),
        }
    }
}

/// The `performerCreate` input of `spec` on a server like `info` (`urls` from appSchema 67).
pub(crate) fn performer_create_input(
    info: &ServerInfo,
    spec: &PerformerSpec,
    disambiguation: Option<String>,
) -> PerformerCreateInput {
    let aliases: Vec<String> = spec
        .aliases
        .iter()
        .filter(|a| !same_name(a, &spec.name))
        .cloned()
        .collect();
    PerformerCreateInput {
        name: spec.name.clone(),
        disambiguation,
        urls: (info.performer_urls() && !spec.urls.is_empty()).then(|| spec.urls.clone()),
        alias_list: (!aliases.is_empty()).then_some(aliases),
        details: spec.details.clone(),
    }
}

impl StashClient {
    /// What a find-or-create of `lookup` would adopt: one lookup request per kind asked for
    /// (per chunk of names), matched as the find-or-create methods match; nothing is created.
    pub(crate) async fn find_entities_impl(
        &self,
        lookup: &EntityLookup,
    ) -> Result<FoundEntities, MediaServerError> {
        let mut found = FoundEntities::default();
        let mut seen = HashSet::new();
        let performers: Vec<&PerformerSpec> = lookup
            .performers
            .iter()
            .filter(|s| seen.insert(s.key.as_str()))
            .collect();
        if !performers.is_empty() {
            let candidates = self.lookup_performers(&performers).await?;
            for spec in performers {
                if let Some(p) = Self::match_performer(spec, &candidates) {
                    found.performers.insert(spec.key.clone(), p.clone());
                }
            }
        }
        let mut seen = HashSet::new();
        let studios: Vec<&str> = lookup
            .studios
            .iter()
            .map(|s| s.name.as_str())
            .filter(|n| seen.insert(*n))
            .collect();
        if !studios.is_empty() {
            let candidates = self.lookup_studios(&studios).await?;
            for name in studios {
                let hit =
                    Self::match_named(name, &candidates, |x: &Studio| &x.name, |x| &x.aliases);
                if let Some(s) = hit {
                    found.studios.insert(name.to_owned(), s.clone());
                }
            }
        }
        let mut seen = HashSet::new();
        let tags: Vec<&str> = lookup
            .tags
            .iter()
            .map(|t| t.name.as_str())
            .filter(|n| seen.insert(*n))
            .collect();
        if !tags.is_empty() {
            let candidates = self.lookup_tags(&tags).await?;
            for name in tags {
                let hit = Self::match_named(name, &candidates, |t: &Tag| &t.name, |t| &t.aliases);
                if let Some(t) = hit {
                    found.tags.insert(name.to_owned(), t.clone());
                }
            }
        }
        Ok(found)
    }

    // ---------- performers ----------

    /// Candidates for `specs` by name, alias and URL, in one request per chunk.
    async fn lookup_performers(
        &self,
        specs: &[&PerformerSpec],
    ) -> Result<Vec<Performer>, MediaServerError> {
        let mut found: HashMap<String, Performer> = HashMap::new();
        for chunk in specs.chunks(self.limits.names_chunk) {
            let names = chunk.iter().map(|s| s.name.as_str());
            let aliases = chunk.iter().flat_map(|s| {
                std::iter::once(s.name.as_str()).chain(s.aliases.iter().map(String::as_str))
            });
            let urls: Vec<&str> = chunk
                .iter()
                .flat_map(|s| s.urls.iter().map(String::as_str))
                .collect();
            let vars = PerformerLookupVariables {
                by_name: PerformerFilterType {
                    name: Some(regex_or_none(names)),
                    ..Default::default()
                },
                by_alias: PerformerFilterType {
                    aliases: Some(regex_or_none(aliases)),
                    ..Default::default()
                },
                by_url: PerformerFilterType {
                    url: Some(regex_or_none(if self.info.performer_urls() {
                        urls
                    } else {
                        Vec::new()
                    })),
                    ..Default::default()
                },
                filter: FindFilterType::all_by_id(),
            };
            let reply = self
                .transport
                .run(PerformerLookup::build(vars), Safety::Idempotent)
                .await?;
            for p in reply
                .by_name
                .performers
                .iter()
                .chain(&reply.by_alias.performers)
                .chain(&reply.by_url.performers)
            {
                found
                    .entry(p.id.inner().to_owned())
                    .or_insert_with(|| convert::performer(p));
            }
        }
        let mut list: Vec<Performer> = found.into_values().collect();
        list.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(list)
    }

    /// The existing performer a spec means: by URL, then alias, then name + disambiguation
    /// (skipping a namesake whose Fansly URL points at another account).
    fn match_performer<'a>(
        spec: &PerformerSpec,
        candidates: &'a [Performer],
    ) -> Option<&'a Performer> {
        if let Some(p) = candidates.iter().find(|p| {
            p.urls
                .iter()
                .any(|u| spec.urls.iter().any(|s| s.trim() == u.trim()))
        }) {
            return Some(p);
        }
        let alias_keys: Vec<&str> = std::iter::once(spec.name.as_str())
            .chain(spec.aliases.iter().map(String::as_str))
            .collect();
        if let Some(p) = candidates.iter().find(|p| {
            p.aliases
                .iter()
                .any(|a| alias_keys.iter().any(|k| same_name(a, k)))
        }) {
            return Some(p);
        }
        candidates.iter().find(|p| {
            same_name(&p.name, &spec.name)
                && p.disambiguation.as_deref().map(str::trim).unwrap_or("")
                    == spec.disambiguation.as_deref().map(str::trim).unwrap_or("")
                && !Self::fansly_conflict(spec, p)
        })
    }

    fn fansly_conflict(spec: &PerformerSpec, p: &Performer) -> bool {
        let ours: Vec<&String> = spec.urls.iter().filter(|u| is_fansly_url(u)).collect();
        let theirs: Vec<&String> = p.urls.iter().filter(|u| is_fansly_url(u)).collect();
        !ours.is_empty()
            && !theirs.is_empty()
            && !theirs
                .iter()
                .any(|t| ours.iter().any(|o| o.trim() == t.trim()))
    }

    fn performer_input(
        &self,
        spec: &PerformerSpec,
        candidates: &[Performer],
    ) -> PerformerCreateInput {
        // A namesake of another account: create ours with a disambiguation.
        let namesake = candidates.iter().any(|p| {
            same_name(&p.name, &spec.name)
                && p.disambiguation.is_none()
                && Self::fansly_conflict(spec, p)
        });
        let disambiguation = match (&spec.disambiguation, namesake) {
            (Some(d), _) if !d.trim().is_empty() => Some(d.clone()),
            (_, true) => Some("Fansly".to_owned()),
            _ => None,
        };
        performer_create_input(&self.info, spec, disambiguation)
    }

    async fn create_performers(
        &self,
        specs: &[&PerformerSpec],
        candidates: &[Performer],
    ) -> Result<Vec<Made<Performer>>, MediaServerError> {
        let mut out = Vec::with_capacity(specs.len());
        for chunk in specs.chunks(self.limits.create_chunk) {
            let ops = chunk
                .iter()
                .map(|s| {
                    PerformerCreate::build(PerformerCreateVariables {
                        input: self.performer_input(s, candidates),
                    })
                })
                .collect();
            let sent = self
                .run_aliased("PerformerCreateBatch", ops, Safety::NotIdempotent)
                .await;
            out.extend(per_item(chunk.len(), sent, |q: PerformerCreate| {
                q.performer_create.map(|p| convert::performer(&p))
            })?);
        }
        Ok(out)
    }

    pub(crate) async fn find_or_create_performers_impl(
        &self,
        specs: &[PerformerSpec],
    ) -> Result<HashMap<String, Resolved<Performer>>, MediaServerError> {
        let mut seen = HashSet::new();
        let specs: Vec<&PerformerSpec> = specs
            .iter()
            .filter(|s| seen.insert(s.key.as_str()))
            .collect();
        let _guards = self
            .locks
            .lock_all(
                specs
                    .iter()
                    .map(|s| format!("performer:{}", s.name.trim().to_lowercase())),
            )
            .await;
        let pick = |s: &&PerformerSpec, c: &[Performer]| Self::match_performer(s, c).cloned();
        let mut r = Resolving {
            kind: "performer",
            key: |s: &&PerformerSpec| s.key.clone(),
            name: |s: &&PerformerSpec| s.name.as_str(),
            out: HashMap::new(),
        };
        let candidates = self.lookup_performers(&specs).await?;
        let missing = first(&r.adopt(specs.into_iter().map(unit), &candidates, pick));
        let made = self.create_performers(&missing, &candidates).await?;
        let again = r.record_created(&missing, made)?;
        if again.is_empty() {
            return Ok(r.out);
        }
        let candidates = self.lookup_performers(&first(&again)).await?;
        let unfound = r.adopt(again, &candidates, pick);
        // A duplicate name with nothing we may adopt (e.g. a namesake of another account that
        // also has no disambiguation) is reported, not retried.
        let still = r.still_missing(unfound, |e| {
            matches!(e, MediaServerError::GraphQl { .. }) && !e.is_transient()
        })?;
        let made = self.create_performers(&still, &candidates).await?;
        r.finish(&still, made)
    }

    // ---------- studios ----------

    /// How this server holds a studio's URLs.
    fn studio_urls(&self) -> StudioUrls {
        StudioUrls::of(&self.info)
    }

    async fn lookup_studios(&self, names: &[&str]) -> Result<Vec<Studio>, MediaServerError> {
        let mut found: HashMap<String, Studio> = HashMap::new();
        for chunk in names.chunks(self.limits.names_chunk) {
            let vars = StudioLookupVariables {
                by_name: StudioFilterType {
                    name: Some(regex_or_none(chunk.iter().copied())),
                    ..Default::default()
                },
                by_alias: StudioFilterType {
                    aliases: Some(regex_or_none(chunk.iter().copied())),
                    ..Default::default()
                },
                filter: FindFilterType::all_by_id(),
            };
            if self.studio_urls() == StudioUrls::List {
                let r = self
                    .transport
                    .run(StudioLookupWithUrls::build(vars), Safety::Idempotent)
                    .await?;
                for s in r.by_name.studios.iter().chain(&r.by_alias.studios) {
                    found
                        .entry(s.id.inner().to_owned())
                        .or_insert_with(|| convert::studio_with_urls(s));
                }
            } else {
                let r = self
                    .transport
                    .run(StudioLookup::build(vars), Safety::Idempotent)
                    .await?;
                for s in r.by_name.studios.iter().chain(&r.by_alias.studios) {
                    found
                        .entry(s.id.inner().to_owned())
                        .or_insert_with(|| convert::studio_with_url(s));
                }
            }
        }
        let mut list: Vec<Studio> = found.into_values().collect();
        list.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(list)
    }

    fn match_named<'a, T>(
        name: &str,
        candidates: &'a [T],
        name_of: fn(&T) -> &str,
        aliases_of: fn(&T) -> &[String],
    ) -> Option<&'a T> {
        candidates
            .iter()
            .find(|c| name_of(c).trim() == name.trim())
            .or_else(|| candidates.iter().find(|c| same_name(name_of(c), name)))
            .or_else(|| {
                candidates
                    .iter()
                    .find(|c| aliases_of(c).iter().any(|a| same_name(a, name)))
            })
    }

    async fn create_studios(
        &self,
        specs: &[&StudioSpec],
    ) -> Result<Vec<Made<Studio>>, MediaServerError> {
        let mut out = Vec::with_capacity(specs.len());
        for chunk in specs.chunks(self.limits.create_chunk) {
            let shape = self.studio_urls();
            let inputs = chunk.iter().map(|s| StudioCreateVariables {
                input: shape.create_input(s),
            });
            if shape == StudioUrls::List {
                let ops = inputs.map(StudioCreateWithUrls::build).collect();
                let sent = self
                    .run_aliased("StudioCreateBatch", ops, Safety::NotIdempotent)
                    .await;
                out.extend(per_item(chunk.len(), sent, |q: StudioCreateWithUrls| {
                    q.studio_create.map(|s| convert::studio_with_urls(&s))
                })?);
            } else {
                let ops = inputs.map(StudioCreate::build).collect();
                let sent = self
                    .run_aliased("StudioCreateBatch", ops, Safety::NotIdempotent)
                    .await;
                out.extend(per_item(chunk.len(), sent, |q: StudioCreate| {
                    q.studio_create.map(|s| convert::studio_with_url(&s))
                })?);
            }
        }
        Ok(out)
    }

    pub(crate) async fn find_or_create_studios_impl(
        &self,
        specs: &[StudioSpec],
    ) -> Result<HashMap<String, Resolved<Studio>>, MediaServerError> {
        let mut seen = HashSet::new();
        let specs: Vec<&StudioSpec> = specs
            .iter()
            .filter(|s| seen.insert(s.name.as_str()))
            .collect();
        let _guards = self
            .locks
            .lock_all(
                specs
                    .iter()
                    .map(|s| format!("studio:{}", s.name.trim().to_lowercase())),
            )
            .await;
        let pick = |s: &&StudioSpec, c: &[Studio]| {
            Self::match_named(&s.name, c, |x: &Studio| &x.name, |x: &Studio| &x.aliases).cloned()
        };
        let mut r = Resolving {
            kind: "studio",
            key: |s: &&StudioSpec| s.name.clone(),
            name: |s: &&StudioSpec| s.name.as_str(),
            out: HashMap::new(),
        };
        let candidates = self.lookup_studios(&studio_names(&specs)).await?;
        let missing = first(&r.adopt(specs.into_iter().map(unit), &candidates, pick));
        let made = self.create_studios(&missing).await?;
        let again = r.record_created(&missing, made)?;
        if again.is_empty() {
            return Ok(r.out);
        }
        let candidates = self.lookup_studios(&studio_names(&first(&again))).await?;
        let unfound = r.adopt(again, &candidates, pick);
        let still = r.still_missing(unfound, |e| !e.is_transient())?;
        let made = self.create_studios(&still).await?;
        r.finish(&still, made)
    }

    // ---------- tags ----------

    async fn lookup_tags(&self, names: &[&str]) -> Result<Vec<Tag>, MediaServerError> {
        let mut found: HashMap<String, Tag> = HashMap::new();
        for chunk in names.chunks(self.limits.names_chunk) {
            let vars = TagLookupVariables {
                by_name: TagFilterType {
                    name: Some(regex_or_none(chunk.iter().copied())),
                    ..Default::default()
                },
                by_alias: TagFilterType {
                    aliases: Some(regex_or_none(chunk.iter().copied())),
                    ..Default::default()
                },
                filter: FindFilterType::all_by_id(),
            };
            let r = self
                .transport
                .run(TagLookup::build(vars), Safety::Idempotent)
                .await?;
            for t in r.by_name.tags.iter().chain(&r.by_alias.tags) {
                found
                    .entry(t.id.inner().to_owned())
                    .or_insert_with(|| convert::tag(t));
            }
        }
        let mut list: Vec<Tag> = found.into_values().collect();
        list.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(list)
    }

    async fn create_tags(&self, names: &[&str]) -> Result<Vec<Made<Tag>>, MediaServerError> {
        let mut out = Vec::with_capacity(names.len());
        for chunk in names.chunks(self.limits.create_chunk) {
            let ops = chunk
                .iter()
                .map(|n| {
                    TagCreate::build(TagCreateVariables {
                        input: TagCreateInput {
                            name: (*n).to_owned(),
                        },
                    })
                })
                .collect();
            let sent = self
                .run_aliased("TagCreateBatch", ops, Safety::NotIdempotent)
                .await;
            out.extend(per_item(chunk.len(), sent, |q: TagCreate| {
                q.tag_create.map(|t| convert::tag(&t))
            })?);
        }
        Ok(out)
    }

    pub(crate) async fn find_or_create_tags_impl(
        &self,
        specs: &[TagSpec],
    ) -> Result<HashMap<String, Resolved<Tag>>, MediaServerError> {
        // One spec per name; "create" wins when the same name comes twice.
        let mut by_name: Vec<(&str, bool)> = Vec::new();
        for s in specs {
            match by_name.iter_mut().find(|(n, _)| *n == s.name) {
                Some(entry) => entry.1 |= s.create_if_missing,
                None => by_name.push((s.name.as_str(), s.create_if_missing)),
            }
        }
        let _guards = self
            .locks
            .lock_all(
                by_name
                    .iter()
                    .map(|(n, _)| format!("tag:{}", n.trim().to_lowercase())),
            )
            .await;
        let pick = |n: &&str, c: &[Tag]| {
            Self::match_named(n, c, |t: &Tag| &t.name, |t: &Tag| &t.aliases).cloned()
        };
        let mut r = Resolving {
            kind: "tag",
            key: |n: &&str| (*n).to_owned(),
            name: |n: &&str| *n,
            out: HashMap::new(),
        };
        let names: Vec<&str> = by_name.iter().map(|(n, _)| *n).collect();
        let candidates = self.lookup_tags(&names).await?;
        let missing: Vec<&str> = r
            .adopt(by_name, &candidates, pick)
            .into_iter()
            .filter(|(_, create)| *create)
            .map(|(n, _)| n)
            .collect();
        let made = self.create_tags(&missing).await?;
        let again = r.record_created(&missing, made)?;
        if again.is_empty() {
            return Ok(r.out);
        }
        let candidates = self.lookup_tags(&first(&again)).await?;
        let unfound = r.adopt(again, &candidates, pick);
        let still = r.still_missing(unfound, |e| !e.is_transient())?;
        let made = self.create_tags(&still).await?;
        r.finish(&still, made)
    }
}
