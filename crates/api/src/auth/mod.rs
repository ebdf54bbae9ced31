//! Authentication: verifying the bearer JWTs that callers send, and minting tokens for
//! `veikart token`. API keys (`Bearer vk_…`) are the other credential: see [`keys`].
//!
//! Keys are pinned to algorithms: the shared secret verifies only HS256 tokens, a
//! configured public key only the algorithm of its type (RS256 for RSA, EdDSA for
//! Ed25519). A token's `alg` header picks the key; any other `alg` (including `none`) is
//! refused. `exp`, `sub` and `role` are required; `iss` and `aud` are required and checked
//! when configured.

pub mod deferred;
mod extract;
pub mod keys;
mod secret;
mod verified;

pub use crate::claims::Claims;
pub use extract::{Auth, MaybeAuth};
pub use secret::{SecretSource, load_or_create_secret};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use veikart_domain::Role;

/// How tokens are verified: the keys and the expected issuer and audience.
#[derive(Clone, Default)]
pub struct JwtConfig {
    /// Shared secret for HS256 (`VEIKART_JWT_SECRET`).
    pub secret: Option<Vec<u8>>,
    /// PEM public key for RS256 or EdDSA tokens (`VEIKART_JWT_PUBLIC_KEY`).
    pub public_key_pem: Option<String>,
    /// When set, tokens must carry this `iss` (`VEIKART_JWT_ISSUER`).
    pub issuer: Option<String>,
    /// When set, tokens must carry this `aud` (`VEIKART_JWT_AUDIENCE`).
    pub audience: Option<String>,
}

impl std::fmt::Debug for JwtConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtConfig")
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .field("public_key_pem", &self.public_key_pem.is_some())
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthSetupError {
    #[error("no token key is configured: set VEIKART_JWT_SECRET and/or VEIKART_JWT_PUBLIC_KEY")]
    NoKey,
    #[error("VEIKART_JWT_SECRET must be at least 32 bytes long")]
    WeakSecret,
    #[error("VEIKART_JWT_PUBLIC_KEY is neither an RSA nor an Ed25519 public key in PEM form")]
    BadPublicKey,
    #[error("tokens can only be minted with VEIKART_JWT_SECRET (HS256)")]
    CannotMint,
    #[error("the JWT crypto backend does not work: {0}")]
    CryptoBackend(String),
}

/// Verifies tokens (and mints HS256 ones) with the configured keys.
pub struct Authenticator {
    secret: Option<(EncodingKey, DecodingKey)>,
    public: Option<(DecodingKey, Algorithm)>,
    issuer: Option<String>,
    audience: Option<String>,
    /// Tokens that passed [`Self::verify`] before (see [`verified`]).
    verified: verified::VerifiedTokens,
}

impl Authenticator {
    pub const MIN_SECRET_BYTES: usize = 32;

    pub fn new(config: &JwtConfig) -> Result<Self, AuthSetupError> {
        install_crypto_provider();
        let secret = match &config.secret {
            Some(s) if s.len() < Self::MIN_SECRET_BYTES => return Err(AuthSetupError::WeakSecret),
            Some(s) => Some((EncodingKey::from_secret(s), DecodingKey::from_secret(s))),
            None => None,
        };
        let public = match &config.public_key_pem {
            Some(pem) => Some(parse_public_key(pem.as_bytes())?),
            None => None,
        };
        if secret.is_none() && public.is_none() {
            return Err(AuthSetupError::NoKey);
        }
        let authenticator = Self {
            secret,
            public,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            verified: verified::VerifiedTokens::default(),
        };
        self_test()?;
        Ok(authenticator)
    }

    /// Verifies a token and returns its claims, or says why it is refused. A token that
    /// passed before is taken from [`verified`] while it has not expired.
    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        let now = chrono::Utc::now().timestamp().max(0).unsigned_abs();
        if let Some(claims) = self.verified.get(token, now) {
            return Ok(claims);
        }
        let claims = self.verify_fully(token)?;
        self.verified.remember(token, &claims);
        Ok(claims)
    }

    /// The whole check of a token: its header, signature, required claims and expiry.
    fn verify_fully(&self, token: &str) -> Result<Claims, String> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| format!("malformed token: {e}"))?;
        let key = match header.alg {
            Algorithm::HS256 => self.secret.as_ref().map(|(_, decoding)| decoding),
            alg => self
                .public
                .as_ref()
                .filter(|(_, expected)| *expected == alg)
                .map(|(decoding, _)| decoding),
        }
        .ok_or_else(|| format!("tokens signed with {:?} are not accepted", header.alg))?;

        let mut validation = Validation::new(header.alg);
        let mut required = vec!["exp", "sub"];
        match &self.issuer {
            Some(issuer) => {
                validation.set_issuer(&[issuer]);
                required.push("iss");
            }
            None => validation.iss = None,
        }
        match &self.audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);

        let claims = jsonwebtoken::decode::<Claims>(token, key, &validation)
            .map_err(|e| format!("invalid token: {e}"))?
            .claims;
        // `sub` is written to the audit trail and `org` compared in queries; PostgreSQL
        // cannot store or compare text with NUL, so such a token names nobody.
        if claims.sub.contains('\0') || claims.org.as_deref().is_some_and(|o| o.contains('\0')) {
            return Err("invalid token: `sub` and `org` must not contain NUL characters".into());
        }
        if claims.org.is_none() && claims.role != Role::PlatformAdmin {
            return Err("invalid token: the `org` claim is required for this role".into());
        }
        Ok(claims)
    }

    /// Mints an HS256 token with the shared secret.
    pub fn mint(&self, claims: &Claims) -> Result<String, AuthSetupError> {
        let (encoding, _) = self.secret.as_ref().ok_or(AuthSetupError::CannotMint)?;
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, encoding)
            .map_err(|e| AuthSetupError::CryptoBackend(e.to_string()))
    }

    /// The claims for a new token, with `iss` and `aud` filled in when configured.
    pub fn claims_for(
        &self,
        sub: &str,
        org: Option<&str>,
        role: Role,
        ttl: std::time::Duration,
    ) -> Claims {
        let now = chrono::Utc::now().timestamp().max(0).unsigned_abs();
        Claims {
            sub: sub.to_owned(),
            org: org.map(str::to_owned),
            role,
            exp: now + ttl.as_secs(),
            iat: Some(now),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        }
    }
}

/// How the shared state verifies tokens (it holds the verifier as a `VerifyToken`).
impl crate::claims::VerifyToken for Authenticator {
    fn verify(&self, token: &str) -> Result<Claims, String> {
        Authenticator::verify(self, token)
    }
}

fn parse_public_key(pem: &[u8]) -> Result<(DecodingKey, Algorithm), AuthSetupError> {
    if let Ok(key) = DecodingKey::from_rsa_pem(pem) {
        return Ok((key, Algorithm::RS256));
    }
    if let Ok(key) = DecodingKey::from_ed_pem(pem) {
        return Ok((key, Algorithm::EdDSA));
    }
    Err(AuthSetupError::BadPublicKey)
}

/// Makes aws-lc-rs the process's JWT crypto provider (idempotent). jsonwebtoken picks a
/// provider from its features; if a second backend feature were ever enabled through
/// another crate, it could not pick and would panic on first use. Installing ours
/// explicitly removes that ambiguity.
fn install_crypto_provider() {
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
}

/// Signs and verifies a throwaway token at start-up, so that a broken crypto backend
/// stops the service with a clear message instead of panicking on the first request.
fn self_test() -> Result<(), AuthSetupError> {
    let outcome = std::panic::catch_unwind(|| {
        let secret = [7u8; 32];
        let claims = Claims {
            sub: "self-test".into(),
            org: None,
            role: Role::Viewer,
            exp: u64::MAX / 2,
            iat: None,
            iss: None,
            aud: None,
        };
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&secret),
        )
        .map_err(|e| e.to_string())?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_aud = false;
        jsonwebtoken::decode::<Claims>(&token, &DecodingKey::from_secret(&secret), &validation)
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(AuthSetupError::CryptoBackend(e)),
        Err(_) => Err(AuthSetupError::CryptoBackend(
            "signing panicked: enable exactly one jsonwebtoken crypto feature".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn config() -> JwtConfig {
        JwtConfig {
            secret: Some(vec![42; 32]),
            ..JwtConfig::default()
        }
    }

    #[test]
    fn the_crypto_backend_passes_its_self_test() {
        self_test().unwrap();
    }

    #[test]
    fn a_minted_token_verifies_with_the_same_secret() {
        let auth = Authenticator::new(&config()).unwrap();
        let claims = auth.claims_for("kari", Some("ig"), Role::Editor, Duration::from_secs(60));
        let token = auth.mint(&claims).unwrap();
        assert_eq!(auth.verify(&token).unwrap(), claims);
    }

    #[test]
    fn a_subject_with_a_nul_character_is_refused() {
        let auth = Authenticator::new(&config()).unwrap();
        let claims = auth.claims_for("eve\0", Some("ig"), Role::Editor, Duration::from_secs(60));
        assert!(auth.verify(&auth.mint(&claims).unwrap()).is_err());
    }

    #[test]
    fn a_short_secret_or_no_key_is_a_setup_error() {
        let short = JwtConfig {
            secret: Some(b"short".to_vec()),
            ..JwtConfig::default()
        };
        assert!(matches!(
            Authenticator::new(&short),
            Err(AuthSetupError::WeakSecret)
        ));
        assert!(matches!(
            Authenticator::new(&JwtConfig::default()),
            Err(AuthSetupError::NoKey)
        ));
    }

    #[test]
    fn configured_issuer_and_audience_become_required() {
        let strict = Authenticator::new(&JwtConfig {
            issuer: Some("intranet".into()),
            audience: Some("veikart".into()),
            ..config()
        })
        .unwrap();
        let lax = Authenticator::new(&config()).unwrap();
        // A token without iss/aud passes the lax verifier and fails the strict one.
        let bare = lax
            .mint(&lax.claims_for("a", Some("ig"), Role::Viewer, Duration::from_secs(60)))
            .unwrap();
        assert!(lax.verify(&bare).is_ok());
        assert!(strict.verify(&bare).is_err());
        let full = strict
            .mint(&strict.claims_for("a", Some("ig"), Role::Viewer, Duration::from_secs(60)))
            .unwrap();
        assert!(strict.verify(&full).is_ok());
    }

    #[test]
    fn a_token_verified_before_is_refused_once_altered_and_by_other_keys() {
        let auth = Authenticator::new(&config()).unwrap();
        let claims = auth.claims_for("kari", Some("ig"), Role::Editor, Duration::from_secs(60));
        let token = auth.mint(&claims).unwrap();
        assert_eq!(auth.verify(&token).unwrap(), claims);
        assert_eq!(auth.verify(&token).unwrap(), claims, "the remembered token");
        let mut altered = token.clone();
        altered.push('x');
        assert!(auth.verify(&altered).is_err());
        let other_keys = Authenticator::new(&JwtConfig {
            secret: Some(vec![7; 32]),
            ..JwtConfig::default()
        })
        .unwrap();
        assert!(other_keys.verify(&token).is_err());
    }

    #[test]
    fn an_expired_token_is_refused_though_it_passed_before() {
        let auth = Authenticator::new(&config()).unwrap();
        let mut claims = auth.claims_for("kari", Some("ig"), Role::Editor, Duration::ZERO);
        let token = auth.mint(&claims).unwrap();
        // Within the verifier's leeway the full check passes it, and it is remembered…
        assert!(auth.verify(&token).is_ok());
        // …but not used after `exp`: the full check runs again, and refuses a token past
        // the leeway.
        claims.exp -= 120;
        let expired = auth.mint(&claims).unwrap();
        auth.verified.remember(&expired, &claims);
        assert!(auth.verify(&expired).is_err());
    }
}
