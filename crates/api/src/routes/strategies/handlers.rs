//! The documented operations on strategies; `resource::org` does the work.

use actix_web::{delete, get, patch, post};

use super::{CreateStrategy, Strategies, Strategy, StrategyPath, UpdateStrategy};
use crate::pagination::Page;
use crate::routes::orgs::OrgPath;
use crate::routes::resource::{NoFilter, resource_handlers};

resource_handlers! {
    scope: org, resource: Strategies, wire: Strategy, filter: NoFilter, tag: "strategies",
    collection: "" (OrgPath),
    item: "/{id}" (StrategyPath),
    list: list_strategies = "List the organisation's strategies, oldest first (`viewer`).",
    create: create_strategy (CreateStrategy) = "Create a strategy (`editor`).",
    get: get_strategy = "Get a strategy (`viewer`).",
    update: update_strategy (UpdateStrategy) = "Change a strategy (`editor`); honours `If-Match`.",
    delete: delete_strategy = "Delete a strategy that no plan follows and that has no goals (`admin`); honours `If-Match`.",
}
