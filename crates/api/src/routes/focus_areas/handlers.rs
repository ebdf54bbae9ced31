//! The documented operations on focus areas; `resource::plan` does the work.

use actix_web::{delete, get, patch, post};

use super::{CreateFocusArea, FocusArea, FocusAreas, UpdateFocusArea};
use crate::pagination::Page;
use crate::routes::resource::plan::plan_child_handlers;

plan_child_handlers! {
    resource: FocusAreas, wire: FocusArea, create_body: CreateFocusArea, update_body: UpdateFocusArea,
    tag: "focus areas",
    collection: "/orgs/{org}/plans/{plan_id}/focus-areas",
    item: "/orgs/{org}/plans/{plan_id}/focus-areas/{id}",
    list: list_focus_areas = "List a plan's focus areas (`viewer`; without a token, a published plan's).",
    create: create_focus_area = "Add a focus area to a draft plan (`editor`).",
    get: get_focus_area = "Get a focus area (`viewer`; without a token, a published plan's).",
    update: update_focus_area = "Change a focus area of a draft plan (`editor`); honours `If-Match`.",
    delete: delete_focus_area = "Delete a focus area of a draft plan that holds no KPIs or measures (`editor`); honours `If-Match`.",
}
