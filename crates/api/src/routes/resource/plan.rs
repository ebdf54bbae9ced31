//! The plan scope: every resource that lives inside a plan (focus areas, KPI definitions,
//! measures, budget lines). On top of what every resource shares (`super`), the handlers
//! here keep a row to the plan in its path, let anyone read a published plan's parts, and
//! keep the plan's structure frozen once it is adopted. Each resource implements
//! [`PlanChild`] for what is its own (wire types, validation, references) and declares its
//! documented handlers with [`plan_child_handlers!`] in `routes/<resource>/handlers.rs`.

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

use super::{Write, current, ensure};

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

/// One statement (two when the page is empty: is the plan there to read?).
pub async fn list<C: PlanChild>(
    state: &AppState,
    caller: Option<Claims>,
    path: &PlanChildrenPath,
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

/// Declares the five documented handlers of a [`PlanChild`] resource — list, create, get,
/// update, delete — and the `configure` that registers them, each a thin call into this
/// module with its `#[utoipa::path]`, so that the route and its OpenAPI operation come
/// from one place. The calling module imports `actix_web::{delete, get, patch, post}` and
/// `crate::pagination::Page`, which the attribute macros look up by name.
macro_rules! plan_child_handlers {
    (
        resource: $C:ty, wire: $Wire:ty, create_body: $Create:ty, update_body: $Update:ty,
        tag: $tag:tt, collection: $collection:tt, item: $item:tt,
        list: $list:ident = $list_doc:tt,
        create: $create:ident = $create_doc:tt,
        get: $get:ident = $get_doc:tt,
        update: $update:ident = $update_doc:tt,
        delete: $delete:ident = $delete_doc:tt $(,)?
    ) => {
        /// Registers the resource's five operations.
        pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
            cfg.service($list)
                .service($create)
                .service($get)
                .service($update)
                .service($delete);
        }

        #[doc = $list_doc]
        #[utoipa::path(
            get, path = $collection, tag = $tag,
            params($crate::routes::resource::plan::PlanChildrenPath, $crate::pagination::PageParams),
            security((), ("bearer_auth" = [])),
            responses((status = 200, body = Page<$Wire>))
        )]
        #[get($collection)]
        pub async fn $list(
            state: actix_web::web::Data<$crate::state::AppState>,
            auth: $crate::auth::MaybeAuth,
            path: actix_web::web::Path<$crate::routes::resource::plan::PlanChildrenPath>,
            page: actix_web::web::Query<$crate::pagination::PageParams>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::routes::resource::plan::list::<$C>(&state, auth.0, &path, &page).await
        }

        #[doc = $create_doc]
        #[utoipa::path(
            post, path = $collection, tag = $tag,
            params($crate::routes::resource::plan::PlanChildrenPath),
            request_body = $Create,
            security(("bearer_auth" = [])),
            responses((status = 201, body = $Wire, headers(
                ("ETag" = String, description = "The version, for If-Match"),
                ("Location" = String, description = "The new resource's URL"),
            )))
        )]
        #[post($collection)]
        pub async fn $create(
            req: actix_web::HttpRequest,
            state: actix_web::web::Data<$crate::state::AppState>,
            auth: $crate::auth::Auth,
            path: actix_web::web::Path<$crate::routes::resource::plan::PlanChildrenPath>,
            body: $crate::json::JsonBody<$Create>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::routes::resource::plan::create::<$C>(&req, &state, auth.0, &path, body.0).await
        }

        #[doc = $get_doc]
        #[utoipa::path(
            get, path = $item, tag = $tag,
            params(
                $crate::routes::resource::plan::PlanChildPath,
                ("If-None-Match" = Option<String>, Header, description = "An ETag; 304 when it is current"),
            ),
            security((), ("bearer_auth" = [])),
            responses(
                (status = 200, body = $Wire, headers(("ETag" = String, description = "The version, for If-Match"))),
                (status = 304, description = "The copy named by If-None-Match is current"),
            )
        )]
        #[get($item)]
        pub async fn $get(
            req: actix_web::HttpRequest,
            state: actix_web::web::Data<$crate::state::AppState>,
            auth: $crate::auth::MaybeAuth,
            path: actix_web::web::Path<$crate::routes::resource::plan::PlanChildPath>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::routes::resource::plan::get::<$C>(&req, &state, auth.0, &path).await
        }

        #[doc = $update_doc]
        #[utoipa::path(
            patch, path = $item, tag = $tag,
            params(
                $crate::routes::resource::plan::PlanChildPath,
                ("If-Match" = Option<String>, Header, description = "The ETag of the version being changed; 412 when stale"),
            ),
            request_body = $Update,
            security(("bearer_auth" = [])),
            responses((status = 200, body = $Wire, headers(("ETag" = String, description = "The new version"))))
        )]
        #[patch($item)]
        pub async fn $update(
            req: actix_web::HttpRequest,
            state: actix_web::web::Data<$crate::state::AppState>,
            auth: $crate::auth::Auth,
            path: actix_web::web::Path<$crate::routes::resource::plan::PlanChildPath>,
            body: $crate::json::JsonBody<$Update>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::routes::resource::plan::update::<$C>(&req, &state, auth.0, &path, body.0).await
        }

        #[doc = $delete_doc]
        #[utoipa::path(
            delete, path = $item, tag = $tag,
            params(
                $crate::routes::resource::plan::PlanChildPath,
                ("If-Match" = Option<String>, Header, description = "The ETag of the version being deleted; 412 when stale"),
            ),
            security(("bearer_auth" = [])),
            responses((status = 204, description = "Deleted"))
        )]
        #[delete($item)]
        pub async fn $delete(
            req: actix_web::HttpRequest,
            state: actix_web::web::Data<$crate::state::AppState>,
            auth: $crate::auth::Auth,
            path: actix_web::web::Path<$crate::routes::resource::plan::PlanChildPath>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::routes::resource::plan::delete::<$C>(&req, &state, auth.0, &path).await
        }
    };
}

pub(crate) use plan_child_handlers;
