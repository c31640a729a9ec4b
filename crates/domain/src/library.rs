//! Stash's library paths (Settings > Library) and whether a Stash-side folder lies inside one.
//!
//! Stash scans only inside its library paths: a scan path outside all of them is skipped with
//! nothing but a log line on the server. Knowing the libraries lets sync refuse such a scan
//! with a clear error, and lets `check` say whether `stash_root` is visible to Stash at all.
//!
//! Paths are compared by whole components, as Stash does (`/data/fan` is not inside
//! `/data/fans`); repeated and trailing separators and `.` components are ignored. Both `/`
//! and `\` separate components; paths that look like Windows paths (a drive letter or a
//! backslash) are compared case-insensitively, as the Windows file system does.

/// One library path of a Stash server (`configuration.general.stashes[]`), as Stash sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LibraryPath {
    /// The folder, as Stash sees it.
    pub path: String,
    /// Stash does not turn videos found here into scenes.
    pub exclude_video: bool,
    /// Stash does not turn images found here into images.
    pub exclude_image: bool,
}

impl LibraryPath {
    /// A library path that includes videos and images.
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            exclude_video: false,
            exclude_image: false,
        }
    }

    /// Whether the Stash-side `folder` is this library's folder or lies anywhere below it.
    pub fn contains(&self, folder: &str) -> bool {
        is_inside(folder, &self.path)
    }

    /// What this library leaves out, for messages: `None` when it takes videos and images,
    /// else `"videos"`, `"images"` or `"videos and images"`.
    pub fn excluded_media(&self) -> Option<&'static str> {
        match (self.exclude_video, self.exclude_image) {
            (false, false) => None,
            (true, false) => Some("videos"),
            (false, true) => Some("images"),
            (true, true) => Some("videos and images"),
        }
    }
}

/// The first library (in Stash's order, which is the one Stash itself picks) that contains the
/// Stash-side `folder`; `None` when the folder is outside every library, so a scan of it
/// would do nothing.
pub fn library_containing<'a>(
    libraries: &'a [LibraryPath],
    folder: &str,
) -> Option<&'a LibraryPath> {
    libraries.iter().find(|l| l.contains(folder))
}

/// The library folders as one readable list (`/data/a, /data/b`), or `none` when Stash has
/// no library configured.
pub fn describe_libraries(libraries: &[LibraryPath]) -> String {
    if libraries.is_empty() {
        "none".to_owned()
    } else {
        libraries
            .iter()
            .map(|l| l.path.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Whether `path` is `dir` or lies below it, comparing whole components.
pub fn is_inside(path: &str, dir: &str) -> bool {
    if dir.trim().is_empty() {
        return false;
    }
    let fold_case = looks_like_windows(path) || looks_like_windows(dir);
    let path = components(path);
    let dir = components(dir);
    dir.len() <= path.len()
        && dir.iter().zip(&path).all(|(d, p)| {
            if fold_case {
                d.to_lowercase() == p.to_lowercase()
            } else {
                d == p
            }
        })
}

/// The components of a path; an absolute path starts with a `/` marker so that `/a` and `a`
/// differ.
fn components(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    if path.starts_with(['/', '\\']) {
        out.push("/");
    }
    out.extend(
        path.split(['/', '\\'])
            .filter(|c| !c.is_empty() && *c != "."),
    );
    out
}

fn looks_like_windows(path: &str) -> bool {
    let b = path.as_bytes();
    path.contains('\\') || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn inside_compares_whole_components() {
        let table = [
            ("/data/fans", "/data/fans", true),
            ("/data/fans/alice_fansly", "/data/fans", true),
            ("/data/fans/alice_fansly", "/data/fans/", true),
            ("/data/fans/", "/data/fans", true),
            ("/data//fans/./alice", "/data/fans", true),
            ("/data/fan", "/data/fans", false),
            ("/data/fans", "/data/fan", false),
            ("/data/fansly/alice", "/data/fans", false),
            ("/data", "/data/fans", false),
            ("/anything/at/all", "/", true),
            ("data/fans", "/data", false),
            ("/data/Fans", "/data/fans", false),
            ("D:\\Media\\fansly\\alice_fansly", "d:\\media", true),
            ("D:\\Media\\fansly/alice_fansly", "D:\\Media\\fansly", true),
            ("D:\\Media2", "D:\\Media", false),
            ("/data/fans", "", false),
        ];
        for (path, dir, inside) in table {
            assert_eq!(is_inside(path, dir), inside, "{path} inside {dir}");
        }
    }

    #[test]
    fn the_first_containing_library_wins_and_excludes_are_described() {
        let libs = vec![
            LibraryPath::new("/media/other"),
            LibraryPath {
                exclude_image: true,
                ..LibraryPath::new("/media/fansly")
            },
            LibraryPath::new("/media"),
        ];
        let hit = library_containing(&libs, "/media/fansly/alice_fansly");
        assert_eq!(hit.map(|l| l.path.as_str()), Some("/media/fansly"));
        assert_eq!(hit.and_then(LibraryPath::excluded_media), Some("images"));
        assert_eq!(
            library_containing(&libs, "/media/x").map(|l| l.path.as_str()),
            Some("/media")
        );
        assert_eq!(library_containing(&libs, "/srv/fansly"), None);
        assert_eq!(library_containing(&[], "/srv"), None);
        assert_eq!(
            describe_libraries(&libs),
            "/media/other, /media/fansly, /media"
        );
        assert_eq!(describe_libraries(&[]), "none");
        let both = LibraryPath {
            exclude_video: true,
            exclude_image: true,
            ..LibraryPath::new("/x")
        };
        assert_eq!(both.excluded_media(), Some("videos and images"));
        assert_eq!(LibraryPath::new("/x").excluded_media(), None);
    }

    fn segment() -> impl Strategy<Value = String> {
        "[a-z]{1,6}"
    }

    proptest! {
        #[test]
        fn a_folder_is_inside_its_ancestors_and_trailing_slashes_do_not_matter(
            base in prop::collection::vec(segment(), 0..4),
            rest in prop::collection::vec(segment(), 0..4),
            slash in any::<bool>(),
        ) {
            let dir = format!("/{}", base.join("/"));
            let mut path = dir.clone();
            for r in &rest {
                path = format!("{}/{r}", path.trim_end_matches('/'));
            }
            let dir_slashed = if slash { format!("{dir}/") } else { dir.clone() };
            let path_slashed = format!("{path}/");
            prop_assert!(is_inside(&path, &dir_slashed));
            prop_assert!(is_inside(&path_slashed, &dir));
        }

        #[test]
        fn a_sibling_sharing_a_name_prefix_is_never_inside(
            base in prop::collection::vec(segment(), 1..4),
            extra in segment(),
            rest in prop::collection::vec(segment(), 0..3),
        ) {
            let dir = format!("/{}", base.join("/"));
            let sibling = format!("{dir}{extra}");
            let path = std::iter::once(sibling.clone()).chain(rest).collect::<Vec<_>>().join("/");
            prop_assert!(!is_inside(&path, &dir));
            // And the library is never inside a folder below it.
            let below = format!("{dir}/{extra}");
            prop_assert!(!is_inside(&dir, &below));
        }
    }
}
