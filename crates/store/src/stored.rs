//! [`Stored`]: how a domain enum is kept in a text column, by its wire name, through
//! diesel's `ToSql`/`FromSql` (for both backends, and for the connection over both) so
//! that no code parses a stored string by hand.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
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
