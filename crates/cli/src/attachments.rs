//! What fansly-stash tells users about downloaded media that no post or message reaches
//! ([`AttachmentCoverage`]), in one wording for `check`, `status`, the sync and plan reports,
//! the plugin and `watch`.
//!
//! fansly-scraper 0.13 to 0.15.1 stores no `attachments` (nor `post_mentions`) rows, so on a
//! database it wrote no post or message reaches any download: a sync still gives every file
//! its code, date, studio and performer, but makes no gallery, title, tags or mentions. Users
//! must be told, with the repair (`fansly-stash import` of saved API responses), instead of
//! finding a half-labelled library.

use domain::ports::AttachmentCoverage;

/// What a sync still does for a media no post or message reaches.
pub const WHAT_SYNC_DOES: &str =
    "code, date, studio and performer only: no gallery, title, tags or mentions";

/// What it means when a creator has downloads and no attachment at all.
pub const WHY_MISSING: &str = "fansly-scraper 0.13 to 0.15.1 does not store attachments (nor mentions), so no post or message of this creator reaches its downloads";

/// How to repair a database without attachments.
pub const REPAIR: &str = "save the creator's Fansly API responses (timeline, wall and message pages) as JSON files and load them with `fansly-stash import PATH...` into this database (import keeps attachments and mentions), then sync again";

/// `1 downloaded media` / `3,706 downloaded media`.
fn media(n: u64) -> String {
    format!("{} downloaded media", thousands(n))
}

/// `3706` as `3,706`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The one-line explanation for `creator` in reports, or `None` when every download of the
/// creator is reached by a post or message.
pub fn line(creator: &str, c: &AttachmentCoverage) -> Option<String> {
    if c.unattached_media == 0 {
        return None;
    }
    let n = media(c.unattached_media);
    Some(if c.attachments_missing() {
        format!(
            "{creator}: {n} and no attachment in the database (fansly-scraper 0.13 to 0.15.1 does not store them): {WHAT_SYNC_DOES}; `fansly-stash check` says how to repair it"
        )
    } else {
        format!("{creator}: {n} no post or message reaches: {WHAT_SYNC_DOES}")
    })
}

/// The `check` detail for `creator`: how many media no post or message reaches, and what
/// that means; `None` when there are none.
pub fn check_detail(creator: &str, c: &AttachmentCoverage) -> Option<String> {
    if c.unattached_media == 0 {
        return None;
    }
    let n = media(c.unattached_media);
    Some(if c.attachments_missing() {
        format!(
            "{creator}: {n} but no attachment at all: {WHY_MISSING}. A sync still gives each file {WHAT_SYNC_DOES}"
        )
    } else {
        format!("{creator}: {n} no post or message reaches ({WHAT_SYNC_DOES})")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cov(attachments: u64, unattached_media: u64) -> AttachmentCoverage {
        AttachmentCoverage {
            attachments,
            unattached_media,
        }
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(3706), "3,706");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn a_missing_attachments_table_is_explained_and_a_partial_one_counted() {
        assert_eq!(line("alice", &cov(5, 0)), None);
        assert_eq!(check_detail("alice", &cov(0, 0)), None);
        let partial = line("alice", &cov(5, 2)).unwrap();
        assert_eq!(
            partial,
            "alice: 2 downloaded media no post or message reaches: code, date, studio and performer only: no gallery, title, tags or mentions"
        );
        let missing = line("bob", &cov(0, 3706)).unwrap();
        assert!(
            missing.starts_with("bob: 3,706 downloaded media and no attachment in the database (fansly-scraper 0.13 to 0.15.1 does not store them)"),
            "{missing}"
        );
        assert!(missing.contains("`fansly-stash check`"), "{missing}");
        assert!(!missing.contains('\n'), "one line: {missing}");
        let detail = check_detail("bob", &cov(0, 3706)).unwrap();
        assert!(detail.contains(WHY_MISSING), "{detail}");
        assert!(
            detail.contains("A sync still gives each file code, date"),
            "{detail}"
        );
    }
}
