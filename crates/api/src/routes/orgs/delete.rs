use actix_web::{HttpRequest, HttpResponse, delete, web};
use veikart_domain::Role;
use veikart_store::organisations as store;

use super::OrgPath;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::etag;
use crate::state::AppState;
use crate::tenancy::{OrgAccess, require_role};

/// Delete an organisation that has no plans or strategies left (`platform_admin`); its
/// audit trail is deleted with it. Honours `If-Match`.
#[utoipa::path(
    delete, path = "/orgs/{org}", tag = "organisations",
    params(OrgPath, ("If-Match" = Option<String>, Header, description = "The ETag of the version being deleted; 412 when stale")),
    security(("bearer_auth" = [])),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/orgs/{org}")]
pub async fn delete_organisation(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<OrgPath>,
) -> Result<HttpResponse, ApiError> {
    let sub = auth.0.sub.clone();
    let access = OrgAccess::check(Some(auth.0.clone()), &path.org)?;
    require_role(&auth.0, Role::PlatformAdmin)?;
    let expected = etag::if_match(&req)?;
    state
        .write(move |tx| {
            let id = access.org_id(tx)?;
            store::delete(tx, id, expected.as_deref())
        })
        .await?;
    log::info!(
        "{} organisation {} deleted by {sub}",
        crate::observe::request_id::log_field(),
        path.org
    );
    Ok(HttpResponse::NoContent().finish())
}
