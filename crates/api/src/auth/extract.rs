//! Extractors that read the bearer token: [`Auth`] where a token is required,
//! [`MaybeAuth`] where anonymous callers may read published data.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use super::Claims;
use crate::error::ApiError;
use crate::state::AppState;

/// The verified claims of a required bearer token; 401 when it is missing or invalid.
#[derive(Debug, Clone)]
pub struct Auth(pub Claims);

/// The verified claims of an optional bearer token: `None` without an `Authorization`
/// header, 401 when a token is sent but invalid (a bad token is never treated as none).
#[derive(Debug, Clone)]
pub struct MaybeAuth(pub Option<Claims>);

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match claims(req) {
            Ok(Some(claims)) => Ok(Auth(claims)),
            Ok(None) => Err(ApiError::Unauthorized(
                "this request needs an `Authorization: Bearer <token>` header".into(),
            )),
            Err(e) => Err(e),
        })
    }
}

impl FromRequest for MaybeAuth {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(claims(req).map(MaybeAuth))
    }
}

fn claims(req: &HttpRequest) -> Result<Option<Claims>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| {
        ApiError::Unauthorized("the Authorization header is not readable text".into())
    })?;
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => {
            return Err(ApiError::Unauthorized(
                "the Authorization header must be `Bearer <token>`".into(),
            ));
        }
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("application state is not registered".into()))?;
    state
        .auth
        .verify(token)
        .map(Some)
        .map_err(ApiError::Unauthorized)
}
