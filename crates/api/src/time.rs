//! Timestamps are stored as UTC without a zone and shown as RFC 3339 UTC.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

pub fn utc(stored: NaiveDateTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&stored)
}

/// Europe/Oslo's calendar: the date there, and when its next day begins. Norway follows
/// the EU's summer time: UTC+2 from the last Sunday of March at 01:00 UTC to the last
/// Sunday of October at 01:00 UTC, UTC+1 otherwise. The rule is a few lines, so it is
/// written here rather than taken from a time zone database.
pub mod oslo {
    use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};

    /// Oslo's offset from UTC at `at`, in hours (1 in winter, 2 in summer).
    pub fn offset_hours(at: DateTime<Utc>) -> i64 {
        let year = at.year();
        let begins = switch(year, 3);
        let ends = switch(year, 10);
        if at >= begins && at < ends { 2 } else { 1 }
    }

    /// The date in Oslo at `at`.
    pub fn date(at: DateTime<Utc>) -> NaiveDate {
        (at + Duration::hours(offset_hours(at))).date_naive()
    }

    /// The first midnight in Oslo after `at`, in UTC: 23:00 UTC of the day before in
    /// winter, 22:00 in summer. Clocks change at 02:00 or 03:00 in Oslo, never at
    /// midnight, so every Oslo day has exactly one midnight.
    pub fn next_midnight(at: DateTime<Utc>) -> DateTime<Utc> {
        let next_day = date(at) + Duration::days(1);
        let local_midnight = Utc.from_utc_datetime(&next_day.and_time(chrono::NaiveTime::MIN));
        // The offset is the one in force just before the day begins, which no change of
        // clocks crosses: try summer's, then winter's.
        let hours = [2, 1]
            .into_iter()
            .find(|&hours| offset_hours(local_midnight - Duration::hours(hours)) == hours)
            .unwrap_or(1);
        local_midnight - Duration::hours(hours)
    }

    /// 01:00 UTC on the last Sunday of `month` (March or October) of `year`.
    fn switch(year: i32, month: u32) -> DateTime<Utc> {
        let last = NaiveDate::from_ymd_opt(year, month, 31)
            .or_else(|| NaiveDate::from_ymd_opt(year, month, 30))
            .unwrap_or(NaiveDate::MIN);
        let back = last.weekday().num_days_from_sunday();
        let sunday = last - Duration::days(i64::from(back));
        debug_assert_eq!(sunday.weekday(), Weekday::Sun);
        Utc.from_utc_datetime(&(sunday.and_time(chrono::NaiveTime::MIN) + Duration::hours(1)))
    }
}

/// What the service takes as today: the date in Europe/Oslo, where its organisations
/// are, unless a fixed date is set (`VEIKART_TODAY`, for tests that move time forward).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    pub fixed: Option<chrono::NaiveDate>,
}

impl Clock {
    /// The environment variable that fixes the date (tests only).
    pub const TODAY_ENV: &'static str = "VEIKART_TODAY";

    /// The clock, fixed by `VEIKART_TODAY` (`YYYY-MM-DD`) when set.
    pub fn from_env() -> Result<Self, String> {
        let Ok(value) = std::env::var(Self::TODAY_ENV) else {
            return Ok(Self::default());
        };
        let fixed = value.trim().parse::<chrono::NaiveDate>().map_err(|_| {
            format!(
                "{} must be a date (YYYY-MM-DD), not `{value}`",
                Self::TODAY_ENV
            )
        })?;
        Ok(Self { fixed: Some(fixed) })
    }

    /// Today.
    pub fn today(&self) -> chrono::NaiveDate {
        self.fixed.unwrap_or_else(|| oslo::date(Utc::now()))
    }
}

#[cfg(test)]
mod tests {
    use super::oslo;
    use chrono::{DateTime, NaiveDate, Utc};

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn oslo_changes_its_clocks_on_the_last_sundays_of_march_and_october_at_one_utc() {
        // 2026: the 29th of March and the 25th of October.
        assert_eq!(oslo::offset_hours(at("2026-03-29T00:59:59Z")), 1);
        assert_eq!(oslo::offset_hours(at("2026-03-29T01:00:00Z")), 2);
        assert_eq!(oslo::offset_hours(at("2026-10-25T00:59:59Z")), 2);
        assert_eq!(oslo::offset_hours(at("2026-10-25T01:00:00Z")), 1);
        // 2027: the 28th of March and the 31st of October (a month ending on a Sunday).
        assert_eq!(oslo::offset_hours(at("2027-03-28T01:00:00Z")), 2);
        assert_eq!(oslo::offset_hours(at("2027-10-31T00:30:00Z")), 2);
        assert_eq!(oslo::offset_hours(at("2027-10-31T01:00:00Z")), 1);
        assert_eq!(oslo::offset_hours(at("2027-01-15T12:00:00Z")), 1);
        assert_eq!(oslo::offset_hours(at("2027-07-15T12:00:00Z")), 2);
    }

    #[test]
    fn the_date_in_oslo_turns_at_its_midnight() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(oslo::date(at("2026-12-06T22:59:59Z")), day(2026, 12, 6));
        assert_eq!(oslo::date(at("2026-12-06T23:00:00Z")), day(2026, 12, 7));
        assert_eq!(oslo::date(at("2026-06-30T21:59:59Z")), day(2026, 6, 30));
        assert_eq!(oslo::date(at("2026-06-30T22:00:00Z")), day(2026, 7, 1));
    }

    #[test]
    fn the_next_oslo_midnight_is_right_across_the_changes_of_clocks() {
        let cases = [
            // winter, summer
            ("2026-12-06T11:00:00Z", "2026-12-06T23:00:00Z"),
            ("2026-06-30T12:00:00Z", "2026-06-30T22:00:00Z"),
            // just at a midnight: the next one
            ("2026-12-06T23:00:00Z", "2026-12-07T23:00:00Z"),
            // the day the clocks go forward begins in winter, the next in summer
            ("2026-03-28T12:00:00Z", "2026-03-28T23:00:00Z"),
            ("2026-03-29T12:00:00Z", "2026-03-29T22:00:00Z"),
            // the day they go back begins in summer, the next in winter
            ("2026-10-24T12:00:00Z", "2026-10-24T22:00:00Z"),
            ("2026-10-25T12:00:00Z", "2026-10-25T23:00:00Z"),
            // the turn of the year
            ("2026-12-31T22:59:00Z", "2026-12-31T23:00:00Z"),
        ];
        for (now, midnight) in cases {
            assert_eq!(oslo::next_midnight(at(now)), at(midnight), "after {now}");
        }
    }
}
