//! The `fansly-stash` command line: configuration (file, environment, flags), wiring of the
//! adapters into the sync engine, progress, the final report, Ctrl-C, and exit codes.
//!
//! Map of the crate:
//! - [`cli`]: the clap grammar.
//! - [`config`]: settings, precedence, validation, redaction, default locations.
//! - [`commands`]: one module per subcommand, and [`commands::dispatch`].
//! - [`wiring`]: opening the databases and connecting to Stash, with user-facing errors.
//! - [`progress`], [`report`], [`plan_table`], [`logging`], [`signal`]: what the user sees while
//!   and after a run; [`attachments`]: the one wording about media no post or message reaches.
//! - [`exit`]: the documented exit codes.
//! - [`plugin`]: `fansly-stash plugin`, the same tasks run by Stash as a plugin.

pub mod attachments;
pub mod cli;
pub mod commands;
pub mod config;
pub mod exit;
pub mod logging;
pub mod plan_table;
pub mod plugin;
pub mod progress;
pub mod report;
pub mod signal;
pub mod wiring;

use std::process::ExitCode;

use exit::Exit;

/// Runs a parsed command line to completion and returns the process exit code.
pub fn run(cli: cli::Cli) -> ExitCode {
    if let cli::Command::Plugin = cli.command {
        return plugin::run();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Exit::Unavailable.into();
        }
    };
    let result = runtime.block_on(commands::dispatch(cli));
    // Background tasks (a database pool's maintenance) must not keep the process from ending.
    runtime.shutdown_timeout(std::time::Duration::from_secs(5));
    match result {
        Ok(exit) => exit.into(),
        Err(e) => {
            tracing::error!(target: logging::FILE_ONLY, exit = e.exit.code(), "{}", e.message);
            progress::line(&format!("error: {}", e.message));
            e.exit.into()
        }
    }
}
