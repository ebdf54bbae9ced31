//! Focus areas (innsatsområder) of a plan: each holds KPIs and measures.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::rows::tenant_rows;
use crate::schema::focus_areas;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = focus_areas)]
pub struct FocusArea {
    pub id: i64,
    pub org_id: i64,
    pub plan_id: i64,
    /// The area's number in the plan (1, 2, ...), unique within the plan.
    pub number: i32,
    pub title: String,
    pub description: Option<String>,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = focus_areas, treat_none_as_null = true)]
pub struct FocusAreaValues {
    pub plan_id: i64,
    pub number: i32,
    pub title: String,
    pub description: Option<String>,
    pub position: i32,
}

tenant_rows!(
    focus_areas,
    FocusArea,
    FocusAreaValues,
    "focus_area",
    plan_part
);
