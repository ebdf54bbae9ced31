//! The public web pages: a published plan for the people it is for — the members, the
//! board, the annual meeting, the public on the organisation's web site — with no token,
//! no script and no asset from elsewhere. Server-rendered HTML (maud) from the same
//! computation as the JSON scorecard, in Norwegian bokmål or English.
//!
//! | path | page |
//! |---|---|
//! | `/` | what Veikart is; the organisations with published plans; the API docs |
//! | `/p/{org}` | an organisation's published plans |
//! | `/p/{org}/plans/{plan_id}` | the progress page ([`progress`]) |
//! | `/p/{org}/plans/{plan_id}/report` | the print view for the annual meeting ([`report`]) |
//! | `/p/{org}/plans/{plan_id}/embed` | the widget for an `<iframe>` ([`embed`]) |
//! | `/p/{org}/plans/{plan_id}/kpis/{kpi_id}/badge.svg` | a KPI's status badge ([`badge`]) |
//! | `/p/assets/{hash}.css` | the stylesheet ([`assets`]) |
//!
//! A plan's page is served in four steps: the query is read ([`http::PageQuery`]); the
//! data version is read with the plan's visibility (one statement; a plan that is not
//! published is the same 404 page as one that does not exist) and makes the ETag (304
//! when `If-None-Match` names it); the page is taken from this instance's [`cache`] for
//! that version or rendered from a [`view::PlanView`]; [`http::answer`] adds the headers.
//! These routes are not part of the JSON API and not in its OpenAPI document.

mod assets;
mod badge;
pub mod cache;
mod embed;
mod http;
mod index;
mod kpi;
mod lang;
mod layout;
mod progress;
mod report;
mod sparkline;
mod view;

use std::sync::Arc;

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use veikart_store::organisations;
use veikart_store::plans::DataVersion;
use veikart_store::published;

use self::cache::{PageKey, PageKind};
use self::http::{Framing, PageError, PageQuery, Rendered};
use self::lang::Lang;
use self::view::{Needs, PlanView};
use crate::routes::results::computed_etag;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// Registers the pages on the app (outside `/api/v1` and its OpenAPI document).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(landing))
        .route("/p/assets/{name}", web::get().to(assets::asset))
        .route("/p/{org}", web::get().to(organisation))
        .route("/p/{org}/plans/{plan_id}", web::get().to(progress_page))
        .route(
            "/p/{org}/plans/{plan_id}/report",
            web::get().to(report_page),
        )
        .route("/p/{org}/plans/{plan_id}/embed", web::get().to(embed_page))
        .route(
            "/p/{org}/plans/{plan_id}/kpis/{kpi_id}/badge.svg",
            web::get().to(badge_image),
        )
        .route("/p/{tail:.*}", web::to(not_found));
}

/// Any other path under `/p/`: the 404 page.
async fn not_found(req: HttpRequest) -> HttpResponse {
    PageError::NotFound(Lang::of(&req, None).unwrap_or_default()).into_response()
}

/// The organisations that have published plans, at most this many on the landing page.
const LANDING_ORGANISATIONS: i64 = 200;

async fn landing(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let result = async {
        let query = PageQuery::read(&req)?;
        let orgs = state
            .db(|conn| published::organisations_with_published_plans(conn, LANDING_ORGANISATIONS))
            .await?;
        Ok(uncached(index::landing(query.lang, &orgs).into_string()))
    };
    result.await.unwrap_or_else(PageError::into_response)
}

async fn organisation(
    req: HttpRequest,
    state: web::Data<AppState>,
    org: web::Path<String>,
) -> HttpResponse {
    let result = async {
        let query = PageQuery::read(&req)?;
        let access = OrgAccess::check(None, &org).map_err(PageError::from)?;
        let slug = org.into_inner();
        let (org, plans) = state
            .db(move |conn| {
                let org = organisations::find_by_slug(conn, &slug)?;
                let plans = published::published_plans(conn, access.org())?;
                Ok((org, plans))
            })
            .await
            .map_err(|e| PageError::from(e).in_lang(query.lang))?;
        if plans.is_empty() {
            return Err(PageError::NotFound(query.lang));
        }
        Ok(uncached(
            index::organisation(query.lang, &org, &plans).into_string(),
        ))
    };
    result.await.unwrap_or_else(PageError::into_response)
}

/// A page that is not kept per data version (no ETag): public for a minute.
fn uncached(body: String) -> HttpResponse {
    http::answer_fresh(&Rendered {
        body: Bytes::from(body),
        content_type: http::HTML,
        framing: Framing::Nowhere,
    })
}

async fn progress_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    plan_page(&req, &state, &path, PageKind::Progress).await
}

async fn report_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    plan_page(&req, &state, &path, PageKind::Report).await
}

async fn embed_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let focus_area = PageQuery::read(&req).ok().and_then(|q| q.focus_area);
    plan_page(&req, &state, &path, PageKind::Embed { focus_area }).await
}

async fn badge_image(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> HttpResponse {
    let (org, plan_id, kpi_id) = path.into_inner();
    let Ok(kpi_id) = kpi_id.parse::<i64>() else {
        return not_found(req).await;
    };
    plan_page(&req, &state, &(org, plan_id), PageKind::Badge { kpi_id }).await
}

/// Serves one page of a published plan (the steps in the module's comment).
async fn plan_page(
    req: &HttpRequest,
    state: &AppState,
    (org, plan_id): &(String, String),
    kind: PageKind,
) -> HttpResponse {
    let result = async {
        let query = PageQuery::read(req)?;
        let plan_id: i64 = plan_id
            .parse()
            .map_err(|_| PageError::NotFound(query.lang))?;
        let version = view::published_version(state, org, plan_id)
            .await
            .map_err(|e| PageError::from(e).in_lang(query.lang))?;
        let key = PageKey {
            org_id: version.org_id,
            plan_id,
            kind,
            as_of: query.date(),
            lang: query.lang,
        };
        let tag = computed_etag(
            version.version,
            &[
                &version.org_id,
                &kind.tag(),
                &plan_id,
                &query.lang.code(),
                &key.as_of,
            ],
        );
        if crate::etag::is_current(req, &tag) {
            return Ok(http::not_modified(tag));
        }
        let page = match state.pages.get(&key, version) {
            Some(page) => page,
            None => render(state, org, &key, version, req.path())
                .await
                .map_err(|e| e.in_lang(query.lang))?,
        };
        Ok(http::answer(req, tag, &page))
    };
    result.await.unwrap_or_else(PageError::into_response)
}

/// Renders the page `key` names for `version`, and keeps it.
async fn render(
    state: &AppState,
    org: &str,
    key: &PageKey,
    version: DataVersion,
    path: &str,
) -> Result<Arc<Rendered>, PageError> {
    let needs = Needs {
        series: key.kind == PageKind::Progress,
        report: key.kind == PageKind::Report,
    };
    let view = view::load(state, org, key.plan_id, key.as_of, version, needs).await?;
    let page = Arc::new(rendered(&view, key, path)?);
    state.pages.put(key.clone(), version, page.clone());
    Ok(page)
}

fn rendered(view: &PlanView, key: &PageKey, path: &str) -> Result<Rendered, PageError> {
    let lang = key.lang;
    let html = |markup: maud::Markup, framing| Rendered {
        body: Bytes::from(markup.into_string()),
        content_type: http::HTML,
        framing,
    };
    Ok(match key.kind {
        PageKind::Progress => html(progress::render(view, lang, path), Framing::Nowhere),
        PageKind::Report => html(report::render(view, lang, path), Framing::Nowhere),
        PageKind::Embed { focus_area } => html(
            embed::render(view, lang, path, focus_area)?,
            Framing::Sources(frame_ancestors(view)?),
        ),
        PageKind::Badge { kpi_id } => {
            let card = view
                .card
                .card
                .kpis()
                .find(|k| k.kpi_id == kpi_id)
                .ok_or(PageError::NotFound(lang))?;
            Rendered {
                body: Bytes::from(badge::render(lang, card).into_string()),
                content_type: http::SVG,
                framing: Framing::Nowhere,
            }
        }
    })
}

/// The embed's `frame-ancestors`: the organisation's embed origins, else its web site,
/// else none.
fn frame_ancestors(view: &PlanView) -> Result<String, PageError> {
    let corrupt = |e: veikart_store::StoreError| PageError::from(crate::error::ApiError::from(e));
    let website = view.org.parsed_website().map_err(corrupt)?;
    let origins = view.org.parsed_embed_origins().map_err(corrupt)?;
    Ok(veikart_domain::web::frame_ancestors(
        website.as_ref(),
        origins.as_ref(),
    ))
}
