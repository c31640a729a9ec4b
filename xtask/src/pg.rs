//! A throwaway PostgreSQL cluster on 127.0.0.1, for the metadata-store suites.
//!
//! The tests read the server's URL from `FANSLY_STASH_TEST_PG_URL`; when it is already set
//! (a developer's own server) it is used as is. Otherwise we `initdb` a fresh cluster in a
//! temporary directory with trust authentication, start it on a free port, and stop and delete
//! it when the guard drops. As root, the PostgreSQL binaries run as the `postgres` user (they
//! refuse to run as root).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

use crate::Result;

/// The variable the test suites read.
pub const URL_VAR: &str = "FANSLY_STASH_TEST_PG_URL";

/// A running cluster (or a URL given by the developer); stopped on drop if we started it.
pub struct Cluster {
    url: String,
    owned: Option<Owned>,
}

struct Owned {
    bin: PathBuf,
    dir: PathBuf,
    as_postgres: bool,
}

impl Cluster {
    /// The cluster the tests use: `$FANSLY_STASH_TEST_PG_URL`, or a new throwaway one.
    pub fn for_tests() -> Result<Cluster> {
        if let Ok(url) = std::env::var(URL_VAR)
            && !url.trim().is_empty()
        {
            return Ok(Cluster { url, owned: None });
        }
        Cluster::start()
    }

    fn start() -> Result<Cluster> {
        let bin = find_bin_dir().ok_or_else(|| {
            "PostgreSQL server binaries (initdb, pg_ctl) were not found.\n  \
             Install them with `apt-get install -y postgresql` (`.ci/run` does this), or point the \
             tests at a server of your own with FANSLY_STASH_TEST_PG_URL=postgres://user:pass@host/db"
                .to_string()
        })?;
        let as_postgres = is_root();
        let dir = std::env::temp_dir().join(format!("fansly-stash-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        if as_postgres {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir))?;
        }
        let data = dir.join("data");
        let port = free_port()?;
        let owned = Owned {
            bin,
            dir: dir.clone(),
            as_postgres,
        };
        run(owned
            .pg_command("initdb")
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data))?;
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=300",
            dir.display()
        );
        run(owned
            .pg_command("pg_ctl")
            .args(["-w", "-t", "60", "-D"])
            .arg(&data)
            .args(["-l"])
            .arg(dir.join("server.log"))
            .args(["-o", &opts, "start"]))?;
        Ok(Cluster {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            owned: Some(owned),
        })
    }

    /// The URL (no password: the cluster trusts local connections).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL with any password hidden, for printing.
    pub fn url_redacted(&self) -> String {
        redact(&self.url)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(owned) = &self.owned {
            let _ = owned
                .pg_command("pg_ctl")
                .args(["-m", "immediate", "-D"])
                .arg(owned.dir.join("data"))
                .arg("stop")
                .output();
            let _ = std::fs::remove_dir_all(&owned.dir);
        }
    }
}

impl Owned {
    fn pg_command(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }
}

/// Starts a cluster and waits until Ctrl-C, printing the URL to export.
pub fn serve_forever() -> Result<()> {
    let cluster = Cluster::start()?;
    println!("export {URL_VAR}={}", cluster.url());
    println!("PostgreSQL is running; press Ctrl-C to stop it.");
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}

fn find_bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    dirs.sort();
    if let Some((_, bin)) = dirs.pop() {
        return Some(bin);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find(|d| d.join("initdb").exists() && d.join("pg_ctl").exists())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn run(cmd: &mut Command) -> Result<()> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{:?} failed ({}):\n{}{}",
            cmd.get_program(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Hides the password of a `scheme://user:password@host` URL.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://u:secret@h:5/db"),
            "postgres://u:***@h:5/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite::memory:"), "sqlite::memory:");
    }
}
