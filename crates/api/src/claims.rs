//! Who is calling: the claims a verified credential carries, and what verifies a bearer
//! token into them ([`VerifyToken`]). Below the shared state and organisation isolation,
//! which read them; `auth` verifies credentials into them.

use serde::{Deserialize, Serialize};
use veikart_domain::Role;

/// The claims Veikart reads from a token. Other claims are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Who is calling (a user or service id); recorded in the audit trail.
    pub sub: String,
    /// The slug of the organisation the token is for. Required except for `platform_admin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    pub role: Role,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
}

/// What turns a bearer token into its claims, or says why it is refused: the shared state
/// holds the token verifier (`auth::Authenticator`) behind this, so that the state does not
/// depend on `auth`, which depends on it.
pub trait VerifyToken: Send + Sync {
    fn verify(&self, token: &str) -> Result<Claims, String>;
}
