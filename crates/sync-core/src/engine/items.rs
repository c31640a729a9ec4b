//! The items phase: a reading stage and one writer, joined by a bounded queue (see
//! [`crate::batch`]). The reader pages through the creator's items again and plans each batch
//! with a read-only [`BatchPlanner`]; the writer ([`CreatorRun::write_batches`]) owns the sync
//! state and applies each batch to the sink. When the writer heals stale entity ids it
//! publishes the new ones on a watch channel; the reader plans later batches with them, and
//! the writer plans again a batch that was read ahead with the old ones.

use std::sync::Arc;

use tokio::sync::{mpsc, watch};
use tracing::Instrument;

use domain::ids::AccountId;
use domain::ports::MetadataRepository;

use super::SyncEngine;
use super::files::Files;
use super::plan_batch::{BatchPlanner, PlannedBatch, WrittenKeys};
use super::run::{CreatorRun, CurrentIds};
use crate::cancel::CancelFlag;
use crate::error::CreatorError;
use crate::index::MediaIndex;
use crate::monitor::Phase;

/// The reading stage: pages through the items again and plans each batch.
struct Reader<'p> {
    planner: &'p BatchPlanner<'p>,
    repo: &'p dyn MetadataRepository,
    creator: AccountId,
    page_size: usize,
    cancel: &'p CancelFlag,
}

impl Reader<'_> {
    /// Sends planned batches until the last page; returns whether a cancel stopped it.
    async fn run(
        self,
        tx: mpsc::Sender<PlannedBatch>,
        ids: watch::Receiver<Arc<CurrentIds>>,
    ) -> Result<bool, CreatorError> {
        let mut cursor = None;
        loop {
            if self.cancel.is_cancelled() {
                return Ok(true);
            }
            let page = self
                .repo
                .content_page(self.creator, cursor.take(), self.page_size)
                .await?;
            let current = ids.borrow().clone();
            let mut batch = self
                .planner
                .plan(&page.items, &current, &WrittenKeys::default())
                .instrument(tracing::debug_span!("batch", items = page.items.len()))
                .await?;
            batch.source = page.items;
            if tx.send(batch).await.is_err() {
                return Ok(false);
            }
            match page.next {
                Some(next) => cursor = Some(next),
                None => return Ok(false),
            }
        }
    }
}

impl<'r> CreatorRun<'r> {
    /// The items phase over `total` items.
    pub(crate) async fn items(
        &mut self,
        media: &MediaIndex,
        files: &Files,
        total: u64,
    ) -> Result<(), CreatorError> {
        self.phase(Phase::Items);
        let engine: &'r SyncEngine = self.engine;
        let planner = BatchPlanner {
            engine,
            creator: self.creator(),
            root: self.root.clone(),
            index: media,
            files,
            state: self.state.loaded().clone(),
        };
        let (tx, rx) = engine.batches.queue();
        let (ids_tx, ids_rx) = watch::channel(Arc::new(self.ids.clone()));
        let reader = Reader {
            planner: &planner,
            repo: engine.repo.as_ref(),
            creator: self.account_id(),
            page_size: engine.batches.batch_size,
            cancel: self.watch.cancel,
        };
        let writer = self.write_batches(&planner, rx, &ids_tx, total);
        let (read, written) = tokio::join!(reader.run(tx, ids_rx), writer);
        let stopped = written?;
        if read? || stopped {
            self.interrupted = true;
        }
        Ok(())
    }

    /// The writer: applies each batch (planned again first when ids were healed since it was
    /// read); returns whether a cancel stopped it (the batch in flight is finished and saved;
    /// batches read ahead are dropped).
    async fn write_batches(
        &mut self,
        planner: &BatchPlanner<'_>,
        mut rx: mpsc::Receiver<PlannedBatch>,
        ids: &watch::Sender<Arc<CurrentIds>>,
        total: u64,
    ) -> Result<bool, CreatorError> {
        let mut done = 0u64;
        while let Some(mut batch) = rx.recv().await {
            done += batch.items as u64;
            let source = std::mem::take(&mut batch.source);
            if batch.generation != self.ids.generation {
                // Planned with ids healed since: plan it again with the new ones.
                batch = planner
                    .plan(&source, &self.ids, &WrittenKeys::default())
                    .await?;
            }
            self.write_healing(planner, batch, &source, ids).await?;
            self.write_back(&source).await;
            self.progress(Phase::Items, done, Some(total));
            if self.watch.cancel.is_cancelled() && done < total {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
