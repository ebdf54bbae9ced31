//! The grouped measurer against the in-memory one: records are grouped here as the
//! store's statements group them, and every KPI shape at every month end must measure
//! the same from the groups as from the records.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::Date;
use crate::engine::memory::{self, Records};
use crate::kpi::{Direction, KpiDefinition};
use crate::number::{Count, Funding, NetPromoterScore};
use crate::org::OrganisationNumber;
use crate::records::{
    ActivityFields, Dimension, Key, MemberFields, MetricKey, MilestoneFields, Municipality,
    ObservationFields, ProjectFields, SurveyFields, Title,
};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn date(day: NaiveDate) -> Date {
    day.to_string().parse().unwrap()
}

fn valued(values: impl IntoIterator<Item = Option<f64>>) -> Valued {
    values
        .into_iter()
        .flatten()
        .fold(Valued::default(), |v, x| Valued {
            count: v.count + 1,
            sum: v.sum + x,
        })
}

/// Adds a record to its group: the record count and one value per numeric field.
fn tally<K: Ord>(
    groups: &mut BTreeMap<K, Vec<Vec<Option<f64>>>>,
    key: K,
    values: Vec<Option<f64>>,
) {
    groups.entry(key).or_default().push(values);
}

/// `(rows, the valued tally of field i)` of a group's records.
fn summed(records: &[Vec<Option<f64>>], field: usize) -> Valued {
    valued(records.iter().map(|r| r[field]))
}

fn municipality(m: Option<&Municipality>, by: bool) -> Option<String> {
    m.filter(|_| by).map(|m| m.as_str().to_owned())
}

/// The records grouped as the store's statements group them for `wanted`.
fn group(records: &Records<'_>, wanted: &Wanted) -> GroupedFacts {
    let mut facts = GroupedFacts::default();
    if let Some(q) = wanted.members {
        let mut groups = BTreeMap::new();
        for m in records.members {
            let (joined, left) = (m.joined_on.get(), m.left_on.map(Date::get));
            let on_roll_at_from = left.is_none_or(|l| l > q.span.from);
            if joined <= q.span.to && (joined >= q.span.from || on_roll_at_from) {
                let key = (
                    joined,
                    left,
                    municipality(Some(&m.municipality), q.by_municipality),
                    Some(m.membership_type)
                        .filter(|_| q.by_membership_type)
                        .map(|t| t.as_str()),
                );
                tally(&mut groups, key, vec![m.employees.map(f64::from)]);
            }
        }
        facts.members = groups
            .into_iter()
            .map(
                |((joined_on, left_on, municipality, t), rows)| MemberGroup {
                    joined_on,
                    left_on,
                    municipality,
                    membership_type: t.map(|t| t.parse().unwrap()),
                    rows: rows.len() as u64,
                    employees: summed(&rows, 0),
                },
            )
            .collect();
    }
    if let Some(q) = wanted.activities {
        let mut groups = BTreeMap::new();
        for a in records.activities {
            let day = a.date.get();
            if day >= q.span.from && day <= q.span.to {
                let key = (
                    day,
                    Some(a.kind.as_str()).filter(|_| q.by_kind),
                    Some(a.status.as_str()).filter(|_| q.by_status),
                    municipality(a.municipality.as_ref(), q.by_municipality),
                );
                tally(&mut groups, key, vec![a.participants.map(f64::from)]);
            }
        }
        facts.activities = groups
            .into_iter()
            .map(|((date, kind, status, municipality), rows)| ActivityGroup {
                date,
                kind: kind.map(|k| k.parse().unwrap()),
                status: status.map(|s| s.parse().unwrap()),
                municipality,
                rows: rows.len() as u64,
                participants: summed(&rows, 0),
            })
            .collect();
    }
    if let Some(q) = wanted.surveys {
        let mut groups = BTreeMap::new();
        for s in records.surveys {
            let day = s.conducted_on.get();
            if day >= q.span.from && day <= q.span.to {
                let key = (day, Some(s.audience.as_str()).filter(|_| q.by_audience));
                let values = vec![
                    Some(f64::from(s.invited)),
                    Some(f64::from(s.responses)),
                    s.mean_score,
                    s.nps.map(f64::from),
                ];
                tally(&mut groups, key, values);
            }
        }
        facts.surveys = groups
            .into_iter()
            .map(|((conducted_on, audience), rows)| SurveyGroup {
                conducted_on,
                audience: audience.map(|a| a.parse().unwrap()),
                rows: rows.len() as u64,
                invited: summed(&rows, 0),
                responses: summed(&rows, 1),
                mean_score: summed(&rows, 2),
                nps: summed(&rows, 3),
            })
            .collect();
    }
    if let Some(q) = wanted.projects {
        let mut groups = BTreeMap::new();
        for p in records.projects {
            let (start, end) = (p.start_on.get(), p.end_on.map(Date::get));
            if start <= q.span.to && end.is_none_or(|e| e >= q.span.from) {
                let key = (
                    start,
                    end,
                    Some(p.role.as_str()).filter(|_| q.by_role),
                    Some(p.status.as_str()).filter(|_| q.by_status),
                    p.external_funding
                        .get()
                        .partial_cmp(&0.0)
                        .filter(|_| q.by_funding),
                );
                tally(&mut groups, key, vec![Some(p.external_funding.get())]);
            }
        }
        facts.projects = groups
            .into_iter()
            .map(
                |((start_on, end_on, role, status, funding), rows)| ProjectGroup {
                    start_on,
                    end_on,
                    role: role.map(|r| r.parse().unwrap()),
                    status: status.map(|s| s.parse().unwrap()),
                    funding,
                    rows: rows.len() as u64,
                    external_funding: summed(&rows, 0),
                },
            )
            .collect();
    }
    if let Some(q) = &wanted.observations {
        let mut groups = BTreeMap::new();
        for o in records.observations {
            let key_wanted = q
                .metric_keys
                .as_ref()
                .is_none_or(|keys| keys.iter().any(|k| k == o.metric_key.as_str()));
            if o.observed_on.get() <= q.span.to && key_wanted {
                let key = (
                    o.metric_key.as_str().to_owned(),
                    o.dimension.as_str().to_owned(),
                    o.observed_on.get(),
                );
                tally(&mut groups, key, vec![Some(o.value)]);
            }
        }
        facts.observations = groups
            .into_iter()
            .map(
                |((metric_key, dimension, observed_on), rows)| ObservationGroup {
                    metric_key,
                    dimension,
                    observed_on,
                    rows: rows.len() as u64,
                    value: summed(&rows, 0),
                },
            )
            .collect();
    }
    if let Some(q) = wanted.milestones {
        let mut groups = BTreeMap::new();
        for m in records.milestones {
            let Some(day) = m.achieved_on.map(Date::get) else {
                continue;
            };
            if day >= q.span.from && day <= q.span.to {
                let key = (
                    day,
                    Some(m.kind.as_str().to_owned()).filter(|_| q.by_kind),
                    municipality(m.municipality.as_ref(), q.by_municipality),
                );
                tally(&mut groups, key, vec![]);
            }
        }
        facts.milestones = groups
            .into_iter()
            .map(|((achieved_on, kind, municipality), rows)| MilestoneGroup {
                achieved_on,
                kind,
                municipality,
                rows: rows.len() as u64,
            })
            .collect();
    }
    facts
}

/// Every KPI of `kpis` at every month end of `(from, to)`: the grouped measurement equals
/// the in-memory one.
fn assert_same(kpis: &[KpiDefinition], records: &Records<'_>, from: NaiveDate, to: NaiveDate) {
    let period = (d("2022-01-01"), d("2022-12-31"));
    let dates = super::super::month_ends(from, to);
    let needs: Vec<Vec<Need>> = kpis
        .iter()
        .map(|k| dates.iter().map(|&at| Need::of(k, period, at)).collect())
        .collect();
    let wanted = Wanted::of(
        kpis.iter()
            .zip(&needs)
            .map(|(k, n)| (&k.source, n.as_slice())),
    );
    let facts = group(records, &wanted);
    for (k, needs) in kpis.iter().zip(&needs) {
        let grouped = measure_all(&k.source, needs, &facts);
        for (need, got) in needs.iter().zip(grouped) {
            let expected = memory::measure(&k.source, need, records);
            assert_eq!(got, expected, "{:?} at {:?}", k.source, need.actual_at);
        }
    }
}

// --- Records and KPIs -----------------------------------------------------------------------

fn any_day() -> impl Strategy<Value = NaiveDate> {
    // 2021-07-01 .. 2023-06-30: before, inside and after the period.
    (0i64..730).prop_map(|n| d("2021-07-01") + chrono::Duration::days(n))
}

fn any_municipality() -> impl Strategy<Value = Option<Municipality>> {
    proptest::option::of(prop_oneof![Just("3033"), Just("3035")])
        .prop_map(|m| m.map(|m| Municipality::parse(m).unwrap()))
}

fn any_member() -> impl Strategy<Value = MemberFields> {
    (
        any_day(),
        proptest::option::of(0i64..400),
        proptest::option::of(0i32..300),
        any_municipality(),
        proptest::bool::ANY,
    )
        .prop_map(
            |(joined, stay, employees, municipality, associated)| MemberFields {
                org_number: OrganisationNumber::parse("100000008").unwrap(),
                name: Title::parse("Jessheim Regnskap AS").unwrap(),
                municipality: municipality.unwrap_or_else(|| Municipality::parse("3032").unwrap()),
                membership_type: if associated {
                    MembershipType::Associated
                } else {
                    MembershipType::Ordinary
                },
                joined_on: date(joined),
                left_on: stay.map(|days| date(joined + chrono::Duration::days(days))),
                employees: employees.map(count),
                external_ref: None,
            },
        )
}

fn any_activity() -> impl Strategy<Value = ActivityFields> {
    (
        any_day(),
        prop_oneof![
            Just(ActivityKind::MemberMeeting),
            Just(ActivityKind::Promotion)
        ],
        prop_oneof![
            Just(ActivityStatus::Held),
            Just(ActivityStatus::Planned),
            Just(ActivityStatus::Cancelled)
        ],
        proptest::option::of(0i32..200),
        any_municipality(),
    )
        .prop_map(
            |(day, kind, status, participants, municipality)| ActivityFields {
                kind,
                title: Title::parse("Frokostmøte").unwrap(),
                date: date(day),
                status,
                participants: participants.map(count),
                municipality,
                measure_id: None,
                external_ref: None,
            },
        )
}

fn any_survey() -> impl Strategy<Value = SurveyFields> {
    (
        any_day(),
        proptest::bool::ANY,
        0i32..500,
        proptest::option::of(0u8..21),
        proptest::option::of(-100i32..101),
    )
        .prop_map(|(day, internal, invited, score, nps)| SurveyFields {
            audience: if internal {
                SurveyAudience::Internal
            } else {
                SurveyAudience::External
            },
            title: Title::parse("Medlemsundersøkelse").unwrap(),
            conducted_on: date(day),
            invited: count(invited),
            responses: count(invited / 2),
            scale_min: 1.0,
            scale_max: 6.0,
            // quarters add up exactly in any order
            mean_score: score.map(|s| 1.0 + f64::from(s) / 4.0),
            nps: nps.map(|n| NetPromoterScore::new(n).unwrap()),
            external_ref: None,
        })
}

fn any_project() -> impl Strategy<Value = ProjectFields> {
    (
        any_day(),
        proptest::option::of(0i64..500),
        prop_oneof![Just(ProjectRole::Owner), Just(ProjectRole::Partner)],
        prop_oneof![Just(ProjectStatus::Applied), Just(ProjectStatus::Running)],
        0u32..4,
    )
        .prop_map(|(start, days, role, status, funding)| ProjectFields {
            title: Title::parse("Fremtidens logistikk").unwrap(),
            role,
            start_on: date(start),
            end_on: days.map(|n| date(start + chrono::Duration::days(n))),
            funder: None,
            funding_scheme: None,
            case_number: None,
            external_funding: Funding::new(f64::from(funding) * 125_000.0).unwrap(),
            status,
            external_ref: None,
        })
}

fn any_observation() -> impl Strategy<Value = ObservationFields> {
    (
        prop_oneof![Just("social.followers"), Just("web.visits")],
        prop_oneof![Just("linkedin"), Just("facebook"), Just("x")],
        any_day(),
        0u32..10_000,
    )
        .prop_map(|(key, dimension, day, value)| ObservationFields {
            metric_key: MetricKey::parse(key).unwrap(),
            dimension: Dimension::parse(dimension).unwrap(),
            observed_on: date(day),
            value: f64::from(value),
            external_ref: None,
        })
}

fn any_milestone() -> impl Strategy<Value = MilestoneFields> {
    (
        prop_oneof![
            Just("benefit_programme_launched"),
            Just("course_programme_started")
        ],
        proptest::option::of(any_day()),
        any_municipality(),
    )
        .prop_map(|(kind, achieved, municipality)| MilestoneFields {
            kind: Key::parse(kind).unwrap(),
            title: Title::parse("Fordelsprogram lansert").unwrap(),
            due_on: None,
            achieved_on: achieved.map(date),
            municipality,
            measure_id: None,
            external_ref: None,
        })
}

fn kpi(entity: KpiEntity, aggregate: KpiAggregate, field: Option<&str>) -> KpiDefinition {
    KpiDefinition {
        source: KpiSource {
            entity,
            aggregate,
            field: field.map(str::to_owned),
            filters: KpiFilters::default(),
        },
        direction: Direction::AtLeast,
        target: 10.0,
        baseline: None,
        period_start: None,
        period_end: None,
        tolerance: KpiDefinition::DEFAULT_TOLERANCE,
    }
}

/// Every entity with each aggregate it has, without filters and with each filter it reads.
fn every_kpi_shape() -> Vec<KpiDefinition> {
    use KpiAggregate::{Count, GrowthPct, Level, Mean, Sum};
    use KpiEntity::{Activity, Member, Metric, Project, Survey};
    let municipality = || "3033".parse().ok();
    let mut kpis = Vec::new();
    let mut with = |mut k: KpiDefinition, filters: &dyn Fn(&mut KpiFilters)| {
        kpis.push(k.clone());
        filters(&mut k.source.filters);
        kpis.push(k);
    };
    for aggregate in [Count, Sum, Mean, Level, GrowthPct] {
        let field = matches!(aggregate, Sum | Mean).then_some("employees");
        with(kpi(Member, aggregate, field), &|f| {
            f.municipality = municipality();
            f.membership_type = Some(MembershipType::Associated);
        });
    }
    for aggregate in [Count, Sum, Mean] {
        let field = matches!(aggregate, Sum | Mean).then_some("participants");
        with(kpi(Activity, aggregate, field), &|f| {
            f.kinds = Some(vec![ActivityKind::Promotion]);
            f.status = Some(ActivityStatus::Held);
            f.municipality = municipality();
        });
    }
    for (aggregate, field) in [
        (Count, None),
        (Sum, Some("invited")),
        (Sum, Some("responses")),
        (Mean, Some("mean_score")),
        (Mean, Some("nps")),
    ] {
        with(kpi(Survey, aggregate, field), &|f| {
            f.audience = Some(SurveyAudience::Internal);
        });
    }
    for (aggregate, field) in [(Count, None), (Sum, Some("external_funding"))] {
        with(kpi(Project, aggregate, field), &|f| {
            f.roles = Some(vec![ProjectRole::Owner]);
            f.statuses = Some(vec![ProjectStatus::Running]);
            f.external_funding = Some(true);
        });
        with(kpi(Project, aggregate, field), &|f| {
            f.external_funding = Some(false);
        });
    }
    for aggregate in [Count, Sum, Mean, Level, GrowthPct] {
        let field = matches!(aggregate, Sum | Mean).then_some("value");
        let mut k = kpi(Metric, aggregate, field);
        k.source.filters.metric_key = "social.followers".parse().ok();
        with(k, &|f| {
            f.dimensions = ["linkedin", "x"]
                .iter()
                .map(|d| d.parse())
                .collect::<Result<_, _>>()
                .ok()
        });
    }
    with(
        kpi(KpiEntity::Milestone, KpiAggregate::Milestone, None),
        &|f| {
            f.milestone_kind = "benefit_programme_launched".parse().ok();
            f.municipality = municipality();
        },
    );
    kpis
}

#[test]
fn a_kpi_that_needs_nothing_asks_for_nothing() {
    let k = kpi(KpiEntity::Activity, KpiAggregate::Count, None);
    let needs = [Need::of(
        &k,
        (d("2022-01-01"), d("2022-12-31")),
        d("2021-06-30"),
    )];
    assert_eq!(Wanted::of([(&k.source, &needs[..])]), Wanted::default());
}

#[test]
fn the_span_reaches_the_end_for_the_planned_activities_ahead() {
    let mut k = kpi(KpiEntity::Activity, KpiAggregate::Count, None);
    k.source.filters.kinds = Some(vec![ActivityKind::Promotion]);
    let period = (d("2022-01-01"), d("2022-12-31"));
    let needs: Vec<Need> = [d("2022-01-31"), d("2022-02-28")]
        .iter()
        .map(|&at| Need::of(&k, period, at))
        .collect();
    let wanted = Wanted::of([(&k.source, needs.as_slice())]);
    assert_eq!(
        wanted.activities,
        Some(ActivityQuery {
            span: Span {
                from: period.0,
                to: period.1
            },
            by_kind: true,
            by_status: true,
            by_municipality: false,
        })
    );
    assert_eq!(wanted.members, None);
}

#[test]
fn metric_keys_are_gathered_once_each() {
    let mut a = kpi(KpiEntity::Metric, KpiAggregate::Level, None);
    a.source.filters.metric_key = "social.followers".parse().ok();
    let mut b = a.clone();
    b.source.filters.metric_key = "web.visits".parse().ok();
    let needs = [Need::of(
        &a,
        (d("2022-01-01"), d("2022-12-31")),
        d("2022-06-30"),
    )];
    let wanted = Wanted::of([
        (&a.source, &needs[..]),
        (&b.source, &needs[..]),
        (&a.source, &needs[..]),
    ]);
    let keys = wanted.observations.and_then(|q| q.metric_keys);
    assert_eq!(
        keys,
        Some(vec!["social.followers".into(), "web.visits".into()])
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_kpi_measures_from_the_groups_as_from_the_records(
        members in proptest::collection::vec(any_member(), 0..25),
        activities in proptest::collection::vec(any_activity(), 0..25),
        surveys in proptest::collection::vec(any_survey(), 0..15),
        projects in proptest::collection::vec(any_project(), 0..15),
        observations in proptest::collection::vec(any_observation(), 0..25),
        milestones in proptest::collection::vec(any_milestone(), 0..10),
        from in any_day(),
        months in 0u32..16,
        only in proptest::option::of(0usize..64),
    ) {
        // An organisation holds one value per metric, dimension and day (a unique key in
        // the store), so the records here do too.
        let mut seen = std::collections::HashSet::new();
        let observations: Vec<ObservationFields> = observations
            .into_iter()
            .filter(|o| seen.insert((o.metric_key.clone(), o.dimension.clone(), o.observed_on)))
            .collect();
        let records = Records {
            members: &members,
            activities: &activities,
            surveys: &surveys,
            projects: &projects,
            observations: &observations,
            milestones: &milestones,
        };
        let to = from.checked_add_months(chrono::Months::new(months)).unwrap();
        let mut kpis = every_kpi_shape();
        // One KPI alone, too: its statement groups by its own filters only.
        if let Some(i) = only {
            kpis = vec![kpis[i % kpis.len()].clone()];
        }
        assert_same(&kpis, &records, from, to);
    }
}

/// A count the generators keep in range.
fn count(n: i32) -> Count {
    Count::new(n).unwrap()
}
