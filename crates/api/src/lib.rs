//! Veikart's HTTP API: the actix-web application, authentication and organisation
//! isolation, the error format, the handlers and the OpenAPI document.
//!
//! A request flows: actix route (registered in [`app`]) → extractors ([`auth::Auth`],
//! [`json::JsonBody`], path and query structs, [`pagination::PageParams`]) → handler in
//! `routes/<resource>/<action>.rs` → [`tenancy::OrgAccess`] (which organisation, which
//! role) → storage code from `veikart-store` on a blocking thread ([`state::AppState::db`])
//! → a typed JSON answer, or an [`error::ApiError`] rendered as problem+json.

pub mod app;
pub mod auth;
pub mod cache;
pub mod claims;
pub mod config;
pub mod demo;
pub mod demo_year;
pub mod error;
pub mod etag;
pub mod event_retention;
pub mod fallback;
pub mod json;
pub mod kpi_status;
pub mod observe;
pub mod openapi;
pub mod pagination;
pub mod query;
pub mod routes;
pub mod state;
pub mod tenancy;
pub mod time;
pub mod webhooks;

pub use app::{Application, openapi};
pub use config::Settings;
