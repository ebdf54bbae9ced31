use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veikart_domain::Role;
use veikart_domain::document::PlanDocument;
use veikart_store::revisions::{self as store, PlanRevision};

use super::PlanPath;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::tenancy::OrgAccess;
use crate::time::utc;

/// An adopted version of a plan, kept when the plan was revised.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionSummary {
    /// 1 for the first adopted version that was revised, then 2, ...
    pub revision: i32,
    pub adopted_on: Option<NaiveDate>,
    pub adopted_by: Option<String>,
    /// When the plan was revised (and this version was put aside).
    pub revised_at: DateTime<Utc>,
}

/// An adopted version with its whole document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revision {
    pub revision: i32,
    pub adopted_on: Option<NaiveDate>,
    pub adopted_by: Option<String>,
    pub revised_at: DateTime<Utc>,
    pub document: PlanDocument,
}

fn summary(r: &PlanRevision) -> RevisionSummary {
    RevisionSummary {
        revision: r.revision,
        adopted_on: r.adopted_on,
        adopted_by: r.adopted_by.clone(),
        revised_at: utc(r.created_at),
    }
}

/// `{org}`, `{id}` and `{revision}` in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RevisionPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
    /// The plan's id.
    pub id: i64,
    /// The revision's number.
    pub revision: i32,
}

/// The adopted versions a plan left when it was revised, oldest first (`viewer`).
#[utoipa::path(
    get, path = "/{id}/revisions", tag = "plans",
    params(PlanPath),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Vec<RevisionSummary>))
)]
#[get("/{id}/revisions")]
pub async fn list_plan_revisions(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<PlanPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    access.require(Role::Viewer)?;
    let id = path.id;
    let revisions = state
        .db(move |conn| store::all_for(conn, access.org(), id))
        .await?;
    Ok(HttpResponse::Ok().json(revisions.iter().map(summary).collect::<Vec<_>>()))
}

/// One adopted version with its document as it was adopted (`viewer`).
#[utoipa::path(
    get, path = "/{id}/revisions/{revision}", tag = "plans",
    params(RevisionPath),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Revision))
)]
#[get("/{id}/revisions/{revision}")]
pub async fn get_plan_revision(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<RevisionPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    access.require(Role::Viewer)?;
    let (id, number) = (path.id, path.revision);
    let revision = state
        .db(move |conn| store::get(conn, access.org(), id, number))
        .await?;
    let document: PlanDocument = serde_json::from_str(&revision.document)
        .map_err(|e| ApiError::Internal(format!("stored revision: {e}")))?;
    let head = summary(&revision);
    Ok(HttpResponse::Ok().json(Revision {
        revision: head.revision,
        adopted_on: head.adopted_on,
        adopted_by: head.adopted_by,
        revised_at: head.revised_at,
        document,
    }))
}
