//! The operations on results: a KPI's result, series and counted records, and the plan's
//! scorecard (every KPI's series at once is in `plan_series.rs`).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use veikart_domain::engine::KpiResult;
use veikart_store::plans::{self, DataVersion};
use veikart_store::{Org, kpis};

use super::plan_series::get_plan_series;
use super::scorecard::{self, Scorecard, ScorecardFormat, ScorecardParams};
use super::{
    AsOfParams, CountedRecord, Evaluable, KpiPath, KpiSeries, RangeRefused, SeriesParams,
    computed_etag, series_dates,
};
use crate::auth::MaybeAuth;
use crate::error::ApiError;
use crate::etag;
use crate::pagination::{self, Page, PageParams};
use crate::routes::records::TEXT_CSV;
use crate::routes::resource::plan::PlanChildrenPath;
use crate::state::AppState;
use crate::tenancy::OrgAccess;
use veikart_store::PlanParts;

/// Registers a plan's results, under `/plans`: its scorecard and its series.
pub fn configure_plan(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_scorecard).service(get_plan_series);
}

/// Registers a KPI's results, under `/plans/{plan_id}/kpis`: its result, its series and
/// the records it counted.
pub fn configure_kpi(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_kpi_result)
        .service(get_kpi_series)
        .service(list_kpi_records);
}

/// The data version behind a plan's results, or 404 when the caller may not read the plan
/// (one statement).
async fn data_version(
    state: &AppState,
    access: &OrgAccess,
    plan_id: i64,
) -> Result<DataVersion, ApiError> {
    let access = access.clone();
    state
        .db(move |conn| plans::data_version(conn, access.org(), plan_id, access.is_anonymous()))
        .await
}

/// What a computed answer starts from: the caller's access, the data version, and the
/// answer's ETag from the version and `parts` (what the request asked for) — or, when
/// `If-None-Match` names that ETag, the 304 to send. One statement.
pub(super) async fn start(
    req: &HttpRequest,
    state: &AppState,
    auth: MaybeAuth,
    org: &str,
    plan_id: i64,
    parts: &[&dyn std::fmt::Display],
) -> Result<Result<(OrgAccess, DataVersion, String), HttpResponse>, ApiError> {
    let access = OrgAccess::check(auth.0, org)?;
    let version = data_version(state, &access, plan_id).await?;
    let mut all: Vec<&dyn std::fmt::Display> = vec![&version.org_id];
    all.extend_from_slice(parts);
    let tag = computed_etag(version.version, &all);
    if etag::is_current(req, &tag) {
        return Ok(Err(etag::not_modified(tag)));
    }
    Ok(Ok((access, version, tag)))
}

/// Reads the plan and the KPI (404 unless the KPI is one of the plan's and the caller may
/// read the plan), then runs `f` on them, all in one read snapshot.
async fn with_kpi<T, F>(
    state: &AppState,
    access: &OrgAccess,
    path: &KpiPath,
    f: F,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(
            &mut veikart_store::DbConnection,
            Org<'_>,
            Evaluable,
        ) -> Result<T, veikart_store::StoreError>
        + Send
        + 'static,
{
    let access = access.clone();
    let (plan_id, id) = (path.plan_id, path.id);
    state
        .compute(move |conn| {
            veikart_store::read_snapshot(conn, |conn| {
                let published_only = access.is_anonymous();
                let plan = plans::read(conn, access.org(), plan_id, published_only)?;
                let row =
                    kpis::Rows::read_in_plan(conn, access.org(), plan_id, published_only, id)?;
                let kpi = Evaluable::new(row, &plan)?;
                f(conn, Org::Id(plan.org_id), kpi)
            })
        })
        .await
}

/// A JSON answer with a computed ETag.
pub(super) fn tagged<T: serde::Serialize>(tag: String, body: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .json(body)
}

/// The plan's scorecard at `as_of`: every KPI with its result, grouped by focus area and
/// by goal, with rollups (`viewer`; without a token, only a published plan's). Answers
/// `Accept: text/csv` or `format=csv` (for a link) with one row per KPI. `If-None-Match` with the ETag answers 304.
#[utoipa::path(
    get, path = "/{plan_id}/scorecard", tag = "results",
    params(PlanChildrenPath, ScorecardParams, ("If-None-Match" = Option<String>, Header, description = "An ETag; 304 when it is current")),
    security((), ("bearer_auth" = [])),
    responses(
        (status = 200, description = "The scorecard", headers(("ETag" = String, description = "Changes exactly when the data it is computed from or the date does")),
            content((Scorecard = "application/json"), (String = "text/csv"))),
        (status = 304, description = "The copy named by If-None-Match is current"),
    )
)]
#[get("/{plan_id}/scorecard")]
pub async fn get_scorecard(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuth,
    path: web::Path<PlanChildrenPath>,
) -> Result<HttpResponse, ApiError> {
    let params: ScorecardParams = pagination::query_params(&req)?;
    let as_of = params
        .as_of
        .map_or_else(super::today, veikart_domain::Date::get);
    let plan_id = path.plan_id;
    let as_csv = params.format == Some(ScorecardFormat::Csv)
        || (params.format.is_none() && crate::routes::records::wants_csv(&req));
    let format = if as_csv { "csv" } else { "json" };
    let (access, version, tag) =
        match start(&req, &state, auth, &path.org, plan_id, &[&as_of, &format]).await? {
            Ok(fresh) => fresh,
            Err(not_modified) => return Ok(not_modified),
        };
    let computed = scorecard::cached(&state, &access, plan_id, as_of, version).await?;
    if as_csv {
        return Ok(HttpResponse::Ok()
            .insert_header((header::ETAG, tag))
            .insert_header((header::CONTENT_TYPE, TEXT_CSV))
            .body(scorecard::csv(&computed.card)?));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .content_type("application/json")
        .body(computed.json.clone()))
}

/// One KPI's result at `as_of`: actual, start value, expected pace, progress, status,
/// forecasts, the monthly need and the records counted (`viewer`; without a token, only a
/// published plan's).
#[utoipa::path(
    get, path = "/{id}/result", tag = "results",
    params(KpiPath, AsOfParams, ("If-None-Match" = Option<String>, Header, description = "An ETag; 304 when it is current")),
    security((), ("bearer_auth" = [])),
    responses(
        (status = 200, body = KpiResult, headers(("ETag" = String, description = "Changes exactly when the data it is computed from or the date does"))),
        (status = 304, description = "The copy named by If-None-Match is current"),
    )
)]
#[get("/{id}/result")]
pub async fn get_kpi_result(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuth,
    path: web::Path<KpiPath>,
) -> Result<HttpResponse, ApiError> {
    let params: AsOfParams = pagination::query_params(&req)?;
    let as_of = params.date();
    let (access, _, tag) = match start(
        &req,
        &state,
        auth,
        &path.org,
        path.plan_id,
        &[&path.id, &as_of],
    )
    .await?
    {
        Ok(fresh) => fresh,
        Err(not_modified) => return Ok(not_modified),
    };
    let result = with_kpi(&state, &access, &path, move |conn, org, kpi| {
        kpi.result(conn, org, as_of)
    })
    .await?;
    Ok(tagged(tag, &result))
}

/// One KPI's result at every month end from `from` to `to`, and at `to`, for charts
/// (`viewer`; without a token, only a published plan's). `from` and `to` default to the
/// KPI's period. At most 121 points: a `from` after `to`, or a longer range, is 422
/// naming `to`.
#[utoipa::path(
    get, path = "/{id}/series", tag = "results",
    params(KpiPath, SeriesParams, ("If-None-Match" = Option<String>, Header, description = "An ETag; 304 when it is current")),
    security((), ("bearer_auth" = [])),
    responses(
        (status = 200, body = KpiSeries, headers(("ETag" = String, description = "Changes exactly when the data it is computed from does"))),
        (status = 304, description = "The copy named by If-None-Match is current"),
        (status = 422, response = RangeRefused),
    )
)]
#[get("/{id}/series")]
pub async fn get_kpi_series(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuth,
    path: web::Path<KpiPath>,
) -> Result<HttpResponse, ApiError> {
    let params: SeriesParams = pagination::query_params(&req)?;
    let (from, to) = (params.from.map(|d| d.get()), params.to.map(|d| d.get()));
    let range = [
        from.map_or("start".into(), |d| d.to_string()),
        to.map_or("end".into(), |d| d.to_string()),
    ];
    let asked: [&dyn std::fmt::Display; 3] = [&path.id, &range[0], &range[1]];
    let (access, _, tag) = match start(&req, &state, auth, &path.org, path.plan_id, &asked).await? {
        Ok(fresh) => fresh,
        Err(not_modified) => return Ok(not_modified),
    };
    let kpi_id = path.id;
    let series = with_kpi(&state, &access, &path, move |conn, org, kpi| {
        let from = from.unwrap_or(kpi.period.0);
        let to = to.unwrap_or(kpi.period.1);
        let dates = match series_dates(from, to) {
            Ok(dates) => dates,
            Err(refused) => return Ok(Err(refused)),
        };
        let points = dates
            .into_iter()
            .map(|date| kpi.result(conn, org, date))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Ok(KpiSeries {
            kpi_id,
            from,
            to,
            points,
        }))
    })
    .await??;
    Ok(tagged(tag, &series))
}

/// The records one KPI's result at `as_of` counted, in date order (`viewer`; without a
/// token, only a published plan's): for a level, the members on the roll or each
/// dimension's latest observation; for a sum or mean, the records with a value.
#[utoipa::path(
    get, path = "/{id}/records", tag = "results",
    params(KpiPath, AsOfParams, PageParams),
    security((), ("bearer_auth" = [])),
    responses((status = 200, body = Page<CountedRecord>))
)]
#[get("/{id}/records")]
pub async fn list_kpi_records(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MaybeAuth,
    path: web::Path<KpiPath>,
) -> Result<HttpResponse, ApiError> {
    let params: AsOfParams = pagination::query_params(&req)?;
    let page: PageParams = pagination::query_params(&req)?;
    let request = page.request()?;
    let access = OrgAccess::check(auth.0, &path.org)?;
    let as_of = params.date();
    let rows = with_kpi(&state, &access, &path, move |conn, org, kpi| {
        let need = kpi.need(as_of);
        veikart_store::facts::counted(conn, org, &kpi.definition.source, &need, request)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::from_store(rows, CountedRecord::from)))
}
