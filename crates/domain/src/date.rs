//! Calendar days as the API speaks them.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A calendar day, `YYYY-MM-DD` (RFC 3339 `full-date`), in the years 0001–9999.
///
/// Every date a client sends is parsed into this type, so a date that exists in Veikart
/// is one every client can read back: chrono alone would also take `2022-1-5`,
/// `-0040-03-13` or `+12345-01-01`, which no `format: date` reader accepts. Days are
/// stored as chrono's `NaiveDate`; the store turns them back into `Date` for documents.
///
/// The OpenAPI document describes a field of this type as `type: string, format: date`
/// (utoipa's chrono support treats a type named `Date` as that primitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NaiveDate);

impl Date {
    /// The earliest day Veikart stores: 0001-01-01.
    pub const MIN: Date = Date(NaiveDate::from_ymd_opt(1, 1, 1).expect("valid"));
    /// The latest day Veikart stores: 9999-12-31.
    pub const MAX: Date = Date(NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid"));

    /// The day, when it lies in 0001–9999.
    pub fn new(day: NaiveDate) -> Option<Date> {
        (1..=9999).contains(&day.year()).then_some(Date(day))
    }

    pub const fn get(self) -> NaiveDate {
        self.0
    }

    /// Moves the day by whole years (29 February becomes 28 February), then by days;
    /// `None` when the result would leave 0001–9999.
    pub fn shifted(self, years: i32, days: i64) -> Option<Date> {
        let months = chrono::Months::new(years.unsigned_abs().checked_mul(12)?);
        let moved = if years >= 0 {
            self.0.checked_add_months(months)?
        } else {
            self.0.checked_sub_months(months)?
        };
        Date::new(moved.checked_add_signed(chrono::TimeDelta::try_days(days)?)?)
    }
}

impl From<Date> for NaiveDate {
    fn from(day: Date) -> NaiveDate {
        day.0
    }
}

impl TryFrom<NaiveDate> for Date {
    type Error = DateError;
    fn try_from(day: NaiveDate) -> Result<Date, DateError> {
        Date::new(day).ok_or(DateError)
    }
}

/// Why a text is not a [`Date`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateError;

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("must be a date YYYY-MM-DD between 0001-01-01 and 9999-12-31")
    }
}

impl std::error::Error for DateError {}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Date, DateError> {
        // The shape first: chrono's `%Y` also takes signs, fewer or more digits.
        let shaped = s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        if !shaped {
            return Err(DateError);
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(Date::new)
            .ok_or(DateError)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Years 1–9999 always print as four digits.
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date YYYY-MM-DD")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Date, E> {
                s.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn only_four_digit_years_from_0001_to_9999_parse() {
        for ok in ["2022-04-01", "0001-01-01", "9999-12-31", "2024-02-29"] {
            assert_eq!(day(ok).to_string(), ok);
        }
        for bad in [
            "-0040-03-13",
            "+12345-01-01",
            "0000-01-01",
            "2022-1-5",
            "2022-02-30",
            "2023-02-29",
            "2022-13-01",
            "20220401",
            "2022-04-01T00:00:00Z",
            " 2022-04-01",
            "२०२२-04-01",
            "",
        ] {
            assert_eq!(bad.parse::<Date>(), Err(DateError), "{bad}");
        }
    }

    #[test]
    fn json_round_trip_and_refusal() {
        let d: Date = serde_json::from_str("\"2022-04-01\"").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2022-04-01\"");
        let err = serde_json::from_str::<Date>("\"-0040-03-13\"").unwrap_err();
        assert!(err.to_string().contains("0001-01-01"), "{err}");
        assert!(serde_json::from_str::<Date>("20220401").is_err());
    }

    #[test]
    fn shifts_by_years_then_days_within_range() {
        assert_eq!(day("2022-04-01").shifted(1, 0), Some(day("2023-04-01")));
        assert_eq!(day("2024-02-29").shifted(1, 0), Some(day("2025-02-28")));
        assert_eq!(day("2022-04-01").shifted(0, 30), Some(day("2022-05-01")));
        assert_eq!(day("2022-04-01").shifted(-1, -1), Some(day("2021-03-31")));
        assert_eq!(day("0018-01-01").shifted(-17, 0), Some(Date::MIN));
        assert_eq!(day("0018-01-01").shifted(-58, -670), None);
        assert_eq!(day("9999-12-31").shifted(0, 1), None);
        assert_eq!(day("0001-01-01").shifted(0, -1), None);
        assert_eq!(day("2022-04-01").shifted(i32::MIN, 0), None);
        assert_eq!(day("2022-04-01").shifted(0, i64::MAX), None);
        assert_eq!(Date::MAX.shifted(0, 0), Some(Date::MAX));
    }

    #[test]
    fn out_of_range_days_are_refused_from_chrono_too() {
        assert_eq!(Date::new(NaiveDate::from_ymd_opt(0, 1, 1).unwrap()), None);
        assert_eq!(
            Date::new(NaiveDate::from_ymd_opt(10000, 1, 1).unwrap()),
            None
        );
        assert_eq!(Date::try_from(Date::MIN.get()), Ok(Date::MIN));
    }
}
