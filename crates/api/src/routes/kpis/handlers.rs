//! The documented operations on KPI definitions; `resource::plan` does the work.

use actix_web::{delete, get, patch, post};

use super::{CreateKpi, Kpi, Kpis, UpdateKpi};
use crate::pagination::Page;
use crate::routes::resource::plan::{PlanChildPath, PlanChildrenPath};
use crate::routes::resource::{NoFilter, resource_handlers};

resource_handlers! {
    scope: plan, resource: Kpis, wire: Kpi, filter: NoFilter, tag: "kpis",
    collection: "" (PlanChildrenPath),
    item: "/{id}" (PlanChildPath),
    list: list_kpis = "List a plan's KPI definitions (`viewer`; without a token, a published plan's).",
    create: create_kpi (CreateKpi) = "Define a KPI in a draft plan (`editor`). The definition is validated whole: the entity, aggregate, field and filters must fit together, and the period must overlap the plan's; every problem is named by its field (`source.field`, `source.filters.kinds`, ...).",
    get: get_kpi = "Get a KPI definition (`viewer`; without a token, a published plan's).",
    update: update_kpi (UpdateKpi) = "Change a KPI definition of a draft plan (`editor`); honours `If-Match`.",
    delete: delete_kpi = "Delete a KPI definition of a draft plan (`editor`); honours `If-Match`.",
}
