use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};

use veikart_store::plans as store;

use super::{Plan, PlanPath};
use crate::auth::MaybeAuth;
use crate::error::ApiError;
use crate::etag;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// Get a plan (`viewer`; without a token, only a published plan).
#[utoipa::path(
    get, path = "/{id}", tag = "plans",
    params(PlanPath, ("If-None-Match" = Option<String>, Header, description = "An ETag; 304 when it is current")),
    security((), ("bearer_auth" = [])),
    responses(
        (status = 200, body = Plan, headers(("ETag" = String, description = "The version, for If-Match"))),
        (status = 304, description = "The copy named by If-None-Match is current"),
    )
)]
#[get("/{id}")]
pub async fn get_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuth,
    path: web::Path<PlanPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(auth.0, &path.org)?;
    let id = path.id;
    let plan = Plan::try_from(
        state
            .db(move |conn| store::read(conn, access.org(), id, access.is_anonymous()))
            .await?,
    )?;
    Ok(etag::versioned(&req, StatusCode::OK, plan.version, &plan))
}
