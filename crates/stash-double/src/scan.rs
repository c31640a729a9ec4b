//! `metadataScan`: walks real directories under the library roots and turns video and
//! image files into scenes and images, merging byte-identical files into one object and
//! treating a vanished file's content at a new path as a move.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use md5::{Digest, Md5};
use tracing::{debug, warn};

use crate::model::{
    Common, File, FileKind, Folder, Gallery, Id, Image, Owner, Scene, Sequences, State, now,
};

/// Stash's default video extensions.
pub const VIDEO_EXTENSIONS: &[&str] = &[
    "m4v", "mp4", "mov", "wmv", "avi", "mpg", "mpeg", "rmvb", "rm", "flv", "asf", "mkv", "webm",
    "f4v",
];
/// Stash's default image extensions.
pub const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "avif"];

/// What a scan did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanSummary {
    /// Media files found (known extension, non-empty).
    pub files_seen: usize,
    /// New file records.
    pub files_added: usize,
    /// Known files whose content vanished from its old path and appeared at a new one.
    pub files_moved: usize,
    /// Known files left as they were.
    pub files_unchanged: usize,
    /// Known files whose size or modification time changed (fingerprints recomputed).
    pub files_updated: usize,
    /// Scenes created.
    pub scenes_created: usize,
    /// Images created.
    pub images_created: usize,
    /// Folder galleries created (`.forcegallery`).
    pub galleries_created: usize,
    /// Files skipped: empty or an unknown extension.
    pub files_skipped: usize,
    /// Scan paths skipped because they are outside every library root.
    pub paths_outside_library: usize,
}

impl ScanSummary {
    /// Objects the scan created or changed.
    pub fn written_objects(&self) -> usize {
        self.scenes_created
            + self.images_created
            + self.galleries_created
            + self.files_moved
            + self.files_updated
    }
}

/// A media file found on disk.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    root: PathBuf,
    path: PathBuf,
    kind: FileKind,
    size: u64,
    mod_time: String,
    md5: String,
    oshash: String,
    force_gallery: bool,
}

fn kind_of(path: &Path) -> Option<FileKind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    if VIDEO_EXTENSIONS.contains(&ext.as_str()) {
        Some(FileKind::Video)
    } else if IMAGE_EXTENSIONS.contains(&ext.as_str()) {
        Some(FileKind::Image)
    } else {
        None
    }
}

/// OpenSubtitles hash: size plus the 64-bit little-endian word sums of the first and last
/// 64 KiB (what Stash fingerprints videos with).
fn oshash(bytes: &[u8]) -> String {
    const CHUNK: usize = 64 * 1024;
    let sum = |chunk: &[u8]| {
        chunk.chunks(8).fold(0u64, |acc, w| {
            let mut buf = [0u8; 8];
            buf[..w.len()].copy_from_slice(w);
            acc.wrapping_add(u64::from_le_bytes(buf))
        })
    };
    let head = &bytes[..bytes.len().min(CHUNK)];
    let tail = &bytes[bytes.len().saturating_sub(CHUNK)..];
    let hash = (bytes.len() as u64)
        .wrapping_add(sum(head))
        .wrapping_add(sum(tail));
    format!("{hash:016x}")
}

fn fingerprint(path: &Path) -> std::io::Result<(String, String)> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.read_to_end(&mut bytes)?;
    let md5 = Md5::digest(&bytes);
    let md5: String = md5.iter().map(|b| format!("{b:02x}")).collect();
    Ok((md5, oshash(&bytes)))
}

fn mod_time(meta: &std::fs::Metadata) -> String {
    meta.modified()
        .map(|t| {
            chrono::DateTime::<chrono::Utc>::from(t)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        })
        .unwrap_or_else(|_| now())
}

/// Walks the scan paths (blocking I/O; run it off the async runtime).
pub(crate) fn collect(roots: &[PathBuf], paths: &[PathBuf]) -> (Vec<Found>, ScanSummary) {
    let mut summary = ScanSummary::default();
    let mut targets: Vec<(PathBuf, PathBuf)> = Vec::new();
    if paths.is_empty() {
        targets.extend(roots.iter().map(|r| (r.clone(), r.clone())));
    } else {
        for p in paths {
            match roots.iter().find(|r| p.starts_with(r)) {
                Some(root) => targets.push((root.clone(), p.clone())),
                None => {
                    warn!(path = %p.display(), "{} is not in the configured stash paths", p.display());
                    summary.paths_outside_library += 1;
                }
            }
        }
    }
    let mut found = Vec::new();
    let mut seen = BTreeSet::new();
    for (root, target) in targets {
        for entry in walkdir::WalkDir::new(&target)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
        {
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path().to_path_buf();
            if !seen.insert(path.clone()) {
                continue;
            }
            let Some(kind) = kind_of(&path) else {
                if !path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                {
                    summary.files_skipped += 1;
                }
                continue;
            };
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            if meta.len() == 0 {
                summary.files_skipped += 1;
                continue;
            }
            let Ok((md5, oshash)) = fingerprint(&path) else {
                warn!(path = %path.display(), "could not read file; skipped");
                continue;
            };
            let force_gallery = kind == FileKind::Image
                && path
                    .parent()
                    .is_some_and(|d| d.join(".forcegallery").exists());
            summary.files_seen += 1;
            found.push(Found {
                root: root.clone(),
                path,
                kind,
                size: meta.len(),
                mod_time: mod_time(&meta),
                md5,
                oshash,
                force_gallery,
            });
        }
    }
    (found, summary)
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The folder record for `dir`, creating the chain of folders from the library root.
fn ensure_folder(st: &mut State, root: &Path, dir: &Path) -> Id {
    if let Some(id) = st.folder_by_path.get(&path_str(dir)) {
        return *id;
    }
    let parent = if dir == root || !dir.starts_with(root) {
        None
    } else {
        dir.parent().map(|p| ensure_folder(st, root, p))
    };
    let id = Sequences::next(&mut st.seq.folder);
    let t = now();
    let mod_time = std::fs::metadata(dir)
        .map(|m| mod_time(&m))
        .unwrap_or_else(|_| t.clone());
    st.folders.insert(
        id,
        Folder {
            id,
            path: path_str(dir),
            parent_id: parent,
            mod_time,
            created_at: t.clone(),
            updated_at: t,
        },
    );
    st.folder_by_path.insert(path_str(dir), id);
    id
}

fn folder_gallery(st: &mut State, folder_id: Id, summary: &mut ScanSummary) -> Id {
    if let Some(g) = st
        .galleries
        .values()
        .find(|g| g.folder_id == Some(folder_id))
    {
        return g.id;
    }
    let id = Sequences::next(&mut st.seq.gallery);
    let t = now();
    st.galleries.insert(
        id,
        Gallery {
            id,
            c: Common {
                created_at: t.clone(),
                updated_at: t,
                ..Common::default()
            },
            folder_id: Some(folder_id),
            file_ids: Vec::new(),
        },
    );
    summary.galleries_created += 1;
    id
}

/// Applies found files to the state.
/// A file just added to the state: its id, its folder, when (a new scene or image shares it).
struct Added {
    file_id: Id,
    folder_id: Id,
    at: String,
}

/// Gives a newly added file its owner: the scene or image of a file with the same content,
/// else a new scene (videos) or image (images, in a folder gallery when the folder is one).
fn attach_new_file(
    st: &mut State,
    f: &Found,
    added: Added,
    owner: Option<Owner>,
    summary: &mut ScanSummary,
) -> Owner {
    let Added {
        file_id,
        folder_id,
        at: t,
    } = added;
    match owner {
        Some(Owner::Scene(s)) => {
            if let Some(scene) = st.scenes.get_mut(&s) {
                scene.file_ids.push(file_id);
            }
            Owner::Scene(s)
        }
        Some(Owner::Image(i)) => {
            if let Some(image) = st.images.get_mut(&i) {
                image.file_ids.push(file_id);
            }
            Owner::Image(i)
        }
        None => match f.kind {
            FileKind::Video => {
                let id = Sequences::next(&mut st.seq.scene);
                let c = Common {
                    created_at: t.clone(),
                    updated_at: t.clone(),
                    ..Common::default()
                };
                st.scenes.insert(
                    id,
                    Scene {
                        id,
                        c,
                        gallery_ids: BTreeSet::new(),
                        file_ids: vec![file_id],
                    },
                );
                summary.scenes_created += 1;
                Owner::Scene(id)
            }
            FileKind::Image | FileKind::Gallery => {
                let id = Sequences::next(&mut st.seq.image);
                let c = Common {
                    created_at: t.clone(),
                    updated_at: t.clone(),
                    ..Common::default()
                };
                st.images.insert(
                    id,
                    Image {
                        id,
                        c,
                        gallery_ids: BTreeSet::new(),
                        file_ids: vec![file_id],
                    },
                );
                summary.images_created += 1;
                if f.force_gallery {
                    let g = folder_gallery(st, folder_id, summary);
                    st.set_image_galleries(id, BTreeSet::from([g]));
                }
                Owner::Image(id)
            }
        },
    }
}

pub(crate) fn apply(st: &mut State, found: Vec<Found>, mut summary: ScanSummary) -> ScanSummary {
    for f in found {
        let full = path_str(&f.path);
        if let Some(existing) = st.file_by_path.get(&full).copied() {
            if let Some(file) = st.files.get_mut(&existing) {
                if file.size == f.size && file.mod_time == f.mod_time {
                    summary.files_unchanged += 1;
                } else {
                    file.size = f.size;
                    file.mod_time = f.mod_time.clone();
                    let old_md5 = std::mem::replace(&mut file.md5, f.md5.clone());
                    if let Some(ids) = st.files_by_md5.get_mut(&old_md5) {
                        ids.retain(|id| *id != existing);
                    }
                    st.files_by_md5
                        .entry(f.md5.clone())
                        .or_default()
                        .push(existing);
                    file.oshash = f.oshash.clone();
                    file.updated_at = now();
                    summary.files_updated += 1;
                }
            }
            continue;
        }
        let dir = f
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| f.root.clone());
        let folder_id = ensure_folder(st, &f.root, &dir);
        let basename = f
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Same content already known?
        let same_content: Vec<Id> = st
            .files_by_md5
            .get(&f.md5)
            .into_iter()
            .flatten()
            .filter(|id| st.files.get(id).is_some_and(|x| x.kind == f.kind))
            .copied()
            .collect();
        if let Some(moved) = same_content.iter().copied().find(|id| {
            st.files
                .get(id)
                .is_some_and(|x| !Path::new(&st.file_path(x)).exists())
        }) {
            if let Some(old) = st.files.get(&moved).map(|x| st.file_path(x)) {
                st.file_by_path.remove(&old);
            }
            if let Some(file) = st.files.get_mut(&moved) {
                file.folder_id = folder_id;
                file.basename = basename;
                file.mod_time = f.mod_time.clone();
                file.updated_at = now();
            }
            st.file_by_path.insert(full, moved);
            summary.files_moved += 1;
            continue;
        }
        let owner = same_content
            .first()
            .and_then(|id| st.file_owner.get(id).copied());
        let file_id = Sequences::next(&mut st.seq.file);
        let t = now();
        st.files.insert(
            file_id,
            File {
                id: file_id,
                kind: f.kind,
                folder_id,
                basename,
                size: f.size,
                mod_time: f.mod_time.clone(),
                md5: f.md5.clone(),
                oshash: f.oshash.clone(),
                created_at: t.clone(),
                updated_at: t.clone(),
            },
        );
        st.file_by_path.insert(full, file_id);
        st.files_by_md5
            .entry(f.md5.clone())
            .or_default()
            .push(file_id);
        summary.files_added += 1;
        let added = Added {
            file_id,
            folder_id,
            at: t,
        };
        let owner = attach_new_file(st, &f, added, owner, &mut summary);
        st.file_owner.insert(file_id, owner);
    }
    debug!(?summary, "scan applied");
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oshash_depends_on_size_and_content() {
        assert_ne!(oshash(b"abc"), oshash(b"abd"));
        assert_ne!(oshash(b"abc"), oshash(b"abc\0"));
        assert_eq!(oshash(b"abc").len(), 16);
    }

    #[test]
    fn extensions_are_case_insensitive() {
        assert_eq!(kind_of(Path::new("a/B.MP4")), Some(FileKind::Video));
        assert_eq!(kind_of(Path::new("a/b.JpEg")), Some(FileKind::Image));
        assert_eq!(kind_of(Path::new("a/b.txt")), None);
        assert_eq!(kind_of(Path::new("a/b.zip")), None);
    }
}
