//! The pages' one asset, the stylesheet, compiled into the binary and served under a name
//! made from its content (`/p/assets/<hash>.css`), so it can be cached for a year: a new
//! stylesheet is a new name. Nothing is fetched from elsewhere; the pages work offline.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{HttpResponse, web};

const STYLESHEET: &str = include_str!("veikart.css");

/// The stylesheet's path, with its content's hash.
pub static STYLESHEET_PATH: LazyLock<String> =
    LazyLock::new(|| format!("/p/assets/{}.css", content_hash(STYLESHEET.as_bytes())));

/// The first 16 hex digits of the SHA-256 of `bytes`.
fn content_hash(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest
        .as_ref()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `GET /p/assets/{name}`: the stylesheet under its current name, 404 otherwise.
pub async fn asset(name: web::Path<String>) -> HttpResponse {
    if format!("/p/assets/{name}") != *STYLESHEET_PATH {
        return super::http::PageError::NotFound(super::lang::Lang::Nb).into_response();
    }
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(STYLESHEET)
}
