//! `/api/v1/orgs/{org}/audit`: the organisation's audit trail (`admin`).

mod list;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use veikart_store::audit as store;

use crate::time::utc;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list::list_audit_entries);
}

/// One recorded change.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    /// The `sub` of the token that made the change.
    pub actor: String,
    /// `create`, `update` or `delete`.
    pub action: String,
    /// The kind of resource, e.g. `organisation`, `plan`.
    pub entity: String,
    pub entity_id: i64,
    pub at: DateTime<Utc>,
}

impl From<store::AuditEntry> for AuditEntry {
    fn from(e: store::AuditEntry) -> Self {
        Self {
            id: e.id,
            actor: e.actor,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            at: utc(e.at),
        }
    }
}
