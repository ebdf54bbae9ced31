use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use veikart_domain::Date;
use veikart_domain::text::{LongText, Title};
use veikart_domain::{PlanFields, PlanStatus, Role};
use veikart_store::plans as store;

use super::{Plan, check_strategy, checked_values, created};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::routes::orgs::OrgPath;
use crate::state::AppState;
use crate::tenancy::OrgAccess;
use veikart_store::TenantTable;

/// A new plan; it starts as a `draft`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePlan {
    pub title: Title,
    #[schema(example = "2022-04-01")]
    pub period_start: Date,
    /// Not before `period_start`.
    #[schema(example = "2022-12-31")]
    pub period_end: Date,
    pub intro: Option<LongText>,
    /// Whether anonymous readers may see it (default false).
    pub published: Option<bool>,
    /// The strategy the plan follows.
    pub strategy_id: Option<i64>,
}

/// Create a plan (`editor`).
#[utoipa::path(
    post, path = "", tag = "plans",
    params(OrgPath),
    request_body = CreatePlan,
    security(("bearer_auth" = [])),
    responses((status = 201, body = Plan, headers(
        ("ETag" = String, description = "The version, for If-Match"),
        ("Location" = String, description = "The new plan's URL"),
    ), links(
        ("GetPlan" = (operation_id = "get_plan", parameters(("org" = "$request.path.org"), ("id" = "$response.body#/id")))),
        ("UpdatePlan" = (operation_id = "update_plan", parameters(("org" = "$request.path.org"), ("id" = "$response.body#/id")))),
        ("DeletePlan" = (operation_id = "delete_plan", parameters(("org" = "$request.path.org"), ("id" = "$response.body#/id")))),
        ("AddFocusArea" = (operation_id = "create_focus_area", parameters(("org" = "$request.path.org"), ("plan_id" = "$response.body#/id")))),
        ("AddKpi" = (operation_id = "create_kpi", parameters(("org" = "$request.path.org"), ("plan_id" = "$response.body#/id")))),
        ("AddMeasure" = (operation_id = "create_measure", parameters(("org" = "$request.path.org"), ("plan_id" = "$response.body#/id")))),
        ("AddBudgetLine" = (operation_id = "create_budget_line", parameters(("org" = "$request.path.org"), ("plan_id" = "$response.body#/id")))),
        ("AdoptPlan" = (operation_id = "adopt_plan", parameters(("org" = "$request.path.org"), ("id" = "$response.body#/id")))),
        ("GetPlanDocument" = (operation_id = "get_plan_document", parameters(("org" = "$request.path.org"), ("id" = "$response.body#/id")))),
    )))
)]
#[post("")]
pub async fn create_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<OrgPath>,
    body: JsonBody<CreatePlan>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Editor)?.sub.clone();
    let body = body.0;
    let strategy_id = body.strategy_id;
    let values = checked_values(
        PlanFields {
            title: body.title,
            period_start: body.period_start.get(),
            period_end: body.period_end.get(),
            status: PlanStatus::Draft,
            adopted_on: None,
            adopted_by: None,
            published: body.published.unwrap_or(false),
            intro: body.intro,
        },
        strategy_id,
        0,
    )?;

    let plan = state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            check_strategy(tx, org_id, strategy_id)?;
            store::Rows::insert(tx, org_id, &actor, values)
        })
        .await?;
    created(&req, &path.org, plan)
}
