//! `/api/v1/orgs/{org}/strategies`: multi-year strategies (vision, mission, goals) that
//! plans follow. Viewers read, editors write. Deleting one is refused while plans follow
//! it or goals belong to it.

mod handlers;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veikart_domain::Date;
use veikart_domain::Validator;
use veikart_domain::tree::{TEXT_MAX, TITLE_MAX, check_optional_text, check_period};
use veikart_store::StoreError;
use veikart_store::strategies::{self as store, StrategyValues};

use crate::time::utc;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_strategies)
        .service(handlers::create_strategy)
        .service(handlers::get_strategy)
        .service(handlers::update_strategy)
        .service(handlers::delete_strategy);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Strategy {
    pub id: i64,
    pub title: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub vision: Option<String>,
    pub mission: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<store::Strategy> for Strategy {
    fn from(s: store::Strategy) -> Self {
        Self {
            id: s.id,
            title: s.title,
            period_start: s.period_start,
            period_end: s.period_end,
            vision: s.vision,
            mission: s.mission,
            created_at: utc(s.created_at),
            updated_at: utc(s.updated_at),
            version: s.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStrategy {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*\\S[^\\u0000]*$",
        example = "Strategi for Innovasjon Gardermoen 2020-2023"
    )]
    pub title: String,
    #[schema(example = "2020-01-01")]
    pub period_start: Date,
    #[schema(example = "2023-12-31")]
    pub period_end: Date,
    #[schema(max_length = 20000, pattern = "^[^\\u0000]*$")]
    pub vision: Option<String>,
    #[schema(max_length = 20000, pattern = "^[^\\u0000]*$")]
    pub mission: Option<String>,
}

/// The fields to change; absent fields stay as they are, `null` clears a nullable one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateStrategy {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*\\S[^\\u0000]*$"
    )]
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub period_start: Option<Date>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub period_end: Option<Date>,
    #[serde(default, deserialize_with = "crate::routes::patch::nullable")]
    #[schema(max_length = 20000, pattern = "^[^\\u0000]*$")]
    pub vision: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::routes::patch::nullable")]
    #[schema(max_length = 20000, pattern = "^[^\\u0000]*$")]
    pub mission: Option<Option<String>>,
}

/// `{org}` and `{id}` in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct StrategyPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
    /// The strategy's id.
    pub id: i64,
}

fn checked(values: StrategyValues) -> Result<StrategyValues, StoreError> {
    let mut v = Validator::new();
    v.text("title", &values.title, true, TITLE_MAX);
    check_period(&mut v, values.period_start, values.period_end);
    check_optional_text(&mut v, "vision", values.vision.as_deref(), TEXT_MAX);
    check_optional_text(&mut v, "mission", values.mission.as_deref(), TEXT_MAX);
    v.finish().map_err(StoreError::Invalid)?;
    Ok(StrategyValues {
        title: values.title.trim().to_owned(),
        ..values
    })
}
