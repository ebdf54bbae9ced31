//! Webhooks beside their routes: what the instance needs to manage and sign them — the
//! sealing of signing secrets ([`secrets`]), the bodies sent ([`payload`]) and the
//! instance's webhook settings ([`WebhookSettings`]).

pub mod payload;
pub mod secrets;

pub use secrets::{SealingKey, WebhookSecret};

/// The instance's webhook settings.
#[derive(Debug, Clone, Default)]
pub struct WebhookSettings {
    /// Plain `http` endpoint URLs are accepted (`VEIKART_WEBHOOKS_ALLOW_HTTP`).
    pub allow_http: bool,
    /// Endpoints on 127.0.0.0/8 and ::1 are accepted (`VEIKART_WEBHOOKS_ALLOW_LOOPBACK`):
    /// for tests and development only, never in production.
    pub allow_loopback: bool,
    /// The key webhook secrets are sealed with: `VEIKART_WEBHOOK_KEY`, else derived from
    /// the JWT signing secret; `None` when neither exists (webhooks cannot be managed).
    pub key: Option<SealingKey>,
}

impl WebhookSettings {
    /// Which endpoint URLs these settings accept.
    pub fn url_policy(&self) -> veikart_domain::webhooks::UrlPolicy {
        veikart_domain::webhooks::UrlPolicy {
            allow_http: self.allow_http,
            allow_loopback: self.allow_loopback,
        }
    }

    /// These settings with a sealing key: the configured one, else the one derived from
    /// the JWT signing secret (`None` when there is neither: tokens verified by a public
    /// key alone and no `VEIKART_WEBHOOK_KEY`).
    pub fn with_key_from(mut self, jwt_secret: Option<&[u8]>) -> Self {
        if self.key.is_none() {
            self.key = jwt_secret.and_then(|s| SealingKey::derive_from_jwt_secret(s).ok());
        }
        self
    }
}
