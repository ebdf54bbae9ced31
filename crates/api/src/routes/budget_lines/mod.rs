//! `/api/v1/orgs/{org}/plans/{plan_id}/budget-lines`: the budget lines (budsjettposter) a
//! plan is financed under. They stay editable after adoption (spending is recorded
//! through the year). Deleting one is refused while measures are financed under it.

mod handlers;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use veikart_domain::number::Amount;
use veikart_domain::text::{BudgetCode, Title};
use veikart_store::budget_lines::{self as store, BudgetLineValues};
use veikart_store::plans::Plan;
use veikart_store::{StoreError, Tx, measures};

use super::patch::{apply, nullable};
use super::resource::{PlanChild, refuse_while};
use crate::error::ApiError;
use crate::time::utc;

pub use handlers::configure;

#[derive(Debug, Serialize, ToSchema)]
pub struct BudgetLine {
    pub id: i64,
    pub plan_id: i64,
    /// The line's code in the accounts, unique within the plan.
    pub code: String,
    pub title: String,
    /// Budgeted, whole NOK.
    pub amount: i64,
    /// Spent so far, whole NOK.
    pub actual_spent: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBudgetLine {
    pub code: BudgetCode,
    pub title: Title,
    pub amount: Amount,
    pub actual_spent: Option<Amount>,
}

/// The fields to change; absent fields stay as they are, `null` clears `actual_spent`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBudgetLine {
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub code: Option<BudgetCode>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub title: Option<Title>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub amount: Option<Amount>,
    #[serde(default, deserialize_with = "nullable")]
    pub actual_spent: Option<Option<Amount>>,
}

/// Budget lines as a [`PlanChild`].
pub struct BudgetLines;

impl PlanChild for BudgetLines {
    type Rows = store::Rows;
    type Wire = BudgetLine;
    type Create = CreateBudgetLine;
    type Update = UpdateBudgetLine;
    const SEGMENT: &'static str = "budget-lines";
    const STRUCTURAL: bool = false;

    fn wire(r: store::BudgetLine) -> Result<BudgetLine, ApiError> {
        Ok(BudgetLine {
            id: r.id,
            plan_id: r.plan_id,
            code: r.code,
            title: r.title,
            amount: r.amount,
            actual_spent: r.actual_spent,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            version: r.version,
        })
    }
    fn created(
        _tx: &mut Tx<'_>,
        plan: &Plan,
        body: CreateBudgetLine,
    ) -> Result<BudgetLineValues, StoreError> {
        Ok(BudgetLineValues {
            plan_id: plan.id,
            code: body.code.into(),
            title: body.title.into(),
            amount: body.amount.get(),
            actual_spent: body.actual_spent.map(Amount::get),
        })
    }
    fn changed(
        _tx: &mut Tx<'_>,
        _plan: &Plan,
        current: &store::BudgetLine,
        body: UpdateBudgetLine,
    ) -> Result<BudgetLineValues, StoreError> {
        Ok(BudgetLineValues {
            plan_id: current.plan_id,
            code: body.code.map_or_else(|| current.code.clone(), String::from),
            title: body
                .title
                .map_or_else(|| current.title.clone(), String::from),
            amount: body.amount.map_or(current.amount, Amount::get),
            actual_spent: apply(
                body.actual_spent.map(|a| a.map(Amount::get)),
                current.actual_spent,
            ),
        })
    }
    fn deletable(tx: &mut Tx<'_>, line: &store::BudgetLine) -> Result<(), StoreError> {
        refuse_while(
            measures::count_on_budget_line(tx, line.org_id, line.id)?,
            "measure(s)",
        )
    }
}
