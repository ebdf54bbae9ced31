//! The documented operations on measures; `resource::plan` does the work.

use actix_web::{delete, get, patch, post};

use super::{CreateMeasure, Measure, Measures, UpdateMeasure};
use crate::pagination::Page;
use crate::routes::resource::plan::{PlanChildPath, PlanChildrenPath};
use crate::routes::resource::{NoFilter, resource_handlers};

resource_handlers! {
    scope: plan, resource: Measures, wire: Measure, filter: NoFilter, tag: "measures",
    collection: "" (PlanChildrenPath),
    item: "/{id}" (PlanChildPath),
    list: list_measures = "List a plan's measures (`viewer`; without a token, a published plan's).",
    create: create_measure (CreateMeasure) = "Add a measure to a focus area of the plan (`editor`).",
    get: get_measure = "Get a measure (`viewer`; without a token, a published plan's).",
    update: update_measure (UpdateMeasure) = "Change a measure, e.g. its status (`editor`); honours `If-Match`.",
    delete: delete_measure = "Delete a measure (`editor`); honours `If-Match`.",
}
