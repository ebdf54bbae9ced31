//! `GET /orgs/{org}/webhooks/{id}/deliveries`: the endpoint's delivery log, newest first —
//! every attempt to send it an event, a ping or a redelivery.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use veikart_domain::Role;
use veikart_store::webhooks as store;

use super::WebhookPath;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::pagination::{Page, PageParams};
use crate::query::Query;
use crate::state::AppState;
use crate::tenancy::OrgAccess;
use crate::time::utc;

/// One attempt to deliver a message to an endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: i64,
    /// The id it was sent with (`webhook-id`): the event's, the same on every retry.
    #[schema(example = "evt_0f8fad5bd9cb469fa16570867728950e")]
    pub event_id: String,
    #[schema(example = "record.created")]
    pub event_type: String,
    pub attempted_at: DateTime<Utc>,
    /// Whether the receiver acknowledged it (a 2xx answer).
    pub succeeded: bool,
    /// The receiver's HTTP status; null when there was no answer (see `error`).
    pub status_code: Option<i32>,
    /// Why there was no answer (refused address, timeout, connection error); null when
    /// there was one.
    pub error: Option<String>,
    /// From sending to the answer (or the error), in milliseconds.
    pub latency_ms: i32,
    /// The first KiB of the answer's body.
    pub response_excerpt: String,
}

impl From<store::Delivery> for WebhookDelivery {
    fn from(store::Delivery { id, attempt }: store::Delivery) -> Self {
        Self {
            id,
            event_id: attempt.event_id,
            event_type: attempt.event_type,
            attempted_at: utc(attempt.attempted_at),
            succeeded: attempt.succeeded,
            status_code: attempt.status_code,
            error: attempt.error,
            latency_ms: attempt.latency_ms,
            response_excerpt: attempt.response_excerpt,
        }
    }
}

/// List a webhook endpoint's delivery attempts, newest first (`admin`).
#[utoipa::path(
    get, path = "/{id}/deliveries", tag = "webhooks",
    params(WebhookPath, PageParams),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Page<WebhookDelivery>))
)]
#[get("/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<WebhookPath>,
    page: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    access.require(Role::Admin)?;
    let id = path.id;
    let page = state
        .db(move |conn| store::deliveries(conn, access.org(), id, request))
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_store(page, WebhookDelivery::from)))
}
