//! The documented operations on measures; `resource::plan` does the work.

use actix_web::{delete, get, patch, post};

use super::{CreateMeasure, Measure, Measures, UpdateMeasure};
use crate::pagination::Page;
use crate::routes::resource::plan::plan_child_handlers;

plan_child_handlers! {
    resource: Measures, wire: Measure, create_body: CreateMeasure, update_body: UpdateMeasure,
    tag: "measures",
    collection: "/orgs/{org}/plans/{plan_id}/measures",
    item: "/orgs/{org}/plans/{plan_id}/measures/{id}",
    list: list_measures = "List a plan's measures (`viewer`; without a token, a published plan's).",
    create: create_measure = "Add a measure to a focus area of the plan (`editor`).",
    get: get_measure = "Get a measure (`viewer`; without a token, a published plan's).",
    update: update_measure = "Change a measure, e.g. its status (`editor`); honours `If-Match`.",
    delete: delete_measure = "Delete a measure (`editor`); honours `If-Match`.",
}
