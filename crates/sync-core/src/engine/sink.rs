//! Where planned work goes. Planning is the same in every run; a [`Sink`] applies it:
//!
//! - [`StashSink`] writes it to Stash with one writer, records each object's result in the
//!   sync state and saves the state after each batch (see [`super::write`]);
//! - [`PlanTable`] (a dry run) lists it as planned changes and counts what would happen;
//!   nothing reaches Stash or the state, and no id is made up for what does not exist yet.
//!
//! Rendering the plan is the CLI's business; the plan is data ([`PlannedChange`]s).

use std::sync::Arc;

use domain::ports::{EntityKind, MediaServer, SyncStateStore};

use super::outcome::Outcome;
use super::plan_batch::{GalleryFollowUp, PlannedBatch, WrittenKeys};
use crate::error::CreatorError;
use crate::options::SyncOptions;
use crate::planner::{Action, PlannedChange, gallery_fields, new_gallery_fields, stamp_fields};
use crate::state::{StateKey, StateWriter};

/// Where a run's writes go.
#[derive(Debug)]
pub(crate) enum Sink {
    /// Stash and the sync state.
    Stash(StashSink),
    /// The dry run's plan.
    Plan(PlanTable),
}

/// Writes to Stash and saves the sync state.
pub(crate) struct StashSink {
    pub(crate) stash: Arc<dyn MediaServer>,
    pub(crate) store: Arc<dyn SyncStateStore>,
}

impl std::fmt::Debug for StashSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StashSink").finish_non_exhaustive()
    }
}

/// What applying one batch did.
#[derive(Debug)]
pub(crate) struct Applied {
    /// Counts, failures and notes, not yet folded into the creator's outcome.
    pub(crate) outcome: Outcome,
    /// Whether a write failed on a reference to a performer, studio or tag Stash no longer
    /// has.
    pub(crate) stale: bool,
    /// The objects written (created or updated) without an error.
    pub(crate) written: WrittenKeys,
}

impl Sink {
    /// Stash, or the plan table in a dry run.
    pub(crate) fn for_options(
        opts: &SyncOptions,
        stash: &Arc<dyn MediaServer>,
        store: &Arc<dyn SyncStateStore>,
    ) -> Self {
        if opts.dry_run {
            Sink::Plan(PlanTable::default())
        } else {
            Sink::Stash(StashSink {
                stash: stash.clone(),
                store: store.clone(),
            })
        }
    }

    /// Applies one planned batch.
    pub(crate) async fn apply(
        &mut self,
        batch: PlannedBatch,
        state: &mut StateWriter,
    ) -> Result<Applied, CreatorError> {
        match self {
            Sink::Stash(sink) => sink.apply(batch, state).await,
            Sink::Plan(plan) => Ok(plan.apply(batch)),
        }
    }

    /// Saves what changed in the state since the last save (a plan saves nothing).
    pub(crate) async fn save(&self, state: &mut StateWriter) -> Result<(), CreatorError> {
        match self {
            Sink::Stash(sink) => sink.save(state).await,
            Sink::Plan(_) => Ok(()),
        }
    }

    /// The planned changes, in a dry run.
    pub(crate) fn into_plan(self) -> Option<Vec<PlannedChange>> {
        match self {
            Sink::Stash(_) => None,
            Sink::Plan(plan) => Some(plan.changes),
        }
    }
}

impl StashSink {
    /// Saves what changed in the state since the last save.
    pub(crate) async fn save(&self, state: &mut StateWriter) -> Result<(), CreatorError> {
        let records = state.take_dirty();
        if records.is_empty() {
            return Ok(());
        }
        self.store.save(&records).await.map_err(CreatorError::from)
    }
}

/// A dry run's planned changes, in the order they would be written.
#[derive(Debug, Default)]
pub(crate) struct PlanTable {
    changes: Vec<PlannedChange>,
}

impl PlanTable {
    pub(crate) fn push(&mut self, change: PlannedChange) {
        self.changes.push(change);
    }

    /// Every write of the batch becomes a planned change; counts say what would happen.
    fn apply(&mut self, batch: PlannedBatch) -> Applied {
        let mut out = batch.outcome;
        let creator = out.creator().to_owned();
        let mut rows = Rows {
            table: self,
            creator: &creator,
        };
        for f in &batch.failed {
            out.failed(f.kind, &f.key, &f.error);
        }
        for g in &batch.gallery_creates {
            out.created(EntityKind::Gallery);
            let fields = new_gallery_fields(&g.gallery);
            rows.add(
                EntityKind::Gallery,
                Action::Create,
                &g.follow.key,
                None,
                fields,
            );
        }
        for g in &batch.gallery_updates {
            out.updated(EntityKind::Gallery);
            let id = Some(g.patch.id.to_string());
            let fields = gallery_fields(&g.patch);
            rows.add(
                EntityKind::Gallery,
                Action::Update,
                &g.follow.key,
                id,
                fields,
            );
        }
        for s in &batch.scenes {
            out.updated(EntityKind::Scene);
            let (id, fields) = (Some(s.patch.id.to_string()), stamp_fields(&s.patch));
            rows.add(EntityKind::Scene, Action::Update, &s.key, id, fields);
        }
        for s in &batch.images {
            out.updated(EntityKind::Image);
            let (id, fields) = (Some(s.patch.id.to_string()), stamp_fields(&s.patch));
            rows.add(EntityKind::Image, Action::Update, &s.key, id, fields);
        }
        for g in &batch.gallery_creates {
            rows.follow_up(None, &g.follow);
        }
        for g in &batch.gallery_updates {
            rows.follow_up(Some(g.patch.id.to_string()), &g.follow);
        }
        for g in &batch.gallery_links {
            out.updated(EntityKind::Gallery);
            rows.follow_up(Some(g.id.to_string()), &g.follow);
        }
        Applied {
            outcome: out,
            stale: false,
            written: WrittenKeys::default(),
        }
    }
}

/// Adds one creator's rows to the plan.
struct Rows<'a> {
    table: &'a mut PlanTable,
    creator: &'a str,
}

impl Rows<'_> {
    fn add(
        &mut self,
        kind: EntityKind,
        action: Action,
        key: &StateKey,
        stash_id: Option<String>,
        fields: Vec<String>,
    ) {
        self.table.push(PlannedChange {
            creator: self.creator.to_owned(),
            kind,
            action,
            key: key.to_string(),
            stash_id,
            fields,
        });
    }

    /// The image links and chapters of one gallery.
    fn follow_up(&mut self, id: Option<String>, f: &GalleryFollowUp) {
        if !f.images.is_empty() {
            let fields = vec![format!("add {} image(s)", f.images.len())];
            self.add(
                EntityKind::Gallery,
                Action::Link,
                &f.key,
                id.clone(),
                fields,
            );
        }
        for c in &f.chapters {
            let mut fields = vec![format!("title = {:?}", c.title)];
            if let Some(first) = c.images.first() {
                // Its index is counted in the gallery's order once the images are in.
                fields.push(format!("starts at image {first}"));
            }
            self.add(
                EntityKind::Chapter,
                Action::Create,
                &f.key,
                id.clone(),
                fields,
            );
        }
        if f.organize {
            let fields = vec!["organized = true".to_owned()];
            self.add(EntityKind::Gallery, Action::Update, &f.key, id, fields);
        }
    }
}
