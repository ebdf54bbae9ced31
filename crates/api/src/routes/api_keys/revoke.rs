//! `DELETE /orgs/{org}/api-keys/{id}`: revokes a key. It stays listed, with
//! `revoked_at`, and is refused from the next request on, on every instance.

use actix_web::{HttpResponse, delete, web};
use veikart_domain::Role;
use veikart_store::api_keys as store;

use super::ApiKeyPath;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// Revoke an API key (`admin`); revoking a revoked key changes nothing.
#[utoipa::path(
    delete, path = "/{id}", tag = "api keys",
    params(ApiKeyPath),
    security(("bearer_auth" = [])),
    responses((status = 204, description = "Revoked"))
)]
#[delete("/{id}")]
pub async fn revoke_api_key(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<ApiKeyPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Admin)?.sub.clone();
    let id = path.id;
    let now = veikart_store::now();
    state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            store::revoke(tx, org_id, &actor, id, now)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
