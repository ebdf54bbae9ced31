//! The organisation scope: every resource that lives directly in an organisation
//! (strategies, goals) or under a parent there (a goal's check-ins). On top of what every
//! resource shares (`super`), reading needs a token with `viewer`, a row is reached only
//! through its own parent, and a delete may need more than `editor`. Each resource
//! implements [`OrgChild`] for what is its own (wire types, validation, its list query,
//! what a delete waits for) and declares its documented handlers with
//! [`org_child_handlers!`].

use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use veikart_domain::Role;
use veikart_store::{DbConnection, Org, Page, PageRequest, StoreError, TenantTable, Tx};

use crate::auth::Claims;
use crate::error::ApiError;
use crate::pagination::{self, PageParams};
use crate::routes::orgs::OrgPath;
use crate::state::AppState;

use super::{Write, current, ensure, viewer};

/// What a resource of an organisation provides to the shared handlers: its table, its wire
/// types, its list and its rules. The handlers check the caller, resolve the organisation
/// inside the write's transaction, keep a row to the parent in its path, and write through
/// the table; the resource only turns bodies into checked values.
pub trait OrgChild: 'static {
    /// The store table, `veikart_store::<resource>::Rows`.
    type Rows: TenantTable;
    type Wire: Serialize;
    type Create: Send + 'static;
    /// The body of a change; `std::convert::Infallible` for a resource that is never
    /// changed (whose declaration has no `update`).
    type Update: Send + 'static;
    /// The list's query filters ([`NoFilter`] when it has none).
    type Filter: Send + 'static;
    /// What the path names between the organisation and the resource: `()` for a
    /// resource of the organisation itself, the parent's id otherwise (a check-in's goal).
    type Parent: Copy + Send + 'static;
    /// The collection's last path segment, e.g. `strategies`.
    const SEGMENT: &'static str;
    /// The role a delete needs.
    const DELETE_ROLE: Role = Role::Editor;

    /// The collection's path under `/api/v1/orgs/{org}/`; [`Self::SEGMENT`] by default, a
    /// resource under a parent puts the parent's path first.
    fn collection(_parent: Self::Parent) -> String {
        Self::SEGMENT.to_owned()
    }
    /// One page of the parent's rows, narrowed by `filter`: one statement (an empty page
    /// may ask once more whether the organisation, or the parent, is there).
    fn page(
        conn: &mut DbConnection,
        org: Org<'_>,
        parent: Self::Parent,
        filter: Self::Filter,
        page: PageRequest,
    ) -> Result<Page<Row<Self>>, StoreError>;
    /// Whether `row` belongs to `parent`; always, by default.
    fn holds(_parent: Self::Parent, _row: &Row<Self>) -> bool {
        true
    }
    fn wire(row: Row<Self>) -> Result<Self::Wire, ApiError>;
    /// The new row's values, checked (`actor` is who creates it).
    fn created(
        tx: &mut Tx<'_>,
        org_id: i64,
        parent: Self::Parent,
        actor: &str,
        body: Self::Create,
    ) -> Result<Values<Self>, StoreError>;
    /// The row's values after the change, checked.
    fn changed(
        tx: &mut Tx<'_>,
        org_id: i64,
        current: &Row<Self>,
        body: Self::Update,
    ) -> Result<Values<Self>, StoreError>;
    /// Refuses (409) to delete a row that something still depends on; nothing, by default.
    fn deletable(_tx: &mut Tx<'_>, _org_id: i64, _row: &Row<Self>) -> Result<(), StoreError> {
        Ok(())
    }
}

/// An [`OrgChild`]'s row type.
pub type Row<C> = <<C as OrgChild>::Rows as TenantTable>::Row;
/// An [`OrgChild`]'s values type (what inserts and updates write).
pub type Values<C> = <<C as OrgChild>::Rows as TenantTable>::Values;

/// A path inside an organisation as the handlers read it: the organisation's slug and the
/// parent between it and the resource.
pub trait OrgScoped {
    type Parent: Copy + Send + 'static;
    fn org(&self) -> &str;
    fn parent(&self) -> Self::Parent;
}

/// The path of one resource inside an organisation.
pub trait OrgItem: OrgScoped {
    fn id(&self) -> i64;
}

impl OrgScoped for OrgPath {
    type Parent = ();
    fn org(&self) -> &str {
        &self.org
    }
    fn parent(&self) {}
}

/// No filters: a list with only `limit` and `cursor`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoFilter {}

/// Viewers; one statement (an empty page may ask once more whether its owner exists).
pub async fn list<C: OrgChild>(
    state: &AppState,
    caller: Claims,
    path: &impl OrgScoped<Parent = C::Parent>,
    filter: C::Filter,
    page: &PageParams,
) -> Result<HttpResponse, ApiError> {
    let request = page.request()?;
    let access = viewer(caller, path.org())?;
    let parent = path.parent();
    let rows = state
        .db(move |conn| C::page(conn, access.org(), parent, filter, request))
        .await?;
    Ok(HttpResponse::Ok().json(pagination::Page::try_from_store(rows, C::wire)?))
}

/// Viewers; one statement.
pub async fn get<C: OrgChild>(
    req: &HttpRequest,
    state: &AppState,
    caller: Claims,
    path: &impl OrgItem<Parent = C::Parent>,
) -> Result<HttpResponse, ApiError> {
    let access = viewer(caller, path.org())?;
    let (parent, id) = (path.parent(), path.id());
    let row = state
        .db(move |conn| C::Rows::get(conn, access.org(), id))
        .await?;
    ensure(C::holds(parent, &row))?;
    current(req, row, C::wire)
}

/// Editors.
pub async fn create<C: OrgChild>(
    req: &HttpRequest,
    state: &AppState,
    caller: Claims,
    path: &impl OrgScoped<Parent = C::Parent>,
    body: C::Create,
) -> Result<HttpResponse, ApiError> {
    let write = Write::create(caller, path.org(), Role::Editor)?;
    let parent = path.parent();
    let row = state
        .write(move |tx| {
            let org_id = write.access.org_id(tx)?;
            let values = C::created(tx, org_id, parent, &write.actor, body)?;
            C::Rows::insert(tx, org_id, &write.actor, values)
        })
        .await?;
    super::created(req, path.org(), &C::collection(parent), row, C::wire)
}

/// Editors, at the version `If-Match` names.
pub async fn update<C: OrgChild>(
    req: &HttpRequest,
    state: &AppState,
    caller: Claims,
    path: &impl OrgItem<Parent = C::Parent>,
    body: C::Update,
) -> Result<HttpResponse, ApiError> {
    let write = Write::change(req, caller, path.org(), Role::Editor)?;
    let (parent, id) = (path.parent(), path.id());
    let row = state
        .write(move |tx| {
            let org_id = write.access.org_id(tx)?;
            let expected = write.expected.as_deref();
            C::Rows::update(tx, org_id, id, &write.actor, expected, |tx, row| {
                ensure(C::holds(parent, row))?;
                C::changed(tx, org_id, row, body)
            })
        })
        .await?;
    current(req, row, C::wire)
}

/// [`OrgChild::DELETE_ROLE`], at the version `If-Match` names.
pub async fn delete<C: OrgChild>(
    req: &HttpRequest,
    state: &AppState,
    caller: Claims,
    path: &impl OrgItem<Parent = C::Parent>,
) -> Result<HttpResponse, ApiError> {
    let write = Write::change(req, caller, path.org(), C::DELETE_ROLE)?;
    let (parent, id) = (path.parent(), path.id());
    state
        .write(move |tx| {
            let org_id = write.access.org_id(tx)?;
            let expected = write.expected.as_deref();
            C::Rows::delete(tx, org_id, id, &write.actor, expected, |tx, row| {
                ensure(C::holds(parent, row))?;
                C::deletable(tx, org_id, row)
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Declares the documented handlers of an [`OrgChild`] resource — list, create, get,
/// update (unless the resource is never changed), delete — and the `configure` that
/// registers them, each a thin call into this module with its `#[utoipa::path]`, so that
/// the route and its OpenAPI operation come from one place. `collection` and `item` name
/// their path types (implementing [`OrgScoped`] and [`OrgItem`]); `links` adds OpenAPI
/// links to the create's answer. The calling module imports
/// `actix_web::{delete, get, patch, post}` and `crate::pagination::Page`, which the
/// attribute macros look up by name.
macro_rules! org_child_handlers {
    (
        resource: $C:ty, wire: $Wire:ty, filter: $Filter:ty, tag: $tag:tt,
        collection: $collection:tt ($CollectionPath:ty),
        item: $item:tt ($ItemPath:ty),
        list: $list:ident = $list_doc:tt,
        create: $create:ident ($Create:ty) = $create_doc:tt $(links $links:tt)?,
        get: $get:ident = $get_doc:tt,
        $(update: $update:ident ($Update:ty) = $update_doc:tt,)?
        delete: $delete:ident = $delete_doc:tt $(,)?
    ) => {
        /// Registers the resource's operations.
        pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
            cfg.service($list)
                .service($create)
                .service($get)
                $(.service($update))?
                .service($delete);
        }

        #[doc = $list_doc]
        #[utoipa::path(
            get, path = $collection, tag = $tag,
            params($CollectionPath, $Filter, $crate::pagination::PageParams),
            security(("bearer_auth" = [])),
            responses((status = 200, body = Page<$Wire>))
        )]
        #[get($collection)]
        pub async fn $list(
            state: actix_web::web::Data<$crate::state::AppState>,
            auth: $crate::auth::Auth,
            path: actix_web::web::Path<$CollectionPath>,
            filter: actix_web::web::Query<$Filter>,
            page: actix_web::web::Query<$crate::pagination::PageParams>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::routes::resource::org::list::<$C>(&state, auth.0, &*path, filter.into_inner(), &page).await
        }

        #[doc = $create_doc]
        #[utoipa::path(
            post, path = $collection, tag = $tag,
            params($CollectionPath),
            request_body = $Create,
            security(("bearer_auth" = [])),
            responses((status = 201, body = $Wire, headers(
                ("ETag" = String, description = "The version, for If-Match"),
                ("Location" = String, description = "The new resource's URL"),
            ) $(, links $links)?))
        )]
        #[post($collection)]
        pub async fn $create(
            req: actix_web::HttpRequest,
            state: actix_web::web::Data<$crate::state::AppState>,
            auth: $crate::auth::Auth,
            path: actix_web::web::Path<$CollectionPath>,
            body: $crate::json::JsonBody<$Create>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::routes::resource::org::create::<$C>(&req, &state, auth.0, &*path, body.0).await
        }

        #[doc = $get_doc]
        #[utoipa::path(
            get, path = $item, tag = $tag,
            params(
                $ItemPath,
                ("If-None-Match" = Option<String>, Header, description = "An ETag; 304 when it is current"),
            ),
            security(("bearer_auth" = [])),
            responses(
                (status = 200, body = $Wire, headers(("ETag" = String, description = "The version, for If-Match"))),
                (status = 304, description = "The copy named by If-None-Match is current"),
            )
        )]
        #[get($item)]
        pub async fn $get(
            req: actix_web::HttpRequest,
            state: actix_web::web::Data<$crate::state::AppState>,
            auth: $crate::auth::Auth,
            path: actix_web::web::Path<$ItemPath>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::routes::resource::org::get::<$C>(&req, &state, auth.0, &*path).await
        }

        $(
            #[doc = $update_doc]
            #[utoipa::path(
                patch, path = $item, tag = $tag,
                params(
                    $ItemPath,
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
                path: actix_web::web::Path<$ItemPath>,
                body: $crate::json::JsonBody<$Update>,
            ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
                $crate::routes::resource::org::update::<$C>(&req, &state, auth.0, &*path, body.0).await
            }
        )?

        #[doc = $delete_doc]
        #[utoipa::path(
            delete, path = $item, tag = $tag,
            params(
                $ItemPath,
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
            path: actix_web::web::Path<$ItemPath>,
        ) -> Result<actix_web::HttpResponse, $crate::error::ApiError> {
            $crate::routes::resource::org::delete::<$C>(&req, &state, auth.0, &*path).await
        }
    };
}

pub(crate) use org_child_handlers;
