use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use veikart_domain::document::PlanDocument;

use super::PlanPath;
use crate::auth::MaybeAuth;
use crate::error::ApiError;
use crate::etag;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// The whole plan as one document: strategy, goals, focus areas with KPIs and measures,
/// budget lines (`viewer`; without a token, only a published plan's). The ETag is the
/// plan's version. Import it with `POST /orgs/{org}/plans/import`.
#[utoipa::path(
    get, path = "/{id}/document", tag = "plans",
    params(PlanPath),
    security((), ("bearer_auth" = [])),
    responses((status = 200, body = PlanDocument))
)]
#[get("/{id}/document")]
pub async fn get_plan_document(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuth,
    path: web::Path<PlanPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(auth.0, &path.org)?;
    let id = path.id;
    let (version, document) = state
        .db(move |conn| {
            let plan = veikart_store::plans::read(conn, access.org(), id, access.is_anonymous())?;
            Ok((plan.version, veikart_store::documents::export(conn, &plan)?))
        })
        .await?;
    Ok(etag::versioned(&req, StatusCode::OK, version, &document))
}
