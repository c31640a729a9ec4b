//! What Stash writes to a raw plugin's stdin (one JSON object): the server connection (scheme,
//! host, port, the session cookie when Stash has a login, Stash's config folder, the plugin's
//! folder) and the task's arguments. See `../shared/docs/stash-plugin-facts.md` and the
//! recorded input in `../shared/stash-observed/v0.30.1/r_plugin_raw_task.txt`.
//!
//! Only the fields fansly-stash uses are read; the cookie's other Go `http.Cookie` fields are
//! ignored.

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::exit::CliError;

/// The whole input.
#[derive(Debug, Clone, Deserialize)]
pub struct PluginInput {
    /// How to reach the Stash that started us.
    pub server_connection: ServerConnection,
    /// The task's arguments (`defaultArgs` merged with what the caller passed).
    #[serde(default)]
    pub args: Map<String, Value>,
}

/// `server_connection`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServerConnection {
    /// `http` or `https`.
    #[serde(default = "http")]
    pub scheme: String,
    /// The host Stash listens on; `0.0.0.0` (all interfaces) means this machine.
    #[serde(default)]
    pub host: String,
    /// The port Stash listens on.
    pub port: u16,
    /// The session cookie, `null` when Stash has no username and password.
    #[serde(default)]
    pub session_cookie: Option<Cookie>,
    /// The folder of Stash's `config.yml`.
    #[serde(default)]
    pub dir: PathBuf,
    /// This plugin's folder.
    #[serde(default)]
    pub plugin_dir: PathBuf,
}

fn http() -> String {
    "http".to_owned()
}

/// The cookie fields that matter (Go's `http.Cookie` has many more).
#[derive(Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Cookie {
    /// `session`.
    #[serde(default)]
    pub name: String,
    /// The secret value.
    #[serde(default)]
    pub value: String,
}

impl std::fmt::Debug for Cookie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cookie({}=***)", self.name)
    }
}

impl PluginInput {
    /// Parses the JSON Stash wrote.
    pub fn parse(text: &str) -> Result<PluginInput, CliError> {
        if text.trim().is_empty() {
            return Err(CliError::config(
                "the plugin received no input: `fansly-stash plugin` is started by Stash for a plugin task (Settings > Tasks > Plugin Tasks), with a JSON object on standard input; use the other commands from a terminal",
            ));
        }
        serde_json::from_str(text).map_err(|e| {
            CliError::config(format!(
                "the plugin input cannot be read ({e}): a plugin task gets a JSON object with server_connection (Stash's address and folders) and args from Stash, and without it the task cannot reach Stash. Start the task from Stash v0.27 or newer (Settings > Tasks > Plugin Tasks); if it already was, the input Stash sends has changed: report this message"
            ))
        })
    }

    /// A string argument (`mode`, ...), trimmed; absent or empty is `None`.
    pub fn arg(&self, name: &str) -> Option<String> {
        match self.args.get(name)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

impl ServerConnection {
    /// Stash's base URL: `0.0.0.0`, `::` or no host mean this machine (`localhost`); IPv6
    /// addresses are bracketed.
    pub fn url(&self) -> String {
        let host = self
            .host
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let host = match host {
            "" | "0.0.0.0" | "::" => "localhost".to_owned(),
            h if h.contains(':') => format!("[{h}]"),
            h => h.to_owned(),
        };
        let scheme = match self.scheme.trim() {
            "" => "http",
            s => s,
        };
        format!("{scheme}://{host}:{}", self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The input recorded from a real Stash v0.30.1 (`r_plugin_raw_task.txt`), cookie value
    /// replaced.
    const RECORDED: &str = r#"{"server_connection":{"Scheme":"http","Host":"127.0.0.1","Port":29999,"SessionCookie":{"Name":"session","Value":"<SESSION_COOKIE_VALUE>","Quoted":false,"Path":"","Domain":"","Expires":"0001-01-01T00:00:00Z","RawExpires":"","MaxAge":0,"Secure":false,"HttpOnly":false,"SameSite":0,"Partitioned":false,"Raw":"","Unparsed":null},"Dir":"/data/stash-config","PluginDir":"/data/stash-config/plugins/factcheck"},"args":{"mode":"record"}}"#;

    #[test]
    fn the_recorded_input_parses() {
        let input = PluginInput::parse(RECORDED).unwrap();
        let c = &input.server_connection;
        assert_eq!(c.url(), "http://127.0.0.1:29999");
        let cookie = c.session_cookie.as_ref().unwrap();
        assert_eq!(
            (cookie.name.as_str(), cookie.value.as_str()),
            ("session", "<SESSION_COOKIE_VALUE>")
        );
        assert!(!format!("{input:?}").contains("SESSION_COOKIE_VALUE"));
        assert_eq!(c.dir, PathBuf::from("/data/stash-config"));
        assert_eq!(input.arg("mode").as_deref(), Some("record"));
        assert_eq!(input.arg("other"), None);
    }

    #[test]
    fn all_interfaces_mean_localhost() {
        let mut c = PluginInput::parse(
            r#"{"server_connection":{"Scheme":"http","Host":"0.0.0.0","Port":9999,"SessionCookie":null,"Dir":"/root/.stash","PluginDir":"/p"}}"#,
        )
        .unwrap()
        .server_connection;
        assert!(c.session_cookie.is_none());
        assert_eq!(c.url(), "http://localhost:9999");
        c.host = "::".into();
        assert_eq!(c.url(), "http://localhost:9999");
        c.host = "::1".into();
        c.scheme = "https".into();
        assert_eq!(c.url(), "https://[::1]:9999");
    }

    #[test]
    fn bad_input_says_what_stash_sends() {
        let e = PluginInput::parse("").unwrap_err();
        assert!(e.message.contains("started by Stash"), "{}", e.message);
        let e = PluginInput::parse("{\"args\":{}}").unwrap_err();
        // What, why and what to do.
        for needle in [
            "cannot be read (missing field `server_connection`",
            "the task cannot reach Stash",
            "Start the task from Stash v0.27 or newer (Settings > Tasks > Plugin Tasks)",
        ] {
            assert!(e.message.contains(needle), "{needle}: {}", e.message);
        }
    }
}
