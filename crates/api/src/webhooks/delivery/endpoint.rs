//! Delivering to one claimed endpoint: its unsent messages first (one attempt each), then
//! its organisation's events after its cursor in sequence order — skipping the types it
//! does not want — until nothing is owed, an attempt fails, or the lease is lost.

use std::sync::Arc;

use veikart_domain::webhooks::EventSelection;
use veikart_store::StoreError;
use veikart_store::events::StoredEvent;
use veikart_store::webhook_delivery::{self as store, Attempt, LeaseLost, Outcome};
use veikart_store::webhooks::Endpoint;

use super::attempt::{Answer, Message, send};
use super::schedule::jitter;
use super::signature::SigningSecret;
use super::{ACK_GROUP, Context};
use crate::webhooks::payload;
use crate::webhooks::secrets::signing_secrets;

/// How many messages or events are read at once.
const BATCH: i64 = 100;

/// Acknowledged events are recorded together once [`ACK_GROUP`] wait or this long has
/// passed since the last record: the interval keeps the lease (renewed by each record) far
/// from running out while a slow receiver answers.
const ACK_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// Why delivering to an endpoint stopped before nothing was owed.
enum Stop {
    /// An attempt failed: the endpoint waits for its retry (or was disabled).
    Failed,
    /// Another instance holds the endpoint now, or it was disabled or deleted.
    LeaseLost,
    Store(StoreError),
    /// The endpoint's secrets cannot be opened.
    Secrets(String),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Store(e)
    }
}

/// Delivers what `endpoint` is owed, then gives its lease back (unless it was lost).
pub(super) async fn deliver(ctx: Arc<Context>, endpoint: Endpoint) {
    let id = endpoint.id;
    match deliver_owed(&ctx, endpoint).await {
        Ok(()) | Err(Stop::Failed) => {}
        Err(Stop::LeaseLost) => return,
        Err(Stop::Store(e)) => log::warn!("webhooks: endpoint {id}: delivery stopped: {e}"),
        Err(Stop::Secrets(e)) => log::error!("webhooks: endpoint {id}: cannot sign: {e}"),
    }
    let released = ctx
        .db(move |conn, lease| store::release(conn, lease, id))
        .await;
    if let Err(e) = released {
        log::warn!("webhooks: endpoint {id}: lease not given back (it runs out): {e}");
    }
}

async fn deliver_owed(ctx: &Context, mut endpoint: Endpoint) -> Result<(), Stop> {
    let secrets = ctx.signing_secrets(&endpoint)?;
    send_messages(ctx, &endpoint, &secrets).await?;
    let wanted = wanted(&endpoint)?;
    loop {
        let (org_id, after) = (endpoint.org_id, endpoint.delivered_through);
        let events = ctx
            .db(move |conn, _| store::events_after(conn, org_id, after, BATCH))
            .await?;
        if events.is_empty() {
            return Ok(());
        }
        send_events(ctx, &mut endpoint, &secrets, &wanted, events).await?;
    }
}

/// Sends the endpoint's unsent messages, one attempt each (a ping or a redelivery asked
/// for by hand is not retried; its attempt is in the log either way).
async fn send_messages(
    ctx: &Context,
    endpoint: &Endpoint,
    secrets: &[SigningSecret],
) -> Result<(), Stop> {
    let id = endpoint.id;
    loop {
        let messages = ctx
            .db(move |conn, _| store::unsent_messages(conn, id, BATCH))
            .await?;
        if messages.is_empty() {
            return Ok(());
        }
        for message in messages {
            let answer = ctx
                .send(endpoint, secrets, &message.event_id, &message.body)
                .await;
            let outcome = if answer.status == Some(410) {
                gone(endpoint)
            } else {
                Outcome::MessageSent {
                    message_id: message.id,
                }
            };
            let attempt = attempt_of(
                endpoint,
                &message.event_id,
                None,
                &message.event_type,
                &answer,
            );
            let disabled = matches!(outcome, Outcome::Disabled { .. });
            ctx.record(endpoint.id, vec![attempt], outcome).await?;
            if disabled {
                return Err(Stop::Failed);
            }
        }
    }
}

/// Sends a batch of events in order, advancing the endpoint's cursor past each one
/// acknowledged or not wanted (recorded in groups, [`Acknowledged`]); stops at the first
/// failure.
async fn send_events(
    ctx: &Context,
    endpoint: &mut Endpoint,
    secrets: &[SigningSecret],
    wanted: &EventSelection,
    events: Vec<StoredEvent>,
) -> Result<(), Stop> {
    let mut done = Acknowledged::new();
    for event in events {
        if !wanted.wants_name(&event.event_type) {
            done.passed(event.seq);
            continue;
        }
        let body = payload::of_event(&event)?;
        let answer = ctx.send(endpoint, secrets, &event.id, &body).await;
        let attempt = attempt_of(
            endpoint,
            &event.id,
            Some(event.seq),
            &event.event_type,
            &answer,
        );
        if !answer.acknowledged() {
            done.record(ctx, endpoint).await?;
            let outcome = failure(ctx, endpoint, &answer);
            ctx.record(endpoint.id, vec![attempt], outcome).await?;
            return Err(Stop::Failed);
        }
        done.acknowledged(event.seq, attempt);
        if done.due() {
            done.record(ctx, endpoint).await?;
        }
    }
    done.record(ctx, endpoint).await
}

/// Events acknowledged (or passed over) and not yet recorded: their attempts, and how far
/// the cursor may move.
struct Acknowledged {
    attempts: Vec<Attempt>,
    through: Option<i64>,
    since: std::time::Instant,
}

impl Acknowledged {
    fn new() -> Self {
        Self {
            attempts: Vec::new(),
            through: None,
            since: std::time::Instant::now(),
        }
    }

    /// An event the endpoint does not want: the cursor passes it, with no attempt.
    fn passed(&mut self, seq: i64) {
        self.through = Some(seq);
    }

    fn acknowledged(&mut self, seq: i64, attempt: Attempt) {
        self.attempts.push(attempt);
        self.through = Some(seq);
    }

    /// Whether the group is to be recorded now.
    fn due(&self) -> bool {
        self.attempts.len() >= ACK_GROUP || self.since.elapsed() >= ACK_INTERVAL
    }

    /// Records the group's attempts and moves the cursor, in one transaction (nothing when
    /// nothing waits).
    async fn record(&mut self, ctx: &Context, endpoint: &mut Endpoint) -> Result<(), Stop> {
        self.since = std::time::Instant::now();
        let Some(through) = self.through.take() else {
            return Ok(());
        };
        let attempts = std::mem::take(&mut self.attempts);
        ctx.record(endpoint.id, attempts, Outcome::Advanced { through })
            .await?;
        endpoint.delivered_through = through;
        endpoint.attempts = 0;
        endpoint.failing_since = None;
        Ok(())
    }
}

/// What a failed attempt at the head does: `410 Gone` disables the endpoint; otherwise
/// it is tried again by the schedule (or after the `Retry-After` of a 429 or 503), unless
/// it has failed past the schedule or for too long, which disables it.
fn failure(ctx: &Context, endpoint: &Endpoint, answer: &Answer) -> Outcome {
    if answer.status == Some(410) {
        return gone(endpoint);
    }
    let attempts = endpoint.attempts.saturating_add(1);
    let now = answer.attempted_at;
    let failing_since = endpoint.failing_since.unwrap_or(now);
    let schedule = ctx.settings.schedule;
    let wait = schedule
        .wait_after(attempts, jitter())
        .filter(|_| !schedule.given_up(failing_since, now));
    let Some(wait) = wait else {
        return Outcome::Disabled {
            reason: format!(
                "failing since {} UTC: {attempts} attempts in a row failed",
                failing_since.format("%Y-%m-%d %H:%M:%S")
            ),
            url: endpoint.url.clone(),
        };
    };
    let wait = answer.retry_after.unwrap_or(wait);
    let wait = chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::days(1));
    Outcome::Failed {
        attempts,
        failing_since,
        next_attempt_at: now + wait,
    }
}

/// The receiver said the endpoint is gone for good.
fn gone(endpoint: &Endpoint) -> Outcome {
    Outcome::Disabled {
        reason: "the receiver answered 410 Gone".into(),
        url: endpoint.url.clone(),
    }
}

/// The delivery log's row of an attempt.
fn attempt_of(
    endpoint: &Endpoint,
    event_id: &str,
    event_seq: Option<i64>,
    event_type: &str,
    answer: &Answer,
) -> Attempt {
    Attempt {
        endpoint_id: endpoint.id,
        event_id: event_id.to_owned(),
        event_seq,
        event_type: event_type.to_owned(),
        attempted_at: answer.attempted_at,
        succeeded: answer.acknowledged(),
        status_code: answer.status.map(i32::from),
        error: answer.error.clone(),
        latency_ms: i32::try_from(answer.latency.as_millis()).unwrap_or(i32::MAX),
        response_excerpt: answer.excerpt.clone(),
    }
}

/// The event types an endpoint wants (its `event_types`, a JSON list of names).
fn wanted(endpoint: &Endpoint) -> Result<EventSelection, Stop> {
    serde_json::from_str(&endpoint.event_types).map_err(|e| {
        Stop::Store(StoreError::Corrupt(format!(
            "webhook endpoint {}: event_types: {e}",
            endpoint.id
        )))
    })
}

impl Context {
    /// The secrets a message to `endpoint` is signed with now (two during a rotation).
    fn signing_secrets(&self, endpoint: &Endpoint) -> Result<Vec<SigningSecret>, Stop> {
        let key = self
            .key
            .as_ref()
            .ok_or_else(|| Stop::Secrets("no webhook key is configured".into()))?;
        let secrets = signing_secrets(key, endpoint, veikart_store::now())
            .map_err(|e| Stop::Secrets(e.to_string()))?;
        Ok(secrets
            .iter()
            .map(|secret| SigningSecret::from_bytes(secret.as_bytes()))
            .collect())
    }

    /// One attempt at `endpoint`.
    async fn send(
        &self,
        endpoint: &Endpoint,
        secrets: &[SigningSecret],
        id: &str,
        body: &str,
    ) -> Answer {
        let message = Message { id, body };
        send(
            &self.client,
            &endpoint.url,
            self.allow_loopback,
            secrets,
            message,
        )
        .await
    }

    /// Records attempts and their outcome, renewing the lease; [`Stop::LeaseLost`] when
    /// this instance no longer holds it.
    async fn record(
        &self,
        endpoint_id: i64,
        attempts: Vec<Attempt>,
        outcome: Outcome,
    ) -> Result<(), Stop> {
        let recorded = self
            .db(move |conn, lease| store::record(conn, lease, endpoint_id, &attempts, &outcome))
            .await?;
        recorded.map_err(|LeaseLost| Stop::LeaseLost)
    }
}
