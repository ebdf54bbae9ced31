//! Every KPI of a plan with its monthly series, in one answer: for the plan's charts, over
//! the JSON API (`GET …/plans/{plan_id}/series`) and on the web pages ([`plan_series`]).
//!
//! Measuring each KPI at each month end with `veikart_store::facts` would cost several
//! statements per KPI per month. Instead the records of each kind the KPIs count are read
//! once, grouped by day and by the columns the KPIs filter on
//! (`veikart_store::facts_by_day`, as `veikart_domain::engine::grouped::Wanted` asks),
//! and every KPI is measured at every date from those groups
//! (`grouped::measure_all`), then evaluated by the same rules as every other result. The
//! statements are the plan, its KPIs and one per record kind counted (at most six),
//! whatever the number of KPIs or months.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veikart_domain::Date;
use veikart_domain::engine::{self, Need, grouped};
use veikart_store::{DbConnection, Org, StoreError, facts_by_day, kpis, plans};

use super::handlers::{start, tagged};
use super::{Evaluable, KpiSeries, RangeRefused, series_dates};
use crate::auth::MaybeAuth;
use crate::error::ApiError;
use crate::pagination;
use crate::routes::resource::plan::PlanChildrenPath;
use crate::state::AppState;
use crate::tenancy::OrgAccess;
use veikart_store::ChildTable;

/// `?from=&to=` of the plan's series.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanSeriesParams {
    /// The first month (`YYYY-MM-DD`); the plan's period start when absent.
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub from: Option<Date>,
    /// The last date (`YYYY-MM-DD`); the plan's period end when absent.
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub to: Option<Date>,
}

/// Every KPI of a plan with its result at each month end from `from` to `to`, and at `to`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanSeries {
    pub plan_id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The plan's KPIs in the scorecard's order (position, then id), each over the same
    /// dates.
    pub kpis: Vec<KpiSeries>,
}

/// The series of each of `kpis` from and to the dates `range` gives it (its points: every
/// month end in the range, and its last day; none when the range ends before it starts),
/// measured with one grouped statement per record kind the KPIs count. Runs inside the
/// caller's read snapshot; `org` is the plan's organisation.
pub fn plan_series(
    conn: &mut DbConnection,
    org: Org<'_>,
    kpis: &[Evaluable],
    range: impl Fn(&Evaluable) -> (NaiveDate, NaiveDate),
) -> Result<Vec<KpiSeries>, StoreError> {
    let planned: Vec<Planned> = kpis
        .iter()
        .map(|kpi| Planned::of(kpi, range(kpi)))
        .collect();
    let wanted = grouped::Wanted::of(
        kpis.iter()
            .zip(&planned)
            .map(|(kpi, p)| (&kpi.definition.source, p.needs.as_slice())),
    );
    let facts = facts_by_day::load(conn, org, &wanted)?;
    Ok(kpis
        .iter()
        .zip(planned)
        .map(|(kpi, p)| {
            let measured = grouped::measure_all(&kpi.definition.source, &p.needs, &facts);
            let points = p
                .dates
                .iter()
                .zip(&measured)
                .map(|(&date, m)| {
                    engine::evaluate(kpi.row.id, &kpi.definition, kpi.period, date, m)
                })
                .collect();
            KpiSeries {
                kpi_id: kpi.row.id,
                from: p.from,
                to: p.to,
                points,
            }
        })
        .collect())
}

/// One KPI's range, its dates and what it needs at each.
struct Planned {
    from: NaiveDate,
    to: NaiveDate,
    dates: Vec<NaiveDate>,
    needs: Vec<Need>,
}

impl Planned {
    fn of(kpi: &Evaluable, (from, to): (NaiveDate, NaiveDate)) -> Self {
        let dates = engine::month_ends(from, to);
        let needs = dates.iter().map(|&date| kpi.need(date)).collect();
        Self {
            from,
            to,
            dates,
            needs,
        }
    }
}

/// Every KPI of the plan with its result at every month end from `from` to `to`, and at
/// `to`, for charts (`viewer`; without a token, only a published plan's). `from` and `to`
/// default to the plan's period; every KPI has the same dates. At most 121 points: a
/// `from` after `to`, or a longer range, is 422 naming `to`. The statements sent do not
/// grow with the number of KPIs or months.
#[utoipa::path(
    get, path = "/{plan_id}/series", tag = "results",
    params(PlanChildrenPath, PlanSeriesParams, ("If-None-Match" = Option<String>, Header, description = "An ETag; 304 when it is current")),
    security((), ("bearer_auth" = [])),
    responses(
        (status = 200, body = PlanSeries, headers(("ETag" = String, description = "Changes exactly when the data it is computed from does"))),
        (status = 304, description = "The copy named by If-None-Match is current"),
        (status = 422, response = RangeRefused),
    )
)]
#[get("/{plan_id}/series")]
pub async fn get_plan_series(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuth,
    path: web::Path<PlanChildrenPath>,
) -> Result<HttpResponse, ApiError> {
    let params: PlanSeriesParams = pagination::query_params(&req)?;
    let (from, to) = (params.from.map(|d| d.get()), params.to.map(|d| d.get()));
    let range = [
        from.map_or("start".into(), |d| d.to_string()),
        to.map_or("end".into(), |d| d.to_string()),
    ];
    let asked: [&dyn std::fmt::Display; 3] = [&"series", &range[0], &range[1]];
    let (access, _, tag) = match start(&req, &state, auth, &path.org, path.plan_id, &asked).await? {
        Ok(fresh) => fresh,
        Err(not_modified) => return Ok(not_modified),
    };
    let plan_id = path.plan_id;
    let series = state
        .compute(move |conn| {
            veikart_store::read_snapshot(conn, |conn| compute(conn, &access, plan_id, from, to))
        })
        .await??;
    Ok(tagged(tag, &series))
}

/// The plan's series over `from` to `to` (the plan's period where absent), or the 422 of a
/// range that is refused.
fn compute(
    conn: &mut DbConnection,
    access: &OrgAccess,
    plan_id: i64,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Result<PlanSeries, ApiError>, StoreError> {
    let plan = plans::read(conn, access.org(), plan_id, access.is_anonymous())?;
    let from = from.unwrap_or(plan.period_start);
    let to = to.unwrap_or(plan.period_end);
    if let Err(refused) = series_dates(from, to) {
        return Ok(Err(refused));
    }
    let mut rows = kpis::Rows::all_for(conn, plan.org_id, plan.id)?;
    rows.sort_by_key(|k| (k.position, k.id));
    let kpis = rows
        .into_iter()
        .map(|row| Evaluable::new(row, &plan))
        .collect::<Result<Vec<_>, _>>()?;
    let series = plan_series(conn, Org::Id(plan.org_id), &kpis, |_| (from, to))?;
    Ok(Ok(PlanSeries {
        plan_id: plan.id,
        from,
        to,
        kpis: series,
    }))
}
