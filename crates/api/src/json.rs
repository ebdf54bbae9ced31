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
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(shape_error)?;
    deserializer
        .end()
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    Ok(value)
}

/// Reads a JSON value already parsed (e.g. a stored record merged with a PATCH) into `T`,
/// with the same errors as a body: 422 naming the field.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(shape_error)
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
}
