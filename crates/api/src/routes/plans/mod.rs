//! `/api/v1/orgs/{org}/plans`: action plans. Viewers read, editors create and change,
//! admins delete. Published plans can be read without a token.

mod create;
mod delete;
mod get;
mod list;
mod update;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veikart_domain::{PlanFields, PlanStatus, Validator};
use veikart_store::StoreError;
use veikart_store::plans::{self as store, PlanValues};

use crate::error::ApiError;
use crate::time::utc;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create::create_plan)
        .service(list::list_plans)
        .service(get::get_plan)
        .service(update::update_plan)
        .service(delete::delete_plan);
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
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the ETag is `"v<version>"`.
    pub version: i32,
}

impl TryFrom<store::Plan> for Plan {
    type Error = ApiError;

    fn try_from(p: store::Plan) -> Result<Self, ApiError> {
        Ok(Self {
            status: p.status.parse().map_err(ApiError::Internal)?,
            id: p.id,
            title: p.title,
            period_start: p.period_start,
            period_end: p.period_end,
            adopted_on: p.adopted_on,
            adopted_by: p.adopted_by,
            published: p.published,
            intro: p.intro,
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

/// Checks a plan's fields together and turns them into the stored values.
fn checked_values(fields: PlanFields) -> Result<PlanValues, Vec<veikart_domain::FieldError>> {
    let mut v = Validator::new();
    fields.validate(&mut v);
    v.finish()?;
    Ok(PlanValues {
        title: fields.title.trim().to_owned(),
        period_start: fields.period_start,
        period_end: fields.period_end,
        status: fields.status.as_str().to_owned(),
        adopted_on: fields.adopted_on,
        adopted_by: fields.adopted_by.map(|s| s.trim().to_owned()),
        published: fields.published,
        intro: fields.intro,
    })
}

/// A stored plan's fields, to merge a change into.
fn stored_fields(p: &store::Plan) -> Result<PlanFields, StoreError> {
    Ok(PlanFields {
        title: p.title.clone(),
        period_start: p.period_start,
        period_end: p.period_end,
        status: p.status.parse().map_err(StoreError::Corrupt)?,
        adopted_on: p.adopted_on,
        adopted_by: p.adopted_by.clone(),
        published: p.published,
        intro: p.intro.clone(),
    })
}
