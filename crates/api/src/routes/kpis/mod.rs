//! `/api/v1/orgs/{org}/plans/{plan_id}/kpis`: KPI definitions (result targets) — what is
//! counted or measured, over which records, towards which target. Part of the plan's
//! structure: frozen once the plan is adopted. A KPI may sit in a focus area and may
//! measure a goal of the plan or of its strategy.

mod handlers;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use veikart_domain::Date;
use veikart_domain::document::KpiDocument;
use veikart_domain::kpi::{Direction, KpiSource};
use veikart_domain::number::Tolerance;
use veikart_domain::text::{Label, Title};
use veikart_domain::{FieldError, Validator};
use veikart_store::kpis::{self as store, KpiValues};
use veikart_store::plans::Plan;
use veikart_store::{DbConnection, StoreError, Tx, focus_areas, goals};

use super::patch::{apply, nullable};
use super::resource::PlanChild;
use super::resource::plan::same_plan;
use crate::error::ApiError;
use crate::time::utc;

pub use handlers::configure;
use veikart_store::{ChildTable, TenantTable};

/// A KPI definition as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct Kpi {
    pub id: i64,
    pub plan_id: i64,
    pub focus_area_id: Option<i64>,
    pub goal_id: Option<i64>,
    /// A short label, e.g. `1a`.
    pub code: Option<String>,
    pub title: String,
    pub source: KpiSource,
    pub direction: Direction,
    pub target: f64,
    pub baseline: Option<f64>,
    /// Own period; `null` means the plan's.
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    /// How far below the expected pace still counts as `at_risk`, as a share of the
    /// distance to the target.
    pub tolerance: f64,
    pub unit: Option<String>,
    /// Order among the plan's KPIs.
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKpi {
    /// The focus area (of this plan) the KPI belongs to.
    pub focus_area_id: Option<i64>,
    /// The measurable goal (of this plan or its strategy) the KPI measures.
    pub goal_id: Option<i64>,
    pub code: Option<Label>,
    pub title: Title,
    pub source: KpiSource,
    pub direction: Direction,
    #[schema(example = 40)]
    pub target: f64,
    pub baseline: Option<f64>,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    /// Default 0.10.
    pub tolerance: Option<Tolerance>,
    pub unit: Option<Label>,
    /// Order among the plan's KPIs (default: last).
    pub position: Option<i32>,
}

/// The fields to change; absent fields stay as they are, `null` clears a nullable one.
/// A given `source` replaces the whole source. The result is checked whole.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateKpi {
    #[serde(default, deserialize_with = "nullable")]
    pub focus_area_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub goal_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub code: Option<Option<Label>>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub title: Option<Title>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub source: Option<KpiSource>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub direction: Option<Direction>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub target: Option<f64>,
    #[serde(default, deserialize_with = "nullable")]
    pub baseline: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub period_start: Option<Option<Date>>,
    #[serde(default, deserialize_with = "nullable")]
    pub period_end: Option<Option<Date>>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub tolerance: Option<Tolerance>,
    #[serde(default, deserialize_with = "nullable")]
    pub unit: Option<Option<Label>>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub position: Option<i32>,
}

/// Where a KPI sits and what it measures, checked against the plan.
struct Placement {
    focus_area_id: Option<i64>,
    goal_id: Option<i64>,
    position: i32,
}

/// Validates the definition against the plan and its references, then stores it.
fn checked_values(
    conn: &mut DbConnection,
    plan: &Plan,
    kpi: &KpiDocument,
    at: Placement,
) -> Result<KpiValues, StoreError> {
    let mut v = Validator::new();
    kpi.validate(plan.period_start, plan.period_end, &mut v);
    let mut errors = v.finish().err().unwrap_or_default();
    if let Some(id) = at.focus_area_id
        && let Err(StoreError::Invalid(e)) = same_plan(
            focus_areas::Rows::get(conn, plan.org_id, id),
            |a| a.plan_id,
            plan,
            "focus_area_id",
            "focus area",
        )
    {
        errors.extend(e);
    }
    if let Some(id) = at.goal_id {
        let goal = goals::Rows::get(conn, plan.org_id, id);
        match goal {
            Ok(g)
                if g.plan_id != Some(plan.id)
                    && (g.strategy_id.is_none() || g.strategy_id != plan.strategy_id) =>
            {
                errors.push(FieldError::new(
                    "goal_id",
                    "the goal belongs neither to this plan nor to its strategy",
                ))
            }
            Ok(g) if !g.measurable => errors.push(FieldError::new(
                "goal_id",
                "the goal is qualitative: it takes check-ins, not KPIs",
            )),
            Ok(_) => {}
            Err(StoreError::NotFound) => errors.push(FieldError::new(
                "goal_id",
                "no such goal in this organisation",
            )),
            Err(e) => return Err(e),
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    store::values_from_document(plan.id, at.focus_area_id, at.goal_id, at.position, kpi)
}

/// KPI definitions as a [`PlanChild`].
pub struct Kpis;

impl PlanChild for Kpis {
    type Rows = store::Rows;
    type Wire = Kpi;
    type Create = CreateKpi;
    type Update = UpdateKpi;
    const SEGMENT: &'static str = "kpis";
    const STRUCTURAL: bool = true;

    fn wire(r: store::Kpi) -> Result<Kpi, ApiError> {
        let document = store::document_from_row(&r, None)?;
        Ok(Kpi {
            id: r.id,
            plan_id: r.plan_id,
            focus_area_id: r.focus_area_id,
            goal_id: r.goal_id,
            code: document.code.map(String::from),
            title: document.title.into(),
            source: document.source,
            direction: document.direction,
            target: document.target,
            baseline: document.baseline,
            period_start: document.period_start,
            period_end: document.period_end,
            tolerance: document.tolerance,
            unit: document.unit.map(String::from),
            position: r.position,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            version: r.version,
        })
    }
    fn created(tx: &mut Tx<'_>, plan: &Plan, body: CreateKpi) -> Result<KpiValues, StoreError> {
        let position = match body.position {
            Some(p) => p,
            None => {
                i32::try_from(store::Rows::count_for(tx, plan.org_id, plan.id)?).unwrap_or(i32::MAX)
            }
        };
        let kpi = KpiDocument {
            code: body.code,
            title: body.title,
            goal: None,
            source: body.source,
            direction: body.direction,
            target: body.target,
            baseline: body.baseline,
            period_start: body.period_start,
            period_end: body.period_end,
            tolerance: body.tolerance.unwrap_or_default().get(),
            unit: body.unit,
        };
        let placement = Placement {
            focus_area_id: body.focus_area_id,
            goal_id: body.goal_id,
            position,
        };
        checked_values(tx, plan, &kpi, placement)
    }
    fn changed(
        tx: &mut Tx<'_>,
        plan: &Plan,
        current: &store::Kpi,
        body: UpdateKpi,
    ) -> Result<KpiValues, StoreError> {
        let now = store::document_from_row(current, None)?;
        let kpi = KpiDocument {
            code: apply(body.code, now.code),
            title: body.title.unwrap_or(now.title),
            goal: None,
            source: body.source.unwrap_or(now.source),
            direction: body.direction.unwrap_or(now.direction),
            target: body.target.unwrap_or(now.target),
            baseline: apply(body.baseline, now.baseline),
            period_start: apply(body.period_start, now.period_start),
            period_end: apply(body.period_end, now.period_end),
            tolerance: body.tolerance.map_or(now.tolerance, Tolerance::get),
            unit: apply(body.unit, now.unit),
        };
        let placement = Placement {
            focus_area_id: apply(body.focus_area_id, current.focus_area_id),
            goal_id: apply(body.goal_id, current.goal_id),
            position: body.position.unwrap_or(current.position),
        };
        checked_values(tx, plan, &kpi, placement)
    }
}
