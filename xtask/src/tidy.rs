//! Repository style checks that neither rustfmt nor clippy make.
//!
//! - Every Rust source file opens with a `//!` doc comment saying why the module exists.
//! - No file under `../shared/upstream` is copied into the repository (tests read it there).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::Result;

/// Runs every check and reports all failures at once.
pub fn run() -> Result<()> {
    let root = repo_root();
    let mut problems = Vec::new();
    for file in rust_files(&root) {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("#!["));
        if !first.is_some_and(|l| l.starts_with("//!")) {
            problems.push(format!(
                "{}: start the file with a `//!` comment saying why this module exists",
                rel(&root, &file)
            ));
        }
    }
    problems.extend(copied_upstream_files(&root));
    if problems.is_empty() {
        println!("xtask: tidy: ok");
        Ok(())
    } else {
        Err(format!(
            "tidy found {} problem(s):\n  {}",
            problems.len(),
            problems.join("\n  ")
        ))
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

fn rust_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for top in ["crates", "tests", "xtask", "fuzz"] {
        walk(&root.join(top), &mut |p| {
            if p.extension().is_some_and(|e| e == "rs") {
                out.push(p.to_path_buf());
            }
        });
    }
    out.sort();
    out
}

fn walk(dir: &Path, f: &mut dyn FnMut(&Path)) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name();
        if name == "target" || name.to_string_lossy().starts_with('.') {
            continue;
        }
        if p.is_dir() {
            walk(&p, f);
        } else {
            f(&p);
        }
    }
}

/// Files whose bytes equal a file in `../shared/upstream`.
fn copied_upstream_files(root: &Path) -> Vec<String> {
    let upstream = root.join("..").join("shared").join("upstream");
    let mut theirs: HashSet<Vec<u8>> = HashSet::new();
    walk(&upstream, &mut |p| {
        if let Ok(bytes) = std::fs::read(p)
            && bytes.len() > 200
        {
            theirs.insert(bytes);
        }
    });
    if theirs.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for top in ["crates", "tests", "xtask", "docs", "fixtures"] {
        walk(&root.join(top), &mut |p| {
            if let Ok(bytes) = std::fs::read(p)
                && theirs.contains(&bytes)
            {
                out.push(format!(
                    "{}: a copy of a file in ../shared/upstream; read it from there in tests instead",
                    rel(root, p)
                ));
            }
        });
    }
    out
}
