//! What a plan's scorecard is made of, read in one go: the plan, its KPIs each with the
//! facts it needs at the scorecard's date (the KPI engine's middle step: [`Need::of`]
//! says what, [`facts::measure`] reads it), its focus areas, the goals of the plan and
//! of its strategy, and the qualitative goals' latest check-ins. The API assembles the
//! card from this value without another statement.

use std::collections::HashMap;

use chrono::NaiveDate;
use veikart_domain::engine::{self, KpiResult, Measurement, Need};
use veikart_domain::kpi::KpiDefinition;

use crate::ChildTable;
use crate::check_ins::{self, CheckIn};
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::facts;
use crate::focus_areas::{self, FocusArea};
use crate::goals::{self, Goal};
use crate::kpis::{self, Kpi};
use crate::plans::{self, Plan};
use crate::scope::Org;

/// A plan's scorecard as stored, each part in the card's order.
#[derive(Debug)]
pub struct ScorecardData {
    pub plan: Plan,
    /// Every KPI of the plan, in the plan's order, measured at the scorecard's date.
    pub kpis: Vec<MeasuredKpi>,
    /// The focus areas, in order.
    pub focus_areas: Vec<FocusArea>,
    /// The goals of the plan and of its strategy, in order.
    pub goals: Vec<Goal>,
    /// The latest check-in of each qualitative goal that has one, by goal id.
    pub latest_check_ins: HashMap<i64, CheckIn>,
}

/// A KPI with its definition, its period (its own, or the plan's) and what the records
/// say of it at the scorecard's date.
#[derive(Debug)]
pub struct MeasuredKpi {
    pub row: Kpi,
    pub definition: KpiDefinition,
    pub period: (NaiveDate, NaiveDate),
    pub measured: Measurement,
}

impl MeasuredKpi {
    /// The KPI's result at `as_of` (the date it was measured for): the scorecard's
    /// computation, which the KPI status evaluation shares.
    pub fn result(&self, as_of: NaiveDate) -> KpiResult {
        engine::evaluate(
            self.row.id,
            &self.definition,
            self.period,
            as_of,
            &self.measured,
        )
    }
}

/// Reads what the scorecard of plan `plan_id` at `as_of` is made of (with
/// `published_only`, of a published plan only; 404 otherwise): a statement for the plan,
/// one for its KPIs, each KPI's facts, one for the focus areas, one for the goals, and
/// one for the check-ins when a goal is qualitative.
pub fn load(
    conn: &mut DbConnection,
    org: Org<'_>,
    plan_id: i64,
    published_only: bool,
    as_of: NaiveDate,
) -> Result<ScorecardData, StoreError> {
    let plan = plans::read(conn, org, plan_id, published_only)?;
    let kpis = measured_kpis(conn, &plan, as_of)?;
    let mut focus_areas = focus_areas::Rows::all_for(conn, plan.org_id, plan.id)?;
    focus_areas.sort_by_key(|a| (a.position, a.id));
    let goals = goals::of_plan_and_strategy(conn, plan.org_id, plan.id, plan.strategy_id)?;
    let latest_check_ins = latest_check_ins(conn, plan.org_id, &goals)?;
    Ok(ScorecardData {
        plan,
        kpis,
        focus_areas,
        goals,
        latest_check_ins,
    })
}

/// The plan's KPIs in its order, each measured for what it needs at `as_of`.
pub fn measured_kpis(
    conn: &mut DbConnection,
    plan: &Plan,
    as_of: NaiveDate,
) -> Result<Vec<MeasuredKpi>, StoreError> {
    let org = Org::Id(plan.org_id);
    let mut rows = kpis::Rows::all_for(conn, plan.org_id, plan.id)?;
    rows.sort_by_key(|k| (k.position, k.id));
    rows.into_iter()
        .map(|row| {
            let definition = kpis::definition(&row)?;
            let period = definition.period(plan.period_start, plan.period_end);
            let need = Need::of(&definition, period, as_of);
            let measured = facts::measure(conn, org, &definition.source, &need)?;
            Ok(MeasuredKpi {
                row,
                definition,
                period,
                measured,
            })
        })
        .collect()
}

/// The latest check-in of each qualitative goal among `goals` (no statement when none is
/// qualitative).
fn latest_check_ins(
    conn: &mut DbConnection,
    org_id: i64,
    goals: &[Goal],
) -> Result<HashMap<i64, CheckIn>, StoreError> {
    let qualitative: Vec<i64> = goals
        .iter()
        .filter(|g| !g.measurable)
        .map(|g| g.id)
        .collect();
    if qualitative.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(check_ins::latest_for_goals(conn, org_id, &qualitative)?
        .into_iter()
        .map(|c| (c.goal_id, c))
        .collect())
}
