//! Webhook endpoints: where an organisation wants its events sent, with their delivery
//! state; the messages sent to one endpoint outside the event sequence (a ping, a
//! redelivery); and the delivery log of every attempt.
//!
//! An endpoint is scoped to its organisation like every tenant row: each query names the
//! organisation. Its signing secrets are stored sealed (the API seals and opens them);
//! nothing here sees a secret in the clear.

use chrono::NaiveDateTime;
use diesel::dsl::max;
use diesel::prelude::*;

use crate::audit::{self, Action};
use crate::db::{DbConnection, Tx};
use crate::error::StoreError;
use crate::events::StoredEvent;
use crate::page::{Page, PageRequest};
use crate::schema::{
    events, organisations, webhook_deliveries, webhook_endpoints, webhook_messages,
};
use crate::scope::{Org, in_org};

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

/// One attempt in an endpoint's delivery log: the attempt as it was recorded, and its id.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    pub id: i64,
    #[diesel(embed)]
    pub attempt: crate::webhook_delivery::Attempt,
}

/// What an admin gives a new endpoint; the secret comes sealed.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    pub url: String,
    pub description: String,
    /// The wanted event types as a JSON array of names.
    pub event_types: String,
    pub enabled: bool,
    pub secret_sealed: String,
}

#[derive(Insertable)]
#[diesel(table_name = webhook_endpoints, treat_none_as_default_value = false)]
struct EndpointRow<'a> {
    org_id: i64,
    url: &'a str,
    description: &'a str,
    event_types: &'a str,
    enabled: bool,
    disabled_reason: Option<&'a str>,
    secret_sealed: &'a str,
    created_by: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
    delivered_through: i64,
    attempts: i32,
}

/// Stores a new endpoint and records its creation. It receives the organisation's events
/// from now on: `delivered_through` is the organisation's highest event `seq`, read after
/// the audit entry locked the organisation's row, so no event of the organisation can
/// commit below it later (see [`crate::events`]).
pub fn create(
    tx: &mut Tx<'_>,
    org_id: i64,
    actor: &str,
    new: &NewEndpoint,
) -> Result<Endpoint, StoreError> {
    let now = crate::now();
    let row: Endpoint = diesel::insert_into(webhook_endpoints::table)
        .values(EndpointRow {
            org_id,
            url: &new.url,
            description: &new.description,
            event_types: &new.event_types,
            enabled: new.enabled,
            disabled_reason: None,
            secret_sealed: &new.secret_sealed,
            created_by: actor,
            created_at: now,
            updated_at: now,
            version: 1,
            delivered_through: 0,
            attempts: 0,
        })
        .returning(webhook_endpoints::all_columns)
        .get_result(&mut **tx)?;
    audit::record(tx, org_id, actor, Action::Create, ENTITY, row.id)?;
    let through = latest_seq(tx, org_id)?;
    Ok(diesel::update(webhook_endpoints::table.find(row.id))
        .set(webhook_endpoints::delivered_through.eq(through))
        .returning(webhook_endpoints::all_columns)
        .get_result(&mut **tx)?)
}

/// The organisation's highest event `seq` (0 when it has none).
pub fn latest_seq(conn: &mut DbConnection, org_id: i64) -> Result<i64, StoreError> {
    Ok(events::table
        .filter(events::org_id.eq(org_id))
        .select(max(events::seq))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// One endpoint of the organisation (one statement); `NotFound` for another's or none.
pub fn get(conn: &mut DbConnection, org: Org<'_>, id: i64) -> Result<Endpoint, StoreError> {
    Ok(in_org!(webhook_endpoints, org)
        .filter(webhook_endpoints::id.eq(id))
        .select(Endpoint::as_select())
        .first(conn)?)
}

/// One page of the organisation's endpoints in id order (one statement; an empty page
/// asks once more whether the organisation exists).
pub fn list(
    conn: &mut DbConnection,
    org: Org<'_>,
    page: PageRequest,
) -> Result<Page<Endpoint>, StoreError> {
    let rows = in_org!(webhook_endpoints, org)
        .filter(webhook_endpoints::id.gt(page.after_id()))
        .order(webhook_endpoints::id.asc())
        .limit(page.fetch_limit())
        .select(Endpoint::as_select())
        .load(conn)?;
    if rows.is_empty() {
        org.ensure_exists(conn)?;
    }
    Ok(page.finish(rows, |e| e.id))
}

/// The fields an admin changes; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct EndpointChange {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<String>,
    pub enabled: Option<bool>,
}

#[derive(AsChangeset)]
#[diesel(table_name = webhook_endpoints, treat_none_as_null = true)]
struct Managed {
    url: String,
    description: String,
    event_types: String,
    enabled: bool,
}

/// What re-enabling an endpoint clears: why it was disabled and its failing streak.
#[derive(AsChangeset)]
#[diesel(table_name = webhook_endpoints, treat_none_as_null = true)]
struct FreshStart {
    disabled_reason: Option<String>,
    failing_since: Option<NaiveDateTime>,
    next_attempt_at: Option<NaiveDateTime>,
    attempts: i32,
}

/// Changes an endpoint if it is at one of `expected_versions` (any, when `None`) and
/// records it. Re-enabling a disabled endpoint clears `disabled_reason`, `failing_since`,
/// `next_attempt_at` and `attempts`; the delivery position (`delivered_through`) is kept,
/// so its events resume where they stopped.
pub fn update(
    tx: &mut Tx<'_>,
    org_id: i64,
    id: i64,
    actor: &str,
    expected_versions: Option<&[i32]>,
    change: EndpointChange,
) -> Result<Endpoint, StoreError> {
    let current = get(tx, Org::Id(org_id), id)?;
    check_version(&current, expected_versions)?;
    let enabled = change.enabled.unwrap_or(current.enabled);
    let managed = Managed {
        url: change.url.unwrap_or_else(|| current.url.clone()),
        description: change
            .description
            .unwrap_or_else(|| current.description.clone()),
        event_types: change
            .event_types
            .unwrap_or_else(|| current.event_types.clone()),
        enabled,
    };
    let target = webhook_endpoints::table
        .filter(webhook_endpoints::org_id.eq(org_id))
        .filter(webhook_endpoints::id.eq(id))
        .filter(webhook_endpoints::version.eq(current.version));
    let bump = (
        webhook_endpoints::version.eq(current.version + 1),
        webhook_endpoints::updated_at.eq(crate::now()),
    );
    let updated = if enabled && !current.enabled {
        let fresh = FreshStart {
            disabled_reason: None,
            failing_since: None,
            next_attempt_at: None,
            attempts: 0,
        };
        diesel::update(target)
            .set((managed, fresh, bump))
            .returning(webhook_endpoints::all_columns)
            .get_result::<Endpoint>(&mut **tx)
            .optional()?
    } else {
        diesel::update(target)
            .set((managed, bump))
            .returning(webhook_endpoints::all_columns)
            .get_result::<Endpoint>(&mut **tx)
            .optional()?
    };
    let updated = updated.ok_or(StoreError::VersionMismatch)?;
    audit::record(tx, org_id, actor, Action::Update, ENTITY, id)?;
    Ok(updated)
}

fn check_version(current: &Endpoint, expected: Option<&[i32]>) -> Result<(), StoreError> {
    match expected {
        Some(accepted) if !accepted.contains(&current.version) => Err(StoreError::VersionMismatch),
        _ => Ok(()),
    }
}

/// Replaces an endpoint's secret with `new_sealed`; the current one becomes the previous
/// one, which keeps signing until `previous_until` (a previous one still in its grace
/// period is dropped). Recorded as an update of the endpoint.
pub fn rotate_secret(
    tx: &mut Tx<'_>,
    org_id: i64,
    id: i64,
    actor: &str,
    new_sealed: &str,
    previous_until: NaiveDateTime,
) -> Result<Endpoint, StoreError> {
    let current = get(tx, Org::Id(org_id), id)?;
    let rotated = diesel::update(
        webhook_endpoints::table
            .filter(webhook_endpoints::org_id.eq(org_id))
            .filter(webhook_endpoints::id.eq(id))
            .filter(webhook_endpoints::version.eq(current.version)),
    )
    .set((
        webhook_endpoints::secret_sealed.eq(new_sealed),
        webhook_endpoints::previous_secret_sealed.eq(Some(&current.secret_sealed)),
        webhook_endpoints::previous_secret_until.eq(Some(previous_until)),
        webhook_endpoints::version.eq(current.version + 1),
        webhook_endpoints::updated_at.eq(crate::now()),
    ))
    .returning(webhook_endpoints::all_columns)
    .get_result::<Endpoint>(&mut **tx)
    .optional()?
    .ok_or(StoreError::VersionMismatch)?;
    audit::record(tx, org_id, actor, Action::Update, ENTITY, id)?;
    Ok(rotated)
}

/// Deletes an endpoint (with its messages and delivery log) if it is at one of
/// `expected_versions`, and records it.
pub fn delete(
    tx: &mut Tx<'_>,
    org_id: i64,
    id: i64,
    actor: &str,
    expected_versions: Option<&[i32]>,
) -> Result<Endpoint, StoreError> {
    let current = get(tx, Org::Id(org_id), id)?;
    check_version(&current, expected_versions)?;
    diesel::delete(webhook_messages::table.filter(webhook_messages::endpoint_id.eq(id)))
        .execute(&mut **tx)?;
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::endpoint_id.eq(id)))
        .execute(&mut **tx)?;
    diesel::delete(
        webhook_endpoints::table
            .filter(webhook_endpoints::org_id.eq(org_id))
            .filter(webhook_endpoints::id.eq(id)),
    )
    .execute(&mut **tx)?;
    audit::record(tx, org_id, actor, Action::Delete, ENTITY, id)?;
    Ok(current)
}

/// A message to send to one endpoint before its next event.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_messages)]
pub struct NewMessage {
    pub endpoint_id: i64,
    pub event_id: String,
    pub event_type: String,
    /// The body as it is sent (`{type, timestamp, data}`).
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// Queues a message for its endpoint (the caller found the endpoint in its organisation).
pub fn enqueue(tx: &mut Tx<'_>, message: &NewMessage) -> Result<Message, StoreError> {
    Ok(diesel::insert_into(webhook_messages::table)
        .values(message)
        .returning(webhook_messages::all_columns)
        .get_result(&mut **tx)?)
}

/// The endpoint's delivery log, kept to the organisation inside the statement that reads
/// it (a join to the endpoint, and to the organisation for a slug).
macro_rules! log_of {
    ($org:expr, $endpoint_id:expr) => {{
        let query = webhook_deliveries::table
            .inner_join(webhook_endpoints::table.inner_join(organisations::table))
            .filter(webhook_endpoints::id.eq($endpoint_id))
            .into_boxed::<crate::db::MultiBackend>();
        crate::scope::organisation_is!(query, $org)
    }};
}

/// One page of an endpoint's delivery log, newest first (one statement; an empty page
/// asks once more whether the endpoint is the organisation's: `NotFound` otherwise).
pub fn deliveries(
    conn: &mut DbConnection,
    org: Org<'_>,
    endpoint_id: i64,
    page: PageRequest,
) -> Result<Page<Delivery>, StoreError> {
    let mut query = log_of!(org, endpoint_id);
    if let Some(after) = page.after {
        query = query.filter(webhook_deliveries::id.lt(after));
    }
    let rows = query
        .order(webhook_deliveries::id.desc())
        .limit(page.fetch_limit())
        .select(Delivery::as_select())
        .load(conn)?;
    if rows.is_empty() {
        get(conn, org, endpoint_id)?;
    }
    Ok(page.finish(rows, |d| d.id))
}

/// One attempt of the endpoint's delivery log, kept to the organisation (one statement).
pub fn delivery(
    conn: &mut DbConnection,
    org: Org<'_>,
    endpoint_id: i64,
    delivery_id: i64,
) -> Result<Delivery, StoreError> {
    Ok(log_of!(org, endpoint_id)
        .filter(webhook_deliveries::id.eq(delivery_id))
        .select(Delivery::as_select())
        .first(conn)?)
}

/// The stored event an attempt sent, if it is still kept (`None` once pruned, and for a
/// ping, which is no event): found by its `seq` when the attempt names it, else by its id
/// among the organisation's events.
pub fn event_of(
    conn: &mut DbConnection,
    org_id: i64,
    attempt: &crate::webhook_delivery::Attempt,
) -> Result<Option<StoredEvent>, StoreError> {
    let query = events::table
        .filter(events::org_id.eq(org_id))
        .filter(events::id.eq(&attempt.event_id))
        .select(StoredEvent::as_select());
    Ok(match attempt.event_seq {
        Some(seq) => query.filter(events::seq.eq(seq)).first(conn).optional()?,
        None => query.first(conn).optional()?,
    })
}
