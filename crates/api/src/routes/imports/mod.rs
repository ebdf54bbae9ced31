//! `POST /api/v1/orgs/{org}/imports/{kind}`: many records of one kind at once, from a JSON
//! array, NDJSON or CSV, all or nothing.
//!
//! One pipeline for every kind and format: the body is read into rows of JSON objects
//! ([`read`]), each row is read as the kind's fields and checked by their rules (the same
//! as a create), then matched against the file's other rows and the stored records by the
//! kind's keys (`external_ref`; a member's organisation number; an observation's metric,
//! dimension and day). A row that matches no stored record is created, one that matches
//! a record with other fields replaces them, one equal to it is left alone. Every bad row
//! is reported with its row number and nothing is written; otherwise the inserts go in
//! multi-row statements, and the import leaves one audit entry (entity `import`) when it
//! wrote anything, all in one transaction. `dry_run=true` does every check and count and
//! writes nothing.

pub mod read;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::schema::{ArrayBuilder, OneOfBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, PartialSchema, ToSchema};
use veikart_domain::Role;
use veikart_domain::records::RecordFields;
use veikart_domain::tree::WireName;
use veikart_store::records::{Provenance, RecordRow, RecordTable};
use veikart_store::{StoreError, TenantRow, Tx};

use self::read::{Format, Options};
use super::records::kinds::{
    ActivityKind, MemberKind, MilestoneKind, ObservationKind, ProjectKind, SurveyKind,
};
use super::records::{Fields, RecordKind};
use super::resource::Write;
use crate::auth::Auth;
use crate::error::{ApiError, RowError};
use crate::state::AppState;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(import_records);
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

/// The kinds of record an import writes, by their collection's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Members,
    Activities,
    Surveys,
    Projects,
    Observations,
    Milestones,
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

/// How to read and apply the body.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Check and count everything, write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// CSV: skip columns the kind does not have instead of refusing the import (a JSON
    /// or NDJSON record has the kind's fields only).
    #[serde(default)]
    pub ignore_unknown_columns: bool,
    /// CSV: renames header names to the kind's fields: `from:to,from:to`, e.g.
    /// `organisasjonsnummer:org_number,navn:name`.
    #[param(pattern = "^([^:,\\u0000]+:[^:,\\u0000]+(,[^:,\\u0000]+:[^:,\\u0000]+)*)?$")]
    pub columns: Option<String>,
}

/// What an import did (or with `dry_run`, would do).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportSummary {
    pub kind: ImportKind,
    pub format: Format,
    pub dry_run: bool,
    /// The rows the body holds.
    pub rows: usize,
    /// Records created (rows that matched no stored record by its keys).
    pub created: usize,
    /// Records whose fields the rows changed.
    pub updated: usize,
    /// Rows equal to their stored record, which was left as it was.
    pub unchanged: usize,
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
/// equal). JSON and NDJSON records have the kind's fields only. CSV has a header row of
/// field names (any case, renamed by `columns`; the served-only columns of an export are
/// skipped, others refused unless `ignore_unknown_columns`), delimited by `,`, `;` or
/// tab; numbers may have a decimal comma, dates may be `DD.MM.YYYY`, an empty cell is null. Any invalid row → 422 listing every
/// bad row (`row`, `field`, `message`; at most 1,000, with `error_count`), and nothing is
/// written. The body limit is `VEIKART_IMPORT_BODY_LIMIT`.
#[utoipa::path(
    post, path = "/orgs/{org}/imports/{kind}", tag = "imports",
    params(ImportPath, ImportParams),
    request_body(
        description = "The records: a JSON array, one JSON object per line, or CSV with a header row.",
        content(
            (ImportRows = "application/json"),
            (String = "application/x-ndjson"),
            (String = "text/csv"),
        ),
    ),
    security(("bearer_auth" = [])),
    responses((status = 201, body = ImportSummary))
)]
#[post("/orgs/{org}/imports/{kind}")]
pub async fn import_records(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<ImportPath>,
    params: web::Query<ImportParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let write = Write::create(auth.0, &path.org, Role::Editor)?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let format = Format::of(content_type)?;
    let params = params.into_inner();
    let options = Options {
        renames: Options::renames(params.columns.as_deref())?,
        ignore_unknown: params.ignore_unknown_columns,
    };
    let body = body(&req, payload).await?;
    let request = Request {
        write,
        format,
        body,
        options,
        dry_run: params.dry_run,
    };
    let counts = match path.kind {
        ImportKind::Members => import::<MemberKind>(&state, request).await,
        ImportKind::Activities => import::<ActivityKind>(&state, request).await,
        ImportKind::Surveys => import::<SurveyKind>(&state, request).await,
        ImportKind::Projects => import::<ProjectKind>(&state, request).await,
        ImportKind::Observations => import::<ObservationKind>(&state, request).await,
        ImportKind::Milestones => import::<MilestoneKind>(&state, request).await,
    }?;
    Ok(HttpResponse::Created().json(ImportSummary {
        kind: path.kind,
        format,
        dry_run: params.dry_run,
        rows: counts.rows,
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
    }))
}

/// The whole body, up to the import limit (413 above it).
async fn body(req: &HttpRequest, mut payload: web::Payload) -> Result<web::Bytes, ApiError> {
    let limit = req
        .app_data::<web::Data<ImportBodyLimit>>()
        .map_or_else(|| ImportBodyLimit::default().0, |l| l.0);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("the body could not be read: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

struct Request {
    write: Write,
    format: Format,
    body: web::Bytes,
    options: Options,
    dry_run: bool,
}

#[derive(Debug, Default)]
struct Counts {
    rows: usize,
    created: usize,
    updated: usize,
    unchanged: usize,
}

/// The rows of a body read as a kind's fields, each checked by their rules, and the rows
/// that are not.
struct Checked<F> {
    count: usize,
    rows: Vec<(u64, F)>,
    errors: Vec<RowError>,
}

async fn import<K: RecordKind>(state: &AppState, request: Request) -> Result<Counts, ApiError> {
    let Request {
        write,
        format,
        body,
        options,
        dry_run,
    } = request;
    // Reading and checking is CPU work: off the actix workers, and before the write
    // transaction starts.
    let checked = web::block(move || check::<Fields<K>>(format, &body, &options)).await??;
    let outcome = state
        .write(move |tx| {
            let org_id = write.access.org_id(tx)?;
            apply::<K>(tx, org_id, &write.actor, checked, dry_run)
        })
        .await?;
    outcome.map_err(ApiError::InvalidRows)
}

/// Reads the body and each row as `F`, with the rules of `F`.
fn check<F: RecordFields + ToSchema>(
    format: Format,
    body: &[u8],
    options: &Options,
) -> Result<Checked<F>, ApiError> {
    let properties = match F::schema() {
        RefOr::T(Schema::Object(object)) => object.properties,
        _ => BTreeMap::new(),
    };
    let read = read::read(format, body, &properties, options)?;
    let mut checked = Checked {
        count: read.count,
        rows: Vec::with_capacity(read.rows.len()),
        errors: read.errors,
    };
    for (row, map) in read.rows {
        let fields = crate::json::from_value::<F>(Value::Object(map))
            .and_then(|fields| fields.checked().map_err(ApiError::Validation));
        match fields {
            Ok(fields) => checked.rows.push((row, fields)),
            Err(ApiError::Validation(errors)) => checked
                .errors
                .extend(errors.into_iter().map(|error| RowError { row, error })),
            Err(other) => checked
                .errors
                .push(RowError::new(row, "body", other.to_string())),
        }
    }
    Ok(checked)
}

/// Matches the checked rows with each other and the stored records, and writes them
/// unless any row is bad (then every bad row, sorted by row) or this is a dry run.
fn apply<K: RecordKind>(
    tx: &mut Tx<'_>,
    org_id: i64,
    actor: &str,
    checked: Checked<Fields<K>>,
    dry_run: bool,
) -> Result<Result<Counts, Vec<RowError>>, StoreError> {
    let Checked {
        count,
        rows,
        mut errors,
    } = checked;
    let entity = <Fields<K> as RecordFields>::KIND.wire_name();

    // Two rows of the file with one key.
    let mut first_with: HashMap<veikart_store::records::RecordKey, u64> = HashMap::new();
    for (row, fields) in &rows {
        for key in K::Table::keys(fields) {
            if let Some(first) = first_with.get(&key) {
                errors.push(RowError::new(
                    *row,
                    key.field,
                    format!(
                        "rows {first} and {row} have the same {} `{}`; a file holds each \
                         record once",
                        key.field, key.value
                    ),
                ));
            } else {
                first_with.insert(key, *row);
            }
        }
    }

    // References to measures, all checked in one statement per batch.
    let measures: BTreeSet<i64> = rows.iter().filter_map(|(_, f)| K::measure_id(f)).collect();
    if !measures.is_empty() {
        let ids: Vec<i64> = measures.into_iter().collect();
        let found: HashSet<i64> = veikart_store::measures::existing(tx, org_id, &ids)?
            .into_iter()
            .collect();
        for (row, fields) in &rows {
            if K::measure_id(fields).is_some_and(|id| !found.contains(&id)) {
                errors.push(RowError::new(
                    *row,
                    "measure_id",
                    "no such measure in this organisation",
                ));
            }
        }
    }

    // The stored records holding the rows' keys.
    let wanted: Vec<&Fields<K>> = rows.iter().map(|(_, f)| f).collect();
    let stored = K::Table::holding(tx, org_id, &wanted)?;
    let mut stored_fields = Vec::with_capacity(stored.len());
    let mut holder: HashMap<veikart_store::records::RecordKey, usize> = HashMap::new();
    for (i, row) in stored.iter().enumerate() {
        let fields = K::Table::fields(row)?;
        for key in K::Table::keys(&fields) {
            holder.insert(key, i);
        }
        stored_fields.push(fields);
    }

    let mut counts = Counts {
        rows: count,
        ..Counts::default()
    };
    let mut inserts = Vec::new();
    let mut updates = Vec::new();
    let mut claimed: HashMap<usize, u64> = HashMap::new();
    for (row, fields) in rows {
        let matches: BTreeMap<usize, &str> = K::Table::keys(&fields)
            .into_iter()
            .filter_map(|key| holder.get(&key).map(|i| (*i, key.field)))
            .collect();
        let mut matches = matches.into_iter();
        match (matches.next(), matches.next()) {
            (None, _) => inserts.push(fields),
            (Some((i, field)), None) => {
                let id = stored[i].id();
                if let Some(first) = claimed.insert(i, row) {
                    errors.push(RowError::new(
                        row,
                        field,
                        format!("rows {first} and {row} both match {entity} {id}"),
                    ));
                } else if stored_fields[i] == fields {
                    counts.unchanged += 1;
                } else {
                    updates.push((i, fields));
                }
            }
            (Some((a, field_a)), Some((b, field_b))) => errors.push(RowError::new(
                row,
                field_b,
                format!(
                    "matches {entity} {} by {field_a} and {entity} {} by {field_b}",
                    stored[a].id(),
                    stored[b].id()
                ),
            )),
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Ok(Err(errors));
    }
    counts.created = inserts.len();
    counts.updated = updates.len();
    if dry_run || counts.created + counts.updated == 0 {
        return Ok(Ok(counts));
    }
    let replaced = updates
        .into_iter()
        .map(|(i, fields)| {
            let row = &stored[i];
            let by = Provenance {
                created_by: row.created_by().to_owned(),
                updated_by: actor.to_owned(),
            };
            (row.id(), row.version(), fields, by)
        })
        .collect();
    K::Table::replace_all(tx, org_id, replaced)?;
    let by = || Provenance {
        created_by: actor.to_owned(),
        updated_by: actor.to_owned(),
    };
    K::Table::insert_all(tx, org_id, inserts.into_iter().map(|f| (f, by())).collect())?;
    veikart_store::audit::record(
        tx,
        org_id,
        actor,
        veikart_store::audit::Action::Create,
        "import",
        0,
    )?;
    Ok(Ok(counts))
}
