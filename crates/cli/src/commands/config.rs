//! `config show | path | init`: the effective configuration with secrets redacted and each
//! value's origin; where the file is; a commented starter file.

use crate::cli::{ConfigCommand, GlobalArgs};
use crate::config::{Config, DefaultDirs, template};
use crate::exit::{CliError, CmdResult, Exit};

/// Runs a `config` subcommand.
pub fn run(global: &GlobalArgs, sub: ConfigCommand) -> CmdResult {
    match sub {
        ConfigCommand::Show => {
            let config = Config::load(global.config.as_deref(), &global.overrides())?;
            for w in &config.warnings {
                eprintln!("warning: {w}");
            }
            print!("{}", config.to_redacted_toml());
            Ok(Exit::Ok)
        }
        ConfigCommand::Path => {
            let path = match &global.config {
                Some(p) => p.clone(),
                None => DefaultDirs::platform()?.config_file(),
            };
            println!("{}", path.display());
            Ok(Exit::Ok)
        }
        ConfigCommand::Init { force } => {
            let dirs = DefaultDirs::platform()?;
            let path = global.config.clone().unwrap_or_else(|| dirs.config_file());
            if path.exists() && !force {
                return Err(CliError::config(format!(
                    "{} already exists: edit it, or pass --force to replace it with the commented template",
                    path.display()
                )));
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    CliError::config(format!(
                        "cannot create the folder {}: {e}; pass --config with a writable place",
                        parent.display()
                    ))
                })?;
            }
            let text = template::render(
                &format!("sqlite://{}", dirs.metadata_db().display()),
                &dirs.state_db().display().to_string(),
                &dirs.log_dir().display().to_string(),
            );
            std::fs::write(&path, text).map_err(|e| {
                CliError::config(format!(
                    "cannot write {}: {e}; pass --config with a writable place",
                    path.display()
                ))
            })?;
            println!("Wrote {}", path.display());
            println!(
                "Next: set stash_url, metadata_db and download_root in it, put the API key in FANSLY_STASH_API_KEY or api_key_file, then run `fansly-stash check`."
            );
            Ok(Exit::Ok)
        }
    }
}
