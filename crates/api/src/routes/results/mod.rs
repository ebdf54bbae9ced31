//! `/api/v1/orgs/{org}/plans/{plan_id}/…`: how the plan is going — each KPI's result at a
//! date, its monthly series, the records it counted, the scorecard of the whole plan, and
//! every KPI's monthly series at once ([`plan_series`], also for the web pages).
//! All computed from the records by the KPI engine (`veikart_domain::engine` for the
//! rules, `veikart_store::facts` for the aggregate queries); nothing is typed in.
//!
//! Every answer carries an ETag made of the organisation's data version (one more for
//! every write to its data) and the request's dates, so `If-None-Match` is answered with
//! 304 after one statement. A scorecard is computed at most once per data version, date
//! and plan in each service instance ([`cache`]); every instance reads the version from
//! the shared database, so a write through one instance is seen by the next request to
//! any other. A published plan's results are readable without a token, like its document.

mod cache;
mod handlers;
mod plan_series;
mod scorecard;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veikart_domain::Date;
use veikart_domain::engine::{self, KpiResult, Need};
use veikart_domain::kpi::KpiDefinition;
use veikart_domain::records::RecordKind;
use veikart_store::kpis::{self, Kpi};
use veikart_store::plans::Plan;
use veikart_store::{DbConnection, Org, StoreError, facts};

pub use cache::{Computed, ScorecardCache};
pub use handlers::{configure_kpi, configure_plan};
pub use plan_series::{PlanSeries, plan_series};
pub use scorecard::{FocusAreaCard, GoalCard, KpiCard, Scorecard, cached as cached_scorecard};

use crate::error::ApiError;

/// `{org}`, `{plan_id}` and `{id}` (the KPI) in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct KpiPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
    /// The plan's id.
    pub plan_id: i64,
    /// The KPI's id.
    pub id: i64,
}

/// `?as_of=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfParams {
    /// The date to compute for (`YYYY-MM-DD`); today's date in UTC when absent.
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub as_of: Option<Date>,
}

impl AsOfParams {
    /// The date asked for, or today (UTC).
    pub fn date(&self) -> NaiveDate {
        self.as_of.map_or_else(today, Date::get)
    }
}

/// `?from=&to=` of a series.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesParams {
    /// The first month (`YYYY-MM-DD`); the KPI's period start when absent.
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub from: Option<Date>,
    /// The last date (`YYYY-MM-DD`); the KPI's period end when absent.
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub to: Option<Date>,
}

/// The most points one series answers (ten years of months).
pub const SERIES_MAX_POINTS: usize = 121;

/// A KPI's result at each month end from `from` to `to`, and at `to`.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiSeries {
    pub kpi_id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub points: Vec<KpiResult>,
}

/// One record a KPI's result counted.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountedRecord {
    pub kind: RecordKind,
    /// The record's id (its URL is `/api/v1/orgs/{org}/<kind's path>/{id}`).
    pub id: i64,
    /// The date it is counted by: an activity's date, a member's `joined_on`, a survey's
    /// `conducted_on`, a project's `start_on`, an observation's `observed_on`, a
    /// milestone's `achieved_on`.
    pub on: NaiveDate,
    /// Its title or name; an observation's dimension.
    pub label: String,
    /// What it adds to a sum or mean, or an observation's value; otherwise `null`.
    pub value: Option<f64>,
}

impl From<facts::Counted> for CountedRecord {
    fn from(c: facts::Counted) -> Self {
        Self {
            kind: c.kind,
            id: c.id,
            on: c.on,
            label: c.label,
            value: c.value,
        }
    }
}

/// Today's date in UTC.
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A KPI with its definition and period, ready to evaluate.
pub struct Evaluable {
    pub row: Kpi,
    pub definition: KpiDefinition,
    pub period: (NaiveDate, NaiveDate),
}

impl Evaluable {
    pub fn new(row: Kpi, plan: &Plan) -> Result<Self, StoreError> {
        let definition = kpis::definition(&row)?;
        let period = definition.period(plan.period_start, plan.period_end);
        Ok(Self {
            row,
            definition,
            period,
        })
    }

    pub fn need(&self, as_of: NaiveDate) -> Need {
        Need::of(&self.definition, self.period, as_of)
    }

    /// The KPI's result at `as_of`, measured in the database.
    pub fn result(
        &self,
        conn: &mut DbConnection,
        org: Org<'_>,
        as_of: NaiveDate,
    ) -> Result<KpiResult, StoreError> {
        let need = self.need(as_of);
        let measured = facts::measure(conn, org, &self.definition.source, &need)?;
        Ok(engine::evaluate(
            self.row.id,
            &self.definition,
            self.period,
            as_of,
            &measured,
        ))
    }
}

/// The ETag of a computed answer: the data version and what the request asked for.
pub fn computed_etag(version: i64, parts: &[&dyn std::fmt::Display]) -> String {
    let mut tag = format!("\"d{version}");
    for part in parts {
        tag.push('-');
        tag.push_str(&part.to_string());
    }
    tag.push('"');
    tag
}

/// 422 naming `to` unless `from` ≤ `to` and the series has at most [`SERIES_MAX_POINTS`]
/// points; otherwise the series' dates.
pub fn series_dates(from: NaiveDate, to: NaiveDate) -> Result<Vec<NaiveDate>, ApiError> {
    if from > to {
        return Err(ApiError::validation("to", "must not be before from"));
    }
    let dates = engine::month_ends(from, to);
    if dates.len() > SERIES_MAX_POINTS {
        return Err(ApiError::validation(
            "to",
            format!("a series has at most {SERIES_MAX_POINTS} points; ask for a shorter range"),
        ));
    }
    Ok(dates)
}

/// The 422 of a series whose range is refused, in the OpenAPI document: the common
/// validation problem (`#/components/responses/Problem422`).
pub struct RangeRefused;

impl<'r> utoipa::ToResponse<'r> for RangeRefused {
    fn response() -> (
        &'r str,
        utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
    ) {
        (
            "Problem422",
            utoipa::openapi::RefOr::Ref(utoipa::openapi::Ref::from_response_name("Problem422")),
        )
    }
}
