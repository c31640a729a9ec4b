//! SQLite `LIKE` as Stash uses it: ASCII case-insensitive, `%` any run, `_` one character,
//! no escape character.

/// A compiled `LIKE` pattern.
#[derive(Debug, Clone)]
pub(crate) struct Like {
    pattern: Vec<char>,
}

impl Like {
    pub fn new(pattern: &str) -> Self {
        Self {
            pattern: pattern.chars().map(|c| c.to_ascii_lowercase()).collect(),
        }
    }

    /// `%<word>%`.
    pub fn containing(word: &str) -> Self {
        Self::new(&format!("%{word}%"))
    }

    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().map(|c| c.to_ascii_lowercase()).collect();
        let p = &self.pattern;
        let (mut ti, mut pi) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while ti < text.len() {
            if pi < p.len() && (p[pi] == '_' || p[pi] == text[ti]) {
                ti += 1;
                pi += 1;
            } else if pi < p.len() && p[pi] == '%' {
                star = Some((pi, ti));
                pi += 1;
            } else if let Some((sp, st)) = star {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            } else {
                return false;
            }
        }
        while pi < p.len() && p[pi] == '%' {
            pi += 1;
        }
        pi == p.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_is_ascii_case_insensitive_with_wildcards() {
        assert!(Like::new("jane").matches("JANE"));
        assert!(!Like::new("émilie").matches("Émilie"));
        assert!(Like::new("A_B").matches("axb"));
        assert!(!Like::new("A_B").matches("axxb"));
        assert!(Like::new("a%b").matches("aXYZb"));
        assert!(Like::new("%").matches(""));
        assert!(Like::containing("mid").matches("the middle"));
        assert!(!Like::new("abc").matches("abcd"));
    }
}
