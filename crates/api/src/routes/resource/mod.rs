//! The one way Veikart serves a resource: list, create, get, change and delete, with
//! organisation isolation, roles, `ETag`/`If-Match`, `Location` and the audit trail handled
//! once. A resource of the plan tree lives in one of two scopes here, and implements that
//! scope's trait for what is its own (wire types, rules, what a delete waits for):
//!
//! - the organisation ([`org`], [`OrgChild`]): strategies, goals and a goal's check-ins
//!   (`/orgs/{org}/<segment>`, or under a parent such as `/orgs/{org}/goals/{goal_id}/…`);
//!   viewers read, editors write;
//! - a plan ([`plan`], [`PlanChild`]): focus areas, KPI definitions, measures and budget
//!   lines (`/orgs/{org}/plans/{plan_id}/<segment>`); anyone reads a published plan's
//!   parts, and the plan's structure is frozen once it is adopted.
//!
//! Each scope has its generic `list`, `get`, `create`, `update` and `delete`, and one
//! macro, [`resource_handlers!`], declares a resource's documented operations in any
//! scope, each a thin call into them. The records (`routes/records/`) are a third scope:
//! organisation resources with generic code of their own (date order, CSV, a PATCH laid
//! over their fields) built from the same pieces here ([`viewer`], [`Write`], [`current`]
//! and [`created`]) and declared with the same macro.

mod handlers;
pub mod org;
pub mod plan;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use veikart_domain::Role;
use veikart_store::{StoreError, TenantRow};

use crate::auth::Claims;
use crate::error::ApiError;
use crate::etag;
use crate::tenancy::OrgAccess;

pub(crate) use handlers::resource_handlers;
pub use org::OrgChild;
pub use plan::PlanChild;

/// No filters: a list with only `limit` and `cursor`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoFilter {}

/// The caller's access to `org` as a reader with a token (`viewer` or above).
pub fn viewer(caller: Claims, org: &str) -> Result<OrgAccess, ApiError> {
    let access = OrgAccess::check(Some(caller), org)?;
    access.require(Role::Viewer)?;
    Ok(access)
}

/// What every write knows before it touches the database: the caller's access to the
/// organisation at the role the write needs (404 for another organisation, 403 below the
/// role), who they are for the audit trail, and the versions `If-Match` accepts.
pub struct Write {
    pub access: OrgAccess,
    /// The caller's `sub`.
    pub actor: String,
    /// The versions a change or delete may apply to (`None`: any; always `None` for a
    /// create, which has no stored version).
    pub expected: Option<Vec<i32>>,
}

impl Write {
    /// A create in `org` by a caller with `role`.
    pub fn create(caller: Claims, org: &str, role: Role) -> Result<Self, ApiError> {
        let access = OrgAccess::check(Some(caller), org)?;
        let actor = access.require(role)?.sub.clone();
        Ok(Self {
            access,
            actor,
            expected: None,
        })
    }

    /// A change or delete in `org` by a caller with `role`, of the version `If-Match`
    /// names (412 later when it is stale).
    pub fn change(
        req: &HttpRequest,
        caller: Claims,
        org: &str,
        role: Role,
    ) -> Result<Self, ApiError> {
        let write = Self::create(caller, org, role)?;
        Ok(Self {
            expected: etag::if_match(req)?,
            ..write
        })
    }
}

/// 200 with the row as `wire` makes it and its `ETag` (304 when `If-None-Match` names
/// that version).
pub fn current<R: TenantRow, W: Serialize>(
    req: &HttpRequest,
    row: R,
    wire: impl FnOnce(R) -> Result<W, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let version = row.version();
    Ok(etag::versioned(req, StatusCode::OK, version, &wire(row)?))
}

/// 201 with the new row as `wire` makes it, its `ETag`, and its URL in `Location`:
/// `/api/v1/orgs/{org}/{collection}/{id}`.
pub fn created<R: TenantRow, W: Serialize>(
    req: &HttpRequest,
    org: &str,
    collection: &str,
    row: R,
    wire: impl FnOnce(R) -> Result<W, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let (id, version) = (row.id(), row.version());
    let location = format!("/api/v1/orgs/{org}/{collection}/{id}");
    Ok(etag::created(req, version, &wire(row)?, &location))
}

/// 404 unless `holds` (a row reached through a parent that is not its own is not there).
fn ensure(holds: bool) -> Result<(), StoreError> {
    if holds {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// 409 naming what still depends on a resource being deleted.
pub fn refuse_while(count: i64, what: &str) -> Result<(), StoreError> {
    if count > 0 {
        Err(StoreError::Conflict {
            field: None,
            message: format!("{count} {what} still refer to it; move or delete them first"),
        })
    } else {
        Ok(())
    }
}
