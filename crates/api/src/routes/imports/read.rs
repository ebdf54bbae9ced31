//! Reading an import's body into rows of JSON objects, the shape a record is created
//! from, whatever the format: a JSON array, NDJSON, or CSV. A CSV cell becomes the JSON
//! value its column's field has in the kind's schema (a number, a whole number, a
//! boolean, a date, or text), so every format then goes through the same deserialisation
//! and rules of the kind's fields.
//!
//! The body is read as a stream, row by row, and each row handed to a [`Sink`] (the
//! import): memory holds one row at a time, whatever the body's size.
//!
//! CSV as offices write it: the delimiter (`,`, `;` or tab) is the one the header line
//! uses most; UTF-8 with or without a byte-order mark, or Windows-1252 (what a
//! spreadsheet's "CSV (semicolon separated)" writes: declared by `charset`, or found by
//! [`charset_of`] when the body is not UTF-8); CRLF or LF; quoted cells may hold
//! delimiters and line breaks; numbers may use a decimal comma and spaces between digit
//! groups; dates may be `DD.MM.YYYY`; an empty cell is an absent field (null); header
//! names are matched without case and surrounding spaces.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Read};

use serde::de::{Deserializer as _, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, Schema, SchemaFormat, SchemaType, Type};

use crate::error::{ApiError, RowError};

/// The columns of a record as served that are not its fields (a CSV export has them):
/// skipped when read back.
const SERVED_ONLY: [&str; 7] = [
    "id",
    "created_by",
    "updated_by",
    "created_at",
    "updated_at",
    "version",
    "import_id",
];

pub use veikart_domain::imports::{ImportCharset as Charset, ImportFormat as Format};

/// The format a `Content-Type` names, and the charset it declares, if any (415 for any
/// other type, or a charset other than UTF-8 and, for CSV, Windows-1252).
pub fn media_type(content_type: Option<&str>) -> Result<(Format, Option<Charset>), ApiError> {
    let unsupported = || {
        ApiError::UnsupportedMediaType(
            "an import is `application/json` or `application/x-ndjson` in UTF-8, or \
             `text/csv` in UTF-8 or Windows-1252"
                .into(),
        )
    };
    let mut parts = content_type.ok_or_else(unsupported)?.split(';');
    let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let format = match essence.as_str() {
        "application/json" => Format::Json,
        "application/x-ndjson" | "application/ndjson" => Format::Ndjson,
        "text/csv" => Format::Csv,
        _ => return Err(unsupported()),
    };
    let mut charset = None;
    for parameter in parts {
        if let Some((name, value)) = parameter.split_once('=')
            && name.trim().eq_ignore_ascii_case("charset")
        {
            let declared =
                Charset::from_label(value.trim().trim_matches('"')).ok_or_else(unsupported)?;
            if declared != Charset::Utf8 && format != Format::Csv {
                return Err(unsupported());
            }
            charset = Some(declared);
        }
    }
    Ok((format, charset))
}

/// The charset a body is read in: the declared one, else UTF-8 when the body is valid
/// UTF-8, else Windows-1252 — unless the body has bytes Windows-1252 does not define
/// (then it is neither, and 422 says so rather than store mojibake). A body declared
/// UTF-8 that is not is 422 with the offset of its first bad byte.
pub fn charset_of(body: &mut impl Read, declared: Option<Charset>) -> Result<Charset, ApiError> {
    if declared == Some(Charset::Windows1252) {
        return Ok(Charset::Windows1252);
    }
    let mut buffer = vec![0u8; 1 << 20];
    let mut carried = 0; // bytes of a character cut by the previous read
    let mut offset = 0u64; // of buffer[0] in the body
    let mut first_bad = None;
    let mut undefined_in_1252 = false;
    loop {
        let n = body.read(&mut buffer[carried..]).map_err(read_error)?;
        let filled = carried + n;
        let chunk = &buffer[..filled];
        undefined_in_1252 |= chunk[carried..]
            .iter()
            .any(|b| matches!(b, 0x81 | 0x8d | 0x8f | 0x90 | 0x9d));
        let valid_up_to = match std::str::from_utf8(chunk) {
            Ok(_) => filled,
            Err(e) if e.error_len().is_none() && n > 0 => e.valid_up_to(),
            Err(e) => {
                first_bad.get_or_insert(offset + e.valid_up_to() as u64);
                filled
            }
        };
        if n == 0 {
            break;
        }
        if first_bad.is_some() && undefined_in_1252 {
            break;
        }
        buffer.copy_within(valid_up_to..filled, 0);
        carried = filled - valid_up_to;
        offset += valid_up_to as u64;
    }
    match (first_bad, declared) {
        (None, _) => Ok(Charset::Utf8),
        (Some(byte), Some(Charset::Utf8)) => Err(ApiError::validation(
            "body",
            format!("is declared UTF-8 but is not (byte {byte})"),
        )),
        (Some(byte), _) if undefined_in_1252 => Err(ApiError::validation(
            "body",
            format!(
                "is neither UTF-8 (byte {byte} is not) nor Windows-1252; save it as UTF-8 \
                 and import it again"
            ),
        )),
        (Some(_), _) => Ok(Charset::Windows1252),
    }
}

/// A Windows-1252 body as UTF-8, decoded as it is read.
pub struct Windows1252<R> {
    inner: R,
    raw: Vec<u8>,
    decoded: Vec<u8>,
    at: usize,
}

impl<R: Read> Windows1252<R> {
    pub fn new(inner: R) -> Self {
        Windows1252 {
            inner,
            raw: vec![0; 64 * 1024],
            decoded: Vec::with_capacity(3 * 64 * 1024),
            at: 0,
        }
    }
}

impl<R: Read> Read for Windows1252<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.decoded.len() {
            let n = self.inner.read(&mut self.raw)?;
            if n == 0 {
                return Ok(0);
            }
            // One byte is one character: a read never cuts one.
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&self.raw[..n]);
            self.decoded.clear();
            self.decoded.extend_from_slice(text.as_bytes());
            self.at = 0;
        }
        let n = out.len().min(self.decoded.len() - self.at);
        out[..n].copy_from_slice(&self.decoded[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn read_error(e: std::io::Error) -> ApiError {
    ApiError::Internal(format!("could not read the import's temporary file: {e}"))
}

/// How to read CSV columns: renames (`from`, without case, → field), values for fields a
/// row leaves empty, and whether to skip unknown columns instead of refusing them.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub renames: HashMap<String, String>,
    pub defaults: Vec<(String, String)>,
    pub ignore_unknown: bool,
}

impl Options {
    /// Reads `?columns=from:to,…` (empty: no renames), exactly as [`COLUMNS_PATTERN`]
    /// describes it.
    pub fn renames(columns: Option<&str>) -> Result<HashMap<String, String>, ApiError> {
        Ok(pairs("columns", columns)?
            .into_iter()
            .map(|(from, to)| (from.to_lowercase(), to))
            .collect())
    }

    /// Reads `?defaults=field:value,…` (empty: none), as [`COLUMNS_PATTERN`] describes.
    pub fn defaults(defaults: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
        Ok(pairs("defaults", defaults)?
            .into_iter()
            .map(|(field, value)| (field.to_lowercase(), value))
            .collect())
    }
}

/// `a:b,c:d` as pairs, each side trimmed.
fn pairs(parameter: &str, text: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    let text = text.unwrap_or("");
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|pair| match pair.split_once(':') {
            Some((a, b)) if !a.is_empty() && !b.is_empty() && !b.contains(':') => {
                Ok((a.trim().to_owned(), b.trim().to_owned()))
            }
            _ => Err(ApiError::BadRequest(format!(
                "invalid query parameter: `{parameter}` is `name:value` pairs separated by \
                 commas, and `{pair}` is not one"
            ))),
        })
        .collect()
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

/// The properties of a kind's create schema, each a field's own schema: a reference to a
/// named type (`Count`, `Title`) is replaced by that type's schema, so that a cell is read
/// as the JSON value its type takes.
pub fn field_schemas<F: ToSchema>() -> BTreeMap<String, RefOr<Schema>> {
    let mut named = Vec::new();
    F::schemas(&mut named);
    let named: BTreeMap<String, RefOr<Schema>> = named.into_iter().collect();
    let inline = |schema: RefOr<Schema>| match schema {
        RefOr::Ref(reference) => {
            let name = reference
                .ref_location
                .rsplit('/')
                .next()
                .unwrap_or_default();
            named.get(name).cloned().unwrap_or(RefOr::Ref(reference))
        }
        other => other,
    };
    let properties = match F::schema() {
        RefOr::T(Schema::Object(object)) => object.properties,
        _ => BTreeMap::new(),
    };
    properties
        .into_iter()
        .map(|(name, schema)| {
            let schema = match schema {
                RefOr::T(Schema::OneOf(mut one)) => {
                    one.items = one.items.into_iter().map(&inline).collect();
                    RefOr::T(Schema::OneOf(one))
                }
                other => inline(other),
            };
            (name, schema)
        })
        .collect()
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

/// Where the rows of a body go, one by one, in the body's order.
pub trait Sink {
    /// A row read as a JSON object, with its number as the user sees it.
    fn row(&mut self, row: u64, fields: Map<String, Value>) -> Result<(), ApiError>;
    /// A row that could not be read, and why.
    fn unreadable(&mut self, errors: Vec<RowError>) -> Result<(), ApiError>;
    /// Errors of the CSV header (line 1): not a row of records, but the import's too.
    fn header(&mut self, errors: Vec<RowError>);
}

/// Reads `body` (UTF-8 text) as `format`, each row to `sink`; a CSV cell is typed by the
/// field `properties` (the kind's create schema) gives it. Malformed JSON as a whole is
/// 400, a body with no header line 422; a row that cannot be read goes to the sink.
pub fn each_row(
    format: Format,
    body: impl BufRead,
    properties: &BTreeMap<String, RefOr<Schema>>,
    options: &Options,
    sink: &mut impl Sink,
) -> Result<(), ApiError> {
    // JSON rows are objects already, with their own field names: the kind's fields
    // refuse any other by name. Renames and skipped columns are for CSV headers.
    match format {
        Format::Json => json_rows(body, sink),
        Format::Ndjson => ndjson_rows(body, sink),
        Format::Csv => csv_rows(body, properties, options, sink),
    }
}

/// A body's text without its byte-order mark.
pub fn without_bom(mut body: impl BufRead) -> Result<impl BufRead, ApiError> {
    if body
        .fill_buf()
        .map_err(read_error)?
        .starts_with(b"\xef\xbb\xbf")
    {
        body.consume(3);
    }
    Ok(body)
}

/// Hands a JSON value to the sink as a row, or as a row that is not an object.
fn object(row: u64, value: Value, sink: &mut impl Sink) -> Result<(), ApiError> {
    match value {
        Value::Object(map) => sink.row(row, map),
        _ => sink.unreadable(vec![RowError::new(row, "body", "must be a JSON object")]),
    }
}

/// The elements of the top-level array, each to the sink as it is parsed.
struct Elements<'a, S> {
    sink: &'a mut S,
    /// Why the sink stopped the parse.
    stopped: &'a mut Option<ApiError>,
}

impl<'de, S: Sink> Visitor<'de> for Elements<'_, S> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut row = 0u64;
        while let Some(value) = seq.next_element::<Value>()? {
            row += 1;
            if let Err(e) = object(row, value, self.sink) {
                *self.stopped = Some(e);
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

fn json_rows(body: impl BufRead, sink: &mut impl Sink) -> Result<(), ApiError> {
    let mut stopped = None;
    let mut parser = serde_json::Deserializer::from_reader(body);
    let parsed = parser
        .deserialize_seq(Elements {
            sink,
            stopped: &mut stopped,
        })
        .and_then(|()| parser.end());
    if let Some(stopped) = stopped {
        return Err(stopped);
    }
    parsed.map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            ApiError::validation("body", "must be a JSON array of records")
        }
        serde_json::error::Category::Io => read_error(std::io::Error::other(e)),
        _ => ApiError::BadRequest(format!("the body is not valid JSON: {e}")),
    })
}

fn ndjson_rows(body: impl BufRead, sink: &mut impl Sink) -> Result<(), ApiError> {
    for (line, content) in (1u64..).zip(body.split(b'\n')) {
        let content = content.map_err(read_error)?;
        let content = content.strip_suffix(b"\r").unwrap_or(&content);
        if content.trim_ascii().is_empty() {
            continue;
        }
        match serde_json::from_slice::<Value>(content) {
            Ok(value) => object(line, value, sink)?,
            Err(e) => sink.unreadable(vec![RowError::new(
                line,
                "body",
                format!("not valid JSON: {e}"),
            )])?,
        }
    }
    Ok(())
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
fn delimiter(text: &[u8]) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &b in text {
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

/// The cell type of field `name`, if the kind has that field.
fn field_cell(properties: &BTreeMap<String, RefOr<Schema>>, name: &str) -> Option<Cell> {
    properties
        .get(name)
        .map(|schema| cell(schema).unwrap_or(Cell::Text))
}

/// Reads CSV: the header names the columns, `defaults` fills the cells a row leaves
/// empty, and every row after the header goes to the sink as an object of its fields.
fn csv_rows(
    mut body: impl BufRead,
    properties: &BTreeMap<String, RefOr<Schema>>,
    options: &Options,
    sink: &mut impl Sink,
) -> Result<(), ApiError> {
    let delimiter = delimiter(body.fill_buf().map_err(read_error)?);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(body);
    let header = header_line(&mut reader)?;
    let (columns, header_errors) = header_columns(&header, properties, options);
    let defaults = typed_defaults(properties, options)?;
    if !columns.iter().any(|c| matches!(c, Column::Field(..))) {
        // Not the header of these records: another kind's, or the delimiter is not one
        // of those read.
        return Err(ApiError::validation(
            "body",
            "the CSV header names no field of this kind of record",
        ));
    }
    if !header_errors.is_empty() {
        sink.header(header_errors);
    }
    let mut record = csv::StringRecord::new();
    while next_record(&mut reader, &mut record, sink)? {
        csv_row(&record, &columns, &defaults, sink)?;
    }
    Ok(())
}

/// The body's first line: 422 when there is none or it cannot be read.
fn header_line<R: Read>(reader: &mut csv::Reader<R>) -> Result<csv::StringRecord, ApiError> {
    let mut header = csv::StringRecord::new();
    match reader.read_record(&mut header) {
        Ok(true) => Ok(header),
        Ok(false) => Err(ApiError::validation(
            "body",
            "must start with a header line",
        )),
        Err(e) => Err(ApiError::validation(
            "body",
            format!("unreadable CSV header: {e}"),
        )),
    }
}

/// What each header name is, after `columns` renames it (without case and surrounding
/// spaces): the kind's field with its cell type, or a skipped column. A name that is no
/// field is an error of line 1, unless it is a column only served (an export's `id`) or
/// `ignore_unknown_columns` is on.
fn header_columns(
    header: &csv::StringRecord,
    properties: &BTreeMap<String, RefOr<Schema>>,
    options: &Options,
) -> (Vec<Column>, Vec<RowError>) {
    let mut errors = Vec::new();
    let columns = header
        .iter()
        .map(|name| {
            let name = name.trim().to_lowercase();
            let name = options.renames.get(&name).cloned().unwrap_or(name);
            match field_cell(properties, &name) {
                Some(cell) => Column::Field(name, cell),
                None => {
                    if !SERVED_ONLY.contains(&name.as_str()) && !options.ignore_unknown {
                        errors.push(unknown_column(1, name));
                    }
                    Column::Skipped
                }
            }
        })
        .collect();
    (columns, errors)
}

/// The `defaults` as the JSON values of their fields. Well-formed, but naming no field of
/// the kind or not a value of it: like a column the kind does not have, 422.
fn typed_defaults(
    properties: &BTreeMap<String, RefOr<Schema>>,
    options: &Options,
) -> Result<Vec<(String, Value)>, ApiError> {
    options
        .defaults
        .iter()
        .map(|(field, value)| {
            let Some(cell) = field_cell(properties, field) else {
                return Err(ApiError::validation(
                    "defaults",
                    format!("names `{field}`, which is no field of this kind of record"),
                ));
            };
            let value = read_cell(cell, value).map_err(|message| {
                ApiError::validation("defaults", format!("the default of `{field}`: {message}"))
            })?;
            Ok((field.clone(), value))
        })
        .collect()
}

/// Reads the next record CSV can parse into `record`, handing each it cannot to the sink
/// on the way; `false` at the end of the body. A failing read of the file is an error.
fn next_record<R: Read>(
    reader: &mut csv::Reader<R>,
    record: &mut csv::StringRecord,
    sink: &mut impl Sink,
) -> Result<bool, ApiError> {
    loop {
        match reader.read_record(record) {
            Ok(read) => return Ok(read),
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                return Err(read_error(std::io::Error::other(e)));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                sink.unreadable(vec![RowError::new(
                    line,
                    "body",
                    format!("unreadable CSV: {e}"),
                )])?;
            }
        }
    }
}

/// One record to the sink: skipped when blank, unreadable when its cells do not match
/// the header's columns or a cell is not a value of its field, else the object of its
/// fields with the defaults filling what it leaves empty.
fn csv_row(
    record: &csv::StringRecord,
    columns: &[Column],
    defaults: &[(String, Value)],
    sink: &mut impl Sink,
) -> Result<(), ApiError> {
    let line = record.position().map_or(0, |p| p.line());
    if record.len() == 1 && record[0].trim().is_empty() {
        return Ok(());
    }
    if record.len() != columns.len() {
        return sink.unreadable(vec![RowError::new(
            line,
            "body",
            format!(
                "has {} cells where the header has {}",
                record.len(),
                columns.len()
            ),
        )]);
    }
    match row_object(line, record, columns, defaults) {
        Ok(map) => sink.row(line, map),
        Err(errors) => sink.unreadable(errors),
    }
}

/// A record's cells as the JSON object of their fields (an empty cell is an absent
/// field, then the field's default if it has one), or every cell that is not a value of
/// its field.
fn row_object(
    line: u64,
    record: &csv::StringRecord,
    columns: &[Column],
    defaults: &[(String, Value)],
) -> Result<Map<String, Value>, Vec<RowError>> {
    let mut map = Map::new();
    let mut errors = Vec::new();
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
            Err(message) => errors.push(RowError::new(line, name.clone(), message)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for (field, value) in defaults {
        if !map.contains_key(field) {
            map.insert(field.clone(), value.clone());
        }
    }
    Ok(map)
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
        assert_eq!(delimiter(b"a;b;c\n1,5;2;3"), b';');
        assert_eq!(delimiter(b"a,b\n"), b',');
        assert_eq!(delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(delimiter(b"\"a;b\",c"), b',');
        assert_eq!(delimiter(b"name"), b',');
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

    /// The fields `name` (text), `count` (a whole number) and `joined_on` (a date).
    fn properties() -> BTreeMap<String, RefOr<Schema>> {
        use utoipa::openapi::schema::ObjectBuilder;
        let typed = |t: Type| RefOr::T(Schema::Object(ObjectBuilder::new().schema_type(t).build()));
        let date = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .build();
        BTreeMap::from([
            ("name".to_owned(), typed(Type::String)),
            ("count".to_owned(), typed(Type::Integer)),
            ("joined_on".to_owned(), RefOr::T(Schema::Object(date))),
        ])
    }

    fn names(columns: &[Column]) -> Vec<Option<&str>> {
        columns
            .iter()
            .map(|c| match c {
                Column::Field(name, _) => Some(name.as_str()),
                Column::Skipped => None,
            })
            .collect()
    }

    #[test]
    fn header_names_are_renamed_matched_without_case_and_unknown_ones_refused() {
        let header = csv::StringRecord::from(vec![" Navn ", "ID", "Colour", "count"]);
        let options = Options {
            renames: Options::renames(Some("navn:name")).unwrap(),
            ..Options::default()
        };
        let (columns, errors) = header_columns(&header, &properties(), &options);
        assert_eq!(names(&columns), [Some("name"), None, None, Some("count")]);
        // An export's `id` is skipped quietly; a column of no field is line 1's error.
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].row, errors[0].error.field.as_str()),
            (1, "colour")
        );
        let ignoring = Options {
            ignore_unknown: true,
            ..options
        };
        assert!(
            header_columns(&header, &properties(), &ignoring)
                .1
                .is_empty()
        );
    }

    #[test]
    fn defaults_are_values_of_the_fields_they_name() {
        let options = |defaults: &str| Options {
            defaults: Options::defaults(Some(defaults)).unwrap(),
            ..Options::default()
        };
        assert_eq!(
            typed_defaults(&properties(), &options("joined_on:1.2.2022,count:3")).ok(),
            Some(vec![
                ("joined_on".to_owned(), serde_json::json!("2022-02-01")),
                ("count".to_owned(), serde_json::json!(3)),
            ])
        );
        assert!(typed_defaults(&properties(), &options("colour:red")).is_err());
        assert!(typed_defaults(&properties(), &options("count:many")).is_err());
    }

    #[test]
    fn a_row_leaves_empty_cells_to_the_defaults_and_names_every_bad_cell() {
        let header = csv::StringRecord::from(vec!["name", "count", "joined_on"]);
        let (columns, _) = header_columns(&header, &properties(), &Options::default());
        let defaults = [
            ("count".to_owned(), serde_json::json!(1)),
            ("name".to_owned(), serde_json::json!("default")),
        ];
        let row =
            |cells: Vec<&str>| row_object(7, &csv::StringRecord::from(cells), &columns, &defaults);
        assert_eq!(
            row(vec!["Ås", " ", "31.12.2022"]).ok(),
            serde_json::json!({"name": "Ås", "count": 1, "joined_on": "2022-12-31"})
                .as_object()
                .cloned()
        );
        let errors = row(vec!["Ås", "x", "31.12.2022"]).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].row, errors[0].error.field.as_str()),
            (7, "count")
        );
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
            assert!(Options::defaults(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(
            Options::defaults(Some("Joined_On:2022-01-01")).unwrap(),
            vec![("joined_on".to_owned(), "2022-01-01".to_owned())]
        );
    }

    #[test]
    fn content_types_name_the_format_and_charset() {
        assert_eq!(
            media_type(Some("text/csv; charset=UTF-8")).ok(),
            Some((Format::Csv, Some(Charset::Utf8)))
        );
        assert_eq!(
            media_type(Some("text/csv;charset=\"windows-1252\"")).ok(),
            Some((Format::Csv, Some(Charset::Windows1252)))
        );
        assert_eq!(
            media_type(Some("application/x-ndjson")).ok(),
            Some((Format::Ndjson, None))
        );
        assert_eq!(
            media_type(Some("Application/JSON")).ok(),
            Some((Format::Json, None))
        );
        assert!(media_type(Some("application/json; charset=windows-1252")).is_err());
        assert!(media_type(Some("text/csv; charset=utf-16")).is_err());
        assert!(media_type(Some("text/plain")).is_err());
        assert!(media_type(None).is_err());
    }

    fn detect(body: &[u8], declared: Option<Charset>) -> Result<Charset, ApiError> {
        charset_of(&mut std::io::Cursor::new(body), declared)
    }

    #[test]
    fn a_body_that_is_not_utf8_is_windows_1252_unless_it_cannot_be() {
        assert_eq!(
            detect("navn;sted\nÆrlig;Ås\n".as_bytes(), None).ok(),
            Some(Charset::Utf8)
        );
        assert_eq!(
            detect(b"navn\n\xc6rlig \xe6\xf8\xe5\n", None).ok(),
            Some(Charset::Windows1252)
        );
        // 0x81 is not a character of Windows-1252: neither, so refused.
        assert!(detect(b"navn\n\xe6 \x81\n", None).is_err());
        assert!(detect(b"navn\n\xe6\n", Some(Charset::Utf8)).is_err());
        assert_eq!(
            detect(b"\xe6", Some(Charset::Windows1252)).ok(),
            Some(Charset::Windows1252)
        );
        // A character cut by the end of a read is still UTF-8; one cut by the end of the
        // body is not.
        let mut long = vec![b'a'; (1 << 20) - 1];
        long.extend_from_slice("ø".as_bytes());
        assert_eq!(detect(&long, None).ok(), Some(Charset::Utf8));
        assert_eq!(
            detect(&"ø".as_bytes()[..1], None).ok(),
            Some(Charset::Windows1252)
        );
    }

    #[test]
    fn windows_1252_reads_as_utf8() {
        let mut text = String::new();
        Windows1252::new(&b"\xc6\xd8\xc5 \xe6\xf8\xe5 \x80"[..])
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "ÆØÅ æøå €");
    }
}
