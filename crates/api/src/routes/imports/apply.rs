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
use veikart_domain::records::RecordFields;
use veikart_domain::tree::WireName;
use veikart_store::imports::{self as store, ImportOutcome, NewImport};
use veikart_store::records::{Provenance, RecordKey, RecordRow, RecordTable, Replacement};
use veikart_store::{StoreError, Stored, TenantRow, TenantTable, Tx};

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

/// The import in its steps: its log row started, the body read into the records (in
/// chunks), and — when every row was good — the log row finished with its audit entry,
/// and the answer kept for its idempotency key.
fn import_in<K: RecordKind>(
    tx: &mut Tx<'_>,
    mut request: Request,
    request_id: &str,
) -> Result<Import, ApiError> {
    let clock = Instant::now();
    let org_id = request.write.access.org_id(tx)?;
    let started_at = veikart_store::now();
    let import_id = if request.dry_run {
        None
    } else {
        Some(log_start(tx, org_id, &request, started_at)?)
    };
    let label = format!(
        "{request_id} {} import {} into {}",
        request.kind.as_str(),
        import_id.unwrap_or(0),
        request.org
    );
    let actor = &request.write.actor;
    let dry_run = request.dry_run;
    let mut importer = Importer::<K>::new(tx, org_id, actor, import_id, dry_run, label, clock)?;
    let options = &request.options;
    read_body(
        &mut request.body.file,
        request.format,
        request.charset,
        options,
        &mut importer,
    )?;
    importer.flush()?;
    let (counts, label) = importer.counts_when_valid()?;
    let outcome = outcome_of(&counts);
    let import = match import_id {
        Some(id) => log_finish(tx, org_id, &request.write.actor, id, outcome)?,
        None => dry_run_answer(&request, started_at, &outcome),
    };
    if let Some(key) = &request.key {
        keep_answer(tx, key, &request.org, &import)?;
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

/// The import's size in the log row's column: at most `i64::MAX`.
fn body_bytes(request: &Request) -> i64 {
    i64::try_from(request.body.bytes).unwrap_or(i64::MAX)
}

/// Starts the import's log row (not for a dry run, which is not recorded): its id.
fn log_start(
    tx: &mut Tx<'_>,
    org_id: i64,
    request: &Request,
    started_at: chrono::NaiveDateTime,
) -> Result<i64, StoreError> {
    store::start(
        tx,
        NewImport {
            org_id,
            kind: Stored(request.kind),
            format: Stored(request.format),
            charset: Stored(request.charset),
            imported_by: request.write.actor.clone(),
            body_sha256: request.body.sha256.clone(),
            body_bytes: body_bytes(request),
            started_at,
        },
    )
}

/// Reads the body in its charset and format, each row to the importer, with the CSV
/// cells typed by the kind's create schema.
fn read_body<K: RecordKind>(
    body: &mut std::fs::File,
    format: Format,
    charset: Charset,
    options: &Options,
    importer: &mut Importer<'_, '_, '_, K>,
) -> Result<(), ApiError> {
    let properties = read::field_schemas::<Fields<K>>();
    let input = BufReader::with_capacity(1 << 20, body);
    match charset {
        Charset::Utf8 => read::each_row(
            format,
            read::without_bom(input)?,
            &properties,
            options,
            importer,
        ),
        Charset::Windows1252 => read::each_row(
            format,
            BufReader::with_capacity(1 << 20, Windows1252::new(input)),
            &properties,
            options,
            importer,
        ),
    }
}

/// The import's counts, as its log row holds them, finished now.
fn outcome_of(counts: &Counts) -> ImportOutcome {
    let wide = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    ImportOutcome {
        row_count: wide(counts.rows),
        created: wide(counts.created),
        updated: wide(counts.updated),
        unchanged: wide(counts.unchanged),
        finished_at: veikart_store::now(),
    }
}

/// Finishes the import's log row with its outcome and records its audit entry and its
/// `import.completed` event: the recorded import.
fn log_finish(
    tx: &mut Tx<'_>,
    org_id: i64,
    actor: &str,
    id: i64,
    outcome: ImportOutcome,
) -> Result<Import, ApiError> {
    let row = store::finish(tx, id, outcome)?;
    veikart_store::audit::record(
        tx,
        org_id,
        actor,
        veikart_store::audit::Action::Create,
        "import",
        id,
    )?;
    let completed = veikart_store::events::import_completed(&row);
    veikart_store::events::emit(tx, org_id, &completed)?;
    Ok(Import::of(row))
}

/// What a dry run would have recorded: the import without an id.
fn dry_run_answer(
    request: &Request,
    started_at: chrono::NaiveDateTime,
    outcome: &ImportOutcome,
) -> Import {
    Import {
        id: None,
        kind: request.kind,
        format: request.format,
        charset: request.charset,
        dry_run: true,
        imported_by: request.write.actor.clone(),
        body_sha256: request.body.sha256.clone(),
        body_bytes: body_bytes(request),
        rows: outcome.row_count,
        created: outcome.created,
        updated: outcome.updated,
        unchanged: outcome.unchanged,
        started_at: utc(started_at),
        finished_at: utc(outcome.finished_at),
        duration_ms: (outcome.finished_at - started_at).num_milliseconds(),
    }
}

/// Keeps the import's answer (201 with its `Location`, or 200 for a dry run) for a repeat
/// of the request with the same idempotency key.
fn keep_answer(tx: &mut Tx<'_>, key: &Key, org: &str, import: &Import) -> Result<(), ApiError> {
    let (status, location) = match import.location(org) {
        Some(location) => (StatusCode::CREATED, Some(location)),
        None => (StatusCode::OK, None),
    };
    let answer = serde_json::to_string(import)
        .map_err(|e| ApiError::Internal(format!("an import's answer: {e}")))?;
    idempotency::store_answer(tx, key, status, location.as_deref(), &answer)?;
    Ok(())
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
    /// Whether the organisation had records of this kind when the import began. When it
    /// had none, no chunk looks its keys up: the only records a lookup could find are the
    /// import's own, and a row holding an earlier row's key is already an error of the
    /// file ([`Importer::repeated_keys`]). A record another writer stores meanwhile with
    /// one of the file's keys then stops the import as a conflict, as it would if stored
    /// after the lookup.
    stored_before: bool,
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

impl<'t, 'c, 'a, K: RecordKind> Importer<'t, 'c, 'a, K> {
    /// An importer with nothing read yet; asks whether the organisation has any record of
    /// the kind.
    fn new(
        tx: &'t mut Tx<'c>,
        org_id: i64,
        actor: &'a str,
        import_id: Option<i64>,
        dry_run: bool,
        label: String,
        clock: Instant,
    ) -> Result<Self, StoreError> {
        let stored_before = K::Table::any_stored(tx, org_id)?;
        Ok(Importer {
            tx,
            org_id,
            actor,
            import_id,
            dry_run,
            label,
            chunk: Vec::with_capacity(CHUNK),
            first_with: HashMap::new(),
            seen: Seen::default(),
            claimed: HashMap::new(),
            errors: Vec::new(),
            error_count: 0,
            counts: Counts::default(),
            clock,
            stored_before,
        })
    }

    /// Once the whole body is read: its counts and the import's log label, or every
    /// invalid row (422) when there was one — then nothing was written.
    fn counts_when_valid(self) -> Result<(Counts, String), ApiError> {
        let Importer {
            mut errors,
            error_count,
            counts,
            label,
            ..
        } = self;
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
        Ok((counts, label))
    }

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
        let mut errors = self.repeated_keys(&rows);
        errors.extend(self.unknown_measures(&rows)?);
        let stored = if self.stored_before {
            Holders::<K>::of(self.tx, self.org_id, &rows)?
        } else {
            Holders::none()
        };
        let matched = self.matched(rows, &stored, &mut errors);
        errors.sort_by_key(|e| e.row);
        self.note(errors);
        self.counts.created += matched.inserts.len() as u64;
        self.counts.updated += matched.updates.len() as u64;
        if self.dry_run || self.error_count > 0 {
            return Ok(());
        }
        self.write(&stored, matched)
    }

    /// Two rows of the file with one key: an error of the later row, naming the first.
    fn repeated_keys(&mut self, rows: &[(u64, Fields<K>)]) -> Vec<RowError> {
        let mut errors = Vec::new();
        for (row, fields) in rows {
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
        errors
    }

    /// Rows naming a measure the organisation does not have, all checked at once.
    fn unknown_measures(&mut self, rows: &[(u64, Fields<K>)]) -> Result<Vec<RowError>, StoreError> {
        let measures: BTreeSet<i64> = rows.iter().filter_map(|(_, f)| K::measure_id(f)).collect();
        if measures.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = measures.into_iter().collect();
        let found: HashSet<i64> = veikart_store::measures::existing(self.tx, self.org_id, &ids)?
            .into_iter()
            .collect();
        Ok(rows
            .iter()
            .filter(|(_, fields)| K::measure_id(fields).is_some_and(|id| !found.contains(&id)))
            .map(|(row, _)| {
                RowError::new(*row, "measure_id", "no such measure in this organisation")
            })
            .collect())
    }

    /// Sorts the rows by the stored records their keys match: none (a new record), one
    /// (a replacement, or unchanged when equal), or more (an error, as is a record two
    /// rows of the file match).
    fn matched(
        &mut self,
        rows: Vec<(u64, Fields<K>)>,
        stored: &Holders<K>,
        errors: &mut Vec<RowError>,
    ) -> Matched<K> {
        let entity = <Fields<K> as RecordFields>::KIND.wire_name();
        let mut inserts = Vec::new();
        let mut updates = Vec::new();
        for (row, fields) in rows {
            let mut matches = stored.matching(&fields).into_iter();
            match (matches.next(), matches.next()) {
                (None, _) => inserts.push(fields),
                (Some((i, field)), None) => {
                    let id = stored.rows[i].id();
                    if let Some(first) = self.claimed.insert(id, row) {
                        errors.push(RowError::new(
                            row,
                            field,
                            format!("rows {first} and {row} both match {entity} {id}"),
                        ));
                    } else if stored.fields[i] == fields {
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
                        stored.rows[a].id(),
                        stored.rows[b].id()
                    ),
                )),
            }
        }
        Matched { inserts, updates }
    }

    /// Replaces the matched records' fields and inserts the new ones, each carrying the
    /// import's id.
    fn write(
        &mut self,
        stored: &Holders<K>,
        Matched { inserts, updates }: Matched<K>,
    ) -> Result<(), StoreError> {
        let by = |created_by: &str| Provenance {
            created_by: created_by.to_owned(),
            updated_by: self.actor.to_owned(),
            import_id: self.import_id,
        };
        let replaced = updates
            .into_iter()
            .map(|(i, fields)| {
                let row = &stored.rows[i];
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

/// A chunk's rows to write: new records, and replacements by their stored record's index
/// in [`Holders`].
struct Matched<K: RecordKind> {
    inserts: Vec<Fields<K>>,
    updates: Vec<(usize, Fields<K>)>,
}

/// The stored records holding a chunk's keys, with their fields, and which of them holds
/// each key.
struct Holders<K: RecordKind> {
    rows: Vec<<K::Table as TenantTable>::Row>,
    fields: Vec<Fields<K>>,
    by_key: HashMap<RecordKey, usize>,
}

impl<K: RecordKind> Holders<K> {
    fn of(tx: &mut Tx<'_>, org_id: i64, rows: &[(u64, Fields<K>)]) -> Result<Self, StoreError> {
        let wanted: Vec<&Fields<K>> = rows.iter().map(|(_, f)| f).collect();
        // Run again for every chunk while the import fills the table: planned each time
        // for the keys' index, not once for the table as it was at the first chunk.
        let rows =
            veikart_store::by_index_each_time(tx, |tx| K::Table::holding(tx, org_id, &wanted))?;
        let mut fields = Vec::with_capacity(rows.len());
        let mut by_key = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            let stored = K::Table::fields(row)?;
            for key in K::Table::keys(&stored) {
                by_key.insert(key, i);
            }
            fields.push(stored);
        }
        Ok(Holders {
            rows,
            fields,
            by_key,
        })
    }

    /// No stored records: every row is new.
    fn none() -> Self {
        Holders {
            rows: Vec::new(),
            fields: Vec::new(),
            by_key: HashMap::new(),
        }
    }

    /// The records a row's keys match, each once, with the field of the last key that
    /// matched it.
    fn matching(&self, fields: &Fields<K>) -> BTreeMap<usize, &'static str> {
        K::Table::keys(fields)
            .into_iter()
            .filter_map(|key| self.by_key.get(&key).map(|i| (*i, key.field)))
            .collect()
    }
}
