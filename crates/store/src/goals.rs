//! Goals: of a strategy (multi-year) or of a plan. Measurable goals hold KPIs; qualitative
//! goals take dated check-ins.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::{DbConnection, on_own_backend};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::rows::tenant_rows;
use crate::schema::goals;
use crate::scope::{Org, in_org};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = goals)]
pub struct Goal {
    pub id: i64,
    pub org_id: i64,
    pub strategy_id: Option<i64>,
    pub plan_id: Option<i64>,
    /// A short name, unique within its strategy or plan (how plan documents refer to it).
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    pub measurable: bool,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = goals, treat_none_as_null = true)]
pub struct GoalValues {
    pub strategy_id: Option<i64>,
    pub plan_id: Option<i64>,
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    pub measurable: bool,
    pub position: i32,
}

tenant_rows!(goals, Goal, GoalValues, "goal");

/// Whose goals to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct GoalFilter {
    pub strategy_id: Option<i64>,
    pub plan_id: Option<i64>,
}

/// One page of the organisation's goals in id order; one statement (an empty page asks
/// once more whether the organisation exists).
pub fn list(
    conn: &mut DbConnection,
    org: Org<'_>,
    filter: GoalFilter,
    page: PageRequest,
) -> Result<Page<Goal>, StoreError> {
    let mut query = in_org!(goals, org).filter(goals::id.gt(page.after_id()));
    if let Some(strategy_id) = filter.strategy_id {
        query = query.filter(goals::strategy_id.eq(strategy_id));
    }
    if let Some(plan_id) = filter.plan_id {
        query = query.filter(goals::plan_id.eq(plan_id));
    }
    let rows = query
        .order(goals::id.asc())
        .limit(page.fetch_limit())
        .load::<Goal>(conn)?;
    if rows.is_empty() {
        org.ensure_exists(conn)?;
    }
    Ok(page.finish(rows, |g| g.id))
}

/// A strategy's goals in their order.
pub fn of_strategy(
    conn: &mut DbConnection,
    org_id: i64,
    strategy_id: i64,
) -> Result<Vec<Goal>, StoreError> {
    Ok(goals::table
        .filter(goals::org_id.eq(org_id))
        .filter(goals::strategy_id.eq(strategy_id))
        .order((goals::position.asc(), goals::id.asc()))
        .load::<Goal>(conn)?)
}

/// The goals of a plan and of its strategy (if any), each in their order: one query for
/// both, as a plan document shows them.
pub fn of_plan_and_strategy(
    conn: &mut DbConnection,
    org_id: i64,
    plan_id: i64,
    strategy_id: Option<i64>,
) -> Result<Vec<Goal>, StoreError> {
    // Without a strategy, `strategy_id = NULL` holds for no row: one statement shape.
    let query = goals::table
        .filter(goals::org_id.eq(org_id))
        .filter(
            goals::plan_id
                .eq(plan_id)
                .or(goals::strategy_id.eq(strategy_id)),
        )
        .order((goals::position.asc(), goals::id.asc()));
    Ok(on_own_backend!(conn, |c| query.load::<Goal>(c))?)
}

/// How many goals a strategy has.
pub fn count_for_strategy(
    conn: &mut DbConnection,
    org_id: i64,
    strategy_id: i64,
) -> Result<i64, StoreError> {
    Ok(goals::table
        .filter(goals::org_id.eq(org_id))
        .filter(goals::strategy_id.eq(strategy_id))
        .count()
        .get_result(conn)?)
}

/// Whether another goal of the same strategy or plan already has `key`.
pub fn key_taken(
    conn: &mut DbConnection,
    org_id: i64,
    values: &GoalValues,
    except_id: Option<i64>,
) -> Result<bool, StoreError> {
    let mut query = goals::table
        .filter(goals::org_id.eq(org_id))
        .filter(goals::key.eq(values.key.clone()))
        .filter(goals::id.ne(except_id.unwrap_or(0)))
        .into_boxed();
    query = match (values.strategy_id, values.plan_id) {
        (Some(strategy_id), _) => query.filter(goals::strategy_id.eq(strategy_id)),
        (None, Some(plan_id)) => query.filter(goals::plan_id.eq(plan_id)),
        (None, None) => return Ok(false),
    };
    Ok(query.count().get_result::<i64>(conn)? > 0)
}
