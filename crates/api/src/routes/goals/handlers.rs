//! The operations on goals.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use veikart_domain::Role;
use veikart_store::goals::{self as store, GoalFilter, GoalValues};
use veikart_store::{StoreError, kpis};

use super::{CreateGoal, Goal, GoalFilterParams, GoalPath, UpdateGoal, checked};
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

/// List goals, oldest first, optionally of one strategy or plan (`viewer`).
#[utoipa::path(
    get, path = "/orgs/{org}/goals", tag = "goals",
    params(OrgPath, GoalFilterParams, PageParams),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Page<Goal>))
)]
#[get("/orgs/{org}/goals")]
pub async fn list_goals(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<OrgPath>,
    filter: web::Query<GoalFilterParams>,
    page: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    access.require(Role::Viewer)?;
    let filter = GoalFilter {
        strategy_id: filter.strategy_id,
        plan_id: filter.plan_id,
    };
    let page = state
        .db(move |conn| store::list(conn, access.org(), filter, request))
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_store(page, Goal::from)))
}

/// Create a goal of a strategy or of a plan (`editor`). The key is unique within its
/// strategy or plan (409).
#[utoipa::path(
    post, path = "/orgs/{org}/goals", tag = "goals",
    params(OrgPath),
    request_body = CreateGoal,
    security(("bearer_auth" = [])),
    responses((status = 201, body = Goal, headers(
        ("ETag" = String, description = "The version, for If-Match"),
        ("Location" = String, description = "The new goal's URL"),
    ), links(
        ("GetGoal" = (operation_id = "get_goal", parameters(("org" = "$request.path.org"), ("id" = "$response.body#/id")))),
        ("CheckIn" = (operation_id = "create_check_in", parameters(("org" = "$request.path.org"), ("goal_id" = "$response.body#/id")))),
    )))
)]
#[post("/orgs/{org}/goals")]
pub async fn create_goal(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<OrgPath>,
    body: JsonBody<CreateGoal>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Editor)?.sub.clone();
    let body = body.0;
    let goal = state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            let values = GoalValues {
                strategy_id: body.strategy_id,
                plan_id: body.plan_id,
                key: body.key,
                title: body.title,
                description: body.description,
                measurable: body.measurable,
                position: body.position.unwrap_or(0),
            };
            let values = checked(tx, org_id, values, None)?;
            store::insert(tx, org_id, &actor, values)
        })
        .await?;
    let goal = Goal::from(goal);
    Ok(etag::created(
        &req,
        goal.version,
        &goal,
        &format!("/api/v1/orgs/{}/goals/{}", path.org, goal.id),
    ))
}

/// Get a goal (`viewer`).
#[utoipa::path(
    get, path = "/orgs/{org}/goals/{id}", tag = "goals",
    params(GoalPath, ("If-None-Match" = Option<String>, Header, description = "An ETag; 304 when it is current")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, body = Goal, headers(("ETag" = String, description = "The version, for If-Match"))),
        (status = 304, description = "The copy named by If-None-Match is current"),
    )
)]
#[get("/orgs/{org}/goals/{id}")]
pub async fn get_goal(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<GoalPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    access.require(Role::Viewer)?;
    let id = path.id;
    let goal = Goal::from(
        state
            .db(move |conn| store::get(conn, access.org(), id))
            .await?,
    );
    Ok(etag::versioned(&req, StatusCode::OK, goal.version, &goal))
}

/// Change a goal (`editor`); honours `If-Match`. A goal that KPIs measure cannot become
/// qualitative (409).
#[utoipa::path(
    patch, path = "/orgs/{org}/goals/{id}", tag = "goals",
    params(GoalPath, ("If-Match" = Option<String>, Header, description = "The ETag of the version being changed; 412 when stale")),
    request_body = UpdateGoal,
    security(("bearer_auth" = [])),
    responses((status = 200, body = Goal, headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/orgs/{org}/goals/{id}")]
pub async fn update_goal(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<GoalPath>,
    body: JsonBody<UpdateGoal>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Editor)?.sub.clone();
    let expected = etag::if_match(&req)?;
    let (id, body) = (path.id, body.0);
    let goal = state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            store::update(
                tx,
                org_id,
                id,
                &actor,
                expected.as_deref(),
                |tx, current| {
                    let values = GoalValues {
                        strategy_id: current.strategy_id,
                        plan_id: current.plan_id,
                        key: body.key.unwrap_or_else(|| current.key.clone()),
                        title: body.title.unwrap_or_else(|| current.title.clone()),
                        description: apply(body.description, current.description.clone()),
                        measurable: body.measurable.unwrap_or(current.measurable),
                        position: body.position.unwrap_or(current.position),
                    };
                    let values = checked(tx, org_id, values, Some(id))?;
                    if !values.measurable && kpis::count_for_goal(tx, org_id, id)? > 0 {
                        return Err(StoreError::Conflict {
                            field: Some("measurable".into()),
                            message: "KPIs measure this goal; it cannot become qualitative".into(),
                        });
                    }
                    Ok(values)
                },
            )
        })
        .await?;
    let goal = Goal::from(goal);
    Ok(etag::versioned(&req, StatusCode::OK, goal.version, &goal))
}

/// Delete a goal that no KPI measures, with its check-ins (`editor`); honours `If-Match`.
#[utoipa::path(
    delete, path = "/orgs/{org}/goals/{id}", tag = "goals",
    params(GoalPath, ("If-Match" = Option<String>, Header, description = "The ETag of the version being deleted; 412 when stale")),
    security(("bearer_auth" = [])),
    responses((status = 204, description = "Deleted"))
)]
#[delete("/orgs/{org}/goals/{id}")]
pub async fn delete_goal(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<GoalPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Editor)?.sub.clone();
    let expected = etag::if_match(&req)?;
    let id = path.id;
    state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            store::delete(tx, org_id, id, &actor, expected.as_deref(), |tx, goal| {
                refuse_while(kpis::count_for_goal(tx, org_id, goal.id)?, "KPI(s)")
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
