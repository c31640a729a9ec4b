//! What the caller (the CLI) can choose about a sync run: names, paths, batch sizes, dry run,
//! force and scanning. Defaults follow fansly-scraper where it has one.

use domain::stash::ScanGenerate;

/// The default name of the parent studio every creator studio hangs under.
pub const DEFAULT_NETWORK_STUDIO: &str = "Fansly (network)";

/// The default suffix fansly-scraper appends to a creator's folder (`use_folder_suffix`).
pub const DEFAULT_FOLDER_SUFFIX: &str = "_fansly";

/// Where the downloads live locally and where Stash sees the same files.
///
/// fansly-scraper stores only basenames, so the mapping is used to compute the Stash-side
/// folder of a creator (`stash_root/<username><suffix>`), which scopes the file listing, the
/// scan, and the "all files under the creator's root" ownership rule for images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathMapping {
    /// The download directory as this machine sees it.
    pub local_root: String,
    /// The same directory as Stash sees it (equal to `local_root` when Stash runs here).
    pub stash_root: String,
}

impl PathMapping {
    /// A mapping where Stash sees the files at the same path as we do.
    pub fn identity(root: impl Into<String>) -> Self {
        let root = root.into();
        Self {
            local_root: root.clone(),
            stash_root: root,
        }
    }

    /// The Stash-side folder of a creator: `stash_root/<username><suffix>`.
    pub fn creator_root(&self, username: &str, folder_suffix: &str) -> String {
        format!(
            "{}/{}{}",
            self.stash_root.trim_end_matches('/'),
            username,
            folder_suffix
        )
    }

    /// The same folder on this machine: `local_root/<username><suffix>`.
    pub fn local_creator_root(&self, username: &str, folder_suffix: &str) -> String {
        format!(
            "{}/{}{}",
            self.local_root.trim_end_matches('/'),
            username,
            folder_suffix
        )
    }
}

/// Whether and how to ask Stash to scan a creator's folder before syncing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOptions {
    /// Re-scan files Stash already knows.
    pub rescan: bool,
    /// What the scan should generate (all false = a fast scan).
    pub generate: ScanGenerate,
    /// How long to wait for the scan job, and then (within what is left of it, at most 5 s)
    /// for the newly downloaded files to show in Stash.
    pub deadline: std::time::Duration,
}

/// Everything a sync run can be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOptions {
    /// The parent studio's name (created when missing; upstream fails instead).
    pub network_studio: String,
    /// Local download root to Stash-side root.
    pub path_mapping: PathMapping,
    /// The suffix of a creator's folder (`_fansly` by default; empty when fansly-scraper ran
    /// with `use_folder_suffix = false`).
    pub folder_suffix: String,
    /// Items per batch: a metadata page, and the unit of reads, writes and state saves.
    pub batch_size: usize,
    /// How many Stash reads may be in flight at once (writes are always one at a time).
    pub read_concurrency: usize,
    /// Plan and report, write nothing (not to Stash, not to the sync state).
    pub dry_run: bool,
    /// Also write objects the user marked organized, and rewrite fields whose fingerprint
    /// did not change.
    pub force: bool,
    /// Scan each creator's folder first.
    pub scan: Option<ScanOptions>,
    /// Tag preview media with `Trailer` (the tag is created when missing).
    pub tag_previews_trailer: bool,
    /// After each batch, write the Stash ids back to the metadata database's `stash_id`
    /// columns (accounts, media, posts, messages); the repository must allow it.
    pub write_back_stash_ids: bool,
    /// Create galleries marked organized (fansly-scraper's behaviour): later runs then leave
    /// them alone unless forced.
    pub galleries_organized: bool,
}

impl SyncOptions {
    /// Defaults for a download root Stash sees at the same path.
    pub fn new(path_mapping: PathMapping) -> Self {
        Self {
            network_studio: DEFAULT_NETWORK_STUDIO.to_owned(),
            path_mapping,
            folder_suffix: DEFAULT_FOLDER_SUFFIX.to_owned(),
            batch_size: 250,
            read_concurrency: 4,
            dry_run: false,
            force: false,
            scan: None,
            tag_previews_trailer: true,
            write_back_stash_ids: false,
            galleries_organized: false,
        }
    }

    /// The Stash-side folder of a creator.
    pub fn creator_root(&self, username: &str) -> String {
        self.path_mapping
            .creator_root(username, &self.folder_suffix)
    }

    /// The creator's folder on this machine.
    pub fn local_creator_root(&self, username: &str) -> String {
        self.path_mapping
            .local_creator_root(username, &self.folder_suffix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creator_folders_are_under_the_stash_root() {
        let m = PathMapping {
            local_root: "/home/me/fansly/".into(),
            stash_root: "/data/fansly".into(),
        };
        assert_eq!(
            m.creator_root("alice", "_fansly"),
            "/data/fansly/alice_fansly"
        );
        assert_eq!(m.creator_root("alice", ""), "/data/fansly/alice");
        assert_eq!(
            m.local_creator_root("alice", "_fansly"),
            "/home/me/fansly/alice_fansly"
        );
    }

    #[test]
    fn defaults_follow_upstream() {
        let o = SyncOptions::new(PathMapping::identity("/dl"));
        assert_eq!(o.network_studio, "Fansly (network)");
        assert_eq!(o.creator_root("bob"), "/dl/bob_fansly");
        assert!(!o.dry_run && !o.force && o.scan.is_none());
        assert!(!o.write_back_stash_ids && !o.galleries_organized);
    }
}
