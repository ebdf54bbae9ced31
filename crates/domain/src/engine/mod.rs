//! The KPI engine: how a KPI stands at a date, computed from what the records say.
//!
//! Evaluating a KPI is three steps, and only the middle one touches data:
//! 1. [`Need::of`] says which facts the KPI needs at an `as_of` date (the aggregate at the
//!    date the actual is taken, the level at the period start, planned activities ahead);
//! 2. something measures them into a [`Measurement`]: the store with aggregate queries,
//!    or [`memory::measure`] over records in memory (the reference the store is tested
//!    against), or [`grouped::measure_all`] at many dates from records grouped by day;
//! 3. [`evaluate`] turns the measurement into a [`KpiResult`]: actual, start value,
//!    expected pace, progress, status, forecast and the monthly need — the rules of the
//!    product's "KPI semantics", and nothing else.
//!
//! [`rollup`] sums results up for a focus area, a goal or a plan.

pub mod grouped;
pub mod memory;
mod rollup;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use rollup::{Rollup, StatusCounts};

use crate::kpi::{Direction, KpiAggregate, KpiDefinition, KpiEntity};
use crate::wire::wire_name;

/// Days per month on average (365.25 / 12), for `needed_per_month`.
pub const DAYS_PER_MONTH: f64 = 30.4375;

/// Where a KPI stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KpiStatus {
    /// The date is before the KPI's period.
    NotStarted,
    /// Inside the period, but there is nothing to compute the actual from yet (a mean with
    /// no records, growth from a level of 0, a level with nothing to start from).
    NoData,
    /// At or better than the expected pace.
    OnTrack,
    /// Behind the expected pace by at most the tolerance.
    AtRisk,
    /// Behind the expected pace by more than the tolerance.
    OffTrack,
    /// The target is met (an `at_least` KPI at any time; any KPI at the period's end).
    Achieved,
    /// The period has ended and the target is not met.
    Missed,
}

wire_name!(KpiStatus);

impl KpiStatus {
    pub const ALL: [KpiStatus; 7] = [
        KpiStatus::NotStarted,
        KpiStatus::NoData,
        KpiStatus::OnTrack,
        KpiStatus::AtRisk,
        KpiStatus::OffTrack,
        KpiStatus::Achieved,
        KpiStatus::Missed,
    ];
}

/// The facts a KPI needs at one `as_of` date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    /// The KPI's period.
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The date the actual is taken at: `as_of`, or the end once the period is closed;
    /// `None` before the period starts (there is no actual yet).
    pub actual_at: Option<NaiveDate>,
    /// Whether the level at `start` is needed (a `level` or `growth_pct` with no baseline).
    pub level_at_start: bool,
    /// For an activity count while the period is open: the planned activities dated
    /// after this day up to the end are needed (`forecast.with_planned`).
    pub planned_after: Option<NaiveDate>,
}

impl Need {
    /// What `kpi`, with the period `(start, end)`, needs to be evaluated at `as_of`.
    pub fn of(kpi: &KpiDefinition, (start, end): (NaiveDate, NaiveDate), as_of: NaiveDate) -> Need {
        let aggregate = kpi.source.aggregate;
        let open = as_of >= start && as_of < end;
        Need {
            start,
            end,
            actual_at: (as_of >= start).then(|| as_of.min(end)),
            level_at_start: matches!(aggregate, KpiAggregate::Level | KpiAggregate::GrowthPct)
                && kpi.baseline.is_none(),
            planned_after: (open
                && aggregate == KpiAggregate::Count
                && kpi.source.entity == KpiEntity::Activity)
                .then_some(as_of),
        }
    }
}

/// What the records say, as a [`Need`] asked.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Measurement {
    /// The aggregate at `actual_at`: a count, a sum, a mean (`None` with no values), a
    /// level (`None` for a metric with no observation yet), or a milestone's 0 or 1.
    /// For `growth_pct`, the level. `None` when no actual was asked for.
    pub value: Option<f64>,
    /// The level at the period start, when asked for.
    pub level_at_start: Option<f64>,
    /// How many records the value counted.
    pub records_counted: u64,
    /// The newest date among those records.
    pub last_record_on: Option<NaiveDate>,
    /// Planned activities dated after `planned_after` up to the end, when asked for.
    pub planned_ahead: u64,
}

/// The two forecasts of a KPI's value at the period's end.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Forecast {
    /// The start value plus the change so far extrapolated at the same pace to the end
    /// (for a `mean`, the mean so far); `null` without an actual.
    pub run_rate: Option<f64>,
    /// An activity count's actual plus the activities planned for the rest of the period
    /// that match every filter but the status; `null` for every other KPI.
    pub with_planned: Option<f64>,
}

/// A KPI's standing at a date.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KpiResult {
    pub kpi_id: i64,
    /// The date the result is for.
    pub as_of: NaiveDate,
    /// The KPI's period (its own, or its plan's).
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// The value so far (at the end once the period is closed); `null` before the start
    /// and when there is nothing to compute it from.
    pub actual: Option<f64>,
    /// Where the pace starts: 0 for counts, sums, growth and milestones; the baseline or
    /// the level at the start for a level; the baseline (if any) for a mean.
    pub start_value: Option<f64>,
    /// Where the KPI should be at `as_of` at a linear pace from the start value to the
    /// target (for a mean, the target).
    pub expected: Option<f64>,
    /// `(actual − start_value) / (target − start_value)`, not clamped (for a mean,
    /// `actual / target`); `null` when undefined.
    pub progress: Option<f64>,
    pub status: KpiStatus,
    pub forecast: Forecast,
    /// For an `at_least` count, sum, level or growth before its end: how much it must
    /// still gain per month (30.4375 days) to reach the target; `null` otherwise.
    pub needed_per_month: Option<f64>,
    /// How many records the actual counted (see the KPI's `records` for which).
    pub records_counted: u64,
    /// The newest date among the records counted, so stale data shows.
    pub last_record_on: Option<NaiveDate>,
}

/// The share of the period elapsed at `as_of`, counting both ends' days.
pub fn elapsed((start, end): (NaiveDate, NaiveDate), as_of: NaiveDate) -> f64 {
    let days = (as_of - start).num_days() as f64 + 1.0;
    let total = (end - start).num_days() as f64 + 1.0;
    (days / total).clamp(0.0, 1.0)
}

/// Evaluates `kpi` (with the period `(start, end)`) at `as_of` from `m`, measured for
/// [`Need::of`] the same arguments.
pub fn evaluate(
    kpi_id: i64,
    kpi: &KpiDefinition,
    (start, end): (NaiveDate, NaiveDate),
    as_of: NaiveDate,
    m: &Measurement,
) -> KpiResult {
    let started = as_of >= start;
    let elapsed = elapsed((start, end), as_of);
    let start_value = start_value(kpi, m);
    let actual = if started { actual(kpi, m) } else { None };
    let expected = expected(kpi, start_value, elapsed);
    let status = if !started {
        KpiStatus::NotStarted
    } else if as_of >= end {
        closed_status(kpi, actual)
    } else {
        open_status(kpi, actual, expected, start_value)
    };
    KpiResult {
        kpi_id,
        as_of,
        period_start: start,
        period_end: end,
        actual,
        start_value,
        expected,
        progress: progress(kpi, actual, start_value),
        status,
        forecast: Forecast {
            run_rate: run_rate(kpi, actual, start_value, elapsed),
            with_planned: with_planned(kpi, actual, m),
        },
        needed_per_month: needed_per_month(kpi, actual, as_of, end),
        records_counted: if started { m.records_counted } else { 0 },
        last_record_on: if started { m.last_record_on } else { None },
    }
}

/// Where the pace starts: 0 for counts, sums, growth and milestones; the baseline or the
/// level at the start for a level; the baseline (if any) for a mean.
fn start_value(kpi: &KpiDefinition, m: &Measurement) -> Option<f64> {
    match kpi.source.aggregate {
        KpiAggregate::Count | KpiAggregate::Sum | KpiAggregate::GrowthPct => Some(0.0),
        KpiAggregate::Milestone => Some(0.0),
        KpiAggregate::Level => kpi.baseline.or(m.level_at_start),
        KpiAggregate::Mean => kpi.baseline,
    }
}

/// The value so far, once the period has started: the measured value, or for growth its
/// change in per cent from the base level (none from a base of 0).
fn actual(kpi: &KpiDefinition, m: &Measurement) -> Option<f64> {
    if kpi.source.aggregate != KpiAggregate::GrowthPct {
        return m.value;
    }
    let base = kpi.baseline.or(m.level_at_start);
    match (m.value, base) {
        (Some(level), Some(base)) if base != 0.0 => Some((level - base) / base * 100.0),
        _ => None,
    }
}

/// Where the KPI should be after `elapsed` of its period: at a linear pace from the start
/// value to the target; a mean, at its target.
fn expected(kpi: &KpiDefinition, start_value: Option<f64>, elapsed: f64) -> Option<f64> {
    let target = kpi.target;
    if kpi.source.aggregate == KpiAggregate::Mean {
        Some(target)
    } else {
        start_value.map(|s| s + (target - s) * elapsed)
    }
}

/// How far the actual has come from the start value towards the target (a mean: the
/// actual over the target); none when undefined.
fn progress(kpi: &KpiDefinition, actual: Option<f64>, start_value: Option<f64>) -> Option<f64> {
    let target = kpi.target;
    match (kpi.source.aggregate, actual, start_value) {
        (KpiAggregate::Mean, Some(a), _) => nonzero(target).map(|t| a / t),
        (_, Some(a), Some(s)) => nonzero(target - s).map(|d| (a - s) / d),
        _ => None,
    }
}

/// Whether a value meets the KPI's target in its direction.
fn meets(kpi: &KpiDefinition, value: f64) -> bool {
    match kpi.direction {
        Direction::AtLeast => value >= kpi.target,
        Direction::AtMost => value <= kpi.target,
    }
}

/// The status once the period has ended: achieved when the actual meets the target.
fn closed_status(kpi: &KpiDefinition, actual: Option<f64>) -> KpiStatus {
    if actual.is_some_and(|a| meets(kpi, a)) {
        KpiStatus::Achieved
    } else {
        KpiStatus::Missed
    }
}

/// The status while the period is open: an `at_least` target met is achieved; else the
/// actual against the expected pace, behind it by at most the tolerance (of the distance
/// from the start value to the target; a mean's, of the target) at risk.
fn open_status(
    kpi: &KpiDefinition,
    actual: Option<f64>,
    expected: Option<f64>,
    start_value: Option<f64>,
) -> KpiStatus {
    let target = kpi.target;
    match (actual, expected) {
        (None, _) | (_, None) => KpiStatus::NoData,
        (Some(a), _) if kpi.direction == Direction::AtLeast && a >= target => KpiStatus::Achieved,
        (Some(a), Some(e)) => {
            // How far the actual is behind the pace (negative when ahead).
            let behind = match kpi.direction {
                Direction::AtLeast => e - a,
                Direction::AtMost => a - e,
            };
            let scale = match kpi.source.aggregate {
                KpiAggregate::Mean => target.abs(),
                _ => (target - start_value.unwrap_or(0.0)).abs(),
            };
            if behind <= 0.0 {
                KpiStatus::OnTrack
            } else if behind <= kpi.tolerance * scale {
                KpiStatus::AtRisk
            } else {
                KpiStatus::OffTrack
            }
        }
    }
}

/// The start value plus the change so far extrapolated at the same pace to the end (a
/// mean: the mean so far).
fn run_rate(
    kpi: &KpiDefinition,
    actual: Option<f64>,
    start_value: Option<f64>,
    elapsed: f64,
) -> Option<f64> {
    match (kpi.source.aggregate, actual, start_value) {
        (KpiAggregate::Mean, Some(a), _) => Some(a),
        (_, Some(a), Some(s)) if elapsed > 0.0 => Some(s + (a - s) / elapsed),
        _ => None,
    }
}

/// An activity count's actual plus the activities planned for the rest of the period.
fn with_planned(kpi: &KpiDefinition, actual: Option<f64>, m: &Measurement) -> Option<f64> {
    (kpi.source.aggregate == KpiAggregate::Count && kpi.source.entity == KpiEntity::Activity)
        .then(|| actual.map(|a| a + m.planned_ahead as f64))
        .flatten()
}

/// For an `at_least` count, sum, level or growth before its end: what it must still gain
/// per month to reach the target.
fn needed_per_month(
    kpi: &KpiDefinition,
    actual: Option<f64>,
    as_of: NaiveDate,
    end: NaiveDate,
) -> Option<f64> {
    match (kpi.direction, kpi.source.aggregate, actual) {
        (Direction::AtLeast, KpiAggregate::Mean | KpiAggregate::Milestone, _) => None,
        (Direction::AtLeast, _, Some(a)) if as_of < end => {
            let days_left = (end - as_of).num_days() as f64;
            Some((kpi.target - a).max(0.0) * DAYS_PER_MONTH / days_left)
        }
        _ => None,
    }
}

fn nonzero(x: f64) -> Option<f64> {
    (x != 0.0).then_some(x)
}

/// The dates of a monthly series from `from` to `to`: every month's last day in the
/// range, and `to` itself when it is not one.
pub fn month_ends(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    use chrono::Datelike;
    let mut dates = Vec::new();
    let mut month = NaiveDate::from_ymd_opt(from.year(), from.month(), 1);
    while let Some(first) = month {
        let next = first.checked_add_months(chrono::Months::new(1));
        let last = match next {
            Some(next) => next.pred_opt(),
            None => Some(NaiveDate::MAX),
        };
        match last {
            Some(last) if last <= to => {
                if last >= from {
                    dates.push(last);
                }
            }
            _ => break,
        }
        month = next;
    }
    if dates.last() != Some(&to) && from <= to {
        dates.push(to);
    }
    dates
}

#[cfg(test)]
mod tests;
