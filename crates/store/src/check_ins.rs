//! Check-ins: dated assessments of a qualitative goal (status, confidence, comment).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::rows::tenant_rows;
use crate::schema::check_ins;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = check_ins)]
pub struct CheckIn {
    pub id: i64,
    pub org_id: i64,
    pub goal_id: i64,
    pub checked_on: NaiveDate,
    pub status: String,
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
    pub status: String,
    pub confidence: i32,
    pub comment: Option<String>,
    pub author: String,
}

tenant_rows!(check_ins, CheckIn, CheckInValues, "check_in", parent: goal_id);
