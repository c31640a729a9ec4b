//! Ctrl-C: the first press asks the engine to stop after the batch in flight (it then saves the
//! sync state and returns an interrupted report, and we exit 130); a second press quits at
//! once.

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
