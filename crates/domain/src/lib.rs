//! Veikart's domain: the types and rules every other crate relies on, in plain Rust.
//!
//! This crate knows neither the database (diesel) nor the web framework (actix). Values
//! that cross the API boundary are parsed into the newtypes here (`OrgSlug`,
//! `OrganisationNumber`, ...), so that a value that exists is a valid one. With the
//! `openapi` feature the public types also derive `utoipa::ToSchema`, so the OpenAPI
//! document describes them from this single definition.

pub mod api_key;
pub mod date;
pub mod document;
pub mod engine;
pub mod events;
pub mod kpi;
pub mod org;
pub mod plan;
pub mod records;
pub mod role;
pub mod text;
pub mod tree;
pub mod validation;
pub mod web;
pub mod webhooks;
pub mod wire;

pub use api_key::ApiKeySecret;
pub use date::Date;
pub use org::{OrgSlug, OrganisationNumber};
pub use plan::{PlanFields, PlanPeriod, PlanStatus};
pub use role::Role;
pub use validation::{FieldError, Validator};
pub use web::{EmbedOrigin, EmbedOrigins, WebSite, frame_ancestors};
