//! Events: what changed in an organisation, told to those who follow it (the event feed,
//! later webhooks). Each change that matters writes one event in its own transaction, so
//! an event exists exactly when its change does.
//!
//! [`Event`] is the one list of event types, each with its typed data; its serde form is
//! `{"type": "record.created", "data": {…}}`, the wire names being the types' names.
//! [`EventType`] names a type without its data (for filters and storage). The list is
//! open: new types are added as variants (`webhook.ping`, `webhook.disabled`), and
//! readers are told to skip types they do not know.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::PlanStatus;
use crate::engine::{KpiResult, KpiStatus};
use crate::records::RecordKind;
use crate::text::Title;

/// What happened, with its data: one variant per event type. Kept as `{type, data}`;
/// the API's document gives the two apart (`EventType`, `EventData`), so that generated
/// clients read the event as a plain object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = EventPayload))]
#[serde(tag = "type", content = "data")]
pub enum Event {
    /// A record was created on its own (an import tells of its records once, as
    /// `import.completed`).
    #[serde(rename = "record.created")]
    RecordCreated(RecordChanged),
    /// A record was changed on its own.
    #[serde(rename = "record.updated")]
    RecordUpdated(RecordChanged),
    /// A record was deleted.
    #[serde(rename = "record.deleted")]
    RecordDeleted(RecordChanged),
    /// An import wrote its records (one event per import, whatever its number of rows).
    #[serde(rename = "import.completed")]
    ImportCompleted(ImportCompleted),
    /// A draft plan was adopted.
    #[serde(rename = "plan.adopted")]
    PlanAdopted(PlanChanged),
    /// A plan was published to anonymous readers.
    #[serde(rename = "plan.published")]
    PlanPublished(PlanChanged),
    /// A plan was withdrawn from anonymous readers.
    #[serde(rename = "plan.unpublished")]
    PlanUnpublished(PlanChanged),
    /// A plan was archived.
    #[serde(rename = "plan.archived")]
    PlanArchived(PlanChanged),
    /// An adopted plan went back to draft; its adopted version is kept as a revision.
    #[serde(rename = "plan.revised")]
    PlanRevised(PlanChanged),
    /// A webhook endpoint was disabled by its deliveries: its receiver answered
    /// `410 Gone`, or kept failing past the retry schedule.
    #[serde(rename = "webhook.disabled")]
    WebhookDisabled(WebhookDisabled),
    /// A KPI of an adopted or published plan has another status than when it was last
    /// evaluated (after records changed, or as time passed).
    #[serde(rename = "kpi.status_changed")]
    KpiStatusChanged(KpiStatusChanged),
}

/// The type of an event, without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventType {
    #[serde(rename = "record.created")]
    RecordCreated,
    #[serde(rename = "record.updated")]
    RecordUpdated,
    #[serde(rename = "record.deleted")]
    RecordDeleted,
    #[serde(rename = "import.completed")]
    ImportCompleted,
    #[serde(rename = "plan.adopted")]
    PlanAdopted,
    #[serde(rename = "plan.published")]
    PlanPublished,
    #[serde(rename = "plan.unpublished")]
    PlanUnpublished,
    #[serde(rename = "plan.archived")]
    PlanArchived,
    #[serde(rename = "plan.revised")]
    PlanRevised,
    #[serde(rename = "webhook.disabled")]
    WebhookDisabled,
    #[serde(rename = "kpi.status_changed")]
    KpiStatusChanged,
}

crate::wire::wire_name!(EventType);

impl EventType {
    /// Every type (a feed read without a type filter asks for these): a new type goes here
    /// too.
    pub const ALL: [EventType; 11] = [
        EventType::RecordCreated,
        EventType::RecordUpdated,
        EventType::RecordDeleted,
        EventType::ImportCompleted,
        EventType::PlanAdopted,
        EventType::PlanPublished,
        EventType::PlanUnpublished,
        EventType::PlanArchived,
        EventType::PlanRevised,
        EventType::WebhookDisabled,
        EventType::KpiStatusChanged,
    ];
}

/// A record that was created, changed or deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordChanged {
    pub kind: RecordKind,
    /// The record's id, as in its path (`/members/{id}`).
    pub id: i64,
}

/// An import that wrote its records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportCompleted {
    /// The import's id in the import log (`/imports/{kind}/{id}`).
    pub import_id: i64,
    /// The kind of record it wrote.
    pub kind: RecordKind,
    /// Rows read from the body.
    pub rows: i64,
    /// Records inserted.
    pub created: i64,
    /// Stored records replaced with other fields.
    pub updated: i64,
    /// Rows equal to the stored record, left untouched.
    pub unchanged: i64,
}

/// A plan after a step of its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanChanged {
    /// The plan's id, as in its path (`/plans/{id}`).
    pub plan_id: i64,
    pub title: Title,
    /// Its status after the step.
    pub status: PlanStatus,
    /// Whether anonymous readers may read it after the step.
    pub published: bool,
    /// How many times it has been revised (its kept revisions are numbered 1 to this).
    pub revision: i32,
}

/// A webhook endpoint that its deliveries disabled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDisabled {
    /// The endpoint's id, as in its path (`/webhooks/{id}`).
    pub endpoint_id: i64,
    /// Where it sent to.
    pub url: String,
    /// Why it was disabled (also its `disabled_reason`).
    pub reason: String,
}

/// A KPI's status moved from `from` to `to` at `as_of`, with the figures behind the new
/// status: the KPI's result at `as_of`, as the scorecard shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KpiStatusChanged {
    /// The KPI's id (`/plans/{plan_id}/kpis/{kpi_id}`).
    pub kpi_id: i64,
    /// Its plan's id.
    pub plan_id: i64,
    /// The status it had at its last evaluation.
    pub from: KpiStatus,
    /// The status it has now.
    pub to: KpiStatus,
    /// The date it was evaluated at (today in Europe/Oslo).
    pub as_of: NaiveDate,
    /// The KPI's value at `as_of`; `null` when there is none (as in its result).
    pub actual: Option<f64>,
    /// Where the KPI should be at `as_of` on its pace to the target (as in its result).
    pub expected: Option<f64>,
}

impl KpiStatusChanged {
    /// The change a KPI's new `result` makes to the status kept from its last evaluation:
    /// none when it is the same, and none when nothing was kept (a KPI's first evaluation
    /// records its status silently, so that adopting a plan tells no changes).
    pub fn between(kept: Option<KpiStatus>, plan_id: i64, result: &KpiResult) -> Option<Self> {
        let from = kept?;
        (from != result.status).then_some(KpiStatusChanged {
            kpi_id: result.kpi_id,
            plan_id,
            from,
            to: result.status,
            as_of: result.as_of,
            actual: result.actual,
            expected: result.expected,
        })
    }
}

/// A step of a plan's lifecycle, for the event it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStep {
    Adopt,
    Publish,
    Unpublish,
    Archive,
    Revise,
}

impl Event {
    /// The event's type.
    pub fn event_type(&self) -> EventType {
        match self {
            Event::RecordCreated(_) => EventType::RecordCreated,
            Event::RecordUpdated(_) => EventType::RecordUpdated,
            Event::RecordDeleted(_) => EventType::RecordDeleted,
            Event::ImportCompleted(_) => EventType::ImportCompleted,
            Event::PlanAdopted(_) => EventType::PlanAdopted,
            Event::PlanPublished(_) => EventType::PlanPublished,
            Event::PlanUnpublished(_) => EventType::PlanUnpublished,
            Event::PlanArchived(_) => EventType::PlanArchived,
            Event::PlanRevised(_) => EventType::PlanRevised,
            Event::WebhookDisabled(_) => EventType::WebhookDisabled,
            Event::KpiStatusChanged(_) => EventType::KpiStatusChanged,
        }
    }

    /// The event of a plan's lifecycle step.
    pub fn plan(step: PlanStep, plan: PlanChanged) -> Event {
        match step {
            PlanStep::Adopt => Event::PlanAdopted(plan),
            PlanStep::Publish => Event::PlanPublished(plan),
            PlanStep::Unpublish => Event::PlanUnpublished(plan),
            PlanStep::Archive => Event::PlanArchived(plan),
            PlanStep::Revise => Event::PlanRevised(plan),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_its_type_and_data_and_reads_back() {
        let event = Event::RecordDeleted(RecordChanged {
            kind: RecordKind::Member,
            id: 7,
        });
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "record.deleted", "data": {"kind": "member", "id": 7}})
        );
        assert_eq!(serde_json::from_value::<Event>(json).unwrap(), event);
    }

    #[test]
    fn every_type_has_one_wire_name_in_both_enums() {
        for t in EventType::ALL {
            let serde_name = serde_json::to_value(t).unwrap();
            assert_eq!(serde_name, t.as_str());
            assert_eq!(t.as_str().parse::<EventType>().unwrap(), t);
        }
        let plan = PlanChanged {
            plan_id: 1,
            title: "Plan".parse().unwrap(),
            status: PlanStatus::Adopted,
            published: false,
            revision: 0,
        };
        let event = Event::plan(PlanStep::Revise, plan);
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], event.event_type().as_str());
    }

    fn result(status: KpiStatus) -> KpiResult {
        let day = NaiveDate::from_ymd_opt(2024, 6, 30).unwrap();
        KpiResult {
            kpi_id: 4,
            as_of: day,
            period_start: day,
            period_end: day,
            actual: Some(12.0),
            start_value: Some(0.0),
            expected: Some(10.5),
            progress: None,
            status,
            forecast: crate::engine::Forecast {
                run_rate: None,
                with_planned: None,
            },
            needed_per_month: None,
            records_counted: 12,
            last_record_on: None,
        }
    }

    #[test]
    fn a_kpi_status_change_is_told_only_when_a_kept_status_differs() {
        let now = result(KpiStatus::OnTrack);
        assert_eq!(KpiStatusChanged::between(None, 9, &now), None, "first time");
        assert_eq!(
            KpiStatusChanged::between(Some(KpiStatus::OnTrack), 9, &now),
            None
        );
        let changed = KpiStatusChanged::between(Some(KpiStatus::AtRisk), 9, &now).unwrap();
        let json = serde_json::to_value(Event::KpiStatusChanged(changed)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "kpi.status_changed", "data": {
                "kpi_id": 4, "plan_id": 9, "from": "at_risk", "to": "on_track",
                "as_of": "2024-06-30", "actual": 12.0, "expected": 10.5}})
        );
        let back: Event = serde_json::from_value(json).unwrap();
        assert_eq!(back.event_type(), EventType::KpiStatusChanged);
    }
}
