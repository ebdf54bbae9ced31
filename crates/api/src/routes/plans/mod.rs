//! `/api/v1/orgs/{org}/plans`: action plans. Viewers read, editors create and change,
//! admins delete. Published plans can be read without a token.

mod copy;
mod create;
mod delete;
mod document;
mod get;
mod import;
mod lifecycle;
mod list;
mod revisions;
mod update;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veikart_domain::{PlanFields, PlanStatus, Validator};
use veikart_store::error::{stored_text, stored_texts};
use veikart_store::plans::{self as store, PlanValues};
use veikart_store::{DbConnection, StoreError, Stored};

use actix_web::{HttpRequest, HttpResponse};

use crate::error::ApiError;
use crate::etag;
use crate::time::utc;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    // `import` before `{id}`: both are single segments under /plans.
    cfg.service(import::import_plan)
        .service(create::create_plan)
        .service(list::list_plans)
        .service(get::get_plan)
        .service(update::update_plan)
        .service(delete::delete_plan)
        .service(lifecycle::adopt_plan)
        .service(lifecycle::publish_plan)
        .service(lifecycle::unpublish_plan)
        .service(lifecycle::archive_plan)
        .service(lifecycle::revise_plan)
        .service(copy::copy_plan)
        .service(document::get_plan_document)
        .service(revisions::list_plan_revisions)
        .service(revisions::get_plan_revision);
}

/// An action plan (handlingsplan): a period, a lifecycle, an introduction.
#[derive(Debug, Serialize, ToSchema)]
pub struct Plan {
    pub id: i64,
    pub title: String,
    /// First day of the plan (inclusive).
    pub period_start: NaiveDate,
    /// Last day of the plan (inclusive).
    pub period_end: NaiveDate,
    pub status: PlanStatus,
    /// When the plan was adopted (set when `status` is `adopted`).
    pub adopted_on: Option<NaiveDate>,
    /// Who adopted it, e.g. "årsmøtet" (the annual meeting).
    pub adopted_by: Option<String>,
    /// Published plans can be read without a token.
    pub published: bool,
    pub intro: Option<String>,
    /// The strategy the plan follows.
    pub strategy_id: Option<i64>,
    /// How many adopted versions were revised; each is readable under `revisions`.
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the ETag is `"v<version>"`.
    pub version: i32,
}

impl TryFrom<store::Plan> for Plan {
    type Error = ApiError;

    fn try_from(p: store::Plan) -> Result<Self, ApiError> {
        Ok(Self {
            status: p.status.0,
            id: p.id,
            title: p.title,
            period_start: p.period_start,
            period_end: p.period_end,
            adopted_on: p.adopted_on,
            adopted_by: p.adopted_by,
            published: p.published,
            intro: p.intro,
            strategy_id: p.strategy_id,
            revision: p.revision,
            created_at: utc(p.created_at),
            updated_at: utc(p.updated_at),
            version: p.version,
        })
    }
}

/// `{org}` and `{id}` in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PlanPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
    /// The plan's id.
    pub id: i64,
}

/// 201 with a plan just made (by create, import or copy), its ETag and its Location.
fn created(req: &HttpRequest, org: &str, plan: store::Plan) -> Result<HttpResponse, ApiError> {
    let plan = Plan::try_from(plan)?;
    let location = format!("/api/v1/orgs/{org}/plans/{}", plan.id);
    Ok(etag::created(req, plan.version, &plan, &location))
}

/// Checks a plan's fields together and turns them into the stored values.
fn checked_values(
    fields: PlanFields,
    strategy_id: Option<i64>,
    revision: i32,
) -> Result<PlanValues, StoreError> {
    let mut v = Validator::new();
    fields.validate(&mut v);
    v.finish().map_err(StoreError::Invalid)?;
    Ok(PlanValues {
        title: fields.title.into(),
        period_start: fields.period_start,
        period_end: fields.period_end,
        status: Stored(fields.status),
        adopted_on: fields.adopted_on,
        adopted_by: fields.adopted_by.map(String::from),
        published: fields.published,
        intro: fields.intro.map(String::from),
        strategy_id,
        revision,
    })
}

/// A stored plan's fields, to merge a change into.
fn stored_fields(p: &store::Plan) -> Result<PlanFields, StoreError> {
    Ok(PlanFields {
        title: stored_text(&p.title)?,
        period_start: p.period_start,
        period_end: p.period_end,
        status: p.status.0,
        adopted_on: p.adopted_on,
        adopted_by: stored_texts(p.adopted_by.as_deref())?,
        published: p.published,
        intro: stored_texts(p.intro.as_deref())?,
    })
}

/// 409 unless the plan's structure (period, focus areas, KPI definitions) may change: only
/// a draft's may. An adopted plan must be revised first (`POST …/revise`), which keeps the
/// adopted version readable.
pub fn ensure_open_structure(plan: &store::Plan) -> Result<(), StoreError> {
    if plan.status.0 == PlanStatus::Draft {
        Ok(())
    } else {
        Err(StoreError::Conflict {
            field: None,
            message: format!(
                "the plan is {}: its period, focus areas and KPI definitions are frozen; \
                 POST /api/v1/orgs/{{org}}/plans/{}/revise returns it to draft",
                plan.status.0, plan.id
            ),
        })
    }
}

/// 422 unless `strategy_id` names a strategy of the organisation.
fn check_strategy(
    conn: &mut DbConnection,
    org_id: i64,
    strategy_id: Option<i64>,
) -> Result<(), StoreError> {
    match strategy_id.map(|id| veikart_store::strategies::get(conn, org_id, id)) {
        Some(Err(StoreError::NotFound)) => {
            Err(StoreError::Invalid(vec![veikart_domain::FieldError::new(
                "strategy_id",
                "no such strategy in this organisation",
            )]))
        }
        Some(Err(e)) => Err(e),
        _ => Ok(()),
    }
}
