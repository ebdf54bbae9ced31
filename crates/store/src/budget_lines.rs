//! Budget lines of a plan: what the plan's measures are financed under.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::rows::tenant_rows;
use crate::schema::budget_lines;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = budget_lines)]
pub struct BudgetLine {
    pub id: i64,
    pub org_id: i64,
    pub plan_id: i64,
    /// The line's code in the organisation's accounts, unique within the plan.
    pub code: String,
    pub title: String,
    /// Budgeted amount, whole NOK.
    pub amount: i64,
    /// Spent so far, whole NOK.
    pub actual_spent: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = budget_lines, treat_none_as_null = true)]
pub struct BudgetLineValues {
    pub plan_id: i64,
    pub code: String,
    pub title: String,
    pub amount: i64,
    pub actual_spent: Option<i64>,
}

tenant_rows!(
    budget_lines,
    BudgetLine,
    BudgetLineValues,
    "budget_line",
    plan_part
);
