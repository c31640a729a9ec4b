//! The configuration of a plugin run: the plugin's settings in Stash (read through
//! `configuration { plugins }`), over the configuration file if one exists
//! (`<Stash config folder>/fansly-stash/config.toml`, or `FANSLY_STASH_CONFIG`) and the
//! `FANSLY_STASH_*` environment. The server connection always comes from Stash's input,
//! with its session cookie (never a configured URL or API key), and Stash's view of paths is
//! the only one: no `stash_root` mapping.
//!
//! The plugin keeps its own files (sync state, the SQLite file `import` writes) in a
//! `fansly-stash` folder next to Stash's `config.yml`, which Stash's Docker image keeps on a
//! volume.

use std::path::{Path, PathBuf};

use stash_adapter::{SessionCookie, StashConfig};
use sync_core::PathMapping;

use super::input::PluginInput;
use super::settings::{self, PLUGIN_ID, PluginOptions};
use crate::config::{Config, Connection, DefaultDirs, Overrides};
use crate::exit::CliError;
use crate::wiring;

/// Where the connection's origin is shown (`stash_url (from ...)`).
const FROM_STASH: &str = "Stash (the connection it gave the plugin)";

/// Everything a task needs to know.
#[derive(Debug)]
pub struct PluginContext {
    /// The effective configuration.
    pub config: Config,
    /// The plugin-only choices.
    pub options: PluginOptions,
}

impl PluginContext {
    /// Reads the plugin's settings from Stash and builds the configuration.
    pub async fn load(input: &PluginInput) -> Result<PluginContext, CliError> {
        let conn = &input.server_connection;
        let url = conn.url();
        let cookie = conn
            .session_cookie
            .as_ref()
            .map(|c| SessionCookie::new(c.name.clone(), c.value.clone()));
        let mut stash = StashConfig::new(url.clone());
        stash.session_cookie = cookie.clone();
        let stored = stash_adapter::read_plugin_settings(&stash, PLUGIN_ID)
            .await
            .map_err(|e| wiring::plugin_stash_error(&url, cookie.is_some(), &e))?;
        let (layer, options) = settings::from_stored(&stored)?;
        let env: Vec<(String, String)> = std::env::vars().collect();
        let explicit = env
            .iter()
            .find(|(k, _)| k == "FANSLY_STASH_CONFIG")
            .map(|(_, v)| PathBuf::from(v));
        let mut config = Config::load_layered(
            plugin_dirs(&conn.dir)?,
            explicit.as_deref(),
            &layer,
            &Overrides::default(),
            &env,
        )?;
        take_connection(&mut config, url, cookie);
        Ok(PluginContext { config, options })
    }

    /// The download folder, which must exist (Stash's view is the only view).
    pub fn mapping(&self) -> Result<PathMapping, CliError> {
        let origin = setting_origin(&self.config, "download_root", "Download folder");
        let Some(root) = &self.config.settings.download_root else {
            return Err(CliError::config(format!(
                "the download folder is not set: set {origin} to fansly-scraper's download_directory as Stash sees it (the folder that holds the <creator>_fansly folders)"
            )));
        };
        if !root.is_dir() {
            return Err(CliError::config(format!(
                "the download folder {} does not exist on the Stash machine (download_root, from {origin}): set it to fansly-scraper's download_directory as Stash sees it (in Docker: the path inside the container)",
                root.display()
            )));
        }
        Ok(PathMapping::identity(root.to_string_lossy()))
    }
}

/// `<Stash config folder>/fansly-stash` for the configuration file and the data; the
/// platform folders when Stash did not say where its configuration lives.
fn plugin_dirs(stash_dir: &Path) -> Result<DefaultDirs, CliError> {
    if stash_dir.as_os_str().is_empty() {
        return DefaultDirs::platform();
    }
    let dir = stash_dir.join(PLUGIN_ID);
    Ok(DefaultDirs {
        config_dir: dir.clone(),
        data_dir: dir,
    })
}

/// The connection from Stash replaces any configured one; paths are Stash's.
fn take_connection(config: &mut Config, url: String, cookie: Option<SessionCookie>) {
    config.settings.stash_url = url;
    config
        .origins
        .insert("stash_url".to_owned(), FROM_STASH.to_owned());
    if config.api_key.is_some() {
        config.warnings.push(
            "the configured API key is not used by the plugin: Stash gives it a session instead"
                .to_owned(),
        );
    }
    config.api_key = None;
    config.connection = Connection::Plugin { cookie };
    let download_root = config
        .settings
        .download_root
        .as_ref()
        .map(|p| p.to_string_lossy().into_owned());
    if config.origins.contains_key("stash_root") && config.settings.stash_root != download_root {
        config.warnings.push(format!(
            "stash_root (from {}) is ignored by the plugin: it runs beside Stash, so download_root is already the folder as Stash sees it",
            config.origin("stash_root")
        ));
        config.origins.remove("stash_root");
    }
    config.settings.stash_root = download_root;
}

/// Where `key` was set, or the plugin setting that sets it (for messages).
pub fn setting_origin(config: &Config, key: &str, display_name: &str) -> String {
    match config.origins.get(key) {
        Some(o) => o.clone(),
        None => format!("the plugin setting '{display_name}' (Settings > Plugins > {PLUGIN_ID})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SettingsLayer;

    #[test]
    fn empty_settings_keep_the_plugins_files_next_to_stashs_config() {
        let stash_dir = tempfile::tempdir().unwrap();
        let config = Config::load_layered(
            plugin_dirs(stash_dir.path()).unwrap(),
            None,
            &SettingsLayer::default(),
            &Overrides::default(),
            &[],
        )
        .unwrap();
        let ours = stash_dir.path().join("fansly-stash");
        assert_eq!(
            config.metadata_db().expose(),
            format!("sqlite://{}", ours.join("metadata.sqlite3").display())
        );
        assert_eq!(config.state_db(), ours.join("sync-state.sqlite3"));
    }
}
