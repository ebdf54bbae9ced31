//! `/api/v1/orgs/{org}/imports`: many records of one kind at once, from a JSON array,
//! NDJSON or CSV, all or nothing; and the log of the imports that ran.
//!
//! One pipeline for every kind and format:
//! 1. the body is spooled to a temporary file, counted and hashed ([`spool`]), and its
//!    charset settled ([`read::charset_of`]);
//! 2. an `Idempotency-Key` is taken, or its first answer replayed ([`idempotency`]);
//! 3. in one write transaction, the body is read row by row ([`read`]), each row read as
//!    the kind's fields and checked by their rules (the same as a create), and every
//!    chunk of rows matched against the file's earlier rows and the stored records by the
//!    kind's keys and written ([`apply`]); the import's log row, its audit entry and the
//!    key's answer commit with the records — or, at the first bad row, writing stops, the
//!    rest is only checked, and nothing commits.

mod apply;
mod idempotency;
pub mod read;
mod spool;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ArrayBuilder, OneOfBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, PartialSchema, ToSchema};
use veikart_domain::Role;
pub use veikart_domain::imports::ImportKind;
use veikart_store::imports as store;

use self::apply::Request;
use self::read::{Charset, Format, Options};
use super::records::kinds::{
    ActivityKind, MemberKind, MilestoneKind, ObservationKind, ProjectKind, SurveyKind,
};
use super::resource::{Write, viewer};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::pagination::{Page, PageParams};
use crate::query::Query;
use crate::routes::orgs::OrgPath;
use crate::state::AppState;
use crate::time::utc;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(import_records)
        .service(list_imports)
        .service(list_imports_of_kind)
        .service(get_import);
}

/// The largest import body accepted, in bytes (`VEIKART_IMPORT_BODY_LIMIT`); apart from
/// the general body limit, which stays small.
#[derive(Debug, Clone, Copy)]
pub struct ImportBodyLimit(pub usize);

impl Default for ImportBodyLimit {
    fn default() -> Self {
        ImportBodyLimit(256 * 1024 * 1024)
    }
}

/// `{org}` and `{kind}` of an import.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ImportPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
    /// The kind of record the body holds.
    pub kind: ImportKind,
}

/// `{org}`, `{kind}` and `{id}` of a recorded import.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ImportRecordPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
    /// The kind of record the import wrote.
    pub kind: ImportKind,
    /// The import's id.
    #[param(minimum = 1)]
    pub id: i64,
}

/// How to read and apply the body.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Check and count everything, write nothing (200, and no import is recorded).
    #[serde(default)]
    pub dry_run: bool,
    /// CSV: skip columns the kind does not have instead of refusing the import (a JSON
    /// or NDJSON record has the kind's fields only).
    #[serde(default)]
    pub ignore_unknown_columns: bool,
    /// CSV: renames header names to the kind's fields: `from:to,from:to`, e.g.
    /// `organisasjonsnummer:org_number,navn:name`.
    #[param(pattern = "^([^:,\\u0000]+:[^:,\\u0000]+(,[^:,\\u0000]+:[^:,\\u0000]+)*)?$")]
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub columns: Option<String>,
    /// CSV: the value of a field for every row that has no cell for it, or an empty one:
    /// `field:value,field:value`, e.g. `membership_type:company,joined_on:2022-01-01`.
    #[param(pattern = "^([^:,\\u0000]+:[^:,\\u0000]+(,[^:,\\u0000]+:[^:,\\u0000]+)*)?$")]
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub defaults: Option<String>,
}

/// An import: what it read, from whom, and what it did (with `dry_run`, would do).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Import {
    /// The recorded import; `null` for a dry run, which is not recorded.
    pub id: Option<i64>,
    pub kind: ImportKind,
    pub format: Format,
    /// The body's character encoding, as declared or found.
    pub charset: Charset,
    pub dry_run: bool,
    /// The `sub` of the token that ran it.
    pub imported_by: String,
    /// SHA-256 of the body, as lowercase hex.
    pub body_sha256: String,
    /// The body's size in bytes.
    pub body_bytes: i64,
    /// The rows the body holds.
    pub rows: i64,
    /// Records created (rows that matched no stored record by its keys).
    pub created: i64,
    /// Records whose fields the rows changed.
    pub updated: i64,
    /// Rows equal to their stored record, which was left as it was.
    pub unchanged: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// How long it took, from the whole body being received to its answer.
    pub duration_ms: i64,
}

impl Import {
    fn of(row: store::Import) -> Self {
        Import {
            id: Some(row.id),
            kind: row.kind.0,
            format: row.format.0,
            charset: row.charset.0,
            dry_run: false,
            imported_by: row.imported_by,
            body_sha256: row.body_sha256,
            body_bytes: row.body_bytes,
            rows: row.row_count,
            created: row.created,
            updated: row.updated,
            unchanged: row.unchanged,
            started_at: utc(row.started_at),
            finished_at: utc(row.finished_at),
            duration_ms: (row.finished_at - row.started_at).num_milliseconds(),
        }
    }

    /// Where the recorded import is served.
    fn location(&self, org: &str) -> Option<String> {
        self.id
            .map(|id| format!("/api/v1/orgs/{org}/imports/{}/{id}", self.kind.as_str()))
    }
}

/// An array of records of the path's kind, as each is created.
pub struct ImportRows;

impl PartialSchema for ImportRows {
    fn schema() -> RefOr<Schema> {
        let kinds = [
            "NewMember",
            "NewActivity",
            "NewSurvey",
            "NewProject",
            "NewObservation",
            "NewMilestone",
        ]
        .into_iter()
        .fold(OneOfBuilder::new(), |one, name| {
            one.item(Ref::from_schema_name(name))
        })
        .build();
        ArrayBuilder::new()
            .items(RefOr::T(Schema::OneOf(kinds)))
            .description(Some("Records of the path's kind, each as it is created."))
            .into()
    }
}

impl ToSchema for ImportRows {}

/// Import records of one kind from JSON, NDJSON or CSV (`editor`): all or nothing, matched by their keys.
///
/// A row is matched to a stored record by `external_ref`, a member also by `org_number`,
/// an observation also by `metric_key`, `dimension` and `observed_on`: a row matching
/// none is created, one matching a record replaces its fields (or leaves it unchanged when
/// equal); every record written carries the import's id (`import_id`). JSON and NDJSON
/// records have the kind's fields only, in UTF-8. CSV has a header row of field names
/// (any case, renamed by `columns`; the served-only columns of an export are skipped,
/// others refused unless `ignore_unknown_columns`), delimited by `,`, `;` or tab, in
/// UTF-8 (with or without BOM) or Windows-1252 (`charset=windows-1252`, or found when the
/// body is not UTF-8); numbers may have a decimal comma, dates may be `DD.MM.YYYY`, an
/// empty cell is null (or the field's value in `defaults`). Any invalid row → 422 listing
/// every bad row (`row`, `field`, `message`; at most 1,000, with `error_count`), and
/// nothing is written. With `Idempotency-Key`, a repeat of the same request (path, query,
/// media type and body) within 24 hours gets the first answer again (header
/// `Idempotent-Replayed: true`); the key with another request is 422, and while its first
/// request runs 409. A request that fails keeps no answer: it may be sent again with its
/// key. The body limit is `VEIKART_IMPORT_BODY_LIMIT`.
#[utoipa::path(
    post, path = "/{kind}", tag = "imports",
    params(
        ImportPath,
        ImportParams,
        ("Idempotency-Key" = Option<String>, Header,
         description = "Makes a retry safe: 1-255 visible ASCII characters, unique per request.",
         pattern = "^[\\x21-\\x7e]{1,255}$"),
    ),
    request_body(
        description = "The records: a JSON array, one JSON object per line, or CSV with a header row.",
        content(
            (ImportRows = "application/json"),
            (String = "application/x-ndjson"),
            (String = "text/csv"),
        ),
    ),
    security(("bearer_auth" = [])),
    responses(
        (status = 201, body = Import, description = "Imported; `Location` is the recorded import.",
         headers(
             ("Location" = String, description = "The recorded import"),
             ("Idempotent-Replayed" = String, description = "`true` when this is the first answer to the same request with the same `Idempotency-Key`, sent again"),
         )),
        (status = 200, body = Import, description = "A dry run: what the import would do.",
         headers(
             ("Idempotent-Replayed" = String, description = "`true` when this is the first answer to the same request with the same `Idempotency-Key`, sent again"),
         )),
    )
)]
#[post("/{kind}")]
pub async fn import_records(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<ImportPath>,
    params: Query<ImportParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let write = Write::create(auth.0, &path.org, Role::Editor)?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let (format, declared) = read::media_type(content_type)?;
    let params = params.into_inner();
    let options = csv_options(&params)?;
    let key = idempotency::key(&req)?;
    let body = spool::spool(&req, payload).await?;
    let (charset, body) = settle_charset(body, declared).await?;
    let key = match take_key(&req, &state, &write, key, &body).await? {
        Some(idempotency::Taken::Replay(answer)) => return Ok(answer),
        Some(idempotency::Taken::New(key)) => Some(key),
        None => None,
    };
    let request = Request {
        org: path.org.clone(),
        write,
        kind: path.kind,
        format,
        charset,
        body,
        options,
        dry_run: params.dry_run,
        key: key.clone(),
    };
    match import_of_kind(&state, request).await {
        Ok(import) => Ok(answer(&import, &path.org)),
        Err(error) => {
            if let Some(key) = key {
                idempotency::release(&state, key).await;
            }
            Err(error)
        }
    }
}

/// How to read a CSV body's columns, from the query.
fn csv_options(params: &ImportParams) -> Result<Options, ApiError> {
    Ok(Options {
        renames: Options::renames(params.columns.as_deref())?,
        defaults: Options::defaults(params.defaults.as_deref())?,
        ignore_unknown: params.ignore_unknown_columns,
    })
}

/// The body's charset, read from the whole body when it declares none, and the body
/// rewound for the import. Reading the whole body once more is file work: off the actix
/// workers.
async fn settle_charset(
    mut body: spool::Spooled,
    declared: Option<Charset>,
) -> Result<(Charset, spool::Spooled), ApiError> {
    web::block(move || -> Result<_, ApiError> {
        let charset = read::charset_of(&mut body.file, declared)?;
        rewind(&mut body.file)?;
        Ok((charset, body))
    })
    .await?
}

/// The request's `Idempotency-Key` taken for this request (or its first answer, to send
/// again); `None` without a key.
async fn take_key(
    req: &HttpRequest,
    state: &AppState,
    write: &Write,
    key: Option<String>,
    body: &spool::Spooled,
) -> Result<Option<idempotency::Taken>, ApiError> {
    let Some(key) = key else {
        return Ok(None);
    };
    let request = idempotency::fingerprint(req, &body.sha256);
    Ok(Some(idempotency::take(state, write, key, request).await?))
}

/// Runs the import as its kind of record.
async fn import_of_kind(state: &AppState, request: Request) -> Result<Import, ApiError> {
    match request.kind {
        ImportKind::Members => apply::import::<MemberKind>(state, request).await,
        ImportKind::Activities => apply::import::<ActivityKind>(state, request).await,
        ImportKind::Surveys => apply::import::<SurveyKind>(state, request).await,
        ImportKind::Projects => apply::import::<ProjectKind>(state, request).await,
        ImportKind::Observations => apply::import::<ObservationKind>(state, request).await,
        ImportKind::Milestones => apply::import::<MilestoneKind>(state, request).await,
    }
}

fn rewind(file: &mut std::fs::File) -> Result<(), ApiError> {
    use std::io::{Seek, SeekFrom};
    file.seek(SeekFrom::Start(0))
        .map(|_| ())
        .map_err(|e| ApiError::Internal(format!("could not rewind the import's body: {e}")))
}

/// 201 with `Location` for an import, 200 for a dry run.
fn answer(import: &Import, org: &str) -> HttpResponse {
    match import.location(org) {
        Some(location) => HttpResponse::Created()
            .insert_header((header::LOCATION, location))
            .json(import),
        None => HttpResponse::Ok().json(import),
    }
}

/// List the organisation's imports, oldest first (`viewer`).
#[utoipa::path(
    get, path = "", tag = "imports",
    params(OrgPath, PageParams),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Page<Import>))
)]
#[get("")]
pub async fn list_imports(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<OrgPath>,
    page: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    list(&state, auth, &path.org, None, &page).await
}

/// List the organisation's imports of one kind of record, oldest first (`viewer`).
#[utoipa::path(
    get, path = "/{kind}", tag = "imports",
    params(ImportPath, PageParams),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Page<Import>))
)]
#[get("/{kind}")]
pub async fn list_imports_of_kind(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<ImportPath>,
    page: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    list(&state, auth, &path.org, Some(path.kind), &page).await
}

async fn list(
    state: &AppState,
    auth: Auth,
    org: &str,
    kind: Option<ImportKind>,
    page: &PageParams,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let access = viewer(auth.0, org)?;
    let page = state
        .db(move |conn| store::list(conn, access.org(), kind, request))
        .await?;
    let items = page.items.into_iter().map(Import::of).collect::<Vec<_>>();
    let page = veikart_store::Page {
        items,
        next_after: page.next_after,
    };
    Ok(HttpResponse::Ok().json(Page::from_store(page, |i| i)))
}

/// One recorded import: who ran it when, from which body, and what it did (`viewer`).
#[utoipa::path(
    get, path = "/{kind}/{id}", tag = "imports",
    params(ImportRecordPath),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Import))
)]
#[get("/{kind}/{id}")]
pub async fn get_import(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<ImportRecordPath>,
) -> Result<HttpResponse, ApiError> {
    let access = viewer(auth.0, &path.org)?;
    let id = path.id;
    let row = state
        .db(move |conn| store::get(conn, access.org(), id))
        .await?;
    let import = Import::of(row);
    if import.kind != path.kind {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::Ok().json(import))
}
