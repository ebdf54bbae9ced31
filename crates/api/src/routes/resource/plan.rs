//! The plan scope: every resource that lives inside a plan (focus areas, KPI definitions,
//! measures, budget lines). On top of what every resource shares (`super`), the handlers
//! here keep a row to the plan in its path, let anyone read a published plan's parts, and
//! keep the plan's structure frozen once it is adopted. Each resource implements
//! [`PlanChild`] for what is its own (wire types, validation, references) and declares its
//! documented handlers with `resource_handlers!` (`scope: plan`) in
//! `routes/<resource>/handlers.rs`.

use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use veikart_domain::Role;
use veikart_store::plans::{self, Plan};
use veikart_store::{ChildRow, PlanParts, StoreError, TenantTable, Tx};

use crate::auth::Claims;
use crate::error::ApiError;
use crate::pagination::{self, PageParams};
use crate::routes::plans::ensure_open_structure;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

use super::{NoFilter, Write, current, ensure};

/// `{org}` and `{plan_id}` in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PlanChildrenPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
    /// The plan's id.
    pub plan_id: i64,
}

/// `{org}`, `{plan_id}` and `{id}` in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PlanChildPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
    /// The plan's id.
    pub plan_id: i64,
    /// The resource's id.
    pub id: i64,
}

/// What a resource inside a plan provides to the shared handlers: its table (whose rows
/// know their id, plan and version), its wire types and its rules. The handlers load the
/// plan and the row, keep the row to its plan and the plan's structure frozen once adopted,
/// and write through the table; the resource only turns bodies into checked values.
pub trait PlanChild: 'static {
    /// The store table, `veikart_store::<resource>::Rows`.
    type Rows: PlanParts;
    type Wire: Serialize;
    type Create: Send + 'static;
    type Update: Send + 'static;
    /// Path segment under the plan, e.g. `focus-areas`.
    const SEGMENT: &'static str;
    /// Part of the plan's structure, frozen once the plan is adopted.
    const STRUCTURAL: bool;

    fn wire(row: Row<Self>) -> Result<Self::Wire, ApiError>;
    /// The new row's values, checked against the plan.
    fn created(
        tx: &mut Tx<'_>,
        plan: &Plan,
        body: Self::Create,
    ) -> Result<Values<Self>, StoreError>;
    /// The row's values after the change, checked against the plan.
    fn changed(
        tx: &mut Tx<'_>,
        plan: &Plan,
        current: &Row<Self>,
        body: Self::Update,
    ) -> Result<Values<Self>, StoreError>;
    /// Refuses (409) to delete a row that something still depends on; nothing, by default.
    fn deletable(_tx: &mut Tx<'_>, _row: &Row<Self>) -> Result<(), StoreError> {
        Ok(())
    }
}

/// A [`PlanChild`]'s row type.
pub type Row<C> = <<C as PlanChild>::Rows as TenantTable>::Row;
/// A [`PlanChild`]'s values type (what inserts and updates write).
pub type Values<C> = <<C as PlanChild>::Rows as TenantTable>::Values;

/// 409 when the resource is structural and the plan is not a draft.
fn ensure_writable<C: PlanChild>(plan: &Plan) -> Result<(), StoreError> {
    if C::STRUCTURAL {
        ensure_open_structure(plan)?;
    }
    Ok(())
}

/// 404 unless `row` belongs to plan `plan_id` (another plan's row is not followed).
fn ensure_in_plan<C: PlanChild>(row: &Row<C>, plan_id: i64) -> Result<(), StoreError> {
    ensure(row.parent_id() == plan_id)
}

/// One statement (two when the page is empty: is the plan there to read?). A plan's parts
/// have no filters.
pub async fn list<C: PlanChild>(
    _: &HttpRequest,
    state: &AppState,
    caller: Option<Claims>,
    path: &PlanChildrenPath,
    _: NoFilter,
    page: &PageParams,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let access = OrgAccess::check(caller, &path.org)?;
    let plan_id = path.plan_id;
    let rows = state
        .db(move |conn| {
            let published_only = access.is_anonymous();
            C::Rows::list_in_plan(conn, access.org(), plan_id, published_only, request)
        })
        .await?;
    Ok(HttpResponse::Ok().json(pagination::Page::try_from_store(rows, C::wire)?))
}

/// One statement.
pub async fn get<C: PlanChild>(
    req: &HttpRequest,
    state: &AppState,
    caller: Option<Claims>,
    path: &PlanChildPath,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(caller, &path.org)?;
    let (plan_id, id) = (path.plan_id, path.id);
    let row = state
        .db(move |conn| {
            let published_only = access.is_anonymous();
            C::Rows::read_in_plan(conn, access.org(), plan_id, published_only, id)
        })
        .await?;
    current(req, row, C::wire)
}

pub async fn create<C: PlanChild>(
    req: &HttpRequest,
    state: &AppState,
    caller: Claims,
    path: &PlanChildrenPath,
    body: C::Create,
) -> Result<HttpResponse, ApiError> {
    let write = Write::create(caller, &path.org, Role::Editor)?;
    let plan_id = path.plan_id;
    let row = state
        .write(move |tx| {
            let plan = plans::read(tx, write.access.org(), plan_id, false)?;
            ensure_writable::<C>(&plan)?;
            let values = C::created(tx, &plan, body)?;
            C::Rows::insert(tx, plan.org_id, &write.actor, values)
        })
        .await?;
    let collection = format!("plans/{plan_id}/{}", C::SEGMENT);
    super::created(req, &path.org, &collection, row, C::wire)
}

pub async fn update<C: PlanChild>(
    req: &HttpRequest,
    state: &AppState,
    caller: Claims,
    path: &PlanChildPath,
    body: C::Update,
) -> Result<HttpResponse, ApiError> {
    let write = Write::change(req, caller, &path.org, Role::Editor)?;
    let (plan_id, id) = (path.plan_id, path.id);
    let row = state
        .write(move |tx| {
            let plan = plans::read(tx, write.access.org(), plan_id, false)?;
            let (org_id, expected) = (plan.org_id, write.expected.as_deref());
            C::Rows::update(tx, org_id, id, &write.actor, expected, |tx, row| {
                ensure_in_plan::<C>(row, plan_id)?;
                ensure_writable::<C>(&plan)?;
                C::changed(tx, &plan, row, body)
            })
        })
        .await?;
    current(req, row, C::wire)
}

pub async fn delete<C: PlanChild>(
    req: &HttpRequest,
    state: &AppState,
    caller: Claims,
    path: &PlanChildPath,
) -> Result<HttpResponse, ApiError> {
    let write = Write::change(req, caller, &path.org, Role::Editor)?;
    let (plan_id, id) = (path.plan_id, path.id);
    state
        .write(move |tx| {
            let plan = plans::read(tx, write.access.org(), plan_id, false)?;
            let (org_id, expected) = (plan.org_id, write.expected.as_deref());
            C::Rows::delete(tx, org_id, id, &write.actor, expected, |tx, row| {
                ensure_in_plan::<C>(row, plan_id)?;
                ensure_writable::<C>(&plan)?;
                C::deletable(tx, row)
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// 422 for `field` unless `row` is in the plan (a reference to another plan's focus area
/// or budget line, or another organisation's, is never followed).
pub fn same_plan<T>(
    found: Result<T, StoreError>,
    plan_id_of: impl FnOnce(&T) -> i64,
    plan: &Plan,
    field: &str,
    what: &str,
) -> Result<T, StoreError> {
    match found {
        Ok(row) if plan_id_of(&row) == plan.id => Ok(row),
        Ok(_) | Err(StoreError::NotFound) => {
            Err(StoreError::Invalid(vec![veikart_domain::FieldError::new(
                field,
                format!("no such {what} in this plan"),
            )]))
        }
        Err(e) => Err(e),
    }
}
