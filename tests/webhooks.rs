//! Webhook endpoints and events for the delivery tests, written straight into a test's
//! database: an endpoint with a sealed secret (sealed as the server seals it, with the key
//! derived from the test JWT secret), many events at once, and reads of an endpoint's
//! delivery state and log.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test harness: a failed set-up must fail the test loudly"
)]

use chrono::Duration;
use diesel::prelude::*;
use veikart_api::webhooks::secrets::{SealingKey, WebhookSecret, seal};
use veikart_store::DbConnection;
use veikart_store::schema::{events, organisations, webhook_deliveries, webhook_endpoints};
use veikart_store::webhooks::{Delivery, Endpoint};

use crate::{SECRET, TestDb, random_hex};

/// An endpoint as the test made it, with its secrets in the clear.
pub struct TestEndpoint {
    pub id: i64,
    /// The current secret (`whsec_…`).
    pub secret: String,
}

fn key() -> SealingKey {
    SealingKey::derive_from_jwt_secret(SECRET).unwrap()
}

pub fn connect(db: &TestDb) -> DbConnection {
    veikart_store::db::connect(db.url()).unwrap()
}

fn org_id(conn: &mut DbConnection, org: &str) -> i64 {
    organisations::table
        .filter(organisations::slug.eq(org))
        .select(organisations::id)
        .first(conn)
        .unwrap()
}

/// An enabled endpoint of `org` sending to `url` the events of `types` (`["*"]`: all)
/// written from now on.
pub fn insert_endpoint(db: &TestDb, org: &str, url: &str, types: &[&str]) -> TestEndpoint {
    let mut conn = connect(db);
    let org_id = org_id(&mut conn, org);
    let secret = WebhookSecret::generate().unwrap();
    let delivered_through: Option<i64> = events::table
        .select(diesel::dsl::max(events::seq))
        .first(&mut conn)
        .unwrap();
    let now = veikart_store::now();
    let id = diesel::insert_into(webhook_endpoints::table)
        .values((
            webhook_endpoints::org_id.eq(org_id),
            webhook_endpoints::url.eq(url),
            webhook_endpoints::description.eq("test receiver"),
            webhook_endpoints::event_types.eq(serde_json::to_string(types).unwrap()),
            webhook_endpoints::enabled.eq(true),
            webhook_endpoints::secret_sealed.eq(seal(&key(), &secret).unwrap()),
            webhook_endpoints::created_by.eq("test"),
            webhook_endpoints::created_at.eq(now),
            webhook_endpoints::updated_at.eq(now),
            webhook_endpoints::version.eq(1),
            webhook_endpoints::delivered_through.eq(delivered_through.unwrap_or(0)),
            webhook_endpoints::attempts.eq(0),
        ))
        .returning(webhook_endpoints::id)
        .get_result(&mut conn)
        .unwrap();
    TestEndpoint {
        id,
        secret: secret.to_whsec(),
    }
}

/// Rotates the endpoint's secret: the old one keeps signing for an hour. Returns the new.
pub fn rotate(db: &TestDb, endpoint: &TestEndpoint) -> String {
    let mut conn = connect(db);
    let old: String = webhook_endpoints::table
        .find(endpoint.id)
        .select(webhook_endpoints::secret_sealed)
        .first(&mut conn)
        .unwrap();
    let secret = WebhookSecret::generate().unwrap();
    diesel::update(webhook_endpoints::table.find(endpoint.id))
        .set((
            webhook_endpoints::secret_sealed.eq(seal(&key(), &secret).unwrap()),
            webhook_endpoints::previous_secret_sealed.eq(Some(old)),
            webhook_endpoints::previous_secret_until
                .eq(Some(veikart_store::now() + Duration::hours(1))),
        ))
        .execute(&mut conn)
        .unwrap();
    secret.to_whsec()
}

/// Writes `n` `record.created` events of `org` at once; returns their ids in order.
pub fn insert_events(db: &TestDb, org: &str, n: usize) -> Vec<String> {
    let mut conn = connect(db);
    let org_id = org_id(&mut conn, org);
    let now = veikart_store::now();
    let ids: Vec<String> = (0..n).map(|_| format!("evt_{}", random_hex(16))).collect();
    veikart_store::write_transaction(&mut conn, |tx| {
        for (n, id) in ids.iter().enumerate() {
            diesel::insert_into(events::table)
                .values((
                    events::id.eq(id),
                    events::org_id.eq(org_id),
                    events::event_type.eq("record.created"),
                    events::occurred_at.eq(now),
                    events::data.eq(format!(r#"{{"kind":"member","id":{}}}"#, n + 1)),
                ))
                .execute(&mut **tx)?;
        }
        Ok::<_, veikart_store::StoreError>(())
    })
    .unwrap();
    ids
}

/// The endpoint as stored now.
pub fn endpoint(db: &TestDb, id: i64) -> Endpoint {
    webhook_endpoints::table
        .find(id)
        .select(Endpoint::as_select())
        .first(&mut connect(db))
        .unwrap()
}

/// The endpoint's delivery log, oldest first.
pub fn deliveries(db: &TestDb, id: i64) -> Vec<Delivery> {
    webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(id))
        .order(webhook_deliveries::id.asc())
        .select(Delivery::as_select())
        .load(&mut connect(db))
        .unwrap()
}
