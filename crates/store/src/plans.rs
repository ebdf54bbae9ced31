//! Action plans, always scoped by their organisation. Deleting a plan deletes its tree
//! (goals, focus areas, KPI definitions, measures, budget lines, revisions) with it.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::{DbConnection, on_own_backend};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::rows::tenant_rows;
use crate::schema::{organisations, plans};
use crate::scope::{Org, with_org_condition};
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
    let readable = readable_by(published_only);
    Ok(with_org_condition!(plans::org_id, org, |in_org| {
        let query = plans::table
            .filter(in_org)
            .filter(plans::id.eq(id))
            .filter(readable);
        on_own_backend!(conn, |c| query.first::<Plan>(c))
    })?)
}

/// "The plan may be read": by anyone when not `published_only`, else only if published
/// (`published OR $n`, one statement shape for both).
fn readable_by(
    published_only: bool,
) -> diesel::dsl::Or<plans::published, diesel::dsl::AsExprOf<bool, diesel::sql_types::Bool>> {
    plans::published.or((!published_only).into_sql::<diesel::sql_types::Bool>())
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
    let readable = readable_by(published_only);
    Ok(with_org_condition!(@organisations, org, |is_org| {
        let query = plans::table
            .inner_join(organisations::table)
            .filter(is_org)
            .filter(plans::id.eq(id))
            .filter(readable)
            .select((
                organisations::id,
                organisations::created_at,
                organisations::data_version,
                organisations::data_changed_at,
            ));
        on_own_backend!(conn, |c| query.first::<DataVersion>(c))
    })?)
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

/// `$value IS NULL OR $condition`: a listing's filter, which an unset (`None`) `$value`
/// of SQL type `$sql_type` leaves out, in one statement shape for both.
macro_rules! unset_or {
    ($value:expr, $sql_type:ty, $condition:expr) => {
        $value
            .into_sql::<diesel::sql_types::Nullable<$sql_type>>()
            .is_null()
            .or($condition)
    };
}

/// One page of the organisation's plans in id order; one statement (an empty page asks
/// once more whether the organisation exists: `NotFound` otherwise).
///
/// Each filter left unset is a condition its NULL parameter makes true (`$n IS NULL OR
/// …`), so every listing is one statement shape, prepared once ([`on_own_backend`]).
pub fn list(
    conn: &mut DbConnection,
    org: Org<'_>,
    filter: &PlanFilter,
    page: PageRequest,
) -> Result<Page<Plan>, StoreError> {
    use diesel::sql_types::{BigInt, Date, Text};
    let status = filter.status.map(Stored);
    let (strategy_id, from, to) = (filter.strategy_id, filter.from, filter.to);
    let readable = readable_by(filter.published_only);
    let rows = with_org_condition!(plans::org_id, org, |in_org| {
        let query = plans::table
            .filter(in_org)
            .filter(plans::id.gt(page.after_id()))
            .filter(readable)
            .filter(unset_or!(status, Text, plans::status.nullable().eq(status)))
            .filter(unset_or!(
                strategy_id,
                BigInt,
                plans::strategy_id.eq(strategy_id)
            ))
            .filter(unset_or!(from, Date, plans::period_end.nullable().ge(from)))
            .filter(unset_or!(to, Date, plans::period_start.nullable().le(to)))
            // In id order; by `org_id` first (one value here), so that PostgreSQL reads
            // the page from the `(org_id, id)` index instead of walking every
            // organisation's plans in id order (docs/benchmarks.md, "Static statements").
            .order((plans::org_id.asc(), plans::id.asc()))
            .limit(page.fetch_limit());
        on_own_backend!(conn, |c| query.load::<Plan>(c))
    })?;
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
