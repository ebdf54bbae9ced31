//! `GET /orgs/{org}/webhooks` and `GET …/{id}`: the endpoints, never their secrets.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use veikart_domain::Role;
use veikart_store::webhooks as store;

use super::{Webhook, WebhookPath};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::pagination::{Page, PageParams};
use crate::query::Query;
use crate::routes::orgs::OrgPath;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// List the organisation's webhook endpoints in creation order (`admin`).
#[utoipa::path(
    get, path = "", tag = "webhooks",
    params(OrgPath, PageParams),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Page<Webhook>))
)]
#[get("")]
pub async fn list_webhooks(
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
    Ok(HttpResponse::Ok().json(Page::from_store(page, Webhook::from)))
}

/// Get one webhook endpoint, without its secret (`admin`).
#[utoipa::path(
    get, path = "/{id}", tag = "webhooks",
    params(WebhookPath),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Webhook, headers(
        ("ETag" = String, description = "The endpoint's version"),
    )))
)]
#[get("/{id}")]
pub async fn get_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<WebhookPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    access.require(Role::Admin)?;
    let id = path.id;
    let row = state
        .db(move |conn| store::get(conn, access.org(), id))
        .await?;
    let version = row.version;
    Ok(crate::etag::versioned(
        &req,
        StatusCode::OK,
        version,
        &Webhook::from(row),
    ))
}
