//! Milestones; listed by `achieved_on`, or `due_on` while not achieved (`listed_on`, kept
//! here), or the day it was recorded when it has neither.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use veikart_domain::records::{
    ExternalRef, Key, MilestoneFields, MilestoneFilter, Municipality, Title,
};

use super::{Provenance, day, parsed, parsed_opt, record_table, record_values};
use crate::db::MultiBackend;
use crate::error::StoreError;
use crate::rows::tenant_rows;
use crate::schema::milestones;

#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct Milestone {
    pub id: i64,
    pub org_id: i64,
    pub kind: String,
    pub title: String,
    pub due_on: Option<NaiveDate>,
    pub achieved_on: Option<NaiveDate>,
    pub municipality: Option<String>,
    pub measure_id: Option<i64>,
    pub listed_on: NaiveDate,
    pub external_ref: Option<String>,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub import_id: Option<i64>,
}

record_values! {
    milestones,
    #[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
    #[diesel(table_name = milestones, treat_none_as_null = true, treat_none_as_default_value = false)]
    pub struct MilestoneValues {
        pub kind: String,
        pub title: String,
        pub due_on: Option<NaiveDate>,
        pub achieved_on: Option<NaiveDate>,
        pub municipality: Option<String>,
        pub measure_id: Option<i64>,
        pub listed_on: NaiveDate,
        pub external_ref: Option<String>,
        pub created_by: String,
        pub updated_by: String,
        pub import_id: Option<i64>,
    }
}

tenant_rows!(milestones, Milestone, MilestoneValues, "milestone");
record_table!(Milestones, milestones, Milestone, MilestoneValues, MilestoneFields, MilestoneFilter, date: listed_on);

fn narrow<'a>(
    mut query: milestones::BoxedQuery<'a, MultiBackend>,
    filter: &MilestoneFilter,
) -> milestones::BoxedQuery<'a, MultiBackend> {
    if let Some(kind) = &filter.kind {
        query = query.filter(milestones::kind.eq(kind.as_str().to_owned()));
    }
    match filter.achieved {
        Some(true) => query = query.filter(milestones::achieved_on.is_not_null()),
        Some(false) => query = query.filter(milestones::achieved_on.is_null()),
        None => {}
    }
    query
}

fn fields(row: &Milestone) -> Result<MilestoneFields, StoreError> {
    Ok(MilestoneFields {
        kind: parsed(&row.kind, Key::parse)?,
        title: parsed(&row.title, Title::parse)?,
        due_on: row.due_on.map(day).transpose()?,
        achieved_on: row.achieved_on.map(day).transpose()?,
        municipality: parsed_opt(row.municipality.as_deref(), Municipality::parse)?,
        measure_id: row.measure_id,
        external_ref: parsed_opt(row.external_ref.as_deref(), ExternalRef::parse)?,
    })
}

fn values(f: MilestoneFields, by: Provenance) -> MilestoneValues {
    let (due_on, achieved_on) = (f.due_on.map(|d| d.get()), f.achieved_on.map(|d| d.get()));
    MilestoneValues {
        kind: f.kind.into(),
        title: f.title.into(),
        due_on,
        achieved_on,
        municipality: f.municipality.map(Into::into),
        measure_id: f.measure_id,
        listed_on: achieved_on
            .or(due_on)
            .unwrap_or_else(|| crate::now().date()),
        external_ref: f.external_ref.map(Into::into),
        created_by: by.created_by,
        updated_by: by.updated_by,
        import_id: by.import_id,
    }
}
