//! The import itself: the body read row by row into the kind's fields, checked by their
//! rules, matched by the kind's keys against the file's earlier rows and the stored
//! records, and written in chunks of [`CHUNK`] rows — all in one write transaction.
//!
//! A chunk costs a fixed number of statements whatever its rows: the measures its rows
//! name, the stored records holding its keys (one statement per [`BATCH`] keys of each
//! sort), the replaced records, and the new ones (multi-row inserts of [`BATCH`]). Memory
//! holds one chunk, the keys seen so far (to name both rows of a duplicate) and the ids
//! of the records matched so far (to refuse two rows matching one record).
//!
//! [`BATCH`]: veikart_store::records::BATCH

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::io::BufReader;
use std::time::Instant;

use actix_web::http::StatusCode;
use serde_json::{Map, Value};
use utoipa::PartialSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use veikart_domain::records::RecordFields;
use veikart_domain::tree::WireName;
use veikart_store::imports::{self as store, ImportOutcome, NewImport};
use veikart_store::records::{Provenance, RecordKey, RecordRow, RecordTable, Replacement};
use veikart_store::{StoreError, TenantRow, Tx};

use super::idempotency::{self, Key};
use super::read::{self, Charset, Format, Options, Sink, Windows1252};
use super::spool::Spooled;
use super::{Import, ImportKind};
use crate::error::{ApiError, MAX_ROW_ERRORS, RowError};
use crate::observe::metrics::ImportResult;
use crate::observe::request_id;
use crate::routes::records::{Fields, RecordKind};
use crate::routes::resource::Write;
use crate::state::AppState;
use crate::time::utc;

/// Rows read before they are matched and written together.
const CHUNK: usize = 2_000;
/// Rows between two progress lines in the log.
const PROGRESS_EVERY: u64 = 100_000;

/// Everything an import needs once its body is here.
pub struct Request {
    pub org: String,
    pub write: Write,
    pub kind: ImportKind,
    pub format: Format,
    pub charset: Charset,
    pub body: Spooled,
    pub options: Options,
    pub dry_run: bool,
    pub key: Option<Key>,
}

/// Runs the import in one write transaction on a blocking thread, and counts it in the
/// metrics (when they are on).
pub async fn import<K: RecordKind>(state: &AppState, request: Request) -> Result<Import, ApiError> {
    let clock = Instant::now();
    let kind = request.kind.as_str();
    // The blocking thread has no request id of its own: the log lines take it along.
    let request_id = request_id::log_field();
    let outcome = state
        .write_or_undo(move |tx| import_in::<K>(tx, request, &request_id))
        .await;
    if let Some(metrics) = &state.metrics.0 {
        let (result, rows) = match &outcome {
            Ok(import) if import.dry_run => (ImportResult::DryRun, [0; 3]),
            Ok(import) => {
                let n = |v: i64| u64::try_from(v).unwrap_or(0);
                let rows = [n(import.created), n(import.updated), n(import.unchanged)];
                (ImportResult::Written, rows)
            }
            Err(_) => (ImportResult::Failed, [0; 3]),
        };
        metrics.import(kind, result, rows, clock.elapsed());
    }
    outcome
}

fn import_in<K: RecordKind>(
    tx: &mut Tx<'_>,
    request: Request,
    request_id: &str,
) -> Result<Import, ApiError> {
    let Request {
        org,
        write,
        kind,
        format,
        charset,
        body,
        options,
        dry_run,
        key,
    } = request;
    let clock = Instant::now();
    let org_id = write.access.org_id(tx)?;
    let started_at = veikart_store::now();
    let Spooled {
        file,
        bytes,
        sha256,
    } = body;
    let body_bytes = i64::try_from(bytes).unwrap_or(i64::MAX);
    let import_id = if dry_run {
        None
    } else {
        Some(store::start(
            tx,
            NewImport {
                org_id,
                kind: kind.as_str().to_owned(),
                format: format.as_str().to_owned(),
                charset: charset.as_str().to_owned(),
                imported_by: write.actor.clone(),
                body_sha256: sha256.clone(),
                body_bytes,
                started_at,
            },
        )?)
    };
    let properties = match Fields::<K>::schema() {
        RefOr::T(Schema::Object(object)) => object.properties,
        _ => BTreeMap::new(),
    };
    let mut importer = Importer::<K> {
        tx,
        org_id,
        actor: &write.actor,
        import_id,
        dry_run,
        label: format!(
            "{request_id} {} import {} into {org}",
            kind.as_str(),
            import_id.unwrap_or(0)
        ),
        chunk: Vec::with_capacity(CHUNK),
        first_with: HashMap::new(),
        seen: Seen::default(),
        claimed: HashMap::new(),
        errors: Vec::new(),
        error_count: 0,
        counts: Counts::default(),
        clock,
    };
    let input = BufReader::with_capacity(1 << 20, file);
    match charset {
        Charset::Utf8 => read::each_row(
            format,
            read::without_bom(input)?,
            &properties,
            &options,
            &mut importer,
        )?,
        Charset::Windows1252 => read::each_row(
            format,
            BufReader::with_capacity(1 << 20, Windows1252::new(input)),
            &properties,
            &options,
            &mut importer,
        )?,
    }
    importer.flush()?;
    let Importer {
        mut errors,
        error_count,
        counts,
        label,
        ..
    } = importer;
    if error_count > 0 {
        errors.sort_by_key(|e| e.row);
        log::info!(
            "{label}: {error_count} invalid field(s) in {} rows; nothing written",
            counts.rows
        );
        return Err(ApiError::InvalidRows {
            errors,
            count: error_count,
        });
    }
    let finished_at = veikart_store::now();
    let wide = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let outcome = ImportOutcome {
        row_count: wide(counts.rows),
        created: wide(counts.created),
        updated: wide(counts.updated),
        unchanged: wide(counts.unchanged),
        finished_at,
    };
    let import = match import_id {
        Some(id) => {
            let row = store::finish(tx, id, outcome)?;
            veikart_store::audit::record(
                tx,
                org_id,
                &write.actor,
                veikart_store::audit::Action::Create,
                "import",
                id,
            )?;
            let completed = veikart_store::events::import_completed(&row)?;
            veikart_store::events::emit(tx, org_id, &completed)?;
            Import::of(row)?
        }
        None => Import {
            id: None,
            kind,
            format,
            charset,
            dry_run: true,
            imported_by: write.actor.clone(),
            body_sha256: sha256,
            body_bytes,
            rows: outcome.row_count,
            created: outcome.created,
            updated: outcome.updated,
            unchanged: outcome.unchanged,
            started_at: utc(started_at),
            finished_at: utc(finished_at),
            duration_ms: (finished_at - started_at).num_milliseconds(),
        },
    };
    if let Some(key) = &key {
        let (status, location) = match import.location(&org) {
            Some(location) => (StatusCode::CREATED, Some(location)),
            None => (StatusCode::OK, None),
        };
        let answer = serde_json::to_string(&import)
            .map_err(|e| ApiError::Internal(format!("an import's answer: {e}")))?;
        idempotency::store_answer(tx, key, status, location.as_deref(), &answer)?;
    }
    log::info!(
        "{label}: {} rows, {} created, {} updated, {} unchanged in {} ms",
        counts.rows,
        counts.created,
        counts.updated,
        counts.unchanged,
        clock.elapsed().as_millis()
    );
    Ok(import)
}

/// Keys as 128 bits from two independently seeded hashes: the file's earlier keys are
/// kept in this form, so a million of them cost tens of megabytes rather than their text,
/// and two different keys share a digest with a chance of about one in 10^20 per pair.
#[derive(Default)]
struct Seen(RandomState, RandomState);

impl Seen {
    fn digest(&self, key: &RecordKey) -> (u64, u64) {
        (self.0.hash_one(key), self.1.hash_one(key))
    }
}

#[derive(Debug, Default)]
struct Counts {
    rows: u64,
    created: u64,
    updated: u64,
    unchanged: u64,
}

/// The state of an import between chunks.
struct Importer<'t, 'c, 'a, K: RecordKind> {
    tx: &'t mut Tx<'c>,
    org_id: i64,
    actor: &'a str,
    /// `None` for a dry run.
    import_id: Option<i64>,
    dry_run: bool,
    /// How the log names this import.
    label: String,
    /// Rows read and checked, not yet matched.
    chunk: Vec<(u64, Fields<K>)>,
    /// The first row holding each key seen so far, by the key's [`Seen`] digest.
    first_with: HashMap<(u64, u64), u64>,
    seen: Seen,
    /// The row that matched each stored record so far.
    claimed: HashMap<i64, u64>,
    /// The first [`MAX_ROW_ERRORS`] errors.
    errors: Vec<RowError>,
    error_count: usize,
    counts: Counts,
    clock: Instant,
}

impl<K: RecordKind> Sink for Importer<'_, '_, '_, K> {
    fn row(&mut self, row: u64, fields: Map<String, Value>) -> Result<(), ApiError> {
        self.counts.rows += 1;
        let fields = crate::json::from_value::<Fields<K>>(Value::Object(fields))
            .and_then(|fields| fields.checked().map_err(ApiError::Validation));
        match fields {
            Ok(fields) => self.chunk.push((row, fields)),
            Err(ApiError::Validation(errors)) => {
                self.note(errors.into_iter().map(|error| RowError { row, error }));
            }
            Err(other) => self.note([RowError::new(row, "body", other.to_string())]),
        }
        if self.chunk.len() >= CHUNK {
            self.flush()?;
        }
        if self.counts.rows.is_multiple_of(PROGRESS_EVERY) {
            log::info!(
                "{}: {} rows read, {} written, {} invalid field(s), {} s",
                self.label,
                self.counts.rows,
                self.counts.created + self.counts.updated,
                self.error_count,
                self.clock.elapsed().as_secs()
            );
        }
        Ok(())
    }

    fn unreadable(&mut self, errors: Vec<RowError>) -> Result<(), ApiError> {
        self.counts.rows += 1;
        self.note(errors);
        Ok(())
    }

    fn header(&mut self, errors: Vec<RowError>) {
        self.note(errors);
    }
}

impl<K: RecordKind> Importer<'_, '_, '_, K> {
    fn note(&mut self, errors: impl IntoIterator<Item = RowError>) {
        for error in errors {
            self.error_count += 1;
            if self.errors.len() < MAX_ROW_ERRORS {
                self.errors.push(error);
            }
        }
    }

    /// Matches the rows read since the last flush with the file's earlier rows and the
    /// stored records, and writes them, unless a row of the file was bad (then the rest
    /// is only checked) or this is a dry run.
    fn flush(&mut self) -> Result<(), StoreError> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.chunk);
        let mut errors = Vec::new();
        let entity = <Fields<K> as RecordFields>::KIND.wire_name();

        // Two rows of the file with one key.
        for (row, fields) in &rows {
            for key in K::Table::keys(fields) {
                if let Some(first) = self.first_with.get(&self.seen.digest(&key)) {
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
                    self.first_with.insert(self.seen.digest(&key), *row);
                }
            }
        }

        // References to measures, all checked at once.
        let measures: BTreeSet<i64> = rows.iter().filter_map(|(_, f)| K::measure_id(f)).collect();
        if !measures.is_empty() {
            let ids: Vec<i64> = measures.into_iter().collect();
            let found: HashSet<i64> =
                veikart_store::measures::existing(self.tx, self.org_id, &ids)?
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
        // Run again for every chunk while the import fills the table: planned each time
        // for the keys' index, not once for the table as it was at the first chunk.
        let stored = veikart_store::by_index_each_time(self.tx, |tx| {
            K::Table::holding(tx, self.org_id, &wanted)
        })?;
        let mut stored_fields = Vec::with_capacity(stored.len());
        let mut holder: HashMap<RecordKey, usize> = HashMap::new();
        for (i, row) in stored.iter().enumerate() {
            let fields = K::Table::fields(row)?;
            for key in K::Table::keys(&fields) {
                holder.insert(key, i);
            }
            stored_fields.push(fields);
        }

        let mut inserts = Vec::new();
        let mut updates = Vec::new();
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
                    if let Some(first) = self.claimed.insert(id, row) {
                        errors.push(RowError::new(
                            row,
                            field,
                            format!("rows {first} and {row} both match {entity} {id}"),
                        ));
                    } else if stored_fields[i] == fields {
                        self.counts.unchanged += 1;
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
        errors.sort_by_key(|e| e.row);
        self.note(errors);
        self.counts.created += inserts.len() as u64;
        self.counts.updated += updates.len() as u64;
        if self.dry_run || self.error_count > 0 {
            return Ok(());
        }
        let by = |created_by: &str| Provenance {
            created_by: created_by.to_owned(),
            updated_by: self.actor.to_owned(),
            import_id: self.import_id,
        };
        let replaced = updates
            .into_iter()
            .map(|(i, fields)| {
                let row = &stored[i];
                Replacement {
                    id: row.id(),
                    version: row.version(),
                    created_at: row.created_at(),
                    fields,
                    by: by(row.created_by()),
                }
            })
            .collect();
        K::Table::replace_all(self.tx, self.org_id, replaced)?;
        let inserts = inserts.into_iter().map(|f| (f, by(self.actor))).collect();
        K::Table::insert_all(self.tx, self.org_id, inserts)?;
        Ok(())
    }
}
