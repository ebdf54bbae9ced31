//! Which organisation a query reads: [`Org`].
//!
//! A read straight from a request names its organisation by slug, and the lookup of the
//! slug is a subquery of the read itself (`org_id IN (SELECT id FROM organisations WHERE
//! slug = $1)`), so a read is one statement and one round trip. Nothing is cached, so
//! every instance sharing a database sees an organisation created, deleted or recreated
//! under the same slug at once. Writes resolve the slug once inside their transaction and
//! then name the organisation by id.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::organisations;

/// The organisation a query is scoped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Org<'a> {
    /// By id, as resolved earlier in the same transaction.
    Id(i64),
    /// By slug, as named in a request path; resolved inside the query that uses it.
    Slug(&'a str),
}

impl From<i64> for Org<'_> {
    fn from(id: i64) -> Self {
        Org::Id(id)
    }
}

impl Org<'_> {
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
        }
    }
}

/// `$table` as a boxed query, narrowed to the rows of organisation `$org` (an [`Org`]).
macro_rules! in_org {
    ($table:ident, $org:expr) => {{
        use diesel::prelude::*;
        let query = $table::table.into_boxed::<$crate::db::MultiBackend>();
        match $org {
            $crate::scope::Org::Id(id) => query.filter($table::org_id.eq(id)),
            $crate::scope::Org::Slug(slug) => query.filter(
                $table::org_id.eq_any(
                    $crate::schema::organisations::table
                        .filter($crate::schema::organisations::slug.eq(slug))
                        .select($crate::schema::organisations::id),
                ),
            ),
        }
    }};
}

pub(crate) use in_org;
