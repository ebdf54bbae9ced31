//! `/api/v1/orgs/{org}/strategies`: multi-year strategies (vision, mission, goals) that
//! plans follow. Viewers read, editors write. Deleting one is refused while plans follow
//! it or goals belong to it.

mod handlers;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veikart_domain::text::{LongText, Title};
use veikart_domain::tree::check_period;
use veikart_domain::{Date, Role, Validator};
use veikart_store::strategies::{self as store, StrategyValues};
use veikart_store::{DbConnection, Org, Page, PageRequest, StoreError, Tx, goals, plans};

use super::patch::{apply, texts};
use super::resource::org::{NoFilter, OrgChild, OrgItem, OrgScoped};
use super::resource::refuse_while;
use crate::error::ApiError;
use crate::time::utc;

pub use handlers::configure;

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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStrategy {
    pub title: Title,
    #[schema(example = "2020-01-01")]
    pub period_start: Date,
    #[schema(example = "2023-12-31")]
    pub period_end: Date,
    pub vision: Option<LongText>,
    pub mission: Option<LongText>,
}

/// The fields to change; absent fields stay as they are, `null` clears a nullable one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateStrategy {
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub title: Option<Title>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub period_start: Option<Date>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub period_end: Option<Date>,
    #[serde(default, deserialize_with = "crate::routes::patch::nullable")]
    pub vision: Option<Option<LongText>>,
    #[serde(default, deserialize_with = "crate::routes::patch::nullable")]
    pub mission: Option<Option<LongText>>,
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

impl OrgScoped for StrategyPath {
    type Parent = ();
    fn org(&self) -> &str {
        &self.org
    }
    fn parent(&self) {}
}

impl OrgItem for StrategyPath {
    fn id(&self) -> i64 {
        self.id
    }
}

/// The fields keep their rules by their types; the period is checked across them.
fn checked(values: StrategyValues) -> Result<StrategyValues, StoreError> {
    let mut v = Validator::new();
    check_period(&mut v, values.period_start, values.period_end);
    v.finish().map_err(StoreError::Invalid)?;
    Ok(values)
}

/// Strategies as an [`OrgChild`]: deleting one needs `admin`, and is refused while plans
/// follow it or goals belong to it.
pub struct Strategies;

impl OrgChild for Strategies {
    type Rows = store::Rows;
    type Wire = Strategy;
    type Create = CreateStrategy;
    type Update = UpdateStrategy;
    type Filter = NoFilter;
    type Parent = ();
    const SEGMENT: &'static str = "strategies";
    const DELETE_ROLE: Role = Role::Admin;

    fn page(
        conn: &mut DbConnection,
        org: Org<'_>,
        (): (),
        _: NoFilter,
        page: PageRequest,
    ) -> Result<Page<store::Strategy>, StoreError> {
        store::list(conn, org, page)
    }
    fn wire(s: store::Strategy) -> Result<Strategy, ApiError> {
        Ok(Strategy {
            id: s.id,
            title: s.title,
            period_start: s.period_start,
            period_end: s.period_end,
            vision: s.vision,
            mission: s.mission,
            created_at: utc(s.created_at),
            updated_at: utc(s.updated_at),
            version: s.version,
        })
    }
    fn created(
        _tx: &mut Tx<'_>,
        _org_id: i64,
        (): (),
        _actor: &str,
        body: CreateStrategy,
    ) -> Result<StrategyValues, StoreError> {
        checked(StrategyValues {
            title: body.title.into(),
            period_start: body.period_start.get(),
            period_end: body.period_end.get(),
            vision: body.vision.map(String::from),
            mission: body.mission.map(String::from),
        })
    }
    fn changed(
        _tx: &mut Tx<'_>,
        _org_id: i64,
        current: &store::Strategy,
        body: UpdateStrategy,
    ) -> Result<StrategyValues, StoreError> {
        checked(StrategyValues {
            title: body
                .title
                .map_or_else(|| current.title.clone(), String::from),
            period_start: body.period_start.map_or(current.period_start, Date::get),
            period_end: body.period_end.map_or(current.period_end, Date::get),
            vision: apply(texts(body.vision), current.vision.clone()),
            mission: apply(texts(body.mission), current.mission.clone()),
        })
    }
    fn deletable(
        tx: &mut Tx<'_>,
        org_id: i64,
        strategy: &store::Strategy,
    ) -> Result<(), StoreError> {
        refuse_while(
            plans::count_for_strategy(tx, org_id, strategy.id)?,
            "plan(s)",
        )?;
        refuse_while(
            goals::count_for_strategy(tx, org_id, strategy.id)?,
            "goal(s)",
        )
    }
}
