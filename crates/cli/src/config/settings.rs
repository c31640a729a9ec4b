//! [`Settings`]: every configuration key, as it appears in `config.toml` and in
//! `FANSLY_STASH_*` environment variables, with its default. Unknown keys are rejected
//! (`deny_unknown_fields`), so a typo is an error naming the key and where it was written.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::scalar;
use super::secret::{DbUrl, Secret};

/// The configuration keys, exactly as written in the file (environment variables are these
/// upper-cased with the `FANSLY_STASH_` prefix).
pub const KEYS: &[&str] = &[
    "stash_url",
    "api_key",
    "api_key_file",
    "metadata_db",
    "state_db",
    "download_root",
    "stash_root",
    "folder_suffix",
    "network_studio",
    "batch_size",
    "read_concurrency",
    "connect_timeout_secs",
    "request_timeout_secs",
    "scan_timeout_secs",
    "watch_interval_secs",
    "log_dir",
    "log_files_kept",
    "tag_previews_trailer",
    "write_back_stash_ids",
    "galleries_organized",
];

/// Every setting. Optional ones have computed defaults (see [`super::Config`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Stash's base URL (`/graphql` is appended), optionally with a reverse-proxy prefix.
    #[serde(deserialize_with = "scalar::string")]
    pub stash_url: String,
    /// The Stash API key (Settings > Security in Stash). Prefer `FANSLY_STASH_API_KEY` or
    /// `api_key_file`; it is never accepted on the command line.
    pub api_key: Option<Secret>,
    /// A file holding the API key (first line; used when `api_key` is not set).
    pub api_key_file: Option<PathBuf>,
    /// The metadata database URL: `postgres://user:password@host/fansly` or
    /// `sqlite:///path/to/file.sqlite3`. Default: the SQLite file `import` writes.
    pub metadata_db: Option<DbUrl>,
    /// Our own sync-state SQLite file. Default: in the data directory.
    pub state_db: Option<PathBuf>,
    /// fansly-scraper's download directory as this machine sees it.
    pub download_root: Option<PathBuf>,
    /// The same directory as Stash sees it (Docker, NAS). Default: `download_root`.
    #[serde(deserialize_with = "scalar::opt_string")]
    pub stash_root: Option<String>,
    /// The suffix fansly-scraper appends to creator folders (`""` if `use_folder_suffix` is off).
    #[serde(deserialize_with = "scalar::string")]
    pub folder_suffix: String,
    /// The parent studio every creator studio hangs under (created when missing).
    #[serde(deserialize_with = "scalar::string")]
    pub network_studio: String,
    /// Items per batch: the unit of reads, writes and state saves.
    pub batch_size: usize,
    /// Stash reads in flight at once (writes are always one at a time).
    pub read_concurrency: usize,
    /// Seconds to establish a connection to Stash.
    pub connect_timeout_secs: u64,
    /// Seconds for one whole Stash request.
    pub request_timeout_secs: u64,
    /// Seconds to wait for a `--scan` job to finish.
    pub scan_timeout_secs: u64,
    /// Seconds between two looks at the metadata database in `watch`.
    pub watch_interval_secs: u64,
    /// Where log files go (rotated daily). Default: `logs` in the data directory.
    pub log_dir: Option<PathBuf>,
    /// How many daily log files to keep.
    pub log_files_kept: usize,
    /// Tag preview clips with `Trailer`.
    pub tag_previews_trailer: bool,
    /// Write Stash ids back to the upstream `stash_id` columns, as fansly-scraper does.
    pub write_back_stash_ids: bool,
    /// Create galleries marked organized, as fansly-scraper does (later runs then leave them
    /// alone unless `--force`).
    pub galleries_organized: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            stash_url: "http://localhost:9999".to_owned(),
            api_key: None,
            api_key_file: None,
            metadata_db: None,
            state_db: None,
            download_root: None,
            stash_root: None,
            folder_suffix: sync_core::options::DEFAULT_FOLDER_SUFFIX.to_owned(),
            network_studio: sync_core::options::DEFAULT_NETWORK_STUDIO.to_owned(),
            batch_size: 250,
            read_concurrency: 4,
            connect_timeout_secs: 10,
            request_timeout_secs: 120,
            scan_timeout_secs: 3600,
            watch_interval_secs: 60,
            log_dir: None,
            log_files_kept: 14,
            tag_previews_trailer: true,
            write_back_stash_ids: false,
            galleries_organized: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_list_every_field() {
        let full = Settings {
            api_key: Some(Secret::new("k")),
            api_key_file: Some("/k".into()),
            metadata_db: Some(DbUrl::new("sqlite://x")),
            state_db: Some("/s".into()),
            download_root: Some("/d".into()),
            stash_root: Some("/r".into()),
            log_dir: Some("/l".into()),
            ..Settings::default()
        };
        let value = toml::Value::try_from(&full).unwrap();
        let mut fields: Vec<&str> = value
            .as_table()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        fields.sort_unstable();
        let mut keys = KEYS.to_vec();
        keys.sort_unstable();
        assert_eq!(fields, keys);
    }
}
