//! When a failed delivery is tried again: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h
//! and 24 h after each failure in a row, each ±10 % (so that endpoints failing together
//! are not retried together), or when the receiver's `Retry-After` says on 429 and 503.
//! An endpoint still failing after the last retry, or for three days, is given up on.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};

/// The wait before each retry, in seconds: the first after the first failure.
pub const RETRY_SECONDS: [u64; 9] = [5, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 72_000, 86_400];

/// How long an endpoint may fail without a success before it is disabled.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(3 * 86_400);

/// The longest `Retry-After` honoured (a longer one waits this long).
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(86_400);

/// The retry schedule, scaled by `scale` (1 in production; tests shorten it with
/// `VEIKART_WEBHOOK_RETRY_SCALE`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    pub scale: f64,
}

impl Default for Schedule {
    fn default() -> Self {
        Self { scale: 1.0 }
    }
}

impl Schedule {
    /// The wait after the `failures`-th failure in a row (1 for the first), with `jitter`
    /// in [-1, 1] spreading it by up to 10 %; `None` past the last retry.
    pub fn wait_after(&self, failures: i32, jitter: f64) -> Option<Duration> {
        let index = usize::try_from(failures).ok()?.checked_sub(1)?;
        let base = *RETRY_SECONDS.get(index)? as f64 * self.scale;
        Some(Duration::from_secs_f64(
            (base * (1.0 + 0.1 * jitter.clamp(-1.0, 1.0))).max(0.0),
        ))
    }

    /// Whether an endpoint failing since `since` has failed for too long at `now`.
    pub fn given_up(&self, since: NaiveDateTime, now: NaiveDateTime) -> bool {
        let limit = GIVE_UP_AFTER.as_secs_f64() * self.scale;
        (now - since).as_seconds_f64() >= limit
    }
}

/// A number in [-1, 1] from the system's random source (0 when it has none).
pub fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX) * 2.0 - 1.0,
        Err(_) => 0.0,
    }
}

/// The wait a `Retry-After` value asks for at `now`: whole seconds, or an HTTP date;
/// at most [`RETRY_AFTER_CAP`]. `None` when it is neither.
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let at = DateTime::parse_from_rfc2822(value).ok()?;
            (at.with_timezone(&Utc) - now)
                .to_std()
                .unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(RETRY_AFTER_CAP))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_is_the_documented_one_and_ends() {
        let schedule = Schedule::default();
        let waits: Vec<u64> = (1..=9)
            .map(|n| schedule.wait_after(n, 0.0).unwrap().as_secs())
            .collect();
        assert_eq!(waits, RETRY_SECONDS);
        assert_eq!(schedule.wait_after(10, 0.0), None);
        assert_eq!(schedule.wait_after(0, 0.0), None);
    }

    #[test]
    fn jitter_spreads_a_wait_by_at_most_a_tenth() {
        let schedule = Schedule::default();
        assert_eq!(schedule.wait_after(2, 1.0).unwrap().as_secs(), 330);
        assert_eq!(schedule.wait_after(2, -1.0).unwrap().as_secs(), 270);
        for _ in 0..100 {
            let j = jitter();
            assert!((-1.0..=1.0).contains(&j), "{j}");
        }
    }

    #[test]
    fn a_scale_shortens_the_waits_and_the_time_to_give_up() {
        let schedule = Schedule { scale: 0.01 };
        assert_eq!(schedule.wait_after(1, 0.0).unwrap().as_millis(), 50);
        let since = chrono::DateTime::UNIX_EPOCH.naive_utc();
        let day = chrono::Duration::days(1);
        assert!(!schedule.given_up(since, since + day / 1000));
        assert!(schedule.given_up(since, since + day));
        assert!(!Schedule::default().given_up(since, since + day * 2));
        assert!(Schedule::default().given_up(since, since + day * 3));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:29:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(retry_after("999999999", now), Some(RETRY_AFTER_CAP));
        assert_eq!(retry_after("soon", now), None);
    }
}
