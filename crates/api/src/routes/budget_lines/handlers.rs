//! The documented operations on budget lines; `resource::plan` does the work.

use actix_web::{delete, get, patch, post};

use super::{BudgetLine, BudgetLines, CreateBudgetLine, UpdateBudgetLine};
use crate::pagination::Page;
use crate::routes::resource::plan::{PlanChildPath, PlanChildrenPath};
use crate::routes::resource::{NoFilter, resource_handlers};

resource_handlers! {
    scope: plan, resource: BudgetLines, wire: BudgetLine, filter: NoFilter, tag: "budget lines",
    collection: "" (PlanChildrenPath),
    item: "/{id}" (PlanChildPath),
    list: list_budget_lines = "List a plan's budget lines (`viewer`; without a token, a published plan's).",
    create: create_budget_line (CreateBudgetLine) = "Add a budget line to a plan (`editor`); the code is unique within the plan (409).",
    get: get_budget_line = "Get a budget line (`viewer`; without a token, a published plan's).",
    update: update_budget_line (UpdateBudgetLine) = "Change a budget line, e.g. what was spent (`editor`); honours `If-Match`.",
    delete: delete_budget_line = "Delete a budget line no measure is financed under (`editor`); honours `If-Match`.",
}
