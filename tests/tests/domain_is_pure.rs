//! The domain crate must stay free of I/O: no async runtime, database or HTTP crate may appear
//! in its dependency tree (normal and build dependencies, all features).

use std::process::Command;

#[test]
fn domain_dependency_tree_has_no_io_crates() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "tree",
            "-p",
            "fansly-stash-domain",
            "--all-features",
            "-e",
            "normal,build",
            "--prefix",
            "none",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(
        tree.contains("fansly-stash-domain"),
        "unexpected tree:\n{tree}"
    );
    let forbidden = [
        "tokio", "sea-orm", "sqlx", "reqwest", "cynic", "hyper", "rusqlite", "axum", "mio",
    ];
    for line in tree.lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        assert!(
            !forbidden.contains(&name),
            "the domain crate depends on the I/O crate `{name}`:\n{tree}"
        );
    }
}
