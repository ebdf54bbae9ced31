use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use veikart_domain::Role;
use veikart_store::audit::{self as store, AuditFilter};

use super::AuditEntry;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::pagination::{Page, PageParams};
use crate::query::Query;
use crate::routes::orgs::OrgPath;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// The kinds of change the trail records.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Create,
    Update,
    Delete,
}

impl AuditAction {
    fn as_str(self) -> &'static str {
        match self {
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::Delete => "delete",
        }
    }
}

/// Filters of the audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilterParams {
    /// Only changes to this kind of resource (`organisation`, `plan`, ...).
    #[param(pattern = "^[a-z_]{1,64}$")]
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub entity: Option<String>,
    /// Only this kind of change.
    #[param(inline)]
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub action: Option<AuditAction>,
}

/// List the organisation's audit trail, oldest first (`admin`).
#[utoipa::path(
    get, path = "", tag = "audit",
    params(OrgPath, AuditFilterParams, PageParams),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Page<AuditEntry>))
)]
#[get("")]
pub async fn list_audit_entries(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<OrgPath>,
    filter: Query<AuditFilterParams>,
    page: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let entity_ok = |e: &str| {
        (1..=64).contains(&e.len()) && e.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    };
    if filter.entity.as_deref().is_some_and(|e| !entity_ok(e)) {
        return Err(ApiError::BadRequest(
            "entity must be 1-64 characters of a-z and _".into(),
        ));
    }
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    access.require(Role::Admin)?;
    let filter = AuditFilter {
        entity: filter.entity.clone(),
        action: filter.action.map(|a| a.as_str().to_owned()),
    };
    let page = state
        .db(move |conn| store::list(conn, access.org(), &filter, request))
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_store(page, AuditEntry::from)))
}
