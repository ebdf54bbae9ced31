//! The handlers, one file per operation under `routes/<resource>/<action>.rs`; each
//! resource's `mod.rs` holds its wire types and registers its handlers.

pub mod audit;
pub mod health;
pub mod orgs;
pub mod patch;
pub mod plans;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every `/api/v1` handler (routes and OpenAPI paths at once).
pub fn configure_v1(cfg: &mut ServiceConfig) {
    orgs::configure(cfg);
    plans::configure(cfg);
    audit::configure(cfg);
}
