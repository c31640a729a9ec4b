//! The commented configuration file `fansly-stash config init` writes: every key with its
//! default, so a new user only uncomments what they need.

/// The template, with `{metadata_db}` and `{state_db}` already resolved by the caller.
pub fn render(metadata_db: &str, state_db: &str, log_dir: &str) -> String {
    format!(
        r#"# fansly-stash configuration. Precedence: this file, then FANSLY_STASH_* environment
# variables (e.g. FANSLY_STASH_STASH_URL), then command-line flags.
# `fansly-stash config show` prints the effective values; `fansly-stash check` tests them.

# Stash's address (add the path prefix if it runs behind a reverse proxy).
stash_url = "http://localhost:9999"

# The API key (Stash: Settings > Security > API Key). Never put it on the command line:
# set FANSLY_STASH_API_KEY, or point api_key_file at a file holding it.
# api_key_file = "/home/me/.config/fansly-stash/api-key"

# fansly-scraper's metadata database: its PostgreSQL database, or a SQLite file.
# metadata_db = "postgres://fansly_user:password@localhost:5432/fansly"
# metadata_db = "{metadata_db}"

# fansly-scraper's download_directory as this machine sees it, and as Stash sees it
# (they differ when Stash runs in Docker or on another machine).
# download_root = "/home/me/Downloads/fansly"
# stash_root = "/data/fansly"

# The suffix fansly-scraper appends to creator folders ("" if use_folder_suffix = false).
# folder_suffix = "_fansly"

# The parent studio of every creator studio (created when missing).
# network_studio = "Fansly (network)"

# Our own memory between runs (safe to delete: the next run is just slower).
# state_db = "{state_db}"

# Tuning.
# batch_size = 250
# read_concurrency = 4
# connect_timeout_secs = 10
# request_timeout_secs = 120
# scan_timeout_secs = 3600

# `fansly-stash watch`: seconds between two looks at the metadata database (one cheap query;
# only creators whose posts, messages or downloads changed are synced).
# watch_interval_secs = 60

# Logs, rotated daily.
# log_dir = "{log_dir}"
# log_files_kept = 14

# tag_previews_trailer = true
# Write Stash ids back to fansly-scraper's stash_id columns (accounts, media, posts, messages).
# write_back_stash_ids = false
# Create galleries marked organized, as fansly-scraper does; later runs then leave them
# alone (new images are not added) unless --force.
# galleries_organized = false
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    #[test]
    fn the_template_parses_and_uncommented_keys_are_known() {
        let text = render("sqlite:///m.sqlite3", "/s.sqlite3", "/logs");
        let parsed: Settings = toml::from_str(&text).unwrap();
        assert_eq!(parsed.stash_url, "http://localhost:9999");
        // Every commented-out `# key = value` line is a real key, and uncommenting all of
        // them still parses.
        let uncommented: String = text
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if crate::config::KEYS
                        .iter()
                        .any(|k| rest.starts_with(&format!("{k} = ")))
                        && !rest.starts_with("metadata_db = \"postgres") =>
                {
                    rest
                }
                _ => l,
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let all: Settings = toml::from_str(&uncommented).unwrap();
        assert_eq!(all.batch_size, 250);
        assert_eq!(all.stash_root.as_deref(), Some("/data/fansly"));
    }
}
