use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use veikart_domain::number::{DayShift, YearShift};
use veikart_domain::text::Title;
use veikart_domain::{FieldError, Role, Validator};
use veikart_store::StoreError;
use veikart_store::documents::{self, StrategyLink};
use veikart_store::plans as store;

use super::{Plan, PlanPath, created};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::state::AppState;
use crate::tenancy::OrgAccess;
use veikart_store::TenantTable;

/// How to make the copy: its title and how far to move its dates.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyPlan {
    /// The copy's title (default: the original's).
    pub title: Option<Title>,
    /// Whole years to move every date by (29 February becomes 28 February).
    #[serde(default)]
    pub years: YearShift,
    /// Days to move every date by, after the years.
    #[serde(default)]
    pub days: DayShift,
}

/// Start next year's plan from this one (`editor`): a new unpublished draft with the same
/// strategy, goals, focus areas, KPI definitions, measures and budget lines, every date
/// moved by the given offset, measures back to `planned` and nothing spent. Records are
/// not copied.
#[utoipa::path(
    post, path = "/{id}/copy", tag = "plans",
    params(PlanPath),
    request_body = CopyPlan,
    security(("bearer_auth" = [])),
    responses((status = 201, body = Plan, headers(
        ("ETag" = String, description = "The version, for If-Match"),
        ("Location" = String, description = "The new plan's URL"),
    )))
)]
#[post("/{id}/copy")]
pub async fn copy_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<PlanPath>,
    body: JsonBody<CopyPlan>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Editor)?.sub.clone();
    let body = body.0;
    let id = path.id;
    let plan = state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            let original = store::Rows::get(tx, org_id, id)?;
            let mut document = documents::export(tx, &original)?
                .shifted(body.years.get(), body.days.get())
                .map_err(|e| StoreError::Invalid(vec![FieldError::new("years", e)]))?
                .reset_progress();
            if let Some(title) = body.title {
                document.title = title.into();
            }
            let mut v = Validator::new();
            document.validate(&mut v);
            v.finish().map_err(StoreError::Invalid)?;
            documents::import(
                tx,
                org_id,
                &actor,
                &document,
                StrategyLink::Existing(original.strategy_id),
            )
        })
        .await?;
    created(&req, &path.org, plan)
}
