//! API keys: an organisation's credentials for scripts and dashboards, stored as the
//! SHA-256 digest of each key (the key itself is never stored), with its display prefix,
//! role, expiry, last use and revocation.
//!
//! Authenticating a key is one statement: the digest is looked up through its unique
//! index, joined to the organisation for its slug, and only a key that is neither revoked
//! nor expired comes back. When its `last_used_at` is due for a write, that statement is an
//! `UPDATE … RETURNING` instead of a `SELECT`, so a key-authenticated request never costs
//! more than that one statement. Nothing about a key's validity is cached: a revocation is
//! seen by the next request on every instance.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Text;
use veikart_domain::KeyRole;

use crate::audit::{self, Action};
use crate::db::{DbConnection, Tx};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{api_keys, organisations};
use crate::scope::{Org, in_org};
use crate::stored::Stored;

/// The audit trail's name for a key.
pub const ENTITY: &str = "api_key";

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct ApiKey {
    pub id: i64,
    pub org_id: i64,
    pub digest: String,
    pub prefix: String,
    pub name: String,
    pub role: Stored<KeyRole>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub rolled_from: Option<i64>,
}

/// A new key as stored: its digest, never the key.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = api_keys)]
pub struct NewApiKey {
    pub org_id: i64,
    pub digest: String,
    pub prefix: String,
    pub name: String,
    pub role: Stored<KeyRole>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub rolled_from: Option<i64>,
}

/// Who a valid key is: what a request authenticated with it acts as.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct KeyIdentity {
    pub id: i64,
    pub role: Stored<KeyRole>,
    /// The stored digest, for the caller's constant-time comparison.
    pub digest: String,
    pub org_slug: String,
}

/// The key whose digest is `digest`, if it is valid at `now` (not revoked, not expired);
/// with `touch`, its `last_used_at` becomes `now` in the same statement.
pub fn authenticate(
    conn: &mut DbConnection,
    digest: &str,
    now: NaiveDateTime,
    touch: bool,
) -> Result<Option<KeyIdentity>, StoreError> {
    let valid = valid_at(digest.to_owned(), now);
    let found = if touch {
        let slug = sql::<Text>(
            "(SELECT slug FROM organisations WHERE organisations.id = api_keys.org_id)",
        );
        diesel::update(api_keys::table.filter(valid))
            .set(api_keys::last_used_at.eq(now))
            .returning((api_keys::id, api_keys::role, api_keys::digest, slug))
            .get_result::<KeyIdentity>(conn)
            .optional()?
    } else {
        api_keys::table
            .inner_join(organisations::table)
            .filter(valid)
            .select((
                api_keys::id,
                api_keys::role,
                api_keys::digest,
                organisations::slug,
            ))
            .first::<KeyIdentity>(conn)
            .optional()?
    };
    Ok(found)
}

/// The key with this digest, neither revoked nor expired at `now`.
#[diesel::dsl::auto_type]
fn valid_at(digest: String, now: NaiveDateTime) -> _ {
    api_keys::digest
        .eq(digest)
        .and(api_keys::revoked_at.is_null())
        .and(api_keys::expires_at.gt(now))
}

/// A key found valid by [`still_valid`]: its id and stored digest.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ValidKey {
    pub id: i64,
    /// The stored digest, for the caller's constant-time comparison.
    pub digest: String,
}

/// The key whose digest is `digest`, if it is still valid at `now` (not revoked, not
/// expired): the check of a key whose identity the caller already knows, one statement
/// on the key's own row. With `touch`, its `last_used_at` becomes `now` in the same
/// statement.
pub fn still_valid(
    conn: &mut DbConnection,
    digest: &str,
    now: NaiveDateTime,
    touch: bool,
) -> Result<Option<ValidKey>, StoreError> {
    let valid = valid_at(digest.to_owned(), now);
    let found = if touch {
        diesel::update(api_keys::table.filter(valid))
            .set(api_keys::last_used_at.eq(now))
            .returning((api_keys::id, api_keys::digest))
            .get_result::<ValidKey>(conn)
            .optional()?
    } else {
        api_keys::table
            .filter(valid)
            .select((api_keys::id, api_keys::digest))
            .first::<ValidKey>(conn)
            .optional()?
    };
    Ok(found)
}

/// Stores a new key and records its creation in the audit trail.
pub fn create(tx: &mut Tx<'_>, actor: &str, new: NewApiKey) -> Result<ApiKey, StoreError> {
    let key: ApiKey = diesel::insert_into(api_keys::table)
        .values(&new)
        .returning(api_keys::all_columns)
        .get_result(&mut **tx)?;
    audit::record(tx, key.org_id, actor, Action::Create, ENTITY, key.id)?;
    Ok(key)
}

/// One key of the organisation (one statement); `NotFound` for another's or none.
pub fn get(conn: &mut DbConnection, org: Org<'_>, id: i64) -> Result<ApiKey, StoreError> {
    Ok(in_org!(api_keys, org)
        .filter(api_keys::id.eq(id))
        .select(ApiKey::as_select())
        .first(conn)?)
}

/// The organisation's keys, newest first, revoked and expired ones included (one
/// statement; an empty page asks once more whether the organisation exists).
pub fn list(
    conn: &mut DbConnection,
    org: Org<'_>,
    page: PageRequest,
) -> Result<Page<ApiKey>, StoreError> {
    let mut query = in_org!(api_keys, org);
    if let Some(after) = page.after {
        query = query.filter(api_keys::id.lt(after));
    }
    let rows = query
        .order(api_keys::id.desc())
        .limit(page.fetch_limit())
        .select(ApiKey::as_select())
        .load(conn)?;
    if rows.is_empty() {
        org.ensure_exists(conn)?;
    }
    Ok(page.finish(rows, |k| k.id))
}

/// Revokes a key at `now` and records it (as a `delete` of the key: it can never be used
/// again). Revoking a revoked key changes nothing and answers the key as it is.
pub fn revoke(
    tx: &mut Tx<'_>,
    org_id: i64,
    actor: &str,
    id: i64,
    now: NaiveDateTime,
) -> Result<ApiKey, StoreError> {
    let revoked = diesel::update(
        api_keys::table
            .filter(api_keys::id.eq(id))
            .filter(api_keys::org_id.eq(org_id))
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(now))
    .returning(api_keys::all_columns)
    .get_result(&mut **tx)
    .optional()?;
    match revoked {
        Some(key) => {
            audit::record(tx, org_id, actor, Action::Delete, ENTITY, id)?;
            Ok(key)
        }
        None => get(tx, Org::Id(org_id), id),
    }
}

/// Rolls key `id`: the old key stays valid until `grace_until` (or its own expiry, if
/// sooner), and `new` is stored as its successor. The trail records the old key's change
/// (`update`) and the new key's creation. A revoked or expired key cannot be rolled
/// (`Conflict`).
pub fn roll(
    tx: &mut Tx<'_>,
    actor: &str,
    id: i64,
    now: NaiveDateTime,
    grace_until: NaiveDateTime,
    new: NewApiKey,
) -> Result<ApiKey, StoreError> {
    let org_id = new.org_id;
    let old = get(tx, Org::Id(org_id), id)?;
    if old.revoked_at.is_some() || old.expires_at <= now {
        return Err(StoreError::Conflict {
            field: None,
            message: "a revoked or expired key cannot be rolled; create a new one".into(),
        });
    }
    diesel::update(api_keys::table.find(id))
        .set(api_keys::expires_at.eq(old.expires_at.min(grace_until)))
        .execute(&mut **tx)?;
    audit::record(tx, org_id, actor, Action::Update, ENTITY, id)?;
    create(
        tx,
        actor,
        NewApiKey {
            rolled_from: Some(id),
            ..new
        },
    )
}
