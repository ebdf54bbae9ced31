//! Webhook endpoints: where an organisation wants its events sent, with their delivery
//! state; the messages sent to one endpoint outside the event sequence (a ping, a
//! redelivery); and the delivery log of every attempt.
//!
//! An endpoint is scoped to its organisation like every tenant row: each query names the
//! organisation. Its signing secrets are stored sealed (the API seals and opens them);
//! nothing here sees a secret in the clear.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{webhook_deliveries, webhook_endpoints, webhook_messages};

/// The audit trail's name for an endpoint.
pub const ENTITY: &str = "webhook_endpoint";

/// An endpoint as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
pub struct Endpoint {
    pub id: i64,
    pub org_id: i64,
    pub url: String,
    pub description: String,
    /// The event types it wants, as a JSON array of names (`["*"]` for all).
    pub event_types: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub secret_sealed: String,
    pub previous_secret_sealed: Option<String>,
    pub previous_secret_until: Option<NaiveDateTime>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub delivered_through: i64,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub failing_since: Option<NaiveDateTime>,
    pub lease_owner: Option<String>,
    pub lease_until: Option<NaiveDateTime>,
}

/// A message sent to one endpoint outside the event sequence (a ping, a redelivery).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = webhook_messages)]
pub struct Message {
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: String,
    pub event_type: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// One attempt to deliver an event or a message to an endpoint.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: String,
    pub event_seq: Option<i64>,
    pub event_type: String,
    pub attempted_at: NaiveDateTime,
    pub succeeded: bool,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub latency_ms: i32,
    pub response_excerpt: String,
}
