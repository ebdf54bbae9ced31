//! The six kinds of record (members, activities, surveys, projects, metric observations,
//! milestones): one module each with its row, its values, its list query and its
//! conversions from and to the domain's fields; [`RecordTable`] lets the API serve every
//! kind through one generic implementation.
//!
//! Lists are ordered by the record's date, then id, and paged by a keyset over that order:
//! a page's `after` position packs the last row's date and id into one number
//! ([`position`]) whose order is the order of the pair.

pub mod activities;
pub mod members;
pub mod milestones;
pub mod observations;
pub mod projects;
mod stored;
pub mod surveys;

use chrono::{Datelike, NaiveDate};
use veikart_domain::records::RecordFields;

pub use activities::{Activities, Activity, ActivityValues};
pub use members::{Member, MemberValues, Members};
pub use milestones::{Milestone, MilestoneValues, Milestones};
pub use observations::{Observation, ObservationValues, Observations};
pub use projects::{Project, ProjectValues, Projects};

pub use stored::Stored;
pub use surveys::{Survey, SurveyValues, Surveys};

use crate::db::{DbConnection, Tx};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::rows::TenantRow;
use crate::scope::Org;

/// Who created and who last changed a record (the tokens' `sub`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub created_by: String,
    pub updated_by: String,
}

/// A stored record: its row knows its id, version, provenance and timestamps.
pub trait RecordRow: TenantRow + Send + 'static {
    fn external_ref(&self) -> Option<&str>;
    fn created_by(&self) -> &str;
    fn updated_by(&self) -> &str;
    fn created_at(&self) -> chrono::NaiveDateTime;
    fn updated_at(&self) -> chrono::NaiveDateTime;
}

/// The table of one kind of record, for code that serves every kind alike.
pub trait RecordTable: 'static {
    /// The fields a client sets (the domain's).
    type Fields: RecordFields + Send + 'static;
    /// The list's filters (the domain's).
    type Filter: Send + 'static;
    type Row: RecordRow;

    /// The fields of a stored row (`Corrupt` when a stored value breaks its rule).
    fn fields(row: &Self::Row) -> Result<Self::Fields, StoreError>;
    /// One row of the organisation; one statement.
    fn get(conn: &mut DbConnection, org: Org<'_>, id: i64) -> Result<Self::Row, StoreError>;
    /// One page in list order; one statement (an empty page asks once more whether the
    /// organisation exists).
    fn list(
        conn: &mut DbConnection,
        org: Org<'_>,
        filter: &Self::Filter,
        page: PageRequest,
    ) -> Result<Page<Self::Row>, StoreError>;
    fn insert(
        tx: &mut Tx<'_>,
        org_id: i64,
        fields: Self::Fields,
        by: Provenance,
    ) -> Result<Self::Row, StoreError>;
    /// Replaces the row's fields with what `change` makes of the stored ones, if the row is
    /// at one of `expected_versions`.
    fn update(
        tx: &mut Tx<'_>,
        org_id: i64,
        id: i64,
        actor: &str,
        expected_versions: Option<&[i32]>,
        change: impl FnOnce(&mut Tx<'_>, Self::Fields) -> Result<Self::Fields, StoreError>,
    ) -> Result<Self::Row, StoreError>;
    fn delete(
        tx: &mut Tx<'_>,
        org_id: i64,
        id: i64,
        actor: &str,
        expected_versions: Option<&[i32]>,
    ) -> Result<Self::Row, StoreError>;
}

/// Packs a list position (a date and an id) into one number ordered like the pair: the
/// day number since 0001-01-01 above 41 bits of id.
pub fn position(date: NaiveDate, id: i64) -> i64 {
    (i64::from(date.num_days_from_ce()) << ID_BITS) | (id & ID_MASK)
}

/// The date and id of a packed position (a position of no real day reads as 0001-01-01).
pub fn unpack(position: i64) -> (NaiveDate, i64) {
    let days = i32::try_from(position >> ID_BITS).unwrap_or(0);
    let date = NaiveDate::from_num_days_from_ce_opt(days).unwrap_or(NaiveDate::MIN);
    (date, position & ID_MASK)
}

const ID_BITS: u32 = 41;
const ID_MASK: i64 = (1 << ID_BITS) - 1;

/// Implements [`RecordTable`] for a kind's marker type from its module's functions
/// (`fields`, `values`, `narrow` for its own filters, and those of `tenant_rows!`) and
/// [`RecordRow`] for its row; `date` is the column the kind is listed by.
macro_rules! record_table {
    ($Table:ident, $table:ident, $Row:ty, $Fields:ty, $Filter:ty, date: $date:ident) => {
        /// The table, for code that serves every kind of record alike.
        pub struct $Table;

        impl $crate::records::RecordRow for $Row {
            fn external_ref(&self) -> Option<&str> {
                self.external_ref.as_deref()
            }
            fn created_by(&self) -> &str {
                &self.created_by
            }
            fn updated_by(&self) -> &str {
                &self.updated_by
            }
            fn created_at(&self) -> chrono::NaiveDateTime {
                self.created_at
            }
            fn updated_at(&self) -> chrono::NaiveDateTime {
                self.updated_at
            }
        }

        impl $crate::records::RecordTable for $Table {
            type Fields = $Fields;
            type Filter = $Filter;
            type Row = $Row;

            fn fields(row: &$Row) -> Result<$Fields, $crate::StoreError> {
                fields(row)
            }
            fn get(
                conn: &mut $crate::DbConnection,
                org: $crate::Org<'_>,
                id: i64,
            ) -> Result<$Row, $crate::StoreError> {
                get(conn, org, id)
            }
            fn list(
                conn: &mut $crate::DbConnection,
                org: $crate::Org<'_>,
                filter: &$Filter,
                page: $crate::PageRequest,
            ) -> Result<$crate::Page<$Row>, $crate::StoreError> {
                list(conn, org, filter, page)
            }
            fn insert(
                tx: &mut $crate::Tx<'_>,
                org_id: i64,
                fields: $Fields,
                by: $crate::records::Provenance,
            ) -> Result<$Row, $crate::StoreError> {
                let actor = by.created_by.clone();
                insert(tx, org_id, &actor, values(fields, by))
            }
            fn update(
                tx: &mut $crate::Tx<'_>,
                org_id: i64,
                id: i64,
                actor: &str,
                expected_versions: Option<&[i32]>,
                change: impl FnOnce(&mut $crate::Tx<'_>, $Fields) -> Result<$Fields, $crate::StoreError>,
            ) -> Result<$Row, $crate::StoreError> {
                update(tx, org_id, id, actor, expected_versions, |tx, row| {
                    let changed = change(tx, fields(row)?)?;
                    Ok(values(
                        changed,
                        $crate::records::Provenance {
                            created_by: row.created_by.clone(),
                            updated_by: actor.to_owned(),
                        },
                    ))
                })
            }
            fn delete(
                tx: &mut $crate::Tx<'_>,
                org_id: i64,
                id: i64,
                actor: &str,
                expected_versions: Option<&[i32]>,
            ) -> Result<$Row, $crate::StoreError> {
                delete(tx, org_id, id, actor, expected_versions, |_, _| Ok(()))
            }
        }

        /// One page of the kind's rows in list order (date, then id), narrowed by `filter`.
        pub fn list(
            conn: &mut $crate::DbConnection,
            org: $crate::Org<'_>,
            filter: &$Filter,
            page: $crate::PageRequest,
        ) -> Result<$crate::Page<$Row>, $crate::StoreError> {
            use diesel::prelude::*;
            let mut query = $crate::scope::in_org!($table, org);
            if let Some(after) = page.after {
                let (date, id) = $crate::records::unpack(after);
                query = query.filter(
                    $table::$date
                        .gt(date)
                        .or($table::$date.eq(date).and($table::id.gt(id))),
                );
            }
            if let Some(from) = filter.from {
                query = query.filter($table::$date.ge(from.get()));
            }
            if let Some(to) = filter.to {
                query = query.filter($table::$date.le(to.get()));
            }
            if let Some(key) = &filter.external_ref {
                query = query.filter($table::external_ref.eq(key.as_str().to_owned()));
            }
            let rows = narrow(query, filter)
                .order(($table::$date.asc(), $table::id.asc()))
                .limit(page.fetch_limit())
                .load::<$Row>(conn)?;
            if rows.is_empty() {
                org.ensure_exists(conn)?;
            }
            Ok(page.finish(rows, |r| $crate::records::position(r.$date, r.id)))
        }
    };
}

pub(crate) use record_table;

/// A stored text as the domain's type (`Corrupt` when it breaks the type's rule).
fn parsed<T>(value: &str, parse: fn(&str) -> Result<T, String>) -> Result<T, StoreError> {
    parse(value).map_err(|e| StoreError::Corrupt(format!("stored `{value}`: {e}")))
}

/// An optional stored text as the domain's type.
fn parsed_opt<T>(
    value: Option<&str>,
    parse: fn(&str) -> Result<T, String>,
) -> Result<Option<T>, StoreError> {
    value.map(|v| parsed(v, parse)).transpose()
}

/// A stored day as the domain's date.
fn day(value: NaiveDate) -> Result<veikart_domain::Date, StoreError> {
    crate::error::stored_date(value)
}

/// A stored count as the domain's (`Corrupt` when it is too large).
fn count(value: i64) -> Result<i32, StoreError> {
    i32::try_from(value).map_err(|_| StoreError::Corrupt(format!("stored count {value}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_order_like_their_date_and_id() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let a = position(d("2022-01-31"), 900);
        let b = position(d("2022-02-01"), 1);
        let c = position(d("2022-02-01"), 2);
        assert!(a < b && b < c);
        assert_eq!(unpack(c), (d("2022-02-01"), 2));
        assert_eq!(
            unpack(position(d("9999-12-31"), ID_MASK)),
            (d("9999-12-31"), ID_MASK)
        );
        assert!(position(d("9999-12-31"), ID_MASK) > 0);
    }
}
