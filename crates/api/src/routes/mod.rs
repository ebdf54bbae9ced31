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

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every `/api/v1` handler (routes and OpenAPI paths at once), nested by path so
/// that a request is matched against a few prefixes and then its own resource's routes,
/// not against every route (docs/benchmarks.md, "CPU per request"). Each handler's path is
/// relative to its scope; the scopes are named here.
pub fn configure_v1(cfg: &mut ServiceConfig) {
    orgs::configure(cfg);
    cfg.service(scope("/orgs/{org}").configure(configure_org));
}

/// Under `/orgs/{org}`: one scope per first segment.
fn configure_org(cfg: &mut ServiceConfig) {
    cfg.service(scope("/plans").configure(configure_plans))
        .service(scope("/strategies").configure(strategies::configure))
        .service(scope("/goals").configure(goals::configure));
    records::configure(cfg);
    cfg.service(scope("/imports").configure(imports::configure))
        .service(scope("/audit").configure(audit::configure))
        .service(scope("/api-keys").configure(api_keys::configure))
        .service(scope("/events").configure(events::configure))
        .service(scope("/webhooks").configure(webhooks::configure));
}

/// Under `/orgs/{org}/plans`: a plan's children in their scopes first (their prefixes
/// never match a plan's own paths), its results, then the plans themselves.
fn configure_plans(cfg: &mut ServiceConfig) {
    cfg.service(scope("/{plan_id}/focus-areas").configure(focus_areas::configure))
        .service(scope("/{plan_id}/kpis").configure(|cfg| {
            kpis::configure(cfg);
            results::configure_kpi(cfg);
        }))
        .service(scope("/{plan_id}/measures").configure(measures::configure))
        .service(scope("/{plan_id}/budget-lines").configure(budget_lines::configure));
    results::configure_plan(cfg);
    plans::configure(cfg);
}
