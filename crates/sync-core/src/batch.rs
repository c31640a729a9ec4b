//! [`BatchProcessor`]: the shape of the work. Items are processed in batches sized for the
//! adapter's batch mutations; within a batch, reads run with bounded concurrency; writes go
//! through one writer at a time; a bounded queue between the reading stage and the writing
//! stage gives backpressure (the reader prepares at most `queue_depth` batches ahead).

use std::future::Future;

use futures::StreamExt;
use tokio::sync::mpsc;

/// How work is batched and how much runs at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchProcessor {
    /// Items per batch (at least 1).
    pub batch_size: usize,
    /// Reads in flight at once (at least 1).
    pub read_concurrency: usize,
    /// Batches prepared ahead of the writer (at least 1).
    pub queue_depth: usize,
}

impl BatchProcessor {
    /// A processor; zero sizes are raised to 1.
    pub fn new(batch_size: usize, read_concurrency: usize) -> Self {
        Self {
            batch_size: batch_size.max(1),
            read_concurrency: read_concurrency.max(1),
            queue_depth: 1,
        }
    }

    /// Runs `reads` with at most `read_concurrency` in flight; results come back in input order.
    pub async fn read_all<T, F>(&self, reads: Vec<F>) -> Vec<T>
    where
        F: Future<Output = T>,
    {
        futures::stream::iter(reads)
            .buffered(self.read_concurrency)
            .collect()
            .await
    }

    /// The bounded queue between the reading stage and the single writer.
    pub fn queue<B>(&self) -> (mpsc::Sender<B>, mpsc::Receiver<B>) {
        mpsc::channel(self.queue_depth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn reads_never_exceed_the_concurrency_bound_and_keep_order() {
        let bp = BatchProcessor::new(10, 2);
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let reads: Vec<_> = (0..8)
            .map(|i| {
                let (f, p) = (in_flight.clone(), peak.clone());
                async move {
                    let now = f.fetch_add(1, Ordering::SeqCst) + 1;
                    p.fetch_max(now, Ordering::SeqCst);
                    for _ in 0..3 {
                        tokio::task::yield_now().await;
                    }
                    f.fetch_sub(1, Ordering::SeqCst);
                    i
                }
            })
            .collect();
        let out = bp.read_all(reads).await;
        assert_eq!(out, (0..8).collect::<Vec<_>>());
        assert_eq!(peak.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn the_queue_holds_at_most_queue_depth_batches() {
        let bp = BatchProcessor::new(0, 0);
        assert_eq!((bp.batch_size, bp.read_concurrency), (1, 1));
        let (tx, mut rx) = bp.queue::<u32>();
        tx.send(1).await.unwrap();
        assert!(
            tx.try_send(2).is_err(),
            "a full queue pushes back on the reader"
        );
        assert_eq!(rx.recv().await, Some(1));
        tx.try_send(2).unwrap();
    }
}
