//! The media id fansly-scraper writes into every file name (`..._id_<N>.ext`,
//! `..._preview_id_<N>.ext`): the fallback for matching a Stash file to a media when the exact
//! basename is not recorded.

use std::sync::LazyLock;

use regex::Regex;

/// The id embedded in a downloaded file's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FilenameId {
    /// The media id, or the id of the variant that was downloaded.
    pub id: i64,
    /// Whether the file is a preview download (`_preview_id_`).
    pub preview: bool,
}

#[allow(clippy::expect_used)] // A constant pattern: a failure is a bug caught by every test run.
static ID_PATTERN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"_(?:(preview)_)?id_([1-9][0-9]*)").expect("valid id pattern"));

/// The last `_id_<N>` / `_preview_id_<N>` in a basename, if any. `N` is written the way
/// fansly-scraper writes a Fansly id: ASCII digits without a leading zero (found by fuzzing:
/// `_id_02` used to parse as media 2, and `\d` also took other scripts' digits). Ids that do
/// not fit an `i64` are ignored.
pub fn parse_filename_id(basename: &str) -> Option<FilenameId> {
    ID_PATTERN
        .captures_iter(basename)
        .filter_map(|c| {
            let id = c.get(2)?.as_str().parse::<i64>().ok()?;
            Some(FilenameId {
                id,
                preview: c.get(1).is_some(),
            })
        })
        .last()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_main_and_preview_names() {
        assert_eq!(
            parse_filename_id("2025-01-19_at_12-49_UTC_id_737344486891335683.mp4"),
            Some(FilenameId {
                id: 737_344_486_891_335_683,
                preview: false
            })
        );
        assert_eq!(
            parse_filename_id("2025-01-19_at_12-49_UTC_preview_id_42.jpg"),
            Some(FilenameId {
                id: 42,
                preview: true
            })
        );
        // Hash suffixes after the id do not matter.
        assert_eq!(
            parse_filename_id("2023-01-01_at_10-00_id_77_hash2_abcdef.jpg"),
            Some(FilenameId {
                id: 77,
                preview: false
            })
        );
    }

    #[test]
    fn names_without_an_id_or_with_an_overflowing_one_give_none() {
        assert_eq!(parse_filename_id("holiday.jpg"), None);
        assert_eq!(parse_filename_id("video_idx_12.mp4"), None);
        assert_eq!(parse_filename_id("x_id_99999999999999999999999.mp4"), None);
    }

    #[test]
    fn only_ids_as_fansly_writes_them_count() {
        // A leading zero is not how an id is written: the file is not that media's.
        assert_eq!(parse_filename_id("\u{7f}_id_02\n"), None);
        assert_eq!(parse_filename_id("x_id_0.jpg"), None);
        // Digits of other scripts are not ASCII digits.
        assert_eq!(parse_filename_id("x_id_\u{0663}\u{0664}.jpg"), None);
        // An earlier well-formed id still counts when a later marker is not one.
        assert_eq!(
            parse_filename_id("a_id_12_b_id_012.jpg"),
            Some(FilenameId {
                id: 12,
                preview: false
            })
        );
    }

    proptest! {
        #[test]
        fn any_generated_name_round_trips(id in 0i64..i64::MAX, preview: bool, stamp in "[0-9a-zA-Z-]{0,30}", ext in "(jpg|mp4|png|m4v)") {
            let marker = if preview { "preview_id" } else { "id" };
            let name = format!("{stamp}_{marker}_{id}.{ext}");
            prop_assert_eq!(parse_filename_id(&name), Some(FilenameId { id, preview }));
        }

        #[test]
        fn arbitrary_names_never_panic(name in "\\PC{0,80}") {
            let _ = parse_filename_id(&name);
        }
    }
}
