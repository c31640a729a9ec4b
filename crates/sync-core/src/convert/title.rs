//! The title rule shared by galleries, scenes and images: fansly-scraper's rule, applied to the
//! text as Stash stores it (trimmed, so a post starting with blank lines is titled by its first
//! line of text, as its details show it) and counted in characters rather than bytes so
//! multi-byte text is never cut inside a character. [`upstream_title`] is fansly-scraper's
//! own result on the untrimmed text, which its stamps carry.

use chrono::{DateTime, Utc};

/// Shortest first line used as a title, in characters.
pub const MIN_TITLE_CHARS: usize = 10;
/// Longest first line used as is, in characters.
pub const MAX_TITLE_CHARS: usize = 128;
/// Characters kept from a longer line before `...` is appended.
pub const TRUNCATED_CHARS: usize = 125;

/// The title of an item: the first line of `content` as Stash stores it (the text trimmed,
/// then the line trimmed) if it has 10 to 128 characters; a longer line cut to its first 125
/// characters plus `...`; otherwise `<username> - YYYY/MM/DD` from the UTC date, or just
/// `<username>` without a date.
pub fn item_title(content: &str, username: &str, created_at: Option<DateTime<Utc>>) -> String {
    first_line_rule(content.trim(), username, created_at)
}

/// fansly-scraper's title on the untrimmed text (its first line may be blank, giving the
/// `<username> - date` fallback where [`item_title`] finds the text). Its stamps carry this.
pub fn upstream_title(content: &str, username: &str, created_at: Option<DateTime<Utc>>) -> String {
    first_line_rule(content, username, created_at)
}

fn first_line_rule(content: &str, username: &str, created_at: Option<DateTime<Utc>>) -> String {
    let first_line = content.lines().next().unwrap_or("").trim();
    let chars = first_line.chars().count();
    if (MIN_TITLE_CHARS..=MAX_TITLE_CHARS).contains(&chars) {
        first_line.to_owned()
    } else if chars > MAX_TITLE_CHARS {
        let mut cut: String = first_line.chars().take(TRUNCATED_CHARS).collect();
        cut.push_str("...");
        cut
    } else {
        match created_at {
            Some(ts) => format!("{username} - {}", ts.format("%Y/%m/%d")),
            None => username.to_owned(),
        }
    }
}

/// The title of the `index`-th (1-based) of `count` media of an item: the item title, with
/// ` - i/n` appended when the item has several media.
pub fn media_title(item_title: &str, index: usize, count: usize) -> String {
    if count > 1 {
        format!("{item_title} - {index}/{count}")
    } else {
        item_title.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn day() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 19, 23, 30, 0).unwrap()
    }

    #[test]
    fn uses_a_first_line_of_ten_to_128_characters() {
        assert_eq!(
            item_title("Hello world!\nsecond line", "alice", Some(day())),
            "Hello world!"
        );
        assert_eq!(
            item_title("  padded line here  ", "alice", Some(day())),
            "padded line here"
        );
        assert_eq!(item_title("0123456789", "a", None), "0123456789");
    }

    #[test]
    fn short_or_empty_content_falls_back_to_username_and_utc_date() {
        assert_eq!(item_title("hi", "alice", Some(day())), "alice - 2025/01/19");
        assert_eq!(item_title("", "alice", Some(day())), "alice - 2025/01/19");
        assert_eq!(
            item_title("\n \n", "alice", Some(day())),
            "alice - 2025/01/19"
        );
    }

    #[test]
    fn leading_blank_lines_are_skipped_as_stash_trims_them() {
        assert_eq!(
            item_title("\n\nLove you all, my dears  \nmore", "alice", Some(day())),
            "Love you all, my dears"
        );
        assert_eq!(
            upstream_title("\n\nLove you all, my dears  \nmore", "alice", Some(day())),
            "alice - 2025/01/19",
            "fansly-scraper looks at the blank first line"
        );
        assert_eq!(
            upstream_title("Hello world!", "a", None),
            item_title("Hello world!", "a", None)
        );
    }

    #[test]
    fn long_lines_are_cut_by_characters_not_bytes() {
        let line: String = "é".repeat(200);
        let t = item_title(&line, "alice", None);
        assert_eq!(t.chars().count(), 128);
        assert!(t.ends_with("..."));
        assert_eq!(t.chars().filter(|c| *c == 'é').count(), 125);
        // 128 multi-byte characters (256 bytes) are kept whole.
        let exact: String = "ü".repeat(128);
        assert_eq!(item_title(&exact, "alice", None), exact);
    }

    #[test]
    fn suffix_only_for_several_media() {
        assert_eq!(media_title("T", 1, 1), "T");
        assert_eq!(media_title("T", 2, 3), "T - 2/3");
    }

    proptest! {
        #[test]
        fn title_length_and_shape_hold_for_any_text(content in "\\PC{0,200}(\n\\PC{0,30})?", user in "[a-z]{1,12}") {
            let t = item_title(&content, &user, Some(day()));
            let n = t.chars().count();
            let line = content.trim().lines().next().unwrap_or("").trim().to_owned();
            prop_assert_eq!(t.trim(), t.as_str(), "a title is stored as it is");
            let line_chars = line.chars().count();
            if (10..=128).contains(&line_chars) {
                prop_assert_eq!(&t, &line);
            } else if line_chars > 128 {
                prop_assert_eq!(n, 128);
                prop_assert!(t.ends_with("..."));
                prop_assert!(line.starts_with(t.trim_end_matches("...")));
            } else {
                prop_assert_eq!(t, format!("{user} - 2025/01/19"));
            }
        }

        #[test]
        fn suffix_reports_position_and_count(index in 1usize..50, extra in 0usize..50) {
            let count = index + extra;
            let t = media_title("Base title", index, count);
            if count > 1 {
                prop_assert_eq!(t, format!("Base title - {index}/{count}"));
            } else {
                prop_assert_eq!(t, "Base title");
            }
        }
    }
}
