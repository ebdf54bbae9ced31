//! Strategies: the multi-year frame (vision, mission, goals) that plans follow.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::rows::tenant_rows;
use crate::schema::strategies;
use crate::scope::{Org, in_org};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = strategies)]
pub struct Strategy {
    pub id: i64,
    pub org_id: i64,
    pub title: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub vision: Option<String>,
    pub mission: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = strategies, treat_none_as_null = true)]
pub struct StrategyValues {
    pub title: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub vision: Option<String>,
    pub mission: Option<String>,
}

tenant_rows!(strategies, Strategy, StrategyValues, "strategy");

/// One page of the organisation's strategies in id order; one statement (an empty page
/// asks once more whether the organisation exists).
pub fn list(
    conn: &mut DbConnection,
    org: Org<'_>,
    page: PageRequest,
) -> Result<Page<Strategy>, StoreError> {
    let rows = in_org!(strategies, org)
        .filter(strategies::id.gt(page.after_id()))
        .order(strategies::id.asc())
        .limit(page.fetch_limit())
        .load::<Strategy>(conn)?;
    if rows.is_empty() {
        org.ensure_exists(conn)?;
    }
    Ok(page.finish(rows, |s| s.id))
}

/// The organisation's strategy with this title and period, if there is one (a plan
/// document names its strategy this way).
pub fn find_same(
    conn: &mut DbConnection,
    org_id: i64,
    title: &str,
    period_start: NaiveDate,
    period_end: NaiveDate,
) -> Result<Option<Strategy>, StoreError> {
    Ok(strategies::table
        .filter(strategies::org_id.eq(org_id))
        .filter(strategies::title.eq(title))
        .filter(strategies::period_start.eq(period_start))
        .filter(strategies::period_end.eq(period_end))
        .order(strategies::id.asc())
        .first::<Strategy>(conn)
        .optional()?)
}
