//! Member companies; listed by `joined_on`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use veikart_domain::OrganisationNumber;
use veikart_domain::kpi::MembershipType;
use veikart_domain::records::{ExternalRef, MemberFields, MemberFilter, Municipality, Title};

use super::{
    Provenance, Stored, count, day, parsed, parsed_opt, record_table, record_values, stored_count,
};
use crate::db::{DbConnection, MultiBackend};
use crate::error::StoreError;
use crate::rows::tenant_rows;
use crate::schema::members;

#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct Member {
    pub id: i64,
    pub org_id: i64,
    pub org_number: String,
    pub name: String,
    pub municipality: String,
    pub membership_type: Stored<MembershipType>,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub employees: Option<i64>,
    pub external_ref: Option<String>,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub import_id: Option<i64>,
}

record_values! {
    members,
    #[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
    #[diesel(table_name = members, treat_none_as_null = true, treat_none_as_default_value = false)]
    pub struct MemberValues {
        pub org_number: String,
        pub name: String,
        pub municipality: String,
        pub membership_type: Stored<MembershipType>,
        pub joined_on: NaiveDate,
        pub left_on: Option<NaiveDate>,
        pub employees: Option<i64>,
        pub external_ref: Option<String>,
        pub created_by: String,
        pub updated_by: String,
        pub import_id: Option<i64>,
    }
}

tenant_rows!(members, Member, MemberValues, "member");
record_table!(Members, members, Member, MemberValues, MemberFields, MemberFilter, date: joined_on, own_key);

/// A member is also found by its organisation number.
fn own_key(fields: &MemberFields) -> Option<super::RecordKey> {
    Some(super::RecordKey {
        field: "org_number",
        value: fields.org_number.to_string(),
    })
}

fn holding_own_key(
    conn: &mut DbConnection,
    org_id: i64,
    fields: &[&MemberFields],
) -> Result<Vec<Member>, StoreError> {
    let numbers: Vec<String> = fields.iter().map(|f| f.org_number.to_string()).collect();
    super::load_keyed!(conn, members, org_number, Member, org_id, &numbers)
}

fn narrow<'a>(
    mut query: members::BoxedQuery<'a, MultiBackend>,
    filter: &MemberFilter,
) -> members::BoxedQuery<'a, MultiBackend> {
    if let Some(m) = &filter.municipality {
        query = query.filter(members::municipality.eq(m.as_str().to_owned()));
    }
    if let Some(t) = filter.membership_type {
        query = query.filter(members::membership_type.eq(Stored(t)));
    }
    if let Some(day) = filter.active_on {
        let day = day.get();
        query = query
            .filter(members::joined_on.le(day))
            .filter(members::left_on.is_null().or(members::left_on.gt(day)));
    }
    query
}

fn fields(row: &Member) -> Result<MemberFields, StoreError> {
    Ok(MemberFields {
        org_number: parsed(&row.org_number, OrganisationNumber::parse)?,
        name: parsed(&row.name, Title::parse)?,
        municipality: parsed(&row.municipality, Municipality::parse)?,
        membership_type: row.membership_type.0,
        joined_on: day(row.joined_on)?,
        left_on: row.left_on.map(day).transpose()?,
        employees: row.employees.map(count).transpose()?,
        external_ref: parsed_opt(row.external_ref.as_deref(), ExternalRef::parse)?,
    })
}

fn values(f: MemberFields, by: Provenance) -> MemberValues {
    MemberValues {
        org_number: f.org_number.to_string(),
        name: f.name.into(),
        municipality: f.municipality.into(),
        membership_type: Stored(f.membership_type),
        joined_on: f.joined_on.get(),
        left_on: f.left_on.map(|d| d.get()),
        employees: f.employees.map(stored_count),
        external_ref: f.external_ref.map(Into::into),
        created_by: by.created_by,
        updated_by: by.updated_by,
        import_id: by.import_id,
    }
}
