//! The delivery worker: every instance runs one while it serves. It is woken right after
//! each write (in-process, [`Wake`]) and polls every second for endpoints that became due
//! (a retry's time came, or another instance wrote). It claims due endpoints with a lease
//! (`veikart_store::webhook_delivery::claim`: `FOR UPDATE SKIP LOCKED` on PostgreSQL, so
//! instances sharing a database take different endpoints), and delivers to each claimed
//! endpoint on a task of its own — in sequence order within an endpoint, endpoints side
//! by side.
//!
//! **At least once, never twice at once.** An endpoint's cursor moves past an event only
//! when the attempt's acknowledgement is recorded, so a killed instance leaves the event
//! owed and it is sent again (a receiver may see an event twice, never miss one: it
//! deduplicates by `webhook-id`). The lease ([`DeliverySettings::lease`], 30 s) outlasts
//! an attempt's 10 s timeout and is renewed by every recorded attempt, and every write is
//! conditioned on holding it, so no other instance sends to the endpoint while an attempt
//! is on the wire; a killed instance's leases run out and are claimed again.

pub mod attempt;
pub mod client;
mod endpoint;
pub mod schedule;
pub mod signature;

use std::sync::Arc;
use std::time::Duration;

/// Acknowledged events are recorded together, in one transaction, once this many wait
/// (or a few seconds have passed, at the end of each batch, and before a failure is
/// recorded): one write per group instead of one per event — what keeps a busy endpoint
/// from queueing its bookkeeping with the requests' writes on SQLite's one lock. At least
/// once still holds: a killed instance sends again at most this many acknowledged events
/// not yet recorded, and the attempt in flight.
pub const ACK_GROUP: usize = 32;

/// How long the worker waits after a wake before it claims: the events of a stream of
/// writes are then sent in one round of claim, send and acknowledgement rather than one
/// round each — on PostgreSQL every round is two or three commits of its own.
const GATHER: Duration = Duration::from_millis(50);

use tokio::sync::Notify;
use tokio::task::JoinSet;
use veikart_store::webhook_delivery::{self as store, Lease};
use veikart_store::webhooks::Endpoint;
use veikart_store::{Database, DbConnection, StoreError};

use schedule::Schedule;

use super::{SealingKey, WebhookSettings};

/// The environment variable that scales the retry schedule (tests).
pub const RETRY_SCALE_ENV: &str = "VEIKART_WEBHOOK_RETRY_SCALE";

/// `false` turns this instance's delivery worker off (another instance delivers, or a
/// contract run whose generated endpoints must never be called).
pub const DELIVERIES_ENV: &str = "VEIKART_WEBHOOK_DELIVERIES";

/// How deliveries are made (which addresses they may reach, and the key that opens the
/// secrets, are the [`WebhookSettings`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DeliverySettings {
    /// Whether this instance runs the worker at all (the black-box tests turn it off
    /// unless they test deliveries, so that no attempt races their assertions).
    pub enabled: bool,
    /// The retry schedule (`VEIKART_WEBHOOK_RETRY_SCALE` scales it).
    pub schedule: Schedule,
    /// How often due endpoints are looked for when no write wakes the worker.
    pub poll: Duration,
    /// How long a claim holds an endpoint without an attempt recorded.
    pub lease: Duration,
    /// How many endpoints an instance delivers to at once.
    pub concurrency: usize,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            enabled: true,
            schedule: Schedule::default(),
            poll: Duration::from_secs(1),
            lease: Duration::from_secs(30),
            concurrency: 8,
        }
    }
}

impl DeliverySettings {
    /// The defaults, with the schedule's scale from `VEIKART_WEBHOOK_RETRY_SCALE` and the
    /// worker turned off by `VEIKART_WEBHOOK_DELIVERIES=false`.
    pub fn from_env() -> Result<Self, String> {
        let mut settings = Self::default();
        if let Ok(value) = std::env::var(DELIVERIES_ENV) {
            settings.enabled = match value.trim() {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(format!(
                        "{DELIVERIES_ENV} must be true or false, not `{value}`"
                    ));
                }
            };
        }
        if let Ok(value) = std::env::var(RETRY_SCALE_ENV) {
            let scale: f64 = value
                .trim()
                .parse()
                .ok()
                .filter(|s: &f64| s.is_finite() && *s > 0.0)
                .ok_or_else(|| {
                    format!("{RETRY_SCALE_ENV} must be a positive number, not `{value}`")
                })?;
            settings.schedule = Schedule { scale };
        }
        Ok(settings)
    }
}

/// Wakes the worker: called after every committed write, so that an event is sent without
/// waiting for the next poll. Wakes coalesce (one pending at most).
#[derive(Debug, Clone, Default)]
pub struct Wake(Arc<Notify>);

impl Wake {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// What the delivery tasks share.
struct Context {
    database: Database,
    client: reqwest::Client,
    settings: DeliverySettings,
    /// Whether receivers on 127.0.0.0/8 and ::1 may be sent to.
    allow_loopback: bool,
    /// Opens the endpoints' sealed secrets (`None`: nothing can be signed, nothing sent).
    key: Option<SealingKey>,
    /// This instance's name in leases.
    owner: String,
    wake: Wake,
}

impl Context {
    /// Runs storage code on a blocking thread, with the lease this instance would hold
    /// from now.
    async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut DbConnection, Lease<'_>) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let database = self.database.clone();
        let owner = self.owner.clone();
        let lease = chrono::Duration::from_std(self.settings.lease)
            .unwrap_or(chrono::Duration::seconds(30));
        actix_web::web::block(move || {
            let now = veikart_store::now();
            let lease = Lease {
                owner: &owner,
                until: now + lease,
                now,
            };
            database.run(|conn| f(conn, lease))
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("the delivery's thread failed: {e}")))?
    }
}

/// The delivery worker of one instance.
pub struct Worker {
    context: Arc<Context>,
}

impl Worker {
    /// A worker delivering from `database` (a pool of its own, so deliveries never wait
    /// for a request's connection nor a request for theirs), resolving names with the
    /// system's resolver.
    pub fn new(
        database: Database,
        settings: DeliverySettings,
        webhooks: &WebhookSettings,
        wake: Wake,
    ) -> Result<Self, reqwest::Error> {
        let lookup = Arc::new(client::SystemLookup);
        Self::with_lookup(database, settings, webhooks, wake, lookup)
    }

    /// A worker resolving names with `lookup`.
    pub fn with_lookup(
        database: Database,
        settings: DeliverySettings,
        webhooks: &WebhookSettings,
        wake: Wake,
        lookup: Arc<dyn client::Lookup>,
    ) -> Result<Self, reqwest::Error> {
        let client = client::client(lookup, webhooks.allow_loopback)?;
        Ok(Self {
            context: Arc::new(Context {
                database,
                client,
                settings,
                allow_loopback: webhooks.allow_loopback,
                key: webhooks.key.clone(),
                owner: format!("instance-{}", random_hex()),
                wake,
            }),
        })
    }

    /// Claims and delivers for as long as the server runs (dropping the future ends every
    /// delivery in flight; their leases run out).
    pub async fn run(self) {
        let ctx = self.context;
        let mut tasks = JoinSet::new();
        loop {
            while tasks.try_join_next().is_some() {}
            let free = ctx.settings.concurrency.saturating_sub(tasks.len());
            if free > 0 {
                for endpoint in claim(&ctx, free).await {
                    let ctx = ctx.clone();
                    tasks.spawn(async move {
                        endpoint::deliver(ctx.clone(), endpoint).await;
                        // Its endpoint may be owed more already: look again now.
                        ctx.wake.wake();
                    });
                }
            }
            let woken = tokio::time::timeout(ctx.settings.poll, ctx.wake.0.notified()).await;
            if woken.is_ok() {
                tokio::time::sleep(GATHER).await;
            }
        }
    }
}

/// Claims up to `limit` due endpoints (none when the database fails; logged).
async fn claim(ctx: &Context, limit: usize) -> Vec<Endpoint> {
    let limit = i64::try_from(limit).unwrap_or(1);
    match ctx
        .db(move |conn, lease| store::claim(conn, lease, limit))
        .await
    {
        Ok(endpoints) => endpoints,
        Err(e) => {
            log::warn!("webhooks: claiming due endpoints failed, tried again later: {e}");
            Vec::new()
        }
    }
}

fn random_hex() -> String {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
