//! What Stash should hold after a complete sync of a library, computed from the metadata
//! database alone (not through sync-core), in the id-free shape of
//! [`canonical`](crate::canonical::canonical) so tests can compare field by field.
//!
//! The mapping written down here is the product's contract (README "What goes where"):
//! galleries per post or message (code = id, url, title rule, details, date, studio,
//! performers, hashtags, member images and scenes), scenes and images per media (title with
//! ` - i/n`, code = media id, post url, `Trailer` on previews), unattached media as images with
//! the creator's studio and performer. It deliberately re-implements the title rule for the
//! plain texts the generator writes, so a regression in sync-core shows up as a difference.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use domain::content::{ContentItem, ItemSource, MediaRole};
use domain::fansly::MediaKind;
use domain::ports::MetadataRepository;
use serde_json::{Value, json};

use crate::library::Library;

/// The expected objects, keyed like the canonical dump: `galleries` by `code:<id>`, `scenes`
/// and `images` by file path; plus the entity names that must exist.
#[derive(Debug, Default, Clone)]
pub struct Expected {
    /// Galleries by canonical key.
    pub galleries: BTreeMap<String, Value>,
    /// Scenes by file path.
    pub scenes: BTreeMap<String, Value>,
    /// Images by file path.
    pub images: BTreeMap<String, Value>,
    /// Performers by name.
    pub performers: BTreeMap<String, Value>,
    /// Studios by name.
    pub studios: BTreeMap<String, Value>,
    /// Tag names.
    pub tags: HashSet<String>,
}

/// fansly-scraper's title rule on the text as Stash stores it (trimmed).
fn title_rule(content: &str, username: &str, at: Option<DateTime<Utc>>) -> String {
    let line = content.trim().lines().next().unwrap_or("").trim();
    let n = line.chars().count();
    if (10..=128).contains(&n) {
        line.to_owned()
    } else if n > 128 {
        format!("{}...", line.chars().take(125).collect::<String>())
    } else {
        match at {
            Some(t) => format!("{username} - {}", t.format("%Y/%m/%d")),
            None => username.to_owned(),
        }
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

/// Computes the expected Stash state of every creator of `lib` from its metadata database,
/// network studio `network`.
pub async fn expected_state(
    lib: &Library,
    repo: &dyn MetadataRepository,
    network: &str,
) -> Result<Expected, Box<dyn std::error::Error + Send + Sync>> {
    let mut out = Expected::default();
    out.studios
        .insert(network.to_owned(), json!({"parent": null, "urls": []}));
    for c in &lib.creators {
        let username = c.username.clone();
        let studio = format!("{username} (Fansly)");
        let profile = format!("https://fansly.com/{username}");
        out.performers.insert(
            username.clone(),
            // The alias equal to the name is dropped: Stash refuses it as a duplicate alias.
            json!({"alias_list": [], "urls": [profile.clone()], "details": null}),
        );
        out.studios.insert(
            studio.clone(),
            json!({"parent": network, "urls": [profile.clone()]}),
        );
        let path_of = |id: i64| {
            c.files
                .get(&id)
                .map(|f| f.path.display().to_string())
                .unwrap_or_default()
        };
        let mut cursor = None;
        loop {
            let page = repo.content_page(c.id(), cursor.take(), 1_000).await?;
            for item in &page.items {
                add_item(&mut out, item, &username, &studio, &path_of);
            }
            match page.next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
    }
    Ok(out)
}

fn add_item(
    out: &mut Expected,
    item: &ContentItem,
    username: &str,
    studio: &str,
    path_of: &dyn Fn(i64) -> String,
) {
    let mut seen = HashSet::new();
    let media: Vec<_> = item
        .media
        .iter()
        .filter(|m| seen.insert(m.media.id))
        .collect();
    let title = title_rule(&item.content, username, item.created_at);
    // Stash stores the text trimmed.
    let details = (!item.content.trim().is_empty()).then(|| item.content.trim().to_owned());
    let date = item.created_at.map(|t| t.format("%Y-%m-%d").to_string());
    let tags: Vec<String> = item
        .hashtags
        .iter()
        .map(|h| h.as_str().to_owned())
        .collect();
    out.tags.extend(tags.iter().cloned());
    let gallery_key = item.source.gallery_code().map(|c| format!("code:{c}"));
    let stamp_urls: Vec<String> = match item.source {
        ItemSource::Post(_) => item.source.url().into_iter().collect(),
        _ => Vec::new(),
    };
    let (mut g_images, mut g_scenes) = (Vec::new(), Vec::new());
    for (i, m) in media.iter().enumerate() {
        let path = path_of(m.media.id.0);
        let mut stamp_tags = tags.clone();
        if m.role == MediaRole::Preview {
            stamp_tags.push("Trailer".to_owned());
            out.tags.insert("Trailer".to_owned());
        }
        let t = if media.len() > 1 {
            format!("{title} - {}/{}", i + 1, media.len())
        } else {
            title.clone()
        };
        let v = json!({
            "title": t,
            "code": m.media.id.0.to_string(),
            "details": details,
            "urls": stamp_urls,
            "date": date,
            "organized": false,
            "studio": studio,
            "performers": [username],
            "tags": sorted(stamp_tags),
            "galleries": gallery_key.iter().collect::<Vec<_>>(),
            "files": [path.clone()],
        });
        match m.media.kind() {
            MediaKind::Video => {
                g_scenes.push(path.clone());
                out.scenes.insert(path, v);
            }
            _ => {
                g_images.push(path.clone());
                out.images.insert(path, v);
            }
        }
    }
    if let Some(key) = gallery_key
        && !media.is_empty()
    {
        out.galleries.insert(
            key,
            json!({
                "title": title,
                "code": item.source.gallery_code(),
                "details": details,
                "urls": item.source.url().into_iter().collect::<Vec<_>>(),
                "date": date,
                "organized": false,
                "studio": studio,
                "performers": [username],
                "tags": sorted(tags),
                "images": sorted(g_images),
                "scenes": sorted(g_scenes),
            }),
        );
    }
}

/// Compares the expected objects with a canonical dump; returns readable mismatches (at most
/// `limit`). Performers are compared by name (the creator's display name is the username).
pub fn mismatches(expected: &Expected, canonical: &Value, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |kind: &str, key: &str, want: &Value| {
        if out.len() >= limit {
            return;
        }
        let Some(list) = canonical[kind][key].as_array() else {
            out.push(format!("{kind} {key}: missing"));
            return;
        };
        if list.len() != 1 {
            out.push(format!("{kind} {key}: {} objects", list.len()));
            return;
        }
        for (field, w) in want.as_object().into_iter().flatten() {
            let got = &list[0][field];
            let got = match (field.as_str(), got) {
                // Lists whose order is not ours to fix are compared as sets.
                ("tags" | "performers" | "galleries" | "images" | "scenes", Value::Array(a)) => {
                    let mut a: Vec<String> = a
                        .iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect();
                    a.sort();
                    json!(a)
                }
                _ => got.clone(),
            };
            if &got != w {
                out.push(format!("{kind} {key}: {field} is {got}, expected {w}"));
            }
        }
    };
    for (k, v) in &expected.galleries {
        check("galleries", k, v);
    }
    for (k, v) in &expected.scenes {
        check("scenes", k, v);
    }
    for (k, v) in &expected.images {
        check("images", k, v);
    }
    for (k, v) in &expected.performers {
        check("performers", k, v);
    }
    for (k, v) in &expected.studios {
        check("studios", k, v);
    }
    for t in &expected.tags {
        check("tags", t, &json!({}));
    }
    out
}
