//! What can go wrong in storage, classified by what the caller should do about it.

use chrono::NaiveDate;
use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error as DieselError};
use veikart_domain::number::{Number, NumberRule};
use veikart_domain::text::{Text, TextRule};
use veikart_domain::{Date, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist (or belongs to another organisation).
    #[error("not found")]
    NotFound,
    /// The caller's version of the row is not the stored one (a concurrent edit won).
    #[error("the row was changed since the given version")]
    VersionMismatch,
    /// The change breaks a uniqueness or reference rule; `field` names the field when known.
    #[error("conflict: {message}")]
    Conflict {
        field: Option<String>,
        message: String,
    },
    /// The change is invalid once merged with the stored row.
    #[error("invalid change")]
    Invalid(Vec<FieldError>),
    /// The database cannot be reached or is too busy right now; retrying later may work.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Migrations could not be applied.
    #[error("migration failed: {0}")]
    Migration(String),
    /// A stored value breaks the rules its column promises (a bug or a hand edit).
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// Any other database failure: a bug or a broken invariant, never the caller's fault.
    #[error("database error: {0}")]
    Database(DieselError),
}

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => StoreError::NotFound,
            // A stored value its column's type refuses, e.g. a `Stored<T>` that names no
            // variant of `T`.
            DieselError::DeserializationError(cause) => StoreError::Corrupt(cause.to_string()),
            DieselError::DatabaseError(kind, info) => classify(kind, info),
            DieselError::BrokenTransactionManager => {
                StoreError::Unavailable("the connection's transaction state was lost".into())
            }
            other => StoreError::Database(other),
        }
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(error: r2d2::Error) -> Self {
        StoreError::Unavailable(error.to_string())
    }
}

fn classify(
    kind: DatabaseErrorKind,
    info: Box<dyn DatabaseErrorInformation + Send + Sync>,
) -> StoreError {
    let message = info.message().to_owned();
    match kind {
        DatabaseErrorKind::UniqueViolation => StoreError::Conflict {
            field: unique_violation_field(info.as_ref()),
            message: "a row with this value exists already".into(),
        },
        DatabaseErrorKind::ForeignKeyViolation => StoreError::Conflict {
            field: None,
            message: "the row is referenced by other rows, or references a missing one".into(),
        },
        DatabaseErrorKind::SerializationFailure => StoreError::Conflict {
            field: None,
            message: "a concurrent change conflicted with this one; retry".into(),
        },
        DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
            StoreError::Unavailable(message)
        }
        _ if is_unavailable_message(&message) => StoreError::Unavailable(message),
        _ => StoreError::Database(DieselError::DatabaseError(kind, info)),
    }
}

/// Messages of failures that mean "the database is not there right now" rather than "the
/// query is wrong": a busy SQLite file, a PostgreSQL connection cut by the server.
fn is_unavailable_message(message: &str) -> bool {
    const SIGNS: [&str; 7] = [
        "database is locked",
        "database is busy",
        "terminating connection",
        "server closed the connection",
        "no connection to the server",
        "connection to server",
        "the database system is shutting down",
    ];
    SIGNS.iter().any(|sign| message.contains(sign))
}

/// The column a unique constraint guards: PostgreSQL names the constraint
/// (`organisations_slug_key`), SQLite names the columns (`UNIQUE constraint failed:
/// focus_areas.plan_id, focus_areas.number`). Both migrations name constraints
/// `<table>_<column>_key` after the column a client sets, which comes last in a
/// constraint scoped by a parent.
fn unique_violation_field(info: &dyn DatabaseErrorInformation) -> Option<String> {
    if let (Some(table), Some(constraint)) = (info.table_name(), info.constraint_name()) {
        return constraint
            .strip_prefix(table)
            .and_then(|rest| rest.strip_prefix('_'))
            .and_then(|rest| rest.strip_suffix("_key"))
            .map(str::to_owned);
    }
    let columns = info.message().strip_prefix("UNIQUE constraint failed: ")?;
    let last = columns.split(',').next_back()?.trim();
    last.rsplit('.').next().map(str::to_owned)
}

/// A text column read back into the type that wrote it (`Corrupt` when it breaks the
/// type's rule: a hand edit).
pub fn stored_text<R: TextRule>(value: &str) -> Result<Text<R>, StoreError> {
    Text::parse(value).map_err(|e| StoreError::Corrupt(format!("stored `{value}`: {e}")))
}

/// An optional text column read back into the type that wrote it.
pub fn stored_texts<R: TextRule>(value: Option<&str>) -> Result<Option<Text<R>>, StoreError> {
    value.map(stored_text).transpose()
}

/// A number column read back into the type that wrote it (`Corrupt` when it breaks the
/// type's range: a hand edit).
pub fn stored_number<R: NumberRule>(value: R::Value) -> Result<Number<R>, StoreError> {
    Number::new(value).map_err(|e| StoreError::Corrupt(format!("stored {value}: {e}")))
}

/// A stored day as the API's [`Date`]; only a hand edit can store one outside 0001–9999.
pub(crate) fn stored_date(day: NaiveDate) -> Result<Date, StoreError> {
    Date::new(day).ok_or_else(|| StoreError::Corrupt(format!("date {day} outside 0001-9999")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_and_dropped_databases_count_as_unavailable() {
        assert!(is_unavailable_message("database is locked"));
        assert!(is_unavailable_message(
            "terminating connection due to administrator command"
        ));
        assert!(!is_unavailable_message("syntax error at or near \"SELEC\""));
    }
}
