//! `/api/v1/orgs/{org}/goals`: goals of a strategy or of a plan. Measurable goals are
//! measured by KPIs; qualitative goals take dated check-ins under
//! `/goals/{goal_id}/check-ins`. Deleting a goal is refused while KPIs measure it; its
//! check-ins are deleted with it.

mod check_ins;
mod handlers;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veikart_domain::Validator;
use veikart_domain::tree::{
    CheckInStatus, TEXT_MAX, TITLE_MAX, check_goal_key, check_optional_text,
};
use veikart_store::goals::{self as store, GoalValues};
use veikart_store::{DbConnection, StoreError, plans, strategies};

use crate::error::ApiError;
use crate::time::utc;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_goals)
        .service(handlers::create_goal)
        .service(handlers::get_goal)
        .service(handlers::update_goal)
        .service(handlers::delete_goal)
        .service(check_ins::list_check_ins)
        .service(check_ins::create_check_in)
        .service(check_ins::get_check_in)
        .service(check_ins::delete_check_in);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Goal {
    pub id: i64,
    /// Set for a strategy's goal.
    pub strategy_id: Option<i64>,
    /// Set for a plan's own goal.
    pub plan_id: Option<i64>,
    /// A short name, unique within the strategy or plan; plan documents refer to it.
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    /// Measurable goals hold KPIs; qualitative ones take check-ins.
    pub measurable: bool,
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl From<store::Goal> for Goal {
    fn from(g: store::Goal) -> Self {
        Self {
            id: g.id,
            strategy_id: g.strategy_id,
            plan_id: g.plan_id,
            key: g.key,
            title: g.title,
            description: g.description,
            measurable: g.measurable,
            position: g.position,
            created_at: utc(g.created_at),
            updated_at: utc(g.updated_at),
            version: g.version,
        }
    }
}

/// A new goal, of exactly one strategy or plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGoal {
    pub strategy_id: Option<i64>,
    pub plan_id: Option<i64>,
    #[schema(pattern = "^[a-z0-9][a-z0-9_-]{0,63}$", example = "member-growth")]
    pub key: String,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*\\S[^\\u0000]*$",
        example = "Årlig økning på 10 % medlemmer"
    )]
    pub title: String,
    #[schema(max_length = 20000, pattern = "^[^\\u0000]*$")]
    pub description: Option<String>,
    pub measurable: bool,
    /// Order among its siblings (default 0).
    pub position: Option<i32>,
}

/// The fields to change; absent fields stay as they are, `null` clears the description.
/// A goal does not move between strategies and plans.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGoal {
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    #[schema(pattern = "^[a-z0-9][a-z0-9_-]{0,63}$")]
    pub key: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*\\S[^\\u0000]*$"
    )]
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::routes::patch::nullable")]
    #[schema(max_length = 20000, pattern = "^[^\\u0000]*$")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub measurable: Option<bool>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub position: Option<i32>,
}

/// `{org}` and `{id}` in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct GoalPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
    /// The goal's id.
    pub id: i64,
}

/// Whose goals to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GoalFilterParams {
    /// Only this strategy's goals.
    pub strategy_id: Option<i64>,
    /// Only this plan's own goals.
    pub plan_id: Option<i64>,
}

/// A dated assessment of a qualitative goal.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckIn {
    pub id: i64,
    pub goal_id: i64,
    pub checked_on: NaiveDate,
    pub status: CheckInStatus,
    /// 0 (no confidence) to 10 (certain).
    pub confidence: i32,
    pub comment: Option<String>,
    /// Who checked in (the token's `sub`).
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

/// Checks a goal's fields and that its owner exists; a goal has exactly one owner.
fn checked(
    conn: &mut DbConnection,
    org_id: i64,
    values: GoalValues,
    id: Option<i64>,
) -> Result<GoalValues, StoreError> {
    let mut v = Validator::new();
    check_goal_key(&mut v, "key", &values.key);
    v.text("title", &values.title, true, TITLE_MAX);
    check_optional_text(
        &mut v,
        "description",
        values.description.as_deref(),
        TEXT_MAX,
    );
    match (values.strategy_id, values.plan_id) {
        (Some(strategy_id), None) => match strategies::get(conn, org_id, strategy_id) {
            Err(StoreError::NotFound) => v.add("strategy_id", "no such strategy in this organisation"),
            Err(e) => return Err(e),
            Ok(_) => {}
        },
        (None, Some(plan_id)) => match plans::get(conn, org_id, plan_id) {
            Err(StoreError::NotFound) => v.add("plan_id", "no such plan in this organisation"),
            Err(e) => return Err(e),
            Ok(_) => {}
        },
        _ => v.add("strategy_id", "a goal belongs to a strategy or to a plan: give exactly one of strategy_id and plan_id"),
    }
    v.finish().map_err(StoreError::Invalid)?;
    if store::key_taken(conn, org_id, &values, id)? {
        return Err(StoreError::Conflict {
            field: Some("key".into()),
            message: format!(
                "another goal of the same strategy or plan has the key `{}`",
                values.key
            ),
        });
    }
    Ok(GoalValues {
        title: values.title.trim().to_owned(),
        ..values
    })
}

fn check_in_wire(c: veikart_store::check_ins::CheckIn) -> Result<CheckIn, ApiError> {
    Ok(CheckIn {
        status: c.status.parse().map_err(ApiError::Internal)?,
        id: c.id,
        goal_id: c.goal_id,
        checked_on: c.checked_on,
        confidence: c.confidence,
        comment: c.comment,
        author: c.author,
        created_at: utc(c.created_at),
        version: c.version,
    })
}
