//! Stash's plugin log protocol on stderr: each message is one line starting with SOH (0x01),
//! a level letter and STX (0x02): `t` trace, `d` debug, `i` info, `w` warning, `e` error, and
//! `p` for progress, whose text is a fraction from 0 to 1 driving the task's progress bar.
//! Stash logs lines without a prefix at the plugin's `errLog` level, so every line we write
//! carries one: a multi-line message becomes several prefixed lines, each readable alone.
//!
//! [`StashLog`] is the one writer; it is also a `tracing` writer ([`init_tracing`]) so warnings
//! from the adapters (retries, ...) reach Stash's log at their own level.

use std::io::Write;
use std::sync::{Arc, Mutex};

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::reload;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Registry};

/// Start of a prefixed line.
pub const SOH: char = '\u{1}';
/// End of the prefix.
pub const STX: char = '\u{2}';

/// A log level Stash knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `t`.
    Trace,
    /// `d`.
    Debug,
    /// `i`.
    Info,
    /// `w`: a failed item, something the user should look at.
    Warning,
    /// `e`: the run (or the task) failed.
    Error,
}

impl Level {
    /// The letter after SOH.
    pub fn letter(self) -> char {
        match self {
            Level::Trace => 't',
            Level::Debug => 'd',
            Level::Info => 'i',
            Level::Warning => 'w',
            Level::Error => 'e',
        }
    }

    fn of(level: &tracing::Level) -> Level {
        match *level {
            tracing::Level::TRACE => Level::Trace,
            tracing::Level::DEBUG => Level::Debug,
            tracing::Level::INFO => Level::Info,
            tracing::Level::WARN => Level::Warning,
            tracing::Level::ERROR => Level::Error,
        }
    }
}

/// `text` as prefixed lines (one per non-empty line), each ending in `\n`.
pub fn encode(letter: char, text: &str) -> String {
    let mut out = String::new();
    for line in text.lines().map(str::trim_end).filter(|l| !l.is_empty()) {
        out.push(SOH);
        out.push(letter);
        out.push(STX);
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The plugin's stderr (or a buffer in tests), shared by every writer.
#[derive(Clone)]
pub struct StashLog {
    out: Arc<Mutex<Box<dyn Write + Send>>>,
}

impl std::fmt::Debug for StashLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StashLog")
    }
}

impl StashLog {
    /// Writes to stderr.
    pub fn stderr() -> Self {
        Self::to(Box::new(std::io::stderr()))
    }

    /// Writes to `out`.
    pub fn to(out: Box<dyn Write + Send>) -> Self {
        Self {
            out: Arc::new(Mutex::new(out)),
        }
    }

    fn write(&self, text: &str) {
        let mut out = match self.out.lock() {
            Ok(o) => o,
            Err(p) => p.into_inner(),
        };
        // Stash going away is the only way this fails; there is nobody left to tell.
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    /// Logs `text` at `level` (each line of it prefixed).
    pub fn log(&self, level: Level, text: &str) {
        self.write(&encode(level.letter(), text));
    }

    /// An info line.
    pub fn info(&self, text: &str) {
        self.log(Level::Info, text);
    }

    /// A warning line.
    pub fn warn(&self, text: &str) {
        self.log(Level::Warning, text);
    }

    /// An error line.
    pub fn error(&self, text: &str) {
        self.log(Level::Error, text);
    }

    /// Moves the task's progress bar to `fraction` (clamped to 0..=1).
    pub fn progress(&self, fraction: f64) {
        let f = if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.write(&encode('p', &format!("{f:.4}")));
    }
}

/// One tracing event's text, logged at its level when the formatter is done with it.
pub struct EventWriter {
    log: StashLog,
    level: Level,
    buf: Vec<u8>,
}

impl Write for EventWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for EventWriter {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            self.log
                .log(self.level, &String::from_utf8_lossy(&self.buf));
        }
    }
}

impl<'a> MakeWriter<'a> for StashLog {
    type Writer = EventWriter;

    fn make_writer(&'a self) -> EventWriter {
        EventWriter {
            log: self.clone(),
            level: Level::Info,
            buf: Vec::new(),
        }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> EventWriter {
        EventWriter {
            log: self.clone(),
            level: Level::of(meta.level()),
            buf: Vec::new(),
        }
    }
}

/// Switches the tracing detail after the settings are read.
pub struct Detail(reload::Handle<EnvFilter, Registry>);

impl Detail {
    /// Debug level (the "Detailed log" setting), or back to warnings only.
    pub fn set_debug(&self, debug: bool) {
        let _ = self.0.modify(|f| *f = filter(debug));
    }
}

/// The monitor's own `item failed` lines are left out: the plugin logs each failed item in
/// its own words ([`super::progress`]).
fn filter(debug: bool) -> EnvFilter {
    EnvFilter::new(if debug {
        "debug,sync_core::monitor=off,hyper=info,reqwest=info,sqlx=warn,sea_orm=info"
    } else {
        "warn,sync_core::monitor=off"
    })
}

/// Routes `tracing` events (warnings and errors; everything from debug up with
/// [`Detail::set_debug`]) to `log`.
pub fn init_tracing(log: &StashLog) -> Detail {
    let (subscriber, detail) = subscriber(log);
    let _ = subscriber.try_init();
    detail
}

fn subscriber(log: &StashLog) -> (impl tracing::Subscriber + Send + Sync + 'static, Detail) {
    let (filter, handle) = reload::Layer::new(filter(false));
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(log.clone())
        .with_ansi(false)
        .without_time()
        .with_level(false)
        .with_target(false);
    (
        tracing_subscriber::registry().with(filter).with(layer),
        Detail(handle),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_is_prefixed() {
        let buf = Buf::default();
        let log = StashLog::to(Box::new(buf.clone()));
        log.error("what went wrong\nwhat to do\n");
        log.warn("item failed");
        log.progress(0.5);
        log.progress(7.0);
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            "\u{1}e\u{2}what went wrong\n\u{1}e\u{2}what to do\n\u{1}w\u{2}item failed\n\u{1}p\u{2}0.5000\n\u{1}p\u{2}1.0000\n"
        );
    }

    #[test]
    fn tracing_events_keep_their_level() {
        let buf = Buf::default();
        let log = StashLog::to(Box::new(buf.clone()));
        let (subscriber, detail) = subscriber(&log);
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(attempt = 2, "Stash request failed, retrying");
            tracing::info!("not shown by default");
            tracing::warn!(target: "sync_core::monitor", "item failed");
            detail.set_debug(true);
            tracing::info!("shown in detail");
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            "\u{1}w\u{2}Stash request failed, retrying attempt=2\n\u{1}i\u{2}shown in detail\n"
        );
    }
}
