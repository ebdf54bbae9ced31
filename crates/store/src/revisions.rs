//! Snapshots of adopted plans: when an adopted plan is revised back to a draft, its
//! adopted document is kept here, numbered, and stays readable.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::{DbConnection, Tx};
use crate::error::StoreError;
use crate::schema::plan_revisions;
use crate::scope::{Org, in_org};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = plan_revisions)]
pub struct PlanRevision {
    pub id: i64,
    pub org_id: i64,
    pub plan_id: i64,
    pub revision: i32,
    pub adopted_on: Option<NaiveDate>,
    pub adopted_by: Option<String>,
    /// The plan document (JSON) as it was adopted.
    pub document: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = plan_revisions)]
pub struct NewPlanRevision {
    pub org_id: i64,
    pub plan_id: i64,
    pub revision: i32,
    pub adopted_on: Option<NaiveDate>,
    pub adopted_by: Option<String>,
    pub document: String,
    pub created_at: NaiveDateTime,
}

/// Stores a snapshot; call it in the transaction that revises the plan.
pub fn insert(tx: &mut Tx<'_>, new: NewPlanRevision) -> Result<PlanRevision, StoreError> {
    Ok(diesel::insert_into(plan_revisions::table)
        .values(new)
        .returning(plan_revisions::all_columns)
        .get_result(&mut **tx)?)
}

/// A plan's snapshots, oldest first; one statement (when there are none, one more asks
/// whether the plan exists: `NotFound` otherwise).
pub fn all_for(
    conn: &mut DbConnection,
    org: Org<'_>,
    plan_id: i64,
) -> Result<Vec<PlanRevision>, StoreError> {
    let rows = in_org!(plan_revisions, org)
        .filter(plan_revisions::plan_id.eq(plan_id))
        .order(plan_revisions::revision.asc())
        .load::<PlanRevision>(conn)?;
    if rows.is_empty() {
        crate::plans::read(conn, org, plan_id, false)?;
    }
    Ok(rows)
}

/// One snapshot (one statement).
pub fn get(
    conn: &mut DbConnection,
    org: Org<'_>,
    plan_id: i64,
    revision: i32,
) -> Result<PlanRevision, StoreError> {
    Ok(in_org!(plan_revisions, org)
        .filter(plan_revisions::plan_id.eq(plan_id))
        .filter(plan_revisions::revision.eq(revision))
        .first::<PlanRevision>(conn)?)
}
