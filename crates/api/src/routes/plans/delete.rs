use actix_web::{HttpRequest, HttpResponse, delete, web};
use veikart_domain::Role;
use veikart_store::plans as store;

use super::PlanPath;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::etag;
use crate::state::AppState;
use crate::tenancy::OrgAccess;
use veikart_store::TenantTable;

/// Delete a plan with its whole tree — goals, focus areas, KPI definitions, measures,
/// budget lines, revisions (`admin`); honours `If-Match`.
#[utoipa::path(
    delete, path = "/{id}", tag = "plans",
    params(PlanPath, ("If-Match" = Option<String>, Header, description = "The ETag of the version being deleted; 412 when stale")),
    security(("bearer_auth" = [])),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/{id}")]
pub async fn delete_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<PlanPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Admin)?.sub.clone();
    let expected = etag::if_match(&req)?;
    let id = path.id;
    state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            store::Rows::delete(tx, org_id, id, &actor, expected.as_deref(), |_, _| Ok(()))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
