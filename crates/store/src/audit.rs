//! The audit trail: who changed what, when. Every write records an entry in the same
//! transaction as the change itself, so the trail has no gaps and no phantom entries.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::{DbConnection, Tx};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{audit_log, organisations};
use crate::scope::{Org, in_org};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: i64,
    pub org_id: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: i64,
    pub at: NaiveDateTime,
}

/// What was done: the verbs of the trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = audit_log)]
struct NewAuditEntry<'a> {
    org_id: i64,
    actor: &'a str,
    action: &'a str,
    entity: &'a str,
    entity_id: i64,
    at: NaiveDateTime,
}

/// Records that `actor` (the token's subject) did `action` to `entity` `entity_id`. It
/// takes the transaction of the change itself, and writes the change's event when the
/// change is a record's ([`crate::events::of_audited`]).
pub fn record(
    tx: &mut Tx<'_>,
    org_id: i64,
    actor: &str,
    action: Action,
    entity: &str,
    entity_id: i64,
) -> Result<(), StoreError> {
    let at = crate::now();
    diesel::insert_into(audit_log::table)
        .values(NewAuditEntry {
            org_id,
            actor,
            action: action.as_str(),
            entity,
            entity_id,
            at,
        })
        .execute(&mut **tx)?;
    // Concurrent writers to one organisation queue on this row until each commits, so
    // versions are handed out in commit order. The time goes with the version, so "when
    // did the data last change" is one column of the row a page reads anyway.
    diesel::update(organisations::table.find(org_id))
        .set((
            organisations::data_version.eq(organisations::data_version + 1),
            organisations::data_changed_at.eq(at),
        ))
        .execute(&mut **tx)?;
    // Once committed, the organisation's KPIs are evaluated again (their status may move).
    tx.note_change(org_id);
    // A record's change is also its event, written here (after the lock above, which
    // orders events) so that no write of a record can leave it out.
    if let Some(event) = crate::events::of_audited(action, entity, entity_id) {
        crate::events::emit(tx, org_id, &event)?;
    }
    Ok(())
}

/// Narrows the trail to one kind of entity and/or one action.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub action: Option<String>,
}

/// The organisation's trail, oldest first.
/// (One statement; an empty page asks once more whether the organisation exists.)
pub fn list(
    conn: &mut DbConnection,
    org: Org<'_>,
    filter: &AuditFilter,
    page: PageRequest,
) -> Result<Page<AuditEntry>, StoreError> {
    let mut query = in_org!(audit_log, org).filter(audit_log::id.gt(page.after_id()));
    if let Some(entity) = &filter.entity {
        query = query.filter(audit_log::entity.eq(entity.clone()));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::action.eq(action.clone()));
    }
    let rows = query
        .order(audit_log::id.asc())
        .limit(page.fetch_limit())
        .load::<AuditEntry>(conn)?;
    if rows.is_empty() {
        org.ensure_exists(conn)?;
    }
    Ok(page.finish(rows, |r| r.id))
}
