//! Timestamps are stored as UTC without a zone and shown as RFC 3339 UTC.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

pub fn utc(stored: NaiveDateTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&stored)
}
