//! `POST …/webhooks/{id}/ping` and `POST …/webhooks/{id}/deliveries/{delivery_id}/redeliver`:
//! queue a message for the endpoint (202); the delivery worker sends it before the
//! endpoint's next event, and its attempts appear in the delivery log.

use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veikart_domain::Role;
use veikart_store::webhook_delivery::Attempt;
use veikart_store::webhooks::{self as store, NewMessage};
use veikart_store::{DbConnection, Org};

use super::WebhookPath;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::tenancy::OrgAccess;
use crate::webhooks::payload;

/// A message queued for an endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedMessage {
    /// The id the message is sent with (`webhook-id`): a ping's own (`msg_…`), or the
    /// redelivered event's.
    #[schema(example = "msg_0f8fad5bd9cb469fa16570867728950e")]
    pub event_id: String,
    /// Its type: `webhook.ping`, or the redelivered event's.
    #[schema(example = "webhook.ping")]
    pub event_type: String,
}

/// Send a `webhook.ping` to the endpoint (`admin`): queued now (202), sent before its
/// next event; look for it in the delivery log. A disabled endpoint is pinged too.
#[utoipa::path(
    post, path = "/{id}/ping", tag = "webhooks",
    params(WebhookPath),
    security(("bearer_auth" = [])),
    responses((status = 202, body = QueuedMessage))
)]
#[post("/{id}/ping")]
pub async fn ping_webhook(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<WebhookPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    access.require(Role::Admin)?;
    let id = path.id;
    let queued = state
        .write(move |tx| {
            let endpoint = store::get(tx, access.org(), id)?;
            let now = veikart_store::now();
            let message = NewMessage {
                endpoint_id: endpoint.id,
                event_id: payload::message_id()?,
                event_type: payload::PING.to_owned(),
                body: payload::ping(endpoint.id, crate::time::utc(now)),
                created_at: now,
            };
            store::enqueue(tx, &message)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(QueuedMessage {
        event_id: queued.event_id,
        event_type: queued.event_type,
    }))
}

/// `{org}`, `{id}` and `{delivery_id}` in a delivery's path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DeliveryPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
    /// The endpoint's id.
    pub id: i64,
    /// The attempt's id in the endpoint's delivery log.
    pub delivery_id: i64,
}

/// Send an attempt's event to the endpoint again (`admin`), with the same `webhook-id`:
/// queued now (202). 410 when the event is no longer kept (older than the feed's
/// retention).
#[utoipa::path(
    post, path = "/{id}/deliveries/{delivery_id}/redeliver",
    tag = "webhooks",
    params(DeliveryPath),
    security(("bearer_auth" = [])),
    responses((status = 202, body = QueuedMessage))
)]
#[post("/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver_webhook_delivery(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<DeliveryPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    access.require(Role::Admin)?;
    let (id, delivery_id) = (path.id, path.delivery_id);
    let queued = state
        .write_or_undo(move |tx| {
            let org_id = access.org_id(tx)?;
            let logged = store::delivery(tx, Org::Id(org_id), id, delivery_id)?;
            let message = redelivery(tx, org_id, &logged.attempt)?;
            Ok(store::enqueue(tx, &message)?)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(QueuedMessage {
        event_id: queued.event_id,
        event_type: queued.event_type,
    }))
}

/// The message that sends `attempt`'s event again: a copy of the stored event, or a new
/// ping body for a ping (with the ping's id); 410 when the event was pruned.
fn redelivery(
    conn: &mut DbConnection,
    org_id: i64,
    attempt: &Attempt,
) -> Result<NewMessage, ApiError> {
    let now = veikart_store::now();
    let body = if attempt.event_type == payload::PING {
        payload::ping(attempt.endpoint_id, crate::time::utc(now))
    } else {
        let event = store::event_of(conn, org_id, attempt)?.ok_or_else(|| {
            ApiError::Gone(format!(
                "event {} is no longer kept (events are kept for the feed's retention); it cannot be sent again",
                attempt.event_id
            ))
        })?;
        payload::of_event(&event)?
    };
    Ok(NewMessage {
        endpoint_id: attempt.endpoint_id,
        event_id: attempt.event_id.clone(),
        event_type: attempt.event_type.clone(),
        body,
        created_at: now,
    })
}
