//! The parts of a plan besides its KPIs: strategies, goals and their check-ins, focus
//! areas, measures and budget lines. Each has its field rules here, used alike by the
//! single-resource endpoints and by the plan document.

use serde::{Deserialize, Serialize};

use crate::validation::Validator;

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 20_000;
pub const NAME_MAX: usize = 200;
pub const CODE_MAX: usize = 32;

pub use crate::wire::WireName;
use crate::wire::wire_name;

/// How far a measure (tiltak) has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MeasureStatus {
    #[default]
    Planned,
    InProgress,
    Done,
    Cancelled,
}

wire_name!(MeasureStatus);

/// How a qualitative goal is doing, as judged at a check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckInStatus {
    OnTrack,
    AtRisk,
    OffTrack,
    Achieved,
}

wire_name!(CheckInStatus);

/// A period's end must not come before its start.
pub fn check_period<D: PartialOrd>(v: &mut Validator, start: D, end: D) {
    if end < start {
        v.add("period_end", "must not be before period_start");
    }
}

/// An optional free text: no NUL, at most `max` characters.
pub fn check_optional_text(v: &mut Validator, field: &str, value: Option<&str>, max: usize) {
    if let Some(value) = value {
        v.text(field, value, false, max);
    }
}

/// A goal key: how plan documents and KPIs refer to a goal, e.g. `member-growth`.
pub const GOAL_KEY_PATTERN: &str = "^[a-z0-9][a-z0-9_-]{0,63}$";

pub fn check_goal_key(v: &mut Validator, field: &str, key: &str) {
    let ok = (1..=64).contains(&key.len())
        && key
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if !ok {
        v.add(
            field,
            "must be 1-64 characters of a-z, 0-9, '_' and '-', starting with a letter or digit",
        );
    }
}

/// A focus area's or measure's number: 1 or more.
pub fn check_number(v: &mut Validator, field: &str, number: i32) {
    if number < 1 {
        v.add(field, "must be 1 or more");
    }
}

/// A budget code: 1–32 characters without NUL.
pub fn check_code(v: &mut Validator, field: &str, code: &str) {
    v.text(field, code, true, CODE_MAX);
}

/// Amounts in whole NOK: not negative.
pub fn check_amount(v: &mut Validator, field: &str, amount: i64) {
    if amount < 0 {
        v.add(field, "must not be negative");
    }
}

/// A check-in's confidence: 0 (none) to 10 (certain).
pub fn check_confidence(v: &mut Validator, confidence: i32) {
    if !(0..=10).contains(&confidence) {
        v.add("confidence", "must be between 0 and 10");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goal_keys_are_short_names() {
        for ok in ["member-growth", "g1", "2-1_a"] {
            let mut v = Validator::new();
            check_goal_key(&mut v, "key", ok);
            assert!(v.is_empty(), "{ok}");
        }
        for bad in ["", "-x", "Member", "a b", &"x".repeat(65)] {
            let mut v = Validator::new();
            check_goal_key(&mut v, "key", bad);
            assert!(!v.is_empty(), "{bad}");
        }
    }

    #[test]
    fn statuses_read_their_wire_names() {
        assert_eq!(
            "in_progress".parse::<MeasureStatus>(),
            Ok(MeasureStatus::InProgress)
        );
        assert_eq!(CheckInStatus::AtRisk.as_str(), "at_risk");
        assert!("late".parse::<MeasureStatus>().is_err());
    }
}
