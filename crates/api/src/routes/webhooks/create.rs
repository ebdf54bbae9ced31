//! `POST /orgs/{org}/webhooks`: registers an endpoint and shows its secret, this once.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use veikart_domain::Role;
use veikart_domain::text::WebhookDescription;
use veikart_domain::webhooks::EventSelection;
use veikart_store::webhooks::{self as store, NewEndpoint};

use super::{
    WebhookWithSecret, checked_url, sealing_key, secret_failure, selection_text, shown_once,
};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::routes::orgs::OrgPath;
use crate::state::AppState;
use crate::tenancy::OrgAccess;
use crate::webhooks::{WebhookSecret, secrets};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// Where events are sent (see `WebhookUrl` for what is accepted).
    #[schema(value_type = veikart_domain::webhooks::WebhookUrl)]
    pub url: String,
    /// What the endpoint is for (default empty).
    #[serde(default)]
    pub description: WebhookDescription,
    pub event_types: EventSelection,
    /// Whether events are sent to it from now on (default true).
    #[schema(default = true)]
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

/// Register a webhook endpoint (`admin`); the answer holds its signing secret, shown this
/// once. It receives the organisation's events from its creation on.
#[utoipa::path(
    post, path = "", tag = "webhooks",
    params(OrgPath),
    request_body = CreateWebhook,
    security(("bearer_auth" = [])),
    responses((status = 201, body = WebhookWithSecret, headers(
        ("Location" = String, description = "The endpoint's URL"),
        ("ETag" = String, description = "The endpoint's version"),
    )))
)]
#[post("")]
pub async fn create_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<OrgPath>,
    body: JsonBody<CreateWebhook>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Admin)?.sub.clone();
    let body = body.0;
    let url = checked_url(&body.url, state.webhooks.url_policy())?;
    let description = body.description.into_string();
    let key = sealing_key(state.webhooks.key.as_ref())?;
    let secret = WebhookSecret::generate().map_err(secret_failure)?;
    let new = NewEndpoint {
        url: url.into_string(),
        description,
        event_types: selection_text(&body.event_types),
        enabled: body.enabled,
        secret_sealed: secrets::seal(&key, &secret).map_err(secret_failure)?,
    };
    let row = state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            store::create(tx, org_id, &actor, &new)
        })
        .await?;
    let location = format!("/api/v1/orgs/{}/webhooks/{}", path.org, row.id);
    let version = row.version;
    let mut answer = crate::etag::created(&req, version, &shown_once(row, &secret), &location);
    // The secret is in it: no cache may keep it.
    answer.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(answer)
}
