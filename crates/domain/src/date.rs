//! [`FuzzyDate`]: Stash's partial dates (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`).
//!
//! Stash v0.30 (appSchema 75) accepts and returns partial dates; older servers accept only full
//! dates, so the adapter widens a partial date before sending it to such a server.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// A date of year, month or day precision, as Stash stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FuzzyDate {
    /// `YYYY`
    Year(i32),
    /// `YYYY-MM` (month 1..=12)
    Month(i32, u32),
    /// `YYYY-MM-DD`
    Day(NaiveDate),
}

/// Why a text is not a [`FuzzyDate`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{input}' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD: {reason}")]
pub struct FuzzyDateError {
    /// The text that failed to parse.
    pub input: String,
    /// What was wrong with it.
    pub reason: &'static str,
}

impl FuzzyDate {
    /// The UTC calendar day of a timestamp (Stash dates carry no time zone; we always use UTC).
    pub fn from_utc(ts: DateTime<Utc>) -> Self {
        FuzzyDate::Day(ts.date_naive())
    }

    /// The earliest full day this date can mean (`2024` -> `2024-01-01`).
    pub fn first_day(self) -> Option<NaiveDate> {
        match self {
            FuzzyDate::Year(y) => NaiveDate::from_ymd_opt(y, 1, 1),
            FuzzyDate::Month(y, m) => NaiveDate::from_ymd_opt(y, m, 1),
            FuzzyDate::Day(d) => Some(d),
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        match self {
            FuzzyDate::Year(y) | FuzzyDate::Month(y, _) => y,
            FuzzyDate::Day(d) => d.year(),
        }
    }
}

impl fmt::Display for FuzzyDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FuzzyDate::Year(y) => write!(f, "{y:04}"),
            FuzzyDate::Month(y, m) => write!(f, "{y:04}-{m:02}"),
            FuzzyDate::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

impl FromStr for FuzzyDate {
    type Err = FuzzyDateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason| FuzzyDateError {
            input: s.to_owned(),
            reason,
        };
        let parts: Vec<&str> = s.split('-').collect();
        let num = |p: &str, len: usize| -> Result<u32, FuzzyDateError> {
            if p.len() != len || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err("each part must be digits of the right width"));
            }
            p.parse::<u32>().map_err(|_| err("not a number"))
        };
        match parts.as_slice() {
            [y] => Ok(FuzzyDate::Year(num(y, 4)? as i32)),
            [y, m] => {
                let (y, m) = (num(y, 4)? as i32, num(m, 2)?);
                if !(1..=12).contains(&m) {
                    return Err(err("month must be 01 to 12"));
                }
                Ok(FuzzyDate::Month(y, m))
            }
            [y, m, d] => {
                let (y, m, d) = (num(y, 4)? as i32, num(m, 2)?, num(d, 2)?);
                NaiveDate::from_ymd_opt(y, m, d)
                    .map(FuzzyDate::Day)
                    .ok_or_else(|| err("no such day"))
            }
            _ => Err(err("expected one to three parts separated by '-'")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    #[test]
    fn parses_the_three_precisions() {
        assert_eq!("2024".parse(), Ok(FuzzyDate::Year(2024)));
        assert_eq!("2024-05".parse(), Ok(FuzzyDate::Month(2024, 5)));
        assert_eq!(
            "2024-05-31".parse(),
            Ok(FuzzyDate::Day(
                NaiveDate::from_ymd_opt(2024, 5, 31).unwrap()
            ))
        );
    }

    #[test]
    fn rejects_what_stash_would_reject() {
        for bad in [
            "",
            "24",
            "2024-5",
            "2024-13",
            "2024-02-30",
            "2024-05-31-1",
            "20x4",
            "2024/05/01",
            "-2024",
        ] {
            let e = bad.parse::<FuzzyDate>().unwrap_err();
            assert_eq!(e.input, bad);
            assert!(e.to_string().contains("YYYY-MM-DD"), "{e}");
        }
    }

    #[test]
    fn formats_with_zero_padding() {
        assert_eq!(FuzzyDate::Month(2024, 3).to_string(), "2024-03");
        assert_eq!(FuzzyDate::Year(999).to_string(), "0999");
    }

    #[test]
    fn utc_day_of_a_timestamp() {
        let ts = Utc.with_ymd_and_hms(2025, 1, 19, 23, 59, 59).unwrap();
        assert_eq!(FuzzyDate::from_utc(ts).to_string(), "2025-01-19");
    }

    #[test]
    fn first_day_widens_partial_dates() {
        assert_eq!(
            FuzzyDate::Year(2020).first_day(),
            NaiveDate::from_ymd_opt(2020, 1, 1)
        );
        assert_eq!(
            FuzzyDate::Month(2020, 7).first_day(),
            NaiveDate::from_ymd_opt(2020, 7, 1)
        );
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(y in 1000i32..=9999, m in 1u32..=12, d in 1u32..=31, which in 0u8..3) {
            let date = match which {
                0 => FuzzyDate::Year(y),
                1 => FuzzyDate::Month(y, m),
                _ => match NaiveDate::from_ymd_opt(y, m, d) { Some(d) => FuzzyDate::Day(d), None => FuzzyDate::Month(y, m) },
            };
            prop_assert_eq!(date.to_string().parse::<FuzzyDate>(), Ok(date));
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(s in "\\PC{0,12}") {
            let _ = s.parse::<FuzzyDate>();
        }
    }
}
