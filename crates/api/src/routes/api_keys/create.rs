//! `POST /orgs/{org}/api-keys`: makes a key and shows it, this once.

use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use veikart_domain::text::KeyName;
use veikart_domain::{KeyRole, Role};
use veikart_store::Stored;
use veikart_store::api_keys::{self as store, NewApiKey as StoredKey};

use super::{NewApiKey, checked_expiry, may_make, mint, shown_once};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::routes::orgs::OrgPath;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    pub name: KeyName,
    pub role: KeyRole,
    /// When the key stops working: in the future, at most 366 days ahead.
    pub expires_at: DateTime<Utc>,
}

/// Create an API key (`admin`); the answer holds the key, shown this once.
#[utoipa::path(
    post, path = "", tag = "api keys",
    params(OrgPath),
    request_body = CreateApiKey,
    security(("bearer_auth" = [])),
    responses((status = 201, body = NewApiKey, headers(
        ("Location" = String, description = "The new key's URL"),
    )))
)]
#[post("")]
pub async fn create_api_key(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<OrgPath>,
    body: JsonBody<CreateApiKey>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let claims = access.require(Role::Admin)?;
    let body = body.0;
    let now = veikart_store::now();
    let expires_at = checked_expiry(body.expires_at, now)?;
    may_make(claims, body.role)?;
    let actor = claims.sub.clone();
    let minted = mint()?;
    let (digest, prefix) = (minted.digest.clone(), minted.prefix.clone());
    let name = body.name.into_string();
    let role = Stored(body.role);
    let row = state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            let new = StoredKey {
                org_id,
                digest,
                prefix,
                name,
                role,
                created_by: actor.clone(),
                created_at: now,
                expires_at,
                rolled_from: None,
            };
            store::create(tx, &actor, new)
        })
        .await?;
    let location = format!("/api/v1/orgs/{}/api-keys/{}", path.org, row.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(shown_once(row, &minted.secret)?))
}
