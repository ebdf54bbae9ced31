//! Reading an import's body into rows of JSON objects, the shape a record is created
//! from, whatever the format: a JSON array, NDJSON, or CSV. A CSV cell becomes the JSON
//! value its column's field has in the kind's schema (a number, a whole number, a
//! boolean, a date, or text), so every format then goes through the same deserialisation
//! and rules of the kind's fields.
//!
//! CSV as offices write it: the delimiter (`,`, `;` or tab) is the one the header line
//! uses most; UTF-8 with or without a byte-order mark; CRLF or LF; quoted cells may hold
//! delimiters and line breaks; numbers may use a decimal comma and spaces between digit
//! groups; dates may be `DD.MM.YYYY`; an empty cell is an absent field (null); header
//! names are matched without case and surrounding spaces.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Number, Value};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, Schema, SchemaFormat, SchemaType, Type};

use crate::error::{ApiError, RowError};

/// The columns of a record as served that are not its fields (a CSV export has them):
/// skipped when read back.
const SERVED_ONLY: [&str; 6] = [
    "id",
    "created_by",
    "updated_by",
    "created_at",
    "updated_at",
    "version",
];

/// The body's format, from its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ImportFormat)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Json,
    Ndjson,
    Csv,
}

impl Format {
    /// The format a `Content-Type` names (415 for any other, or for a charset other than
    /// UTF-8).
    pub fn of(content_type: Option<&str>) -> Result<Format, ApiError> {
        let unsupported = || {
            ApiError::UnsupportedMediaType(
                "an import is `application/json`, `application/x-ndjson` or `text/csv`, \
                 in UTF-8"
                    .into(),
            )
        };
        let mut parts = content_type.ok_or_else(unsupported)?.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let utf8 = parts.all(|parameter| match parameter.split_once('=') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
                let value = value.trim().trim_matches('"');
                value.eq_ignore_ascii_case("utf-8") || value.eq_ignore_ascii_case("utf8")
            }
            _ => true,
        });
        if !utf8 {
            return Err(unsupported());
        }
        match essence.as_str() {
            "application/json" => Ok(Format::Json),
            "application/x-ndjson" | "application/ndjson" => Ok(Format::Ndjson),
            "text/csv" => Ok(Format::Csv),
            _ => Err(unsupported()),
        }
    }
}

/// How to read CSV columns: renames (`from`, without case, → field) and whether to skip
/// unknown ones instead of refusing them.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub renames: HashMap<String, String>,
    pub ignore_unknown: bool,
}

impl Options {
    /// Reads `?columns=from:to,…` (empty: no renames), exactly as [`COLUMNS_PATTERN`]
    /// describes it.
    pub fn renames(columns: Option<&str>) -> Result<HashMap<String, String>, ApiError> {
        let mut renames = HashMap::new();
        let columns = columns.unwrap_or("");
        if columns.is_empty() {
            return Ok(renames);
        }
        for pair in columns.split(',') {
            match pair.split_once(':') {
                Some((from, to)) if !from.is_empty() && !to.is_empty() && !to.contains(':') => {
                    renames.insert(from.trim().to_lowercase(), to.trim().to_owned());
                }
                _ => {
                    return Err(ApiError::BadRequest(format!(
                        "invalid query parameter: `columns` is `from:to` pairs separated \
                         by commas, and `{pair}` is not one"
                    )));
                }
            }
        }
        Ok(renames)
    }
}

/// The form of `?columns=`: `from:to` pairs separated by commas, or nothing.
pub const COLUMNS_PATTERN: &str = "^([^:,\\u0000]+:[^:,\\u0000]+(,[^:,\\u0000]+:[^:,\\u0000]+)*)?$";

/// What a field's value is in JSON, for reading it from a CSV cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Text,
    Integer,
    Number,
    Boolean,
    Date,
}

/// The cell of a field's schema (`None` for the `null` of an optional field's `oneOf`).
fn cell(schema: &RefOr<Schema>) -> Option<Cell> {
    match schema {
        RefOr::Ref(_) => Some(Cell::Text),
        RefOr::T(Schema::Object(object)) => {
            if let Some(SchemaFormat::KnownFormat(KnownFormat::Date)) = object.format {
                return Some(Cell::Date);
            }
            match &object.schema_type {
                SchemaType::Type(t) => of_type(t),
                SchemaType::Array(types) => types.iter().find_map(of_type),
                SchemaType::AnyValue => Some(Cell::Text),
            }
        }
        RefOr::T(Schema::OneOf(one)) => one.items.iter().find_map(cell),
        RefOr::T(_) => Some(Cell::Text),
    }
}

fn of_type(t: &Type) -> Option<Cell> {
    match t {
        Type::Null => None,
        Type::Integer => Some(Cell::Integer),
        Type::Number => Some(Cell::Number),
        Type::Boolean => Some(Cell::Boolean),
        _ => Some(Cell::Text),
    }
}

/// The rows read from a body, each a JSON object with its row number, and the rows that
/// could not be read.
#[derive(Debug, Default)]
pub struct Rows {
    /// How many rows the body has (read or not).
    pub count: usize,
    pub rows: Vec<(u64, Map<String, Value>)>,
    pub errors: Vec<RowError>,
}

/// Reads `body` as `format` into rows of the fields `properties` describes (the kind's
/// create schema). Malformed JSON as a whole is 400, a body that is not UTF-8 or has no
/// header line 422; a row that cannot be read is a row error.
pub fn read(
    format: Format,
    body: &[u8],
    properties: &BTreeMap<String, RefOr<Schema>>,
    options: &Options,
) -> Result<Rows, ApiError> {
    // JSON rows are objects already, with their own field names: the kind's fields
    // refuse any other by name. Renames and skipped columns are for CSV headers.
    match format {
        Format::Json => json_rows(body),
        Format::Ndjson => Ok(ndjson_rows(text(body)?)),
        Format::Csv => csv_rows(text(body)?, properties, options),
    }
}

/// The body as UTF-8 text without a byte-order mark.
fn text(body: &[u8]) -> Result<&str, ApiError> {
    let text = std::str::from_utf8(body).map_err(|e| {
        ApiError::validation(
            "body",
            format!("must be UTF-8 text (byte {} is not)", e.valid_up_to()),
        )
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// 422 for a whole row that is not a JSON object.
fn object(row: u64, value: Value, rows: &mut Rows) {
    match value {
        Value::Object(map) => rows.rows.push((row, map)),
        _ => rows
            .errors
            .push(RowError::new(row, "body", "must be a JSON object")),
    }
}

fn json_rows(body: &[u8]) -> Result<Rows, ApiError> {
    let body = std::str::from_utf8(body)
        .map(|t| t.strip_prefix('\u{feff}').unwrap_or(t).as_bytes())
        .unwrap_or(body);
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    let Value::Array(items) = value else {
        return Err(ApiError::validation(
            "body",
            "must be a JSON array of records",
        ));
    };
    let mut rows = Rows {
        count: items.len(),
        ..Rows::default()
    };
    for (i, item) in (1u64..).zip(items) {
        object(i, item, &mut rows);
    }
    Ok(rows)
}

fn ndjson_rows(text: &str) -> Rows {
    let mut rows = Rows::default();
    for (line, content) in (1u64..).zip(text.split('\n')) {
        let content = content.strip_suffix('\r').unwrap_or(content);
        if content.trim().is_empty() {
            continue;
        }
        rows.count += 1;
        match serde_json::from_str::<Value>(content) {
            Ok(value) => object(line, value, &mut rows),
            Err(e) => rows
                .errors
                .push(RowError::new(line, "body", format!("not valid JSON: {e}"))),
        }
    }
    rows
}

fn unknown_column(row: u64, name: String) -> RowError {
    RowError::new(
        row,
        name,
        "no such field in this kind of record; rename it with `columns=from:to` or skip it \
         with `ignore_unknown_columns=true`",
    )
}

/// The delimiter the header line uses most outside quotes (`,` when it has none).
fn delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                if let Some(count) = counts.iter_mut().find(|(d, _)| *d == b) {
                    count.1 += 1;
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .fold(
            (b',', 0),
            |best, &(d, n)| if n > best.1 { (d, n) } else { best },
        )
        .0
}

/// What a CSV column is.
enum Column {
    Field(String, Cell),
    Skipped,
}

fn csv_rows(
    text: &str,
    properties: &BTreeMap<String, RefOr<Schema>>,
    options: &Options,
) -> Result<Rows, ApiError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(e)) => {
            return Err(ApiError::validation(
                "body",
                format!("unreadable CSV header: {e}"),
            ));
        }
        None => {
            return Err(ApiError::validation(
                "body",
                "must start with a header line",
            ));
        }
    };
    let mut rows = Rows::default();
    let mut columns = Vec::with_capacity(header.len());
    let mut known = 0;
    for name in header.iter() {
        let name = name.trim().to_lowercase();
        let name = options.renames.get(&name).cloned().unwrap_or(name);
        columns.push(match properties.get(&name).and_then(cell) {
            Some(cell) => {
                known += 1;
                Column::Field(name, cell)
            }
            None if properties.contains_key(&name) => {
                known += 1;
                Column::Field(name, Cell::Text)
            }
            None => {
                if !SERVED_ONLY.contains(&name.as_str()) && !options.ignore_unknown {
                    rows.errors.push(unknown_column(1, name));
                }
                Column::Skipped
            }
        });
    }
    if known == 0 {
        // Not the header of these records: another kind's, or the delimiter is not one
        // of those read.
        return Err(ApiError::validation(
            "body",
            "the CSV header names no field of this kind of record",
        ));
    }
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                rows.count += 1;
                rows.errors
                    .push(RowError::new(line, "body", format!("unreadable CSV: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record[0].trim().is_empty() {
            continue;
        }
        rows.count += 1;
        if record.len() != columns.len() {
            rows.errors.push(RowError::new(
                line,
                "body",
                format!(
                    "has {} cells where the header has {}",
                    record.len(),
                    columns.len()
                ),
            ));
            continue;
        }
        let mut map = Map::new();
        let mut ok = true;
        for (column, value) in columns.iter().zip(record.iter()) {
            let Column::Field(name, cell) = column else {
                continue;
            };
            if value.trim().is_empty() {
                continue;
            }
            match read_cell(*cell, value) {
                Ok(value) => {
                    map.insert(name.clone(), value);
                }
                Err(message) => {
                    rows.errors.push(RowError::new(line, name.clone(), message));
                    ok = false;
                }
            }
        }
        if ok {
            rows.rows.push((line, map));
        }
    }
    Ok(rows)
}

/// A cell as the JSON value of its field.
fn read_cell(cell: Cell, value: &str) -> Result<Value, String> {
    let trimmed = value.trim();
    match cell {
        Cell::Text => Ok(Value::String(value.to_owned())),
        Cell::Date => Ok(Value::String(iso_date(trimmed))),
        Cell::Boolean => match trimmed.to_lowercase().as_str() {
            "true" | "1" => Ok(Value::Bool(true)),
            "false" | "0" => Ok(Value::Bool(false)),
            _ => Err(format!("`{trimmed}` is not true or false")),
        },
        Cell::Integer => digits(trimmed)
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("`{trimmed}` is not a whole number")),
        Cell::Number => {
            let number = digits(trimmed);
            let number = if number.contains('.') {
                number
            } else {
                number.replace(',', ".")
            };
            number
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| format!("`{trimmed}` is not a number"))
        }
    }
}

/// A number without the spaces that group its digits (`450 000`).
fn digits(value: &str) -> String {
    value
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect()
}

/// `DD.MM.YYYY` (or `D.M.YYYY`) as `YYYY-MM-DD`; any other text as it is, for the date
/// type to judge.
fn iso_date(value: &str) -> String {
    let parts: Vec<&str> = value.split('.').collect();
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [d, m, y]
            if numeric(d)
                && numeric(m)
                && y.len() == 4
                && numeric(y)
                && d.len() <= 2
                && m.len() <= 2 =>
        {
            format!("{y}-{m:0>2}-{d:0>2}")
        }
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_line_tells_the_delimiter() {
        assert_eq!(delimiter("a;b;c\n1,5;2;3"), b';');
        assert_eq!(delimiter("a,b\n"), b',');
        assert_eq!(delimiter("a\tb\tc"), b'\t');
        assert_eq!(delimiter("\"a;b\",c"), b',');
        assert_eq!(delimiter("name"), b',');
    }

    #[test]
    fn cells_become_their_fields_json() {
        assert_eq!(read_cell(Cell::Number, "3,9"), Ok(serde_json::json!(3.9)));
        assert_eq!(
            read_cell(Cell::Number, "450 000,5"),
            Ok(serde_json::json!(450000.5))
        );
        assert_eq!(read_cell(Cell::Number, "1.5"), Ok(serde_json::json!(1.5)));
        assert_eq!(read_cell(Cell::Integer, " 12 "), Ok(serde_json::json!(12)));
        assert!(read_cell(Cell::Integer, "12,5").is_err());
        assert!(read_cell(Cell::Number, "many").is_err());
        assert_eq!(
            read_cell(Cell::Date, "1.2.2022"),
            Ok(serde_json::json!("2022-02-01"))
        );
        assert_eq!(
            read_cell(Cell::Date, "31.12.2022"),
            Ok(serde_json::json!("2022-12-31"))
        );
        assert_eq!(
            read_cell(Cell::Date, "2022-12-31"),
            Ok(serde_json::json!("2022-12-31"))
        );
        assert_eq!(read_cell(Cell::Text, " Æ "), Ok(serde_json::json!(" Æ ")));
    }

    #[test]
    fn column_renames_are_pairs_or_nothing() {
        let renames = Options::renames(Some("Navn:name,organisasjonsnummer:org_number")).unwrap();
        assert_eq!(renames["navn"], "name");
        assert_eq!(renames["organisasjonsnummer"], "org_number");
        assert!(Options::renames(Some("")).unwrap().is_empty());
        assert!(Options::renames(None).unwrap().is_empty());
        for bad in ["navn", "a:b,", ":b", "a:", "a:b:c", ",a:b"] {
            assert!(Options::renames(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn content_types_name_the_format() {
        assert_eq!(
            Format::of(Some("text/csv; charset=UTF-8")).ok(),
            Some(Format::Csv)
        );
        assert_eq!(
            Format::of(Some("application/x-ndjson")).ok(),
            Some(Format::Ndjson)
        );
        assert_eq!(
            Format::of(Some("Application/JSON")).ok(),
            Some(Format::Json)
        );
        assert!(Format::of(Some("text/csv; charset=windows-1252")).is_err());
        assert!(Format::of(Some("text/plain")).is_err());
        assert!(Format::of(None).is_err());
    }
}
