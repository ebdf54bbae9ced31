//! Member activities; listed by `date`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use veikart_domain::kpi::{ActivityKind, ActivityStatus};
use veikart_domain::records::{ActivityFields, ActivityFilter, ExternalRef, Municipality, Title};

use super::{
    Provenance, Stored, count, day, parsed, parsed_opt, record_table, record_values, stored_count,
};
use crate::db::MultiBackend;
use crate::error::StoreError;
use crate::rows::tenant_rows;
use crate::schema::activities;

#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct Activity {
    pub id: i64,
    pub org_id: i64,
    pub kind: Stored<ActivityKind>,
    pub title: String,
    pub date: NaiveDate,
    pub status: Stored<ActivityStatus>,
    pub participants: Option<i64>,
    pub municipality: Option<String>,
    pub measure_id: Option<i64>,
    pub external_ref: Option<String>,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub import_id: Option<i64>,
}

record_values! {
    activities,
    #[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
    #[diesel(table_name = activities, treat_none_as_null = true, treat_none_as_default_value = false)]
    pub struct ActivityValues {
        pub kind: Stored<ActivityKind>,
        pub title: String,
        pub date: NaiveDate,
        pub status: Stored<ActivityStatus>,
        pub participants: Option<i64>,
        pub municipality: Option<String>,
        pub measure_id: Option<i64>,
        pub external_ref: Option<String>,
        pub created_by: String,
        pub updated_by: String,
        pub import_id: Option<i64>,
    }
}

tenant_rows!(activities, Activity, ActivityValues, "activity");
record_table!(Activities, activities, Activity, ActivityValues, ActivityFields, ActivityFilter, date: date);

fn narrow<'a>(
    mut query: activities::BoxedQuery<'a, MultiBackend>,
    filter: &ActivityFilter,
) -> activities::BoxedQuery<'a, MultiBackend> {
    if !filter.kind.is_empty() {
        query = query.filter(
            activities::kind.eq_any(filter.kind.iter().copied().map(Stored).collect::<Vec<_>>()),
        );
    }
    if let Some(status) = filter.status {
        query = query.filter(activities::status.eq(Stored(status)));
    }
    if let Some(m) = &filter.municipality {
        query = query.filter(activities::municipality.eq(m.as_str().to_owned()));
    }
    if let Some(measure_id) = filter.measure_id {
        query = query.filter(activities::measure_id.eq(measure_id));
    }
    query
}

fn fields(row: &Activity) -> Result<ActivityFields, StoreError> {
    Ok(ActivityFields {
        kind: row.kind.0,
        title: parsed(&row.title, Title::parse)?,
        date: day(row.date)?,
        status: row.status.0,
        participants: row.participants.map(count).transpose()?,
        municipality: parsed_opt(row.municipality.as_deref(), Municipality::parse)?,
        measure_id: row.measure_id,
        external_ref: parsed_opt(row.external_ref.as_deref(), ExternalRef::parse)?,
    })
}

fn values(f: ActivityFields, by: Provenance) -> ActivityValues {
    ActivityValues {
        kind: Stored(f.kind),
        title: f.title.into(),
        date: f.date.get(),
        status: Stored(f.status),
        participants: f.participants.map(stored_count),
        municipality: f.municipality.map(Into::into),
        measure_id: f.measure_id,
        external_ref: f.external_ref.map(Into::into),
        created_by: by.created_by,
        updated_by: by.updated_by,
        import_id: by.import_id,
    }
}
