//! [`CancelFlag`]: how Ctrl-C (or SIGTERM for `watch`) reaches the engine. It is checked between
//! phases and batches, so the batch in flight is finished and its state saved before the run
//! stops; a wait that has no batch to finish (the scan job) is cut short through
//! [`CancelFlag::cancelled`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// A shared "please stop" flag.
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    set: AtomicBool,
    wake: Notify,
}

impl CancelFlag {
    /// A flag that is not set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the run to stop after the batch in flight.
    pub fn cancel(&self) {
        self.0.set.store(true, Ordering::SeqCst);
        self.0.wake.notify_waiters();
    }

    /// Whether a stop was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.0.set.load(Ordering::SeqCst)
    }

    /// Resolves once a stop is asked for (at once if it already was), for waits that must
    /// not outlast a stop.
    pub async fn cancelled(&self) {
        loop {
            let woken = self.0.wake.notified();
            tokio::pin!(woken);
            // Registered before the check, so a cancel between the two is not missed.
            woken.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            woken.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_flag() {
        let a = CancelFlag::new();
        let b = a.clone();
        assert!(!b.is_cancelled());
        a.cancel();
        assert!(b.is_cancelled());
    }

    #[tokio::test]
    async fn cancelled_resolves_when_a_clone_is_cancelled_and_at_once_after() {
        let flag = CancelFlag::new();
        let waiter = tokio::spawn({
            let flag = flag.clone();
            async move { flag.cancelled().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "no stop asked for yet");
        flag.cancel();
        waiter.await.unwrap();
        // Already cancelled: resolves without waiting.
        flag.cancelled().await;
    }
}
