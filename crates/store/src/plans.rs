//! Action plans, always scoped by their organisation. Deleting a plan deletes its tree
//! (goals, focus areas, KPI definitions, measures, budget lines, revisions) with it.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::rows::tenant_rows;
use crate::schema::{organisations, plans};
use crate::scope::{Org, in_org};
use crate::stored::Stored;
use veikart_domain::PlanStatus;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = plans)]
pub struct Plan {
    pub id: i64,
    pub org_id: i64,
    pub title: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub status: Stored<PlanStatus>,
    pub adopted_on: Option<NaiveDate>,
    pub adopted_by: Option<String>,
    pub published: bool,
    pub intro: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub strategy_id: Option<i64>,
    /// How many times the plan was revised after adoption (its snapshots are numbered 1..).
    pub revision: i32,
}

/// Every field of a plan that its owner sets, written whole on insert and on update
/// (a `None` stores NULL).
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = plans, treat_none_as_null = true)]
pub struct PlanValues {
    pub title: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub status: Stored<PlanStatus>,
    pub adopted_on: Option<NaiveDate>,
    pub adopted_by: Option<String>,
    pub published: bool,
    pub intro: Option<String>,
    pub strategy_id: Option<i64>,
    pub revision: i32,
}

impl From<&Plan> for PlanValues {
    fn from(p: &Plan) -> Self {
        Self {
            title: p.title.clone(),
            period_start: p.period_start,
            period_end: p.period_end,
            status: p.status,
            adopted_on: p.adopted_on,
            adopted_by: p.adopted_by.clone(),
            published: p.published,
            intro: p.intro.clone(),
            strategy_id: p.strategy_id,
            revision: p.revision,
        }
    }
}

tenant_rows!(plans, Plan, PlanValues, "plan");

/// A plan as a reader sees it: with `published_only` (an anonymous reader), only a
/// published one (`NotFound` otherwise, as if it did not exist). One statement.
pub fn read(
    conn: &mut DbConnection,
    org: Org<'_>,
    id: i64,
    published_only: bool,
) -> Result<Plan, StoreError> {
    let mut query = in_org!(plans, org).filter(plans::id.eq(id));
    if published_only {
        query = query.filter(plans::published.eq(true));
    }
    Ok(query.first::<Plan>(conn)?)
}

/// Which data a computed answer about a plan was made from: the organisation (its id and
/// when it was created, so that a recreated one is never mistaken for it) and its data
/// version, with the time that version was reached (when the data last changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Queryable)]
pub struct DataVersion {
    pub org_id: i64,
    pub org_created_at: NaiveDateTime,
    pub version: i64,
    pub changed_at: NaiveDateTime,
}

/// The organisation's data version, if plan `id` is there to read (published, for
/// `published_only`); one statement, so that a cached result can be served or a 304
/// answered after one round trip.
pub fn data_version(
    conn: &mut DbConnection,
    org: Org<'_>,
    id: i64,
    published_only: bool,
) -> Result<DataVersion, StoreError> {
    let mut query = plans::table
        .inner_join(organisations::table)
        .filter(plans::id.eq(id))
        .select((
            organisations::id,
            organisations::created_at,
            organisations::data_version,
            organisations::data_changed_at,
        ))
        .into_boxed::<crate::db::MultiBackend>();
    query = crate::scope::organisation_is!(query, org);
    if published_only {
        query = query.filter(plans::published.eq(true));
    }
    Ok(query.first::<DataVersion>(conn)?)
}

/// Narrows a plan listing.
#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    pub status: Option<PlanStatus>,
    pub strategy_id: Option<i64>,
    /// Only published plans (what anonymous readers see).
    pub published_only: bool,
    /// Only plans whose period overlaps `[from, to]` (either bound open).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// One page of the organisation's plans in id order; one statement (an empty page asks
/// once more whether the organisation exists: `NotFound` otherwise).
pub fn list(
    conn: &mut DbConnection,
    org: Org<'_>,
    filter: &PlanFilter,
    page: PageRequest,
) -> Result<Page<Plan>, StoreError> {
    let mut query = in_org!(plans, org).filter(plans::id.gt(page.after_id()));
    if let Some(status) = filter.status {
        query = query.filter(plans::status.eq(Stored(status)));
    }
    if let Some(strategy_id) = filter.strategy_id {
        query = query.filter(plans::strategy_id.eq(strategy_id));
    }
    if filter.published_only {
        query = query.filter(plans::published.eq(true));
    }
    if let Some(from) = filter.from {
        query = query.filter(plans::period_end.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(plans::period_start.le(to));
    }
    let rows = query
        .order(plans::id.asc())
        .limit(page.fetch_limit())
        .load::<Plan>(conn)?;
    if rows.is_empty() {
        org.ensure_exists(conn)?;
    }
    Ok(page.finish(rows, |p| p.id))
}

/// How many plans follow a strategy.
pub fn count_for_strategy(
    conn: &mut DbConnection,
    org_id: i64,
    strategy_id: i64,
) -> Result<i64, StoreError> {
    Ok(plans::table
        .filter(plans::org_id.eq(org_id))
        .filter(plans::strategy_id.eq(strategy_id))
        .count()
        .get_result(conn)?)
}
