//! Authentication with an API key (`Authorization: Bearer vk_…`), and what making a key
//! needs: its random text and its digest.
//!
//! A presented key is checked in three steps. Its shape and checksum, in memory: a key
//! that fails is refused without a statement. Then one statement finds the key by its
//! SHA-256 digest (unique index), joined to its organisation, only if it is neither revoked
//! nor expired at the service's clock (the instance's UTC time, the same clock that sets
//! `expires_at` at creation and roll). Lookup is by digest rather than by a prefix: the
//! digest of a 178-bit random key tells an attacker nothing through the index's timing,
//! and one row comes back; the stored digest is still compared with the presented one in
//! constant time. Validity is never cached, so a revoked key is refused by the next
//! request on every instance. Only "when did this instance last write `last_used_at` for
//! this key" is remembered, so that the write happens at most once a minute per key and
//! per instance, folded into the lookup itself (see `veikart_store::api_keys`).

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use aws_lc_rs::digest::{SHA256, digest};
use veikart_domain::{ApiKeySecret, Role};

use super::Claims;
use crate::error::ApiError;
use crate::state::AppState;

/// How often `last_used_at` is written for one key, at most, by one instance.
pub const LAST_USED_EVERY: Duration = Duration::from_secs(60);
/// Above this many remembered keys, the ones not used within a minute are forgotten.
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
pub async fn claims_of_key(state: &AppState, presented: &str) -> Result<Claims, ApiError> {
    let key = ApiKeySecret::parse(presented).ok_or_else(refused)?;
    let digest = digest_hex(&key);
    let touch = last_use_due(&digest);
    let lookup = digest.clone();
    let now = veikart_store::now();
    let found = state
        .db(move |conn| veikart_store::api_keys::authenticate(conn, &lookup, now, touch))
        .await?
        .ok_or_else(refused)?;
    aws_lc_rs::constant_time::verify_slices_are_equal(found.digest.as_bytes(), digest.as_bytes())
        .map_err(|_| refused())?;
    if touch {
        remember_use(digest);
    }
    let role = match found.role.parse::<Role>() {
        Ok(role @ (Role::Viewer | Role::Editor)) => role,
        _ => return Err(refused()),
    };
    Ok(Claims {
        sub: subject(found.id),
        org: Some(found.org_slug),
        role,
        // Checked by the lookup against the stored expiry; not a token's.
        exp: 0,
        iat: None,
        iss: None,
        aud: None,
    })
}

/// When this instance last wrote `last_used_at`, by key digest.
static LAST_WRITTEN: LazyLock<Mutex<HashMap<String, Instant>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn last_use_due(digest: &str) -> bool {
    let Ok(written) = LAST_WRITTEN.lock() else {
        return true;
    };
    written
        .get(digest)
        .is_none_or(|at| at.elapsed() >= LAST_USED_EVERY)
}

fn remember_use(digest: String) {
    if let Ok(mut written) = LAST_WRITTEN.lock() {
        if written.len() >= REMEMBERED_MAX {
            written.retain(|_, at| at.elapsed() < LAST_USED_EVERY);
        }
        written.insert(digest, Instant::now());
    }
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
