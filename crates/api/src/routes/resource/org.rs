//! The organisation scope: every resource that lives directly in an organisation
//! (strategies, goals) or under a parent there (a goal's check-ins). On top of what every
//! resource shares (`super`), reading needs a token with `viewer`, a row is reached only
//! through its own parent, and a delete may need more than `editor`. Each resource
//! implements [`OrgChild`] for what is its own (wire types, validation, its list query,
//! what a delete waits for) and declares its documented handlers with
//! `resource_handlers!` (`scope: org`).

use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use veikart_domain::Role;
use veikart_store::{DbConnection, Org, Page, PageRequest, StoreError, TenantTable, Tx};

use crate::auth::Claims;
use crate::error::ApiError;
use crate::pagination::{self, PageParams};
use crate::routes::orgs::OrgPath;
use crate::state::AppState;

pub use super::NoFilter;
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

/// Viewers; one statement (an empty page may ask once more whether its owner exists).
pub async fn list<C: OrgChild>(
    _: &HttpRequest,
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
