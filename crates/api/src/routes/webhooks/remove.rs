//! `DELETE /orgs/{org}/webhooks/{id}`: removes an endpoint with its queued messages and
//! its delivery log; nothing more is sent to it.

use actix_web::{HttpRequest, HttpResponse, delete, web};
use veikart_domain::Role;
use veikart_store::webhooks as store;

use super::WebhookPath;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// Delete a webhook endpoint (`admin`); `If-Match` is honoured.
#[utoipa::path(
    delete, path = "/{id}", tag = "webhooks",
    params(WebhookPath),
    security(("bearer_auth" = [])),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/{id}")]
pub async fn delete_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<WebhookPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Admin)?.sub.clone();
    let expected = crate::etag::if_match(&req)?;
    let id = path.id;
    state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            store::delete(tx, org_id, id, &actor, expected.as_deref())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
