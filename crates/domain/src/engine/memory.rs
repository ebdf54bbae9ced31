//! Measuring a KPI over records held in memory: the plain statement of what each
//! aggregate counts. The store computes the same facts with aggregate queries in the
//! database; its tests compare the two over the demo year.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{Measurement, Need};
use crate::kpi::{ActivityStatus, KpiAggregate, KpiEntity, KpiFilters, KpiSource};
use crate::records::{
    ActivityFields, MemberFields, MilestoneFields, ObservationFields, ProjectFields, SurveyFields,
};

/// The records of one organisation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Records<'a> {
    pub members: &'a [MemberFields],
    pub activities: &'a [ActivityFields],
    pub surveys: &'a [SurveyFields],
    pub projects: &'a [ProjectFields],
    pub observations: &'a [ObservationFields],
    pub milestones: &'a [MilestoneFields],
}

/// One record as a KPI sees it: its date, its numeric fields, whether the filters keep it.
struct Fact {
    /// The date it is counted by (a project: its start).
    on: NaiveDate,
    /// A project's end (open when `None`); others: `None`.
    until: Option<NaiveDate>,
    value: Option<f64>,
}

/// What `source` measures over `records`, for `need`.
pub fn measure(source: &KpiSource, need: &Need, records: &Records<'_>) -> Measurement {
    let mut m = Measurement::default();
    if let Some(at) = need.actual_at {
        m = match source.aggregate {
            KpiAggregate::Level | KpiAggregate::GrowthPct => level(source, records, at),
            _ => dated(source, records, need.start, at),
        };
    }
    if need.level_at_start {
        m.level_at_start = level(source, records, need.start).value;
    }
    if let Some(after) = need.planned_after {
        let mut filters = source.filters.clone();
        filters.status = None;
        m.planned_ahead = records
            .activities
            .iter()
            .filter(|a| a.status == ActivityStatus::Planned && activity_kept(&filters, a))
            .filter(|a| a.date.get() > after && a.date.get() <= need.end)
            .count() as u64;
    }
    m
}

/// A count, sum, mean or milestone over the records dated in `[start, at]` (a project:
/// running at some time in it).
fn dated(
    source: &KpiSource,
    records: &Records<'_>,
    start: NaiveDate,
    at: NaiveDate,
) -> Measurement {
    let in_window = |f: &Fact| match source.entity {
        KpiEntity::Project => f.on <= at && f.until.is_none_or(|end| end >= start),
        _ => f.on >= start && f.on <= at,
    };
    let facts: Vec<Fact> = facts(source, records)
        .into_iter()
        .filter(in_window)
        .collect();
    let last = |facts: &[&Fact]| facts.iter().map(|f| f.on).max();
    match source.aggregate {
        KpiAggregate::Sum | KpiAggregate::Mean => {
            let valued: Vec<&Fact> = facts.iter().filter(|f| f.value.is_some()).collect();
            let sum: f64 = valued.iter().filter_map(|f| f.value).sum();
            let value = match source.aggregate {
                KpiAggregate::Sum => Some(sum),
                _ => (!valued.is_empty()).then(|| sum / valued.len() as f64),
            };
            Measurement {
                value,
                records_counted: valued.len() as u64,
                last_record_on: last(&valued),
                ..Measurement::default()
            }
        }
        _ => {
            let all: Vec<&Fact> = facts.iter().collect();
            let n = all.len() as u64;
            let value = if source.aggregate == KpiAggregate::Milestone {
                if n > 0 { 1.0 } else { 0.0 }
            } else {
                n as f64
            };
            Measurement {
                value: Some(value),
                records_counted: n,
                last_record_on: last(&all),
                ..Measurement::default()
            }
        }
    }
}

/// The stock on `at`: members on the roll, or the sum of each dimension's latest value.
fn level(source: &KpiSource, records: &Records<'_>, at: NaiveDate) -> Measurement {
    let filters = &source.filters;
    match source.entity {
        KpiEntity::Member => {
            let active: Vec<&MemberFields> = records
                .members
                .iter()
                .filter(|m| member_kept(filters, m))
                .filter(|m| m.joined_on.get() <= at && m.left_on.is_none_or(|left| left.get() > at))
                .collect();
            Measurement {
                value: Some(active.len() as f64),
                records_counted: active.len() as u64,
                last_record_on: active.iter().map(|m| m.joined_on.get()).max(),
                ..Measurement::default()
            }
        }
        _ => {
            let mut latest: BTreeMap<&str, &ObservationFields> = BTreeMap::new();
            for o in records
                .observations
                .iter()
                .filter(|o| observation_kept(filters, o))
            {
                if o.observed_on.get() <= at {
                    let entry = latest.entry(o.dimension.as_str()).or_insert(o);
                    if o.observed_on > entry.observed_on {
                        *entry = o;
                    }
                }
            }
            Measurement {
                value: (!latest.is_empty()).then(|| latest.values().map(|o| o.value).sum()),
                records_counted: latest.len() as u64,
                last_record_on: latest.values().map(|o| o.observed_on.get()).max(),
                ..Measurement::default()
            }
        }
    }
}

/// The records of the source's entity that its filters keep, as facts.
fn facts(source: &KpiSource, records: &Records<'_>) -> Vec<Fact> {
    let filters = &source.filters;
    match source.entity {
        KpiEntity::Member => records
            .members
            .iter()
            .filter(|m| member_kept(filters, m))
            .map(|m| Fact::new(m.joined_on.get(), m.employees.map(f64::from)))
            .collect(),
        KpiEntity::Activity => records
            .activities
            .iter()
            .filter(|a| activity_kept(filters, a))
            .map(|a| Fact::new(a.date.get(), a.participants.map(f64::from)))
            .collect(),
        KpiEntity::Survey => records
            .surveys
            .iter()
            .filter(|s| filters.audience.is_none_or(|a| a == s.audience))
            .map(|s| {
                Fact::new(
                    s.conducted_on.get(),
                    survey_field(s, source.field.as_deref()),
                )
            })
            .collect(),
        KpiEntity::Project => records
            .projects
            .iter()
            .filter(|p| project_kept(filters, p))
            .map(|p| Fact {
                on: p.start_on.get(),
                until: p.end_on.map(|d| d.get()),
                value: Some(p.external_funding.get()),
            })
            .collect(),
        KpiEntity::Metric => records
            .observations
            .iter()
            .filter(|o| observation_kept(filters, o))
            .map(|o| Fact::new(o.observed_on.get(), Some(o.value)))
            .collect(),
        KpiEntity::Milestone => records
            .milestones
            .iter()
            .filter(|m| milestone_kept(filters, m))
            .filter_map(|m| m.achieved_on.map(|d| Fact::new(d.get(), None)))
            .collect(),
    }
}

impl Fact {
    /// A record counted by the day `on`, with no end.
    fn new(on: NaiveDate, value: Option<f64>) -> Self {
        Fact {
            on,
            until: None,
            value,
        }
    }
}

/// A survey's value in its numeric field `field` (none for a field surveys do not have).
fn survey_field(s: &SurveyFields, field: Option<&str>) -> Option<f64> {
    match field {
        Some("invited") => Some(f64::from(s.invited)),
        Some("responses") => Some(f64::from(s.responses)),
        Some("mean_score") => s.mean_score,
        Some("nps") => s.nps.map(f64::from),
        _ => None,
    }
}

fn milestone_kept(filters: &KpiFilters, m: &MilestoneFields) -> bool {
    filters
        .milestone_kind
        .as_deref()
        .is_none_or(|k| k == m.kind.as_str())
        && municipality_kept(filters, m.municipality.as_ref().map(|m| m.as_str()))
}

fn municipality_kept(filters: &KpiFilters, municipality: Option<&str>) -> bool {
    filters
        .municipality
        .as_deref()
        .is_none_or(|wanted| municipality == Some(wanted))
}

fn member_kept(filters: &KpiFilters, m: &MemberFields) -> bool {
    municipality_kept(filters, Some(m.municipality.as_str()))
        && filters
            .membership_type
            .is_none_or(|t| t == m.membership_type)
}

fn activity_kept(filters: &KpiFilters, a: &ActivityFields) -> bool {
    filters.kinds.as_ref().is_none_or(|k| k.contains(&a.kind))
        && filters.status.is_none_or(|s| s == a.status)
        && municipality_kept(filters, a.municipality.as_ref().map(|m| m.as_str()))
}

fn project_kept(filters: &KpiFilters, p: &ProjectFields) -> bool {
    filters.roles.as_ref().is_none_or(|r| r.contains(&p.role))
        && filters
            .statuses
            .as_ref()
            .is_none_or(|s| s.contains(&p.status))
        && filters
            .external_funding
            .is_none_or(|funded| (p.external_funding.get() > 0.0) == funded)
}

fn observation_kept(filters: &KpiFilters, o: &ObservationFields) -> bool {
    filters
        .metric_key
        .as_deref()
        .is_none_or(|k| k == o.metric_key.as_str())
        && filters
            .dimensions
            .as_ref()
            .is_none_or(|d| d.iter().any(|d| d == o.dimension.as_str()))
}
