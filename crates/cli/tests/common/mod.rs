//! Test world for the `fansly-stash` binary: a temp home (so the platform config and data
//! dirs are private), a SQLite metadata database built with the metadata-store fixture
//! generator, real media files on disk named as fansly-scraper names them, and the Stash
//! double serving the download folder as its library.
//!
//! Submodules for suites that need more: [`plugin`] drives `fansly-stash plugin` as Stash
//! does, [`watch`] runs `watch` with its output collected and a TCP proxy for outages.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

pub mod plugin;
pub mod watch;

use std::path::{Path, PathBuf};
use std::process::Output;

use domain::ports::MetadataRepository;
use metadata_store::testing::{CreatorShape, FixtureBuilder, GeneratedCreator};
use metadata_store::{MetadataStore, StoreOptions};
use stash_double::{DoubleConfig, StashDouble};
use tempfile::TempDir;

/// The generated creator's username.
pub const CREATOR: &str = "alice";

/// Everything a CLI test needs.
pub struct World {
    /// Owns every file.
    pub dir: TempDir,
    /// `$HOME` of the command.
    pub home: PathBuf,
    /// The download root (the double's library root).
    pub downloads: PathBuf,
    /// The metadata database URL (the file exists).
    pub metadata_url: String,
    /// The Stash double.
    pub double: StashDouble,
    /// Media files written, relative to the download root.
    pub files: Vec<PathBuf>,
    /// The ids the fixture generator made for the creator (posts, messages, media...).
    pub creator: GeneratedCreator,
}

/// A creator shape small enough for fast tests: posts, messages, images, videos with previews,
/// a bundle and an unattached media.
pub fn small_shape(items: usize) -> CreatorShape {
    CreatorShape {
        posts: items,
        messages: 2,
        images: items + 2,
        videos: 2,
        bundles: 1,
        bundle_size: 3,
        unattached: 1,
        ..CreatorShape::new(100, CREATOR)
    }
}

impl World {
    /// A world with the default double and a small creator whose files are already scanned.
    pub async fn new() -> World {
        Self::with(DoubleConfig::default(), small_shape(4), true).await
    }

    /// A world with a custom double configuration and creator shape; `scanned`: whether the
    /// double has already indexed the files.
    pub async fn with(mut config: DoubleConfig, shape: CreatorShape, scanned: bool) -> World {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let downloads = dir.path().join("downloads");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&downloads).unwrap();

        let db_path = dir.path().join("metadata.sqlite3");
        let store = MetadataStore::open(
            &format!("sqlite://{}?mode=rwc", db_path.display()),
            StoreOptions::default(),
        )
        .await
        .unwrap();
        let mut fixture = FixtureBuilder::new();
        let creator = fixture.generate_creator(&shape);
        fixture.insert(&store).await.unwrap();
        let names = local_filenames(&store, domain::ids::AccountId(shape.account_id)).await;
        drop(store);

        let folder = downloads.join(format!("{}_fansly", shape.username));
        let mut files = Vec::new();
        for name in names {
            let sub = if name.ends_with(".mp4") {
                "Timeline/Videos"
            } else {
                "Timeline/Pictures"
            };
            let path = folder.join(sub).join(&name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            // Unique content: the double merges byte-identical files.
            std::fs::write(&path, format!("media file {name}")).unwrap();
            files.push(path.strip_prefix(&downloads).unwrap().to_path_buf());
        }

        config.library_roots = vec![downloads.clone()];
        let double = StashDouble::start(config).await.unwrap();
        if scanned {
            double.scan_now(&[]).await;
        }
        World {
            dir,
            home,
            downloads,
            metadata_url: format!("sqlite://{}", db_path.display()),
            double,
            files,
            creator,
        }
    }

    /// The command with a private home and the world's settings in the environment.
    pub fn command(&self) -> assert_cmd::Command {
        let mut cmd = self.bare_command();
        cmd.env("FANSLY_STASH_STASH_URL", self.double.base_url())
            .env("FANSLY_STASH_METADATA_DB", &self.metadata_url)
            .env("FANSLY_STASH_DOWNLOAD_ROOT", &self.downloads);
        cmd
    }

    /// The command with a private home and nothing else configured.
    pub fn bare_command(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("fansly-stash").unwrap();
        cmd.env_clear()
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.config_home())
            .env("XDG_DATA_HOME", self.data_home());
        cmd
    }

    /// `$XDG_CONFIG_HOME` of the command.
    pub fn config_home(&self) -> PathBuf {
        self.home.join(".config")
    }

    /// `$XDG_DATA_HOME` of the command.
    pub fn data_home(&self) -> PathBuf {
        self.home.join(".local/share")
    }

    /// The default configuration file.
    pub fn config_file(&self) -> PathBuf {
        self.config_home().join("fansly-stash/config.toml")
    }

    /// The default sync-state file.
    pub fn state_file(&self) -> PathBuf {
        self.data_home().join("fansly-stash/sync-state.sqlite3")
    }

    /// The default log folder.
    pub fn log_dir(&self) -> PathBuf {
        self.data_home().join("fansly-stash/logs")
    }

    /// Writes the default configuration file.
    pub fn write_config(&self, text: &str) -> PathBuf {
        let p = self.config_file();
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Runs the command off the async runtime (the double keeps serving).
    pub async fn run(&self, mut cmd: assert_cmd::Command) -> Run {
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        Run::from(out)
    }

    /// Every log file's text.
    pub fn logs(&self) -> String {
        let mut text = String::new();
        if let Ok(entries) = std::fs::read_dir(self.log_dir()) {
            for e in entries {
                text.push_str(&std::fs::read_to_string(e.unwrap().path()).unwrap());
            }
        }
        text
    }
}

/// What a run printed and how it exited.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// stdout.
    pub stdout: String,
    /// stderr.
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Asserts the exit code, showing the output when it differs.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// stdout and stderr together.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// The local file names of a creator's media, through the repository port.
pub async fn local_filenames(
    store: &MetadataStore,
    creator: domain::ids::AccountId,
) -> Vec<String> {
    let mut names = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .content_page(creator, cursor.take(), 500)
            .await
            .unwrap();
        for item in &page.items {
            for m in &item.media {
                if let Some(n) = &m.media.local_filename {
                    names.push(n.clone());
                }
            }
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Counts objects of a type in a double dump (`scenes`, `galleries`, ...).
pub fn count(dump: &serde_json::Value, kind: &str) -> usize {
    dump.get(kind)
        .and_then(|v| v.as_array())
        .map_or(0, Vec::len)
}

/// Whether a path exists (for readable assertions).
pub fn exists(p: &Path) -> bool {
    p.exists()
}
