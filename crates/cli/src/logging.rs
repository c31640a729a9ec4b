//! Logging: `tracing` to the terminal (level from `-v`/`-vv`/`--quiet`, text or JSON) and to a
//! daily-rotated log file in `log_dir` (keeping `log_files_kept` files). Terminal lines pass
//! through the progress bars so they do not tear them.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::cli::LogFormat;
use crate::progress;

/// The log file name prefix and suffix: files are `fansly-stash.YYYY-MM-DD.log`.
const FILE_PREFIX: &str = "fansly-stash";
const FILE_SUFFIX: &str = "log";

/// How to log.
#[derive(Debug, Clone)]
pub struct LogOptions {
    /// `-v` count.
    pub verbose: u8,
    /// `--quiet`.
    pub quiet: bool,
    /// `--log-format`.
    pub format: LogFormat,
    /// Where log files go; `None` for no file.
    pub dir: Option<PathBuf>,
    /// Daily files to keep.
    pub keep: usize,
}

/// Keeps the log file writer alive; dropping it flushes the file.
#[derive(Debug)]
pub struct LogHandle {
    _guard: Option<WorkerGuard>,
    /// Today's log file, or why there is none.
    pub file: Result<PathBuf, String>,
}

impl LogHandle {
    /// "where the log is", for the final report.
    pub fn describe(&self) -> String {
        match &self.file {
            Ok(p) => p.display().to_string(),
            Err(why) => format!("(no log file: {why})"),
        }
    }
}

/// The terminal filter for a verbosity.
fn terminal_level(verbose: u8, quiet: bool) -> &'static str {
    match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    }
}

/// Events with this target go to the log file only (the terminal already shows them, e.g. the
/// final error message).
pub const FILE_ONLY: &str = "fansly_stash::file_only";

/// The crates whose events we show (dependencies stay at warn unless -vv).
fn filter(level: &str, verbose: u8, terminal: bool) -> EnvFilter {
    let deps = if verbose >= 2 { "info" } else { "warn" };
    let file_only = if terminal { "off" } else { "info" };
    EnvFilter::new(format!(
        "{deps},fansly_stash={level},sync_core={level},stash_adapter={level},metadata_store={level},domain={level},{FILE_ONLY}={file_only}"
    ))
}

/// Today's log file name.
pub fn todays_file(dir: &Path) -> PathBuf {
    dir.join(format!(
        "{FILE_PREFIX}.{}.{FILE_SUFFIX}",
        chrono::Utc::now().format("%Y-%m-%d")
    ))
}

/// Installs the global subscriber. A log folder that cannot be created is reported in the
/// handle (and on the terminal), never fatal.
pub fn init(opts: &LogOptions) -> LogHandle {
    let term_level = terminal_level(opts.verbose, opts.quiet);
    let file_level = if opts.verbose >= 2 { "debug" } else { "info" };
    let (file_writer, guard, file) = match &opts.dir {
        None => (None, None, Err("disabled".to_owned())),
        Some(dir) => match open_file(dir, opts.keep) {
            Ok(appender) => {
                let (w, g) = tracing_appender::non_blocking(appender);
                (Some(w), Some(g), Ok(todays_file(dir)))
            }
            Err(why) => (None, None, Err(why)),
        },
    };
    let ansi = std::io::stderr().is_terminal();
    let registry = tracing_subscriber::registry();
    let result = match (opts.format, file_writer) {
        (LogFormat::Text, Some(fw)) => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(ProgressAwareStderr)
                    .with_target(false)
                    .with_ansi(ansi)
                    .with_filter(filter(term_level, opts.verbose, true)),
            )
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(fw)
                    .with_ansi(false)
                    .with_filter(filter(file_level, opts.verbose, false)),
            )
            .try_init(),
        (LogFormat::Json, Some(fw)) => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_writer(ProgressAwareStderr)
                    .with_filter(filter(term_level, opts.verbose, true)),
            )
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_writer(fw)
                    .with_filter(filter(file_level, opts.verbose, false)),
            )
            .try_init(),
        (LogFormat::Text, None) => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(ProgressAwareStderr)
                    .with_target(false)
                    .with_ansi(ansi)
                    .with_filter(filter(term_level, opts.verbose, true)),
            )
            .try_init(),
        (LogFormat::Json, None) => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_writer(ProgressAwareStderr)
                    .with_filter(filter(term_level, opts.verbose, true)),
            )
            .try_init(),
    };
    if let Err(e) = result {
        eprintln!("warning: logging is not available: {e}");
    }
    if let (Err(why), Some(_)) = (&file, &opts.dir) {
        tracing::warn!("no log file: {why}");
    }
    LogHandle {
        _guard: guard,
        file,
    }
}

fn open_file(dir: &Path, keep: usize) -> Result<RollingFileAppender, String> {
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "cannot create the log folder {}: {e}; set log_dir to a writable folder",
            dir.display()
        )
    })?;
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(FILE_PREFIX)
        .filename_suffix(FILE_SUFFIX)
        .max_log_files(keep.max(1))
        .build(dir)
        .map_err(|e| {
            format!(
                "cannot open a log file in {}: {e}; set log_dir to a writable folder",
                dir.display()
            )
        })
}

/// Writes terminal log lines to stderr, suspending the progress bars while it does.
#[derive(Debug, Clone, Copy)]
struct ProgressAwareStderr;

/// One log event's bytes, written on drop.
struct EventBuffer(Vec<u8>);

impl Write for EventBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for EventBuffer {
    fn drop(&mut self) {
        let bytes = std::mem::take(&mut self.0);
        progress::suspend(|| {
            let _ = std::io::stderr().write_all(&bytes);
        });
    }
}

impl<'a> MakeWriter<'a> for ProgressAwareStderr {
    type Writer = EventBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        EventBuffer(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbosity_maps_to_levels() {
        assert_eq!(terminal_level(0, true), "error");
        assert_eq!(terminal_level(0, false), "warn");
        assert_eq!(terminal_level(1, false), "info");
        assert_eq!(terminal_level(5, false), "debug");
    }

    #[test]
    fn log_files_are_named_by_day() {
        let f = todays_file(Path::new("/logs"));
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("fansly-stash.") && name.ends_with(".log"),
            "{name}"
        );
        assert_eq!(name.len(), "fansly-stash.2025-01-01.log".len());
    }
}
