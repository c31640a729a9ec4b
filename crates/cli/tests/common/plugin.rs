//! Driving `fansly-stash plugin` as Stash does: the JSON input on stdin, the plugin settings
//! stored in the double with `configurePlugin`, stderr parsed line by line in Stash's
//! SOH/level/STX encoding, stdout parsed as one JSON object.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use fansly_stash_tests::library::{Library, LibraryShape};
use fansly_stash_tests::world::{StashWorld, start_stash};
use serde_json::{Value, json};
use stash_double::{DoubleConfig, StashDouble};
use tempfile::TempDir;

/// The setup most plugin tests share: a generated library, the double scanned on it, and
/// Stash's plugin settings naming the library's database and download folder.
pub struct PluginSetup {
    /// Holds the library and Stash's config folder.
    pub dir: TempDir,
    /// The generated library.
    pub lib: Library,
    /// The double, scanned.
    pub world: StashWorld,
    /// Stash as the plugin sees it, configured.
    pub stash: Stash,
}

impl PluginSetup {
    /// A library of `shape`, its double and the plugin settings.
    pub async fn new(shape: &LibraryShape) -> PluginSetup {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::generate(shape, &dir.path().join("lib"), None)
            .await
            .unwrap();
        let world = start_stash(&lib, DoubleConfig::default()).await.unwrap();
        let stash = Stash::new(&world.double, dir.path().join("stash-config"));
        stash
            .configure(json!({"metadata_db": lib.db_url, "download_root": lib.root_str()}))
            .await;
        PluginSetup {
            dir,
            lib,
            world,
            stash,
        }
    }
}

/// A Stash as the plugin sees it: the double, Stash's config folder, the API key to store
/// settings with (when Stash has a login).
pub struct Stash {
    /// The double's base URL.
    pub url: String,
    /// Its port.
    pub port: u16,
    /// Stash's config folder (`Dir` in the input).
    pub dir: PathBuf,
    api_key: Option<String>,
}

impl Stash {
    /// For `double`, with Stash's config folder `dir` (created).
    pub fn new(double: &StashDouble, dir: PathBuf) -> Stash {
        std::fs::create_dir_all(dir.join("plugins/fansly-stash")).unwrap();
        Stash {
            url: double.base_url(),
            port: double.addr().port(),
            dir,
            api_key: None,
        }
    }

    /// Stores settings with this API key (Stash has a login).
    pub fn with_api_key(mut self, key: &str) -> Stash {
        self.api_key = Some(key.to_owned());
        self
    }

    /// `configurePlugin(plugin_id: "fansly-stash", input: settings)`, as Stash's UI does.
    pub async fn configure(&self, settings: Value) {
        let mut req = reqwest::Client::new()
            .post(format!("{}/graphql", self.url))
            .json(&json!({
                "query": "mutation($i: Map!) { configurePlugin(plugin_id: \"fansly-stash\", input: $i) }",
                "variables": {"i": settings},
            }));
        if let Some(k) = &self.api_key {
            req = req.header("ApiKey", k);
        }
        let reply: Value = req.send().await.unwrap().json().await.unwrap();
        assert!(reply.get("errors").is_none(), "{reply}");
    }

    /// Where the plugin keeps its sync state.
    pub fn state_file(&self) -> PathBuf {
        self.dir.join("fansly-stash/sync-state.sqlite3")
    }
}

/// The input Stash writes for a task with `mode` (the recorded v0.30.1 shape).
pub fn input(stash: &Stash, host: &str, cookie: Option<&str>, mode: &str) -> String {
    let cookie = cookie.map(|value| {
        json!({
            "Name": "session", "Value": value, "Quoted": false, "Path": "", "Domain": "",
            "Expires": "0001-01-01T00:00:00Z", "RawExpires": "", "MaxAge": 0, "Secure": false,
            "HttpOnly": false, "SameSite": 0, "Partitioned": false, "Raw": "", "Unparsed": null
        })
    });
    json!({
        "server_connection": {
            "Scheme": "http",
            "Host": host,
            "Port": stash.port,
            "SessionCookie": cookie,
            "Dir": stash.dir,
            "PluginDir": stash.dir.join("plugins/fansly-stash"),
        },
        "args": {"mode": mode},
    })
    .to_string()
}

/// The plugin process as Stash starts it (environment cleared: Stash's own is not ours to
/// rely on; a private HOME).
pub fn plugin_command(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fansly-stash"));
    cmd.arg("plugin")
        .env_clear()
        .env("HOME", home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// What one plugin run gave back.
#[derive(Debug)]
pub struct PluginRun {
    /// Exit code.
    pub code: i32,
    /// Every stderr line as (level letter, text).
    pub lines: Vec<(char, String)>,
    /// stdout, parsed.
    pub result: Value,
    /// stderr as written.
    pub stderr: String,
}

/// Runs the plugin with `input` on stdin and checks the protocol: every stderr line prefixed,
/// stdout exactly one JSON object with `error` and `output`.
pub async fn run_plugin(input: &str) -> PluginRun {
    let home = tempfile::tempdir().unwrap();
    let mut child = plugin_command(home.path()).spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    parse(out)
}

/// Checks and parses a finished plugin process's output.
pub fn parse(out: std::process::Output) -> PluginRun {
    let stderr = String::from_utf8(out.stderr).unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines = parse_stderr(&stderr);
    let mut docs = serde_json::Deserializer::from_str(&stdout).into_iter::<Value>();
    let result = docs
        .next()
        .unwrap_or_else(|| panic!("no JSON on stdout; stderr:\n{stderr}"))
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stdout}"));
    assert!(docs.next().is_none(), "more than one JSON value: {stdout}");
    let keys: Vec<&String> = result.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["error", "output"], "{stdout}");
    PluginRun {
        code: out.status.code().unwrap_or(-1),
        lines,
        result,
        stderr,
    }
}

/// Every line of a plugin's stderr as (level letter, text); panics on a line without Stash's
/// prefix or with an unknown level.
pub fn parse_stderr(stderr: &str) -> Vec<(char, String)> {
    stderr
        .lines()
        .map(|line| {
            let mut chars = line.chars();
            let (soh, level, stx) = (chars.next(), chars.next(), chars.next());
            assert_eq!(soh, Some('\u{1}'), "line without SOH: {line:?}");
            assert_eq!(stx, Some('\u{2}'), "line without STX: {line:?}");
            let level = level.unwrap();
            assert!("tdiwep".contains(level), "unknown level in {line:?}");
            let text: String = chars.collect();
            assert!(!text.trim().is_empty(), "empty message: {line:?}");
            (level, text)
        })
        .collect()
}

impl PluginRun {
    /// Progress values in order.
    pub fn progress(&self) -> Vec<f64> {
        self.lines
            .iter()
            .filter(|(l, _)| *l == 'p')
            .map(|(_, t)| {
                let f: f64 = t.parse().unwrap();
                assert!((0.0..=1.0).contains(&f), "progress {f}");
                f
            })
            .collect()
    }

    /// The texts of the lines at `level`.
    pub fn lines_at(&self, level: char) -> Vec<&str> {
        self.lines
            .iter()
            .filter(|(l, _)| *l == level)
            .map(|(_, t)| t.as_str())
            .collect()
    }

    /// Exit 0 and `error: null`.
    pub fn expect_ok(&self) -> &Self {
        assert!(
            self.code == 0 && self.result["error"].is_null(),
            "exit {} error {}\n--- stderr\n{}",
            self.code,
            self.result["error"],
            self.stderr
        );
        self
    }

    /// Exit `code`, an error containing `needle`, logged as error lines too.
    pub fn expect_error(&self, code: i32, needle: &str) -> &Self {
        let error = self.result["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error; exit {}\n{}", self.code, self.stderr));
        assert!(error.contains(needle), "{needle:?} not in {error}");
        assert_eq!(self.code, code, "{error}");
        let logged = self.lines_at('e').join("\n");
        for line in error.lines() {
            assert!(
                logged.contains(line.trim_end()),
                "not logged: {line}\n{logged}"
            );
        }
        self
    }
}

/// What a command-line run printed and how it exited.
pub struct CliRun {
    /// Exit code.
    pub code: i32,
    /// stdout and stderr.
    pub output: String,
}

impl CliRun {
    /// Asserts the exit code.
    pub fn expect_code(&self, code: i32) {
        assert_eq!(self.code, code, "{}", self.output);
    }
}

/// Runs `fansly-stash <args>` against `double` for `lib` with a private home.
pub async fn run_cli(lib: &Library, double: &StashDouble, home: &Path, args: &[&str]) -> CliRun {
    std::fs::create_dir_all(home).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fansly-stash"));
    cmd.args(args)
        .env_clear()
        .env("HOME", home)
        .env("FANSLY_STASH_STASH_URL", double.base_url())
        .env("FANSLY_STASH_METADATA_DB", &lib.db_url)
        .env("FANSLY_STASH_DOWNLOAD_ROOT", &lib.root)
        .env("FANSLY_STASH_BATCH_SIZE", "10");
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    CliRun {
        code: out.status.code().unwrap_or(-1),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}
