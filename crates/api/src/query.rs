//! The query string of a request as a typed value, read one way for every operation: a
//! repeated parameter (`kind=a&kind=b`) is a list, an empty value is read by its field's
//! type, and a value its parameter cannot take is 400 naming the parameter.

use std::future::{Ready, ready};
use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The extractor: the request's query string read as `T` (see [`parse`]).
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query))
    }
}

/// `query` read as `T`; 400 naming the parameter whose value does not fit.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let deserializer = serde_html_form::Deserializer::from_bytes(query.as_bytes());
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let parameter = e.path().to_string();
        let cause = e.into_inner();
        ApiError::BadRequest(if parameter == "." {
            format!("invalid query: {cause}")
        } else {
            format!("invalid query parameter `{parameter}`: {cause}")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Params {
        #[serde(default)]
        limit: Option<u32>,
        #[serde(default)]
        kind: Vec<String>,
    }

    fn detail(e: ApiError) -> String {
        match e {
            ApiError::BadRequest(detail) => detail,
            other => panic!("not a 400: {other:?}"),
        }
    }

    #[test]
    fn a_bad_value_is_refused_naming_its_parameter() {
        let e = parse::<Params>("kind=a&limit=many").unwrap_err();
        assert!(detail(e).starts_with("invalid query parameter `limit`: "));
    }

    #[test]
    fn repeated_parameters_are_a_list() {
        let params = parse::<Params>("kind=a&kind=b&limit=3").unwrap();
        assert_eq!(params.kind, ["a", "b"]);
        assert_eq!(params.limit, Some(3));
        assert!(parse::<Params>("").unwrap().kind.is_empty());
    }
}
