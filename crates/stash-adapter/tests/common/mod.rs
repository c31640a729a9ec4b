//! Test helpers: a Stash double with a temporary library, media files with unique bytes, and a
//! connected adapter.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use domain::ids::{ImageId, SceneId};
use domain::ports::MediaServer;
use stash_adapter::{RetryPolicy, StashClient, StashConfig};
use stash_double::{DoubleConfig, StashDouble};
use tempfile::TempDir;

/// A double serving a temporary library root.
pub struct Lab {
    pub double: StashDouble,
    pub root: TempDir,
}

impl Lab {
    pub async fn start() -> Lab {
        Self::start_with(DoubleConfig::default()).await
    }

    pub async fn start_with(mut config: DoubleConfig) -> Lab {
        let root = tempfile::tempdir().unwrap();
        config.library_roots = vec![root.path().to_path_buf()];
        let double = StashDouble::start(config).await.unwrap();
        Lab { double, root }
    }

    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// A config for this double with fast retries.
    pub fn config(&self) -> StashConfig {
        let mut c = StashConfig::new(self.double.base_url());
        c.retry = RetryPolicy {
            max_retries: 3,
            min_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_total_delay: Duration::from_secs(2),
        };
        c.request_timeout = Duration::from_secs(30);
        c
    }

    pub async fn client(&self) -> StashClient {
        StashClient::connect(self.config()).await.unwrap()
    }

    /// Writes `n` files with unique bytes named `<stem><i>.<ext>` under `dir` (relative to the root).
    pub fn write_files(&self, dir: &str, stem: &str, ext: &str, n: usize) -> Vec<PathBuf> {
        let folder = self.root().join(dir);
        std::fs::create_dir_all(&folder).unwrap();
        (0..n)
            .map(|i| {
                let p = folder.join(format!("{stem}{i:05}.{ext}"));
                std::fs::write(&p, format!("{dir}/{stem}{i} unique content")).unwrap();
                p
            })
            .collect()
    }

    /// Scans the whole library directly in the double.
    pub async fn scan(&self) {
        self.double.scan_now(&[self.root().to_path_buf()]).await;
    }

    /// `<root>/<dir>` as Stash sees it.
    pub fn folder(&self, dir: &str) -> String {
        self.root().join(dir).to_string_lossy().into_owned()
    }
}

/// Every scene and image id under `prefix`, by paging the adapter's listing.
pub async fn owners_under(client: &StashClient, prefix: &str) -> (Vec<SceneId>, Vec<ImageId>) {
    let mut scenes = Vec::new();
    let mut images = Vec::new();
    let mut cursor = None;
    loop {
        let page = client.list_files(prefix, cursor).await.unwrap();
        for f in page.files {
            for o in f.owners {
                match o {
                    domain::stash::FileOwner::Scene { id, .. } => scenes.push(id),
                    domain::stash::FileOwner::Image(id) => images.push(id),
                }
            }
        }
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    scenes.sort();
    scenes.dedup();
    images.sort();
    images.dedup();
    (scenes, images)
}
