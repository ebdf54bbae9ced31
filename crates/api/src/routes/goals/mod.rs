//! `/api/v1/orgs/{org}/goals`: goals of a strategy or of a plan. Measurable goals are
//! measured by KPIs; qualitative goals take dated check-ins under
//! `/goals/{goal_id}/check-ins`. Deleting a goal is refused while KPIs measure it; its
//! check-ins are deleted with it.

mod check_ins;
mod handlers;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veikart_domain::Validator;
use veikart_domain::text::{GoalKey, LongText, Title};
use veikart_store::goals::{self as store, GoalFilter, GoalValues};
use veikart_store::{
    DbConnection, Org, Page, PageRequest, StoreError, Tx, kpis, plans, strategies,
};

use super::patch::{apply, texts};
use super::resource::org::{OrgChild, OrgItem, OrgScoped};
use super::resource::refuse_while;
use crate::error::ApiError;
use crate::time::utc;

pub use check_ins::{CheckIn, CreateCheckIn};
use veikart_store::TenantTable;

/// Registers the operations on goals and on their check-ins.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    handlers::configure(cfg);
    check_ins::configure(cfg);
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

/// A new goal, of exactly one strategy or plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGoal {
    pub strategy_id: Option<i64>,
    pub plan_id: Option<i64>,
    pub key: GoalKey,
    pub title: Title,
    pub description: Option<LongText>,
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
    pub key: Option<GoalKey>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub title: Option<Title>,
    #[serde(default, deserialize_with = "crate::routes::patch::nullable")]
    pub description: Option<Option<LongText>>,
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

impl OrgScoped for GoalPath {
    type Parent = ();
    fn org(&self) -> &str {
        &self.org
    }
    fn parent(&self) {}
}

impl OrgItem for GoalPath {
    fn id(&self) -> i64 {
        self.id
    }
}

/// Whose goals to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GoalFilterParams {
    /// Only this strategy's goals.
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub strategy_id: Option<i64>,
    /// Only this plan's own goals.
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub plan_id: Option<i64>,
}

/// Checks a goal's fields and that its owner exists; a goal has exactly one owner.
fn checked(
    conn: &mut DbConnection,
    org_id: i64,
    values: GoalValues,
    id: Option<i64>,
) -> Result<GoalValues, StoreError> {
    let mut v = Validator::new();
    match (values.strategy_id, values.plan_id) {
        (Some(strategy_id), None) => match strategies::Rows::get(conn, org_id, strategy_id) {
            Err(StoreError::NotFound) => v.add("strategy_id", "no such strategy in this organisation"),
            Err(e) => return Err(e),
            Ok(_) => {}
        },
        (None, Some(plan_id)) => match plans::Rows::get(conn, org_id, plan_id) {
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
    Ok(values)
}

/// Goals as an [`OrgChild`]: listed by strategy or plan; a goal that KPIs measure is
/// neither made qualitative nor deleted (409).
pub struct Goals;

impl OrgChild for Goals {
    type Rows = store::Rows;
    type Wire = Goal;
    type Create = CreateGoal;
    type Update = UpdateGoal;
    type Filter = GoalFilterParams;
    type Parent = ();
    const SEGMENT: &'static str = "goals";

    fn page(
        conn: &mut DbConnection,
        org: Org<'_>,
        (): (),
        filter: GoalFilterParams,
        page: PageRequest,
    ) -> Result<Page<store::Goal>, StoreError> {
        let filter = GoalFilter {
            strategy_id: filter.strategy_id,
            plan_id: filter.plan_id,
        };
        store::list(conn, org, filter, page)
    }
    fn wire(g: store::Goal) -> Result<Goal, ApiError> {
        Ok(Goal {
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
        })
    }
    fn created(
        tx: &mut Tx<'_>,
        org_id: i64,
        (): (),
        _actor: &str,
        body: CreateGoal,
    ) -> Result<GoalValues, StoreError> {
        let values = GoalValues {
            strategy_id: body.strategy_id,
            plan_id: body.plan_id,
            key: body.key.into(),
            title: body.title.into(),
            description: body.description.map(String::from),
            measurable: body.measurable,
            position: body.position.unwrap_or(0),
        };
        checked(tx, org_id, values, None)
    }
    fn changed(
        tx: &mut Tx<'_>,
        org_id: i64,
        current: &store::Goal,
        body: UpdateGoal,
    ) -> Result<GoalValues, StoreError> {
        let values = GoalValues {
            strategy_id: current.strategy_id,
            plan_id: current.plan_id,
            key: body.key.map_or_else(|| current.key.clone(), String::from),
            title: body
                .title
                .map_or_else(|| current.title.clone(), String::from),
            description: apply(texts(body.description), current.description.clone()),
            measurable: body.measurable.unwrap_or(current.measurable),
            position: body.position.unwrap_or(current.position),
        };
        let values = checked(tx, org_id, values, Some(current.id))?;
        if !values.measurable && kpis::count_for_goal(tx, org_id, current.id)? > 0 {
            return Err(StoreError::Conflict {
                field: Some("measurable".into()),
                message: "KPIs measure this goal; it cannot become qualitative".into(),
            });
        }
        Ok(values)
    }
    fn deletable(tx: &mut Tx<'_>, org_id: i64, goal: &store::Goal) -> Result<(), StoreError> {
        refuse_while(kpis::count_for_goal(tx, org_id, goal.id)?, "KPI(s)")
    }
}
