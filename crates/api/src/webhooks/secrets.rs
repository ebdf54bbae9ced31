//! Webhook signing secrets: made, sealed, opened — the one place that sees them in the
//! clear.
//!
//! A secret is 32 random bytes from the operating system, shown to its admin once as
//! `whsec_` + base64 (the Standard Webhooks form). It is stored sealed with AES-256-GCM
//! under the instance's [`SealingKey`]: `VEIKART_WEBHOOK_KEY` (base64 of 32 bytes), or,
//! when that is not set, a key derived with HKDF-SHA256 from the JWT signing secret and
//! the fixed info [`DERIVATION_INFO`]. A sealed secret reads `v1.` + base64 of the
//! 12-byte nonce followed by the ciphertext and its tag; every seal draws a fresh nonce.
//!
//! Whoever signs a delivery asks [`signing_secrets`] for an endpoint's secrets: the
//! current one, and the previous one while its rotation's grace period lasts.

use std::sync::Arc;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::hkdf::{HKDF_SHA256, KeyType, Salt};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::NaiveDateTime;
use veikart_store::webhooks::Endpoint;

/// How a secret is shown: the Standard Webhooks prefix.
pub const SECRET_PREFIX: &str = "whsec_";
/// The bytes of a secret and of a sealing key.
pub const KEY_LEN: usize = 32;
/// The HKDF info a sealing key is derived with from the JWT signing secret. Changing it
/// makes every stored secret unreadable.
pub const DERIVATION_INFO: &[u8] = b"veikart webhook secret sealing key v1";
/// What a sealed secret starts with (the format's version).
const SEALED_PREFIX: &str = "v1.";
/// Binds a sealed value to its use: a ciphertext sealed for anything else does not open.
const AAD: &[u8] = b"veikart webhook signing secret";

/// Why a key could not be made, or a secret not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("VEIKART_WEBHOOK_KEY must be the base64 of exactly 32 bytes")]
    BadKey,
    #[error("the operating system gave no random bytes")]
    NoRandomness,
    #[error("a stored webhook secret cannot be opened with this instance's webhook key")]
    Unreadable,
}

/// The instance's key for sealing webhook secrets (cheap to clone; never printed).
#[derive(Clone)]
pub struct SealingKey(Arc<LessSafeKey>);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(***)")
    }
}

/// The HKDF output length of a sealing key.
struct KeyLen;

impl KeyType for KeyLen {
    fn len(&self) -> usize {
        KEY_LEN
    }
}

impl SealingKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SecretError> {
        if bytes.len() != KEY_LEN {
            return Err(SecretError::BadKey);
        }
        let key = UnboundKey::new(&AES_256_GCM, bytes).map_err(|_| SecretError::BadKey)?;
        Ok(Self(Arc::new(LessSafeKey::new(key))))
    }

    /// A key from `VEIKART_WEBHOOK_KEY`: base64 of 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, SecretError> {
        let bytes = BASE64
            .decode(text.trim())
            .map_err(|_| SecretError::BadKey)?;
        Self::from_bytes(&bytes)
    }

    /// The key derived from the JWT signing secret (HKDF-SHA256, no salt,
    /// [`DERIVATION_INFO`]): used when no webhook key is configured.
    pub fn derive_from_jwt_secret(jwt_secret: &[u8]) -> Result<Self, SecretError> {
        let mut bytes = [0u8; KEY_LEN];
        Salt::new(HKDF_SHA256, &[])
            .extract(jwt_secret)
            .expand(&[DERIVATION_INFO], KeyLen)
            .and_then(|okm| okm.fill(&mut bytes))
            .map_err(|_| SecretError::BadKey)?;
        Self::from_bytes(&bytes)
    }
}

/// A signing secret in the clear (never printed).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret([u8; KEY_LEN]);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(***)")
    }
}

impl WebhookSecret {
    /// A new secret: 32 random bytes from the operating system.
    pub fn generate() -> Result<Self, SecretError> {
        let mut bytes = [0u8; KEY_LEN];
        getrandom::fill(&mut bytes).map_err(|_| SecretError::NoRandomness)?;
        Ok(Self(bytes))
    }

    /// The HMAC-SHA256 key of the signatures.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// As shown to its admin once: `whsec_` + base64.
    pub fn to_whsec(&self) -> String {
        format!("{SECRET_PREFIX}{}", BASE64.encode(self.0))
    }

    /// Reads the shown form back (`whsec_` + base64 of 32 bytes).
    pub fn from_whsec(text: &str) -> Option<Self> {
        let bytes = BASE64.decode(text.strip_prefix(SECRET_PREFIX)?).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }
}

/// The secret sealed under `key`, as stored.
pub fn seal(key: &SealingKey, secret: &WebhookSecret) -> Result<String, SecretError> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|_| SecretError::NoRandomness)?;
    let mut sealed = secret.0.to_vec();
    key.0
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(AAD),
            &mut sealed,
        )
        .map_err(|_| SecretError::Unreadable)?;
    let mut stored = nonce.to_vec();
    stored.extend_from_slice(&sealed);
    Ok(format!("{SEALED_PREFIX}{}", BASE64.encode(stored)))
}

/// The secret a stored value seals; [`SecretError::Unreadable`] when it was sealed under
/// another key or changed.
pub fn open(key: &SealingKey, sealed: &str) -> Result<WebhookSecret, SecretError> {
    let bytes = sealed
        .strip_prefix(SEALED_PREFIX)
        .and_then(|b64| BASE64.decode(b64).ok())
        .ok_or(SecretError::Unreadable)?;
    if bytes.len() < NONCE_LEN {
        return Err(SecretError::Unreadable);
    }
    let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SecretError::Unreadable)?;
    let mut in_out = ciphertext.to_vec();
    let plain = key
        .0
        .open_in_place(nonce, Aad::from(AAD), &mut in_out)
        .map_err(|_| SecretError::Unreadable)?;
    let secret: [u8; KEY_LEN] = (&*plain).try_into().map_err(|_| SecretError::Unreadable)?;
    Ok(WebhookSecret(secret))
}

/// The secrets a delivery to `endpoint` is signed with at `now`: the current one first,
/// then the previous one while `previous_secret_until` is ahead of `now`.
pub fn signing_secrets(
    key: &SealingKey,
    endpoint: &Endpoint,
    now: NaiveDateTime,
) -> Result<Vec<WebhookSecret>, SecretError> {
    let mut secrets = vec![open(key, &endpoint.secret_sealed)?];
    if let (Some(previous), Some(until)) = (
        &endpoint.previous_secret_sealed,
        endpoint.previous_secret_until,
    ) && until > now
    {
        secrets.push(open(key, previous)?);
    }
    Ok(secrets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SealingKey {
        SealingKey::from_bytes(&[byte; KEY_LEN]).unwrap()
    }

    #[test]
    fn a_sealed_secret_opens_with_its_key_only() {
        let secret = WebhookSecret::generate().unwrap();
        let sealed = seal(&key(1), &secret).unwrap();
        assert!(!sealed.contains(&BASE64.encode(secret.as_bytes())));
        assert_eq!(open(&key(1), &sealed).unwrap(), secret);
        assert_eq!(open(&key(2), &sealed), Err(SecretError::Unreadable));
    }

    #[test]
    fn every_seal_draws_a_fresh_nonce() {
        let secret = WebhookSecret::generate().unwrap();
        assert_ne!(
            seal(&key(1), &secret).unwrap(),
            seal(&key(1), &secret).unwrap()
        );
    }

    #[test]
    fn changed_or_malformed_sealed_values_do_not_open() {
        let sealed = seal(&key(1), &WebhookSecret::generate().unwrap()).unwrap();
        let mut bytes = BASE64.decode(&sealed[3..]).unwrap();
        bytes[20] ^= 1;
        let changed = format!("v1.{}", BASE64.encode(bytes));
        for bad in [changed.as_str(), "", "v1.", "v1.!!", "v2.AAAA", "v1.AAAA"] {
            assert_eq!(open(&key(1), bad), Err(SecretError::Unreadable), "{bad}");
        }
    }

    #[test]
    fn the_shown_form_is_whsec_and_base64_of_32_bytes() {
        let secret = WebhookSecret::generate().unwrap();
        let shown = secret.to_whsec();
        assert!(shown.starts_with("whsec_"));
        assert_eq!(BASE64.decode(&shown[6..]).unwrap().len(), 32);
        assert_eq!(WebhookSecret::from_whsec(&shown), Some(secret));
        assert_eq!(WebhookSecret::from_whsec("whsec_AAAA"), None);
    }

    #[test]
    fn keys_read_from_base64_of_32_bytes_only() {
        assert!(SealingKey::from_base64(&BASE64.encode([7u8; 32])).is_ok());
        assert!(SealingKey::from_base64(&BASE64.encode([7u8; 31])).is_err());
        assert!(SealingKey::from_base64("not base64").is_err());
    }

    #[test]
    fn the_derived_key_depends_on_the_jwt_secret() {
        let secret = WebhookSecret::generate().unwrap();
        let a = SealingKey::derive_from_jwt_secret(b"one secret of at least 32 bytes!!").unwrap();
        let b = SealingKey::derive_from_jwt_secret(b"one secret of at least 32 bytes!!").unwrap();
        let c = SealingKey::derive_from_jwt_secret(b"another secret of 32 bytes or so").unwrap();
        let sealed = seal(&a, &secret).unwrap();
        assert_eq!(open(&b, &sealed).unwrap(), secret);
        assert!(open(&c, &sealed).is_err());
    }

    fn endpoint(
        current: String,
        previous: Option<String>,
        until: Option<NaiveDateTime>,
    ) -> Endpoint {
        let t = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc();
        Endpoint {
            id: 1,
            org_id: 1,
            url: "https://example.com/hook".into(),
            description: String::new(),
            event_types: "[\"*\"]".into(),
            enabled: true,
            disabled_reason: None,
            secret_sealed: current,
            previous_secret_sealed: previous,
            previous_secret_until: until,
            created_by: "u".into(),
            created_at: t,
            updated_at: t,
            version: 1,
            delivered_through: 0,
            attempts: 0,
            next_attempt_at: None,
            failing_since: None,
            lease_owner: None,
            lease_until: None,
        }
    }

    #[test]
    fn the_previous_secret_signs_until_its_grace_period_ends() {
        let k = key(3);
        let (new, old) = (
            WebhookSecret::generate().unwrap(),
            WebhookSecret::generate().unwrap(),
        );
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc();
        let until = now + chrono::Duration::hours(24);
        let row = endpoint(
            seal(&k, &new).unwrap(),
            Some(seal(&k, &old).unwrap()),
            Some(until),
        );
        assert_eq!(
            signing_secrets(&k, &row, now).unwrap(),
            vec![new.clone(), old]
        );
        assert_eq!(signing_secrets(&k, &row, until).unwrap(), vec![new.clone()]);
        let fresh = endpoint(seal(&k, &new).unwrap(), None, None);
        assert_eq!(signing_secrets(&k, &fresh, now).unwrap(), vec![new]);
    }
}
