//! Action plans, always scoped by their organisation.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::audit::{self, Action, Change};
use crate::db::{DbConnection, write_transaction};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::plans;

pub const ENTITY: &str = "plan";

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = plans)]
pub struct Plan {
    pub id: i64,
    pub org_id: i64,
    pub title: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub status: String,
    pub adopted_on: Option<NaiveDate>,
    pub adopted_by: Option<String>,
    pub published: bool,
    pub intro: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// Every field of a plan that its owner sets, written whole on create and on update
/// (a `None` stores NULL).
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = plans, treat_none_as_null = true)]
pub struct PlanValues {
    pub title: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub status: String,
    pub adopted_on: Option<NaiveDate>,
    pub adopted_by: Option<String>,
    pub published: bool,
    pub intro: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = plans)]
struct NewPlan {
    org_id: i64,
    #[diesel(embed)]
    values: PlanValues,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

/// Narrows a plan listing.
#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    pub status: Option<String>,
    /// Only published plans (what anonymous readers see).
    pub published_only: bool,
    /// Only plans whose period overlaps `[from, to]` (either bound open).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

pub fn create(
    conn: &mut DbConnection,
    org_id: i64,
    actor: &str,
    values: PlanValues,
) -> Result<Plan, StoreError> {
    let now = crate::now();
    write_transaction(conn, |conn| {
        let plan: Plan = diesel::insert_into(plans::table)
            .values(NewPlan {
                org_id,
                values,
                created_at: now,
                updated_at: now,
                version: 1,
            })
            .returning(plans::all_columns)
            .get_result(conn)?;
        audit::record(conn, change(org_id, actor, Action::Create, plan.id))?;
        Ok(plan)
    })
}

pub fn get(conn: &mut DbConnection, org_id: i64, id: i64) -> Result<Plan, StoreError> {
    Ok(plans::table
        .filter(plans::org_id.eq(org_id))
        .filter(plans::id.eq(id))
        .first::<Plan>(conn)?)
}

pub fn list(
    conn: &mut DbConnection,
    org_id: i64,
    filter: &PlanFilter,
    page: PageRequest,
) -> Result<Page<Plan>, StoreError> {
    let mut query = plans::table
        .filter(plans::org_id.eq(org_id))
        .filter(plans::id.gt(page.after_id()))
        .into_boxed();
    if let Some(status) = &filter.status {
        query = query.filter(plans::status.eq(status.clone()));
    }
    if filter.published_only {
        query = query.filter(plans::published.eq(true));
    }
    if let Some(from) = filter.from {
        query = query.filter(plans::period_end.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(plans::period_start.le(to));
    }
    let rows = query
        .order(plans::id.asc())
        .limit(page.fetch_limit())
        .load::<Plan>(conn)?;
    Ok(page.finish(rows, |p| p.id))
}

/// Updates a plan if it is still at `expected_version` (when given). `change` sees the
/// stored plan and returns its new values, or why they are invalid. An invalid change is
/// reported before a stale version: a request that could never succeed says so first.
pub fn update(
    conn: &mut DbConnection,
    org_id: i64,
    id: i64,
    actor: &str,
    expected_version: Option<&[i32]>,
    change_values: impl FnOnce(&Plan) -> Result<PlanValues, StoreError>,
) -> Result<Plan, StoreError> {
    write_transaction(conn, |conn| {
        let current = get(conn, org_id, id)?;
        let values = change_values(&current)?;
        if expected_version.is_some_and(|accepted| !accepted.contains(&current.version)) {
            return Err(StoreError::VersionMismatch);
        }
        let updated = diesel::update(
            plans::table
                .filter(plans::org_id.eq(org_id))
                .filter(plans::id.eq(id))
                .filter(plans::version.eq(current.version)),
        )
        .set((
            values,
            plans::version.eq(current.version + 1),
            plans::updated_at.eq(crate::now()),
        ))
        .returning(plans::all_columns)
        .get_result::<Plan>(conn)
        .optional()?
        .ok_or(StoreError::VersionMismatch)?;
        audit::record(conn, change(org_id, actor, Action::Update, id))?;
        Ok(updated)
    })
}

pub fn delete(
    conn: &mut DbConnection,
    org_id: i64,
    id: i64,
    actor: &str,
    expected_version: Option<&[i32]>,
) -> Result<(), StoreError> {
    write_transaction(conn, |conn| {
        let current = get(conn, org_id, id)?;
        if expected_version.is_some_and(|accepted| !accepted.contains(&current.version)) {
            return Err(StoreError::VersionMismatch);
        }
        diesel::delete(
            plans::table
                .filter(plans::org_id.eq(org_id))
                .filter(plans::id.eq(id)),
        )
        .execute(conn)?;
        audit::record(conn, change(org_id, actor, Action::Delete, id))?;
        Ok(())
    })
}

fn change(org_id: i64, actor: &str, action: Action, entity_id: i64) -> Change<'_> {
    Change {
        org_id,
        actor,
        action,
        entity: ENTITY,
        entity_id,
    }
}
