//! Configuration: a TOML file (default location by platform convention, `--config` to
//! override), then `FANSLY_STASH_*` environment variables, then command-line flags. The result
//! is a validated [`Config`] whose secrets never print; `config show` renders it with every
//! value's origin.

pub mod paths;
pub mod scalar;
pub mod secret;
pub mod settings;
pub mod template;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Format, Toml};

use crate::exit::CliError;
pub use paths::DefaultDirs;
pub use secret::{DbUrl, REDACTED, Secret};
pub use settings::{KEYS, Settings};

/// The longest `watch_interval_secs`: a day.
pub const MAX_WATCH_INTERVAL_SECS: u64 = 86_400;

/// The environment-variable prefix.
pub const ENV_PREFIX: &str = "FANSLY_STASH_";

/// `FANSLY_STASH_*` variables that are not settings but are used elsewhere (the config path
/// flag, the test suites); they are not reported as unknown.
const ENV_NOT_SETTINGS: &[&str] = &["CONFIG", "REQUIRE_SERVICES", "TEST_PG_URL"];

/// Values given on the command line; they override the file and the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--stash-url`.
    pub stash_url: Option<String>,
    /// `--metadata-db`.
    pub metadata_db: Option<String>,
    /// `--state-db`.
    pub state_db: Option<PathBuf>,
    /// `--download-root`.
    pub download_root: Option<PathBuf>,
    /// `--stash-root`.
    pub stash_root: Option<String>,
    /// `--batch-size`.
    pub batch_size: Option<usize>,
    /// `--read-concurrency`.
    pub read_concurrency: Option<usize>,
    /// `--log-dir`.
    pub log_dir: Option<PathBuf>,
    /// `watch --interval`.
    pub watch_interval_secs: Option<u64>,
}

/// Settings given by a caller between the environment and the flags, each with the place it
/// came from (the Stash plugin's settings: `the plugin setting 'Batch size'`). Only keys in
/// [`KEYS`] are read; values are JSON as Stash stores them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettingsLayer {
    /// Key to value.
    pub values: serde_json::Map<String, serde_json::Value>,
    /// Key to where it was set (shown in messages as `from <origin>`).
    pub origins: BTreeMap<String, String>,
}

impl SettingsLayer {
    /// The values whose keys are settings (others are ignored here).
    fn known_values(&self) -> serde_json::Map<String, serde_json::Value> {
        self.values
            .iter()
            .filter(|(k, _)| KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// How fansly-stash reaches Stash.
#[derive(Debug, Clone, Default)]
pub enum Connection {
    /// By `stash_url` and the API key from the configuration.
    #[default]
    Configured,
    /// As a Stash plugin: the address Stash handed the process, and its session cookie when
    /// Stash has a login (never an API key then).
    Plugin {
        /// The `session` cookie from the plugin input.
        cookie: Option<stash_adapter::SessionCookie>,
    },
}

/// Where the configuration file came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigFile {
    /// The file was read.
    Read(PathBuf),
    /// The default file does not exist; defaults apply.
    Missing(PathBuf),
}

impl ConfigFile {
    /// The path, read or not.
    pub fn path(&self) -> &Path {
        match self {
            ConfigFile::Read(p) | ConfigFile::Missing(p) => p,
        }
    }
}

/// The effective, validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The settings with every computed default filled in (`metadata_db`, `state_db`,
    /// `log_dir`, `stash_root` are always `Some`).
    pub settings: Settings,
    /// The API key, from `api_key` or `api_key_file`.
    pub api_key: Option<Secret>,
    /// The configuration file.
    pub file: ConfigFile,
    /// The platform directories.
    pub dirs: DefaultDirs,
    /// Where each non-default key was set (`key` -> `config file /x`, `FANSLY_STASH_X`, `--flag`).
    pub origins: BTreeMap<String, String>,
    /// Things worth a warning (unknown `FANSLY_STASH_*` variables).
    pub warnings: Vec<String>,
    /// How Stash is reached (the configuration, or a plugin's input).
    pub connection: Connection,
}

impl Config {
    /// Loads and validates: file, then environment, then `overrides`.
    pub fn load(explicit_file: Option<&Path>, overrides: &Overrides) -> Result<Config, CliError> {
        let dirs = DefaultDirs::platform()?;
        let env: Vec<(String, String)> = std::env::vars().collect();
        Self::load_with(dirs, explicit_file, overrides, &env)
    }

    /// [`Config::load`] with explicit directories and environment (for tests).
    pub fn load_with(
        dirs: DefaultDirs,
        explicit_file: Option<&Path>,
        overrides: &Overrides,
        env: &[(String, String)],
    ) -> Result<Config, CliError> {
        Self::load_layered(
            dirs,
            explicit_file,
            &SettingsLayer::default(),
            overrides,
            env,
        )
    }

    /// Loads and validates: file, then environment, then `layer`, then `overrides`.
    pub fn load_layered(
        dirs: DefaultDirs,
        explicit_file: Option<&Path>,
        layer: &SettingsLayer,
        overrides: &Overrides,
        env: &[(String, String)],
    ) -> Result<Config, CliError> {
        let file = ConfigFile::choose(&dirs, explicit_file)?;
        let mut figment = Figment::new();
        if let ConfigFile::Read(p) = &file {
            figment = figment.merge(Toml::file_exact(p));
        }
        let (env_values, warnings) = settings_from_env(env);
        let env_keys: Vec<String> = env_values.iter().map(|(k, _)| k.clone()).collect();
        // Environment values are parsed like figment's `Env` provider does (TOML-like
        // scalars); they are taken from `env` so tests can pass their own.
        let figment = env_values.iter().fold(figment, |f, (k, v)| {
            f.merge(figment::providers::Serialized::default(
                k,
                parse_env_value(v),
            ))
        });
        let layer_values = layer.known_values();
        let figment = if layer_values.is_empty() {
            figment
        } else {
            figment.merge(figment::providers::Serialized::defaults(
                layer_values.clone(),
            ))
        };
        let mut settings: Settings = figment
            .extract()
            .map_err(|e| figment_error(e, &file, &env_keys, layer))?;
        let mut origins = origins_of(&figment, &file, &env_keys);
        for key in layer_values.keys() {
            let origin = layer
                .origins
                .get(key)
                .cloned()
                .unwrap_or_else(|| key.clone());
            origins.insert(key.clone(), origin);
        }
        apply_overrides(&mut settings, overrides, &mut origins);
        let api_key = resolve_api_key(&settings, &origins)?;
        fill_defaults(&mut settings, &dirs);
        trim_names(&mut settings);
        validate(&settings, &origins)?;
        Ok(Config {
            settings,
            api_key,
            file,
            dirs,
            origins,
            warnings,
            connection: Connection::Configured,
        })
    }

    /// Where a key was set, or `default`.
    pub fn origin(&self, key: &str) -> &str {
        self.origins.get(key).map_or("default", String::as_str)
    }

    /// The metadata database URL (always set after loading).
    pub fn metadata_db(&self) -> DbUrl {
        self.settings
            .metadata_db
            .clone()
            .unwrap_or_else(|| default_metadata_db(&self.dirs))
    }

    /// The sync-state file (always set after loading).
    pub fn state_db(&self) -> PathBuf {
        self.settings
            .state_db
            .clone()
            .unwrap_or_else(|| self.dirs.state_db())
    }

    /// The log folder (always set after loading).
    pub fn log_dir(&self) -> PathBuf {
        self.settings
            .log_dir
            .clone()
            .unwrap_or_else(|| self.dirs.log_dir())
    }

    /// Local download root to Stash-side root, when `download_root` is set.
    pub fn path_mapping(&self) -> Option<sync_core::PathMapping> {
        let local = self.settings.download_root.as_ref()?;
        let local = local.to_string_lossy().into_owned();
        let stash = self
            .settings
            .stash_root
            .clone()
            .unwrap_or_else(|| local.clone());
        Some(sync_core::PathMapping {
            local_root: local,
            stash_root: stash,
        })
    }

    /// The Stash connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.settings.connect_timeout_secs)
    }

    /// How long `watch` waits between two cycles.
    pub fn watch_interval(&self) -> Duration {
        Duration::from_secs(self.settings.watch_interval_secs)
    }

    /// The Stash request timeout.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.settings.request_timeout_secs)
    }

    /// The effective configuration as TOML, secrets redacted, each line that is not a
    /// default annotated with where it came from.
    pub fn to_redacted_toml(&self) -> String {
        let mut shown = self.settings.clone();
        if self.api_key.is_some() && shown.api_key.is_none() {
            // Set through api_key_file: show that a key is in use, never the key.
            shown.api_key = self.api_key.clone();
        }
        let body = toml::to_string(&shown).unwrap_or_else(|e| format!("# cannot render: {e}\n"));
        let mut out = String::new();
        match &self.file {
            ConfigFile::Read(p) => {
                out.push_str(&format!("# configuration file: {}\n", p.display()))
            }
            ConfigFile::Missing(p) => out.push_str(&format!(
                "# configuration file: {} (not found: defaults and environment only)\n",
                p.display()
            )),
        }
        out.push_str("# secrets are shown as \"***\"\n");
        for line in body.lines() {
            let key = line.split(" = ").next().unwrap_or("");
            match self.origins.get(key) {
                Some(origin) => out.push_str(&format!("{line}  # from {origin}\n")),
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out
    }
}

/// The default metadata database: the SQLite file `import` writes.
fn default_metadata_db(dirs: &DefaultDirs) -> DbUrl {
    DbUrl::new(format!("sqlite://{}", dirs.metadata_db().display()))
}

/// Parses an environment value the way figment's `Env` provider does (TOML-like scalars).
fn parse_env_value(v: &str) -> figment::value::Value {
    v.parse::<figment::value::Value>()
        .unwrap_or_else(|_| figment::value::Value::from(v.to_owned()))
}

fn figment_error(
    err: figment::Error,
    file: &ConfigFile,
    env_keys: &[String],
    layer: &SettingsLayer,
) -> CliError {
    let mut lines = Vec::new();
    for e in err {
        let key = e.path.join(".");
        let place = if let Some(origin) = layer
            .origins
            .get(&key)
            .filter(|_| layer.values.contains_key(&key))
        {
            format!("in {origin}")
        } else if env_keys.contains(&key) {
            format!(
                "in the environment variable {ENV_PREFIX}{}",
                key.to_ascii_uppercase()
            )
        } else {
            match e.metadata.as_ref().and_then(|md| md.source.as_ref()) {
                Some(src) => format!("in {src}"),
                None => format!("in {}", file.path().display()),
            }
        };
        let hint = match &e.kind {
            figment::error::Kind::UnknownField(..) => format!(
                "Remove or fix the key: the settings are {}.",
                KEYS.join(", ")
            ),
            _ => "Fix the value (`fansly-stash config show` prints the effective configuration)."
                .to_owned(),
        };
        lines.push(format!(
            "invalid configuration {place}: {} (key `{key}`). {hint}",
            e.kind
        ));
    }
    CliError::config(lines.join("\n"))
}

fn apply_overrides(s: &mut Settings, o: &Overrides, origins: &mut BTreeMap<String, String>) {
    let mut set = |key: &str, flag: &str| {
        origins.insert(key.to_owned(), flag.to_owned());
    };
    if let Some(v) = &o.stash_url {
        s.stash_url = v.clone();
        set("stash_url", "--stash-url");
    }
    if let Some(v) = &o.metadata_db {
        s.metadata_db = Some(DbUrl::new(v.clone()));
        set("metadata_db", "--metadata-db");
    }
    if let Some(v) = &o.state_db {
        s.state_db = Some(v.clone());
        set("state_db", "--state-db");
    }
    if let Some(v) = &o.download_root {
        s.download_root = Some(v.clone());
        set("download_root", "--download-root");
    }
    if let Some(v) = &o.stash_root {
        s.stash_root = Some(v.clone());
        set("stash_root", "--stash-root");
    }
    if let Some(v) = o.batch_size {
        s.batch_size = v;
        set("batch_size", "--batch-size");
    }
    if let Some(v) = o.read_concurrency {
        s.read_concurrency = v;
        set("read_concurrency", "--read-concurrency");
    }
    if let Some(v) = &o.log_dir {
        s.log_dir = Some(v.clone());
        set("log_dir", "--log-dir");
    }
    if let Some(v) = o.watch_interval_secs {
        s.watch_interval_secs = v;
        set("watch_interval_secs", "--interval");
    }
}

fn fill_defaults(s: &mut Settings, dirs: &DefaultDirs) {
    if s.metadata_db.is_none() {
        s.metadata_db = Some(default_metadata_db(dirs));
    }
    if s.state_db.is_none() {
        s.state_db = Some(dirs.state_db());
    }
    if s.log_dir.is_none() {
        s.log_dir = Some(dirs.log_dir());
    }
    if s.stash_root.is_none() {
        s.stash_root = s
            .download_root
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned());
    }
}

/// Names Stash stores trimmed are trimmed here too, so the name we look up and remember is the
/// one Stash has (an untrimmed one would never match its studio).
fn trim_names(s: &mut Settings) {
    let trimmed = s.network_studio.trim();
    if trimmed.len() != s.network_studio.len() {
        s.network_studio = trimmed.to_owned();
    }
}

fn origin_of<'a>(origins: &'a BTreeMap<String, String>, key: &str) -> &'a str {
    origins.get(key).map_or("default", String::as_str)
}

fn resolve_api_key(
    s: &Settings,
    origins: &BTreeMap<String, String>,
) -> Result<Option<Secret>, CliError> {
    if let Some(k) = &s.api_key
        && !k.expose().trim().is_empty()
    {
        return Ok(Some(Secret::new(k.expose().trim())));
    }
    let Some(path) = &s.api_key_file else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::config(format!(
            "cannot read the API key file {} (api_key_file, from {}): {e}. Put the key from Stash (Settings > Security > API Key) in that file, or set {ENV_PREFIX}API_KEY instead",
            path.display(),
            origin_of(origins, "api_key_file")
        ))
    })?;
    let key = text.lines().next().unwrap_or("").trim();
    if key.is_empty() {
        return Err(CliError::config(format!(
            "the API key file {} is empty: put the key from Stash (Settings > Security > API Key) on its first line, or remove api_key_file if Stash has no password",
            path.display()
        )));
    }
    Ok(Some(Secret::new(key)))
}

fn validate(s: &Settings, origins: &BTreeMap<String, String>) -> Result<(), CliError> {
    let from = |k: &str| origin_of(origins, k).to_owned();
    match url::Url::parse(&s.stash_url) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.has_host() => {}
        Ok(u) => {
            return Err(CliError::config(format!(
                "stash_url \"{}\" (from {}) is not an http(s) URL (scheme `{}`): write it like http://localhost:9999, or https://host/stash behind a reverse proxy",
                s.stash_url,
                from("stash_url"),
                u.scheme()
            )));
        }
        Err(e) => {
            return Err(CliError::config(format!(
                "stash_url \"{}\" (from {}) is not a valid URL ({e}): write it like http://localhost:9999, or https://host/stash behind a reverse proxy",
                s.stash_url,
                from("stash_url")
            )));
        }
    }
    if let Some(db) = &s.metadata_db {
        let lower = db.expose().trim().to_ascii_lowercase();
        if !(lower.starts_with("postgres://")
            || lower.starts_with("postgresql://")
            || lower.starts_with("sqlite:"))
        {
            return Err(CliError::config(format!(
                "metadata_db \"{}\" (from {}) is not a database URL: use postgres://user:password@host/fansly for fansly-scraper's PostgreSQL database, or sqlite:///path/to/metadata.sqlite3",
                db.redacted(),
                from("metadata_db")
            )));
        }
    }
    if s.network_studio.is_empty() {
        return Err(CliError::config(format!(
            "network_studio (from {}) is blank: it names the studio in Stash that every creator's studio is filed under, so it needs a name. Write a name, or remove the setting to use \"{}\"",
            from("network_studio"),
            sync_core::options::DEFAULT_NETWORK_STUDIO
        )));
    }
    for (key, value, max) in [
        ("batch_size", s.batch_size, 10_000),
        ("read_concurrency", s.read_concurrency, 64),
    ] {
        if value == 0 || value > max {
            return Err(CliError::config(format!(
                "{key} = {value} (from {}) is out of range: use a number from 1 to {max}",
                from(key)
            )));
        }
    }
    if s.watch_interval_secs == 0 || s.watch_interval_secs > MAX_WATCH_INTERVAL_SECS {
        return Err(CliError::config(format!(
            "watch_interval_secs = {} (from {}) is out of range: use a number of seconds from 1 to {MAX_WATCH_INTERVAL_SECS} (a day)",
            s.watch_interval_secs,
            from("watch_interval_secs")
        )));
    }
    for (key, value) in [
        ("connect_timeout_secs", s.connect_timeout_secs),
        ("request_timeout_secs", s.request_timeout_secs),
        ("scan_timeout_secs", s.scan_timeout_secs),
    ] {
        if value == 0 {
            return Err(CliError::config(format!(
                "{key} = 0 (from {}): a timeout must be at least 1 second",
                from(key)
            )));
        }
    }
    Ok(())
}

impl ConfigFile {
    /// The file to read: the one named (it must exist), else the default one if it exists.
    fn choose(dirs: &DefaultDirs, explicit_file: Option<&Path>) -> Result<ConfigFile, CliError> {
        match explicit_file {
            Some(p) if p.is_file() => Ok(ConfigFile::Read(p.to_path_buf())),
            Some(p) => Err(CliError::config(format!(
                "the configuration file {} does not exist: create it (`fansly-stash config init --config {}` writes a commented one) or leave out --config / FANSLY_STASH_CONFIG",
                p.display(),
                p.display()
            ))),
            None => {
                let p = dirs.config_file();
                Ok(if p.is_file() {
                    ConfigFile::Read(p)
                } else {
                    ConfigFile::Missing(p)
                })
            }
        }
    }
}

/// The settings among `FANSLY_STASH_*` variables (key in lower case, value), and a warning
/// for each such variable that is not a setting.
fn settings_from_env(env: &[(String, String)]) -> (Vec<(String, String)>, Vec<String>) {
    let mut values = Vec::new();
    let mut warnings = Vec::new();
    for (name, value) in env {
        let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        let key = rest.to_ascii_lowercase();
        if KEYS.contains(&key.as_str()) {
            values.push((key, value.clone()));
        } else if !ENV_NOT_SETTINGS.contains(&rest) {
            warnings.push(format!(
                "ignoring the environment variable {name}: it is not a setting (settings are {})",
                KEYS.iter()
                    .map(|k| format!("{ENV_PREFIX}{}", k.to_ascii_uppercase()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    (values, warnings)
}

/// Where each key set by the environment or the file came from.
fn origins_of(
    figment: &Figment,
    file: &ConfigFile,
    env_keys: &[String],
) -> BTreeMap<String, String> {
    let mut origins = BTreeMap::new();
    for key in KEYS {
        if env_keys.iter().any(|k| k == key) {
            origins.insert(
                (*key).to_owned(),
                format!("{ENV_PREFIX}{}", key.to_ascii_uppercase()),
            );
        } else if let (ConfigFile::Read(p), Some(_)) = (file, figment.find_metadata(key))
            && figment.find_value(key).is_ok()
        {
            origins.insert((*key).to_owned(), format!("{}", p.display()));
        }
    }
    origins
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(root: &Path) -> DefaultDirs {
        DefaultDirs {
            config_dir: root.join("config"),
            data_dir: root.join("data"),
        }
    }

    fn write(root: &Path, text: &str) -> PathBuf {
        let p = root.join("config.toml");
        std::fs::write(&p, text).unwrap();
        p
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_fill_paths_in_the_data_dir() {
        let t = tempfile::tempdir().unwrap();
        let c = Config::load_with(dirs(t.path()), None, &Overrides::default(), &[]).unwrap();
        assert_eq!(c.settings.stash_url, "http://localhost:9999");
        assert_eq!(c.state_db(), t.path().join("data/sync-state.sqlite3"));
        assert_eq!(c.log_dir(), t.path().join("data/logs"));
        assert!(c.metadata_db().expose().ends_with("data/metadata.sqlite3"));
        assert!(matches!(c.file, ConfigFile::Missing(_)));
        assert!(c.api_key.is_none());
    }

    #[test]
    fn file_then_env_then_flags() {
        let t = tempfile::tempdir().unwrap();
        let f = write(
            t.path(),
            "stash_url = \"http://file:1\"\nbatch_size = 7\nnetwork_studio = \"Net\"\nread_concurrency = 2\n",
        );
        let e = env(&[
            ("FANSLY_STASH_BATCH_SIZE", "9"),
            ("FANSLY_STASH_STASH_URL", "http://env:2"),
        ]);
        let o = Overrides {
            stash_url: Some("http://flag:3".into()),
            ..Overrides::default()
        };
        let c = Config::load_with(dirs(t.path()), Some(&f), &o, &e).unwrap();
        assert_eq!(c.settings.stash_url, "http://flag:3");
        assert_eq!(c.settings.batch_size, 9);
        assert_eq!(c.settings.network_studio, "Net");
        assert_eq!(c.settings.read_concurrency, 2);
        assert_eq!(c.origin("stash_url"), "--stash-url");
        assert_eq!(c.origin("batch_size"), "FANSLY_STASH_BATCH_SIZE");
        assert_eq!(c.origin("network_studio"), f.display().to_string());
        assert_eq!(c.origin("folder_suffix"), "default");
    }

    #[test]
    fn the_network_studio_is_trimmed_as_stash_stores_names() {
        let t = tempfile::tempdir().unwrap();
        let e = env(&[("FANSLY_STASH_NETWORK_STUDIO", "  My Net \t")]);
        let c = Config::load_with(dirs(t.path()), None, &Overrides::default(), &e).unwrap();
        assert_eq!(c.settings.network_studio, "My Net");
    }

    #[test]
    fn unknown_keys_name_the_key_and_the_file() {
        let t = tempfile::tempdir().unwrap();
        let f = write(t.path(), "stash_ulr = \"http://x\"\n");
        let err =
            Config::load_with(dirs(t.path()), Some(&f), &Overrides::default(), &[]).unwrap_err();
        assert_eq!(err.exit, crate::exit::Exit::Usage);
        assert!(err.message.contains("stash_ulr"), "{}", err.message);
        assert!(
            err.message.contains(&f.display().to_string()),
            "{}",
            err.message
        );
    }

    #[test]
    fn bad_urls_and_ranges_are_config_errors() {
        let t = tempfile::tempdir().unwrap();
        for (text, needle) in [
            ("stash_url = \"localhost:9999\"", "not an http(s) URL"),
            ("stash_url = \"http://\"", "not a valid URL"),
            ("metadata_db = \"mysql://x\"", "not a database URL"),
            ("batch_size = 0", "out of range"),
            ("request_timeout_secs = 0", "at least 1 second"),
            ("batch_size = \"many\"", "batch_size"),
            ("watch_interval_secs = 0", "from 1 to 86400"),
            ("watch_interval_secs = 90000", "out of range"),
            ("network_studio = \" \\t \"", "network_studio (from"),
            (
                "network_studio = \"\"",
                "remove the setting to use \"Fansly (network)\"",
            ),
        ] {
            let f = write(t.path(), text);
            let err = Config::load_with(dirs(t.path()), Some(&f), &Overrides::default(), &[])
                .unwrap_err();
            assert!(err.message.contains(needle), "{text}: {}", err.message);
            assert_eq!(err.exit, crate::exit::Exit::Usage);
        }
    }

    #[test]
    fn api_key_from_env_or_file_and_never_shown() {
        let t = tempfile::tempdir().unwrap();
        let keyfile = t.path().join("key");
        std::fs::write(&keyfile, "from-file-key\n").unwrap();
        let f = write(
            t.path(),
            &format!("api_key_file = \"{}\"\n", keyfile.display()),
        );
        let c = Config::load_with(dirs(t.path()), Some(&f), &Overrides::default(), &[]).unwrap();
        assert_eq!(c.api_key.as_ref().unwrap().expose(), "from-file-key");
        let shown = format!("{} {c:?}", c.to_redacted_toml());
        assert!(!shown.contains("from-file-key"), "{shown}");
        assert!(shown.contains("api_key = \"***\""), "{shown}");

        let e = env(&[("FANSLY_STASH_API_KEY", "12345")]);
        let c = Config::load_with(dirs(t.path()), Some(&f), &Overrides::default(), &e).unwrap();
        assert_eq!(c.api_key.as_ref().unwrap().expose(), "12345");

        std::fs::write(&keyfile, "\n").unwrap();
        let err =
            Config::load_with(dirs(t.path()), Some(&f), &Overrides::default(), &[]).unwrap_err();
        assert!(err.message.contains("is empty"), "{}", err.message);
    }

    #[test]
    fn db_passwords_are_redacted_in_show() {
        let t = tempfile::tempdir().unwrap();
        let e = env(&[(
            "FANSLY_STASH_METADATA_DB",
            "postgres://fansly:hunter2@localhost/fansly",
        )]);
        let c = Config::load_with(dirs(t.path()), None, &Overrides::default(), &e).unwrap();
        let shown = c.to_redacted_toml();
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("fansly:***@localhost"), "{shown}");
        assert!(shown.contains("# from FANSLY_STASH_METADATA_DB"), "{shown}");
    }

    #[test]
    fn unknown_env_vars_warn_but_test_ones_do_not() {
        let t = tempfile::tempdir().unwrap();
        let e = env(&[
            ("FANSLY_STASH_STAHS_URL", "x"),
            ("FANSLY_STASH_REQUIRE_SERVICES", "1"),
        ]);
        let c = Config::load_with(dirs(t.path()), None, &Overrides::default(), &e).unwrap();
        assert_eq!(c.warnings.len(), 1);
        assert!(c.warnings[0].contains("FANSLY_STASH_STAHS_URL"));
    }

    #[test]
    fn a_settings_layer_sits_between_the_environment_and_the_flags() {
        let t = tempfile::tempdir().unwrap();
        let f = write(
            t.path(),
            "batch_size = 7\nnetwork_studio = \"File\"\nfolder_suffix = \"_f\"\n",
        );
        let e = env(&[("FANSLY_STASH_NETWORK_STUDIO", "Env")]);
        let mut layer = SettingsLayer::default();
        for (k, v) in [
            ("network_studio", serde_json::json!("Plugin")),
            ("batch_size", serde_json::json!(40)),
            ("not_a_key", serde_json::json!(1)),
        ] {
            layer.values.insert(k.to_owned(), v);
            layer
                .origins
                .insert(k.to_owned(), format!("the plugin setting {k}"));
        }
        let o = Overrides {
            batch_size: Some(9),
            ..Overrides::default()
        };
        let c = Config::load_layered(dirs(t.path()), Some(&f), &layer, &o, &e).unwrap();
        assert_eq!(c.settings.network_studio, "Plugin");
        assert_eq!(
            c.origin("network_studio"),
            "the plugin setting network_studio"
        );
        assert_eq!(c.settings.batch_size, 9, "flags still win");
        assert_eq!(
            c.settings.folder_suffix, "_f",
            "the file fills what the layer leaves"
        );

        layer
            .values
            .insert("batch_size".into(), serde_json::json!(0));
        let err = Config::load_layered(dirs(t.path()), Some(&f), &layer, &Overrides::default(), &e)
            .unwrap_err();
        assert!(
            err.message
                .contains("batch_size = 0 (from the plugin setting batch_size)"),
            "{}",
            err.message
        );
        layer
            .values
            .insert("batch_size".into(), serde_json::json!("many"));
        let err = Config::load_layered(dirs(t.path()), Some(&f), &layer, &Overrides::default(), &e)
            .unwrap_err();
        assert!(
            err.message.contains("in the plugin setting batch_size"),
            "{}",
            err.message
        );
    }

    #[test]
    fn stash_root_defaults_to_download_root() {
        let t = tempfile::tempdir().unwrap();
        let o = Overrides {
            download_root: Some("/dl".into()),
            ..Overrides::default()
        };
        let c = Config::load_with(dirs(t.path()), None, &o, &[]).unwrap();
        let m = c.path_mapping().unwrap();
        assert_eq!(
            (m.local_root.as_str(), m.stash_root.as_str()),
            ("/dl", "/dl")
        );
    }
}
