//! The one error type of the API and its wire format, RFC 9457 `application/problem+json`.
//!
//! Which variant to use:
//! - the request itself is malformed (bad JSON, a bad query or path value) → `BadRequest`;
//! - it is well-formed but breaks a rule of the domain → `Validation`, naming every field;
//! - no or a bad token → `Unauthorized`; a valid token whose role may not do this → `Forbidden`;
//! - the resource does not exist *or belongs to another organisation* → `NotFound` (never
//!   reveal that another organisation's resource exists);
//! - the stored version differs from `If-Match` → `PreconditionFailed`;
//! - a uniqueness or dependency rule → `Conflict`;
//! - what the request names was removed for good (a pruned feed cursor) → `Gone`;
//! - the database is down or busy → `Unavailable`; anything else → `Internal`.
//!
//! `Unavailable` and `Internal` log their cause and send only a generic detail. Every
//! problem names its request in `instance` (see [`crate::observe::request_id`]).

use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use veikart_domain::FieldError;
use veikart_store::StoreError;

use crate::observe::request_id;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem: what went wrong, for programs (`type`, `status`) and for people
/// (`title`, `detail`), with every invalid field listed in `errors` for validation problems.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `urn:veikart:problem:validation`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// For validation problems: each invalid field and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// For an import: how many errors were found in all; `errors` lists the first
    /// 1,000 of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub error_count: Option<usize>,
    /// This request, `urn:veikart:request:<id>` with the id of its `X-Request-Id`
    /// header: quote it when asking for support; the service's log lines carry the same id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        nullable = false,
        example = "urn:veikart:request:0f8fad5b-d9cb-469f-a165-70867728950e"
    )]
    pub instance: Option<String>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProblemField {
    /// The field, as named in the request (`period_end`, `body`, `focus_areas[0].title`).
    pub field: String,
    /// The same place as an RFC 6901 JSON pointer into the request body
    /// (`/focus_areas/0/title`; empty for the whole body).
    pub pointer: String,
    /// Why it is invalid.
    pub message: String,
    /// For an import: the row the field is in, as the file counts it (the CSV line
    /// with the header as line 1, the NDJSON line, the JSON array's item from 1); the
    /// pointer is then into that row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub row: Option<u64>,
}

impl From<FieldError> for ProblemField {
    fn from(e: FieldError) -> Self {
        Self {
            pointer: json_pointer(&e.field),
            field: e.field,
            message: e.message,
            row: None,
        }
    }
}

/// An invalid field of one row of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row, as the file counts it (see [`ProblemField::row`]).
    pub row: u64,
    pub error: FieldError,
}

impl RowError {
    pub fn new(row: u64, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            row,
            error: FieldError::new(field, message),
        }
    }
}

/// The most row errors an import problem lists (`error_count` tells how many there were).
pub const MAX_ROW_ERRORS: usize = 1000;

/// `a.b[2].c` → `/a/b/2/c`; `body` (the whole body) → the empty pointer.
fn json_pointer(field: &str) -> String {
    if field == "body" {
        return String::new();
    }
    field
        .replace('[', ".")
        .replace(']', "")
        .split('.')
        .filter(|part| !part.is_empty())
        .map(|part| format!("/{}", part.replace('~', "~0").replace('/', "~1")))
        .collect()
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request cannot be read (malformed JSON, bad query or path parameter).
    #[error("{0}")]
    BadRequest(String),
    /// 401: no token, or a token that is malformed, forged, expired or not for this service.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: the token is valid but its role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such resource (in this organisation), or no such route.
    #[error("the requested resource does not exist")]
    NotFound,
    /// 405: the route exists, but not with this method.
    #[error("method {method} is not allowed here")]
    MethodNotAllowed { method: Method, allow: Vec<Method> },
    /// 410: what the request names existed but was removed for good (an event feed's
    /// cursor older than the feed's retention); the detail says where to start again.
    #[error("{0}")]
    Gone(String),
    /// 409: the change conflicts with stored data (a taken slug, existing children).
    #[error("{message}")]
    Conflict {
        field: Option<String>,
        message: String,
    },
    /// 412: `If-Match` names a version that is no longer the stored one.
    #[error("the resource was changed since the version named in If-Match; fetch it again")]
    PreconditionFailed,
    /// 413: the body is larger than the configured limit.
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// 415: the body is not JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: the body is readable but breaks the rules; every bad field is listed.
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    /// 422: rows of an import break the rules; every bad row is listed (up to
    /// [`MAX_ROW_ERRORS`]) and nothing was written.
    #[error("{count} invalid field(s) in the imported rows; nothing was written")]
    InvalidRows {
        /// The first of them by row, at most [`MAX_ROW_ERRORS`].
        errors: Vec<RowError>,
        /// How many there were.
        count: usize,
    },
    /// 503: the database cannot be reached right now. The cause is logged, not sent.
    #[error("the service cannot reach its database right now; retry later")]
    Unavailable(String),
    /// 500: a bug. The cause is logged, not sent.
    #[error("an internal error occurred; it has been logged")]
    Internal(String),
}

impl ApiError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    fn slug(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad-request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound => "not-found",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::Conflict { .. } => "conflict",
            ApiError::Gone(_) => "gone",
            ApiError::PreconditionFailed => "precondition-failed",
            ApiError::PayloadTooLarge { .. } => "payload-too-large",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::Validation(_) | ApiError::InvalidRows { .. } => "validation",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let mut error_count = None;
        let errors = match self {
            ApiError::InvalidRows { errors, count } => {
                error_count = Some(*count);
                errors
                    .iter()
                    .take(MAX_ROW_ERRORS)
                    .map(|e| ProblemField {
                        row: Some(e.row),
                        ..ProblemField::from(e.error.clone())
                    })
                    .collect()
            }
            ApiError::Validation(errors) => {
                errors.iter().cloned().map(ProblemField::from).collect()
            }
            ApiError::Conflict {
                field: Some(field),
                message,
            } => vec![ProblemField::from(FieldError::new(
                field.clone(),
                message.clone(),
            ))],
            _ => Vec::new(),
        };
        Problem {
            problem_type: format!("urn:veikart:problem:{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            errors,
            error_count,
            instance: request_id::current().map(|id| id.instance()),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) | ApiError::InvalidRows { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => {
                log::error!("{} internal error: {cause}", request_id::log_field());
            }
            ApiError::Unavailable(cause) => {
                log::warn!("{} database unavailable: {cause}", request_id::log_field());
            }
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            ApiError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::MethodNotAllowed { allow, .. } => {
                let allow: Vec<&str> = allow.iter().map(Method::as_str).collect();
                response.insert_header((header::ALLOW, allow.join(", ")));
            }
            ApiError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            _ => {}
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        response.body(body)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::VersionMismatch => ApiError::PreconditionFailed,
            StoreError::Conflict { field, message } => ApiError::Conflict { field, message },
            StoreError::Invalid(errors) => ApiError::Validation(errors),
            StoreError::Unavailable(cause) => ApiError::Unavailable(cause),
            StoreError::Migration(cause) | StoreError::Corrupt(cause) => ApiError::Internal(cause),
            StoreError::Database(cause) => ApiError::Internal(cause.to_string()),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        ApiError::Internal("a blocking database task panicked or was cancelled".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_causes_never_reach_the_body() {
        let problem = ApiError::Internal("password=hunter2 in SQL".into()).problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("hunter2"));
        let unavailable =
            ApiError::from(StoreError::Unavailable("host db-1 refused".into())).problem();
        assert_eq!(unavailable.status, 503);
        assert!(!unavailable.detail.contains("db-1"));
    }

    #[test]
    fn validation_problems_list_every_field() {
        let error = ApiError::Validation(vec![
            FieldError::new("title", "must not be blank"),
            FieldError::new("period_end", "must not be before period_start"),
        ]);
        let problem = error.problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.problem_type, "urn:veikart:problem:validation");
        let fields: Vec<_> = problem.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "period_end"]);
    }

    #[test]
    fn fields_become_json_pointers() {
        assert_eq!(
            json_pointer("focus_areas[0].kpis[12].source.field"),
            "/focus_areas/0/kpis/12/source/field"
        );
        assert_eq!(json_pointer("title"), "/title");
        assert_eq!(json_pointer("body"), "");
        assert_eq!(json_pointer("a/b~c"), "/a~1b~0c");
    }

    #[test]
    fn store_errors_map_to_their_statuses() {
        let status = |e: StoreError| ApiError::from(e).status_code().as_u16();
        assert_eq!(status(StoreError::NotFound), 404);
        assert_eq!(status(StoreError::VersionMismatch), 412);
        assert_eq!(
            status(StoreError::Conflict {
                field: None,
                message: "x".into()
            }),
            409
        );
        assert_eq!(status(StoreError::Invalid(vec![])), 422);
        assert_eq!(status(StoreError::Unavailable("down".into())), 503);
    }
}
