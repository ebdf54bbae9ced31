//! `POST /orgs/{org}/api-keys/{id}/roll`: replaces a key with a new one (same name and
//! role), keeping the old one valid for a grace period so that its users can switch.

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use veikart_domain::Role;
use veikart_domain::number::GraceSeconds;
use veikart_store::Org;
use veikart_store::api_keys::{self as store, NewApiKey as StoredKey};

use super::{ApiKeyPath, NewApiKey, checked_expiry, mint, shown_once};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RollApiKey {
    /// How long the old key keeps working, in seconds (0–604800, default 86400: 24 hours;
    /// never past its own expiry).
    #[schema(default = 86400, nullable = false)]
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub grace_seconds: Option<GraceSeconds>,
    /// When the new key stops working (in the future, at most 366 days ahead); by default
    /// the old key's expiry.
    #[schema(nullable = false)]
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// Roll an API key (`admin`): a new key (shown this once) replaces it, and the old one
/// keeps working for the grace period.
#[utoipa::path(
    post, path = "/{id}/roll", tag = "api keys",
    params(ApiKeyPath),
    request_body = RollApiKey,
    security(("bearer_auth" = [])),
    responses((status = 201, body = NewApiKey, headers(
        ("Location" = String, description = "The new key's URL"),
    )))
)]
#[post("/{id}/roll")]
pub async fn roll_api_key(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<ApiKeyPath>,
    body: JsonBody<RollApiKey>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Admin)?.sub.clone();
    let grace = body.0.grace_seconds.unwrap_or_default().get();
    let now = veikart_store::now();
    let expires_at = body
        .0
        .expires_at
        .map(|e| checked_expiry(e, now))
        .transpose()?;
    let grace_until = now + Duration::seconds(i64::from(grace));
    let minted = mint()?;
    let (digest, prefix) = (minted.digest.clone(), minted.prefix.clone());
    let id = path.id;
    let row = state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            let old = store::get(tx, Org::Id(org_id), id)?;
            let new = StoredKey {
                org_id,
                digest,
                prefix,
                name: old.name,
                role: old.role,
                created_by: actor.clone(),
                created_at: now,
                expires_at: expires_at.unwrap_or(old.expires_at),
                rolled_from: Some(id),
            };
            store::roll(tx, &actor, id, now, grace_until, new)
        })
        .await?;
    let location = format!("/api/v1/orgs/{}/api-keys/{}", path.org, row.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(shown_once(row, &minted.secret)?))
}
