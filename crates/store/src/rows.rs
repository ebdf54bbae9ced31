//! The standard functions of a tenant table, written once.
//!
//! Every tenant table has `id`, `org_id`, `created_at`, `updated_at` and `version`
//! columns. [`tenant_rows!`] generates, inside an entity's module, the marker type `Rows`
//! and its implementations of the traits here — the functions every such entity needs, all
//! scoped by organisation, all writes inside a [`Tx`] and recorded in the audit trail,
//! every update and delete guarded by the row's version. They are called through the
//! traits (`goals::Rows::get(conn, org, id)`, with [`TenantTable`] in scope), by an
//! entity's own code and by code generic over tables alike:
//!
//! - [`TenantTable`]: `get`, `insert`, `update` (whose `change` sees the stored row and
//!   returns the new values, or why they are invalid — reported before a stale version: a
//!   request that could never succeed says so first) and `delete` (whose `guard` may
//!   refuse, e.g. while children exist; reported before a stale version too);
//! - with `parent: column`, [`ChildTable`]: `list_for` (a page, id order), `all_for` (id
//!   order, unpaged, for whole-tree reads) and `count_for`;
//! - with `plan_part` (a table under `plans` through `plan_id`), [`PlanParts`] too:
//!   `read_in_plan` and `list_in_plan` (what a reader of the plan may see: one statement
//!   each).
//!
//! The row type implements [`TenantRow`] (and [`ChildRow`] with a parent).
//!
//! [`Tx`]: crate::db::Tx

use crate::db::{DbConnection, Tx};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::scope::Org;

/// A row of a tenant table.
pub trait TenantRow {
    fn id(&self) -> i64;
    fn version(&self) -> i32;
}

/// A row that belongs to a parent row (a plan's focus area, a goal's check-in).
pub trait ChildRow: TenantRow {
    fn parent_id(&self) -> i64;
}

/// A tenant table: the standard functions [`tenant_rows!`] implements for it.
pub trait TenantTable: 'static {
    type Row: TenantRow + Send + 'static;
    type Values;
    /// One row of the organisation (`NotFound` for another organisation's); one
    /// statement, also when the organisation is named by slug.
    fn get<'o>(
        conn: &mut DbConnection,
        org: impl Into<Org<'o>>,
        id: i64,
    ) -> Result<Self::Row, StoreError>;
    /// Inserts a row and records its creation.
    fn insert(
        tx: &mut Tx<'_>,
        org_id: i64,
        actor: &str,
        values: Self::Values,
    ) -> Result<Self::Row, StoreError>;
    /// Updates a row if it is at one of `expected_versions` (any, when `None`).
    fn update(
        tx: &mut Tx<'_>,
        org_id: i64,
        id: i64,
        actor: &str,
        expected_versions: Option<&[i32]>,
        change: impl FnOnce(&mut Tx<'_>, &Self::Row) -> Result<Self::Values, StoreError>,
    ) -> Result<Self::Row, StoreError>;
    /// Deletes a row unless `guard` refuses, then if it is at one of `expected_versions`;
    /// returns it.
    fn delete(
        tx: &mut Tx<'_>,
        org_id: i64,
        id: i64,
        actor: &str,
        expected_versions: Option<&[i32]>,
        guard: impl FnOnce(&mut Tx<'_>, &Self::Row) -> Result<(), StoreError>,
    ) -> Result<Self::Row, StoreError>;
}

/// A table whose rows belong to a parent row (`tenant_rows!` with `parent: column`).
pub trait ChildTable: TenantTable<Row: ChildRow> {
    /// One page of the parent's rows, in creation order. An empty page is `NotFound` when
    /// the organisation does not exist.
    fn list_for<'o>(
        conn: &mut DbConnection,
        org: impl Into<Org<'o>>,
        parent_id: i64,
        page: PageRequest,
    ) -> Result<Page<Self::Row>, StoreError>;
    /// All of the parent's rows, in creation order.
    fn all_for<'o>(
        conn: &mut DbConnection,
        org: impl Into<Org<'o>>,
        parent_id: i64,
    ) -> Result<Vec<Self::Row>, StoreError>;
    /// How many rows the parent has.
    fn count_for(conn: &mut DbConnection, org_id: i64, parent_id: i64) -> Result<i64, StoreError>;
}

/// The table of a plan part (focus areas, KPI definitions, measures, budget lines): a
/// [`ChildTable`] under a plan, with the reads [`tenant_rows!`] generates with
/// `plan_part`.
pub trait PlanParts: ChildTable {
    /// One row of plan `plan_id`, as a reader sees it: with `published_only` (an
    /// anonymous reader), only a row of a published plan. One statement.
    fn read_in_plan(
        conn: &mut DbConnection,
        org: Org<'_>,
        plan_id: i64,
        published_only: bool,
        id: i64,
    ) -> Result<Self::Row, StoreError>;
    /// One page of plan `plan_id`'s rows in creation order, as a reader sees it. One
    /// statement; an empty page asks once more whether the plan is there to read
    /// (`NotFound` otherwise).
    fn list_in_plan(
        conn: &mut DbConnection,
        org: Org<'_>,
        plan_id: i64,
        published_only: bool,
        page: PageRequest,
    ) -> Result<Page<Self::Row>, StoreError>;
}

macro_rules! tenant_rows {
    ($table:ident, $Row:ty, $Values:ty, $entity:expr, plan_part) => {
        $crate::rows::tenant_rows!($table, $Row, $Values, $entity, parent: plan_id);

        impl $crate::rows::PlanParts for Rows {
            fn read_in_plan(
                conn: &mut $crate::db::DbConnection,
                org: $crate::Org<'_>,
                plan_id: i64,
                published_only: bool,
                id: i64,
            ) -> Result<$Row, $crate::StoreError> {
                Ok($crate::rows::with_plan_part_condition!($table, org, plan_id, published_only, |in_plan| {
                    let query = $table::table.filter(in_plan).filter($table::id.eq(id));
                    $crate::db::on_own_backend!(conn, |c| query.first::<$Row>(c))
                })?)
            }
            fn list_in_plan(
                conn: &mut $crate::db::DbConnection,
                org: $crate::Org<'_>,
                plan_id: i64,
                published_only: bool,
                page: $crate::PageRequest,
            ) -> Result<$crate::Page<$Row>, $crate::StoreError> {
                let rows = $crate::rows::with_plan_part_condition!($table, org, plan_id, published_only, |in_plan| {
                    let query = $table::table
                        .filter(in_plan)
                        .filter($table::id.gt(page.after_id()))
                        .order($table::id.asc())
                        .limit(page.fetch_limit());
                    $crate::db::on_own_backend!(conn, |c| query.load::<$Row>(c))
                })?;
                if rows.is_empty() {
                    $crate::plans::read(conn, org, plan_id, published_only)?;
                }
                Ok(page.finish(rows, |r| r.id))
            }
        }
    };
    ($table:ident, $Row:ty, $Values:ty, $entity:expr $(, parent: $parent:ident)?) => {
        // Every value is given (none is left to its column's default), so that SQLite
        // writes many rows in one statement too.
        #[derive(diesel::Insertable)]
        #[diesel(table_name = $table, treat_none_as_default_value = false)]
        struct NewRow {
            org_id: i64,
            #[diesel(embed)]
            values: $Values,
            created_at: $crate::stored::WriteTime,
            updated_at: $crate::stored::WriteTime,
            version: i32,
        }

        /// The name this entity has in the audit trail.
        pub const ENTITY: &str = $entity;

        impl $crate::rows::TenantRow for $Row {
            fn id(&self) -> i64 {
                self.id
            }
            fn version(&self) -> i32 {
                self.version
            }
        }

        /// This table: its standard functions, through [`TenantTable`]($crate::TenantTable).
        pub struct Rows;

        impl $crate::rows::TenantTable for Rows {
            type Row = $Row;
            type Values = $Values;

            fn get<'o>(
                conn: &mut $crate::db::DbConnection,
                org: impl Into<$crate::Org<'o>>,
                id: i64,
            ) -> Result<$Row, $crate::StoreError> {
                Ok($crate::scope::with_org_condition!($table::org_id, org.into(), |in_org| {
                    let query = $table::table.filter(in_org).filter($table::id.eq(id));
                    $crate::db::on_own_backend!(conn, |c| query.first::<$Row>(c))
                })?)
            }

            fn insert(
                tx: &mut $crate::db::Tx<'_>,
                org_id: i64,
                actor: &str,
                values: $Values,
            ) -> Result<$Row, $crate::StoreError> {
                use diesel::prelude::*;
                let now = $crate::stored::WriteTime::new($crate::now());
                let row: $Row = diesel::insert_into($table::table)
                    .values(NewRow {
                        org_id,
                        values,
                        created_at: now.clone(),
                        updated_at: now,
                        version: 1,
                    })
                    .returning($table::all_columns)
                    .get_result(&mut **tx)?;
                $crate::audit::record(tx, org_id, actor, $crate::audit::Action::Create, ENTITY, row.id)?;
                Ok(row)
            }

            fn update(
                tx: &mut $crate::db::Tx<'_>,
                org_id: i64,
                id: i64,
                actor: &str,
                expected_versions: Option<&[i32]>,
                change: impl FnOnce(&mut $crate::db::Tx<'_>, &$Row) -> Result<$Values, $crate::StoreError>,
            ) -> Result<$Row, $crate::StoreError> {
                use diesel::prelude::*;
                let current = Self::get(tx, org_id, id)?;
                let values = change(tx, &current)?;
                if expected_versions.is_some_and(|accepted| !accepted.contains(&current.version)) {
                    return Err($crate::StoreError::VersionMismatch);
                }
                let updated = diesel::update(
                    $table::table
                        .filter($table::org_id.eq(org_id))
                        .filter($table::id.eq(id))
                        .filter($table::version.eq(current.version)),
                )
                .set((
                    values,
                    $table::version.eq(current.version + 1),
                    $table::updated_at.eq($crate::now()),
                ))
                .returning($table::all_columns)
                .get_result::<$Row>(&mut **tx)
                .optional()?
                .ok_or($crate::StoreError::VersionMismatch)?;
                $crate::audit::record(tx, org_id, actor, $crate::audit::Action::Update, ENTITY, id)?;
                Ok(updated)
            }

            fn delete(
                tx: &mut $crate::db::Tx<'_>,
                org_id: i64,
                id: i64,
                actor: &str,
                expected_versions: Option<&[i32]>,
                guard: impl FnOnce(&mut $crate::db::Tx<'_>, &$Row) -> Result<(), $crate::StoreError>,
            ) -> Result<$Row, $crate::StoreError> {
                use diesel::prelude::*;
                let current = Self::get(tx, org_id, id)?;
                guard(tx, &current)?;
                if expected_versions.is_some_and(|accepted| !accepted.contains(&current.version)) {
                    return Err($crate::StoreError::VersionMismatch);
                }
                diesel::delete(
                    $table::table
                        .filter($table::org_id.eq(org_id))
                        .filter($table::id.eq(id)),
                )
                .execute(&mut **tx)?;
                $crate::audit::record(tx, org_id, actor, $crate::audit::Action::Delete, ENTITY, id)?;
                Ok(current)
            }
        }

        $(
            impl $crate::rows::ChildRow for $Row {
                fn parent_id(&self) -> i64 {
                    self.$parent
                }
            }

            impl $crate::rows::ChildTable for Rows {
                fn list_for<'o>(
                    conn: &mut $crate::db::DbConnection,
                    org: impl Into<$crate::Org<'o>>,
                    parent_id: i64,
                    page: $crate::PageRequest,
                ) -> Result<$crate::Page<$Row>, $crate::StoreError> {
                    let org = org.into();
                    let rows = $crate::scope::with_org_condition!($table::org_id, org, |in_org| {
                        let query = $table::table
                            .filter(in_org)
                            .filter($table::$parent.eq(parent_id))
                            .filter($table::id.gt(page.after_id()))
                            .order($table::id.asc())
                            .limit(page.fetch_limit());
                        $crate::db::on_own_backend!(conn, |c| query.load::<$Row>(c))
                    })?;
                    if rows.is_empty() {
                        org.ensure_exists(conn)?;
                    }
                    Ok(page.finish(rows, |r| r.id))
                }

                fn all_for<'o>(
                    conn: &mut $crate::db::DbConnection,
                    org: impl Into<$crate::Org<'o>>,
                    parent_id: i64,
                ) -> Result<Vec<$Row>, $crate::StoreError> {
                    Ok($crate::scope::with_org_condition!($table::org_id, org.into(), |in_org| {
                        let query = $table::table
                            .filter(in_org)
                            .filter($table::$parent.eq(parent_id))
                            .order($table::id.asc());
                        $crate::db::on_own_backend!(conn, |c| query.load::<$Row>(c))
                    })?)
                }

                fn count_for(
                    conn: &mut $crate::db::DbConnection,
                    org_id: i64,
                    parent_id: i64,
                ) -> Result<i64, $crate::StoreError> {
                    use diesel::prelude::*;
                    Ok($table::table
                        .filter($table::org_id.eq(org_id))
                        .filter($table::$parent.eq(parent_id))
                        .count()
                        .get_result(conn)?)
                }
            }
        )?
    };
}

/// `$body`, with `$condition` bound to "the row is a part of plan `$plan_id` in
/// organisation `$org`", and with `$published_only` "… of a published plan" (a subquery
/// on `plans`). Compiled once for each way of naming the organisation and each
/// `$published_only`, so that a query built from it keeps a static type
/// ([`with_org_condition`](crate::scope::with_org_condition)).
macro_rules! with_plan_part_condition {
    ($table:ident, $org:expr, $plan_id:expr, $published_only:expr, |$condition:ident| $body:expr) => {{
        $crate::scope::with_org_condition!($table::org_id, $org, |in_org| {
            if $published_only {
                let $condition = in_org.and(
                    $table::plan_id.eq_any(
                        $crate::schema::plans::table
                            .filter($crate::schema::plans::id.eq($plan_id))
                            .filter($crate::schema::plans::published.eq(true))
                            .select($crate::schema::plans::id),
                    ),
                );
                $body
            } else {
                let $condition = in_org.and($table::plan_id.eq($plan_id));
                $body
            }
        })
    }};
}

pub(crate) use {tenant_rows, with_plan_part_condition};
