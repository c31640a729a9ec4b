//! Where things live by default, by platform convention (`directories`): the configuration
//! file in the config directory, the sync state, logs and the default SQLite metadata database
//! in the data directory.

use std::path::PathBuf;

use directories::ProjectDirs;

use crate::exit::CliError;

/// The platform's directories for fansly-stash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultDirs {
    /// Where `config.toml` is looked for.
    pub config_dir: PathBuf,
    /// Where the sync state, the logs and the default metadata database go.
    pub data_dir: PathBuf,
}

impl DefaultDirs {
    /// The platform directories (`$XDG_CONFIG_HOME/fansly-stash`, `$XDG_DATA_HOME/fansly-stash`
    /// on Linux; `~/Library/Application Support/fansly-stash` on macOS; `%APPDATA%` on Windows).
    pub fn platform() -> Result<Self, CliError> {
        let dirs = ProjectDirs::from("", "", "fansly-stash").ok_or_else(|| {
            CliError::config(
                "cannot find your home directory, so there is no default place for the \
                 configuration: set HOME, or pass --config FILE and set state_db and log_dir",
            )
        })?;
        Ok(Self {
            config_dir: dirs.config_dir().to_path_buf(),
            data_dir: dirs.data_dir().to_path_buf(),
        })
    }

    /// The default configuration file.
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    /// The default sync-state file.
    pub fn state_db(&self) -> PathBuf {
        self.data_dir.join("sync-state.sqlite3")
    }

    /// The default SQLite metadata database (what `import` writes).
    pub fn metadata_db(&self) -> PathBuf {
        self.data_dir.join("metadata.sqlite3")
    }

    /// The default log folder.
    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }
}
