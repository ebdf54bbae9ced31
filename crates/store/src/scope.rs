//! Which organisation a query reads: [`Org`].
//!
//! A read straight from a request names its organisation by slug, and the lookup of the
//! slug is a subquery of the read itself (`org_id IN (SELECT id FROM organisations WHERE
//! slug = $1)`), so a read is one statement and one round trip. Nothing is cached, so
//! every instance sharing a database sees an organisation created, deleted or recreated
//! under the same slug at once. Writes resolve the slug once inside their transaction and
//! then name the organisation by id.
//!
//! A read for a caller with an API key names it by slug *and key* ([`Org::SlugForKey`]):
//! the subquery finds the organisation only while the key is neither revoked nor expired,
//! so the read's own statement is the key's validity check. A read that found the
//! organisation (rows, or an empty list whose organisation exists) has shown the key valid;
//! only a "not found" leaves the question open, and the caller asks the key itself then.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{api_keys, organisations};

/// The organisation a query is scoped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Org<'a> {
    /// By id, as resolved earlier in the same transaction.
    Id(i64),
    /// By slug, as named in a request path; resolved inside the query that uses it.
    Slug(&'a str),
    /// By slug for a caller with an API key: resolved inside the query that uses it, and
    /// only while the key is valid (see the module's comment).
    SlugForKey { slug: &'a str, key: KeyGate<'a> },
}

/// An API key as a condition of a read: the SHA-256 digest (hex) of the key, valid at `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyGate<'a> {
    pub digest: &'a str,
    pub at: chrono::NaiveDateTime,
}

/// The organisation an API key still opens: its own, while the key is neither revoked nor
/// expired at `at` (`api_keys::valid_at`, as a subquery).
///
/// The key table is read under an alias, so a query on `api_keys` itself can be gated too.
#[diesel::dsl::auto_type]
pub(crate) fn opened_by<'a>(digest: &'a str, at: chrono::NaiveDateTime) -> _ {
    let keys: diesel::query_source::Alias<OpeningKeys> = OPENING_KEYS;
    keys.filter(keys.field(api_keys::digest).eq(digest))
        .filter(keys.field(api_keys::revoked_at).is_null())
        .filter(keys.field(api_keys::expires_at).gt(at))
        .select(keys.field(api_keys::org_id))
}

diesel::alias! {
    pub(crate) const OPENING_KEYS: Alias<OpeningKeys> = api_keys as opening_keys;
}

impl From<i64> for Org<'_> {
    fn from(id: i64) -> Self {
        Org::Id(id)
    }
}

impl<'a> Org<'a> {
    /// NotFound unless the organisation exists. A read that found rows has shown it does;
    /// only an empty list needs to ask, to tell "no rows" from "no organisation".
    pub fn ensure_exists(self, conn: &mut DbConnection) -> Result<(), StoreError> {
        self.id(conn).map(|_| ())
    }

    /// The organisation's id (one query for a slug).
    pub fn id(self, conn: &mut DbConnection) -> Result<i64, StoreError> {
        match self {
            Org::Id(id) => Ok(id),
            Org::Slug(slug) => Ok(organisations::table
                .filter(organisations::slug.eq(slug))
                .select(organisations::id)
                .first::<i64>(conn)?),
            Org::SlugForKey { slug, key } => Ok(organisations::table
                .filter(organisations::slug.eq(slug))
                .filter(organisations::id.eq_any(opened_by(key.digest, key.at)))
                .select(organisations::id)
                .first::<i64>(conn)?),
        }
    }

    /// The slug, when the organisation is named by one.
    pub fn slug(self) -> Option<&'a str> {
        match self {
            Org::Id(_) => None,
            Org::Slug(slug) | Org::SlugForKey { slug, .. } => Some(slug),
        }
    }
}

/// `$query` (boxed, with `organisations` among its tables) narrowed to organisation `$org`.
macro_rules! organisation_is {
    ($query:expr, $org:expr) => {{
        let query = $query;
        $crate::scope::with_org_condition!(@organisations, $org, |is_org| query.filter(is_org))
    }};
}

pub(crate) use organisation_is;

/// `$body`, with `$condition` bound to "column `$org_id` (an organisation id) names
/// organisation `$org`" (an [`Org`]): `org_id = $1` for an id, a subquery on the slug
/// (and the key, for [`Org::SlugForKey`]) otherwise. The condition has a different type
/// for each way of naming the organisation, so `$body` is compiled once for each: a query
/// built from it without `into_boxed` keeps a static type (see [`on_own_backend`]).
///
/// With `@organisations` in place of a column, the condition is on the `organisations`
/// row of a query that has the table among its own (`id = $1`, or `slug = $1`).
///
/// [`on_own_backend`]: crate::db::on_own_backend
macro_rules! with_org_condition {
    (@organisations, $org:expr, |$condition:ident| $body:expr) => {{
        use diesel::prelude::*;
        match $org {
            $crate::scope::Org::Id(id) => {
                let $condition = $crate::schema::organisations::id.eq(id);
                $body
            }
            $crate::scope::Org::Slug(slug) => {
                let $condition = $crate::schema::organisations::slug.eq(slug);
                $body
            }
            $crate::scope::Org::SlugForKey { slug, key } => {
                let $condition = $crate::schema::organisations::slug.eq(slug).and(
                    $crate::schema::organisations::id
                        .eq_any($crate::scope::opened_by(key.digest, key.at)),
                );
                $body
            }
        }
    }};
    ($org_id:expr, $org:expr, |$condition:ident| $body:expr) => {{
        use diesel::prelude::*;
        match $org {
            $crate::scope::Org::Id(id) => {
                let $condition = $org_id.eq(id);
                $body
            }
            $crate::scope::Org::Slug(slug) => {
                let $condition = $org_id.eq_any(
                    $crate::schema::organisations::table
                        .filter($crate::schema::organisations::slug.eq(slug))
                        .select($crate::schema::organisations::id),
                );
                $body
            }
            $crate::scope::Org::SlugForKey { slug, key } => {
                let $condition = $org_id.eq_any(
                    $crate::schema::organisations::table
                        .filter($crate::schema::organisations::slug.eq(slug))
                        .filter(
                            $crate::schema::organisations::id
                                .eq_any($crate::scope::opened_by(key.digest, key.at)),
                        )
                        .select($crate::schema::organisations::id),
                );
                $body
            }
        }
    }};
}

pub(crate) use with_org_condition;

/// `$table` as a boxed query, narrowed to the rows of organisation `$org` (an [`Org`]).
macro_rules! in_org {
    ($table:ident, $org:expr) => {{
        $crate::scope::with_org_condition!($table::org_id, $org, |in_org| {
            $table::table
                .into_boxed::<$crate::db::MultiBackend>()
                .filter(in_org)
        })
    }};
}

pub(crate) use in_org;
