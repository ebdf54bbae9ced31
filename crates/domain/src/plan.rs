//! Action plans: their lifecycle and their period.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::text::{LongText, Title};
use crate::validation::Validator;
use crate::wire::wire_name;

/// Where a plan is in its life: a `draft` is being written, an `adopted` plan was
/// approved (by whom and when is recorded, e.g. "årsmøtet"), an `archived` plan is kept
/// for reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    Adopted,
    Archived,
}

impl PlanStatus {
    pub const ALL: [PlanStatus; 3] = [PlanStatus::Draft, PlanStatus::Adopted, PlanStatus::Archived];
}

wire_name!(PlanStatus);

/// The dates a plan runs, both inclusive; `start <= end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanPeriod {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl PlanPeriod {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, String> {
        if start <= end {
            Ok(Self { start, end })
        } else {
            Err("must not be before period_start".into())
        }
    }
}

/// A plan's fields as they will be stored, checked together: the rules that span fields
/// (period order, what an adopted plan must record) live here, once, for create and update.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanFields {
    pub title: Title,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub status: PlanStatus,
    pub adopted_on: Option<NaiveDate>,
    pub adopted_by: Option<Title>,
    pub published: bool,
    pub intro: Option<LongText>,
}

impl PlanFields {
    /// The rules between the fields (each field keeps its own by its type).
    pub fn validate(&self, v: &mut Validator) {
        if let Err(message) = PlanPeriod::new(self.period_start, self.period_end) {
            v.add("period_end", message);
        }
        match self.status {
            PlanStatus::Adopted => {
                if self.adopted_on.is_none() {
                    v.add("adopted_on", "is required when the plan is adopted");
                }
                if self.adopted_by.is_none() {
                    v.add("adopted_by", "is required when the plan is adopted");
                }
            }
            PlanStatus::Draft => {
                if self.adopted_on.is_some() || self.adopted_by.is_some() {
                    v.add("status", "a draft has not been adopted: clear adopted_on and adopted_by, or set status to adopted");
                }
            }
            // An archived plan keeps whatever adoption it had.
            PlanStatus::Archived => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn plan() -> PlanFields {
        PlanFields {
            title: Title::parse("Handlingsplan 2022").unwrap(),
            period_start: date("2022-04-01"),
            period_end: date("2022-12-31"),
            status: PlanStatus::Draft,
            adopted_on: None,
            adopted_by: None,
            published: false,
            intro: None,
        }
    }

    fn errors(p: &PlanFields) -> Vec<String> {
        let mut v = Validator::new();
        p.validate(&mut v);
        v.finish()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_plain_draft_is_valid() {
        assert!(errors(&plan()).is_empty());
    }

    #[test]
    fn a_period_that_ends_before_it_starts_is_refused() {
        let p = PlanFields {
            period_end: date("2022-03-31"),
            ..plan()
        };
        assert_eq!(errors(&p), ["period_end"]);
        let one_day = PlanFields {
            period_end: date("2022-04-01"),
            ..plan()
        };
        assert!(errors(&one_day).is_empty());
    }

    #[test]
    fn an_adopted_plan_records_when_and_by_whom() {
        let p = PlanFields {
            status: PlanStatus::Adopted,
            ..plan()
        };
        assert_eq!(errors(&p), ["adopted_on", "adopted_by"]);
        let ok = PlanFields {
            status: PlanStatus::Adopted,
            adopted_on: Some(date("2022-03-15")),
            adopted_by: Title::parse("årsmøtet").ok(),
            ..plan()
        };
        assert!(errors(&ok).is_empty());
    }

    #[test]
    fn a_draft_carries_no_adoption() {
        let p = PlanFields {
            adopted_by: Title::parse("årsmøtet").ok(),
            ..plan()
        };
        assert_eq!(errors(&p), ["status"]);
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for s in PlanStatus::ALL {
            assert_eq!(s.as_str().parse::<PlanStatus>(), Ok(s));
        }
    }
}
