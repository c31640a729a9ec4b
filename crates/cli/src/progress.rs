//! Progress while a run goes: indicatif bars (one for the run, one for the current creator's
//! phase) when stderr is a terminal, plain lines otherwise, nothing with `--quiet`. Driven by
//! the engine's [`SyncEvent`]s.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use domain::ports::EntityKind;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use sync_core::{Counts, Phase, SyncEvent};
use tokio::sync::mpsc::UnboundedReceiver;

/// The bars currently on screen, so log lines can be printed above them.
static ACTIVE: Mutex<Option<MultiProgress>> = Mutex::new(None);

fn active() -> Option<MultiProgress> {
    match ACTIVE.lock() {
        Ok(g) => g.clone(),
        Err(p) => p.into_inner().clone(),
    }
}

fn set_active(m: Option<MultiProgress>) {
    match ACTIVE.lock() {
        Ok(mut g) => *g = m,
        Err(p) => *p.into_inner() = m,
    }
}

/// Runs `f` (which writes to stderr) with the bars hidden.
pub fn suspend<R>(f: impl FnOnce() -> R) -> R {
    match active() {
        Some(m) => m.suspend(f),
        None => f(),
    }
}

/// Prints a line to stderr, above the bars if there are any.
pub fn line(text: &str) {
    match active() {
        Some(m) => {
            if m.println(text).is_err() {
                eprintln!("{text}");
            }
        }
        None => eprintln!("{text}"),
    }
}

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// indicatif bars (stderr is a terminal).
    Bars,
    /// One plain line per step (stderr is a file or pipe).
    Lines,
    /// Nothing.
    Quiet,
}

impl Mode {
    /// Bars on a terminal, lines otherwise, nothing when quiet.
    pub fn detect(quiet: bool) -> Mode {
        if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Bars
        } else {
            Mode::Lines
        }
    }
}

/// Renders events until the channel closes (when the run is over and the monitor dropped).
pub async fn drive(mut rx: UnboundedReceiver<SyncEvent>, mode: Mode) {
    let mut r = Renderer::new(mode);
    while let Some(event) = rx.recv().await {
        r.handle(event);
    }
    r.finish();
}

/// `3 created, 2 updated, 1 failed` (zero counts left out).
pub fn counts_text(c: &Counts) -> String {
    let parts: Vec<String> = [
        (c.created, "created"),
        (c.updated, "updated"),
        (c.unchanged, "unchanged"),
        (c.skipped, "skipped"),
        (c.failed, "failed"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, l)| format!("{n} {l}"))
    .collect();
    if parts.is_empty() {
        "nothing yet".to_owned()
    } else {
        parts.join(", ")
    }
}

struct Renderer {
    mode: Mode,
    multi: Option<MultiProgress>,
    run: Option<ProgressBar>,
    phase: Option<ProgressBar>,
    creator_counts: Counts,
    /// Last quarter printed per (creator, phase) in line mode.
    printed_quarter: HashMap<(String, String), u64>,
}

fn run_style() -> ProgressStyle {
    ProgressStyle::with_template(
        "{prefix:>6.bold} [{bar:30.cyan/blue}] {pos}/{len} creators  {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ")
}

fn phase_spinner() -> ProgressStyle {
    ProgressStyle::with_template("{spinner:.green} {prefix:.bold} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn phase_bar() -> ProgressStyle {
    ProgressStyle::with_template("  {prefix:.bold} [{bar:30.green/white}] {pos}/{len} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Renderer {
    fn new(mode: Mode) -> Self {
        let multi = (mode == Mode::Bars).then(|| {
            let m = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(10));
            set_active(Some(m.clone()));
            m
        });
        Self {
            mode,
            multi,
            run: None,
            phase: None,
            creator_counts: Counts::default(),
            printed_quarter: HashMap::new(),
        }
    }

    fn say(&self, text: &str) {
        match self.mode {
            Mode::Quiet => {}
            Mode::Lines => eprintln!("{text}"),
            Mode::Bars => line(text),
        }
    }

    fn run_started(&mut self, creators: usize, dry_run: bool) {
        let verb = if dry_run { "plan" } else { "sync" };
        match &self.multi {
            Some(m) => {
                let bar = m.add(ProgressBar::new(creators as u64));
                bar.set_style(run_style());
                bar.set_prefix(verb);
                self.run = Some(bar);
            }
            None => self.say(&format!(
                "{} {creators} creator(s){}",
                if dry_run { "Planning" } else { "Syncing" },
                if dry_run {
                    " (dry run: nothing is written)"
                } else {
                    ""
                }
            )),
        }
    }

    fn creator_started(&mut self, creator: &str, index: usize, total: usize) {
        self.creator_counts = Counts::default();
        if let Some(run) = &self.run {
            run.set_position(index.saturating_sub(1) as u64);
            run.set_message(creator.to_owned());
        }
        if let Some(m) = &self.multi {
            if let Some(old) = self.phase.take() {
                old.finish_and_clear();
            }
            let bar = m.add(ProgressBar::new_spinner());
            bar.set_style(phase_spinner());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar.set_prefix(creator.to_owned());
            self.phase = Some(bar);
        } else {
            self.say(&format!("[{index}/{total}] {creator}"));
        }
    }

    fn creator_finished(
        &mut self,
        creator: &str,
        counts: &[(EntityKind, Counts)],
        error: Option<&str>,
    ) {
        let mut total = Counts::default();
        for (_, c) in counts {
            total += *c;
        }
        if let Some(bar) = self.phase.take() {
            bar.finish_and_clear();
        }
        if let Some(run) = &self.run {
            run.inc(1);
        }
        match error {
            Some(e) => self.say(&format!("  {creator}: {e}")),
            None if self.mode == Mode::Lines => {
                self.say(&format!("  {creator}: done ({})", counts_text(&total)));
            }
            None => {}
        }
    }

    fn handle(&mut self, event: SyncEvent) {
        match event {
            SyncEvent::RunStarted { creators, dry_run } => self.run_started(creators, dry_run),
            SyncEvent::CreatorStarted {
                creator,
                index,
                total,
            } => self.creator_started(&creator, index, total),
            SyncEvent::PhaseStarted { creator, phase } => match &self.phase {
                Some(bar) => {
                    bar.set_style(phase_spinner());
                    bar.set_prefix(format!("{creator} {phase}"));
                    bar.set_length(0);
                    bar.set_position(0);
                    bar.set_message(phase_hint(phase));
                }
                None => self.say(&format!("  {creator}: {phase}: {}", phase_hint(phase))),
            },
            SyncEvent::Progress {
                creator,
                phase,
                done,
                total,
            } => {
                self.progress(&creator, phase, done, total);
            }
            SyncEvent::Counted { counts, .. } => {
                self.creator_counts += counts;
                if let Some(bar) = &self.phase {
                    bar.set_message(counts_text(&self.creator_counts));
                }
            }
            SyncEvent::ItemFailed {
                creator,
                kind,
                key,
                error,
            } => self.say(&format!(
                "  {creator}: {} {key} failed: {error}",
                kind.as_str()
            )),
            SyncEvent::CreatorFinished {
                creator,
                counts,
                error,
            } => self.creator_finished(&creator, &counts, error.as_deref()),
            SyncEvent::RunFinished { interrupted } => {
                if interrupted {
                    self.say(
                        "Interrupted: the batch in flight was finished and the sync state saved.",
                    );
                }
            }
        }
    }

    /// Shows progress; in line mode returns whether a line was printed.
    fn progress(&mut self, creator: &str, phase: Phase, done: u64, total: Option<u64>) -> bool {
        match (&self.phase, total) {
            (Some(bar), Some(total)) => {
                bar.set_style(phase_bar());
                bar.set_length(total);
                bar.set_position(done);
                false
            }
            (Some(bar), None) => {
                bar.set_position(done);
                bar.set_message(format!("{done} so far"));
                false
            }
            (None, Some(total)) if total > 0 => {
                let quarter = done.saturating_mul(4) / total;
                let key = (creator.to_owned(), phase.to_string());
                let last = self.printed_quarter.get(&key).copied();
                if last != Some(quarter) {
                    self.printed_quarter.insert(key, quarter);
                    self.say(&format!("  {creator}: {phase} {done}/{total}"));
                    true
                } else {
                    false
                }
            }
            (None, _) => false,
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.phase.take() {
            bar.finish_and_clear();
        }
        if let Some(run) = self.run.take() {
            run.finish_and_clear();
        }
        if let Some(m) = self.multi.take() {
            let _ = m.clear();
            set_active(None);
        }
    }
}

fn phase_hint(phase: Phase) -> String {
    match phase {
        Phase::Scan => "waiting for Stash to scan the folder",
        Phase::Index => "reading metadata",
        Phase::Files => "listing Stash files",
        Phase::Entities => "performers, studios, tags",
        Phase::Items => "galleries, scenes, images",
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_text_leaves_out_zeros() {
        let c = Counts {
            created: 2,
            failed: 1,
            ..Counts::default()
        };
        assert_eq!(counts_text(&c), "2 created, 1 failed");
        assert_eq!(counts_text(&Counts::default()), "nothing yet");
    }

    #[test]
    fn line_mode_prints_each_quarter_once() {
        let mut r = Renderer::new(Mode::Lines);
        let printed: Vec<bool> = [0, 1, 2, 25, 26, 50, 100]
            .into_iter()
            .map(|done| r.progress("a", Phase::Items, done, Some(100)))
            .collect();
        // Quarters 0, 1, 2 and 4 are each printed once.
        assert_eq!(printed, [true, false, false, true, false, true, true]);
        // Another phase starts its own count.
        assert!(r.progress("a", Phase::Files, 0, Some(10)));
        assert!(!r.progress("a", Phase::Files, 0, None));
    }
}
