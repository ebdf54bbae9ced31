use chrono::NaiveDate;
use proptest::prelude::*;

use super::memory::{self, Records};
use super::*;
use crate::Date;
use crate::kpi::{
    ActivityKind, ActivityStatus, KpiFilters, KpiSource, MembershipType, ProjectRole,
};
use crate::number::{Count, Funding};
use crate::org::OrganisationNumber;
use crate::records::{
    ActivityFields, Dimension, MemberFields, MetricKey, MilestoneFields, Municipality,
    ObservationFields, ProjectFields, ProjectStatus, Title,
};
use crate::text::Key;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const YEAR: (&str, &str) = ("2022-01-01", "2022-12-31");

fn period() -> (NaiveDate, NaiveDate) {
    (d(YEAR.0), d(YEAR.1))
}

fn kpi(
    entity: KpiEntity,
    aggregate: KpiAggregate,
    direction: Direction,
    target: f64,
) -> KpiDefinition {
    KpiDefinition {
        source: KpiSource {
            entity,
            aggregate,
            field: None,
            filters: KpiFilters::default(),
        },
        direction,
        target,
        baseline: None,
        period_start: None,
        period_end: None,
        tolerance: KpiDefinition::DEFAULT_TOLERANCE,
    }
}

fn count(target: f64) -> KpiDefinition {
    kpi(
        KpiEntity::Activity,
        KpiAggregate::Count,
        Direction::AtLeast,
        target,
    )
}

fn value(v: f64) -> Measurement {
    Measurement {
        value: Some(v),
        ..Measurement::default()
    }
}

fn at(k: &KpiDefinition, as_of: &str, m: Measurement) -> KpiResult {
    evaluate(7, k, period(), d(as_of), &m)
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

// --- The worked example of the product's semantics -------------------------------------

#[test]
fn the_worked_example() {
    let r = at(&count(40.0), "2022-06-30", value(18.0));
    assert!(close(r.expected, 40.0 * 181.0 / 365.0), "{:?}", r.expected);
    assert_eq!(format!("{:.2}", r.expected.unwrap()), "19.84");
    assert_eq!(r.status, KpiStatus::AtRisk);
    assert_eq!(format!("{:.1}", r.forecast.run_rate.unwrap()), "36.3");
    assert!(close(r.progress, 18.0 / 40.0));
    assert!(close(r.needed_per_month, 22.0 * DAYS_PER_MONTH / 184.0));
    assert_eq!(r.kpi_id, 7);
    assert_eq!((r.period_start, r.period_end), period());
}

// --- Period edges -----------------------------------------------------------------------

#[test]
fn before_the_start_nothing_is_measured_and_nothing_is_known() {
    let k = count(40.0);
    let need = Need::of(&k, period(), d("2021-12-31"));
    assert_eq!(need.actual_at, None);
    assert_eq!(need.planned_after, None);
    let r = at(&k, "2021-12-31", value(3.0));
    assert_eq!(r.status, KpiStatus::NotStarted);
    assert_eq!((r.actual, r.progress), (None, None));
    assert_eq!(
        r.forecast,
        Forecast {
            run_rate: None,
            with_planned: None
        }
    );
    assert_eq!(r.needed_per_month, None);
    assert_eq!(r.expected, Some(0.0));
    assert_eq!((r.records_counted, r.last_record_on), (0, None));
}

#[test]
fn on_the_first_day_one_day_of_the_period_has_passed() {
    let k = count(365.0);
    assert_eq!(
        Need::of(&k, period(), d("2022-01-01")).actual_at,
        Some(d("2022-01-01"))
    );
    let r = at(&k, "2022-01-01", value(1.0));
    assert!(close(r.expected, 1.0));
    assert_eq!(r.status, KpiStatus::OnTrack);
    assert!(close(r.forecast.run_rate, 365.0));
    let r = at(&k, "2022-01-01", value(0.0));
    assert_eq!(r.status, KpiStatus::AtRisk, "1 behind, tolerance 36.5");
}

#[test]
fn on_the_last_day_the_period_is_closed() {
    let k = count(40.0);
    let need = Need::of(&k, period(), d("2022-12-31"));
    assert_eq!(need.actual_at, Some(d("2022-12-31")));
    assert_eq!(need.planned_after, None, "nothing is ahead");
    let r = at(&k, "2022-12-31", value(39.0));
    assert_eq!(r.status, KpiStatus::Missed);
    assert!(close(r.expected, 40.0));
    assert_eq!(r.needed_per_month, None);
    assert!(close(r.forecast.with_planned, 39.0));
    assert_eq!(
        at(&k, "2022-12-31", value(40.0)).status,
        KpiStatus::Achieved
    );
}

#[test]
fn after_the_end_the_actual_is_taken_at_the_end() {
    let k = count(40.0);
    assert_eq!(
        Need::of(&k, period(), d("2023-05-01")).actual_at,
        Some(d("2022-12-31"))
    );
    let r = at(&k, "2023-05-01", value(41.0));
    assert_eq!(r.status, KpiStatus::Achieved);
    assert_eq!(r.as_of, d("2023-05-01"));
    assert!(close(r.expected, 40.0));
}

#[test]
fn elapsed_counts_both_ends() {
    assert_eq!(elapsed(period(), d("2021-06-01")), 0.0);
    assert!((elapsed(period(), d("2022-01-01")) - 1.0 / 365.0).abs() < 1e-12);
    assert_eq!(elapsed(period(), d("2022-12-31")), 1.0);
    assert_eq!(elapsed(period(), d("2030-01-01")), 1.0);
}

// --- Statuses, for each direction -------------------------------------------------------

#[test]
fn at_least_statuses() {
    let k = count(40.0); // expected on 2022-06-30: 19.84, tolerance 4
    let status = |v: f64| at(&k, "2022-06-30", value(v)).status;
    assert_eq!(status(40.0), KpiStatus::Achieved, "met before the end");
    assert_eq!(status(25.0), KpiStatus::OnTrack);
    assert_eq!(
        status(40.0 * 181.0 / 365.0),
        KpiStatus::OnTrack,
        "exactly on pace"
    );
    assert_eq!(status(16.0), KpiStatus::AtRisk);
    assert_eq!(status(15.84), KpiStatus::AtRisk, "3.996 behind");
    assert_eq!(status(15.8), KpiStatus::OffTrack, "4.036 behind");
    assert_eq!(at(&k, "2022-12-31", value(12.0)).status, KpiStatus::Missed);
}

#[test]
fn at_most_statuses() {
    // At most 10 cancelled activities: expected on 2022-06-30 is 4.96, tolerance 1.
    let mut k = count(10.0);
    k.direction = Direction::AtMost;
    let status = |v: f64| at(&k, "2022-06-30", value(v)).status;
    assert_eq!(
        status(0.0),
        KpiStatus::OnTrack,
        "under the ceiling is not yet achieved"
    );
    assert_eq!(status(4.0), KpiStatus::OnTrack);
    assert_eq!(status(5.9), KpiStatus::AtRisk);
    assert_eq!(status(6.0), KpiStatus::OffTrack);
    assert_eq!(status(11.0), KpiStatus::OffTrack);
    assert_eq!(
        at(&k, "2022-12-31", value(10.0)).status,
        KpiStatus::Achieved
    );
    assert_eq!(at(&k, "2022-12-31", value(11.0)).status, KpiStatus::Missed);
    assert_eq!(
        at(&k, "2022-06-30", value(3.0)).needed_per_month,
        None,
        "only for at_least"
    );
}

#[test]
fn a_sum_paces_from_zero() {
    let mut k = kpi(
        KpiEntity::Project,
        KpiAggregate::Sum,
        Direction::AtLeast,
        1_000_000.0,
    );
    k.source.field = Some("external_funding".into());
    let r = at(&k, "2022-06-30", value(450_000.0));
    assert_eq!(r.start_value, Some(0.0));
    assert_eq!(r.status, KpiStatus::AtRisk);
    assert!(close(r.progress, 0.45));
    assert_eq!(
        r.forecast.with_planned, None,
        "only activity counts plan ahead"
    );
}

#[test]
fn a_mean_is_held_against_its_target_without_pace() {
    let mut k = kpi(
        KpiEntity::Survey,
        KpiAggregate::Mean,
        Direction::AtLeast,
        4.0,
    );
    k.source.field = Some("mean_score".into());
    let r = at(&k, "2022-06-30", value(3.8));
    assert_eq!(r.expected, Some(4.0));
    assert_eq!(r.start_value, None);
    assert!(close(r.progress, 0.95));
    assert_eq!(r.status, KpiStatus::AtRisk, "0.2 behind, tolerance 0.4");
    assert!(close(r.forecast.run_rate, 3.8));
    assert_eq!(r.needed_per_month, None);
    assert_eq!(at(&k, "2022-06-30", value(3.5)).status, KpiStatus::OffTrack);
    assert_eq!(at(&k, "2022-06-30", value(4.0)).status, KpiStatus::Achieved);
    // No survey yet: no data before the end, missed at the end.
    let none = Measurement::default();
    assert_eq!(at(&k, "2022-06-30", none).status, KpiStatus::NoData);
    assert_eq!(at(&k, "2022-06-30", none).forecast.run_rate, None);
    assert_eq!(at(&k, "2022-12-31", none).status, KpiStatus::Missed);
    // At most: a mean below the ceiling is on track.
    k.direction = Direction::AtMost;
    assert_eq!(at(&k, "2022-06-30", value(3.9)).status, KpiStatus::OnTrack);
    assert_eq!(at(&k, "2022-06-30", value(4.3)).status, KpiStatus::AtRisk);
    assert_eq!(at(&k, "2022-06-30", value(4.5)).status, KpiStatus::OffTrack);
    k.target = 0.0;
    assert_eq!(
        at(&k, "2022-06-30", value(0.0)).progress,
        None,
        "no progress towards 0"
    );
}

#[test]
fn a_level_paces_from_the_level_at_the_start() {
    let k = kpi(
        KpiEntity::Member,
        KpiAggregate::Level,
        Direction::AtLeast,
        200.0,
    );
    let need = Need::of(&k, period(), d("2022-06-30"));
    assert!(need.level_at_start);
    let m = Measurement {
        value: Some(180.0),
        level_at_start: Some(160.0),
        ..Measurement::default()
    };
    let r = at(&k, "2022-06-30", m);
    assert_eq!(r.start_value, Some(160.0));
    assert!(close(r.expected, 160.0 + 40.0 * 181.0 / 365.0));
    assert!(close(r.progress, 0.5));
    assert_eq!(r.status, KpiStatus::OnTrack);
    assert!(close(r.forecast.run_rate, 160.0 + 20.0 * 365.0 / 181.0));
    // A baseline replaces the level at the start, and is not measured.
    let mut b = k.clone();
    b.baseline = Some(170.0);
    assert!(!Need::of(&b, period(), d("2022-06-30")).level_at_start);
    let r = at(&b, "2022-06-30", m);
    assert_eq!(r.start_value, Some(170.0));
    assert!(close(r.progress, 1.0 / 3.0));
    assert_eq!(
        r.status,
        KpiStatus::OffTrack,
        "behind 184.88 by 4.88, tolerance 3"
    );
    assert_eq!(at(&b, "2022-06-30", value(182.0)).status, KpiStatus::AtRisk);
    // With no level to start from, there is no pace.
    let r = at(&k, "2022-06-30", value(180.0));
    assert_eq!((r.start_value, r.expected, r.progress), (None, None, None));
    assert_eq!(r.status, KpiStatus::NoData);
}

#[test]
fn a_zero_baseline_is_a_start_value_like_any_other() {
    let mut k = kpi(
        KpiEntity::Metric,
        KpiAggregate::Level,
        Direction::AtLeast,
        1000.0,
    );
    k.baseline = Some(0.0);
    let r = at(&k, "2022-06-30", value(600.0));
    assert_eq!(r.start_value, Some(0.0));
    assert!(close(r.progress, 0.6));
    assert_eq!(r.status, KpiStatus::OnTrack);
}

#[test]
fn growth_is_measured_from_the_base_level() {
    let k = kpi(
        KpiEntity::Metric,
        KpiAggregate::GrowthPct,
        Direction::AtLeast,
        30.0,
    );
    let m = |now: f64, base: f64| Measurement {
        value: Some(now),
        level_at_start: Some(base),
        ..Measurement::default()
    };
    // The demo's social-media growth at mid-year: 4 805 → 5 413.
    let r = at(&k, "2022-06-30", m(5413.0, 4805.0));
    assert_eq!(format!("{:.2}", r.actual.unwrap()), "12.65");
    assert_eq!(r.start_value, Some(0.0));
    assert_eq!(format!("{:.2}", r.expected.unwrap()), "14.88");
    assert_eq!(r.status, KpiStatus::AtRisk);
    // Growth from nothing is undefined: no data, then missed.
    assert_eq!(at(&k, "2022-06-30", m(10.0, 0.0)).status, KpiStatus::NoData);
    assert_eq!(at(&k, "2022-06-30", m(10.0, 0.0)).actual, None);
    assert_eq!(at(&k, "2022-12-31", m(10.0, 0.0)).status, KpiStatus::Missed);
    // A baseline is the base.
    let mut b = k.clone();
    b.baseline = Some(5000.0);
    assert!(close(at(&b, "2022-06-30", m(5500.0, 1.0)).actual, 10.0));
}

#[test]
fn a_milestone_is_zero_until_achieved() {
    let mut k = kpi(
        KpiEntity::Milestone,
        KpiAggregate::Milestone,
        Direction::AtLeast,
        1.0,
    );
    k.source.filters.milestone_kind = Key::parse("business_association_started").ok();
    let r = at(&k, "2022-06-30", value(0.0));
    assert_eq!(
        r.status,
        KpiStatus::OffTrack,
        "0 behind 0.50 by more than 0.1"
    );
    assert_eq!(r.needed_per_month, None);
    assert_eq!(at(&k, "2022-01-20", value(0.0)).status, KpiStatus::AtRisk);
    assert_eq!(at(&k, "2022-06-30", value(1.0)).status, KpiStatus::Achieved);
    assert_eq!(at(&k, "2022-12-31", value(0.0)).status, KpiStatus::Missed);
}

#[test]
fn an_activity_count_forecasts_with_what_is_planned() {
    let k = count(40.0);
    let need = Need::of(&k, period(), d("2022-06-30"));
    assert_eq!(need.planned_after, Some(d("2022-06-30")));
    let m = Measurement {
        value: Some(18.0),
        planned_ahead: 15,
        ..Measurement::default()
    };
    assert!(close(at(&k, "2022-06-30", m).forecast.with_planned, 33.0));
    let members = kpi(
        KpiEntity::Member,
        KpiAggregate::Count,
        Direction::AtLeast,
        15.0,
    );
    assert_eq!(
        Need::of(&members, period(), d("2022-06-30")).planned_after,
        None
    );
}

#[test]
fn counted_records_are_reported_from_the_measurement() {
    let m = Measurement {
        value: Some(2.0),
        records_counted: 2,
        last_record_on: Some(d("2022-05-12")),
        ..Measurement::default()
    };
    let r = at(&count(2.0), "2022-06-30", m);
    assert_eq!(
        (r.records_counted, r.last_record_on),
        (2, Some(d("2022-05-12")))
    );
}

#[test]
fn month_ends_cover_the_range_and_its_last_day() {
    assert_eq!(
        month_ends(d("2022-01-15"), d("2022-04-10")),
        [
            d("2022-01-31"),
            d("2022-02-28"),
            d("2022-03-31"),
            d("2022-04-10")
        ]
    );
    assert_eq!(month_ends(d("2022-01-01"), d("2022-12-31")).len(), 12);
    assert_eq!(
        month_ends(d("2022-03-31"), d("2022-03-31")),
        [d("2022-03-31")]
    );
    assert!(month_ends(d("2022-04-01"), d("2022-03-31")).is_empty());
}

#[test]
fn a_rollup_counts_statuses_and_caps_progress_at_one() {
    let k = count(10.0);
    let results = [
        at(&k, "2022-06-30", value(20.0)), // progress 2.0, capped to 1
        at(&k, "2022-06-30", value(5.0)),  // 0.5
        at(&k, "2021-06-30", value(5.0)),  // not started: no progress
    ];
    let r = Rollup::of(&results);
    assert_eq!(r.kpis, 3);
    assert_eq!(r.statuses.achieved, 1);
    assert_eq!(r.statuses.on_track, 1);
    assert_eq!(r.statuses.not_started, 1);
    assert_eq!(r.statuses.get(KpiStatus::Missed), 0);
    assert!(close(r.mean_progress, 0.75));
    assert_eq!(Rollup::of(&[]).mean_progress, None);
}

// --- Measuring in memory ------------------------------------------------------------------

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn activity(on: &str, kind: ActivityKind, status: ActivityStatus) -> ActivityFields {
    ActivityFields {
        kind,
        title: Title::parse("Frokostmøte").unwrap(),
        date: date(on),
        status,
        participants: Some(Count::new(10).unwrap()),
        municipality: None,
        measure_id: None,
        external_ref: None,
    }
}

fn member(joined: &str, left: Option<&str>, employees: Option<i32>) -> MemberFields {
    MemberFields {
        org_number: OrganisationNumber::parse("100000008").unwrap(),
        name: Title::parse("Jessheim Regnskap AS").unwrap(),
        municipality: Municipality::parse("3033").unwrap(),
        membership_type: MembershipType::Ordinary,
        joined_on: date(joined),
        left_on: left.map(date),
        employees: employees.map(|e| Count::new(e).unwrap()),
        external_ref: None,
    }
}

fn observation(dimension: &str, on: &str, value: f64) -> ObservationFields {
    ObservationFields {
        metric_key: MetricKey::parse("social.followers").unwrap(),
        dimension: Dimension::parse(dimension).unwrap(),
        observed_on: date(on),
        value,
        external_ref: None,
    }
}

fn project(
    role: ProjectRole,
    start: &str,
    end: Option<&str>,
    funding: f64,
    status: ProjectStatus,
) -> ProjectFields {
    ProjectFields {
        title: Title::parse("Fremtidens logistikk").unwrap(),
        role,
        start_on: date(start),
        end_on: end.map(date),
        funder: None,
        funding_scheme: None,
        case_number: None,
        external_funding: Funding::new(funding).unwrap(),
        status,
        external_ref: None,
    }
}

fn measured(k: &KpiDefinition, as_of: &str, records: &Records<'_>) -> KpiResult {
    let need = Need::of(k, period(), d(as_of));
    evaluate(
        1,
        k,
        period(),
        d(as_of),
        &memory::measure(&k.source, &need, records),
    )
}

#[test]
fn members_on_the_roll_leave_on_their_last_day() {
    let members = [
        member("2010-01-01", None, Some(5)),
        member("2015-01-01", Some("2022-06-30"), Some(7)),
        member("2022-03-01", None, None),
    ];
    let records = Records {
        members: &members,
        ..Records::default()
    };
    let level = kpi(
        KpiEntity::Member,
        KpiAggregate::Level,
        Direction::AtLeast,
        4.0,
    );
    let r = measured(&level, "2022-06-29", &records);
    assert_eq!((r.actual, r.start_value), (Some(3.0), Some(2.0)));
    assert_eq!(r.last_record_on, Some(d("2022-03-01")));
    assert_eq!(measured(&level, "2022-06-30", &records).actual, Some(2.0));
    let joined = kpi(
        KpiEntity::Member,
        KpiAggregate::Count,
        Direction::AtLeast,
        4.0,
    );
    assert_eq!(measured(&joined, "2022-12-31", &records).actual, Some(1.0));
    let mut employees = kpi(
        KpiEntity::Member,
        KpiAggregate::Mean,
        Direction::AtLeast,
        4.0,
    );
    employees.source.field = Some("employees".into());
    // Only the member who joined in the period is dated in it, and it has no count.
    let r = measured(&employees, "2022-12-31", &records);
    assert_eq!((r.actual, r.records_counted), (None, 0));
}

#[test]
fn a_metric_level_sums_each_dimensions_latest_value() {
    let observations = [
        observation("linkedin", "2021-12-31", 100.0),
        observation("facebook", "2021-12-31", 50.0),
        observation("linkedin", "2022-03-31", 120.0),
        observation("facebook", "2022-06-30", 70.0),
        observation("linkedin", "2022-09-30", 200.0),
    ];
    let records = Records {
        observations: &observations,
        ..Records::default()
    };
    let mut k = kpi(
        KpiEntity::Metric,
        KpiAggregate::GrowthPct,
        Direction::AtLeast,
        30.0,
    );
    k.source.filters.metric_key = MetricKey::parse("social.followers").ok();
    let r = measured(&k, "2022-06-30", &records);
    assert!(close(r.actual, (190.0 - 150.0) / 150.0 * 100.0));
    assert_eq!(r.records_counted, 2);
    assert_eq!(r.last_record_on, Some(d("2022-06-30")));
    k.source.filters.dimensions = Some(vec![Dimension::parse("facebook").unwrap()]);
    assert!(close(measured(&k, "2022-12-31", &records).actual, 40.0));
    k.source.filters.metric_key = MetricKey::parse("members.employees").ok();
    assert_eq!(
        measured(&k, "2022-12-31", &records).status,
        KpiStatus::Missed
    );
}

#[test]
fn projects_count_while_they_overlap_the_period() {
    let projects = [
        project(
            ProjectRole::Leader,
            "2021-03-01",
            Some("2022-11-30"),
            1.2e6,
            ProjectStatus::Completed,
        ),
        project(
            ProjectRole::Owner,
            "2022-05-02",
            None,
            4.5e5,
            ProjectStatus::Running,
        ),
        project(
            ProjectRole::Owner,
            "2022-11-01",
            Some("2024-10-31"),
            8.5e5,
            ProjectStatus::Granted,
        ),
        project(
            ProjectRole::Owner,
            "2020-01-01",
            Some("2021-12-31"),
            1.0e5,
            ProjectStatus::Completed,
        ),
        project(
            ProjectRole::Owner,
            "2022-02-01",
            None,
            2.0e5,
            ProjectStatus::Applied,
        ),
        project(
            ProjectRole::Partner,
            "2022-02-01",
            None,
            0.0,
            ProjectStatus::Running,
        ),
    ];
    let records = Records {
        projects: &projects,
        ..Records::default()
    };
    let mut k = kpi(
        KpiEntity::Project,
        KpiAggregate::Count,
        Direction::AtLeast,
        3.0,
    );
    k.source.filters.roles = Some(vec![ProjectRole::Owner, ProjectRole::Leader]);
    k.source.filters.external_funding = Some(true);
    k.source.filters.statuses = Some(vec![
        ProjectStatus::Granted,
        ProjectStatus::Running,
        ProjectStatus::Completed,
    ]);
    assert_eq!(measured(&k, "2022-06-30", &records).actual, Some(2.0));
    let r = measured(&k, "2022-12-31", &records);
    assert_eq!((r.actual, r.status), (Some(3.0), KpiStatus::Achieved));
    assert_eq!(r.last_record_on, Some(d("2022-11-01")));
    k.source.filters.statuses = None;
    assert_eq!(
        measured(&k, "2022-06-30", &records).actual,
        Some(3.0),
        "the application counts"
    );
}

#[test]
fn planned_activities_ahead_match_every_filter_but_the_status() {
    let activities = [
        activity(
            "2022-03-01",
            ActivityKind::MemberMeeting,
            ActivityStatus::Held,
        ),
        activity(
            "2022-03-02",
            ActivityKind::MemberMeeting,
            ActivityStatus::Cancelled,
        ),
        activity(
            "2022-06-30",
            ActivityKind::MemberMeeting,
            ActivityStatus::Planned,
        ),
        activity(
            "2022-09-01",
            ActivityKind::MemberMeeting,
            ActivityStatus::Planned,
        ),
        activity(
            "2022-09-02",
            ActivityKind::Promotion,
            ActivityStatus::Planned,
        ),
        activity(
            "2023-01-02",
            ActivityKind::MemberMeeting,
            ActivityStatus::Planned,
        ),
    ];
    let records = Records {
        activities: &activities,
        ..Records::default()
    };
    let mut k = count(4.0);
    k.source.filters.status = Some(ActivityStatus::Held);
    k.source.filters.kinds = Some(vec![ActivityKind::MemberMeeting]);
    let r = measured(&k, "2022-06-30", &records);
    assert_eq!(r.actual, Some(1.0));
    assert_eq!(
        r.forecast.with_planned,
        Some(2.0),
        "only 1 Sep is after as_of, in the period and of the kind"
    );
}

#[test]
fn a_milestone_counts_when_achieved_in_the_period() {
    let milestone = |achieved: Option<&str>| MilestoneFields {
        kind: crate::records::Key::parse("benefit_programme_launched").unwrap(),
        title: Title::parse("Fordelsprogram lansert").unwrap(),
        due_on: Some(date("2022-06-30")),
        achieved_on: achieved.map(date),
        municipality: None,
        measure_id: None,
        external_ref: None,
    };
    let mut k = kpi(
        KpiEntity::Milestone,
        KpiAggregate::Milestone,
        Direction::AtLeast,
        1.0,
    );
    k.source.filters.milestone_kind = Key::parse("benefit_programme_launched").ok();
    let early = [milestone(Some("2021-12-01"))];
    let records = Records {
        milestones: &early,
        ..Records::default()
    };
    assert_eq!(
        measured(&k, "2022-12-31", &records).actual,
        Some(0.0),
        "before the period"
    );
    let achieved = [milestone(None), milestone(Some("2022-06-15"))];
    let records = Records {
        milestones: &achieved,
        ..Records::default()
    };
    assert_eq!(measured(&k, "2022-06-14", &records).actual, Some(0.0));
    let r = measured(&k, "2022-06-15", &records);
    assert_eq!(
        (r.actual, r.status, r.records_counted),
        (Some(1.0), KpiStatus::Achieved, 1)
    );
}

// --- Properties -------------------------------------------------------------------------

fn any_day() -> impl Strategy<Value = NaiveDate> {
    // 2021-07-01 .. 2023-06-30: before, inside and after the period.
    (0i64..730).prop_map(|n| d("2021-07-01") + chrono::Duration::days(n))
}

fn any_activity() -> impl Strategy<Value = ActivityFields> {
    (
        any_day(),
        prop_oneof![
            Just(ActivityKind::MemberMeeting),
            Just(ActivityKind::NetworkMeeting),
            Just(ActivityKind::OtherArena),
            Just(ActivityKind::Promotion)
        ],
        prop_oneof![
            Just(ActivityStatus::Held),
            Just(ActivityStatus::Planned),
            Just(ActivityStatus::Cancelled)
        ],
        proptest::option::of(0i32..200),
    )
        .prop_map(|(day, kind, status, participants)| ActivityFields {
            participants: participants.map(|p| Count::new(p).unwrap()),
            ..activity(&day.to_string(), kind, status)
        })
}

fn any_member() -> impl Strategy<Value = MemberFields> {
    (
        any_day(),
        proptest::option::of(1i64..400),
        proptest::option::of(0i32..300),
    )
        .prop_map(|(joined, stay, employees)| {
            let left = stay.map(|days| (joined + chrono::Duration::days(days)).to_string());
            member(&joined.to_string(), left.as_deref(), employees)
        })
}

fn any_observation() -> impl Strategy<Value = ObservationFields> {
    (
        prop_oneof![Just("linkedin"), Just("facebook")],
        any_day(),
        0.0f64..10_000.0,
    )
        .prop_map(|(dimension, day, value)| observation(dimension, &day.to_string(), value))
}

/// A KPI of one of the shapes the records above can answer, with any target and
/// direction.
fn any_kpi() -> impl Strategy<Value = KpiDefinition> {
    let shapes = prop_oneof![
        Just((KpiEntity::Activity, KpiAggregate::Count, None)),
        Just((KpiEntity::Activity, KpiAggregate::Sum, Some("participants"))),
        Just((
            KpiEntity::Activity,
            KpiAggregate::Mean,
            Some("participants")
        )),
        Just((KpiEntity::Member, KpiAggregate::Count, None)),
        Just((KpiEntity::Member, KpiAggregate::Level, None)),
        Just((KpiEntity::Member, KpiAggregate::GrowthPct, None)),
        Just((KpiEntity::Metric, KpiAggregate::Level, None)),
        Just((KpiEntity::Metric, KpiAggregate::GrowthPct, None)),
        Just((KpiEntity::Metric, KpiAggregate::Mean, Some("value"))),
    ];
    (
        shapes,
        prop_oneof![Just(Direction::AtLeast), Just(Direction::AtMost)],
        1.0f64..500.0,
        proptest::option::of(1.0f64..500.0),
        proptest::bool::ANY,
    )
        .prop_map(
            |((entity, aggregate, field), direction, target, baseline, held)| {
                let mut k = kpi(entity, aggregate, direction, target);
                k.source.field = field.map(str::to_owned);
                if entity == KpiEntity::Activity && held {
                    k.source.filters.status = Some(ActivityStatus::Held);
                }
                if entity == KpiEntity::Metric {
                    k.source.filters.metric_key = MetricKey::parse("social.followers").ok();
                }
                if matches!(aggregate, KpiAggregate::Level | KpiAggregate::GrowthPct) {
                    k.baseline = baseline;
                }
                k
            },
        )
}

proptest! {
    #[test]
    fn adding_a_held_activity_never_lowers_an_activity_counts_progress(
        activities in proptest::collection::vec(any_activity(), 0..40),
        added in any_activity(),
        target in 1.0f64..100.0,
        as_of in any_day(),
        only_held in proptest::bool::ANY,
        kinds in proptest::option::of(proptest::collection::vec(
            prop_oneof![Just(ActivityKind::MemberMeeting), Just(ActivityKind::Promotion)], 1..3)),
    ) {
        let mut k = count(target);
        k.source.filters.kinds = kinds;
        if only_held {
            k.source.filters.status = Some(ActivityStatus::Held);
        }
        let added = ActivityFields { status: ActivityStatus::Held, ..added };
        let before = Records { activities: &activities, ..Records::default() };
        let mut more = activities.clone();
        more.push(added);
        let after = Records { activities: &more, ..Records::default() };
        let as_of = as_of.to_string();
        let (p0, p1) = (measured(&k, &as_of, &before).progress, measured(&k, &as_of, &after).progress);
        match (p0, p1) {
            (Some(p0), Some(p1)) => prop_assert!(p1 >= p0, "{p0} → {p1}"),
            (None, None) => prop_assert!(d(&as_of) < period().0),
            other => prop_assert!(false, "progress appeared or vanished: {other:?}"),
        }
    }

    #[test]
    fn every_kpi_is_not_started_before_its_period(
        k in any_kpi(),
        value in proptest::option::of(-1000.0f64..1000.0),
        level_at_start in proptest::option::of(-1000.0f64..1000.0),
        days_before in 1i64..2000,
    ) {
        let as_of = period().0 - chrono::Duration::days(days_before);
        let m = Measurement { value, level_at_start, records_counted: 3, ..Measurement::default() };
        let r = evaluate(1, &k, period(), as_of, &m);
        prop_assert_eq!(r.status, KpiStatus::NotStarted);
        prop_assert_eq!((r.actual, r.progress, r.forecast.run_rate), (None, None, None));
    }

    #[test]
    fn a_result_after_the_end_equals_the_result_at_the_end(
        k in any_kpi(),
        activities in proptest::collection::vec(any_activity(), 0..30),
        members in proptest::collection::vec(any_member(), 0..30),
        observations in proptest::collection::vec(any_observation(), 0..30),
        days_after in 1i64..1000,
    ) {
        let records = Records {
            activities: &activities,
            members: &members,
            observations: &observations,
            ..Records::default()
        };
        let end = period().1;
        let later = end + chrono::Duration::days(days_after);
        let at_end = measured(&k, &end.to_string(), &records);
        let after = measured(&k, &later.to_string(), &records);
        prop_assert_eq!(after.as_of, later);
        prop_assert_eq!(KpiResult { as_of: end, ..after }, at_end);
        prop_assert!(matches!(at_end.status, KpiStatus::Achieved | KpiStatus::Missed));
    }
}

// --- Every aggregate × direction × status --------------------------------------------------

/// A KPI of each aggregate and direction, with its start value, and a measurement that
/// gives a chosen actual value.
fn shaped(aggregate: KpiAggregate, direction: Direction) -> (KpiDefinition, f64) {
    use KpiAggregate::*;
    let (entity, field) = match aggregate {
        Count => (KpiEntity::Activity, None),
        Sum => (KpiEntity::Project, Some("external_funding")),
        Mean => (KpiEntity::Survey, Some("mean_score")),
        Level | GrowthPct => (KpiEntity::Member, None),
        Milestone => (KpiEntity::Milestone, None),
    };
    let (start, target) = match (aggregate, direction) {
        (Level, Direction::AtLeast) => (100.0, 200.0),
        (Level, Direction::AtMost) => (100.0, 50.0),
        (Milestone, Direction::AtLeast) => (0.0, 1.0),
        (Milestone, Direction::AtMost) => (0.0, 0.0),
        (Mean, _) => (0.0, 4.0),
        (GrowthPct, Direction::AtMost) => (0.0, 10.0),
        _ => (0.0, 40.0),
    };
    let mut k = kpi(entity, aggregate, direction, target);
    k.source.field = field.map(str::to_owned);
    (k, start)
}

fn giving(aggregate: KpiAggregate, start: f64, actual: Option<f64>) -> Measurement {
    match aggregate {
        // growth from a level of 100 to 100 + actual is `actual` per cent
        KpiAggregate::GrowthPct => Measurement {
            value: actual.map(|a| 100.0 + a),
            level_at_start: Some(100.0),
            ..Measurement::default()
        },
        KpiAggregate::Level => Measurement {
            value: actual,
            level_at_start: Some(start),
            ..Measurement::default()
        },
        _ => Measurement {
            value: actual,
            ..Measurement::default()
        },
    }
}

#[test]
fn every_aggregate_and_direction_reaches_each_status_by_the_rules() {
    use KpiAggregate::*;
    let june = d("2022-06-30");
    for aggregate in [Count, Sum, Mean, Level, GrowthPct, Milestone] {
        for direction in [Direction::AtLeast, Direction::AtMost] {
            let (k, start) = shaped(aggregate, direction);
            let t = k.target;
            // the pace and the band of `at_risk`, from the rules
            let (expected, band) = match aggregate {
                Mean => (t, k.tolerance * t.abs()),
                _ => (
                    start + (t - start) * 181.0 / 365.0,
                    k.tolerance * (t - start).abs(),
                ),
            };
            // an actual `behind` the pace (negative: ahead)
            let sign = if direction == Direction::AtLeast {
                -1.0
            } else {
                1.0
            };
            let behind = |by: f64| Some(expected + sign * by);
            let status = |as_of: NaiveDate, actual: Option<f64>| {
                evaluate(1, &k, period(), as_of, &giving(aggregate, start, actual)).status
            };
            let case = format!("{aggregate:?} {direction:?}");
            assert_eq!(
                status(d("2021-12-31"), Some(t)),
                KpiStatus::NotStarted,
                "{case}"
            );
            assert_eq!(status(june, None), KpiStatus::NoData, "{case}");
            // a mean's pace is its target, so an at_least mean at its pace has met it
            let at_pace = if (aggregate, direction) == (Mean, Direction::AtLeast) {
                KpiStatus::Achieved
            } else {
                KpiStatus::OnTrack
            };
            // (a hair ahead: growth is computed from levels, in floating point)
            assert_eq!(status(june, behind(-1e-9)), at_pace, "{case}");
            assert_eq!(status(june, behind(-0.25)), at_pace, "{case}: ahead");
            if band > 0.0 {
                assert_eq!(
                    status(june, behind(band / 2.0)),
                    KpiStatus::AtRisk,
                    "{case}"
                );
            }
            assert_eq!(
                status(june, behind(2.0 * band.max(0.5))),
                KpiStatus::OffTrack,
                "{case}"
            );
            if direction == Direction::AtLeast {
                assert_eq!(status(june, Some(t)), KpiStatus::Achieved, "{case}");
            }
            let end = period().1;
            assert_eq!(status(end, Some(t)), KpiStatus::Achieved, "{case}");
            let short = t + sign * 2.0 * band.max(0.5);
            assert_eq!(status(end, Some(short)), KpiStatus::Missed, "{case}");
            assert_eq!(status(end, None), KpiStatus::Missed, "{case}");
        }
    }
}
