//! The sending side of webhooks, as storage: which endpoints are due, what each is owed
//! (its unsent messages, then its organisation's events after `delivered_through`), and
//! the record of every attempt with the endpoint's new delivery state.
//!
//! **Leases.** An instance sends to an endpoint only while it holds the endpoint's lease
//! (`lease_owner`, `lease_until`). [`claim`] takes the leases of due endpoints in one
//! statement; on PostgreSQL its rows are chosen `FOR UPDATE SKIP LOCKED`, so instances
//! claiming at once take different endpoints without waiting for each other. Every later
//! write is conditioned on still holding the lease ([`LeaseLost`] otherwise, and nothing
//! is written), and every recorded attempt renews it: the lease outlasts an attempt's
//! timeout, so no other instance can claim the endpoint while an attempt is on the wire.
//!
//! **At least once.** `delivered_through` moves past an event only in the transaction
//! that records its acknowledgement (or its skipping, for a type the endpoint does not
//! want): an instance killed before that leaves the event owed, and it is sent again.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use crate::db::{DbConnection, Tx};
use crate::error::StoreError;
use crate::events::StoredEvent;
use crate::schema::{events, webhook_deliveries, webhook_endpoints, webhook_messages};
use crate::webhooks::{Endpoint, Message};

/// The endpoint's lease was taken by another instance, or the endpoint was disabled or
/// deleted meanwhile: this instance must stop sending to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseLost;

/// Who holds a lease, until when, and at what time the question is asked.
#[derive(Debug, Clone, Copy)]
pub struct Lease<'a> {
    pub owner: &'a str,
    pub until: NaiveDateTime,
    pub now: NaiveDateTime,
}

#[derive(QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Takes the leases of at most `limit` enabled endpoints that are due (no retry waiting
/// for a later time), not leased by anyone (or whose lease ran out), and owed something:
/// an unsent message or an event after their cursor. Returns them, oldest id first.
pub fn claim(
    conn: &mut DbConnection,
    lease: Lease<'_>,
    limit: i64,
) -> Result<Vec<Endpoint>, StoreError> {
    let sql = format!(
        "UPDATE webhook_endpoints SET lease_owner = $1, lease_until = $2 \
         WHERE id IN (SELECT e.id FROM webhook_endpoints e \
           WHERE e.enabled \
             AND (e.next_attempt_at IS NULL OR e.next_attempt_at <= $3) \
             AND (e.lease_until IS NULL OR e.lease_until < $3) \
             AND (EXISTS (SELECT 1 FROM webhook_messages m \
                          WHERE m.endpoint_id = e.id AND m.sent_at IS NULL) \
                  OR EXISTS (SELECT 1 FROM events v \
                             WHERE v.org_id = e.org_id AND v.seq > e.delivered_through)) \
           ORDER BY e.id LIMIT $4{}) \
         RETURNING id",
        crate::db::skip_locked(conn)
    );
    let claimed: Vec<ClaimedId> = diesel::sql_query(sql)
        .bind::<Text, _>(lease.owner)
        .bind::<Timestamp, _>(lease.until)
        .bind::<Timestamp, _>(lease.now)
        .bind::<BigInt, _>(limit)
        .load(conn)?;
    if claimed.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = claimed.into_iter().map(|c| c.id).collect();
    Ok(webhook_endpoints::table
        .filter(webhook_endpoints::id.eq_any(ids))
        .filter(webhook_endpoints::lease_owner.eq(lease.owner))
        .order(webhook_endpoints::id.asc())
        .select(Endpoint::as_select())
        .load(conn)?)
}

/// The endpoint's unsent messages, oldest first.
pub fn unsent_messages(
    conn: &mut DbConnection,
    endpoint_id: i64,
    limit: i64,
) -> Result<Vec<Message>, StoreError> {
    Ok(webhook_messages::table
        .filter(webhook_messages::endpoint_id.eq(endpoint_id))
        .filter(webhook_messages::sent_at.is_null())
        .order(webhook_messages::id.asc())
        .limit(limit)
        .select(Message::as_select())
        .load(conn)?)
}

/// The organisation's events after `after`, in sequence order.
pub fn events_after(
    conn: &mut DbConnection,
    org_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    Ok(events::table
        .filter(events::org_id.eq(org_id))
        .filter(events::seq.gt(after))
        .order(events::seq.asc())
        .limit(limit)
        .select(StoredEvent::as_select())
        .load(conn)?)
}

/// One attempt to send something to an endpoint, as the delivery log keeps it (written
/// as it is, read back inside a [`crate::webhooks::Delivery`]).
#[derive(Debug, Clone, PartialEq, Insertable, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct Attempt {
    pub endpoint_id: i64,
    pub event_id: String,
    /// The event's `seq`; none for a message (a ping or a redelivery).
    pub event_seq: Option<i64>,
    pub event_type: String,
    pub attempted_at: NaiveDateTime,
    pub succeeded: bool,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub latency_ms: i32,
    pub response_excerpt: String,
}

/// What an attempt does to the endpoint's delivery state.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The head is done: the cursor moves to `through` and the failure streak ends.
    Advanced { through: i64 },
    /// The head failed: it is tried again at `next_attempt_at`.
    Failed {
        attempts: i32,
        failing_since: NaiveDateTime,
        next_attempt_at: NaiveDateTime,
    },
    /// The endpoint is given up on (`410 Gone`, or failing past the schedule): disabled
    /// with `reason`, and a `webhook.disabled` event is written.
    Disabled { reason: String, url: String },
    /// A message was sent (acknowledged or given up): the endpoint's state is unchanged.
    MessageSent { message_id: i64 },
}

/// Records `attempts` (none when the outcome only passes events the endpoint does not
/// want; several when a group of acknowledged events is recorded together) and their
/// `outcome` in one transaction, renewing the lease to
/// `lease.until` — or writes nothing and answers [`LeaseLost`] when this instance no
/// longer holds the lease of an enabled endpoint.
pub fn record(
    conn: &mut DbConnection,
    lease: Lease<'_>,
    endpoint_id: i64,
    attempts: &[Attempt],
    outcome: &Outcome,
) -> Result<Result<(), LeaseLost>, StoreError> {
    crate::write_transaction(conn, |tx| {
        if !renew(tx, lease, endpoint_id)? {
            return Ok(Err(LeaseLost));
        }
        apply(tx, lease.now, endpoint_id, outcome)?;
        for attempt in attempts {
            diesel::insert_into(webhook_deliveries::table)
                .values(attempt)
                .execute(&mut **tx)?;
        }
        Ok(Ok(()))
    })
}

/// The endpoint, when this instance holds its lease and it is enabled.
macro_rules! held {
    ($lease:expr, $endpoint_id:expr) => {
        webhook_endpoints::table.find($endpoint_id).filter(
            webhook_endpoints::lease_owner
                .eq($lease.owner)
                .and(webhook_endpoints::enabled.eq(true)),
        )
    };
}

/// Gives the endpoint's lease back (after its work is done, or at a failure), so that it
/// is claimed again as soon as it is due.
pub fn release(
    conn: &mut DbConnection,
    lease: Lease<'_>,
    endpoint_id: i64,
) -> Result<(), StoreError> {
    diesel::update(held!(lease, endpoint_id))
        .set((
            webhook_endpoints::lease_owner.eq(None::<String>),
            webhook_endpoints::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Extends the lease, if this instance still holds it; whether it did.
fn renew(tx: &mut Tx<'_>, lease: Lease<'_>, endpoint_id: i64) -> Result<bool, StoreError> {
    let renewed = diesel::update(held!(lease, endpoint_id))
        .set(webhook_endpoints::lease_until.eq(lease.until))
        .execute(&mut **tx)?;
    Ok(renewed == 1)
}

/// Writes the outcome's change of the endpoint's delivery state.
fn apply(
    tx: &mut Tx<'_>,
    now: NaiveDateTime,
    endpoint_id: i64,
    outcome: &Outcome,
) -> Result<(), StoreError> {
    let endpoint = webhook_endpoints::table.find(endpoint_id);
    match outcome {
        Outcome::Advanced { through } => {
            diesel::update(endpoint)
                .set((
                    webhook_endpoints::delivered_through.eq(through),
                    webhook_endpoints::attempts.eq(0),
                    webhook_endpoints::failing_since.eq(None::<NaiveDateTime>),
                    webhook_endpoints::next_attempt_at.eq(None::<NaiveDateTime>),
                ))
                .execute(&mut **tx)?;
        }
        Outcome::Failed {
            attempts,
            failing_since,
            next_attempt_at,
        } => {
            diesel::update(endpoint)
                .set((
                    webhook_endpoints::attempts.eq(attempts),
                    webhook_endpoints::failing_since.eq(failing_since),
                    webhook_endpoints::next_attempt_at.eq(next_attempt_at),
                ))
                .execute(&mut **tx)?;
        }
        Outcome::Disabled { reason, url } => disable(tx, now, endpoint_id, reason, url)?,
        Outcome::MessageSent { message_id } => {
            diesel::update(webhook_messages::table.find(message_id))
                .set(webhook_messages::sent_at.eq(now))
                .execute(&mut **tx)?;
        }
    }
    Ok(())
}

/// Disables the endpoint with `reason`, audited as a change by the delivery worker, and
/// writes the `webhook.disabled` event (after the audit entry, which orders events).
fn disable(
    tx: &mut Tx<'_>,
    now: NaiveDateTime,
    endpoint_id: i64,
    reason: &str,
    url: &str,
) -> Result<(), StoreError> {
    let org_id: i64 = diesel::update(webhook_endpoints::table.find(endpoint_id))
        .set((
            webhook_endpoints::enabled.eq(false),
            webhook_endpoints::disabled_reason.eq(reason),
            webhook_endpoints::next_attempt_at.eq(None::<NaiveDateTime>),
            webhook_endpoints::updated_at.eq(now),
            webhook_endpoints::version.eq(webhook_endpoints::version + 1),
        ))
        .returning(webhook_endpoints::org_id)
        .get_result(&mut **tx)?;
    crate::audit::record(
        tx,
        org_id,
        DELIVERY_ACTOR,
        crate::audit::Action::Update,
        crate::webhooks::ENTITY,
        endpoint_id,
    )?;
    let event =
        veikart_domain::events::Event::WebhookDisabled(veikart_domain::events::WebhookDisabled {
            endpoint_id,
            url: url.to_owned(),
            reason: reason.to_owned(),
        });
    crate::events::emit(tx, org_id, &event)
}

/// Who the audit trail names for a change made by the deliveries themselves.
pub const DELIVERY_ACTOR: &str = "webhook-delivery";
