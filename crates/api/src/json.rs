//! [`JsonBody`], the extractor for every JSON request body.
//!
//! It answers each way a body can be wrong with its own problem: 415 for a body that is
//! not declared as JSON, 413 above the configured size, 400 for malformed JSON, 422 naming
//! the field (`items[2].title`) for JSON of the wrong shape.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use veikart_domain::FieldError;

use crate::error::ApiError;

/// The largest request body accepted, in bytes (`VEIKART_BODY_LIMIT`).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

impl Default for BodyLimit {
    fn default() -> Self {
        BodyLimit(1024 * 1024)
    }
}

pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<BodyLimit>>()
            .map(|l| l.0)
            .unwrap_or_else(|| BodyLimit::default().0);
        let content_type_ok = is_json(req);
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType(
                    "the body must be JSON, sent with `Content-Type: application/json`".into(),
                ));
            }
            if declared_length.is_some_and(|n| n > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::BadRequest(format!("the body could not be read: {e}"))
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            parse(&body).map(JsonBody)
        })
    }
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses a JSON body, telling malformed JSON (400) from JSON of the wrong shape (422).
/// Every body of this API is a JSON object; serde would otherwise also read a struct
/// from an array of its field values, which no client means.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => {}
        Some(b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9') => {
            return Err(ApiError::validation("body", "must be a JSON object"));
        }
        _ => return Err(ApiError::BadRequest("the body is not valid JSON".into())),
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    from_value(value)
}

/// Reads a JSON value already parsed (e.g. a stored record merged with a PATCH) into `T`,
/// with the same errors as a body: 422 naming every field of the wrong shape at once.
///
/// serde stops at the first bad field, so each bad field is reported, taken out of the
/// value and the rest read again. A field missing because it was taken out is not
/// reported again: the object holding it is taken out in turn, until nothing is left to
/// take out.
pub fn from_value<T: DeserializeOwned>(mut value: serde_json::Value) -> Result<T, ApiError> {
    let mut errors: Vec<FieldError> = Vec::new();
    for _ in 0..MAX_READS {
        let error = match serde_path_to_error::deserialize(&value) {
            Ok(read) if errors.is_empty() => return Ok(read),
            Ok(_) => break,
            Err(error) => error,
        };
        let path = error.path().clone();
        let problem = match shape_error(error) {
            ApiError::Validation(mut found) if found.len() == 1 => found.remove(0),
            other if errors.is_empty() => return Err(other),
            _ => break,
        };
        if !errors.iter().any(|e| within(&e.field, &problem.field)) {
            errors.push(problem);
        }
        if !take_out(&mut value, &path) {
            break;
        }
    }
    Err(ApiError::Validation(errors))
}

/// The most reads one body gets while its errors are collected.
const MAX_READS: usize = 50;

/// Whether `field` is `outer` or lies inside it (`source.entity` inside `source`).
fn within(field: &str, outer: &str) -> bool {
    field
        .strip_prefix(outer)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// Removes from `value` the object member at `path`, or the nearest one above it (for a
/// path that ends in an array element); false when there is none (the body itself).
fn take_out(value: &mut serde_json::Value, path: &serde_path_to_error::Path) -> bool {
    use serde_path_to_error::Segment;
    let mut segments: Vec<&Segment> = path.iter().collect();
    while let Some(last) = segments.pop() {
        let Segment::Map { key } = last else {
            continue;
        };
        let mut node = &mut *value;
        for segment in &segments {
            node = match (segment, node) {
                (Segment::Map { key }, serde_json::Value::Object(map)) => match map.get_mut(key) {
                    Some(child) => child,
                    None => return false,
                },
                (Segment::Seq { index }, serde_json::Value::Array(items)) => {
                    match items.get_mut(*index) {
                        Some(child) => child,
                        None => return false,
                    }
                }
                _ => return false,
            };
        }
        return match node {
            serde_json::Value::Object(map) => map.remove(key).is_some(),
            _ => false,
        };
    }
    false
}

/// 422 naming the field for JSON of the wrong shape; 400 for JSON that is not JSON.
fn shape_error(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let field = error.path().to_string();
    let inner = error.into_inner();
    match inner.classify() {
        serde_json::error::Category::Data => {
            let message = strip_position(&inner.to_string());
            ApiError::validation(field_of(&field, &message), message)
        }
        _ => ApiError::BadRequest(format!("the body is not valid JSON: {inner}")),
    }
}

/// The field an error is about: the path where it happened, or for a missing field
/// (reported at its parent) the missing field itself.
fn field_of(path: &str, message: &str) -> String {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (path, missing) {
        (".", Some(name)) => name.to_owned(),
        (".", None) => "body".to_owned(),
        (parent, Some(name)) => format!("{parent}.{name}"),
        (path, None) => path.to_owned(),
    }
}

/// serde's messages end with " at line 1 column 17", which says nothing to a client that
/// gets the field named separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::ResponseError;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "the fields exist to be deserialised, not read")]
    struct Body {
        title: String,
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[expect(dead_code, reason = "the fields exist to be deserialised, not read")]
    struct Item {
        n: u8,
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        let e = parse::<Body>(b"{\"title\": ").unwrap_err();
        assert_eq!(e.status_code().as_u16(), 400);
    }

    #[test]
    fn wrong_shapes_name_the_field() {
        let e = parse::<Body>(br#"{"title": "t", "items": [{"n": 1}, {"n": 300}]}"#).unwrap_err();
        assert_eq!(e.status_code().as_u16(), 422);
        let problem = e.problem();
        assert_eq!(problem.errors[0].field, "items[1].n");
        assert!(!problem.errors[0].message.contains("line"));
        let missing = parse::<Body>(br#"{"items": []}"#).unwrap_err();
        assert_eq!(missing.problem().errors[0].field, "title");
        let nested = parse::<Body>(br#"{"title": "t", "items": [{}]}"#).unwrap_err();
        assert_eq!(nested.problem().errors[0].field, "items[0].n");
        let array = parse::<Body>(br#"["t", []]"#).unwrap_err();
        assert_eq!(array.problem().errors[0].field, "body");
        let unknown = parse::<Body>(br#"{"title": "t", "items": [], "x": 1}"#).unwrap_err();
        assert_eq!(unknown.problem().errors[0].field, "x");
    }

    #[test]
    fn every_field_of_the_wrong_shape_is_named_at_once() {
        let body = br#"{"title": 7, "items": [{"n": 1}, {"n": -1}], "x": 1}"#;
        let problem = parse::<Body>(body).unwrap_err().problem();
        let mut fields: Vec<_> = problem.errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["items[1].n", "title", "x"]);
        let missing = parse::<Body>(br#"{"x": 1}"#).unwrap_err().problem();
        assert_eq!(missing.errors.len(), 2, "{:?}", missing.errors);
    }
}
