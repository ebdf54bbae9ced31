//! Versions on the wire: every single resource answers with `ETag: "v<version>"`;
//! `If-Match` on a write must name the stored version (412 otherwise), and `If-None-Match`
//! on a read answers 304 when the client's copy is current.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::error::ApiError;

pub fn etag(version: i32) -> String {
    format!("\"v{version}\"")
}

/// The versions an `If-Match` header accepts: `None` when the header is absent or `*`
/// (any stored version), otherwise the listed versions (an unparseable or weak tag can
/// match nothing, so it leads to 412).
pub fn if_match(req: &HttpRequest) -> Result<Option<Vec<i32>>, ApiError> {
    let Some(tags) = header_tags(req.headers(), header::IF_MATCH)? else {
        return Ok(None);
    };
    if tags.iter().any(|t| t == "*") {
        return Ok(None);
    }
    Ok(Some(tags.iter().filter_map(|t| parse_strong(t)).collect()))
}

/// A JSON answer carrying the version's ETag, or 304 when `If-None-Match` names it.
pub fn versioned<T: Serialize>(
    req: &HttpRequest,
    status: StatusCode,
    version: i32,
    body: &T,
) -> HttpResponse {
    let tag = etag(version);
    if status == StatusCode::OK && is_current(req, &tag) {
        return not_modified(tag);
    }
    HttpResponse::build(status)
        .insert_header((header::ETAG, tag))
        .json(body)
}

/// Whether the request's `If-None-Match` names `tag` (or `*`): the client's copy is
/// current.
pub fn is_current(req: &HttpRequest, tag: &str) -> bool {
    header_tags(req.headers(), header::IF_NONE_MATCH)
        .ok()
        .flatten()
        .is_some_and(|tags| {
            tags.iter()
                .any(|t| t == "*" || t.trim_start_matches("W/") == tag)
        })
}

/// 304 with the current ETag.
pub fn not_modified(tag: String) -> HttpResponse {
    HttpResponse::NotModified()
        .insert_header((header::ETAG, tag))
        .finish()
}

/// A 201 answer for a new resource: its body, its ETag and its URL in `Location`.
pub fn created<T: Serialize>(
    req: &HttpRequest,
    version: i32,
    body: &T,
    location: &str,
) -> HttpResponse {
    let mut response = versioned(req, StatusCode::CREATED, version, body);
    if let Ok(location) = header::HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

fn header_tags(
    headers: &HeaderMap,
    name: header::HeaderName,
) -> Result<Option<Vec<String>>, ApiError> {
    let mut tags = Vec::new();
    let mut present = false;
    for value in headers.get_all(&name) {
        present = true;
        let text = value
            .to_str()
            .map_err(|_| ApiError::BadRequest(format!("the {name} header is not readable text")))?;
        tags.extend(
            text.split(',')
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty()),
        );
    }
    Ok(present.then_some(tags))
}

fn parse_strong(tag: &str) -> Option<i32> {
    tag.strip_prefix("\"v")?.strip_suffix('"')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn if_match_reads_strong_versions_and_star() {
        let req = TestRequest::default()
            .insert_header((header::IF_MATCH, "\"v3\", \"v4\""))
            .to_http_request();
        assert_eq!(if_match(&req).unwrap(), Some(vec![3, 4]));
        let any = TestRequest::default()
            .insert_header((header::IF_MATCH, "*"))
            .to_http_request();
        assert_eq!(if_match(&any).unwrap(), None);
        let none = TestRequest::default().to_http_request();
        assert_eq!(if_match(&none).unwrap(), None);
        let weak = TestRequest::default()
            .insert_header((header::IF_MATCH, "W/\"v3\""))
            .to_http_request();
        assert_eq!(if_match(&weak).unwrap(), Some(vec![]));
    }
}
