use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use veikart_domain::Date;
use veikart_domain::PlanStatus;
use veikart_store::plans::{self as store, PlanFilter};

use super::Plan;
use crate::auth::MaybeAuth;
use crate::error::ApiError;
use crate::pagination::{Page, PageParams};
use crate::query::Query;
use crate::routes::orgs::OrgPath;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// Filters of the plan list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanFilterParams {
    /// Only plans in this status.
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub status: Option<PlanStatus>,
    /// Only plans that follow this strategy.
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub strategy_id: Option<i64>,
    /// Only plans whose period ends on or after this date.
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub from: Option<Date>,
    /// Only plans whose period starts on or before this date.
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub to: Option<Date>,
}

/// List an organisation's plans, oldest first (`viewer`; without a token, the published
/// plans only).
#[utoipa::path(
    get, path = "", tag = "plans",
    params(OrgPath, PlanFilterParams, PageParams),
    security((), ("bearer_auth" = [])),
    responses((status = 200, body = Page<Plan>))
)]
#[get("")]
pub async fn list_plans(
    state: web::Data<AppState>,
    auth: MaybeAuth,
    path: web::Path<OrgPath>,
    filter: Query<PlanFilterParams>,
    page: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let access = OrgAccess::check(auth.0, &path.org)?;
    let filter = PlanFilter {
        status: filter.status,
        strategy_id: filter.strategy_id,
        published_only: access.is_anonymous(),
        from: filter.from.map(Date::get),
        to: filter.to.map(Date::get),
    };
    let page = state
        .db(move |conn| store::list(conn, access.org(), &filter, request))
        .await?;
    Ok(HttpResponse::Ok().json(Page::try_from_store(page, Plan::try_from)?))
}
