//! The handlers. Each resource has a folder: `mod.rs` holds its wire types, its rules
//! and its registration; the operations live in `<action>.rs` files or, for the resources
//! served by the shared implementation in `resource/`, in `handlers.rs` declared through
//! `resource::resource_handlers!`.

pub mod api_keys;
pub mod audit;
pub mod budget_lines;
pub mod events;
pub mod focus_areas;
pub mod goals;
pub mod health;
pub mod imports;
pub mod kpis;
pub mod measures;
pub mod orgs;
pub mod pages;
pub mod patch;
pub mod plans;
pub mod records;
pub mod resource;
pub mod results;
pub mod strategies;
pub mod webhooks;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every `/api/v1` handler (routes and OpenAPI paths at once).
pub fn configure_v1(cfg: &mut ServiceConfig) {
    orgs::configure(cfg);
    strategies::configure(cfg);
    goals::configure(cfg);
    plans::configure(cfg);
    focus_areas::configure(cfg);
    kpis::configure(cfg);
    measures::configure(cfg);
    budget_lines::configure(cfg);
    records::configure(cfg);
    imports::configure(cfg);
    results::configure(cfg);
    audit::configure(cfg);
    api_keys::configure(cfg);
    events::configure(cfg);
    webhooks::configure(cfg);
}
