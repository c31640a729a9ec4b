//! The Stash plugin package `cargo xtask dist` writes next to the binary:
//!
//! - `plugin/fansly-stash/`: the repository's `plugin/` folder (the YAML and its README) with
//!   the binary beside the YAML: copy this folder into Stash's plugins folder;
//! - `plugin/fansly-stash.zip`: the same files at the zip's root (Stash unzips a package into
//!   `<plugins>/<id>/`), the binary with mode 0755;
//! - `plugin/index.yml`: a plugin source listing that zip (id, name, version, date, path,
//!   sha256), for Settings > Plugins > Available Plugins > Add Source.
//!
//! What it does not do: publish anything. The folder is served by whoever hosts it.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

use crate::Result;

/// The plugin id (the YAML's base name) and the package's name.
pub const PLUGIN_ID: &str = "fansly-stash";

/// What went into a package.
#[derive(Debug)]
pub struct Package {
    /// The folder to copy into Stash's plugins folder.
    pub folder: PathBuf,
    /// The zip.
    pub zip: PathBuf,
    /// The plugin source index.
    pub index: PathBuf,
    /// The zip's SHA-256, hex.
    pub sha256: String,
}

/// Writes the package into `out` (replacing an older one) from the repository's `plugin/`
/// folder and the binary `exe`, dated `date` (`YYYY-MM-DD hh:mm:ss`, UTC, as Stash reads it).
pub fn write(source: &Path, exe: &Path, version: &str, date: &str, out: &Path) -> Result<Package> {
    let folder = out.join(PLUGIN_ID);
    if folder.exists() {
        std::fs::remove_dir_all(&folder)
            .map_err(|e| format!("cannot remove the old {}: {e}", folder.display()))?;
    }
    std::fs::create_dir_all(&folder)
        .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let mut files: Vec<(String, PathBuf, u32)> = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(source)
        .map_err(|e| format!("cannot list {}: {e}", source.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    for path in entries {
        let name = file_name(&path)?;
        files.push((name, path, 0o644));
    }
    if !files
        .iter()
        .any(|(n, _, _)| *n == format!("{PLUGIN_ID}.yml"))
    {
        return Err(format!(
            "{} has no {PLUGIN_ID}.yml: the plugin folder is incomplete",
            source.display()
        ));
    }
    files.push((file_name(exe)?, exe.to_path_buf(), 0o755));
    for (name, path, mode) in &files {
        let to = folder.join(name);
        std::fs::copy(path, &to)
            .map_err(|e| format!("cannot copy {} to {}: {e}", path.display(), to.display()))?;
        set_mode(&to, *mode)?;
    }
    let zip = out.join(format!("{PLUGIN_ID}.zip"));
    write_zip(&zip, &files)?;
    let bytes = std::fs::read(&zip).map_err(|e| format!("cannot read {}: {e}", zip.display()))?;
    let sha256 = hex(&Sha256::digest(&bytes));
    let index = out.join("index.yml");
    let zip_name = file_name(&zip)?;
    std::fs::write(&index, index_yml(version, date, &zip_name, &sha256))
        .map_err(|e| format!("cannot write {}: {e}", index.display()))?;
    Ok(Package {
        folder,
        zip,
        index,
        sha256,
    })
}

fn file_name(p: &Path) -> Result<String> {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| format!("{} has no file name", p.display()))
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| format!("cannot set the mode of {}: {e}", path.display()))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> Result<()> {
    Ok(())
}

fn write_zip(to: &Path, files: &[(String, PathBuf, u32)]) -> Result<()> {
    let file =
        std::fs::File::create(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    for (name, path, mode) in files {
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(*mode);
        zip.start_file(name.as_str(), options)
            .map_err(|e| format!("cannot add {name} to {}: {e}", to.display()))?;
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        zip.write_all(&bytes)
            .map_err(|e| format!("cannot write {name} into {}: {e}", to.display()))?;
    }
    zip.finish()
        .map_err(|e| format!("cannot finish {}: {e}", to.display()))?;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The plugin source index: a YAML list with one package, as Stash's package manager reads
/// it (`id`, `name`, `metadata`, `version`, `date`, `path` relative to the index, `sha256`).
pub fn index_yml(version: &str, date: &str, zip_name: &str, sha256: &str) -> String {
    format!(
        "# A Stash plugin source: Settings > Plugins > Available Plugins > Add Source, with the\n\
         # URL of this file (or of the folder it is in). Written by `cargo xtask dist`.\n\
         - id: {PLUGIN_ID}\n  \
           name: {PLUGIN_ID}\n  \
           metadata:\n    \
             description: Label your library with the creator metadata fansly-scraper archived.\n  \
           version: \"{version}\"\n  \
           date: \"{date}\"\n  \
           path: {zip_name}\n  \
           sha256: {sha256}\n"
    )
}

/// `YYYY-MM-DD hh:mm:ss` (UTC) for seconds since the Unix epoch.
pub fn utc(epoch: u64) -> String {
    let days = (epoch / 86_400) as i64;
    let secs = epoch % 86_400;
    // Days to civil date (proleptic Gregorian), after Howard Hinnant's public-domain method.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        secs / 3_600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::Read as _;

    #[test]
    fn dates_are_utc_civil_time() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(utc(1_796_191_123), "2026-12-02 05:58:43");
    }

    #[test]
    fn the_package_holds_the_plugin_and_the_index_its_checksum() {
        let dir = std::env::temp_dir().join(format!("xtask-package-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let source = dir.join("plugin");
        std::fs::create_dir_all(&source).unwrap();
        std::fs::write(source.join("fansly-stash.yml"), "name: fansly-stash\n").unwrap();
        std::fs::write(source.join("README.md"), "# readme\n").unwrap();
        let exe = dir.join("fansly-stash");
        std::fs::write(&exe, b"\x7fELF pretend binary").unwrap();
        let out = dir.join("out");

        let p = write(&source, &exe, "0.1.0", "2026-12-02 05:58:43", &out).unwrap();
        for name in ["fansly-stash.yml", "README.md", "fansly-stash"] {
            assert!(p.folder.join(name).is_file(), "{name}");
        }
        let bytes = std::fs::read(&p.zip).unwrap();
        assert_eq!(p.sha256, hex(&Sha256::digest(&bytes)));
        let index = std::fs::read_to_string(&p.index).unwrap();
        assert!(
            index.contains(&format!("  sha256: {}\n", p.sha256)),
            "{index}"
        );
        assert!(index.contains("- id: fansly-stash\n"), "{index}");
        assert!(index.contains("  path: fansly-stash.zip\n"), "{index}");
        assert!(
            index.contains("  date: \"2026-12-02 05:58:43\"\n"),
            "{index}"
        );

        let mut zip = zip::ZipArchive::new(std::fs::File::open(&p.zip).unwrap()).unwrap();
        let mut names: Vec<String> = zip.file_names().map(str::to_owned).collect();
        names.sort();
        assert_eq!(names, ["README.md", "fansly-stash", "fansly-stash.yml"]);
        let mut bin = zip.by_name("fansly-stash").unwrap();
        assert_eq!(bin.unix_mode().map(|m| m & 0o777), Some(0o755));
        let mut content = Vec::new();
        bin.read_to_end(&mut content).unwrap();
        assert_eq!(content, b"\x7fELF pretend binary");
        drop(bin);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
