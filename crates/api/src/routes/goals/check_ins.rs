//! Check-ins of qualitative goals: `/orgs/{org}/goals/{goal_id}/check-ins`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use veikart_domain::Date;
use veikart_domain::Role;
use veikart_domain::Validator;
use veikart_domain::tree::{CheckInStatus, check_confidence, check_optional_text};
use veikart_store::StoreError;
use veikart_store::check_ins::{self as store, CheckInValues};
use veikart_store::goals;

use super::{CheckIn, check_in_wire};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::etag;
use crate::json::JsonBody;
use crate::pagination::{Page, PageParams};
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// `{org}` and `{goal_id}` in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct GoalCheckInsPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
    /// The goal's id.
    pub goal_id: i64,
}

/// `{org}`, `{goal_id}` and `{id}` in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CheckInPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
    /// The goal's id.
    pub goal_id: i64,
    /// The check-in's id.
    pub id: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCheckIn {
    #[schema(example = "2022-06-30")]
    pub checked_on: Date,
    pub status: CheckInStatus,
    /// 0 (no confidence) to 10 (certain).
    #[schema(minimum = 0, maximum = 10, example = 7)]
    pub confidence: i32,
    #[schema(max_length = 20000, pattern = "^[^\\u0000]*$")]
    pub comment: Option<String>,
}

/// A goal's check-ins, oldest first (`viewer`).
#[utoipa::path(
    get, path = "/orgs/{org}/goals/{goal_id}/check-ins", tag = "goals",
    params(GoalCheckInsPath, PageParams),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Page<CheckIn>))
)]
#[get("/orgs/{org}/goals/{goal_id}/check-ins")]
pub async fn list_check_ins(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<GoalCheckInsPath>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    access.require(Role::Viewer)?;
    let goal_id = path.goal_id;
    let page = state
        .db(move |conn| {
            let page = store::list_for(conn, access.org(), goal_id, request)?;
            if page.items.is_empty() {
                // No check-ins: is the goal there at all?
                goals::get(conn, access.org(), goal_id)?;
            }
            Ok(page)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::try_from_store(page, check_in_wire)?))
}

/// Record how a qualitative goal is doing (`editor`); the author is the token's `sub`.
/// A measurable goal takes no check-ins: its KPIs measure it (409).
#[utoipa::path(
    post, path = "/orgs/{org}/goals/{goal_id}/check-ins", tag = "goals",
    params(GoalCheckInsPath),
    request_body = CreateCheckIn,
    security(("bearer_auth" = [])),
    responses((status = 201, body = CheckIn, headers(
        ("ETag" = String, description = "The version, for If-Match"),
        ("Location" = String, description = "The new check-in's URL"),
    )))
)]
#[post("/orgs/{org}/goals/{goal_id}/check-ins")]
pub async fn create_check_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<GoalCheckInsPath>,
    body: JsonBody<CreateCheckIn>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Editor)?.sub.clone();
    let (goal_id, body) = (path.goal_id, body.0);
    let mut v = Validator::new();
    check_confidence(&mut v, body.confidence);
    check_optional_text(
        &mut v,
        "comment",
        body.comment.as_deref(),
        veikart_domain::tree::TEXT_MAX,
    );
    v.finish().map_err(ApiError::Validation)?;
    let check_in = state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            let goal = goals::get(tx, org_id, goal_id)?;
            if goal.measurable {
                return Err(StoreError::Conflict {
                    field: None,
                    message: "the goal is measurable: its KPIs measure it, it takes no check-ins"
                        .into(),
                });
            }
            let values = CheckInValues {
                goal_id,
                checked_on: body.checked_on.get(),
                status: body.status.as_str().to_owned(),
                confidence: body.confidence,
                comment: body.comment,
                author: actor.clone(),
            };
            store::insert(tx, org_id, &actor, values)
        })
        .await?;
    let check_in = check_in_wire(check_in)?;
    let location = format!(
        "/api/v1/orgs/{}/goals/{goal_id}/check-ins/{}",
        path.org, check_in.id
    );
    Ok(etag::created(&req, check_in.version, &check_in, &location))
}

/// Get a check-in (`viewer`).
#[utoipa::path(
    get, path = "/orgs/{org}/goals/{goal_id}/check-ins/{id}", tag = "goals",
    params(CheckInPath, ("If-None-Match" = Option<String>, Header, description = "An ETag; 304 when it is current")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, body = CheckIn, headers(("ETag" = String, description = "The version, for If-Match"))),
        (status = 304, description = "The copy named by If-None-Match is current"),
    )
)]
#[get("/orgs/{org}/goals/{goal_id}/check-ins/{id}")]
pub async fn get_check_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<CheckInPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    access.require(Role::Viewer)?;
    let (goal_id, id) = (path.goal_id, path.id);
    let check_in = state
        .db(move |conn| store::get(conn, access.org(), id))
        .await?;
    if check_in.goal_id != goal_id {
        return Err(ApiError::NotFound);
    }
    let check_in = check_in_wire(check_in)?;
    Ok(etag::versioned(
        &req,
        StatusCode::OK,
        check_in.version,
        &check_in,
    ))
}

/// Delete a check-in (`editor`); honours `If-Match`.
#[utoipa::path(
    delete, path = "/orgs/{org}/goals/{goal_id}/check-ins/{id}", tag = "goals",
    params(CheckInPath, ("If-Match" = Option<String>, Header, description = "The ETag of the version being deleted; 412 when stale")),
    security(("bearer_auth" = [])),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/orgs/{org}/goals/{goal_id}/check-ins/{id}")]
pub async fn delete_check_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<CheckInPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Editor)?.sub.clone();
    let expected = etag::if_match(&req)?;
    let (goal_id, id) = (path.goal_id, path.id);
    state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            store::delete(tx, org_id, id, &actor, expected.as_deref(), |_, c| {
                if c.goal_id == goal_id {
                    Ok(())
                } else {
                    Err(StoreError::NotFound)
                }
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
