//! A record list as CSV (`Accept: text/csv`): every matching record, not one page, read
//! and sent in batches so that a list of any length never sits in memory whole. The
//! header row is the JSON field names; values are written as JSON has them (`null` as an
//! empty cell), `,`-delimited, UTF-8, quoted as RFC 4180 says. This is the shape the
//! record import reads back.

use actix_web::HttpResponse;
use actix_web::web::Bytes;
use futures_util::stream;
use serde_json::Value;
use utoipa::PartialSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use veikart_store::{Page, PageRequest, TenantTable, records::RecordTable};

use super::{Fields, Filter, Record, RecordKind, TEXT_CSV, wire};
use crate::error::ApiError;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// Rows read per round trip while exporting.
const BATCH: i64 = 1000;

/// The columns: the record's field names, as its schema lists them.
fn columns<K: RecordKind>() -> Vec<String> {
    match Record::<Fields<K>>::schema() {
        RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// One batch of records as CSV lines (with the header first when `header` is given).
fn lines<K: RecordKind>(
    header: Option<&[String]>,
    columns: &[String],
    rows: &[<K::Table as TenantTable>::Row],
) -> Result<Bytes, ApiError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| ApiError::Internal(format!("writing CSV: {e}"));
    if let Some(header) = header {
        out.write_record(header).map_err(failed)?;
    }
    for row in rows {
        let record = serde_json::to_value(wire::<K>(row)?)
            .map_err(|e| ApiError::Internal(format!("a record as JSON: {e}")))?;
        out.write_record(columns.iter().map(|c| cell(&record[c.as_str()])))
            .map_err(failed)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| ApiError::Internal(format!("writing CSV: {e}")))?;
    Ok(Bytes::from(bytes))
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Streams every record matching `filter`. The first batch is read before answering, so
/// that an unknown organisation is still a 404 and a database outage a 503.
pub async fn export<K: RecordKind>(
    state: &AppState,
    access: OrgAccess,
    filter: Filter<K>,
) -> Result<HttpResponse, ApiError> {
    let columns = columns::<K>();
    let access = std::sync::Arc::new(access);
    let first = batch::<K>(state, access.clone(), filter.clone(), None).await?;
    let head = lines::<K>(Some(&columns), &columns, &first.items)?;
    let state = state.clone();
    // The rest is streamed after the handler returned: the log line takes the id along.
    let request_id = crate::observe::request_id::log_field();
    let rest = stream::unfold(
        (first.next_after, state, access, filter, columns),
        move |(after, state, access, filter, columns)| {
            let request_id = request_id.clone();
            async move {
                let after = after?;
                let next =
                    match batch::<K>(&state, access.clone(), filter.clone(), Some(after)).await {
                        Ok(page) => page,
                        Err(e) => {
                            log::error!("{} CSV export stopped: {e}", request_id.as_str());
                            return Some((
                                Err(actix_web::Error::from(e)),
                                (None, state, access, filter, columns),
                            ));
                        }
                    };
                let chunk = lines::<K>(None, &columns, &next.items).map_err(actix_web::Error::from);
                Some((chunk, (next.next_after, state, access, filter, columns)))
            }
        },
    );
    let body = futures_util::StreamExt::chain(stream::once(async move { Ok(head) }), rest);
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CONTENT_TYPE, TEXT_CSV))
        .streaming(body))
}

async fn batch<K: RecordKind>(
    state: &AppState,
    access: std::sync::Arc<OrgAccess>,
    filter: Filter<K>,
    after: Option<i64>,
) -> Result<Page<<K::Table as TenantTable>::Row>, ApiError> {
    let page = PageRequest {
        after,
        limit: BATCH,
    };
    state
        .compute(move |conn| K::Table::list(conn, access.org(), &filter, page))
        .await
}
