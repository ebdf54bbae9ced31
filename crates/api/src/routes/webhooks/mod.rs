//! `/api/v1/orgs/{org}/webhooks`: an organisation's webhook endpoints (`admin`; a platform
//! admin for any organisation; never an API key, whose role is at most `editor`). An
//! endpoint's secret is shown once, when it is made (created or rotated); it is stored
//! sealed (`crate::webhooks::secrets`). A URL is checked when it is saved
//! (`veikart_domain::webhooks::WebhookUrl`): 422 naming `url` for a refused one. Sending is
//! not done here: a ping or a redelivery queues a message for the endpoint, and the
//! delivery log is read here. The guide is `docs/webhooks.md`.

mod create;
mod deliveries;
mod messages;
mod read;
mod remove;
mod rotate;
mod update;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veikart_domain::webhooks::{EventSelection, UrlPolicy, WebhookUrl};
use veikart_store::webhooks as store;

use crate::error::ApiError;
use crate::time::utc;
use crate::webhooks::SealingKey;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create::create_webhook)
        .service(read::list_webhooks)
        .service(read::get_webhook)
        .service(update::update_webhook)
        .service(remove::delete_webhook)
        .service(rotate::rotate_webhook_secret)
        .service(messages::ping_webhook)
        .service(deliveries::list_webhook_deliveries)
        .service(messages::redeliver_webhook_delivery);
}

/// The longest description.
pub const DESCRIPTION_MAX: usize = 500;
/// How long a rotated-out secret keeps signing beside the new one.
pub const ROTATION_GRACE_HOURS: i64 = 24;

/// A webhook endpoint as it is read: never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub url: WebhookUrl,
    /// What the endpoint is for (may be empty).
    pub description: String,
    pub event_types: EventSelection,
    /// Whether events are sent to it. An endpoint is disabled by an admin, or by the
    /// service when it answers `410 Gone` or keeps failing (see `disabled_reason`).
    pub enabled: bool,
    /// Why the service disabled it; null while enabled or when an admin disabled it.
    pub disabled_reason: Option<String>,
    /// Since when deliveries to it fail; null while they succeed.
    pub failing_since: Option<DateTime<Utc>>,
    /// When the failing event is tried again; null when nothing is waiting.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Until when the secret rotated out last keeps signing beside the current one; null
    /// when there is none.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// The `sub` of whoever created it.
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An endpoint with its secret, shown this once (after creating it or rotating its
/// secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The signing secret (`whsec_` + base64 of 32 bytes), for verifying signatures with
    /// a Standard Webhooks library. It is shown only in this answer: store it now.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

impl From<store::Endpoint> for Webhook {
    fn from(e: store::Endpoint) -> Self {
        Self {
            id: e.id,
            url: WebhookUrl::stored(e.url),
            description: e.description,
            event_types: stored_selection(&e.event_types),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            failing_since: e.failing_since.map(utc),
            next_attempt_at: e.next_attempt_at.map(utc),
            previous_secret_until: e.previous_secret_until.map(utc),
            created_by: e.created_by,
            created_at: utc(e.created_at),
            updated_at: utc(e.updated_at),
        }
    }
}

/// The selection an endpoint stores (as JSON): a stored name that is no longer a type is
/// dropped, and a selection left empty reads as the stored names never matched.
fn stored_selection(stored: &str) -> EventSelection {
    let names: Vec<String> = serde_json::from_str(stored).unwrap_or_default();
    EventSelection::parse(&names).unwrap_or_else(|_| {
        let known: Vec<_> = names.iter().filter_map(|n| n.parse().ok()).collect();
        EventSelection::Only(known)
    })
}

/// A selection as stored: the JSON array of its names.
fn selection_text(selection: &EventSelection) -> String {
    serde_json::Value::from(selection.names()).to_string()
}

/// `{org}` and `{id}` in an endpoint's path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WebhookPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
    /// The endpoint's id.
    pub id: i64,
}

/// The URL if this instance accepts it, else 422 naming `url`.
fn checked_url(url: &str, policy: UrlPolicy) -> Result<WebhookUrl, ApiError> {
    WebhookUrl::parse(url, policy).map_err(|why| ApiError::validation("url", why))
}

/// 422 naming `description` unless it is at most [`DESCRIPTION_MAX`] characters without
/// NUL; the description as stored (trimmed).
fn checked_description(description: &str) -> Result<String, ApiError> {
    let mut v = veikart_domain::Validator::new();
    v.text("description", description, false, DESCRIPTION_MAX);
    v.finish().map_err(ApiError::Validation)?;
    Ok(description.trim().to_owned())
}

/// The instance's sealing key, or 409 when it has none (no `VEIKART_WEBHOOK_KEY` and no
/// JWT secret to derive one from).
fn sealing_key(key: Option<&SealingKey>) -> Result<SealingKey, ApiError> {
    key.cloned().ok_or_else(|| ApiError::Conflict {
        field: None,
        message: "this instance has no key to seal webhook secrets with: set VEIKART_WEBHOOK_KEY"
            .into(),
    })
}

/// The answer of a made secret: the endpoint and, this once, the secret.
fn shown_once(row: store::Endpoint, secret: &crate::webhooks::WebhookSecret) -> WebhookWithSecret {
    WebhookWithSecret {
        webhook: Webhook::from(row),
        secret: secret.to_whsec(),
    }
}

/// A secret could not be made or sealed: the cause is logged, not sent.
fn secret_failure(e: crate::webhooks::secrets::SecretError) -> ApiError {
    ApiError::Internal(format!("webhook secret: {e}"))
}
