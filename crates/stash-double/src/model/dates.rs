//! Stash's date input rules: `YYYY-MM-DD`, RFC3339 and `YYYY-MM-DD HH:MM:SS` always;
//! `YYYY-MM` and `YYYY` from appSchema 75 (v0.30) on, stored at the precision given.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Parses a date input into the stored form, or the server's error text.
/// `""` means "no date" (`Ok(None)`).
pub(crate) fn parse_date(input: &str, partial_allowed: bool) -> Result<Option<String>, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(Some(d.format("%Y-%m-%d").to_string()));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Ok(Some(dt.date_naive().format("%Y-%m-%d").to_string()));
    }
    if let Ok(dt) = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S") {
        return Ok(Some(dt.date().format("%Y-%m-%d").to_string()));
    }
    if !partial_allowed {
        return Err(format!(
            "converting date: ParseDateStringAsTime failed: dateString <{s}>"
        ));
    }
    let partial = |fmt: &str, probe: String| NaiveDate::parse_from_str(&probe, fmt).is_ok();
    if s.len() == 7 && partial("%Y-%m-%d", format!("{s}-01")) {
        return Ok(Some(s.to_owned()));
    }
    if s.len() == 4 && s.chars().all(|c| c.is_ascii_digit()) {
        return Ok(Some(s.to_owned()));
    }
    Err(format!(
        "converting date: failed to parse date \"{s}\": [parsing time \"{s}\" as \"2006-01-02\": cannot parse \"{s}\" as \"2006\"]"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_partial_and_invalid_dates() {
        assert_eq!(
            parse_date("2024-05-06", true),
            Ok(Some("2024-05-06".into()))
        );
        assert_eq!(
            parse_date("2024-05-06T10:00:00Z", true),
            Ok(Some("2024-05-06".into()))
        );
        assert_eq!(
            parse_date("2024-05-06 10:00:00", false),
            Ok(Some("2024-05-06".into()))
        );
        assert_eq!(parse_date("2024-05", true), Ok(Some("2024-05".into())));
        assert_eq!(parse_date("2024", true), Ok(Some("2024".into())));
        assert_eq!(parse_date("", true), Ok(None));
        assert!(
            parse_date("2024", false)
                .unwrap_err()
                .contains("dateString <2024>")
        );
        assert!(
            parse_date("2024-13", true)
                .unwrap_err()
                .starts_with("converting date")
        );
        assert!(parse_date("soon", true).is_err());
    }
}
