//! Repository rules that neither rustfmt nor clippy check, each with a test showing it can fail.
//!
//! - Every Rust source file opens with a `//!` doc comment saying why the module exists.
//! - No file under `../shared/upstream` is copied into the repository (tests read it there).
//! - A crate depends only on the crates of ours the ARCHITECTURE.md table allows ([`deps`]).
//! - No non-test function is longer than 100 lines, but for a short allow-list ([`fn_length`]).
//! - `clippy::too_many_arguments` is never allowed ([`lints`]).
//!
//! `cargo xtask tidy --longest N` also prints the N longest non-test functions.

mod deps;
mod fn_length;
mod lints;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::Result;

/// Runs every check and reports all failures at once. `--longest N` also lists the N longest
/// non-test functions; `--root DIR` checks another checkout (e.g. to measure an old commit).
pub fn run(args: &[String]) -> Result<()> {
    let mut root = repo_root();
    let mut longest = None;
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .ok_or_else(|| format!("tidy: {flag} wants a value"))?;
        match flag.as_str() {
            "--longest" => {
                longest = Some(
                    value
                        .parse::<usize>()
                        .map_err(|_| format!("--longest wants a number, not '{value}'"))?,
                )
            }
            "--root" => root = PathBuf::from(value),
            other => {
                return Err(format!(
                    "tidy takes --longest N and --root DIR, not {other}"
                ));
            }
        }
    }
    let files = rust_files(&root);
    let mut problems = Vec::new();
    let (lengths, unparsed) = fn_length::measure(&root, &files);
    problems.extend(unparsed);
    problems.extend(fn_length::problems(&lengths));
    if let Some(n) = longest {
        println!("xtask: tidy: the {n} longest non-test functions");
        for f in fn_length::longest(&lengths, n) {
            println!("{:>5} lines  {}:{}  {}", f.lines, f.file, f.line, f.name);
        }
    }
    problems.extend(dependency_problems(&root));
    for file in config_files(&root) {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        problems.extend(lints::in_config(&rel(&root, &file), &text));
    }
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        problems.extend(lints::in_source(&rel(&root, file), &text));
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("#!["));
        if !first.is_some_and(|l| l.starts_with("//!")) {
            problems.push(format!(
                "{}: start the file with a `//!` comment saying why this module exists",
                rel(&root, file)
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

/// Dependencies of ours that the ARCHITECTURE.md table does not allow.
fn dependency_problems(root: &Path) -> Vec<String> {
    let architecture = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap_or_default();
    let table = match deps::table(&architecture) {
        Ok(t) => t,
        Err(e) => return vec![e],
    };
    let mut out = Vec::new();
    for manifest in manifests(root) {
        let folder = manifest.parent().map(|p| rel(root, p)).unwrap_or_default();
        let text = std::fs::read_to_string(&manifest).unwrap_or_default();
        out.extend(deps::problems(&folder, &text, &table));
    }
    out
}

/// The manifests of every crate of ours (not the workspace root).
fn manifests(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.extend(["tests", "xtask", "fuzz"].map(|d| root.join(d)));
    dirs.sort();
    dirs.into_iter()
        .map(|d| d.join("Cargo.toml"))
        .filter(|m| m.is_file())
        .collect()
}

/// Where lint levels and clippy thresholds are configured.
fn config_files(root: &Path) -> Vec<PathBuf> {
    let mut out = manifests(root);
    out.push(root.join("Cargo.toml"));
    out.push(root.join("clippy.toml"));
    out.push(root.join(".clippy.toml"));
    out.retain(|p| p.is_file());
    out
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
