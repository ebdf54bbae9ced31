//! Standard Webhooks signatures: `v1,` and the base64 HMAC-SHA256 of
//! `{webhook-id}.{webhook-timestamp}.{body}`, one per signing secret, separated by spaces
//! (two while a rotated secret still signs beside the new one).

use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The prefix of a secret as endpoints are given it (`whsec_` and base64).
pub const SECRET_PREFIX: &str = "whsec_";

/// The bytes a signature is keyed with: the base64-decoded part of `whsec_…`.
#[derive(Clone)]
pub struct SigningSecret(hmac::Key);

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(…)")
    }
}

impl SigningSecret {
    /// Keys signatures with `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, bytes))
    }

    /// Reads a secret written `whsec_<base64>` (the prefix may be left out).
    pub fn parse(text: &str) -> Result<Self, String> {
        let encoded = text.strip_prefix(SECRET_PREFIX).unwrap_or(text);
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| "a signing secret is not `whsec_` and base64".to_owned())?;
        if bytes.is_empty() {
            return Err("a signing secret is empty".into());
        }
        Ok(Self::from_bytes(&bytes))
    }

    /// `v1,` and the base64 signature of one message.
    fn sign(&self, content: &[u8]) -> String {
        let tag = hmac::sign(&self.0, content);
        format!("v1,{}", STANDARD.encode(tag.as_ref()))
    }
}

/// The `webhook-signature` header of a message: one `v1,…` per secret, space-separated.
pub fn signature_header(secrets: &[SigningSecret], id: &str, timestamp: i64, body: &str) -> String {
    let content = format!("{id}.{timestamp}.{body}");
    secrets
        .iter()
        .map(|secret| secret.sign(content.as_bytes()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification's reference implementations
    /// (their test suites sign this message with this secret).
    #[test]
    fn signs_as_the_specification_s_example() {
        let secret = SigningSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let header = signature_header(
            &[secret],
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(header, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn every_secret_signs_and_each_signature_differs() {
        let a = SigningSecret::from_bytes(&[1; 32]);
        let b = SigningSecret::from_bytes(&[2; 32]);
        let header = signature_header(&[a, b], "evt_1", 1, "{}");
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2, "{header}");
        assert!(parts.iter().all(|p| p.starts_with("v1,")));
        assert_ne!(parts[0], parts[1]);
    }

    #[test]
    fn a_secret_that_is_not_base64_is_refused() {
        assert!(SigningSecret::parse("whsec_not base64!").is_err());
        assert!(SigningSecret::parse("whsec_").is_err());
    }
}
