//! `/api/v1/orgs/{org}/events`: the organisation's event feed (`viewer`), oldest first.
//!
//! Events are written by the changes themselves (`veikart_store::events`); this module
//! only reads them. `docs/webhooks.md` is the guide for readers of the feed.

mod feed;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use veikart_domain::events::{
    Event as DomainEvent, EventType, ImportCompleted, KpiStatusChanged, PlanChanged, RecordChanged,
    WebhookDisabled,
};
use veikart_store::events::StoredEvent;

use crate::error::ApiError;
use crate::time::utc;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(feed::list_events);
}

/// Something that changed in the organisation: its `type` says what, its `data` (whose
/// shape the type decides) which. Types may be added; skip the ones you do not know.
#[derive(Debug, Serialize, ToSchema)]
pub struct Event {
    /// The event's id, the same wherever it is delivered (`evt_` and 32 hex digits).
    #[schema(example = "evt_0f8fad5bd9cb469fa16570867728950e")]
    pub id: String,
    /// Its place in the feed: strictly increasing, in the order the changes committed.
    /// Pass the last one read as `after` to read on.
    pub seq: i64,
    /// The organisation's slug.
    pub org: String,
    /// When the change was made.
    pub occurred_at: DateTime<Utc>,
    /// What happened; types may be added, so skip the ones you do not know.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// What it happened to: its shape is decided by `type` (see `docs/webhooks.md`).
    pub data: EventData,
}

/// An event's data, whose shape its `type` decides: a record's kind and id
/// (`record.*`), an import's id, kind and counts (`import.completed`), a plan's id,
/// title and status (`plan.*`), a KPI's status change (`kpi.status_changed`), or a
/// disabled webhook endpoint's id, URL and reason (`webhook.disabled`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum EventData {
    Record(RecordChanged),
    Import(ImportCompleted),
    Plan(PlanChanged),
    Webhook(WebhookDisabled),
    KpiStatus(KpiStatusChanged),
}

impl From<DomainEvent> for EventData {
    fn from(event: DomainEvent) -> Self {
        match event {
            DomainEvent::RecordCreated(data)
            | DomainEvent::RecordUpdated(data)
            | DomainEvent::RecordDeleted(data) => EventData::Record(data),
            DomainEvent::ImportCompleted(data) => EventData::Import(data),
            DomainEvent::PlanAdopted(data)
            | DomainEvent::PlanPublished(data)
            | DomainEvent::PlanUnpublished(data)
            | DomainEvent::PlanArchived(data)
            | DomainEvent::PlanRevised(data) => EventData::Plan(data),
            DomainEvent::WebhookDisabled(data) => EventData::Webhook(data),
            DomainEvent::KpiStatusChanged(data) => EventData::KpiStatus(data),
        }
    }
}

impl Event {
    fn of(org: &str, stored: StoredEvent) -> Result<Self, ApiError> {
        let event = stored.event()?;
        Ok(Event {
            event_type: event.event_type(),
            data: EventData::from(event),
            id: stored.id,
            seq: stored.seq,
            org: org.to_owned(),
            occurred_at: utc(stored.occurred_at),
        })
    }
}

/// One page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    /// The events after the cursor, oldest first.
    pub items: Vec<Event>,
    /// The `seq` to pass as `after` for the next page; absent on the last page (to poll
    /// for newer events, pass the `seq` of the last item).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_cursor: Option<i64>,
}
