//! Check-ins: dated assessments of a qualitative goal (status, confidence, comment).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::rows::tenant_rows;
use crate::schema::check_ins;
use crate::stored::Stored;
use veikart_domain::tree::CheckInStatus;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = check_ins)]
pub struct CheckIn {
    pub id: i64,
    pub org_id: i64,
    pub goal_id: i64,
    pub checked_on: NaiveDate,
    pub status: Stored<CheckInStatus>,
    pub confidence: i32,
    pub comment: Option<String>,
    /// The `sub` of the token that made the check-in.
    pub author: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = check_ins, treat_none_as_null = true)]
pub struct CheckInValues {
    pub goal_id: i64,
    pub checked_on: NaiveDate,
    pub status: Stored<CheckInStatus>,
    pub confidence: i32,
    pub comment: Option<String>,
    pub author: String,
}

tenant_rows!(check_ins, CheckIn, CheckInValues, "check_in", parent: goal_id);

/// The latest check-in (by day, then id) of each of `goal_ids` that has one.
pub fn latest_for_goals(
    conn: &mut DbConnection,
    org_id: i64,
    goal_ids: &[i64],
) -> Result<Vec<CheckIn>, StoreError> {
    let mut latest: Vec<CheckIn> = Vec::new();
    let rows = check_ins::table
        .filter(check_ins::org_id.eq(org_id))
        .filter(check_ins::goal_id.eq_any(goal_ids.to_vec()))
        .order((
            check_ins::goal_id.asc(),
            check_ins::checked_on.desc(),
            check_ins::id.desc(),
        ))
        .load::<CheckIn>(conn)?;
    for row in rows {
        if latest.last().is_none_or(|l| l.goal_id != row.goal_id) {
            latest.push(row);
        }
    }
    Ok(latest)
}
