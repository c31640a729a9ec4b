//! Repair of unpaired UTF-16 surrogate escapes (`"\ud83d"` without its low half) before
//! parsing. serde_json rejects them; upstream (Python) turns them into U+FFFD, and so do we:
//! each unpaired `\uD800`–`\uDFFF` escape inside a string becomes `\uFFFD`, and the caller
//! counts a warning with the line and column of the first one. Correctly paired escapes and
//! everything outside strings are left alone.

use std::borrow::Cow;

/// Where a repaired escape was (1-based line and column, in bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based byte column.
    pub column: usize,
}

/// The text with unpaired surrogate escapes replaced, and where they were.
pub fn repair(input: &[u8]) -> (Cow<'_, [u8]>, Vec<Position>) {
    // Fast path: no `\u` followed by `d`/`D` anywhere, nothing to do.
    if !input
        .windows(3)
        .any(|w| w[0] == b'\\' && w[1] == b'u' && matches!(w[2], b'd' | b'D'))
    {
        return (Cow::Borrowed(input), Vec::new());
    }
    let mut out: Vec<u8> = Vec::with_capacity(input.len());
    let mut found = Vec::new();
    let mut in_string = false;
    let mut i = 0;
    let (mut line, mut line_start) = (1, 0);
    while i < input.len() {
        let b = input[i];
        if b == b'\n' {
            line += 1;
            line_start = i + 1;
        }
        if !in_string {
            if b == b'"' {
                in_string = true;
            }
            out.push(b);
            i += 1;
            continue;
        }
        match b {
            b'"' => {
                in_string = false;
                out.push(b);
                i += 1;
            }
            b'\\' if input.get(i + 1) == Some(&b'u') => match hex4(input, i + 2) {
                Some(0xD800..=0xDBFF) => {
                    let paired = input.get(i + 6) == Some(&b'\\')
                        && input.get(i + 7) == Some(&b'u')
                        && matches!(hex4(input, i + 8), Some(0xDC00..=0xDFFF));
                    if paired {
                        out.extend_from_slice(&input[i..i + 12]);
                        i += 12;
                    } else {
                        found.push(Position {
                            line,
                            column: i - line_start + 1,
                        });
                        out.extend_from_slice(b"\\uFFFD");
                        i += 6;
                    }
                }
                Some(0xDC00..=0xDFFF) => {
                    found.push(Position {
                        line,
                        column: i - line_start + 1,
                    });
                    out.extend_from_slice(b"\\uFFFD");
                    i += 6;
                }
                _ => {
                    out.extend_from_slice(&input[i..(i + 2).min(input.len())]);
                    i += 2;
                }
            },
            b'\\' => {
                // Any other escape: copy it and the escaped byte.
                out.extend_from_slice(&input[i..(i + 2).min(input.len())]);
                i += 2;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    if found.is_empty() {
        (Cow::Borrowed(input), found)
    } else {
        (Cow::Owned(out), found)
    }
}

fn hex4(input: &[u8], at: usize) -> Option<u32> {
    let digits = input.get(at..at + 4)?;
    let text = std::str::from_utf8(digits).ok()?;
    u32::from_str_radix(text, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(s: &str) -> (String, usize) {
        let (out, found) = repair(s.as_bytes());
        (String::from_utf8(out.into_owned()).unwrap(), found.len())
    }

    #[test]
    fn unpaired_high_and_low_halves_become_replacement_characters() {
        assert_eq!(
            fixed(r#"{"a":"x\ud83dy"}"#),
            (r#"{"a":"x\uFFFDy"}"#.into(), 1)
        );
        assert_eq!(fixed(r#"{"a":"\uDE00"}"#), (r#"{"a":"\uFFFD"}"#.into(), 1));
        assert_eq!(
            fixed(r#"{"a":"\ud83d\ud83d\ude00"}"#),
            (r#"{"a":"\uFFFD\ud83d\ude00"}"#.into(), 1)
        );
        let v: serde_json::Value = serde_json::from_str(&fixed(r#"{"a":"x\ud83d"}"#).0).unwrap();
        assert_eq!(v["a"], "x\u{FFFD}");
    }

    #[test]
    fn pairs_escaped_backslashes_and_text_outside_strings_are_untouched() {
        for s in [
            r#"{"a":"\ud83d\ude00"}"#,
            r#"{"a":"\\ud83d"}"#,
            r#"{"a":"\"\\"}"#,
            r#"{"a":"plain"}"#,
        ] {
            assert_eq!(fixed(s), (s.to_owned(), 0), "{s}");
        }
    }

    #[test]
    fn positions_are_reported() {
        let (_, found) = repair(b"{\n  \"a\": \"\\udc00\"}");
        assert_eq!(found, vec![Position { line: 2, column: 9 }]);
    }
}
