//! The command-line grammar (clap derive): global flags (configuration overrides, verbosity,
//! log format) and one subcommand per job. Each subcommand's code lives in
//! `commands/<name>.rs`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::Overrides;

/// Label your Stash library with the creator metadata fansly-scraper archived.
#[derive(Debug, Parser)]
#[command(name = "fansly-stash", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 ok, 1 some items failed, 2 configuration or usage, \
3 Stash or a database unreachable, 130 interrupted."
)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
    /// Global flags.
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Flags every subcommand accepts.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Configuration file [default: the platform config dir's fansly-stash/config.toml].
    #[arg(long, global = true, env = "FANSLY_STASH_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Stash's URL (overrides `stash_url`).
    #[arg(long, global = true, value_name = "URL")]
    pub stash_url: Option<String>,
    /// Metadata database URL (overrides `metadata_db`).
    #[arg(long, global = true, value_name = "URL")]
    pub metadata_db: Option<String>,
    /// Sync-state file (overrides `state_db`).
    #[arg(long, global = true, value_name = "FILE")]
    pub state_db: Option<PathBuf>,
    /// Local download directory (overrides `download_root`).
    #[arg(long, global = true, value_name = "DIR")]
    pub download_root: Option<PathBuf>,
    /// The download directory as Stash sees it (overrides `stash_root`).
    #[arg(long, global = true, value_name = "DIR")]
    pub stash_root: Option<String>,
    /// Items per batch (overrides `batch_size`).
    #[arg(long, global = true, value_name = "N")]
    pub batch_size: Option<usize>,
    /// Stash reads in flight at once (overrides `read_concurrency`).
    #[arg(long, global = true, value_name = "N")]
    pub read_concurrency: Option<usize>,
    /// Log folder (overrides `log_dir`).
    #[arg(long, global = true, value_name = "DIR")]
    pub log_dir: Option<PathBuf>,
    /// More detail on the terminal: -v info, -vv debug.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Only errors: no progress, no report unless something failed.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Log line format on the terminal and in the log file.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

impl GlobalArgs {
    /// The configuration overrides these flags carry.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            stash_url: self.stash_url.clone(),
            metadata_db: self.metadata_db.clone(),
            state_db: self.state_db.clone(),
            download_root: self.download_root.clone(),
            stash_root: self.stash_root.clone(),
            batch_size: self.batch_size,
            read_concurrency: self.read_concurrency,
            log_dir: self.log_dir.clone(),
            watch_interval_secs: None,
        }
    }
}

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write creators' metadata into Stash (performers, studios, tags, galleries, scenes, images).
    Sync(SyncArgs),
    /// Show what `sync` would change, as a table, without writing anything.
    Plan(PlanArgs),
    /// Keep Stash in step: every watch_interval_secs, sync the creators whose metadata changed,
    /// until stopped (SIGTERM or Ctrl-C).
    Watch(WatchArgs),
    /// What the sync state knows: per creator synced, pending and failed items; recent runs.
    Status,
    /// Diagnose the setup: Stash, authentication, paths, metadata database, ffmpeg.
    Check,
    /// Load saved Fansly API responses (JSON files or folders) into the metadata database.
    Import(ImportArgs),
    /// Show or create the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Run a task for Stash as its plugin (Stash starts this, with JSON on standard input).
    #[command(hide = true)]
    Plugin,
    /// Print a shell completion script (used by `cargo xtask dist`).
    #[command(hide = true)]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page in roff, or write one page per command (used by `cargo xtask dist`).
    #[command(hide = true)]
    Man {
        /// Write `fansly-stash.1` and a page per subcommand (`fansly-stash-sync.1`, ...) here
        /// instead of printing the top-level page.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<std::path::PathBuf>,
    },
}

/// Which creators a run covers.
#[derive(Debug, Args, Clone)]
pub struct CreatorSelection {
    /// A creator's username (repeat for several).
    #[arg(long = "creator", value_name = "NAME")]
    pub creators: Vec<String>,
    /// Every creator in the metadata database.
    #[arg(long, conflicts_with = "creators")]
    pub all: bool,
}

/// `sync` flags.
#[derive(Debug, Args, Clone)]
pub struct SyncArgs {
    /// Which creators.
    #[command(flatten)]
    pub selection: CreatorSelection,
    /// Plan and print what would change; write nothing (same as `plan`).
    #[arg(long)]
    pub dry_run: bool,
    /// First ask Stash to scan each creator's folder, and wait for it.
    #[arg(long)]
    pub scan: bool,
    /// With --scan: also re-scan files Stash already knows.
    #[arg(long, requires = "scan")]
    pub rescan: bool,
    /// Also write objects marked organized in Stash, and rewrite unchanged ones.
    #[arg(long)]
    pub force: bool,
}

/// `watch` flags.
#[derive(Debug, Args, Clone)]
pub struct WatchArgs {
    /// Which creators (default: every creator, including ones that appear later).
    #[command(flatten)]
    pub selection: CreatorSelection,
    /// Before syncing a changed creator, ask Stash to scan its folder and wait for the job.
    #[arg(long)]
    pub scan: bool,
    /// Seconds between two looks at the metadata database (overrides `watch_interval_secs`).
    #[arg(long, value_name = "SECS")]
    pub interval: Option<u64>,
    /// Milliseconds between two cycles, overriding every other interval (tests, benchmarks).
    #[arg(long, hide = true, value_name = "MS")]
    pub interval_ms: Option<u64>,
}

/// `plan` flags.
#[derive(Debug, Args, Clone)]
pub struct PlanArgs {
    /// Which creators (default: all).
    #[command(flatten)]
    pub selection: CreatorSelection,
    /// Plan as `sync --force` would.
    #[arg(long)]
    pub force: bool,
}

/// `import` arguments.
#[derive(Debug, Args, Clone)]
pub struct ImportArgs {
    /// JSON files, or folders to search for `*.json` files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// `config` subcommands.
#[derive(Debug, Subcommand, Clone, Copy)]
pub enum ConfigCommand {
    /// Print the effective configuration (file, environment, flags), secrets redacted.
    Show,
    /// Print the configuration file's path.
    Path,
    /// Write a commented configuration file (to --config, or the default location).
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn creators_repeat_and_conflict_with_all() {
        let cli = Cli::try_parse_from([
            "fansly-stash",
            "sync",
            "--creator",
            "a",
            "--creator",
            "b",
            "--scan",
        ])
        .unwrap();
        let Command::Sync(args) = cli.command else {
            panic!("not sync")
        };
        assert_eq!(args.selection.creators, ["a", "b"]);
        assert!(args.scan && !args.selection.all);
        assert!(Cli::try_parse_from(["fansly-stash", "sync", "--creator", "a", "--all"]).is_err());
        assert!(Cli::try_parse_from(["fansly-stash", "sync", "--rescan"]).is_err());
        assert!(Cli::try_parse_from(["fansly-stash", "sync", "--api-key", "x"]).is_err());
    }
}
