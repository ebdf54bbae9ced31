//! `Idempotency-Key` for imports, as payment APIs use it: a client that is not sure its
//! import arrived sends it again with the same key, and gets the first answer instead of
//! a second import.
//!
//! The key is taken (stored without an answer) in its own short transaction before the
//! import starts, so a concurrent request with the same key sees it and gets 409; the
//! import's own transaction stores the answer with the records, so an answer is kept
//! exactly when the import committed. A request that fails gives its key back. A key
//! whose first request never answered (its server stopped) is free again after
//! [`ABANDONED_AFTER`]; answered keys are kept [`KEPT_FOR`].

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use chrono::TimeDelta;
use veikart_store::imports::{self as store, IdempotencyKey};
use veikart_store::{Org, StoreError};

use super::spool::sha256_of;
use crate::error::ApiError;
use crate::routes::resource::Write;
use crate::state::AppState;

/// How long an answered key is kept.
pub const KEPT_FOR: TimeDelta = TimeDelta::hours(24);
/// How long a key may wait for its first request's answer before it counts as abandoned.
pub const ABANDONED_AFTER: TimeDelta = TimeDelta::minutes(15);
/// The header that marks a replayed answer.
pub const REPLAYED: &str = "Idempotent-Replayed";

/// A key this request holds: it stores the answer, or gives the key back.
#[derive(Debug, Clone)]
pub struct Key {
    pub org_id: i64,
    pub key: String,
}

pub enum Taken {
    /// The key is this request's to answer.
    New(Key),
    /// The first answer to the same request, to send again.
    Replay(HttpResponse),
}

/// The request's `Idempotency-Key`, if it has one (400 unless 1-255 visible ASCII
/// characters).
pub fn key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > 255 || !bytes.iter().all(|b| (0x21..=0x7e).contains(b)) {
        return Err(ApiError::BadRequest(
            "Idempotency-Key must be 1-255 visible ASCII characters".into(),
        ));
    }
    Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
}

/// What makes two requests with one key the same: the path, the query, the media type
/// and the body (by its SHA-256).
pub fn fingerprint(req: &HttpRequest, body_sha256: &str) -> String {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .map_or(&[][..], |v| v.as_bytes());
    sha256_of(&[
        req.path().as_bytes(),
        req.query_string().as_bytes(),
        content_type,
        body_sha256.as_bytes(),
    ])
}

/// Takes `key` for this request, or answers from the request that took it first.
pub async fn take(
    state: &AppState,
    write: &Write,
    key: String,
    request_sha256: String,
) -> Result<Taken, ApiError> {
    let slug = write.access.slug().to_owned();
    let taken = state
        .write(move |tx| {
            let org_id = Org::Slug(&slug).id(tx)?;
            let now = veikart_store::now();
            let stored = IdempotencyKey {
                org_id,
                key: key.clone(),
                request_sha256: request_sha256.clone(),
                status: None,
                location: None,
                answer: None,
                created_at: now,
            };
            let taken = store::take_key(tx, stored, now - KEPT_FOR, now - ABANDONED_AFTER)?;
            Ok((org_id, key, request_sha256, taken))
        })
        .await?;
    let (org_id, key, request_sha256, taken) = taken;
    let first = match taken {
        store::Taken::New => return Ok(Taken::New(Key { org_id, key })),
        store::Taken::Before(first) => first,
    };
    let (Some(status), Some(answer)) = (first.status, first.answer) else {
        return Err(ApiError::Conflict {
            field: Some("Idempotency-Key".into()),
            message: "the first request with this key is still running; send it again \
                      once that one has answered"
                .into(),
        });
    };
    if first.request_sha256 != request_sha256 {
        return Err(ApiError::validation(
            "Idempotency-Key",
            "was used with another request (path, query, media type or body); a key \
             belongs to one request",
        ));
    }
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or_else(|| ApiError::Internal(format!("stored status {status}")))?;
    let mut replay = HttpResponse::build(status);
    replay
        .insert_header((REPLAYED, "true"))
        .content_type("application/json");
    if let Some(location) = first.location {
        replay.insert_header((header::LOCATION, location));
    }
    Ok(Taken::Replay(replay.body(answer)))
}

/// Stores the answer of the request holding `key`, in its transaction.
pub fn store_answer(
    tx: &mut veikart_store::Tx<'_>,
    key: &Key,
    status: StatusCode,
    location: Option<&str>,
    answer: &str,
) -> Result<(), StoreError> {
    store::answer(
        tx,
        key.org_id,
        &key.key,
        i32::from(status.as_u16()),
        location,
        answer,
    )
}

/// Gives `key` back after its request failed (nothing of it was written).
pub async fn release(state: &AppState, key: Key) {
    let Key { org_id, key } = key;
    let released = state
        .write(move |tx| store::release_key(tx, org_id, &key))
        .await;
    if let Err(e) = released {
        log::warn!(
            "{} an Idempotency-Key of organisation {org_id} could not be released: {e}",
            crate::observe::request_id::log_field()
        );
    }
}
