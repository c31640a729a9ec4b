//! Stash's `NATURAL_CI` collation, the order of its `path` and `title` sorts and of a
//! gallery's images: runs of ASCII digits compare as numbers (`img2` before `img10`; equal
//! numbers with fewer leading zeros first), everything else one character at a time ignoring
//! case (ASCII letters compare as upper case, so `_` sorts after letters); when one string is
//! a prefix of the other, the shorter comes first.
//!
//! Written from the collation's documented behaviour (Stash registers it on its SQLite
//! connection); only what the double's sorts need.

use std::cmp::Ordering;
use std::iter::Peekable;
use std::str::Chars;

/// A string ordered by [`natural_ci`].
#[derive(Debug, Clone)]
pub(crate) struct NaturalCi(pub String);

impl PartialEq for NaturalCi {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for NaturalCi {}

impl PartialOrd for NaturalCi {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for NaturalCi {
    fn cmp(&self, other: &Self) -> Ordering {
        natural_ci(&self.0, &other.0)
    }
}

/// One character folded for comparison.
fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// A run of ASCII digits: how many leading zeros, then the digits after them.
fn digits(it: &mut Peekable<Chars<'_>>) -> (usize, String) {
    let mut zeros = 0;
    while it.peek() == Some(&'0') {
        it.next();
        zeros += 1;
    }
    let mut rest = String::new();
    while let Some(d) = it.peek().filter(|c| c.is_ascii_digit()) {
        rest.push(*d);
        it.next();
    }
    (zeros, rest)
}

/// Compares two strings as `NATURAL_CI` does.
pub(crate) fn natural_ci(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        let (cx, cy) = match (x.peek(), y.peek()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(cx), Some(cy)) => (*cx, *cy),
        };
        if cx.is_ascii_digit() && cy.is_ascii_digit() {
            let (zx, nx) = digits(&mut x);
            let (zy, ny) = digits(&mut y);
            let by_value = nx.len().cmp(&ny.len()).then_with(|| nx.cmp(&ny));
            match by_value.then(zx.cmp(&zy)) {
                Ordering::Equal => continue,
                other => return other,
            }
        }
        x.next();
        y.next();
        match fold(cx).cmp(&fold(cy)) {
            Ordering::Equal => {}
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut v: Vec<&str>) -> Vec<&str> {
        v.sort_by(|a, b| natural_ci(a, b));
        v
    }

    #[test]
    fn numbers_compare_by_value_and_case_is_ignored() {
        assert_eq!(
            sorted(vec!["img10.jpg", "IMG2.jpg", "img1.jpg", "img02.jpg"]),
            ["img1.jpg", "IMG2.jpg", "img02.jpg", "img10.jpg"]
        );
        assert_eq!(sorted(vec!["b", "A", "a_", "ab"]), ["A", "ab", "a_", "b"]);
        assert_eq!(natural_ci("abc", "ABC"), Ordering::Equal);
        assert_eq!(natural_ci("ab", "abc"), Ordering::Less);
        assert_eq!(
            natural_ci(
                "/s/alice_fansly/Timeline2024-03-01_id_999.jpg",
                "/s/alice_fansly/Timeline2024-03-01_id_1000.jpg"
            ),
            Ordering::Less
        );
    }
}
