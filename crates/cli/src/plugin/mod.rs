//! `fansly-stash plugin`: fansly-stash as a Stash plugin task (`interface: raw`).
//!
//! Stash starts the process for a task on its Tasks page, writes one JSON object to stdin
//! ([`input`]), shows what we write to stderr in its log and the task's progress bar
//! ([`log`], [`progress`]), and reads `{"error": ..., "output": ...}` from stdout when we exit.
//! A non-empty `error` (and a non-zero exit) marks the job failed and shows the text, worded
//! like the CLI's (what, why, what to do); the same text goes to the log as error lines.
//!
//! The settings come from Stash's plugin settings over the configuration file ([`context`],
//! [`settings`]); the tasks run the CLI's own code ([`tasks`]). Stop in Stash kills the process
//! (SIGKILL): there is nothing to handle, the engine saves its state after every batch.
//!
//! Nothing but the result JSON is ever written to stdout.

pub mod context;
pub mod input;
pub mod log;
pub mod progress;
pub mod settings;
pub mod tasks;

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use serde_json::{Value, json};

use crate::exit::{CliError, Exit};
use context::PluginContext;
use input::PluginInput;
use log::StashLog;
use tasks::Task;

/// Reads the input from stdin, runs the task, writes the result to stdout; the exit code.
pub fn run() -> ExitCode {
    let log = StashLog::stderr();
    let detail = log::init_tracing(&log);
    let mut text = String::new();
    let read = if std::io::stdin().is_terminal() {
        Err(CliError::config(
            "`fansly-stash plugin` is run by Stash for its plugin tasks (Settings > Tasks > Plugin Tasks) and reads Stash's JSON input on standard input; in a terminal use `fansly-stash sync`, `plan` or `check`",
        ))
    } else {
        std::io::stdin()
            .read_to_string(&mut text)
            .map(|_| ())
            .map_err(|e| {
                CliError::config(format!(
                    "cannot read the plugin input from standard input ({e}): the task needs the JSON Stash writes there to know how to reach it. Run the task again from Stash (Settings > Tasks > Plugin Tasks); the input must be UTF-8 JSON"
                ))
            })
    };
    let (output, error) = match read {
        Err(e) => (Value::Null, Some(e)),
        Ok(()) => match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
        {
            Ok(rt) => rt.block_on(run_input(&text, &log, &detail)),
            Err(e) => (
                Value::Null,
                Some(CliError::unavailable(format!(
                    "cannot start the async runtime: {e}"
                ))),
            ),
        },
    };
    finish(&log, output, error)
}

/// Runs the task `text` asks for: its output and, when it failed, the error.
async fn run_input(text: &str, log: &StashLog, detail: &log::Detail) -> (Value, Option<CliError>) {
    let prepared = async {
        let input = PluginInput::parse(text)?;
        let task = Task::from_mode(input.arg("mode").as_deref())?;
        let ctx = PluginContext::load(&input).await?;
        Ok::<_, CliError>((task, ctx))
    }
    .await;
    let (task, ctx) = match prepared {
        Ok(p) => p,
        Err(e) => return (Value::Null, Some(e)),
    };
    detail.set_debug(ctx.options.debug_log);
    for w in &ctx.config.warnings {
        log.warn(w);
    }
    tracing::debug!(task = task.as_str(), config = %ctx.config.to_redacted_toml(), "plugin task starting");
    match tasks::run(task, &ctx, log).await {
        Ok(output) => (output, None),
        Err((e, output)) => (output, Some(e)),
    }
}

/// Logs the error (each line an error line), prints the result JSON, and picks the exit code.
fn finish(log: &StashLog, output: Value, error: Option<CliError>) -> ExitCode {
    let exit = match &error {
        None => Exit::Ok,
        Some(e) => {
            log.error(&e.message);
            e.exit
        }
    };
    let result = json!({
        "error": error.as_ref().map(|e| e.message.clone()),
        "output": output,
    });
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{result}");
    let _ = stdout.flush();
    exit.into()
}
