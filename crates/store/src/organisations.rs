//! Organisations: the tenants. Every other row belongs to one.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use veikart_domain::{EmbedOrigins, WebSite};

use crate::audit::{self, Action};
use crate::db::{DbConnection, Tx};
use crate::error::StoreError;
use crate::page::{Page, PageRequest};
use crate::schema::{audit_log, organisations, plans, strategies};
use crate::scope::Org;

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
    /// Counts every change to the organisation's data (see [`data_version`]).
    pub data_version: i64,
    /// The organisation's own web site (a [`WebSite`]; read it with
    /// [`Organisation::parsed_website`]).
    pub website: Option<String>,
    /// The origins allowed to frame the embed widget, space-separated (an
    /// [`EmbedOrigins`]; read it with [`Organisation::parsed_embed_origins`]).
    pub embed_origins: Option<String>,
    /// When `data_version` last moved: when the organisation's data last changed.
    pub data_changed_at: NaiveDateTime,
}

impl Organisation {
    /// The web site, as the domain type.
    pub fn parsed_website(&self) -> Result<Option<WebSite>, StoreError> {
        self.website
            .as_deref()
            .map(|w| WebSite::parse(w).map_err(|e| corrupt("website", w, &e)))
            .transpose()
    }

    /// The embed origins, as the domain type.
    pub fn parsed_embed_origins(&self) -> Result<Option<EmbedOrigins>, StoreError> {
        self.embed_origins
            .as_deref()
            .map(|o| EmbedOrigins::parse(o).map_err(|e| corrupt("embed_origins", o, &e)))
            .transpose()
    }
}

fn corrupt(column: &str, value: &str, error: &str) -> StoreError {
    StoreError::Corrupt(format!("organisations.{column} `{value}`: {error}"))
}

/// How embed origins are kept: space-separated, as in a CSP source list.
pub fn stored_origins(origins: &EmbedOrigins) -> String {
    origins.to_string()
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
    pub website: Option<String>,
    /// Space-separated (see [`stored_origins`]).
    pub embed_origins: Option<String>,
    pub data_changed_at: NaiveDateTime,
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
            website: None,
            embed_origins: None,
            data_changed_at: now,
        }
    }
}

/// A change to an organisation; `None` leaves a field as it is, `Some(None)` clears a
/// nullable one.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = organisations)]
pub struct OrganisationChanges {
    pub name: Option<String>,
    pub org_number: Option<String>,
    pub website: Option<Option<String>>,
    /// Space-separated (see [`stored_origins`]).
    pub embed_origins: Option<Option<String>>,
}

/// Creates an organisation; its creation is the first entry of its audit trail.
pub fn create(
    tx: &mut Tx<'_>,
    actor: &str,
    new: NewOrganisation,
) -> Result<Organisation, StoreError> {
    let org: Organisation = diesel::insert_into(organisations::table)
        .values(&new)
        .returning(organisations::all_columns)
        .get_result(&mut **tx)?;
    audit::record(tx, org.id, actor, Action::Create, ENTITY, org.id)?;
    Ok(org)
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

/// Updates an organisation if it is at one of `expected_versions` (any, when `None`).
pub fn update(
    tx: &mut Tx<'_>,
    actor: &str,
    id: i64,
    expected_versions: Option<&[i32]>,
    changes: OrganisationChanges,
) -> Result<Organisation, StoreError> {
    let current = organisations::table
        .find(id)
        .first::<Organisation>(&mut **tx)?;
    if expected_versions.is_some_and(|accepted| !accepted.contains(&current.version)) {
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
    .get_result::<Organisation>(&mut **tx)
    .optional()?
    .ok_or(StoreError::VersionMismatch)?;
    audit::record(tx, id, actor, Action::Update, ENTITY, id)?;
    Ok(updated)
}

/// Deletes an organisation that holds nothing but its audit trail (409 otherwise); the
/// trail goes with it.
pub fn delete(
    tx: &mut Tx<'_>,
    id: i64,
    expected_versions: Option<&[i32]>,
) -> Result<(), StoreError> {
    let current = organisations::table
        .find(id)
        .first::<Organisation>(&mut **tx)?;
    if expected_versions.is_some_and(|accepted| !accepted.contains(&current.version)) {
        return Err(StoreError::VersionMismatch);
    }
    let plan_count: i64 = plans::table
        .filter(plans::org_id.eq(id))
        .count()
        .get_result(&mut **tx)?;
    let strategy_count: i64 = strategies::table
        .filter(strategies::org_id.eq(id))
        .count()
        .get_result(&mut **tx)?;
    if plan_count + strategy_count > 0 {
        return Err(StoreError::Conflict {
            field: None,
            message: format!(
                "the organisation still has {plan_count} plan(s) and {strategy_count} strategy(ies); delete them first"
            ),
        });
    }
    diesel::delete(audit_log::table.filter(audit_log::org_id.eq(id))).execute(&mut **tx)?;
    diesel::delete(organisations::table.find(id)).execute(&mut **tx)?;
    Ok(())
}

/// The organisation's data version: one more for every audited write to any of its data
/// (records, plans and their parts, strategies, goals, check-ins), committed with the
/// write. Reading it first and the data after gives data at least as new as the version.
pub fn data_version(conn: &mut DbConnection, org: Org<'_>) -> Result<i64, StoreError> {
    let query = organisations::table
        .select(organisations::data_version)
        .into_boxed::<crate::db::MultiBackend>();
    Ok(crate::scope::organisation_is!(query, org).first(conn)?)
}
