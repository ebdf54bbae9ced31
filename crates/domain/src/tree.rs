//! The parts of a plan besides its KPIs: strategies, goals and their check-ins, focus
//! areas, measures and budget lines. Their single fields carry their rules in their types
//! (`text.rs`, `number.rs`); the statuses and the rules of a goal key and a period are
//! here, used alike by the single-resource endpoints and by the plan document.

use serde::{Deserialize, Serialize};

use crate::validation::Validator;

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

#[cfg(test)]
mod tests {
    use super::*;

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
