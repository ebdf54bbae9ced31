//! Extractors that read the bearer credential: [`Auth`] where one is required,
//! [`MaybeAuth`] where anonymous callers may read published data.
//!
//! The credential is a JWT or an API key; a key says so by its prefix (`vk_`). A token is
//! verified in memory; a key is looked up with one statement (see [`super::keys`]), after
//! its checksum has passed.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use veikart_domain::ApiKeySecret;

use super::{Claims, keys};
use crate::error::ApiError;
use crate::state::AppState;

/// The verified claims of a required bearer credential; 401 when it is missing or invalid.
#[derive(Debug, Clone)]
pub struct Auth(pub Claims);

/// The verified claims of an optional bearer credential: `None` without an
/// `Authorization` header, 401 when one is sent but invalid (a bad credential is never
/// treated as none).
#[derive(Debug, Clone)]
pub struct MaybeAuth(pub Option<Claims>);

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pending = credential(req);
        Box::pin(async move {
            match pending?.claims().await? {
                Some(claims) => Ok(Auth(claims)),
                None => Err(ApiError::Unauthorized(
                    "this request needs an `Authorization: Bearer <token>` header".into(),
                )),
            }
        })
    }
}

impl FromRequest for MaybeAuth {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pending = credential(req);
        Box::pin(async move { Ok(MaybeAuth(pending?.claims().await?)) })
    }
}

/// What the `Authorization` header holds, read without waiting for anything.
enum Credential {
    Absent,
    Token(Claims),
    Key(web::Data<AppState>, String),
}

impl Credential {
    async fn claims(self) -> Result<Option<Claims>, ApiError> {
        match self {
            Credential::Absent => Ok(None),
            Credential::Token(claims) => Ok(Some(claims)),
            Credential::Key(state, key) => keys::claims_of_key(&state, &key).await.map(Some),
        }
    }
}

fn credential(req: &HttpRequest) -> Result<Credential, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(Credential::Absent);
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
    if ApiKeySecret::looks_like_key(token) {
        return Ok(Credential::Key(state.clone(), token.to_owned()));
    }
    state
        .auth
        .verify(token)
        .map(Credential::Token)
        .map_err(ApiError::Unauthorized)
}
