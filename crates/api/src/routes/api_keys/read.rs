//! `GET /orgs/{org}/api-keys` and `GET …/{id}`: the keys, never the key text.

use actix_web::{HttpResponse, get, web};
use veikart_domain::Role;
use veikart_store::api_keys as store;

use super::{ApiKey, ApiKeyPath};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::pagination::{Page, PageParams};
use crate::query::Query;
use crate::routes::orgs::OrgPath;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// List the organisation's API keys, newest first, revoked and expired ones included
/// (`admin`).
#[utoipa::path(
    get, path = "", tag = "api keys",
    params(OrgPath, PageParams),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Page<ApiKey>))
)]
#[get("")]
pub async fn list_api_keys(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<OrgPath>,
    page: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    access.require(Role::Admin)?;
    let page = state
        .db(move |conn| store::list(conn, access.org(), request))
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_store(page, ApiKey::from)))
}

/// Get one API key, without the key itself (`admin`).
#[utoipa::path(
    get, path = "/{id}", tag = "api keys",
    params(ApiKeyPath),
    security(("bearer_auth" = [])),
    responses((status = 200, body = ApiKey))
)]
#[get("/{id}")]
pub async fn get_api_key(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<ApiKeyPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    access.require(Role::Admin)?;
    let id = path.id;
    let key = state
        .db(move |conn| store::get(conn, access.org(), id))
        .await?;
    Ok(HttpResponse::Ok().json(ApiKey::from(key)))
}
