//! Organisations: the tenants. Every other row belongs to one.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::audit::{self, Action, Change};
use crate::db::{DbConnection, write_transaction};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{organisations, plans};

pub const ENTITY: &str = "organisation";

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub org_number: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = organisations)]
pub struct NewOrganisation {
    pub slug: String,
    pub name: String,
    pub org_number: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl NewOrganisation {
    pub fn new(slug: String, name: String, org_number: String) -> Self {
        let now = crate::now();
        Self {
            slug,
            name,
            org_number,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }
}

/// A change to an organisation; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = organisations)]
pub struct OrganisationChanges {
    pub name: Option<String>,
    pub org_number: Option<String>,
}

/// Creates an organisation; its creation is the first entry of its audit trail.
pub fn create(
    conn: &mut DbConnection,
    actor: &str,
    new: NewOrganisation,
) -> Result<Organisation, StoreError> {
    write_transaction(conn, |conn| {
        let org: Organisation = diesel::insert_into(organisations::table)
            .values(&new)
            .returning(organisations::all_columns)
            .get_result(conn)?;
        audit::record(
            conn,
            Change {
                org_id: org.id,
                actor,
                action: Action::Create,
                entity: ENTITY,
                entity_id: org.id,
            },
        )?;
        Ok(org)
    })
}

pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> Result<Organisation, StoreError> {
    Ok(organisations::table
        .filter(organisations::slug.eq(slug))
        .first::<Organisation>(conn)?)
}

pub fn list(conn: &mut DbConnection, page: PageRequest) -> Result<Page<Organisation>, StoreError> {
    let rows = organisations::table
        .filter(organisations::id.gt(page.after_id()))
        .order(organisations::id.asc())
        .limit(page.fetch_limit())
        .load::<Organisation>(conn)?;
    Ok(page.finish(rows, |o| o.id))
}

/// Updates an organisation if it is still at `expected_version` (when given). `change`
/// sees the stored row and returns the changes, or why they are invalid. An invalid change is
/// reported before a stale version: a request that could never succeed says so first.
pub fn update(
    conn: &mut DbConnection,
    actor: &str,
    id: i64,
    expected_version: Option<&[i32]>,
    change: impl FnOnce(&Organisation) -> Result<OrganisationChanges, StoreError>,
) -> Result<Organisation, StoreError> {
    write_transaction(conn, |conn| {
        let current = organisations::table.find(id).first::<Organisation>(conn)?;
        let changes = change(&current)?;
        if expected_version.is_some_and(|accepted| !accepted.contains(&current.version)) {
            return Err(StoreError::VersionMismatch);
        }
        let updated: Organisation = diesel::update(
            organisations::table
                .find(id)
                .filter(organisations::version.eq(current.version)),
        )
        .set((
            changes,
            organisations::version.eq(current.version + 1),
            organisations::updated_at.eq(crate::now()),
        ))
        .returning(organisations::all_columns)
        .get_result::<Organisation>(conn)
        .optional()?
        .ok_or(StoreError::VersionMismatch)?;
        audit::record(
            conn,
            Change {
                org_id: id,
                actor,
                action: Action::Update,
                entity: ENTITY,
                entity_id: id,
            },
        )?;
        Ok(updated)
    })
}

/// Deletes an organisation that holds no plans (409 otherwise); its audit trail goes with it.
pub fn delete(
    conn: &mut DbConnection,
    id: i64,
    expected_version: Option<&[i32]>,
) -> Result<(), StoreError> {
    write_transaction(conn, |conn| {
        let current = organisations::table.find(id).first::<Organisation>(conn)?;
        if expected_version.is_some_and(|accepted| !accepted.contains(&current.version)) {
            return Err(StoreError::VersionMismatch);
        }
        let plan_count: i64 = plans::table
            .filter(plans::org_id.eq(id))
            .count()
            .get_result(conn)?;
        if plan_count > 0 {
            return Err(StoreError::Conflict {
                field: None,
                message: format!(
                    "the organisation still has {plan_count} plan(s); delete them first"
                ),
            });
        }
        diesel::delete(
            crate::schema::audit_log::table.filter(crate::schema::audit_log::org_id.eq(id)),
        )
        .execute(conn)?;
        diesel::delete(organisations::table.find(id)).execute(conn)?;
        Ok(())
    })
}
