//! The service's settings, read once at start and passed in (no global configuration).

use std::time::Duration;

use veikart_store::{Backend, DatabaseUrl, PoolOptions};

use crate::auth::{JwtConfig, SecretSource, load_or_create_secret};
use crate::json::BodyLimit;
use crate::routes::imports::ImportBodyLimit;

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    /// Address to listen on, e.g. `127.0.0.1:8080` (port 0 picks a free one).
    pub bind: String,
    pub jwt: JwtConfig,
    pub body_limit: BodyLimit,
    /// The body limit of an import (`VEIKART_IMPORT_BODY_LIMIT`).
    pub import_body_limit: ImportBodyLimit,
    pub pool: PoolOptions,
    /// Worker threads; `None` uses two per core when short reads run on the workers, one
    /// per core when they are handed off.
    pub workers: Option<usize>,
    /// Where `GET /metrics` listens (`VEIKART_METRICS_BIND`, e.g. `127.0.0.1:9464`);
    /// `None` (the default) serves no metrics and counts none.
    pub metrics_bind: Option<String>,
    /// How long events are kept, and how often the old ones are removed.
    pub event_retention: crate::event_retention::EventRetention,
    /// When KPI statuses are evaluated after writes, and what today is.
    pub kpi_status: crate::kpi_status::KpiStatusSettings,
    /// Which endpoint URLs webhooks accept, and the key their secrets are sealed with
    /// (`VEIKART_WEBHOOKS_ALLOW_HTTP`, `VEIKART_WEBHOOKS_ALLOW_LOOPBACK`,
    /// `VEIKART_WEBHOOK_KEY`).
    pub webhooks: crate::webhooks::WebhookSettings,
    /// How webhooks are delivered: the retry schedule (`VEIKART_WEBHOOK_RETRY_SCALE`),
    /// the poll, the lease.
    pub webhook_delivery: crate::webhooks::delivery::DeliverySettings,
    /// Where short reads run (`VEIKART_INLINE_READS`; see [`crate::state::Placement`]).
    pub reads: crate::state::Placement,
}

impl Settings {
    pub fn new(database_url: DatabaseUrl, bind: impl Into<String>, jwt: JwtConfig) -> Self {
        Self {
            database_url,
            bind: bind.into(),
            jwt,
            body_limit: BodyLimit::default(),
            import_body_limit: ImportBodyLimit::default(),
            pool: PoolOptions::default(),
            workers: None,
            metrics_bind: None,
            event_retention: Default::default(),
            kpi_status: Default::default(),
            webhooks: Default::default(),
            webhook_delivery: Default::default(),
            reads: Default::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "no token key is configured: with PostgreSQL, set VEIKART_JWT_SECRET (at least 32 bytes) \
         and/or VEIKART_JWT_PUBLIC_KEY (PEM)"
    )]
    MissingForPostgres,
    #[error("cannot read or create the token secret file {path}: {source}")]
    SecretFile {
        path: String,
        source: std::io::Error,
    },
}

/// Completes the JWT configuration: with no key configured on SQLite, the secret kept
/// beside the database file (created on first use); on PostgreSQL, a key must be given.
pub fn resolve_jwt(
    url: &DatabaseUrl,
    mut jwt: JwtConfig,
) -> Result<(JwtConfig, Option<SecretSource>), KeyError> {
    if jwt.secret.is_some() {
        return Ok((jwt, Some(SecretSource::Environment)));
    }
    if jwt.public_key_pem.is_some() {
        return Ok((jwt, None));
    }
    match (url.backend(), url.sqlite_sidecar(".jwt-secret")) {
        (Backend::Sqlite, Some(path)) => {
            let (secret, source) =
                load_or_create_secret(&path).map_err(|source| KeyError::SecretFile {
                    path: path.display().to_string(),
                    source,
                })?;
            jwt.secret = Some(secret);
            Ok((jwt, Some(source)))
        }
        _ => Err(KeyError::MissingForPostgres),
    }
}

/// Reads a duration like `90s`, `15m`, `1h`, `7d` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 90s, 15m, 1h or 7d"))?;
    let seconds = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => {
            return Err(format!(
                "`{text}` is not a duration like 90s, 15m, 1h or 7d"
            ));
        }
    };
    Ok(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_with_their_units() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_duration("7d").unwrap(), Duration::from_secs(604_800));
        assert!(parse_duration("1y").is_err());
        assert!(parse_duration("h").is_err());
    }

    #[test]
    fn postgres_without_a_key_refuses_to_start() {
        let url = DatabaseUrl::parse(Some("postgres://localhost/x"));
        assert!(matches!(
            resolve_jwt(&url, JwtConfig::default()),
            Err(KeyError::MissingForPostgres)
        ));
    }
}
