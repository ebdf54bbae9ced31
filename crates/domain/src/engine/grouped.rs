//! Measuring many KPIs at many dates from records grouped by day.
//!
//! A plan's monthly series asks every KPI for its facts at every month end. Asking the
//! database once per fact costs statements in proportion to KPIs × months; this module
//! lets the store send one grouped statement per record kind instead. [`Wanted::of`] says
//! what those statements must read — per kind, the dates needed and the columns the KPIs
//! filter on; the store answers with [`GroupedFacts`]: the kind's records grouped by their
//! date and those columns, each group with its number of records and, per numeric field,
//! how many have a value and their sum. [`measure_all`] then measures a KPI at each of its
//! dates from the groups, with the rules of the store's aggregate queries
//! (`veikart_store::facts`) and of [`super::memory::measure`]; the tests hold it to the
//! latter.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{Measurement, Need};
use crate::kpi::{
    ActivityKind, ActivityStatus, KpiAggregate, KpiEntity, KpiFilters, KpiSource, MembershipType,
    ProjectRole, SurveyAudience,
};
use crate::records::ProjectStatus;

/// How many records of a group have a value in one numeric field, and the sum of those
/// values.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Valued {
    pub count: u64,
    pub sum: f64,
}

/// Members grouped by the day they joined and the day they left. A column the plan's
/// KPIs do not filter on is not grouped by, and reads `None` (so does a grouped column
/// without a value).
#[derive(Debug, Clone, PartialEq)]
pub struct MemberGroup {
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub municipality: Option<String>,
    pub membership_type: Option<MembershipType>,
    pub rows: u64,
    pub employees: Valued,
}

/// Activities grouped by their date.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityGroup {
    pub date: NaiveDate,
    pub kind: Option<ActivityKind>,
    pub status: Option<ActivityStatus>,
    pub municipality: Option<String>,
    pub rows: u64,
    pub participants: Valued,
}

/// Surveys grouped by the day they were conducted.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyGroup {
    pub conducted_on: NaiveDate,
    pub audience: Option<SurveyAudience>,
    pub rows: u64,
    pub invited: Valued,
    pub responses: Valued,
    pub mean_score: Valued,
    pub nps: Valued,
}

/// Projects grouped by their start and end.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectGroup {
    pub start_on: NaiveDate,
    pub end_on: Option<NaiveDate>,
    pub role: Option<ProjectRole>,
    pub status: Option<ProjectStatus>,
    /// The external funding compared with 0.
    pub funding: Option<Ordering>,
    pub rows: u64,
    pub external_funding: Valued,
}

/// Observations grouped by metric, dimension and day (one record each: the three are
/// unique per organisation).
#[derive(Debug, Clone, PartialEq)]
pub struct ObservationGroup {
    pub metric_key: String,
    pub dimension: String,
    pub observed_on: NaiveDate,
    pub rows: u64,
    pub value: Valued,
}

/// Achieved milestones grouped by the day they were achieved.
#[derive(Debug, Clone, PartialEq)]
pub struct MilestoneGroup {
    pub achieved_on: NaiveDate,
    pub kind: Option<String>,
    pub municipality: Option<String>,
    pub rows: u64,
}

/// The grouped records of one organisation, as [`Wanted`] asked for them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupedFacts {
    pub members: Vec<MemberGroup>,
    pub activities: Vec<ActivityGroup>,
    pub surveys: Vec<SurveyGroup>,
    pub projects: Vec<ProjectGroup>,
    pub observations: Vec<ObservationGroup>,
    pub milestones: Vec<MilestoneGroup>,
}

/// The dates a kind's records are needed for: every window starts on or after `from`,
/// and no date needed is after `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Span {
    fn widen(span: Option<Span>, with: Span) -> Span {
        match span {
            Some(s) => Span {
                from: s.from.min(with.from),
                to: s.to.max(with.to),
            },
            None => with,
        }
    }
}

/// Members: those who joined on or before `span.to` and were on the roll on `span.from`
/// or joined after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberQuery {
    pub span: Span,
    pub by_municipality: bool,
    pub by_membership_type: bool,
}

/// Activities dated in the span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActivityQuery {
    pub span: Span,
    pub by_kind: bool,
    pub by_status: bool,
    pub by_municipality: bool,
}

/// Surveys conducted in the span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurveyQuery {
    pub span: Span,
    pub by_audience: bool,
}

/// Projects that run at some time in the span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectQuery {
    pub span: Span,
    pub by_role: bool,
    pub by_status: bool,
    pub by_funding: bool,
}

/// Observations on or before `span.to` (a level needs each dimension's latest, however
/// old) of these metrics (`None`: of every metric).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservationQuery {
    pub span: Span,
    pub metric_keys: Option<Vec<String>>,
}

/// Milestones achieved in the span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MilestoneQuery {
    pub span: Span,
    pub by_kind: bool,
    pub by_municipality: bool,
}

/// What the grouped statements must read: one per kind some KPI needs facts of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wanted {
    pub members: Option<MemberQuery>,
    pub activities: Option<ActivityQuery>,
    pub surveys: Option<SurveyQuery>,
    pub projects: Option<ProjectQuery>,
    pub observations: Option<ObservationQuery>,
    pub milestones: Option<MilestoneQuery>,
}

impl Wanted {
    /// What measuring each source at each of its needs takes.
    pub fn of<'a>(kpis: impl IntoIterator<Item = (&'a KpiSource, &'a [Need])>) -> Wanted {
        let mut wanted = Wanted::default();
        for (source, needs) in kpis {
            if let Some(span) = span_of(needs) {
                wanted.add(source, needs, span);
            }
        }
        wanted
    }

    /// Widens the query of the source's kind to `span` and groups it by the columns the
    /// source's filters name.
    fn add(&mut self, source: &KpiSource, needs: &[Need], span: Span) {
        let f = &source.filters;
        match source.entity {
            KpiEntity::Member => add_members(&mut self.members, f, span),
            KpiEntity::Activity => {
                // the planned activities ahead are told by their status
                let planned = needs.iter().any(|n| n.planned_after.is_some());
                add_activities(&mut self.activities, f, span, planned);
            }
            KpiEntity::Survey => add_surveys(&mut self.surveys, f, span),
            KpiEntity::Project => add_projects(&mut self.projects, f, span),
            KpiEntity::Metric => add_observations(&mut self.observations, f, span),
            KpiEntity::Milestone => add_milestones(&mut self.milestones, f, span),
        }
    }
}

fn add_members(query: &mut Option<MemberQuery>, f: &KpiFilters, span: Span) {
    let q = query.get_or_insert(MemberQuery {
        span,
        by_municipality: false,
        by_membership_type: false,
    });
    q.span = Span::widen(Some(q.span), span);
    q.by_municipality |= f.municipality.is_some();
    q.by_membership_type |= f.membership_type.is_some();
}

/// `planned`: the KPI needs the planned activities ahead, whatever its status filter.
fn add_activities(query: &mut Option<ActivityQuery>, f: &KpiFilters, span: Span, planned: bool) {
    let q = query.get_or_insert(ActivityQuery {
        span,
        by_kind: false,
        by_status: false,
        by_municipality: false,
    });
    q.span = Span::widen(Some(q.span), span);
    q.by_kind |= f.kinds.is_some();
    q.by_status |= f.status.is_some() || planned;
    q.by_municipality |= f.municipality.is_some();
}

fn add_surveys(query: &mut Option<SurveyQuery>, f: &KpiFilters, span: Span) {
    let q = query.get_or_insert(SurveyQuery {
        span,
        by_audience: false,
    });
    q.span = Span::widen(Some(q.span), span);
    q.by_audience |= f.audience.is_some();
}

fn add_projects(query: &mut Option<ProjectQuery>, f: &KpiFilters, span: Span) {
    let q = query.get_or_insert(ProjectQuery {
        span,
        by_role: false,
        by_status: false,
        by_funding: false,
    });
    q.span = Span::widen(Some(q.span), span);
    q.by_role |= f.roles.is_some();
    q.by_status |= f.statuses.is_some();
    q.by_funding |= f.external_funding.is_some();
}

/// The metrics read are those the KPIs name; a metric KPI naming none reads every one.
fn add_observations(query: &mut Option<ObservationQuery>, f: &KpiFilters, span: Span) {
    let q = query.get_or_insert(ObservationQuery {
        span,
        metric_keys: Some(Vec::new()),
    });
    q.span = Span::widen(Some(q.span), span);
    match (&mut q.metric_keys, &f.metric_key) {
        (Some(keys), Some(key)) if !keys.iter().any(|k| key == k) => keys.push(key.to_string()),
        (Some(_), Some(_)) | (None, _) => {}
        (keys, None) => *keys = None,
    }
}

fn add_milestones(query: &mut Option<MilestoneQuery>, f: &KpiFilters, span: Span) {
    let q = query.get_or_insert(MilestoneQuery {
        span,
        by_kind: false,
        by_municipality: false,
    });
    q.span = Span::widen(Some(q.span), span);
    q.by_kind |= f.milestone_kind.is_some();
    q.by_municipality |= f.municipality.is_some();
}

/// The span of the dates `needs` ask about (`None` when they ask nothing): windows start
/// at the period's start; the actual, the level at the start and the planned activities
/// up to the end are read on or before their dates.
fn span_of(needs: &[Need]) -> Option<Span> {
    needs.iter().fold(None, |span, need| {
        let dates = [
            need.actual_at,
            need.level_at_start.then_some(need.start),
            need.planned_after.map(|_| need.end),
        ];
        match dates.into_iter().flatten().max() {
            Some(to) => Some(Span::widen(
                span,
                Span {
                    from: need.start,
                    to,
                },
            )),
            None => span,
        }
    })
}

/// One group as a KPI sees it: the date it is counted by, a member's leaving or a
/// project's end, its records and the values of the KPI's field.
#[derive(Debug, Clone, Copy)]
struct Fact<'a> {
    on: NaiveDate,
    until: Option<NaiveDate>,
    rows: u64,
    valued: Valued,
    /// An observation's dimension (for a level).
    dimension: &'a str,
    /// An activity's status (for the planned ones ahead).
    status: Option<ActivityStatus>,
}

/// What `source` measures at each of `needs`, from `facts`.
pub fn measure_all(source: &KpiSource, needs: &[Need], facts: &GroupedFacts) -> Vec<Measurement> {
    let mut kept = kept(source, facts, false);
    kept.sort_by_key(|f| f.on);
    let ahead = if needs.iter().any(|n| n.planned_after.is_some()) {
        kept_planned(source, facts)
    } else {
        Vec::new()
    };
    needs
        .iter()
        .map(|need| measure_one(source, need, &kept, &ahead))
        .collect()
}

/// What `source` measures for `need`, from `facts`.
pub fn measure(source: &KpiSource, need: &Need, facts: &GroupedFacts) -> Measurement {
    measure_all(source, std::slice::from_ref(need), facts)
        .pop()
        .unwrap_or_default()
}

fn measure_one(
    source: &KpiSource,
    need: &Need,
    kept: &[Fact<'_>],
    ahead: &[Fact<'_>],
) -> Measurement {
    let level = |at| match (source.entity, &source.filters.metric_key) {
        (KpiEntity::Member, _) => on_the_roll(kept, at),
        // as the store: a metric's level is of the metric it names
        (_, None) => Measurement::default(),
        (_, Some(_)) => latest_levels(kept, at),
    };
    let mut m = Measurement::default();
    if let Some(at) = need.actual_at {
        m = match source.aggregate {
            KpiAggregate::Level | KpiAggregate::GrowthPct => level(at),
            _ => dated(source, kept, need.start, at),
        };
    }
    if need.level_at_start {
        m.level_at_start = level(need.start).value;
    }
    if let Some(after) = need.planned_after {
        m.planned_ahead = ahead
            .iter()
            .filter(|f| f.status == Some(ActivityStatus::Planned))
            .filter(|f| f.on > after && f.on <= need.end)
            .map(|f| f.rows)
            .sum();
    }
    m
}

/// A count, sum, mean or milestone over the groups dated in `[start, at]` (a project:
/// running at some time in it). Sums add up in date order, from 0.
fn dated(source: &KpiSource, kept: &[Fact<'_>], start: NaiveDate, at: NaiveDate) -> Measurement {
    let in_window = |f: &&Fact<'_>| match source.entity {
        KpiEntity::Project => f.on <= at && f.until.is_none_or(|end| end >= start),
        _ => f.on >= start && f.on <= at,
    };
    let window = kept.iter().filter(in_window);
    if matches!(source.aggregate, KpiAggregate::Sum | KpiAggregate::Mean) {
        let valued: Vec<&Fact<'_>> = window.filter(|f| f.valued.count > 0).collect();
        let count: u64 = valued.iter().map(|f| f.valued.count).sum();
        let sum = valued.iter().fold(0.0, |sum, f| sum + f.valued.sum);
        let value = match source.aggregate {
            KpiAggregate::Sum => Some(sum),
            _ => (count > 0).then(|| sum / count as f64),
        };
        return Measurement {
            value,
            records_counted: count,
            last_record_on: valued.iter().map(|f| f.on).max(),
            ..Measurement::default()
        };
    }
    let all: Vec<&Fact<'_>> = window.filter(|f| f.rows > 0).collect();
    let rows: u64 = all.iter().map(|f| f.rows).sum();
    let value = match source.aggregate {
        KpiAggregate::Milestone => {
            if rows > 0 {
                1.0
            } else {
                0.0
            }
        }
        _ => rows as f64,
    };
    Measurement {
        value: Some(value),
        records_counted: rows,
        last_record_on: all.iter().map(|f| f.on).max(),
        ..Measurement::default()
    }
}

/// Members on the roll on `at`: joined on or before it, and not left on or before it.
fn on_the_roll(kept: &[Fact<'_>], at: NaiveDate) -> Measurement {
    let active: Vec<&Fact<'_>> = kept
        .iter()
        .filter(|f| f.rows > 0 && f.on <= at && f.until.is_none_or(|left| left > at))
        .collect();
    let rows: u64 = active.iter().map(|f| f.rows).sum();
    Measurement {
        value: Some(rows as f64),
        records_counted: rows,
        last_record_on: active.iter().map(|f| f.on).max(),
        ..Measurement::default()
    }
}

/// The sum of each dimension's latest value on or before `at`, added up in the order of
/// the dimensions' names.
fn latest_levels(kept: &[Fact<'_>], at: NaiveDate) -> Measurement {
    let mut latest: BTreeMap<&str, &Fact<'_>> = BTreeMap::new();
    for f in kept.iter().filter(|f| f.rows > 0 && f.on <= at) {
        let entry = latest.entry(f.dimension).or_insert(f);
        if f.on > entry.on {
            *entry = f;
        }
    }
    Measurement {
        value: (!latest.is_empty()).then(|| latest.values().map(|f| f.valued.sum).sum()),
        records_counted: latest.values().map(|f| f.rows).sum(),
        last_record_on: latest.values().map(|f| f.on).max(),
        ..Measurement::default()
    }
}

/// The groups of the source's kind that its filters keep, as facts with the values of its
/// field. `planned`: an activity count's planned ones ahead, kept by every filter but the
/// status.
fn kept<'a>(source: &KpiSource, facts: &'a GroupedFacts, planned: bool) -> Vec<Fact<'a>> {
    let f = &source.filters;
    match source.entity {
        KpiEntity::Member => facts
            .members
            .iter()
            .filter(|g| member_kept(f, g))
            .map(|g| Fact {
                until: g.left_on,
                ..Fact::new(g.joined_on, g.rows, g.employees)
            })
            .collect(),
        KpiEntity::Activity => facts
            .activities
            .iter()
            .filter(|g| activity_kept(f, g, planned))
            .map(|g| Fact {
                status: g.status,
                ..Fact::new(g.date, g.rows, g.participants)
            })
            .collect(),
        KpiEntity::Survey => facts
            .surveys
            .iter()
            .filter(|g| f.audience.is_none_or(|a| g.audience == Some(a)))
            .map(|g| {
                Fact::new(
                    g.conducted_on,
                    g.rows,
                    survey_field(g, source.field.as_deref()),
                )
            })
            .collect(),
        KpiEntity::Project => facts
            .projects
            .iter()
            .filter(|g| project_kept(f, g))
            .map(|g| Fact {
                until: g.end_on,
                ..Fact::new(g.start_on, g.rows, g.external_funding)
            })
            .collect(),
        KpiEntity::Metric => facts
            .observations
            .iter()
            .filter(|g| observation_kept(f, g))
            .map(|g| Fact {
                dimension: g.dimension.as_str(),
                ..Fact::new(g.observed_on, g.rows, g.value)
            })
            .collect(),
        KpiEntity::Milestone => facts
            .milestones
            .iter()
            .filter(|g| milestone_kept(f, g))
            .map(|g| Fact::new(g.achieved_on, g.rows, Valued::default()))
            .collect(),
    }
}

impl Fact<'_> {
    /// A group counted by the day `on`, with no end, dimension or status.
    fn new(on: NaiveDate, rows: u64, valued: Valued) -> Self {
        Fact {
            on,
            until: None,
            rows,
            valued,
            dimension: "",
            status: None,
        }
    }
}

/// The values of a survey group's numeric field (none for a field surveys do not have).
fn survey_field(g: &SurveyGroup, field: Option<&str>) -> Valued {
    match field {
        Some("invited") => g.invited,
        Some("responses") => g.responses,
        Some("mean_score") => g.mean_score,
        Some("nps") => g.nps,
        _ => Valued::default(),
    }
}

fn kept_planned<'a>(source: &KpiSource, facts: &'a GroupedFacts) -> Vec<Fact<'a>> {
    if source.entity != KpiEntity::Activity {
        return Vec::new();
    }
    kept(source, facts, true)
}

fn municipality_kept(filters: &KpiFilters, municipality: Option<&str>) -> bool {
    filters
        .municipality
        .as_deref()
        .is_none_or(|wanted| municipality == Some(wanted))
}

fn member_kept(filters: &KpiFilters, g: &MemberGroup) -> bool {
    municipality_kept(filters, g.municipality.as_deref())
        && filters
            .membership_type
            .is_none_or(|t| g.membership_type == Some(t))
}

/// `any_status`: every filter but the status.
fn activity_kept(filters: &KpiFilters, g: &ActivityGroup, any_status: bool) -> bool {
    filters
        .kinds
        .as_ref()
        .is_none_or(|k| g.kind.is_some_and(|kind| k.contains(&kind)))
        && (any_status || filters.status.is_none_or(|s| g.status == Some(s)))
        && municipality_kept(filters, g.municipality.as_deref())
}

/// As the store's query: funded (`true`) is more than 0 NOK, unfunded exactly 0.
fn project_kept(filters: &KpiFilters, g: &ProjectGroup) -> bool {
    filters
        .roles
        .as_ref()
        .is_none_or(|r| g.role.is_some_and(|role| r.contains(&role)))
        && filters
            .statuses
            .as_ref()
            .is_none_or(|s| g.status.is_some_and(|status| s.contains(&status)))
        && filters.external_funding.is_none_or(|funded| {
            g.funding
                == Some(if funded {
                    Ordering::Greater
                } else {
                    Ordering::Equal
                })
        })
}

fn milestone_kept(filters: &KpiFilters, g: &MilestoneGroup) -> bool {
    filters
        .milestone_kind
        .as_deref()
        .is_none_or(|k| g.kind.as_deref() == Some(k))
        && municipality_kept(filters, g.municipality.as_deref())
}

fn observation_kept(filters: &KpiFilters, g: &ObservationGroup) -> bool {
    filters
        .metric_key
        .as_deref()
        .is_none_or(|k| k == g.metric_key)
        && filters
            .dimensions
            .as_ref()
            .is_none_or(|d| d.iter().any(|d| d == &g.dimension))
}

#[cfg(test)]
mod tests;
