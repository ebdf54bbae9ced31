//! The events of an organisation, stored in the change's own transaction (an outbox), and
//! the feed that reads them oldest first.
//!
//! **Order.** `seq` is strictly increasing per database. On PostgreSQL a sequence number
//! is taken when the row is inserted, not when it commits, so two transactions could
//! commit out of `seq` order — and a reader that saw the higher one would skip the lower
//! one for ever. Every event is therefore written after its change's audit entry
//! ([`crate::audit::record`]), whose bump of the organisation's data version locks the
//! organisation's row until the transaction ends: writers of one organisation take their
//! sequence numbers one transaction at a time, in commit order. The feed is per
//! organisation, so that is the order it needs, and it costs no lock the write did not
//! already take. SQLite runs one writer at a time, so there insertion order is commit
//! order anyway.
//!
//! **Retention.** [`prune`] removes the events older than the retention, oldest `seq`
//! first, and notes for each organisation the last `seq` it removed (`event_feeds`): a
//! cursor below that may have missed events, and the feed says so ([`Feed::Pruned`]).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use veikart_domain::events::{Event, EventType, ImportCompleted, RecordChanged};
use veikart_domain::records::RecordKind;

use crate::audit::Action;
use crate::db::{DbConnection, MultiBackend, Tx};
use crate::error::StoreError;
use crate::schema::{event_feeds, events, organisations};
use crate::scope::Org;

/// An event as stored: its data is the JSON of its type's data.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct StoredEvent {
    pub seq: i64,
    pub id: String,
    pub org_id: i64,
    pub event_type: String,
    pub occurred_at: NaiveDateTime,
    pub data: String,
}

impl StoredEvent {
    /// The event with its typed data (`Corrupt` when the stored JSON is not its type's).
    pub fn event(&self) -> Result<Event, StoreError> {
        let data: serde_json::Value = serde_json::from_str(&self.data)
            .map_err(|e| StoreError::Corrupt(format!("event {}: {e}", self.seq)))?;
        serde_json::from_value(serde_json::json!({"type": self.event_type, "data": data}))
            .map_err(|e| StoreError::Corrupt(format!("event {}: {e}", self.seq)))
    }
}

#[derive(Insertable)]
#[diesel(table_name = events)]
struct NewEvent<'a> {
    id: &'a str,
    org_id: i64,
    event_type: &'a str,
    occurred_at: NaiveDateTime,
    data: &'a str,
}

/// Writes `event` in the change's transaction: it commits with the change or not at all.
///
/// Call it after the change's audit entry (which every write records), so that the
/// organisation's row is locked and `seq` follows commit order (see the module's note).
pub fn emit(tx: &mut Tx<'_>, org_id: i64, event: &Event) -> Result<(), StoreError> {
    let mut tagged = serde_json::to_value(event)
        .map_err(|e| StoreError::Corrupt(format!("an event's data: {e}")))?;
    let data = tagged
        .get_mut("data")
        .map(serde_json::Value::take)
        .unwrap_or_default();
    diesel::insert_into(events::table)
        .values(NewEvent {
            id: &new_id()?,
            org_id,
            event_type: event.event_type().as_str(),
            occurred_at: crate::now(),
            data: &data.to_string(),
        })
        .execute(&mut **tx)?;
    Ok(())
}

/// The event an audited change is on its own, if it is one: a record's creation, change
/// or deletion. Called by [`crate::audit::record`], so no write of a record can leave it
/// out; an import's records are told once, as `import.completed`, since an import records
/// one audit entry for all of them.
pub(crate) fn of_audited(action: Action, entity: &str, id: i64) -> Option<Event> {
    let kind = entity.parse::<RecordKind>().ok()?;
    let record = RecordChanged { kind, id };
    Some(match action {
        Action::Create => Event::RecordCreated(record),
        Action::Update => Event::RecordUpdated(record),
        Action::Delete => Event::RecordDeleted(record),
    })
}

/// The `import.completed` event of a finished import's log row.
pub fn import_completed(import: &crate::imports::Import) -> Result<Event, StoreError> {
    let kind = RecordKind::ALL
        .into_iter()
        .find(|k| k.segment() == import.kind)
        .ok_or_else(|| StoreError::Corrupt(format!("import kind `{}`", import.kind)))?;
    Ok(Event::ImportCompleted(ImportCompleted {
        import_id: import.id,
        kind,
        rows: import.row_count,
        created: import.created,
        updated: import.updated,
        unchanged: import.unchanged,
    }))
}

/// An event's id: `evt_` and 128 random bits in hex, the same wherever the event goes.
fn new_id() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Corrupt(format!("no random bytes for an event id: {e}")))?;
    Ok(bytes.iter().fold(String::from("evt_"), |mut id, b| {
        id.push_str(&format!("{b:02x}"));
        id
    }))
}

/// What a feed reader asks for: the events after `after` (0: from the oldest kept), of the
/// given types (every type when empty), at most `limit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRequest {
    pub after: i64,
    pub types: Vec<EventType>,
    pub limit: i64,
}

/// A page of the feed, or the news that events after the cursor were pruned.
#[derive(Debug, Clone, PartialEq)]
pub enum Feed {
    /// The events, oldest first, and the `seq` to continue after when more exist.
    Page {
        events: Vec<StoredEvent>,
        next_after: Option<i64>,
    },
    /// Events after the cursor were removed; the feed now starts after `starts_after`.
    Pruned { starts_after: i64 },
}

/// One page of the organisation's feed, in one statement: the organisation, where its
/// feed starts and its events after the cursor are one join, so an unknown organisation
/// (no row: `NotFound`), a pruned cursor and an empty page need no second question.
pub fn feed(
    conn: &mut DbConnection,
    org: Org<'_>,
    request: &FeedRequest,
) -> Result<Feed, StoreError> {
    let types: Vec<&str> = if request.types.is_empty() {
        EventType::ALL.iter().map(|t| t.as_str()).collect()
    } else {
        request.types.iter().map(|t| t.as_str()).collect()
    };
    let matching = events::org_id
        .eq(organisations::id)
        .and(events::seq.gt(request.after))
        .and(events::event_type.eq_any(types));
    let query = organisations::table
        .left_join(event_feeds::table)
        .left_join(events::table.on(matching))
        .select((
            event_feeds::pruned_through.nullable(),
            events::all_columns.nullable(),
        ))
        .order(events::seq.nullable().asc())
        .limit(request.limit + 1)
        .into_boxed::<MultiBackend>();
    let query = crate::scope::organisation_is!(query, org);
    let rows: Vec<(Option<i64>, Option<StoredEvent>)> = query.load(conn)?;
    let Some((pruned_through, _)) = rows.first() else {
        return Err(StoreError::NotFound);
    };
    let starts_after = pruned_through.unwrap_or(0);
    if request.after > 0 && request.after < starts_after {
        return Ok(Feed::Pruned { starts_after });
    }
    let mut events: Vec<StoredEvent> = rows.into_iter().filter_map(|(_, e)| e).collect();
    let limit = usize::try_from(request.limit).unwrap_or(0);
    let next_after = (events.len() > limit).then(|| {
        events.truncate(limit);
        events.last().map(|e| e.seq)
    });
    Ok(Feed::Page {
        events,
        next_after: next_after.flatten(),
    })
}

/// Removes the events that occurred before `cutoff`, in one transaction: the oldest ones,
/// up to the first event to keep in `seq` order (so every removed event is older than
/// `cutoff`, and what stays is a run of the newest), and notes where each organisation's
/// feed now starts. Returns how many were removed.
pub fn prune(conn: &mut DbConnection, cutoff: NaiveDateTime) -> Result<usize, StoreError> {
    crate::write_transaction(conn, |tx| {
        let first_kept: Option<i64> = events::table
            .filter(events::occurred_at.ge(cutoff))
            .order(events::seq.asc())
            .select(events::seq)
            .first(&mut **tx)
            .optional()?;
        let removed: Vec<(i64, i64)> =
            diesel::delete(events::table.filter(events::seq.lt(first_kept.unwrap_or(i64::MAX))))
                .returning((events::org_id, events::seq))
                .get_results(&mut **tx)?;
        let mut last_removed: BTreeMap<i64, i64> = BTreeMap::new();
        for (org_id, seq) in &removed {
            let last = last_removed.entry(*org_id).or_insert(*seq);
            *last = (*last).max(*seq);
        }
        for (org_id, seq) in last_removed {
            note_feed_start(tx, org_id, seq)?;
        }
        Ok(removed.len())
    })
}

/// Records that organisation `org_id`'s feed now starts after `pruned_through`.
fn note_feed_start(tx: &mut Tx<'_>, org_id: i64, pruned_through: i64) -> Result<(), StoreError> {
    let updated = diesel::update(event_feeds::table.find(org_id))
        .set(event_feeds::pruned_through.eq(pruned_through))
        .execute(&mut **tx)?;
    if updated == 0 {
        diesel::insert_into(event_feeds::table)
            .values((
                event_feeds::org_id.eq(org_id),
                event_feeds::pruned_through.eq(pruned_through),
            ))
            .execute(&mut **tx)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_change_is_an_event_and_other_entities_are_not() {
        assert_eq!(
            of_audited(Action::Update, "member", 3),
            Some(Event::RecordUpdated(RecordChanged {
                kind: RecordKind::Member,
                id: 3
            }))
        );
        assert_eq!(of_audited(Action::Create, "plan", 3), None);
        assert_eq!(of_audited(Action::Create, "import", 3), None);
    }

    #[test]
    fn event_ids_are_distinct_and_prefixed() {
        let (a, b) = (new_id().unwrap(), new_id().unwrap());
        assert_ne!(a, b);
        assert!(a.starts_with("evt_") && a.len() == 36, "{a}");
    }
}
