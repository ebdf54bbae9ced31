//! `PATCH /orgs/{org}/webhooks/{id}`: changes an endpoint's URL, description, event types
//! or whether it is enabled. Re-enabling clears why it was disabled and its failing streak.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, patch, web};
use serde::Deserialize;
use utoipa::ToSchema;
use veikart_domain::Role;
use veikart_domain::webhooks::EventSelection;
use veikart_store::webhooks::{self as store, EndpointChange};

use veikart_domain::text::WebhookDescription;

use super::{Webhook, WebhookPath, checked_url, selection_text};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::routes::patch::not_null;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// The fields to change; an absent field keeps its value, and none may be null.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    #[schema(value_type = veikart_domain::webhooks::WebhookUrl, nullable = false)]
    #[serde(default, deserialize_with = "not_null")]
    pub url: Option<String>,
    /// What the endpoint is for.
    #[schema(value_type = WebhookDescription, nullable = false)]
    #[serde(default, deserialize_with = "not_null")]
    pub description: Option<WebhookDescription>,
    #[schema(value_type = EventSelection, nullable = false)]
    #[serde(default, deserialize_with = "not_null")]
    pub event_types: Option<EventSelection>,
    /// Whether events are sent to it. Re-enabling clears `disabled_reason` and the failing
    /// streak; its events resume where they stopped.
    #[schema(nullable = false)]
    #[serde(default, deserialize_with = "not_null")]
    pub enabled: Option<bool>,
}

/// Change a webhook endpoint (`admin`); `If-Match` is honoured.
#[utoipa::path(
    patch, path = "/{id}", tag = "webhooks",
    params(WebhookPath),
    request_body = UpdateWebhook,
    security(("bearer_auth" = [])),
    responses((status = 200, body = Webhook, headers(
        ("ETag" = String, description = "The endpoint's new version"),
    )))
)]
#[patch("/{id}")]
pub async fn update_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<WebhookPath>,
    body: JsonBody<UpdateWebhook>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Admin)?.sub.clone();
    let expected = crate::etag::if_match(&req)?;
    let body = body.0;
    let policy = state.webhooks.url_policy();
    let change = EndpointChange {
        url: body
            .url
            .map(|u| checked_url(&u, policy).map(|u| u.into_string()))
            .transpose()?,
        description: body.description.map(WebhookDescription::into_string),
        event_types: body.event_types.as_ref().map(selection_text),
        enabled: body.enabled,
    };
    let id = path.id;
    let row = state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            store::update(tx, org_id, id, &actor, expected.as_deref(), change)
        })
        .await?;
    let version = row.version;
    Ok(crate::etag::versioned(
        &req,
        StatusCode::OK,
        version,
        &Webhook::from(row),
    ))
}
