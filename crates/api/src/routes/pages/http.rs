//! HTTP as a web site expects it, for every page: the query a page takes, the headers
//! (`Content-Security-Policy` with no script at all, `frame-ancestors` per page kind,
//! `nosniff`, `Referrer-Policy`, a short public cache), ETags with 304, and the error
//! pages (404 for anything not published, 400 for a malformed query), in the page's
//! language.

use actix_web::http::{StatusCode, header};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDate;
use maud::Markup;
use serde::Deserialize;

use super::lang::Lang;
use super::layout;
use crate::error::ApiError;
use crate::etag;

/// What a page's query may hold; each read and checked by [`PageQuery::read`].
#[derive(Debug, Default, Deserialize)]
struct RawQuery {
    as_of: Option<String>,
    lang: Option<String>,
    focus_area: Option<String>,
}

/// A page's query, checked.
#[derive(Debug, Clone, Copy)]
pub struct PageQuery {
    pub lang: Lang,
    /// The date asked for; `None` for today.
    pub as_of: Option<NaiveDate>,
    /// An embed's one focus area (its id).
    pub focus_area: Option<i64>,
}

impl PageQuery {
    /// The query of `req`, or the 400 page naming what is wrong with it.
    pub fn read(req: &HttpRequest) -> Result<Self, PageError> {
        let raw: RawQuery = serde_html_form::from_str(req.query_string()).map_err(|_| {
            PageError::BadRequest(Lang::of(req, None).unwrap_or_default(), Bad::Query)
        })?;
        let lang =
            Lang::of(req, raw.lang.as_deref()).ok_or(PageError::BadRequest(Lang::Nb, Bad::Lang))?;
        let as_of = match raw.as_of.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(
                text.parse::<veikart_domain::Date>()
                    .map(veikart_domain::Date::get)
                    .map_err(|_| PageError::BadRequest(lang, Bad::Date))?,
            ),
        };
        let focus_area = match raw.focus_area.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(
                text.parse::<i64>()
                    .map_err(|_| PageError::BadRequest(lang, Bad::FocusArea))?,
            ),
        };
        Ok(Self {
            lang,
            as_of,
            focus_area,
        })
    }

    /// The date asked for, or today (UTC).
    pub fn date(&self) -> NaiveDate {
        self.as_of.unwrap_or_else(crate::routes::results::today)
    }
}

/// What is wrong with a page's query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bad {
    Query,
    Date,
    Lang,
    FocusArea,
}

/// Why a page is not shown.
#[derive(Debug)]
pub enum PageError {
    /// Unknown, or not published: the same page either way, so nothing leaks.
    NotFound(Lang),
    BadRequest(Lang, Bad),
    /// Anything else (the database unreachable, …): logged and counted as the API's own
    /// answer; a failure of the service (5xx) is shown as a page with the request's id.
    Api(Lang, ApiError),
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::NotFound => PageError::NotFound(Lang::Nb),
            other => PageError::Api(Lang::Nb, other),
        }
    }
}

impl PageError {
    /// The same error, shown in `lang`.
    pub fn in_lang(self, lang: Lang) -> Self {
        match self {
            PageError::NotFound(_) => PageError::NotFound(lang),
            PageError::BadRequest(_, bad) => PageError::BadRequest(lang, bad),
            PageError::Api(_, e) => PageError::Api(lang, e),
        }
    }

    pub fn into_response(self) -> HttpResponse {
        let (status, page) = match self {
            PageError::NotFound(lang) => (StatusCode::NOT_FOUND, layout::not_found(lang)),
            PageError::BadRequest(lang, bad) => {
                (StatusCode::BAD_REQUEST, layout::bad_request(lang, bad))
            }
            PageError::Api(lang, e) => {
                let answered = actix_web::ResponseError::error_response(&e);
                let status = answered.status();
                if !status.is_server_error() {
                    return answered;
                }
                let unavailable = status == StatusCode::SERVICE_UNAVAILABLE;
                let mut page = Self::html_page(status, layout::failed(lang, unavailable));
                if let Some(retry) = answered.headers().get(header::RETRY_AFTER) {
                    page.headers_mut()
                        .insert(header::RETRY_AFTER, retry.clone());
                }
                return page;
            }
        };
        Self::html_page(status, page)
    }

    /// An error page with the headers every page has, never stored by a cache.
    fn html_page(status: StatusCode, page: Markup) -> HttpResponse {
        HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, HTML))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::CONTENT_SECURITY_POLICY, csp(&Framing::Nowhere)))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .insert_header((header::REFERRER_POLICY, REFERRER_POLICY))
            .body(page.into_string())
    }
}

pub const HTML: &str = "text/html; charset=utf-8";
pub const SVG: &str = "image/svg+xml";
const REFERRER_POLICY: &str = "strict-origin-when-cross-origin";

/// Who may show a page in a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framing {
    /// Nobody (every page but the embed).
    Nowhere,
    /// The `frame-ancestors` sources of an embed (`'none'` when the organisation allows none).
    Sources(String),
}

/// The page's policy: its own stylesheet and forms, no script of any kind, no plugin, no
/// other origin.
pub fn csp(framing: &Framing) -> String {
    let ancestors = match framing {
        Framing::Nowhere => "'none'",
        Framing::Sources(sources) => sources.as_str(),
    };
    format!(
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
         base-uri 'none'; frame-ancestors {ancestors}"
    )
}

/// A rendered page or image, and what it is.
pub struct Rendered {
    pub body: Bytes,
    pub content_type: &'static str,
    pub framing: Framing,
}

/// The 200 answer for `rendered` with its ETag, or 304 when `If-None-Match` names it.
pub fn answer(req: &HttpRequest, tag: String, rendered: &Rendered) -> HttpResponse {
    if etag::is_current(req, &tag) {
        return not_modified(tag);
    }
    let mut response = answer_fresh(rendered);
    if let Ok(value) = header::HeaderValue::from_str(&tag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// 304 for a page the client has. It carries no policy headers: a 304's headers replace
/// the stored ones, and the stored page's own policy (an embed's `frame-ancestors`) must
/// stay.
pub fn not_modified(tag: String) -> HttpResponse {
    let mut response = etag::not_modified(tag);
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static(CACHE_CONTROL),
    );
    headers.insert(
        header::VARY,
        header::HeaderValue::from_static("Accept-Language"),
    );
    response
}

/// The 200 answer for `rendered`, with the page headers.
pub fn answer_fresh(rendered: &Rendered) -> HttpResponse {
    let mut response = HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, rendered.content_type))
        .body(rendered.body.clone());
    let headers = response.headers_mut();
    let pairs = [
        (header::CACHE_CONTROL, CACHE_CONTROL.to_owned()),
        (header::CONTENT_SECURITY_POLICY, csp(&rendered.framing)),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        (header::REFERRER_POLICY, REFERRER_POLICY.to_owned()),
        (header::VARY, "Accept-Language".to_owned()),
    ];
    for (name, value) in pairs {
        if let Ok(value) = header::HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

const CACHE_CONTROL: &str = "public, max-age=60";
