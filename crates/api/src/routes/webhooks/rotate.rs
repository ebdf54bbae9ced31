//! `POST /orgs/{org}/webhooks/{id}/rotate-secret`: a new secret, shown this once; the old
//! one keeps signing beside it for 24 hours (two signatures in `webhook-signature`), so
//! that receivers can switch without losing a delivery.

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use chrono::Duration;
use veikart_domain::Role;
use veikart_store::webhooks as store;

use super::{
    ROTATION_GRACE_HOURS, WebhookPath, WebhookWithSecret, sealing_key, secret_failure, shown_once,
};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::tenancy::OrgAccess;
use crate::webhooks::{WebhookSecret, secrets};

/// Rotate a webhook endpoint's signing secret (`admin`): the answer holds the new secret,
/// shown this once; the old one keeps signing beside it for 24 hours.
#[utoipa::path(
    post, path = "/{id}/rotate-secret", tag = "webhooks",
    params(WebhookPath),
    security(("bearer_auth" = [])),
    responses((status = 200, body = WebhookWithSecret, headers(
        ("ETag" = String, description = "The endpoint's new version"),
    )))
)]
#[post("/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<WebhookPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Admin)?.sub.clone();
    let key = sealing_key(state.webhooks.key.as_ref())?;
    let secret = WebhookSecret::generate().map_err(secret_failure)?;
    let sealed = secrets::seal(&key, &secret).map_err(secret_failure)?;
    let until = veikart_store::now() + Duration::hours(ROTATION_GRACE_HOURS);
    let id = path.id;
    let row = state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            store::rotate_secret(tx, org_id, id, &actor, &sealed, until)
        })
        .await?;
    // Never 304 (`If-None-Match` is not read): the new secret must reach its admin.
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, crate::etag::etag(row.version)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(shown_once(row, &secret)))
}
