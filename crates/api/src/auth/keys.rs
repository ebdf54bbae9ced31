//! Authentication with an API key (`Authorization: Bearer vk_…`), and what making a key
//! needs: its random text and its digest.
//!
//! A presented key is checked in three steps. Its shape and checksum, in memory: a key
//! that fails is refused without a statement. Then its identity — id, role, organisation,
//! which never change — is found: remembered by this instance from an earlier request, or
//! looked up by its SHA-256 digest (unique index) joined to its organisation. Then its
//! validity, which may change at any moment: one statement finds the key by its digest
//! only if it is neither revoked nor expired at the service's clock (the instance's UTC
//! time, the same clock that sets `expires_at` at creation and roll). On first use that is
//! the lookup itself; for a remembered key it is made inside the request's own database
//! hand-off ([`super::deferred`]), so a key costs one statement more than a token and no
//! hand-off more. Lookup is by digest rather than by a prefix: the digest of a 178-bit
//! random key tells an attacker nothing through the index's timing, and one row comes
//! back; the stored digest is still compared with the presented one in constant time.
//! Validity is never cached, so a revoked key is refused by the next request on every
//! instance. Besides identities, only "when did this instance last write `last_used_at`
//! for this key" is remembered, so that the write happens at most once a minute per key
//! and per instance, folded into the validity statement (see `veikart_store::api_keys`).

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::digest::{SHA256, digest};
use veikart_domain::{ApiKeySecret, Role};
use veikart_store::api_keys::ValidKey;

use super::Claims;
use super::deferred::{self, KeyCheck};
use crate::error::ApiError;
use crate::state::AppState;

/// How often `last_used_at` is written for one key, at most, by one instance.
pub const LAST_USED_EVERY: Duration = Duration::from_secs(60);
/// Above this many remembered keys, those whose last use was not written within a minute
/// are forgotten (each is looked up again on its next use).
const REMEMBERED_MAX: usize = 10_000;

/// The subject a key's requests act as: written as author of whatever they change.
pub fn subject(key_id: i64) -> String {
    format!("key:{key_id}")
}

/// The one answer to a key that is malformed, unknown, expired or revoked.
pub fn refused() -> ApiError {
    ApiError::Unauthorized("the API key is not valid".into())
}

/// The stored form of a key: the hex of its SHA-256 digest.
pub fn digest_hex(key: &ApiKeySecret) -> String {
    digest(&SHA256, key.expose().as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new key from the operating system's random source.
pub fn generate() -> Result<ApiKeySecret, ApiError> {
    ApiKeySecret::generate(getrandom::fill)
        .map_err(|e| ApiError::Internal(format!("no random bytes for a key: {e}")))
}

/// The claims of a presented key: 401 (the same for every reason) unless it is well
/// formed, known, not revoked and not expired.
///
/// A key this instance has seen before is answered from its remembered identity, and its
/// validity is checked by the request's own database hand-off ([`deferred`]); a key seen
/// for the first time is looked up now.
pub async fn claims_of_key(state: &AppState, presented: &str) -> Result<Claims, ApiError> {
    let key = ApiKeySecret::parse(presented).ok_or_else(refused)?;
    let digest = digest_hex(&key);
    let touch = last_use_due(&digest);
    if let Some(identity) = remembered(&digest) {
        let check = KeyCheck {
            digest,
            key_id: identity.id,
            touch,
            at: veikart_store::now(),
        };
        match deferred::defer(check) {
            Ok(()) => return Ok(identity.claims()),
            Err(check) => return verify_now(state, check, identity).await,
        }
    }
    look_up(state, digest, touch).await
}

/// The first use of a key on this instance: one statement finds it, and its identity is
/// remembered.
async fn look_up(state: &AppState, digest: String, touch: bool) -> Result<Claims, ApiError> {
    let lookup = digest.clone();
    let now = veikart_store::now();
    let found = state
        .db(move |conn| veikart_store::api_keys::authenticate(conn, &lookup, now, touch))
        .await?
        .ok_or_else(refused)?;
    verify_slices_are_equal(found.digest.as_bytes(), digest.as_bytes()).map_err(|_| refused())?;
    let role = match found.role.parse::<Role>() {
        Ok(role @ (Role::Viewer | Role::Editor)) => role,
        _ => return Err(refused()),
    };
    if touch {
        remember_use(digest.clone());
    }
    let identity = KeyIdentity {
        id: found.id,
        role,
        org_slug: found.org_slug,
    };
    remember(digest, identity.clone());
    Ok(identity.claims())
}

/// A remembered key checked at once, where no request's hand-off can take the check.
async fn verify_now(
    state: &AppState,
    check: KeyCheck,
    identity: KeyIdentity,
) -> Result<Claims, ApiError> {
    if state.db(move |conn| check.verify(conn)).await? {
        Ok(identity.claims())
    } else {
        Err(refused())
    }
}

/// Whether what the validity check found confirms the remembered key: a row with the
/// same id and digest (compared in constant time). Records the write of `last_used_at`.
pub fn confirms(found: Option<&ValidKey>, key_id: i64, digest: &str, touched: bool) -> bool {
    let Some(found) = found else {
        return false;
    };
    let same = found.id == key_id
        && verify_slices_are_equal(found.digest.as_bytes(), digest.as_bytes()).is_ok();
    if same && touched {
        remember_use(digest.to_owned());
    }
    same
}

/// What never changes about a key: who it is, its role and its organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
struct KeyIdentity {
    id: i64,
    role: Role,
    org_slug: String,
}

impl KeyIdentity {
    fn claims(self) -> Claims {
        Claims {
            sub: subject(self.id),
            org: Some(self.org_slug),
            role: self.role,
            // Checked against the stored expiry by the key's statement; not a token's.
            exp: 0,
            iat: None,
            iss: None,
            aud: None,
        }
    }
}

/// What this instance remembers of a key it has seen, by digest: who it is, and when it
/// last wrote its `last_used_at`. Nothing here says a key is valid; that is checked on
/// every request.
#[derive(Debug, Default)]
struct Remembered {
    identity: Option<KeyIdentity>,
    last_use_written: Option<Instant>,
}

static REMEMBERED: LazyLock<Mutex<HashMap<String, Remembered>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Changes what is remembered of the key `digest`, forgetting first, above
/// [`REMEMBERED_MAX`] keys, those not written within a minute.
fn remember_of(digest: String, change: impl FnOnce(&mut Remembered)) {
    if let Ok(mut known) = REMEMBERED.lock() {
        if known.len() >= REMEMBERED_MAX && !known.contains_key(&digest) {
            known.retain(|_, k| {
                k.last_use_written
                    .is_some_and(|at| at.elapsed() < LAST_USED_EVERY)
            });
        }
        change(known.entry(digest).or_default());
    }
}

fn remembered(digest: &str) -> Option<KeyIdentity> {
    REMEMBERED.lock().ok()?.get(digest)?.identity.clone()
}

fn remember(digest: String, identity: KeyIdentity) {
    remember_of(digest, |known| known.identity = Some(identity));
}

fn last_use_due(digest: &str) -> bool {
    let Ok(known) = REMEMBERED.lock() else {
        return true;
    };
    known
        .get(digest)
        .and_then(|k| k.last_use_written)
        .is_none_or(|at| at.elapsed() >= LAST_USED_EVERY)
}

fn remember_use(digest: String) {
    remember_of(digest, |known| {
        known.last_use_written = Some(Instant::now())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_the_hex_of_sha256() {
        let key = generate().unwrap();
        let hex = digest_hex(&key);
        assert_eq!(hex.len(), 64);
        assert!(!hex.contains(&key.expose()[3..]));
        assert_eq!(hex, digest_hex(&ApiKeySecret::parse(key.expose()).unwrap()));
    }

    #[test]
    fn last_use_is_written_once_a_minute() {
        let digest = digest_hex(&generate().unwrap());
        assert!(last_use_due(&digest));
        remember_use(digest.clone());
        assert!(!last_use_due(&digest));
    }
}
