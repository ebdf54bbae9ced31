//! The import log: one row per import that ran to its end (not a dry run), with who ran
//! it, what and from which body, its counts and how long it took. The row is inserted
//! when the import's transaction starts writing, so that every record it writes can carry
//! its id, and completed in the same transaction: an import that fails or is cut off
//! leaves neither records nor a log row.
//!
//! Also the `Idempotency-Key` answers ([`IdempotencyKey`]): a key is taken in its own short
//! transaction when its first request starts, and answered in that request's transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use veikart_domain::imports::{ImportCharset, ImportFormat, ImportKind};

use crate::db::{DbConnection, Tx};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{idempotency_keys, imports};
use crate::scope::{Org, in_org};
use crate::stored::Stored;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = imports)]
pub struct Import {
    pub id: i64,
    pub org_id: i64,
    pub kind: Stored<ImportKind>,
    pub format: Stored<ImportFormat>,
    /// The body's character encoding.
    pub charset: Stored<ImportCharset>,
    pub imported_by: String,
    pub body_sha256: String,
    pub body_bytes: i64,
    pub row_count: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub started_at: NaiveDateTime,
    pub finished_at: NaiveDateTime,
}

/// What an import is, known when it starts: its kind of record, its body, who runs it and
/// when.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = imports)]
pub struct NewImport {
    pub org_id: i64,
    pub kind: Stored<ImportKind>,
    pub format: Stored<ImportFormat>,
    pub charset: Stored<ImportCharset>,
    pub imported_by: String,
    pub body_sha256: String,
    pub body_bytes: i64,
    pub started_at: NaiveDateTime,
}

/// What an import did, known at its end.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = imports)]
pub struct ImportOutcome {
    pub row_count: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub finished_at: NaiveDateTime,
}

/// Starts the log row of an import (counts zero, finished when it started, until
/// [`finish`]); its id is what the records it writes carry.
pub fn start(tx: &mut Tx<'_>, import: NewImport) -> Result<i64, StoreError> {
    let started_at = import.started_at;
    Ok(diesel::insert_into(imports::table)
        .values((
            import,
            imports::row_count.eq(0),
            imports::created.eq(0),
            imports::updated.eq(0),
            imports::unchanged.eq(0),
            imports::finished_at.eq(started_at),
        ))
        .returning(imports::id)
        .get_result(&mut **tx)?)
}

/// Completes the log row with what the import did.
pub fn finish(tx: &mut Tx<'_>, id: i64, outcome: ImportOutcome) -> Result<Import, StoreError> {
    Ok(diesel::update(imports::table.find(id))
        .set(outcome)
        .get_result(&mut **tx)?)
}

/// One import of the organisation (`NotFound` for another organisation's); one statement.
pub fn get(conn: &mut DbConnection, org: Org<'_>, id: i64) -> Result<Import, StoreError> {
    Ok(in_org!(imports, org)
        .filter(imports::id.eq(id))
        .first::<Import>(conn)?)
}

/// The organisation's imports (of one kind of record, given `kind`), oldest first; one
/// statement (an empty page asks once more whether the organisation exists).
pub fn list(
    conn: &mut DbConnection,
    org: Org<'_>,
    kind: Option<ImportKind>,
    page: PageRequest,
) -> Result<Page<Import>, StoreError> {
    let mut query = in_org!(imports, org);
    if let Some(kind) = kind {
        query = query.filter(imports::kind.eq(Stored(kind)));
    }
    let rows = query
        .filter(imports::id.gt(page.after_id()))
        .order(imports::id.asc())
        .limit(page.fetch_limit())
        .load::<Import>(conn)?;
    if rows.is_empty() {
        org.ensure_exists(conn)?;
    }
    Ok(page.finish(rows, |r| r.id))
}

/// A stored `Idempotency-Key`: the request it was first used with and, once that request
/// has finished, its answer.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyKey {
    pub org_id: i64,
    pub key: String,
    /// SHA-256 of what makes two requests the same (path, query, media type, body).
    pub request_sha256: String,
    /// The answer's status; `None` while the first request runs.
    pub status: Option<i32>,
    pub location: Option<String>,
    pub answer: Option<String>,
    pub created_at: NaiveDateTime,
}

/// What became of an attempt to take a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Taken {
    /// The key is new: this request runs and answers it.
    New,
    /// The key was taken before, by this request or another (see its fields).
    Before(IdempotencyKey),
}

/// Takes `key` for a request (in its own transaction, committed before the request runs)
/// unless it is already taken and younger than `abandoned_after`; a key whose first
/// request never answered within that time (its server stopped) is taken anew. Keys
/// older than `expire_before` are dropped first.
pub fn take_key(
    tx: &mut Tx<'_>,
    key: IdempotencyKey,
    expire_before: NaiveDateTime,
    abandoned_before: NaiveDateTime,
) -> Result<Taken, StoreError> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(expire_before)))
        .execute(&mut **tx)?;
    let stored = idempotency_keys::table
        .find((key.org_id, &key.key))
        .first::<IdempotencyKey>(&mut **tx)
        .optional()?;
    match stored {
        Some(stored) if stored.status.is_some() || stored.created_at >= abandoned_before => {
            Ok(Taken::Before(stored))
        }
        Some(_) => {
            diesel::update(idempotency_keys::table.find((key.org_id, &key.key)))
                .set((
                    idempotency_keys::request_sha256.eq(&key.request_sha256),
                    idempotency_keys::created_at.eq(key.created_at),
                ))
                .execute(&mut **tx)?;
            Ok(Taken::New)
        }
        None => {
            diesel::insert_into(idempotency_keys::table)
                .values(&key)
                .execute(&mut **tx)?;
            Ok(Taken::New)
        }
    }
}

/// Stores the answer of the request that took `key`, in that request's transaction.
pub fn answer(
    tx: &mut Tx<'_>,
    org_id: i64,
    key: &str,
    status: i32,
    location: Option<&str>,
    answer: &str,
) -> Result<(), StoreError> {
    diesel::update(idempotency_keys::table.find((org_id, key)))
        .set((
            idempotency_keys::status.eq(status),
            idempotency_keys::location.eq(location),
            idempotency_keys::answer.eq(answer),
        ))
        .execute(&mut **tx)?;
    Ok(())
}

/// Gives back a key whose request ended without an answer to keep (it failed before it
/// could write anything), so that the same request may be sent again.
pub fn release_key(tx: &mut Tx<'_>, org_id: i64, key: &str) -> Result<(), StoreError> {
    diesel::delete(
        idempotency_keys::table
            .find((org_id, key))
            .filter(idempotency_keys::status.is_null()),
    )
    .execute(&mut **tx)?;
    Ok(())
}
