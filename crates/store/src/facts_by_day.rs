//! The records the KPI engine needs at many dates at once, grouped by day: one aggregate
//! statement per record kind, whatever the number of KPIs and dates.
//!
//! [`facts`](crate::facts) answers one KPI at one date with a few aggregate queries; a
//! plan's monthly series would send those for every KPI at every month end. Here each
//! kind the KPIs count is read once, as `veikart_domain::engine::grouped::Wanted` asks:
//! grouped by the record's date (a member's joining and leaving, a project's start and
//! end) and by the columns the KPIs filter on, each group with its number of records
//! and, per numeric field, how many have a value (`COUNT(field)`) and their sum; narrowed
//! to the organisation and the dates needed. The domain measures every KPI at every date
//! from the groups (`grouped::measure_all`). No record row is loaded; a group carries only
//! what a filter or a date compares.

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Double, Integer, Nullable, Text};
use veikart_domain::engine::grouped::{
    ActivityGroup, ActivityQuery, GroupedFacts, MemberGroup, MemberQuery, MilestoneGroup,
    MilestoneQuery, ObservationGroup, ObservationQuery, ProjectGroup, ProjectQuery, SurveyGroup,
    SurveyQuery, Valued, Wanted,
};
use veikart_domain::kpi::{
    ActivityKind, ActivityStatus, MembershipType, ProjectRole, SurveyAudience,
};
use veikart_domain::records::ProjectStatus;

use crate::db::{DbConnection, MultiBackend};
use crate::error::StoreError;
use crate::records::Stored;
use crate::schema::{
    activities, members, milestones, observations, organisations, projects, surveys,
};
use crate::scope::Org;

/// The grouped records `wanted` asks for: one statement per kind it names.
pub fn load(
    conn: &mut DbConnection,
    org: Org<'_>,
    wanted: &Wanted,
) -> Result<GroupedFacts, StoreError> {
    let mut facts = GroupedFacts::default();
    if let Some(q) = &wanted.members {
        facts.members = member_groups(conn, org, q)?;
    }
    if let Some(q) = &wanted.activities {
        facts.activities = activity_groups(conn, org, q)?;
    }
    if let Some(q) = &wanted.surveys {
        facts.surveys = survey_groups(conn, org, q)?;
    }
    if let Some(q) = &wanted.projects {
        facts.projects = project_groups(conn, org, q)?;
    }
    if let Some(q) = &wanted.observations {
        facts.observations = observation_groups(conn, org, q)?;
    }
    if let Some(q) = &wanted.milestones {
        facts.milestones = milestone_groups(conn, org, q)?;
    }
    Ok(facts)
}

/// The `SELECT` list and `GROUP BY` list of a grouped statement, built from the table's
/// own column names (never from a request's text).
struct Columns {
    select: Vec<String>,
    group: Vec<&'static str>,
}

impl Columns {
    /// Starts with the columns always grouped by.
    fn by(columns: &[&'static str]) -> Self {
        Self {
            select: columns.iter().map(|c| (*c).to_owned()).collect(),
            group: columns.to_vec(),
        }
    }

    /// A column grouped by when `by`; otherwise selected as a typed `NULL`.
    fn maybe(mut self, column: &'static str, by: bool, null: &str) -> Self {
        if by {
            self.select.push(column.to_owned());
            self.group.push(column);
        } else {
            self.select.push(null.to_owned());
        }
        self
    }

    /// Any expression of the group (an aggregate).
    fn with(mut self, expression: &str) -> Self {
        self.select.push(expression.to_owned());
        self
    }

    /// How many records have a value in `column`, and their sum.
    fn valued(self, column: &str) -> Self {
        self.with(&format!(
            "COUNT({column}), SUM(CAST({column} AS DOUBLE PRECISION))"
        ))
    }

    fn select(&self) -> String {
        self.select.join(", ")
    }

    fn group_by(&self) -> String {
        self.group.join(", ")
    }
}

const NULL_TEXT: &str = "CAST(NULL AS TEXT)";

/// `$table` grouped by `$columns`, selecting them as `$sql_type`, as a boxed query
/// narrowed to organisation `$org`.
macro_rules! grouped_in_org {
    ($table:ident, $org:expr, $columns:expr, $sql_type:ty) => {{
        let columns = &$columns;
        let query = $table::table
            .select(sql::<$sql_type>(&columns.select()))
            .group_by(sql::<Text>(&columns.group_by()))
            .into_boxed::<MultiBackend>();
        match $org {
            Org::Id(id) => query.filter($table::org_id.eq(id)),
            Org::Slug(slug) => query.filter(
                $table::org_id.eq_any(
                    organisations::table
                        .filter(organisations::slug.eq(slug))
                        .select(organisations::id),
                ),
            ),
            Org::SlugForKey { slug, key } => query.filter(
                $table::org_id.eq_any(
                    organisations::table
                        .filter(organisations::slug.eq(slug))
                        .filter(
                            organisations::id.eq_any(crate::scope::opened_by(key.digest, key.at)),
                        )
                        .select(organisations::id),
                ),
            ),
        }
    }};
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn valued(count_of: i64, sum: Option<f64>) -> Valued {
    Valued {
        count: count(count_of),
        sum: sum.unwrap_or(0.0),
    }
}

type MemberRow = (
    NaiveDate,
    Option<NaiveDate>,
    Option<String>,
    Option<Stored<MembershipType>>,
    i64,
    i64,
    Option<f64>,
);

/// Members who joined by the span's end and were on the roll at its start or joined
/// after it, by the days they joined and left.
fn member_groups(
    conn: &mut DbConnection,
    org: Org<'_>,
    q: &MemberQuery,
) -> Result<Vec<MemberGroup>, StoreError> {
    let columns = Columns::by(&["members.joined_on", "members.left_on"])
        .maybe("members.municipality", q.by_municipality, NULL_TEXT)
        .maybe("members.membership_type", q.by_membership_type, NULL_TEXT)
        .with("COUNT(*)")
        .valued("members.employees");
    let (from, to) = (q.span.from, q.span.to);
    let rows: Vec<MemberRow> = grouped_in_org!(
        members,
        org,
        columns,
        (
            Date,
            Nullable<Date>,
            Nullable<Text>,
            Nullable<Text>,
            BigInt,
            BigInt,
            Nullable<Double>
        )
    )
    .filter(members::joined_on.le(to))
    .filter(
        members::joined_on
            .ge(from)
            .or(members::left_on.is_null())
            .or(members::left_on.gt(from)),
    )
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(joined_on, left_on, municipality, t, rows, n, sum)| MemberGroup {
                joined_on,
                left_on,
                municipality,
                membership_type: t.map(|t| t.0),
                rows: count(rows),
                employees: valued(n, sum),
            },
        )
        .collect())
}

type ActivityRow = (
    NaiveDate,
    Option<Stored<ActivityKind>>,
    Option<Stored<ActivityStatus>>,
    Option<String>,
    i64,
    i64,
    Option<f64>,
);

/// Activities dated in the span, by day.
fn activity_groups(
    conn: &mut DbConnection,
    org: Org<'_>,
    q: &ActivityQuery,
) -> Result<Vec<ActivityGroup>, StoreError> {
    let columns = Columns::by(&["activities.date"])
        .maybe("activities.kind", q.by_kind, NULL_TEXT)
        .maybe("activities.status", q.by_status, NULL_TEXT)
        .maybe("activities.municipality", q.by_municipality, NULL_TEXT)
        .with("COUNT(*)")
        .valued("activities.participants");
    let rows: Vec<ActivityRow> = grouped_in_org!(
        activities,
        org,
        columns,
        (
            Date,
            Nullable<Text>,
            Nullable<Text>,
            Nullable<Text>,
            BigInt,
            BigInt,
            Nullable<Double>
        )
    )
    .filter(activities::date.between(q.span.from, q.span.to))
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(date, kind, status, municipality, rows, n, sum)| ActivityGroup {
                date,
                kind: kind.map(|k| k.0),
                status: status.map(|s| s.0),
                municipality,
                rows: count(rows),
                participants: valued(n, sum),
            },
        )
        .collect())
}

type SurveyRow = (
    NaiveDate,
    Option<Stored<SurveyAudience>>,
    i64,
    (i64, Option<f64>),
    (i64, Option<f64>),
    (i64, Option<f64>),
    (i64, Option<f64>),
);

/// Surveys conducted in the span, by day, with each numeric field's count and sum.
fn survey_groups(
    conn: &mut DbConnection,
    org: Org<'_>,
    q: &SurveyQuery,
) -> Result<Vec<SurveyGroup>, StoreError> {
    let columns = Columns::by(&["surveys.conducted_on"])
        .maybe("surveys.audience", q.by_audience, NULL_TEXT)
        .with("COUNT(*)")
        .valued("surveys.invited")
        .valued("surveys.responses")
        .valued("surveys.mean_score")
        .valued("surveys.nps");
    let rows: Vec<SurveyRow> = grouped_in_org!(
        surveys,
        org,
        columns,
        (
            Date,
            Nullable<Text>,
            BigInt,
            (BigInt, Nullable<Double>),
            (BigInt, Nullable<Double>),
            (BigInt, Nullable<Double>),
            (BigInt, Nullable<Double>)
        )
    )
    .filter(surveys::conducted_on.between(q.span.from, q.span.to))
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(conducted_on, audience, rows, i, r, m, n)| SurveyGroup {
            conducted_on,
            audience: audience.map(|a| a.0),
            rows: count(rows),
            invited: valued(i.0, i.1),
            responses: valued(r.0, r.1),
            mean_score: valued(m.0, m.1),
            nps: valued(n.0, n.1),
        })
        .collect())
}

type ProjectRow = (
    NaiveDate,
    Option<NaiveDate>,
    Option<Stored<ProjectRole>>,
    Option<Stored<ProjectStatus>>,
    Option<i32>,
    i64,
    i64,
    Option<f64>,
);

/// The funding compared with 0, as the store's filters compare it (`> 0`, `= 0`).
const FUNDING_SIGN: &str = "CASE WHEN projects.external_funding > 0 THEN 1 \
     WHEN projects.external_funding = 0 THEN 0 ELSE -1 END";

/// Projects running at some time in the span, by start and end.
fn project_groups(
    conn: &mut DbConnection,
    org: Org<'_>,
    q: &ProjectQuery,
) -> Result<Vec<ProjectGroup>, StoreError> {
    let columns = Columns::by(&["projects.start_on", "projects.end_on"])
        .maybe("projects.role", q.by_role, NULL_TEXT)
        .maybe("projects.status", q.by_status, NULL_TEXT)
        .maybe(FUNDING_SIGN, q.by_funding, "CAST(NULL AS INTEGER)")
        .with("COUNT(*)")
        .valued("projects.external_funding");
    let rows: Vec<ProjectRow> = grouped_in_org!(
        projects,
        org,
        columns,
        (
            Date,
            Nullable<Date>,
            Nullable<Text>,
            Nullable<Text>,
            Nullable<Integer>,
            BigInt,
            BigInt,
            Nullable<Double>
        )
    )
    .filter(projects::start_on.le(q.span.to))
    .filter(
        projects::end_on
            .is_null()
            .or(projects::end_on.ge(q.span.from)),
    )
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(start_on, end_on, role, status, sign, rows, n, sum)| ProjectGroup {
                start_on,
                end_on,
                role: role.map(|r| r.0),
                status: status.map(|s| s.0),
                funding: sign.map(|s| s.cmp(&0)),
                rows: count(rows),
                external_funding: valued(n, sum),
            },
        )
        .collect())
}

/// Observations of the metrics asked for, on or before the span's end (a level needs each
/// dimension's latest, however old), by metric, dimension and day.
fn observation_groups(
    conn: &mut DbConnection,
    org: Org<'_>,
    q: &ObservationQuery,
) -> Result<Vec<ObservationGroup>, StoreError> {
    let columns = Columns::by(&[
        "observations.metric_key",
        "observations.dimension",
        "observations.observed_on",
    ])
    .with("COUNT(*)")
    .valued("observations.value");
    let mut query = grouped_in_org!(
        observations,
        org,
        columns,
        (Text, Text, Date, BigInt, BigInt, Nullable<Double>)
    )
    .filter(observations::observed_on.le(q.span.to));
    if let Some(keys) = &q.metric_keys {
        query = query.filter(observations::metric_key.eq_any(keys.clone()));
    }
    let rows: Vec<(String, String, NaiveDate, i64, i64, Option<f64>)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(metric_key, dimension, observed_on, rows, n, sum)| ObservationGroup {
                metric_key,
                dimension,
                observed_on,
                rows: count(rows),
                value: valued(n, sum),
            },
        )
        .collect())
}

/// Milestones achieved in the span, by day.
fn milestone_groups(
    conn: &mut DbConnection,
    org: Org<'_>,
    q: &MilestoneQuery,
) -> Result<Vec<MilestoneGroup>, StoreError> {
    let columns = Columns::by(&["milestones.achieved_on"])
        .maybe("milestones.kind", q.by_kind, NULL_TEXT)
        .maybe("milestones.municipality", q.by_municipality, NULL_TEXT)
        .with("COUNT(*)");
    let rows: Vec<(NaiveDate, Option<String>, Option<String>, i64)> = grouped_in_org!(
        milestones,
        org,
        columns,
        (Date, Nullable<Text>, Nullable<Text>, BigInt)
    )
    .filter(milestones::achieved_on.between(q.span.from, q.span.to))
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(achieved_on, kind, municipality, rows)| MilestoneGroup {
            achieved_on,
            kind,
            municipality,
            rows: count(rows),
        })
        .collect())
}
