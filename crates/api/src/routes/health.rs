//! `/healthz` (the process answers) and `/readyz` (the database answers too).

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` (process up) or `ready` (database reachable).
    pub status: String,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// The database answers; 503 while it cannot be reached.
#[utoipa::path(get, path = "/readyz", tag = "health", responses((status = 200, body = Health)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    // Handed off: while the database hangs, the worker still answers /healthz.
    state.compute(veikart_store::db::ping).await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ready".into(),
    }))
}
