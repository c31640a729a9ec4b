//! One module per subcommand; [`dispatch`] loads the configuration and logging the command
//! needs and hands over. A new subcommand is a variant in `cli::Command`, a module here, and
//! one arm in [`dispatch`].

pub mod check;
pub mod config;
pub mod generate;
pub mod import;
pub mod status;
pub mod sync;
pub mod watch;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::config::{Config, Overrides};
use crate::exit::{CliError, CmdResult};
use crate::logging::{self, LogHandle, LogOptions};

/// What a command gets: the configuration, the global flags and the log.
#[derive(Debug)]
pub struct Context {
    /// The effective configuration.
    pub config: Config,
    /// The global flags (verbosity, quiet, log format).
    pub global: GlobalArgs,
    /// The log file.
    pub log: LogHandle,
}

impl Context {
    /// Loads the configuration and starts logging.
    pub fn load(global: &GlobalArgs) -> Result<Context, CliError> {
        Self::load_with(global, &global.overrides())
    }

    /// [`Context::load`] with the overrides of a subcommand's own flags added to the global ones.
    pub fn load_with(global: &GlobalArgs, overrides: &Overrides) -> Result<Context, CliError> {
        let config = Config::load(global.config.as_deref(), overrides)?;
        let log = logging::init(&LogOptions {
            verbose: global.verbose,
            quiet: global.quiet,
            format: global.log_format,
            dir: Some(config.log_dir()),
            keep: config.settings.log_files_kept,
        });
        for w in &config.warnings {
            tracing::warn!("{w}");
        }
        tracing::info!(
            version = env!("CARGO_PKG_VERSION"),
            config_file = %config.file.path().display(),
            "fansly-stash started"
        );
        Ok(Context {
            config,
            global: global.clone(),
            log,
        })
    }
}

/// Runs the command.
pub async fn dispatch(cli: Cli) -> CmdResult {
    match cli.command {
        // Handled before the runtime starts (`crate::run`); here only for completeness.
        Command::Plugin => Err(CliError::config(
            "`fansly-stash plugin` is started by Stash for a plugin task",
        )),
        Command::Completions { shell } => generate::completions(shell),
        Command::Man { out_dir } => generate::man(out_dir.as_deref()),
        Command::Config(sub) => config::run(&cli.global, sub),
        Command::Sync(args) => {
            let ctx = Context::load(&cli.global)?;
            sync::run(&ctx, sync::RunRequest::from_sync(args)).await
        }
        Command::Plan(args) => {
            let ctx = Context::load(&cli.global)?;
            sync::run(&ctx, sync::RunRequest::from_plan(args)).await
        }
        Command::Watch(args) => {
            let overrides = Overrides {
                watch_interval_secs: args.interval,
                ..cli.global.overrides()
            };
            let ctx = Context::load_with(&cli.global, &overrides)?;
            watch::run(&ctx, args).await
        }
        Command::Status => {
            let ctx = Context::load(&cli.global)?;
            status::run(&ctx).await
        }
        Command::Import(args) => {
            let ctx = Context::load(&cli.global)?;
            import::run(&ctx, &args).await
        }
        Command::Check => {
            let ctx = Context::load(&cli.global)?;
            check::run(&ctx).await
        }
    }
}
