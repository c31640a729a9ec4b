//! Ctrl-C: the first press asks the engine to stop after the batch in flight (it then saves the
//! sync state and returns an interrupted report, and we exit 130); a second press quits at
//! once. [`StopSignal`] does the same for `watch`, which also stops on SIGTERM.

use sync_core::CancelFlag;
use tokio::task::JoinHandle;

use crate::exit::Exit;
use crate::progress;

/// Watches for Ctrl-C until the returned task is aborted.
pub fn install(cancel: CancelFlag) -> JoinHandle<()> {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        cancel.cancel();
        tracing::warn!("interrupt received: stopping after the batch in flight");
        progress::line(
            "Interrupted: finishing the batch in flight and saving the sync state (press Ctrl-C again to quit at once).",
        );
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        progress::line(
            "Interrupted again: quitting now. The sync state keeps every batch saved before this one.",
        );
        std::process::exit(i32::from(Exit::Interrupted.code()));
    })
}

/// A stop request for a long-running command (`watch`): SIGTERM (what systemd and Docker send)
/// or Ctrl-C. The first one sets the [`CancelFlag`] (the engine finishes the batch in flight
/// and saves the state) and wakes [`StopSignal::requested`]; a second one quits at once with
/// exit code 130.
#[derive(Debug, Clone)]
pub struct StopSignal {
    cancel: CancelFlag,
    rx: tokio::sync::watch::Receiver<bool>,
}

impl StopSignal {
    /// Starts listening (the signal handlers are in place when this returns); the returned
    /// task listens until it is aborted.
    pub fn install(cancel: CancelFlag) -> (StopSignal, JoinHandle<()>) {
        let (tx, rx) = tokio::sync::watch::channel(false);
        let flag = cancel.clone();
        let mut signals = StopSignals::register();
        let task = tokio::spawn(async move {
            if signals.next().await.is_none() {
                return;
            }
            flag.cancel();
            let _ = tx.send(true);
            tracing::warn!("stop requested: finishing the batch in flight");
            progress::line(
                "Stopping: finishing the batch in flight and saving the sync state (signal again to quit at once).",
            );
            if signals.next().await.is_none() {
                return;
            }
            progress::line("Stopping now. The sync state keeps every batch saved before this one.");
            std::process::exit(i32::from(Exit::Interrupted.code()));
        });
        (StopSignal { cancel, rx }, task)
    }

    /// Whether a stop was asked for.
    pub fn is_requested(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The flag the engine checks between batches.
    pub fn cancel_flag(&self) -> &CancelFlag {
        &self.cancel
    }

    /// Resolves once a stop is asked for (at once if it already was).
    pub async fn requested(&self) {
        let mut rx = self.rx.clone();
        if rx.wait_for(|stop| *stop).await.is_err() {
            // The listener is gone: no signal can arrive any more.
            std::future::pending::<()>().await;
        }
    }
}

/// SIGINT and SIGTERM streams (Ctrl-C only where there are no Unix signals).
struct StopSignals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
}

impl StopSignals {
    #[cfg(unix)]
    fn register() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        Self {
            term: signal(SignalKind::terminate()).ok(),
            int: signal(SignalKind::interrupt()).ok(),
        }
    }

    #[cfg(not(unix))]
    fn register() -> Self {
        Self {}
    }

    /// The next stop signal; `None` when none can arrive.
    #[cfg(unix)]
    async fn next(&mut self) -> Option<()> {
        async fn recv(s: &mut Option<tokio::signal::unix::Signal>) -> Option<()> {
            match s {
                Some(s) => s.recv().await,
                None => std::future::pending().await,
            }
        }
        if self.term.is_none() && self.int.is_none() {
            return None;
        }
        tokio::select! {
            got = recv(&mut self.term) => got,
            got = recv(&mut self.int) => got,
        }
    }

    #[cfg(not(unix))]
    async fn next(&mut self) -> Option<()> {
        tokio::signal::ctrl_c().await.ok()
    }
}
