//! [`Stored`]: how a domain enum is kept in a text column, by its wire name, through
//! diesel's `ToSql`/`FromSql` (for both backends, and for the connection over both) so
//! that no code parses a stored string by hand; and [`WriteTime`], the time a write
//! stores in a row's `created_at`/`updated_at`.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{Text, Timestamp};
use diesel::sqlite::Sqlite;
use veikart_domain::wire::WireName;

use crate::db::MultiBackend;

/// A domain enum in a text column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct Stored<T: WireName>(pub T);

fn parse<T: WireName>(text: String) -> deserialize::Result<Stored<T>> {
    T::from_wire(&text)
        .map(Stored)
        .map_err(|e| format!("stored {e}").into())
}

impl<T: WireName + std::fmt::Debug> ToSql<Text, MultiBackend> for Stored<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((Text, self.0.wire_name()));
        Ok(serialize::IsNull::No)
    }
}

impl<T: WireName + std::fmt::Debug> ToSql<Text, Pg> for Stored<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <str as ToSql<Text, Pg>>::to_sql(self.0.wire_name(), out)
    }
}

impl<T: WireName + std::fmt::Debug> ToSql<Text, Sqlite> for Stored<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        <str as ToSql<Text, Sqlite>>::to_sql(self.0.wire_name(), out)
    }
}

impl<T: WireName + std::fmt::Debug> FromSql<Text, MultiBackend> for Stored<T> {
    fn from_sql(bytes: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        parse(<String as FromSql<Text, MultiBackend>>::from_sql(bytes)?)
    }
}

impl<T: WireName + std::fmt::Debug> FromSql<Text, Pg> for Stored<T> {
    fn from_sql(bytes: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        parse(<String as FromSql<Text, Pg>>::from_sql(bytes)?)
    }
}

impl<T: WireName + std::fmt::Debug> FromSql<Text, Sqlite> for Stored<T> {
    fn from_sql(bytes: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        parse(<String as FromSql<Text, Sqlite>>::from_sql(bytes)?)
    }
}

/// The time a write stores in `created_at`/`updated_at`, with its SQLite text made once.
///
/// SQLite keeps a timestamp as text, and diesel formats a `NaiveDateTime` anew each time
/// it binds one: twice for every row an import writes, although a chunk's rows share one
/// time — 6 % of an import's CPU on SQLite. The text is made with diesel's own format, so
/// what is stored is the same, on the first SQLite bind of the time or of a clone of it
/// (PostgreSQL binds the time itself and never needs it).
#[derive(Debug, Clone, AsExpression)]
#[diesel(sql_type = Timestamp)]
pub struct WriteTime {
    at: chrono::NaiveDateTime,
    sqlite_text: std::sync::Arc<std::sync::OnceLock<String>>,
}

/// diesel's format of a `NaiveDateTime` for SQLite.
const SQLITE_TIMESTAMP: &str = "%F %T%.f";

impl WriteTime {
    pub fn new(at: chrono::NaiveDateTime) -> Self {
        WriteTime {
            at,
            sqlite_text: Default::default(),
        }
    }

    pub fn at(&self) -> chrono::NaiveDateTime {
        self.at
    }
}

impl ToSql<Timestamp, MultiBackend> for WriteTime {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((Timestamp, &self.at));
        Ok(serialize::IsNull::No)
    }
}

impl ToSql<Timestamp, Pg> for WriteTime {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <chrono::NaiveDateTime as ToSql<Timestamp, Pg>>::to_sql(&self.at, out)
    }
}

impl ToSql<Timestamp, Sqlite> for WriteTime {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        let text = self
            .sqlite_text
            .get_or_init(|| self.at.format(SQLITE_TIMESTAMP).to_string());
        out.set_value(text.as_str());
        Ok(serialize::IsNull::No)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::prelude::*;

    /// SQLite stores the same text for a `WriteTime` as diesel does for its time, whole
    /// seconds or not.
    #[test]
    fn a_write_time_is_stored_as_diesel_stores_its_time() {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        for (h, m, s, micro) in [(0, 0, 0, 0), (13, 5, 9, 120_000), (23, 59, 59, 999_999)] {
            let at = day.and_hms_micro_opt(h, m, s, micro).unwrap();
            let (ours, diesels): (String, String) = diesel::select((
                diesel::dsl::sql::<Text>("CAST(")
                    .bind::<Timestamp, _>(WriteTime::new(at))
                    .sql(" AS TEXT)"),
                diesel::dsl::sql::<Text>("CAST(")
                    .bind::<Timestamp, _>(at)
                    .sql(" AS TEXT)"),
            ))
            .get_result(&mut conn)
            .unwrap();
            assert_eq!(ours, diesels);
            assert!(ours.starts_with("2026-12-06 "), "{ours}");
        }
    }
}
