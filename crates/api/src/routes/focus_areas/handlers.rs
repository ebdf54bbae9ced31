//! The documented operations on focus areas; `resource::plan` does the work.

use actix_web::{delete, get, patch, post};

use super::{CreateFocusArea, FocusArea, FocusAreas, UpdateFocusArea};
use crate::pagination::Page;
use crate::routes::resource::plan::{PlanChildPath, PlanChildrenPath};
use crate::routes::resource::{NoFilter, resource_handlers};

resource_handlers! {
    scope: plan, resource: FocusAreas, wire: FocusArea, filter: NoFilter, tag: "focus areas",
    collection: "" (PlanChildrenPath),
    item: "/{id}" (PlanChildPath),
    list: list_focus_areas = "List a plan's focus areas (`viewer`; without a token, a published plan's).",
    create: create_focus_area (CreateFocusArea) = "Add a focus area to a draft plan (`editor`).",
    get: get_focus_area = "Get a focus area (`viewer`; without a token, a published plan's).",
    update: update_focus_area (UpdateFocusArea) = "Change a focus area of a draft plan (`editor`); honours `If-Match`.",
    delete: delete_focus_area = "Delete a focus area of a draft plan that holds no KPIs or measures (`editor`); honours `If-Match`.",
}
