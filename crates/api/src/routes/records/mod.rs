//! `/api/v1/orgs/{org}/<kind>`: the records KPIs are computed from — `members`,
//! `activities`, `surveys`, `projects`, `observations`, `milestones` — all served by the
//! one implementation here: reading (one statement), paging in date order, CSV export of
//! a whole filtered list, creating, changing (`If-Match`) and deleting, with organisation
//! isolation, roles (viewers read, editors write), provenance and the audit trail.
//!
//! A kind is its domain fields (`veikart_domain::records`), its store table
//! (`veikart_store::records`), an implementation of [`RecordKind`] for the rules that
//! need the database, and a `resource_handlers!` declaration (`scope: records`) in
//! `kinds.rs`.

mod csv;
pub mod kinds;
mod wire;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use veikart_domain::Role;
use veikart_domain::records::RecordFields;
use veikart_store::records::{Provenance, RecordTable};
use veikart_store::{StoreError, TenantTable, Tx};

use super::resource::{Write, created, current, viewer};
use crate::auth::Claims;
use crate::error::ApiError;
use crate::pagination::{self, PageParams};
use crate::routes::orgs::OrgPath;
use crate::state::AppState;

pub use kinds::configure;
pub use wire::{Record, RecordPatch};

/// `{org}` and `{id}` in a record's path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RecordPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
    /// The record's id.
    pub id: i64,
}

/// What a kind of record adds to the shared handlers: its table and the rules that need
/// the database (references to other rows, uniqueness worth a precise message).
pub trait RecordKind: 'static {
    type Table: RecordTable<Fields: utoipa::ToSchema, Filter: serde::de::DeserializeOwned + Clone>;

    /// Checks `fields` against stored data before they are written (`id` is the record's
    /// own when it is changed). Nothing, by default.
    fn check(
        _tx: &mut Tx<'_>,
        _org_id: i64,
        _fields: &Fields<Self>,
        _id: Option<i64>,
    ) -> Result<(), StoreError> {
        Ok(())
    }

    /// The measure the fields refer to, which must be one of the organisation's (an
    /// import checks them all at once). None, by default.
    fn measure_id(_fields: &Fields<Self>) -> Option<i64> {
        None
    }
}

/// A kind's fields.
pub type Fields<K> = <<K as RecordKind>::Table as RecordTable>::Fields;
/// A kind's list filters.
pub type Filter<K> = <<K as RecordKind>::Table as RecordTable>::Filter;
type Row<K> = <<K as RecordKind>::Table as TenantTable>::Row;

fn wire<K: RecordKind>(row: &Row<K>) -> Result<Record<Fields<K>>, ApiError> {
    Record::of::<K::Table>(row)
}

/// Whether the client asked for CSV (`Accept: text/csv`) rather than JSON.
pub fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|media| {
            media
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("text/csv")
        })
}

/// A page of records in date order, or with `Accept: text/csv` every matching record.
/// One statement per page.
pub async fn list<K: RecordKind>(
    req: &HttpRequest,
    state: &AppState,
    caller: Claims,
    path: &OrgPath,
    filter: Filter<K>,
    page: &PageParams,
) -> Result<HttpResponse, ApiError> {
    let access = viewer(caller, &path.org)?;
    if wants_csv(req) {
        return csv::export::<K>(state, access, filter).await;
    }
    let request = page.request()?;
    let rows = state
        .db(move |conn| K::Table::list(conn, access.org(), &filter, request))
        .await?;
    Ok(HttpResponse::Ok().json(pagination::Page::try_from_store(rows, |r| wire::<K>(&r))?))
}

/// One statement.
pub async fn get<K: RecordKind>(
    req: &HttpRequest,
    state: &AppState,
    caller: Claims,
    path: &RecordPath,
) -> Result<HttpResponse, ApiError> {
    let access = viewer(caller, &path.org)?;
    let id = path.id;
    let row = state
        .db(move |conn| K::Table::get(conn, access.org(), id))
        .await?;
    current(req, row, |r| wire::<K>(&r))
}

/// Writes one record (for create and for the demo year): checks its fields, then the
/// kind's rules against stored data, then inserts it with its provenance.
pub fn insert<K: RecordKind>(
    tx: &mut Tx<'_>,
    org_id: i64,
    actor: &str,
    fields: Fields<K>,
) -> Result<Row<K>, StoreError> {
    let fields = fields.checked().map_err(StoreError::Invalid)?;
    K::check(tx, org_id, &fields, None)?;
    K::Table::insert_fields(tx, org_id, fields, Provenance::by(actor))
}

pub async fn create<K: RecordKind>(
    req: &HttpRequest,
    state: &AppState,
    caller: Claims,
    path: &OrgPath,
    fields: Fields<K>,
) -> Result<HttpResponse, ApiError> {
    let write = Write::create(caller, &path.org, Role::Editor)?;
    let row = state
        .write(move |tx| {
            let org_id = write.access.org_id(tx)?;
            insert::<K>(tx, org_id, &write.actor, fields)
        })
        .await?;
    let collection = <Fields<K> as RecordFields>::KIND.segment();
    created(req, &path.org, collection, row, |r| wire::<K>(&r))
}

pub async fn update<K: RecordKind>(
    req: &HttpRequest,
    state: &AppState,
    caller: Claims,
    path: &RecordPath,
    patch: RecordPatch<Fields<K>>,
) -> Result<HttpResponse, ApiError> {
    let write = Write::change(req, caller, &path.org, Role::Editor)?;
    let id = path.id;
    let row = state
        .write(move |tx| {
            let org_id = write.access.org_id(tx)?;
            let expected = write.expected.as_deref();
            K::Table::update_fields(tx, org_id, id, &write.actor, expected, |tx, stored| {
                let merged = patch.apply(stored).map_err(invalid)?;
                let merged = merged.checked().map_err(StoreError::Invalid)?;
                K::check(tx, org_id, &merged, Some(id))?;
                Ok(merged)
            })
        })
        .await?;
    current(req, row, |r| wire::<K>(&r))
}

pub async fn delete<K: RecordKind>(
    req: &HttpRequest,
    state: &AppState,
    caller: Claims,
    path: &RecordPath,
) -> Result<HttpResponse, ApiError> {
    let write = Write::change(req, caller, &path.org, Role::Editor)?;
    let id = path.id;
    state
        .write(move |tx| {
            let org_id = write.access.org_id(tx)?;
            let expected = write.expected.as_deref();
            K::Table::delete(tx, org_id, id, &write.actor, expected, |_, _| Ok(()))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A validation problem found while merging a change, as the store reports it.
fn invalid(error: ApiError) -> StoreError {
    match error {
        ApiError::Validation(errors) => StoreError::Invalid(errors),
        other => StoreError::Invalid(vec![veikart_domain::FieldError::new(
            "body",
            other.to_string(),
        )]),
    }
}

/// 422 for `measure_id` unless it names a measure of the organisation.
pub fn check_measure(
    tx: &mut Tx<'_>,
    org_id: i64,
    measure_id: Option<i64>,
) -> Result<(), StoreError> {
    match measure_id.map(|id| veikart_store::measures::Rows::get(tx, org_id, id)) {
        Some(Err(StoreError::NotFound)) => {
            Err(StoreError::Invalid(vec![veikart_domain::FieldError::new(
                "measure_id",
                "no such measure in this organisation",
            )]))
        }
        Some(Err(e)) => Err(e),
        _ => Ok(()),
    }
}

/// The CSV media type, as answered.
pub const TEXT_CSV: HeaderValue = HeaderValue::from_static("text/csv; charset=utf-8");
