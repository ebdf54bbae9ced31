//! `/api/v1/orgs/{org}/api-keys`: an organisation's API keys for scripts and dashboards
//! (`admin`; a platform admin for any organisation). A key is shown once, when it is made
//! (created or rolled); afterwards only its prefix. A key acts with its own role (`viewer`
//! or `editor`, never above its creator's) in its own organisation, and can never manage
//! keys or the organisation (those need `admin`). How keys authenticate is in
//! `auth/keys.rs`; the format is in `veikart_domain::api_key` and `docs/api-keys.md`.

mod create;
mod read;
mod revoke;
mod roll;

use chrono::{DateTime, Duration, NaiveDateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veikart_domain::{ApiKeySecret, KeyRole, Role};
use veikart_store::api_keys as store;

use crate::auth::{Claims, keys};
use crate::error::ApiError;
use crate::time::utc;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create::create_api_key)
        .service(read::list_api_keys)
        .service(read::get_api_key)
        .service(revoke::revoke_api_key)
        .service(roll::roll_api_key);
}

/// The longest a key may live: 366 days from its creation.
pub const MAX_LIFETIME_DAYS: i64 = 366;

/// An API key as lists show it: never the key itself, only its prefix.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKey {
    pub id: i64,
    /// What the key is for, as its creator named it.
    pub name: String,
    pub role: KeyRole,
    /// The key's first characters, to recognise it by (`vk_abc1…`).
    #[schema(example = "vk_abc1…")]
    pub prefix: String,
    /// The `sub` of whoever created (or rolled) the key.
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// When the key stops working (after a roll: the end of the old key's grace period).
    pub expires_at: DateTime<Utc>,
    /// When the key was last used, to the minute; null if never.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When the key was revoked; null while it is not.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A key just made: the key's fields and the key itself, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewApiKey {
    pub id: i64,
    pub name: String,
    pub role: KeyRole,
    #[schema(example = "vk_abc1…")]
    pub prefix: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The key. It is shown only in this answer and cannot be read again: store it now.
    #[schema(example = "vk_abc1DEF2ghi3JKL4mno5PQR6stu7VW4TF7Bc")]
    pub key: String,
}

impl From<store::ApiKey> for ApiKey {
    fn from(k: store::ApiKey) -> Self {
        Self {
            id: k.id,
            name: k.name,
            role: k.role.0,
            prefix: k.prefix,
            created_by: k.created_by,
            created_at: utc(k.created_at),
            expires_at: utc(k.expires_at),
            last_used_at: k.last_used_at.map(utc),
            revoked_at: k.revoked_at.map(utc),
        }
    }
}

/// `{org}` and `{id}` in a key's path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ApiKeyPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
    /// The key's id.
    pub id: i64,
}

/// The caller's claims if they may manage keys: `admin` (a key never is), and a key role
/// no higher than their own.
fn may_make(claims: &Claims, role: KeyRole) -> Result<(), ApiError> {
    if claims.role.allows(Role::from(role)) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "a key cannot have a role above yours ({})",
            claims.role
        )))
    }
}

/// 422 naming `expires_at` unless it is ahead of `now` and at most 366 days ahead; else
/// the expiry as stored (whole microseconds).
fn checked_expiry(
    expires_at: DateTime<Utc>,
    now: NaiveDateTime,
) -> Result<NaiveDateTime, ApiError> {
    let expires = expires_at.naive_utc().trunc_subsecs(6);
    if expires <= now {
        return Err(ApiError::validation("expires_at", "must be in the future"));
    }
    if expires > now + Duration::days(MAX_LIFETIME_DAYS) {
        return Err(ApiError::validation(
            "expires_at",
            format!("must be at most {MAX_LIFETIME_DAYS} days ahead"),
        ));
    }
    Ok(expires)
}

/// A new key's text and its stored form (without the row's own fields).
struct Minted {
    secret: ApiKeySecret,
    digest: String,
    prefix: String,
}

fn mint() -> Result<Minted, ApiError> {
    let secret = keys::generate()?;
    Ok(Minted {
        digest: keys::digest_hex(&secret),
        prefix: secret.display_prefix(),
        secret,
    })
}

/// The answer to a key just made: its fields and, this once, the key.
fn shown_once(row: store::ApiKey, secret: &ApiKeySecret) -> Result<NewApiKey, ApiError> {
    let k = ApiKey::from(row);
    Ok(NewApiKey {
        id: k.id,
        name: k.name,
        role: k.role,
        prefix: k.prefix,
        created_by: k.created_by,
        created_at: k.created_at,
        expires_at: k.expires_at,
        last_used_at: k.last_used_at,
        revoked_at: k.revoked_at,
        key: secret.expose().to_owned(),
    })
}
