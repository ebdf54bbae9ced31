//! The scorecard: every KPI of a plan with its result, grouped by focus area and by the
//! goal it measures, with the rollups.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veikart_domain::engine::{KpiResult, Rollup};
use veikart_domain::kpi::Direction;
use veikart_domain::tree::CheckInStatus;
use veikart_store::focus_areas::FocusArea;
use veikart_store::goals::Goal;
use veikart_store::plans::DataVersion;
use veikart_store::scorecards::{self, MeasuredKpi, ScorecardData};
use veikart_store::{DbConnection, Org, StoreError, check_ins};

use super::cache::{Computed, ScorecardCache};
use crate::error::ApiError;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// `?as_of=&format=` of a scorecard.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScorecardParams {
    /// The date to compute for (`YYYY-MM-DD`); today's date in UTC when absent.
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub as_of: Option<veikart_domain::Date>,
    /// `csv` for CSV whatever `Accept` says (a link in a web page cannot set `Accept`);
    /// `json` for JSON. Absent: as `Accept` asks.
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    #[param(inline)]
    pub format: Option<ScorecardFormat>,
}

/// The scorecard's two forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScorecardFormat {
    Json,
    Csv,
}

/// A plan's KPIs and how they stand at a date.
#[derive(Debug, Serialize, ToSchema)]
pub struct Scorecard {
    pub plan_id: i64,
    pub plan_title: String,
    pub as_of: NaiveDate,
    /// The organisation's data version the scorecard was computed from.
    pub data_version: i64,
    /// Every KPI of the plan.
    pub rollup: Rollup,
    /// The focus areas in order, each with its KPIs.
    pub focus_areas: Vec<FocusAreaCard>,
    /// The KPIs in no focus area (on the plan itself), in order.
    pub plan_kpis: Vec<KpiCard>,
    /// The goals of the plan and of its strategy, in order, each with the KPIs that
    /// measure it (in `focus_areas` or `plan_kpis`).
    pub goals: Vec<GoalCard>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FocusAreaCard {
    pub focus_area_id: i64,
    pub number: i32,
    pub title: String,
    pub rollup: Rollup,
    pub kpis: Vec<KpiCard>,
}

/// A KPI, what it aims at, and its result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KpiCard {
    pub kpi_id: i64,
    pub code: Option<String>,
    pub title: String,
    pub unit: Option<String>,
    pub direction: Direction,
    pub target: f64,
    pub focus_area_id: Option<i64>,
    pub goal_id: Option<i64>,
    pub result: KpiResult,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GoalCard {
    pub goal_id: i64,
    pub key: String,
    pub title: String,
    /// Measured by KPIs (`true`), or followed by check-ins.
    pub measurable: bool,
    /// Of the strategy (`true`) or of the plan.
    pub strategy_goal: bool,
    /// The KPIs that measure the goal.
    pub kpi_ids: Vec<i64>,
    pub rollup: Rollup,
    /// A qualitative goal's latest check-in; `null` for a measurable goal or none yet.
    pub latest_check_in: Option<LatestCheckIn>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LatestCheckIn {
    pub check_in_id: i64,
    pub checked_on: NaiveDate,
    pub status: CheckInStatus,
    /// 0 (no confidence) to 10 (certain).
    pub confidence: i32,
    pub comment: Option<String>,
    pub author: String,
}

/// Computes the scorecard of plan `plan_id` at `as_of` (the caller has read
/// `data_version` first, so the data read here is at least that new): everything it is
/// made of read by the store, then the card assembled from that.
pub fn compute(
    conn: &mut DbConnection,
    org: Org<'_>,
    plan_id: i64,
    published_only: bool,
    as_of: NaiveDate,
    data_version: i64,
) -> Result<Scorecard, StoreError> {
    let data = scorecards::load(conn, org, plan_id, published_only, as_of)?;
    assemble(data, as_of, data_version)
}

/// The scorecard from what it is made of, without the database: every KPI's result,
/// then the focus areas' and goals' cards holding them.
fn assemble(
    data: ScorecardData,
    as_of: NaiveDate,
    data_version: i64,
) -> Result<Scorecard, StoreError> {
    let cards = kpi_cards(data.kpis, as_of);
    let focus_areas = focus_area_cards(data.focus_areas, &cards);
    let goals = goal_cards(data.goals, data.latest_check_ins, &cards)?;
    Ok(Scorecard {
        plan_id: data.plan.id,
        plan_title: data.plan.title,
        as_of,
        data_version,
        rollup: Rollup::of(cards.iter().map(|c| &c.result)),
        focus_areas,
        plan_kpis: cards
            .iter()
            .filter(|c| c.focus_area_id.is_none())
            .cloned()
            .collect(),
        goals,
    })
}

impl Scorecard {
    /// Every KPI in the scorecard's order: the focus areas', then the plan's own.
    pub fn kpis(&self) -> impl Iterator<Item = &KpiCard> {
        self.focus_areas
            .iter()
            .flat_map(|a| a.kpis.iter())
            .chain(self.plan_kpis.iter())
    }
}

/// Every KPI of the plan with its result at `as_of`, in the plan's order.
fn kpi_cards(kpis: Vec<MeasuredKpi>, as_of: NaiveDate) -> Vec<KpiCard> {
    kpis.into_iter()
        .map(|kpi| {
            let result = kpi.result(as_of);
            let row = kpi.row;
            KpiCard {
                kpi_id: row.id,
                code: row.code,
                title: row.title,
                unit: row.unit,
                direction: kpi.definition.direction,
                target: kpi.definition.target,
                focus_area_id: row.focus_area_id,
                goal_id: row.goal_id,
                result,
            }
        })
        .collect()
}

/// The focus areas in order, each with its KPIs and their rollup.
fn focus_area_cards(areas: Vec<FocusArea>, cards: &[KpiCard]) -> Vec<FocusAreaCard> {
    areas
        .into_iter()
        .map(|area| {
            let kpis: Vec<KpiCard> = cards
                .iter()
                .filter(|c| c.focus_area_id == Some(area.id))
                .cloned()
                .collect();
            FocusAreaCard {
                focus_area_id: area.id,
                number: area.number,
                title: area.title,
                rollup: Rollup::of(kpis.iter().map(|c| &c.result)),
                kpis,
            }
        })
        .collect()
}

/// The goals of the plan and its strategy, each with the KPIs measuring it or, for a
/// qualitative goal, its latest check-in.
fn goal_cards(
    goals: Vec<Goal>,
    mut latest: HashMap<i64, check_ins::CheckIn>,
    cards: &[KpiCard],
) -> Result<Vec<GoalCard>, StoreError> {
    goals
        .into_iter()
        .map(|goal| {
            let measuring: Vec<&KpiCard> = cards
                .iter()
                .filter(|c| c.goal_id == Some(goal.id))
                .collect();
            let latest_check_in = latest.remove(&goal.id).map(latest_check_in).transpose()?;
            Ok(GoalCard {
                goal_id: goal.id,
                key: goal.key,
                title: goal.title,
                measurable: goal.measurable,
                strategy_goal: goal.plan_id.is_none(),
                kpi_ids: measuring.iter().map(|c| c.kpi_id).collect(),
                rollup: Rollup::of(measuring.iter().map(|c| &c.result)),
                latest_check_in,
            })
        })
        .collect()
}

fn latest_check_in(c: check_ins::CheckIn) -> Result<LatestCheckIn, StoreError> {
    Ok(LatestCheckIn {
        check_in_id: c.id,
        checked_on: c.checked_on,
        status: c.status.0,
        confidence: c.confidence,
        comment: c.comment,
        author: c.author,
    })
}

/// The CSV columns of a scorecard, one row per KPI.
pub const CSV_COLUMNS: [&str; 22] = [
    "kpi_id",
    "code",
    "title",
    "focus_area",
    "goal",
    "unit",
    "direction",
    "target",
    "as_of",
    "period_start",
    "period_end",
    "actual",
    "start_value",
    "expected",
    "progress",
    "status",
    "forecast_run_rate",
    "forecast_with_planned",
    "needed_per_month",
    "records_counted",
    "last_record_on",
    "data_version",
];

/// The scorecard as CSV: a header row, then one row per KPI in the scorecard's order
/// (focus areas, then the plan's own KPIs); numbers unrounded, `null` as an empty cell.
pub fn csv(card: &Scorecard) -> Result<Vec<u8>, ApiError> {
    let failed = |e: csv::Error| ApiError::Internal(format!("writing CSV: {e}"));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(CSV_COLUMNS).map_err(failed)?;
    let goal_keys: HashMap<i64, &str> = card
        .goals
        .iter()
        .map(|g| (g.goal_id, g.key.as_str()))
        .collect();
    let area_numbers: HashMap<i64, i32> = card
        .focus_areas
        .iter()
        .map(|a| (a.focus_area_id, a.number))
        .collect();
    let text = |v: Option<String>| v.unwrap_or_default();
    let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for k in card.kpis() {
        let r = &k.result;
        out.write_record([
            k.kpi_id.to_string(),
            text(k.code.clone()),
            k.title.clone(),
            text(
                k.focus_area_id
                    .and_then(|id| area_numbers.get(&id))
                    .map(|n| n.to_string()),
            ),
            text(
                k.goal_id
                    .and_then(|id| goal_keys.get(&id))
                    .map(|k| (*k).to_owned()),
            ),
            text(k.unit.clone()),
            k.direction.as_str().to_owned(),
            k.target.to_string(),
            r.as_of.to_string(),
            r.period_start.to_string(),
            r.period_end.to_string(),
            number(r.actual),
            number(r.start_value),
            number(r.expected),
            number(r.progress),
            r.status.as_str().to_owned(),
            number(r.forecast.run_rate),
            number(r.forecast.with_planned),
            number(r.needed_per_month),
            r.records_counted.to_string(),
            text(r.last_record_on.map(|d| d.to_string())),
            card.data_version.to_string(),
        ])
        .map_err(failed)?;
    }
    out.into_inner()
        .map_err(|e| ApiError::Internal(format!("writing CSV: {e}")))
}

/// The scorecard of plan `plan_id` at `as_of` for `version`: this instance's copy, or
/// computed in one read snapshot (once, however many requests ask at the same time). The
/// JSON and CSV scorecard and the web pages all take it from here.
pub async fn cached(
    state: &AppState,
    access: &OrgAccess,
    plan_id: i64,
    as_of: NaiveDate,
    version: DataVersion,
) -> Result<Arc<Computed>, ApiError> {
    let cache = state.caches.get::<ScorecardCache>();
    cache
        .get_or_compute(plan_id, as_of, version, || {
            let access = access.clone();
            let state = state.clone();
            async move {
                state
                    .compute(move |conn| {
                        veikart_store::read_snapshot(conn, |conn| {
                            compute(
                                conn,
                                access.org(),
                                plan_id,
                                access.is_anonymous(),
                                as_of,
                                version.version,
                            )
                        })
                    })
                    .await
            }
        })
        .await
}
