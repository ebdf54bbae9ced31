//! What a plan's page shows, read in one go: the scorecard — the very computation the JSON
//! and CSV scorecard serve, from the same per-instance cache — and, at the same time on a
//! second connection in one read snapshot, what surrounds it: the organisation, the plan,
//! its focus areas' descriptions and measures, the monthly series behind the sparklines,
//! and for the print view the budget and the activities held.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use veikart_domain::engine::KpiResult;
use veikart_store::budget_lines::{self, BudgetLine};
use veikart_store::measures::{self, Measure};
use veikart_store::organisations::{self, Organisation};
use veikart_store::plans::{self, DataVersion, Plan};
use veikart_store::published::{self, HeldOnDay};
use veikart_store::{DbConnection, Org, StoreError, focus_areas, kpis};

use crate::error::ApiError;
use crate::routes::results::{Computed, Evaluable, cached_scorecard, plan_series};
use crate::state::AppState;
use crate::tenancy::OrgAccess;
use veikart_store::ChildTable;

/// Everything a page of a published plan may show.
pub struct PlanView {
    pub org: Organisation,
    pub plan: Plan,
    pub card: Arc<Computed>,
    pub as_of: NaiveDate,
    /// When the organisation's data last changed.
    pub changed_at: NaiveDateTime,
    /// Each focus area's description, by id.
    pub descriptions: HashMap<i64, String>,
    /// The plan's measures, by focus area then number.
    pub measures: Vec<Measure>,
    /// Each KPI's results at the month ends from its period start to `as_of`.
    pub series: HashMap<i64, Vec<KpiResult>>,
    pub budget: Vec<BudgetLine>,
    /// Activities held from the start of the plan or of its earliest KPI up to `as_of`,
    /// per kind and day.
    pub held: Vec<HeldOnDay>,
}

/// What a page needs beyond the scorecard.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    pub series: bool,
    pub report: bool,
}

/// The data version behind plan `plan_id`'s pages, if the plan is published (404
/// otherwise). One statement.
pub async fn published_version(
    state: &AppState,
    org: &str,
    plan_id: i64,
) -> Result<DataVersion, ApiError> {
    let access = OrgAccess::check(None, org)?;
    state
        .db(move |conn| plans::data_version(conn, access.org(), plan_id, true))
        .await
}

/// Reads what a page of plan `plan_id` at `as_of` shows. The scorecard and what surrounds
/// it are read at the same time, each on its own pooled connection: a cold page then
/// takes about as long as the longer of the two (the scorecard, or the charts' series),
/// not their sum. Both read after `version` was read, so both are at least that new.
pub async fn load(
    state: &AppState,
    org: &str,
    plan_id: i64,
    as_of: NaiveDate,
    version: DataVersion,
    needs: Needs,
) -> Result<PlanView, ApiError> {
    let access = OrgAccess::check(None, org)?;
    let slug = org.to_owned();
    let card = cached_scorecard(state, &access, plan_id, as_of, version);
    let surround = state.compute(move |conn| {
        veikart_store::read_snapshot(conn, |conn| surround(conn, &slug, plan_id, as_of, needs))
    });
    let (card, surround) = futures_util::future::try_join(card, surround).await?;
    let changed_at = surround.org.data_changed_at;
    Ok(PlanView {
        org: surround.org,
        plan: surround.plan,
        card,
        as_of,
        changed_at,
        descriptions: surround.descriptions,
        measures: surround.measures,
        series: surround.series,
        budget: surround.budget,
        held: surround.held,
    })
}

/// What a page shows around the scorecard.
struct Surround {
    org: Organisation,
    plan: Plan,
    descriptions: HashMap<i64, String>,
    measures: Vec<Measure>,
    series: HashMap<i64, Vec<KpiResult>>,
    budget: Vec<BudgetLine>,
    held: Vec<HeldOnDay>,
}

fn surround(
    conn: &mut DbConnection,
    slug: &str,
    plan_id: i64,
    as_of: NaiveDate,
    needs: Needs,
) -> Result<Surround, StoreError> {
    let org = organisations::find_by_slug(conn, slug)?;
    let plan = plans::read(conn, Org::Id(org.id), plan_id, true)?;
    let descriptions = focus_areas::Rows::all_for(conn, org.id, plan.id)?
        .into_iter()
        .filter_map(|a| a.description.map(|d| (a.id, d)))
        .collect();
    let mut measures = measures::Rows::all_for(conn, org.id, plan.id)?;
    measures.sort_by_key(|m| (m.focus_area_id, m.number, m.id));
    let kpis = if needs.series || needs.report {
        evaluable_kpis(conn, &plan)?
    } else {
        Vec::new()
    };
    let series = if needs.series {
        sparkline_series(conn, &plan, &kpis, as_of)?
    } else {
        HashMap::new()
    };
    let (budget, held) = if needs.report {
        let first_kpi_start = kpis.iter().map(|k| k.period.0).min();
        let from = first_kpi_start.map_or(plan.period_start, |d| d.min(plan.period_start));
        report_extras(conn, &plan, from, as_of)?
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(Surround {
        org,
        plan,
        descriptions,
        measures,
        series,
        budget,
        held,
    })
}

/// Every KPI's results at the month ends from its period start to `as_of` (or its end):
/// the plan-wide series, a fixed number of statements however many KPIs and months.
fn sparkline_series(
    conn: &mut DbConnection,
    plan: &Plan,
    kpis: &[Evaluable],
    as_of: NaiveDate,
) -> Result<HashMap<i64, Vec<KpiResult>>, StoreError> {
    let up_to_as_of = |kpi: &Evaluable| (kpi.period.0, as_of.min(kpi.period.1));
    let series = plan_series(conn, Org::Id(plan.org_id), kpis, up_to_as_of)?;
    Ok(series.into_iter().map(|s| (s.kpi_id, s.points)).collect())
}

/// The plan's KPIs with their definitions and periods.
fn evaluable_kpis(conn: &mut DbConnection, plan: &Plan) -> Result<Vec<Evaluable>, StoreError> {
    kpis::Rows::all_for(conn, plan.org_id, plan.id)?
        .into_iter()
        .map(|row| Evaluable::new(row, plan))
        .collect()
}

/// The budget lines, and the activities held from `from` (the plan's start, or its
/// earliest KPI's if that is earlier) to `as_of`.
fn report_extras(
    conn: &mut DbConnection,
    plan: &Plan,
    from: NaiveDate,
    as_of: NaiveDate,
) -> Result<(Vec<BudgetLine>, Vec<HeldOnDay>), StoreError> {
    let mut budget = budget_lines::Rows::all_for(conn, plan.org_id, plan.id)?;
    budget.sort_by(|a, b| a.code.cmp(&b.code).then(a.id.cmp(&b.id)));
    let to = as_of.min(plan.period_end);
    let held = if to < from {
        Vec::new()
    } else {
        published::activities_held_per_day(conn, plan.org_id, from, to)?
    };
    Ok((budget, held))
}
