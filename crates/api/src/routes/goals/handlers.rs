//! The documented operations on goals; `resource::org` does the work.

use actix_web::{delete, get, patch, post};

use super::{CreateGoal, Goal, GoalFilterParams, GoalPath, Goals, UpdateGoal};
use crate::pagination::Page;
use crate::routes::orgs::OrgPath;
use crate::routes::resource::resource_handlers;

resource_handlers! {
    scope: org, resource: Goals, wire: Goal, filter: GoalFilterParams, tag: "goals",
    collection: "" (OrgPath),
    item: "/{id}" (GoalPath),
    list: list_goals = "List goals, oldest first, optionally of one strategy or plan (`viewer`).",
    create: create_goal (CreateGoal) = "Create a goal of a strategy or of a plan (`editor`). The key is unique within its strategy or plan (409)."
        links (
            ("GetGoal" = (operation_id = "get_goal", parameters(("org" = "$request.path.org"), ("id" = "$response.body#/id")))),
            ("CheckIn" = (operation_id = "create_check_in", parameters(("org" = "$request.path.org"), ("goal_id" = "$response.body#/id")))),
        ),
    get: get_goal = "Get a goal (`viewer`).",
    update: update_goal (UpdateGoal) = "Change a goal (`editor`); honours `If-Match`. A goal that KPIs measure cannot become qualitative (409).",
    delete: delete_goal = "Delete a goal that no KPI measures, with its check-ins (`editor`); honours `If-Match`.",
}
