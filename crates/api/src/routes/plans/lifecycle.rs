//! A plan's lifecycle: `draft → adopted → archived`, published or not; an adopted plan
//! goes back to draft only through `revise`, which keeps the adopted version readable.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use veikart_domain::Date;
use veikart_domain::events::{Event, PlanChanged, PlanStep};
use veikart_domain::text::Title;
use veikart_domain::{PlanFields, PlanStatus, Role};
use veikart_store::plans::{self as store, PlanValues};
use veikart_store::revisions::{self, NewPlanRevision};
use veikart_store::{StoreError, Tx, events};

use super::{Plan, PlanPath, checked_values, stored_fields};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::etag;
use crate::json::JsonBody;
use crate::state::AppState;
use crate::tenancy::OrgAccess;
use veikart_store::TenantTable;

/// Applies one lifecycle step to the plan in a write transaction, with the step's event,
/// and answers with the plan's new version.
async fn step<F>(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<PlanPath>,
    (role, taken): (Role, PlanStep),
    change: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut Tx<'_>, &store::Plan) -> Result<PlanValues, StoreError> + Send + 'static,
{
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(role)?.sub.clone();
    let expected = etag::if_match(&req)?;
    let id = path.id;
    let plan = state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            let plan = store::Rows::update(tx, org_id, id, &actor, expected.as_deref(), change)?;
            events::emit(tx, org_id, &plan_event(taken, &plan)?)?;
            Ok(plan)
        })
        .await?;
    let plan = Plan::try_from(plan)?;
    Ok(etag::versioned(&req, StatusCode::OK, plan.version, &plan))
}

async fn set_published(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<PlanPath>,
    published: bool,
) -> Result<HttpResponse, ApiError> {
    let taken = if published {
        PlanStep::Publish
    } else {
        PlanStep::Unpublish
    };
    let publish = (Role::Editor, taken);
    step(req, state, auth, path, publish, move |_, current| {
        let fields = stored_fields(current)?;
        checked_values(
            PlanFields {
                published,
                ..fields
            },
            current.strategy_id,
            current.revision,
        )
    })
    .await
}

/// The event of a lifecycle step, telling the plan as the step left it.
fn plan_event(taken: PlanStep, plan: &store::Plan) -> Result<Event, StoreError> {
    let fields = stored_fields(plan)?;
    let changed = PlanChanged {
        plan_id: plan.id,
        title: fields.title,
        status: fields.status,
        published: fields.published,
        revision: plan.revision,
    };
    Ok(Event::plan(taken, changed))
}

fn conflict(message: String) -> StoreError {
    StoreError::Conflict {
        field: None,
        message,
    }
}

/// Who adopted the plan, and when.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdoptPlan {
    #[schema(example = "2022-03-24")]
    pub adopted_on: Date,
    /// The body that adopted it, e.g. "årsmøtet" (the annual meeting).
    pub adopted_by: Title,
}

/// Adopt a draft plan (`admin`): its period, focus areas and KPI definitions are frozen
/// from now on. Honours `If-Match`.
#[utoipa::path(
    post, path = "/{id}/adopt", tag = "plans",
    params(PlanPath, ("If-Match" = Option<String>, Header, description = "The ETag of the version being adopted; 412 when stale")),
    request_body = AdoptPlan,
    security(("bearer_auth" = [])),
    responses((status = 200, body = Plan, headers(("ETag" = String, description = "The new version"))))
)]
#[post("/{id}/adopt")]
pub async fn adopt_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<PlanPath>,
    body: JsonBody<AdoptPlan>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let adopt = (Role::Admin, PlanStep::Adopt);
    step(req, state, auth, path, adopt, move |_, current| {
        let was = stored_fields(current)?;
        let was_status = was.status;
        // Check the body before the state, so that a bad request says so in any state.
        let adopted = checked_values(
            PlanFields {
                status: PlanStatus::Adopted,
                adopted_on: Some(body.adopted_on.get()),
                adopted_by: Some(body.adopted_by),
                ..was
            },
            current.strategy_id,
            current.revision,
        )?;
        if was_status != PlanStatus::Draft {
            return Err(conflict(format!(
                "only a draft can be adopted; this plan is {was_status}"
            )));
        }
        Ok(adopted)
    })
    .await
}

/// Publish a plan (`editor`): anonymous readers may then read it and its document.
#[utoipa::path(
    post, path = "/{id}/publish", tag = "plans",
    params(PlanPath, ("If-Match" = Option<String>, Header, description = "The ETag of the version being changed; 412 when stale")),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Plan, headers(("ETag" = String, description = "The new version"))))
)]
#[post("/{id}/publish")]
pub async fn publish_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<PlanPath>,
) -> Result<HttpResponse, ApiError> {
    set_published(req, state, auth, path, true).await
}

/// Withdraw a plan from anonymous readers (`editor`).
#[utoipa::path(
    post, path = "/{id}/unpublish", tag = "plans",
    params(PlanPath, ("If-Match" = Option<String>, Header, description = "The ETag of the version being changed; 412 when stale")),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Plan, headers(("ETag" = String, description = "The new version"))))
)]
#[post("/{id}/unpublish")]
pub async fn unpublish_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<PlanPath>,
) -> Result<HttpResponse, ApiError> {
    set_published(req, state, auth, path, false).await
}

/// Archive a plan (`admin`): it stays readable, frozen.
#[utoipa::path(
    post, path = "/{id}/archive", tag = "plans",
    params(PlanPath, ("If-Match" = Option<String>, Header, description = "The ETag of the version being archived; 412 when stale")),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Plan, headers(("ETag" = String, description = "The new version"))))
)]
#[post("/{id}/archive")]
pub async fn archive_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<PlanPath>,
) -> Result<HttpResponse, ApiError> {
    let archive = (Role::Admin, PlanStep::Archive);
    step(req, state, auth, path, archive, |_, current| {
        let fields = stored_fields(current)?;
        if fields.status == PlanStatus::Archived {
            return Err(conflict("the plan is archived already".into()));
        }
        checked_values(
            PlanFields {
                status: PlanStatus::Archived,
                ..fields
            },
            current.strategy_id,
            current.revision,
        )
    })
    .await
}

/// Return an adopted plan to draft so that its structure can change (`admin`). The
/// adopted version is kept, numbered, under `…/revisions/{revision}`.
#[utoipa::path(
    post, path = "/{id}/revise", tag = "plans",
    params(PlanPath, ("If-Match" = Option<String>, Header, description = "The ETag of the version being revised; 412 when stale")),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Plan, headers(("ETag" = String, description = "The new version"))))
)]
#[post("/{id}/revise")]
pub async fn revise_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<PlanPath>,
) -> Result<HttpResponse, ApiError> {
    let revise = (Role::Admin, PlanStep::Revise);
    step(req, state, auth, path, revise, |tx, current| {
        let fields = stored_fields(current)?;
        if fields.status != PlanStatus::Adopted {
            return Err(conflict(format!(
                "only an adopted plan can be revised; this plan is {}",
                fields.status
            )));
        }
        let document = veikart_store::documents::export(tx, current)?;
        let revision = current.revision + 1;
        revisions::insert(
            tx,
            NewPlanRevision {
                org_id: current.org_id,
                plan_id: current.id,
                revision,
                adopted_on: current.adopted_on,
                adopted_by: current.adopted_by.clone(),
                document: serde_json::to_string(&document)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                created_at: veikart_store::now(),
            },
        )?;
        checked_values(
            PlanFields {
                status: PlanStatus::Draft,
                adopted_on: None,
                adopted_by: None,
                ..fields
            },
            current.strategy_id,
            revision,
        )
    })
    .await
}
