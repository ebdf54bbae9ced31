//! The validity check of an API key whose identity this instance already knows, made
//! inside the handler's own database hand-off instead of one of its own.
//!
//! A key's identity — its id, role and organisation — never changes, so an instance may
//! remember it; its validity (not revoked, not expired) may change at any moment, so it is
//! checked on every request, by one statement. When the extractor knows the identity, it
//! answers with the claims at once and leaves the check as the request's owed check
//! ([`crate::state::owed`]): the first database hand-off of the request runs it on its
//! connection before the handler's work, and answers 401 instead when the key is no longer
//! valid. A key-authenticated request thus costs one statement more than a token's and no
//! hand-off more. A handler that does no database work at all leaves the check to
//! [`verify_after_handler`], which makes it before the answer leaves: no answer is ever
//! sent for a key that is not valid.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use veikart_store::{DbConnection, StoreError};

use super::keys;
use std::sync::Arc;

use crate::state::AppState;
use crate::state::owed::{self, Gate, Owed};

/// The statement still owed for a key: is the key with this digest still valid?
#[derive(Debug)]
pub struct KeyCheck {
    pub(super) digest: String,
    pub(super) key_id: i64,
    /// Whether its `last_used_at` is due for a write (at most once a minute).
    pub(super) touch: bool,
    /// When the key was presented: it must be valid then.
    pub(super) at: chrono::NaiveDateTime,
}

impl KeyCheck {
    /// Runs the check on `conn`: whether the key is still valid (and still the key its
    /// identity was remembered for).
    pub fn verify(self, conn: &mut DbConnection) -> Result<bool, StoreError> {
        let found = veikart_store::api_keys::still_valid(conn, &self.digest, self.at, self.touch)?;
        Ok(keys::confirms(
            found.as_ref(),
            self.key_id,
            &self.digest,
            self.touch,
        ))
    }
}

/// Leaves `check` to the request's first database hand-off; gives it back when there is
/// no request to leave it to (outside [`verify_after_handler`]), so the caller checks now.
pub fn defer(check: KeyCheck) -> Result<(), KeyCheck> {
    if !owed::can_owe() {
        return Err(check);
    }
    // A check that writes `last_used_at` must run as its own statement; any other can be
    // carried by a read's statements.
    let gate = (!check.touch).then(|| Arc::new(Gate::new(check.digest.clone(), check.at)));
    owed::owe(Owed {
        check: Box::new(move |conn| {
            Ok(if check.verify(conn)? {
                Ok(())
            } else {
                Err(keys::refused())
            })
        }),
        gate,
    });
    Ok(())
}

/// Middleware: gives every request a place for an owed check, and makes the check itself
/// when the handler answered without touching the database — replacing the answer with
/// 401 when the key is not valid.
pub async fn verify_after_handler(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    owed::scope(async move {
        let res = next.call(req).await?.map_into_boxed_body();
        let (Some(check), Some(state)) = (owed::take(), state) else {
            return Ok(res);
        };
        match state.db(check.check).await {
            Ok(Ok(())) => Ok(res),
            Ok(Err(refused)) | Err(refused) => Ok(res.error_response(refused)),
        }
    })
    .await
}
