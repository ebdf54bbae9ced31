//! Measures (tiltak): what the organisation does in a focus area, financed under a budget line.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::rows::tenant_rows;
use crate::schema::measures;
use crate::stored::Stored;
use veikart_domain::tree::MeasureStatus;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = measures)]
pub struct Measure {
    pub id: i64,
    pub org_id: i64,
    pub plan_id: i64,
    pub focus_area_id: i64,
    pub budget_line_id: Option<i64>,
    pub number: i32,
    pub title: String,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub status: Stored<MeasureStatus>,
    pub due_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = measures, treat_none_as_null = true)]
pub struct MeasureValues {
    pub plan_id: i64,
    pub focus_area_id: i64,
    pub budget_line_id: Option<i64>,
    pub number: i32,
    pub title: String,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub status: Stored<MeasureStatus>,
    pub due_on: Option<NaiveDate>,
}

tenant_rows!(measures, Measure, MeasureValues, "measure", plan_part);

/// How many measures are in a focus area.
pub fn count_in_focus_area(
    conn: &mut DbConnection,
    org_id: i64,
    focus_area_id: i64,
) -> Result<i64, StoreError> {
    Ok(measures::table
        .filter(measures::org_id.eq(org_id))
        .filter(measures::focus_area_id.eq(focus_area_id))
        .count()
        .get_result(conn)?)
}

/// How many measures are financed under a budget line.
pub fn count_on_budget_line(
    conn: &mut DbConnection,
    org_id: i64,
    budget_line_id: i64,
) -> Result<i64, StoreError> {
    Ok(measures::table
        .filter(measures::org_id.eq(org_id))
        .filter(measures::budget_line_id.eq(budget_line_id))
        .count()
        .get_result(conn)?)
}

/// Which of `ids` are measures of the organisation; one statement per batch of ids.
pub fn existing(conn: &mut DbConnection, org_id: i64, ids: &[i64]) -> Result<Vec<i64>, StoreError> {
    let mut found = Vec::new();
    for chunk in ids.chunks(crate::records::BATCH) {
        found.extend(
            measures::table
                .filter(measures::org_id.eq(org_id))
                .filter(measures::id.eq_any(chunk))
                .select(measures::id)
                .load::<i64>(conn)?,
        );
    }
    Ok(found)
}
