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
pub mod surveys;

use chrono::{Datelike, NaiveDate};
use veikart_domain::records::RecordFields;

pub use activities::{Activities, Activity, ActivityValues};
pub use members::{Member, MemberValues, Members};
pub use milestones::{Milestone, MilestoneValues, Milestones};
pub use observations::{Observation, ObservationValues, Observations};
pub use projects::{Project, ProjectValues, Projects};

pub use crate::stored::Stored;
pub use surveys::{Survey, SurveyValues, Surveys};

use crate::db::{DbConnection, Tx};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::rows::{TenantRow, TenantTable};
use crate::scope::Org;

/// A key an import finds a stored record by: the field it is reported under and its
/// value (for a key of several fields, their values joined).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordKey {
    pub field: &'static str,
    pub value: String,
}

/// Keys looked up per statement (`IN (...)`), and rows per multi-row INSERT of an import's
/// replacements: well below the bind-parameter limits of both databases for the widest
/// record.
pub const BATCH: usize = 500;

/// Rows per multi-row INSERT of new records on SQLite: a statement of a fixed row count
/// has a fixed text, so diesel keeps it prepared and SQLite parses it once per connection
/// (one of any other count is parsed anew). Fewer rows would run more statements, more
/// would parse a longer one for the last of a chunk's rows.
pub const PREPARED_ROWS: usize = 250;

/// Who created and who last changed a record (the tokens' `sub`), and the import that
/// last wrote it (none when it was last written on its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub created_by: String,
    pub updated_by: String,
    pub import_id: Option<i64>,
}

impl Provenance {
    /// A record written on its own by `actor`.
    pub fn by(actor: &str) -> Self {
        Provenance {
            created_by: actor.to_owned(),
            updated_by: actor.to_owned(),
            import_id: None,
        }
    }
}

/// New fields for a stored record: its id, the version and creation time read, and who
/// writes them.
#[derive(Debug, Clone)]
pub struct Replacement<F> {
    pub id: i64,
    pub version: i32,
    pub created_at: chrono::NaiveDateTime,
    pub fields: F,
    pub by: Provenance,
}

/// A stored record: its row knows its id, version, provenance and timestamps.
pub trait RecordRow: TenantRow + Send + 'static {
    fn external_ref(&self) -> Option<&str>;
    fn created_by(&self) -> &str;
    fn updated_by(&self) -> &str;
    fn created_at(&self) -> chrono::NaiveDateTime;
    fn updated_at(&self) -> chrono::NaiveDateTime;
    /// The import that last wrote the record.
    fn import_id(&self) -> Option<i64>;
}

/// The table of one kind of record, for code that serves every kind alike: a
/// [`TenantTable`] (`get`, and `delete` with a guard) whose rows are records, read and
/// written as the domain's fields.
pub trait RecordTable: TenantTable<Row: RecordRow> {
    /// The fields a client sets (the domain's).
    type Fields: RecordFields + Send + 'static;
    /// The list's filters (the domain's).
    type Filter: Send + 'static;

    /// The fields of a stored row (`Corrupt` when a stored value breaks its rule).
    fn fields(row: &Self::Row) -> Result<Self::Fields, StoreError>;
    /// The values stored for `fields` written by `by`.
    fn values(fields: Self::Fields, by: Provenance) -> Self::Values;
    /// One page in list order; one statement (an empty page asks once more whether the
    /// organisation exists).
    fn list(
        conn: &mut DbConnection,
        org: Org<'_>,
        filter: &Self::Filter,
        page: PageRequest,
    ) -> Result<Page<Self::Row>, StoreError>;

    /// Inserts a record written on its own, and records its creation.
    fn insert_fields(
        tx: &mut Tx<'_>,
        org_id: i64,
        fields: Self::Fields,
        by: Provenance,
    ) -> Result<Self::Row, StoreError> {
        let actor = by.created_by.clone();
        Self::insert(tx, org_id, &actor, Self::values(fields, by))
    }
    /// Replaces the row's fields with what `change` makes of the stored ones, if the row is
    /// at one of `expected_versions`.
    fn update_fields(
        tx: &mut Tx<'_>,
        org_id: i64,
        id: i64,
        actor: &str,
        expected_versions: Option<&[i32]>,
        change: impl FnOnce(&mut Tx<'_>, Self::Fields) -> Result<Self::Fields, StoreError>,
    ) -> Result<Self::Row, StoreError> {
        Self::update(tx, org_id, id, actor, expected_versions, |tx, row| {
            let changed = change(tx, Self::fields(row)?)?;
            let by = Provenance {
                created_by: row.created_by().to_owned(),
                updated_by: actor.to_owned(),
                import_id: None,
            };
            Ok(Self::values(changed, by))
        })
    }

    /// Whether the organisation has any record of this kind; one statement.
    fn any_stored(conn: &mut DbConnection, org_id: i64) -> Result<bool, StoreError>;
    /// The keys an import finds a record by: its `external_ref`, and the kind's own key
    /// (a member's organisation number; an observation's metric, dimension and day).
    fn keys(fields: &Self::Fields) -> Vec<RecordKey>;
    /// The organisation's stored rows holding any key of `fields` (and possibly a few
    /// more, which hold none: the caller matches by [`RecordTable::keys`]); one statement
    /// per [`BATCH`] keys of each sort.
    fn holding(
        conn: &mut DbConnection,
        org_id: i64,
        fields: &[&Self::Fields],
    ) -> Result<Vec<Self::Row>, StoreError>;
    /// Inserts the records at version 1: on PostgreSQL with one binary `COPY … FROM STDIN`,
    /// on SQLite with prepared INSERTs of [`PREPARED_ROWS`] rows (see [`record_values`]). It
    /// records no audit entry: the caller records one for all of them.
    fn insert_all(
        tx: &mut Tx<'_>,
        org_id: i64,
        records: Vec<(Self::Fields, Provenance)>,
    ) -> Result<(), StoreError>;
    /// Replaces the fields of each record, if its row is still at the version read
    /// (`Conflict` otherwise), and bumps its version; two statements per [`BATCH`]
    /// records. No audit entry.
    fn replace_all(
        tx: &mut Tx<'_>,
        org_id: i64,
        records: Vec<Replacement<Self::Fields>>,
    ) -> Result<(), StoreError>;
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

/// The rows of `$table` of organisation `$org_id` whose text `$column` (one of a unique
/// index `(org_id, $column)`) holds one of `$keys`, [`BATCH`] keys per statement.
///
/// On PostgreSQL as a semi-join, `(org_id, $column) IN (SELECT $1, unnest($2))`, which is
/// planned as one probe of the unique index per key whatever the table's statistics say.
/// `$column = ANY($2)` is planned from the statistics: on a table filled since its last
/// ANALYZE — as an import fills it — PostgreSQL took the `ANY` to match most rows and
/// scanned the organisation's whole index for every batch (40 ms instead of 1.6 ms for 500
/// keys among 100,000 members). SQLite plans `IN (...)` on the unique index either way.
macro_rules! load_keyed {
    ($conn:expr, $table:ident, $column:ident, $Row:ty, $org_id:expr, $keys:expr) => {{
        use diesel::prelude::*;
        let conn: &mut $crate::DbConnection = $conn;
        let org_id: i64 = $org_id;
        let keys: &[String] = $keys;
        let mut rows: Vec<$Row> = Vec::new();
        for chunk in keys.chunks($crate::records::BATCH) {
            if let $crate::DbConnection::Pg(pg) = &mut *conn {
                use diesel::sql_types::{Array, BigInt, Bool, Text};
                let semi_join = diesel::dsl::sql::<Bool>(concat!(
                    "(org_id, ",
                    stringify!($column),
                    ") IN (SELECT "
                ))
                .bind::<BigInt, _>(org_id)
                .sql(", unnest(")
                .bind::<Array<Text>, _>(chunk.to_vec())
                .sql("))");
                rows.extend($table::table.filter(semi_join).load::<$Row>(pg)?);
            } else {
                rows.extend(
                    $table::table
                        .filter($table::org_id.eq(org_id))
                        .filter($table::$column.eq_any(chunk))
                        .load::<$Row>(conn)?,
                );
            }
        }
        Ok::<_, $crate::StoreError>(rows)
    }};
}

pub(crate) use load_keyed;

/// Declares a kind's stored values (`$Values`, given whole with its attributes) and, from
/// the same fields, `CopyRow`: a new row as one flat list of columns.
///
/// An import writes its new records in the cheapest way each database has (measured in
/// docs/benchmarks.md, "Imports"):
/// - PostgreSQL: binary `COPY … FROM STDIN`, which PostgreSQL neither parses nor plans per
///   row; a multi-row INSERT of 6,500 parameters cost it more than twice the COPY's time.
///   diesel's `copy_from(…).from_insertable(…)` takes only flat rows, and a `NewRow` embeds
///   its values, hence `CopyRow`.
/// - SQLite: INSERTs of [`PREPARED_ROWS`] rows, prepared once per connection. diesel does
///   not keep a multi-row INSERT of a `Vec` prepared (its text depends on the row count),
///   so SQLite parsed each batch of 500 rows anew.
macro_rules! record_values {
    ($table:ident, $(#[$meta:meta])* pub struct $Values:ident { $(pub $field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        pub struct $Values {
            $(pub $field: $ty,)*
        }

        /// A new row as `COPY` writes it: every column but the generated `id`.
        #[derive(diesel::Insertable)]
        #[diesel(table_name = $table, treat_none_as_default_value = false)]
        struct CopyRow {
            org_id: i64,
            $($field: $ty,)*
            created_at: chrono::NaiveDateTime,
            updated_at: chrono::NaiveDateTime,
            version: i32,
        }

        impl From<NewRow> for CopyRow {
            fn from(row: NewRow) -> Self {
                let NewRow { org_id, values, created_at, updated_at, version } = row;
                CopyRow {
                    org_id,
                    $($field: values.$field,)*
                    created_at: created_at.at(),
                    updated_at: updated_at.at(),
                    version,
                }
            }
        }
    };
}

pub(crate) use record_values;

/// Implements [`RecordTable`] for a kind's table (`Rows`, from `tenant_rows!`, named
/// `$Table` too) from its module's functions (`fields`, `values`, `narrow` for its own
/// filters, and with `own_key` its `own_key` and `holding_own_key`) and [`RecordRow`] for
/// its row; `date` is the column the kind is listed by.
macro_rules! record_table {
    ($Table:ident, $table:ident, $Row:ty, $Values:ty, $Fields:ty, $Filter:ty, date: $date:ident) => {
        /// The kind has no key of its own besides `external_ref`.
        fn own_key(_: &$Fields) -> Option<$crate::records::RecordKey> {
            None
        }

        fn holding_own_key(
            _: &mut $crate::DbConnection,
            _: i64,
            _: &[&$Fields],
        ) -> Result<Vec<$Row>, $crate::StoreError> {
            Ok(Vec::new())
        }

        $crate::records::record_table!($Table, $table, $Row, $Values, $Fields, $Filter, date: $date, own_key);
    };
    ($Table:ident, $table:ident, $Row:ty, $Values:ty, $Fields:ty, $Filter:ty, date: $date:ident, own_key) => {
        /// The table, for code that serves every kind of record alike.
        pub type $Table = Rows;

        /// A stored record written again by an import: the row of an insert, with the
        /// record's id (its creation time and creator kept in the row).
        #[derive(diesel::Insertable)]
        #[diesel(table_name = $table, treat_none_as_default_value = false)]
        struct ReplacedRow {
            id: i64,
            #[diesel(embed)]
            row: NewRow,
        }

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
            fn import_id(&self) -> Option<i64> {
                self.import_id
            }
        }

        impl $crate::records::RecordTable for Rows {
            type Fields = $Fields;
            type Filter = $Filter;

            fn fields(row: &$Row) -> Result<$Fields, $crate::StoreError> {
                fields(row)
            }
            fn values(fields: $Fields, by: $crate::records::Provenance) -> $Values {
                values(fields, by)
            }
            /// One page of the kind's rows in list order (date, then id), narrowed by
            /// `filter`.
            fn list(
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
            fn any_stored(
                conn: &mut $crate::DbConnection,
                org_id: i64,
            ) -> Result<bool, $crate::StoreError> {
                use diesel::prelude::*;
                let any = $table::table.filter($table::org_id.eq(org_id));
                Ok(diesel::select(diesel::dsl::exists(any)).get_result(conn)?)
            }
            fn keys(fields: &$Fields) -> Vec<$crate::records::RecordKey> {
                let external = fields.external_ref.as_ref().map(|key| $crate::records::RecordKey {
                    field: "external_ref",
                    value: key.as_str().to_owned(),
                });
                external.into_iter().chain(own_key(fields)).collect()
            }
            fn holding(
                conn: &mut $crate::DbConnection,
                org_id: i64,
                fields: &[&$Fields],
            ) -> Result<Vec<$Row>, $crate::StoreError> {
                let refs: Vec<String> = fields
                    .iter()
                    .filter_map(|f| f.external_ref.as_ref().map(|k| k.as_str().to_owned()))
                    .collect();
                let mut rows = $crate::records::load_keyed!(conn, $table, external_ref, $Row, org_id, &refs)?;
                rows.extend(holding_own_key(conn, org_id, fields)?);
                let mut seen = std::collections::HashSet::new();
                rows.retain(|row| seen.insert(row.id));
                Ok(rows)
            }
            fn insert_all(
                tx: &mut $crate::Tx<'_>,
                org_id: i64,
                records: Vec<($Fields, $crate::records::Provenance)>,
            ) -> Result<(), $crate::StoreError> {
                use diesel::prelude::*;
                let now = $crate::stored::WriteTime::new($crate::now());
                let rows = records.into_iter().map(|(fields, by)| NewRow {
                    org_id,
                    values: values(fields, by),
                    created_at: now.clone(),
                    updated_at: now.clone(),
                    version: 1,
                });
                match &mut **tx {
                    $crate::DbConnection::Pg(pg) => {
                        let rows: Vec<CopyRow> = rows.map(CopyRow::from).collect();
                        diesel::copy_from($table::table).from_insertable(&rows).execute(pg)?;
                    }
                    $crate::DbConnection::Sqlite(sqlite) => {
                        use $crate::records::PREPARED_ROWS;
                        let mut rows = rows.peekable();
                        while rows.peek().is_some() {
                            let batch: Box<[NewRow]> = rows.by_ref().take(PREPARED_ROWS).collect();
                            let table = $table::table;
                            match Box::<[NewRow; PREPARED_ROWS]>::try_from(batch) {
                                Ok(full) => diesel::insert_into(table).values(&*full).execute(sqlite)?,
                                Err(rest) => diesel::insert_into(table).values(&*rest).execute(sqlite)?,
                            };
                        }
                    }
                }
                Ok(())
            }
            fn replace_all(
                tx: &mut $crate::Tx<'_>,
                org_id: i64,
                records: Vec<$crate::records::Replacement<$Fields>>,
            ) -> Result<(), $crate::StoreError> {
                use diesel::prelude::*;
                let now = $crate::stored::WriteTime::new($crate::now());
                let mut records = records.into_iter().peekable();
                while records.peek().is_some() {
                    let chunk: Vec<_> = records.by_ref().take($crate::records::BATCH).collect();
                    let ids: Vec<i64> = chunk.iter().map(|r| r.id).collect();
                    // Out with the versions read, in with the new ones: two statements
                    // for the whole batch. A row another writer changed or removed since
                    // it was read is not at its version, and the import stops.
                    let removed: std::collections::HashMap<i64, i32> = diesel::delete(
                        $table::table
                            .filter($table::org_id.eq(org_id))
                            .filter($table::id.eq_any(&ids)),
                    )
                    .returning(($table::id, $table::version))
                    .get_results::<(i64, i32)>(&mut **tx)?
                    .into_iter()
                    .collect();
                    if let Some(stale) = chunk.iter().find(|r| removed.get(&r.id) != Some(&r.version)) {
                        return Err($crate::StoreError::Conflict {
                            field: None,
                            message: format!(
                                "{} {} was changed while the import ran; import again",
                                ENTITY, stale.id
                            ),
                        });
                    }
                    let rows: Vec<ReplacedRow> = chunk
                        .into_iter()
                        .map(|r| ReplacedRow {
                            id: r.id,
                            row: NewRow {
                                org_id,
                                values: values(r.fields, r.by),
                                created_at: $crate::stored::WriteTime::new(r.created_at),
                                updated_at: now.clone(),
                                version: r.version + 1,
                            },
                        })
                        .collect();
                    let insert = diesel::insert_into($table::table).values(&rows);
                    match &mut **tx {
                        $crate::DbConnection::Pg(pg) => insert.execute(pg)?,
                        $crate::DbConnection::Sqlite(sqlite) => insert.execute(sqlite)?,
                    };
                }
                Ok(())
            }
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

/// A stored count as the domain's (`Corrupt` when it is too large or negative).
fn count(value: i64) -> Result<veikart_domain::number::Count, StoreError> {
    let value =
        i32::try_from(value).map_err(|_| StoreError::Corrupt(format!("stored count {value}")))?;
    crate::error::stored_number(value)
}

/// A count as stored.
fn stored_count(count: veikart_domain::number::Count) -> i64 {
    i64::from(count.get())
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
