//! The facts the KPI engine needs, measured in the database: what a KPI's source counts,
//! sums or averages over a date window, a level on a day, the planned activities ahead —
//! each one aggregate query over the indexes that lead with `org_id` (`COUNT`, `SUM`,
//! `MAX`; a metric level is two: each dimension's latest day, then those values). No
//! query loads every record. [`counted`] lists the records one result counted, in date
//! order, a page at a time.
//!
//! The rules are the domain's (`veikart_domain::engine`); its in-memory measurer says
//! the same in plain Rust, and the tests hold the two to the same answers.

use chrono::NaiveDate;
use diesel::dsl::{count_star, max, sql};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Double, Nullable, Text};
use veikart_domain::engine::{Measurement, Need};
use veikart_domain::kpi::{ActivityStatus, KpiAggregate, KpiEntity, KpiFilters, KpiSource};
use veikart_domain::records::RecordKind;

use crate::db::{DbConnection, MultiBackend};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::records::{Stored, position, unpack};
use crate::schema::{activities, members, milestones, observations, projects, surveys};
use crate::scope::{Org, in_org};

/// One record a result counted, for the drill-down.
#[derive(Debug, Clone, PartialEq)]
pub struct Counted {
    pub kind: RecordKind,
    pub id: i64,
    /// The date it is counted by (a project: its start; a member on the roll: the day it
    /// joined).
    pub on: NaiveDate,
    /// Its title, name, or (an observation) its dimension.
    pub label: String,
    /// The value it adds: the summed field, or an observation's value.
    pub value: Option<f64>,
}

/// What `source` measures for `need`, in the database.
pub fn measure(
    conn: &mut DbConnection,
    org: Org<'_>,
    source: &KpiSource,
    need: &Need,
) -> Result<Measurement, StoreError> {
    let mut m = Measurement::default();
    if let Some(at) = need.actual_at {
        m = match source.aggregate {
            KpiAggregate::Level | KpiAggregate::GrowthPct => level(conn, org, source, at)?,
            _ => dated(conn, org, source, need.start, at)?,
        };
    }
    if need.level_at_start {
        m.level_at_start = level(conn, org, source, need.start)?.value;
    }
    if let Some(after) = need.planned_after {
        let filters = KpiFilters {
            status: None,
            ..source.filters.clone()
        };
        let planned: i64 = activities_kept(org, &filters)
            .filter(activities::status.eq(Stored(ActivityStatus::Planned)))
            .filter(activities::date.gt(after))
            .filter(activities::date.le(need.end))
            .select(count_star())
            .first(conn)?;
        m.planned_ahead = u64::try_from(planned).unwrap_or(0);
    }
    Ok(m)
}

/// `(rows, sum of the field, newest date)` of a query.
type Aggregates = (i64, Option<f64>, Option<NaiveDate>);

/// The SQL of a sum over a KPI's numeric field (as double precision on both databases),
/// and the condition that the field has a value; `None` for a count.
fn field_sql(source: &KpiSource) -> Result<Option<(String, String)>, StoreError> {
    if !matches!(source.aggregate, KpiAggregate::Sum | KpiAggregate::Mean) {
        return Ok(None);
    }
    let field = source.field.as_deref().unwrap_or("");
    // Only the entity's own numeric fields reach SQL; they are the validated names.
    if !source.entity.numeric_fields().contains(&field) {
        return Err(StoreError::Corrupt(format!(
            "kpi field `{field}` is not a numeric field of {}",
            source.entity.as_str()
        )));
    }
    Ok(Some((
        format!("SUM(CAST({field} AS DOUBLE PRECISION))"),
        format!("{field} IS NOT NULL"),
    )))
}

/// The aggregate of a boxed query of `$table` by its date column `$date`: a count, or
/// the sum of the field over the rows that have one.
macro_rules! aggregate {
    ($conn:expr, $query:expr, $table:ident :: $date:ident, $field:expr) => {{
        let query = $query;
        match $field {
            Some((sum, has_value)) => query
                .filter(sql::<Bool>(&has_value))
                .select((
                    count_star(),
                    sql::<Nullable<Double>>(&sum),
                    max($table::$date),
                ))
                .first::<Aggregates>($conn)?,
            None => query
                .select((
                    count_star(),
                    sql::<Nullable<Double>>("CAST(NULL AS DOUBLE PRECISION)"),
                    max($table::$date),
                ))
                .first::<Aggregates>($conn)?,
        }
    }};
}

/// A count, sum, mean or milestone over the records dated in `[start, at]` (a project:
/// running at some time in it).
fn dated(
    conn: &mut DbConnection,
    org: Org<'_>,
    source: &KpiSource,
    start: NaiveDate,
    at: NaiveDate,
) -> Result<Measurement, StoreError> {
    let (rows, sum, last) = dated_aggregates(conn, org, source, start, at)?;
    Ok(Measurement {
        value: dated_value(source.aggregate, rows, sum),
        records_counted: u64::try_from(rows).unwrap_or(0),
        last_record_on: last,
        ..Measurement::default()
    })
}

/// The [`Aggregates`] of the source's records dated in `[start, at]`, in one statement.
fn dated_aggregates(
    conn: &mut DbConnection,
    org: Org<'_>,
    source: &KpiSource,
    start: NaiveDate,
    at: NaiveDate,
) -> Result<Aggregates, StoreError> {
    let filters = &source.filters;
    let field = field_sql(source)?;
    Ok(match source.entity {
        KpiEntity::Member => aggregate!(
            conn,
            members_kept(org, filters).filter(members::joined_on.between(start, at)),
            members::joined_on,
            field
        ),
        KpiEntity::Activity => aggregate!(
            conn,
            activities_kept(org, filters).filter(activities::date.between(start, at)),
            activities::date,
            field
        ),
        KpiEntity::Survey => aggregate!(
            conn,
            surveys_kept(org, filters).filter(surveys::conducted_on.between(start, at)),
            surveys::conducted_on,
            field
        ),
        KpiEntity::Project => aggregate!(
            conn,
            projects_running(org, filters, start, at),
            projects::start_on,
            field
        ),
        KpiEntity::Metric => aggregate!(
            conn,
            observations_kept(org, filters).filter(observations::observed_on.between(start, at)),
            observations::observed_on,
            field
        ),
        KpiEntity::Milestone => aggregate!(
            conn,
            milestones_kept(org, filters).filter(milestones::achieved_on.between(start, at)),
            milestones::achieved_on,
            None::<(String, String)>
        ),
    })
}

/// A dated aggregate's value from its rows and the sum of its field: the sum (0 with no
/// rows), the mean (none with no rows), 1 when a milestone was achieved (else 0), or the
/// count.
fn dated_value(aggregate: KpiAggregate, rows: i64, sum: Option<f64>) -> Option<f64> {
    match aggregate {
        KpiAggregate::Sum => Some(sum.unwrap_or(0.0)),
        KpiAggregate::Mean => sum.filter(|_| rows > 0).map(|s| s / rows as f64),
        KpiAggregate::Milestone => Some(if rows > 0 { 1.0 } else { 0.0 }),
        _ => Some(rows as f64),
    }
}

/// The stock on `at`: members on the roll, or the sum of each dimension's latest value.
fn level(
    conn: &mut DbConnection,
    org: Org<'_>,
    source: &KpiSource,
    at: NaiveDate,
) -> Result<Measurement, StoreError> {
    if source.entity == KpiEntity::Member {
        let (rows, last): (i64, Option<NaiveDate>) = members_on_roll(org, &source.filters, at)
            .select((count_star(), max(members::joined_on)))
            .first(conn)?;
        return Ok(Measurement {
            value: Some(rows as f64),
            records_counted: u64::try_from(rows).unwrap_or(0),
            last_record_on: last,
            ..Measurement::default()
        });
    }
    let latest = latest_observations(conn, org, &source.filters, at)?;
    Ok(Measurement {
        value: (!latest.is_empty()).then(|| latest.iter().map(|o| o.3).sum()),
        records_counted: latest.len() as u64,
        last_record_on: latest.iter().map(|o| o.2).max(),
        ..Measurement::default()
    })
}

/// `(id, dimension, observed_on, value)` of each dimension's latest observation on or
/// before `at`, in one statement: the rows whose `(dimension, observed_on)` is among each
/// dimension's latest day (a grouped subquery over the index on `(org_id, metric_key,
/// dimension, observed_on)`, which also serves the lookup of those rows).
fn latest_observations(
    conn: &mut DbConnection,
    org: Org<'_>,
    filters: &KpiFilters,
    at: NaiveDate,
) -> Result<Vec<(i64, String, NaiveDate, f64)>, StoreError> {
    // A metric KPI always names its metric (its definition is refused otherwise).
    let Some(key) = filters.metric_key.as_deref().map(str::to_owned) else {
        return Ok(Vec::new());
    };
    let latest_days = sql::<Bool>(
        "(observations.dimension, observations.observed_on) IN \
         (SELECT l.dimension, MAX(l.observed_on) FROM observations l WHERE l.metric_key = ",
    )
    .bind::<Text, _>(key)
    .sql(" AND l.observed_on <= ")
    .bind::<Date, _>(at);
    let query = observations_kept(org, filters).filter(observations::observed_on.le(at));
    // The outer query is narrowed to the organisation (and gated by a key) already; the
    // subquery only needs the same organisation.
    let query = match org {
        Org::Id(id) => query.filter(
            latest_days
                .sql(" AND l.org_id = ")
                .bind::<BigInt, _>(id)
                .sql(" GROUP BY l.dimension)"),
        ),
        Org::Slug(slug) | Org::SlugForKey { slug, .. } => query.filter(
            latest_days
                .sql(" AND l.org_id IN (SELECT o.id FROM organisations o WHERE o.slug = ")
                .bind::<Text, _>(slug.to_owned())
                .sql(") GROUP BY l.dimension)"),
        ),
    };
    Ok(query
        .select((
            observations::id,
            observations::dimension,
            observations::observed_on,
            observations::value,
        ))
        .order(observations::dimension.asc())
        .load(conn)?)
}

/// `(id, date, label, value)` of one record a result counted.
type CountedRow = (i64, NaiveDate, String, Option<f64>);

/// How a page of the records a result counted is read: the SQL of the value each adds,
/// the condition that a summed field has one, and the page's position and size.
struct Listing {
    value: String,
    has_value: Option<String>,
    after: Option<(NaiveDate, i64)>,
    limit: i64,
}

/// The [`CountedRow`]s of a page of `$query`'s rows (with a value in the summed field),
/// after the page's position, in date order then id.
macro_rules! page_of {
    ($conn:expr, $listing:expr, $query:expr, $table:ident :: $date:ident, $label:ident) => {{
        let listing: &Listing = $listing;
        let mut query = $query;
        if let Some(condition) = &listing.has_value {
            query = query.filter(sql::<Bool>(condition));
        }
        if let Some((day, id)) = listing.after {
            query = query.filter(
                $table::$date
                    .gt(day)
                    .or($table::$date.eq(day).and($table::id.gt(id))),
            );
        }
        query
            .order(($table::$date.asc(), $table::id.asc()))
            .limit(listing.limit)
            .select((
                $table::id,
                $table::$date,
                $table::$label,
                sql::<Nullable<Double>>(&listing.value),
            ))
            .load::<CountedRow>($conn)?
    }};
}

/// One page of the records a result at `need` counted, in date order then id.
pub fn counted(
    conn: &mut DbConnection,
    org: Org<'_>,
    source: &KpiSource,
    need: &Need,
    page: PageRequest,
) -> Result<Page<Counted>, StoreError> {
    let Some(at) = need.actual_at else {
        return Ok(page.finish(Vec::new(), |_: &Counted| 0));
    };
    let (value, has_value) = counted_value(source)?;
    let listing = Listing {
        value,
        has_value,
        after: page.after.map(unpack),
        limit: page.fetch_limit(),
    };
    let level = matches!(
        source.aggregate,
        KpiAggregate::Level | KpiAggregate::GrowthPct
    );
    let rows = match source.entity {
        KpiEntity::Member if level => page_of!(
            conn,
            &listing,
            members_on_roll(org, &source.filters, at),
            members::joined_on,
            name
        ),
        KpiEntity::Metric if level => latest_page(conn, org, &source.filters, at, &listing)?,
        _ => dated_page(conn, org, source, need.start, at, &listing)?,
    };
    if rows.is_empty() {
        org.ensure_exists(conn)?;
    }
    let kind = record_kind(source.entity);
    let rows = rows
        .into_iter()
        .map(|(id, on, label, value)| Counted {
            kind,
            id,
            on,
            label,
            value,
        })
        .collect();
    Ok(page.finish(rows, |c| position(c.on, c.id)))
}

/// The SQL of the value a counted record adds (its summed field, an observation's value,
/// else none), and the condition that a summed field has a value.
fn counted_value(source: &KpiSource) -> Result<(String, Option<String>), StoreError> {
    Ok(match (source.entity, field_sql(source)?) {
        (_, Some((_, has_value))) => {
            let field = source.field.as_deref().unwrap_or("");
            (
                format!("CAST({field} AS DOUBLE PRECISION)"),
                Some(has_value),
            )
        }
        (KpiEntity::Metric, None) => ("value".to_owned(), None),
        (_, None) => ("CAST(NULL AS DOUBLE PRECISION)".to_owned(), None),
    })
}

/// The kind of record a KPI's entity counts.
fn record_kind(entity: KpiEntity) -> RecordKind {
    match entity {
        KpiEntity::Member => RecordKind::Member,
        KpiEntity::Activity => RecordKind::Activity,
        KpiEntity::Survey => RecordKind::Survey,
        KpiEntity::Project => RecordKind::Project,
        KpiEntity::Metric => RecordKind::Observation,
        KpiEntity::Milestone => RecordKind::Milestone,
    }
}

/// A page of each dimension's latest observation on or before `at`: the few latest rows,
/// paged in memory.
fn latest_page(
    conn: &mut DbConnection,
    org: Org<'_>,
    filters: &KpiFilters,
    at: NaiveDate,
    listing: &Listing,
) -> Result<Vec<CountedRow>, StoreError> {
    let mut rows: Vec<_> = latest_observations(conn, org, filters, at)?
        .into_iter()
        .map(|(id, dimension, on, value)| (id, on, dimension, Some(value)))
        .collect();
    rows.sort_by_key(|r| (r.1, r.0));
    rows.retain(|r| listing.after.is_none_or(|(day, id)| (r.1, r.0) > (day, id)));
    rows.truncate(usize::try_from(listing.limit).unwrap_or(0));
    Ok(rows)
}

/// A page of the source's records dated in `[start, at]` (a project: running at some
/// time in it).
fn dated_page(
    conn: &mut DbConnection,
    org: Org<'_>,
    source: &KpiSource,
    start: NaiveDate,
    at: NaiveDate,
    listing: &Listing,
) -> Result<Vec<CountedRow>, StoreError> {
    let filters = &source.filters;
    Ok(match source.entity {
        KpiEntity::Member => page_of!(
            conn,
            listing,
            members_kept(org, filters).filter(members::joined_on.between(start, at)),
            members::joined_on,
            name
        ),
        KpiEntity::Activity => page_of!(
            conn,
            listing,
            activities_kept(org, filters).filter(activities::date.between(start, at)),
            activities::date,
            title
        ),
        KpiEntity::Survey => page_of!(
            conn,
            listing,
            surveys_kept(org, filters).filter(surveys::conducted_on.between(start, at)),
            surveys::conducted_on,
            title
        ),
        KpiEntity::Project => page_of!(
            conn,
            listing,
            projects_running(org, filters, start, at),
            projects::start_on,
            title
        ),
        KpiEntity::Metric => page_of!(
            conn,
            listing,
            observations_kept(org, filters).filter(observations::observed_on.between(start, at)),
            observations::observed_on,
            dimension
        ),
        // an achieved milestone is listed by the day it was achieved
        KpiEntity::Milestone => page_of!(
            conn,
            listing,
            milestones_kept(org, filters).filter(milestones::achieved_on.between(start, at)),
            milestones::listed_on,
            title
        ),
    })
}

fn members_kept<'a>(org: Org<'a>, filters: &KpiFilters) -> members::BoxedQuery<'a, MultiBackend> {
    let mut query = in_org!(members, org);
    if let Some(m) = &filters.municipality {
        query = query.filter(members::municipality.eq(m.to_string()));
    }
    if let Some(t) = filters.membership_type {
        query = query.filter(members::membership_type.eq(Stored(t)));
    }
    query
}

/// Members on the roll on `at`: joined on or before it, and not left on or before it.
fn members_on_roll<'a>(
    org: Org<'a>,
    filters: &KpiFilters,
    at: NaiveDate,
) -> members::BoxedQuery<'a, MultiBackend> {
    members_kept(org, filters)
        .filter(members::joined_on.le(at))
        .filter(members::left_on.is_null().or(members::left_on.gt(at)))
}

fn activities_kept<'a>(
    org: Org<'a>,
    filters: &KpiFilters,
) -> activities::BoxedQuery<'a, MultiBackend> {
    let mut query = in_org!(activities, org);
    if let Some(kinds) = &filters.kinds {
        query = query
            .filter(activities::kind.eq_any(kinds.iter().copied().map(Stored).collect::<Vec<_>>()));
    }
    if let Some(status) = filters.status {
        query = query.filter(activities::status.eq(Stored(status)));
    }
    if let Some(m) = &filters.municipality {
        query = query.filter(activities::municipality.eq(m.to_string()));
    }
    query
}

fn surveys_kept<'a>(org: Org<'a>, filters: &KpiFilters) -> surveys::BoxedQuery<'a, MultiBackend> {
    let mut query = in_org!(surveys, org);
    if let Some(audience) = filters.audience {
        query = query.filter(surveys::audience.eq(Stored(audience)));
    }
    query
}

/// Projects kept by the filters that run at some time in `[start, at]`.
fn projects_running<'a>(
    org: Org<'a>,
    filters: &KpiFilters,
    start: NaiveDate,
    at: NaiveDate,
) -> projects::BoxedQuery<'a, MultiBackend> {
    let mut query = in_org!(projects, org)
        .filter(projects::start_on.le(at))
        .filter(projects::end_on.is_null().or(projects::end_on.ge(start)));
    if let Some(roles) = &filters.roles {
        query = query
            .filter(projects::role.eq_any(roles.iter().copied().map(Stored).collect::<Vec<_>>()));
    }
    if let Some(statuses) = &filters.statuses {
        query = query.filter(
            projects::status.eq_any(statuses.iter().copied().map(Stored).collect::<Vec<_>>()),
        );
    }
    match filters.external_funding {
        Some(true) => query = query.filter(projects::external_funding.gt(0.0)),
        Some(false) => query = query.filter(projects::external_funding.eq(0.0)),
        None => {}
    }
    query
}

fn observations_kept<'a>(
    org: Org<'a>,
    filters: &KpiFilters,
) -> observations::BoxedQuery<'a, MultiBackend> {
    let mut query = in_org!(observations, org);
    if let Some(key) = &filters.metric_key {
        query = query.filter(observations::metric_key.eq(key.to_string()));
    }
    if let Some(dimensions) = &filters.dimensions {
        query = query.filter(
            observations::dimension
                .eq_any(dimensions.iter().map(|d| d.to_string()).collect::<Vec<_>>()),
        );
    }
    query
}

fn milestones_kept<'a>(
    org: Org<'a>,
    filters: &KpiFilters,
) -> milestones::BoxedQuery<'a, MultiBackend> {
    let mut query = in_org!(milestones, org);
    if let Some(kind) = &filters.milestone_kind {
        query = query.filter(milestones::kind.eq(kind.to_string()));
    }
    if let Some(m) = &filters.municipality {
        query = query.filter(milestones::municipality.eq(m.to_string()));
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dated_value_is_the_sum_the_mean_the_milestone_or_the_count_of_its_rows() {
        assert_eq!(dated_value(KpiAggregate::Sum, 2, Some(7.0)), Some(7.0));
        assert_eq!(dated_value(KpiAggregate::Sum, 0, None), Some(0.0));
        assert_eq!(dated_value(KpiAggregate::Mean, 2, Some(7.0)), Some(3.5));
        assert_eq!(dated_value(KpiAggregate::Mean, 0, None), None);
        assert_eq!(dated_value(KpiAggregate::Milestone, 3, None), Some(1.0));
        assert_eq!(dated_value(KpiAggregate::Milestone, 0, None), Some(0.0));
        assert_eq!(dated_value(KpiAggregate::Count, 4, None), Some(4.0));
    }
}
