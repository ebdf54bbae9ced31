//! The operations on strategies.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use veikart_domain::{Date, Role};
use veikart_store::strategies::{self as store, StrategyValues};
use veikart_store::{goals, plans};

use super::{CreateStrategy, Strategy, StrategyPath, UpdateStrategy, checked};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::etag;
use crate::json::JsonBody;
use crate::pagination::{Page, PageParams};
use crate::routes::orgs::OrgPath;
use crate::routes::patch::apply;
use crate::routes::resource::refuse_while;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// List the organisation's strategies, oldest first (`viewer`).
#[utoipa::path(
    get, path = "/orgs/{org}/strategies", tag = "strategies",
    params(OrgPath, PageParams),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Page<Strategy>))
)]
#[get("/orgs/{org}/strategies")]
pub async fn list_strategies(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<OrgPath>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    access.require(Role::Viewer)?;
    let page = state
        .db(move |conn| store::list(conn, access.org(), request))
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_store(page, Strategy::from)))
}

/// Create a strategy (`editor`).
#[utoipa::path(
    post, path = "/orgs/{org}/strategies", tag = "strategies",
    params(OrgPath),
    request_body = CreateStrategy,
    security(("bearer_auth" = [])),
    responses((status = 201, body = Strategy, headers(
        ("ETag" = String, description = "The version, for If-Match"),
        ("Location" = String, description = "The new strategy's URL"),
    )))
)]
#[post("/orgs/{org}/strategies")]
pub async fn create_strategy(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<OrgPath>,
    body: JsonBody<CreateStrategy>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Editor)?.sub.clone();
    let body = body.0;
    let values = checked(StrategyValues {
        title: body.title,
        period_start: body.period_start.get(),
        period_end: body.period_end.get(),
        vision: body.vision,
        mission: body.mission,
    })?;
    let strategy = Strategy::from(
        state
            .write(move |tx| {
                let org_id = access.org_id(tx)?;
                store::insert(tx, org_id, &actor, values)
            })
            .await?,
    );
    Ok(etag::created(
        &req,
        strategy.version,
        &strategy,
        &format!("/api/v1/orgs/{}/strategies/{}", path.org, strategy.id),
    ))
}

/// Get a strategy (`viewer`).
#[utoipa::path(
    get, path = "/orgs/{org}/strategies/{id}", tag = "strategies",
    params(StrategyPath, ("If-None-Match" = Option<String>, Header, description = "An ETag; 304 when it is current")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, body = Strategy, headers(("ETag" = String, description = "The version, for If-Match"))),
        (status = 304, description = "The copy named by If-None-Match is current"),
    )
)]
#[get("/orgs/{org}/strategies/{id}")]
pub async fn get_strategy(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<StrategyPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    access.require(Role::Viewer)?;
    let id = path.id;
    let strategy = Strategy::from(
        state
            .db(move |conn| store::get(conn, access.org(), id))
            .await?,
    );
    Ok(etag::versioned(
        &req,
        StatusCode::OK,
        strategy.version,
        &strategy,
    ))
}

/// Change a strategy (`editor`); honours `If-Match`.
#[utoipa::path(
    patch, path = "/orgs/{org}/strategies/{id}", tag = "strategies",
    params(StrategyPath, ("If-Match" = Option<String>, Header, description = "The ETag of the version being changed; 412 when stale")),
    request_body = UpdateStrategy,
    security(("bearer_auth" = [])),
    responses((status = 200, body = Strategy, headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/orgs/{org}/strategies/{id}")]
pub async fn update_strategy(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<StrategyPath>,
    body: JsonBody<UpdateStrategy>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Editor)?.sub.clone();
    let expected = etag::if_match(&req)?;
    let (id, body) = (path.id, body.0);
    let strategy = state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            store::update(tx, org_id, id, &actor, expected.as_deref(), |_, current| {
                checked(StrategyValues {
                    title: body.title.unwrap_or_else(|| current.title.clone()),
                    period_start: body.period_start.map_or(current.period_start, Date::get),
                    period_end: body.period_end.map_or(current.period_end, Date::get),
                    vision: apply(body.vision, current.vision.clone()),
                    mission: apply(body.mission, current.mission.clone()),
                })
            })
        })
        .await?;
    let strategy = Strategy::from(strategy);
    Ok(etag::versioned(
        &req,
        StatusCode::OK,
        strategy.version,
        &strategy,
    ))
}

/// Delete a strategy that no plan follows and that has no goals (`admin`); honours
/// `If-Match`.
#[utoipa::path(
    delete, path = "/orgs/{org}/strategies/{id}", tag = "strategies",
    params(StrategyPath, ("If-Match" = Option<String>, Header, description = "The ETag of the version being deleted; 412 when stale")),
    security(("bearer_auth" = [])),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/orgs/{org}/strategies/{id}")]
pub async fn delete_strategy(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<StrategyPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Admin)?.sub.clone();
    let expected = etag::if_match(&req)?;
    let id = path.id;
    state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            store::delete(tx, org_id, id, &actor, expected.as_deref(), |tx, s| {
                refuse_while(plans::count_for_strategy(tx, org_id, s.id)?, "plan(s)")?;
                refuse_while(goals::count_for_strategy(tx, org_id, s.id)?, "goal(s)")
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
