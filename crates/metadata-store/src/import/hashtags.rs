//! Hashtags parsed from post text, as upstream does (fansly-scraper: metadata/hashtag.py):
//! `#+(\w+)` with Unicode word characters, each match lowercased, duplicates dropped keeping the
//! first occurrence. The API's own `hashtags` list is not used.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

static HASHTAG: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"#+(\w+)").ok());

/// The hashtags of `content`, lowercased, unique, in first-occurrence order.
pub fn parse(content: &str) -> Vec<String> {
    let Some(re) = HASHTAG.as_ref() else {
        return Vec::new();
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for caps in re.captures_iter(content) {
        if let Some(m) = caps.get(1) {
            let tag = m.as_str().to_lowercase();
            if seen.insert(tag.clone()) {
                out.push(tag);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn lowercased_unique_in_first_occurrence_order() {
        assert_eq!(
            parse("Hi #Test and ##example, again #TEST #b_2 #end"),
            vec!["test", "example", "b_2", "end"]
        );
    }

    #[test]
    fn unicode_word_characters_count() {
        assert_eq!(
            parse("#Größe #日本語 #café!"),
            vec!["größe", "日本語", "café"]
        );
    }

    #[test]
    fn no_hashtags() {
        assert!(parse("no tags # here, #").is_empty());
        assert!(parse("").is_empty());
    }
}
