//! Business-development projects; listed by `start_on`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use veikart_domain::kpi::ProjectRole;
use veikart_domain::records::{
    ExternalRef, ProjectFields, ProjectFilter, ProjectStatus, ShortText, Title,
};

use super::{Provenance, Stored, day, parsed, parsed_opt, record_table, record_values};
use crate::db::MultiBackend;
use crate::error::{StoreError, stored_number};
use crate::rows::tenant_rows;
use crate::schema::projects;

#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct Project {
    pub id: i64,
    pub org_id: i64,
    pub title: String,
    pub role: Stored<ProjectRole>,
    pub start_on: NaiveDate,
    pub end_on: Option<NaiveDate>,
    pub funder: Option<String>,
    pub funding_scheme: Option<String>,
    pub case_number: Option<String>,
    pub external_funding: f64,
    pub status: Stored<ProjectStatus>,
    pub external_ref: Option<String>,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub import_id: Option<i64>,
}

record_values! {
    projects,
    #[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
    #[diesel(table_name = projects, treat_none_as_null = true, treat_none_as_default_value = false)]
    pub struct ProjectValues {
        pub title: String,
        pub role: Stored<ProjectRole>,
        pub start_on: NaiveDate,
        pub end_on: Option<NaiveDate>,
        pub funder: Option<String>,
        pub funding_scheme: Option<String>,
        pub case_number: Option<String>,
        pub external_funding: f64,
        pub status: Stored<ProjectStatus>,
        pub external_ref: Option<String>,
        pub created_by: String,
        pub updated_by: String,
        pub import_id: Option<i64>,
    }
}

tenant_rows!(projects, Project, ProjectValues, "project");
record_table!(Projects, projects, Project, ProjectValues, ProjectFields, ProjectFilter, date: start_on);

fn narrow<'a>(
    mut query: projects::BoxedQuery<'a, MultiBackend>,
    filter: &ProjectFilter,
) -> projects::BoxedQuery<'a, MultiBackend> {
    if !filter.role.is_empty() {
        let roles: Vec<_> = filter.role.iter().copied().map(Stored).collect();
        query = query.filter(projects::role.eq_any(roles));
    }
    if let Some(status) = filter.status {
        query = query.filter(projects::status.eq(Stored(status)));
    }
    query
}

fn fields(row: &Project) -> Result<ProjectFields, StoreError> {
    Ok(ProjectFields {
        title: parsed(&row.title, Title::parse)?,
        role: row.role.0,
        start_on: day(row.start_on)?,
        end_on: row.end_on.map(day).transpose()?,
        funder: parsed_opt(row.funder.as_deref(), ShortText::parse)?,
        funding_scheme: parsed_opt(row.funding_scheme.as_deref(), ShortText::parse)?,
        case_number: parsed_opt(row.case_number.as_deref(), ShortText::parse)?,
        external_funding: stored_number(row.external_funding)?,
        status: row.status.0,
        external_ref: parsed_opt(row.external_ref.as_deref(), ExternalRef::parse)?,
    })
}

fn values(f: ProjectFields, by: Provenance) -> ProjectValues {
    ProjectValues {
        title: f.title.into(),
        role: Stored(f.role),
        start_on: f.start_on.get(),
        end_on: f.end_on.map(|d| d.get()),
        funder: f.funder.map(Into::into),
        funding_scheme: f.funding_scheme.map(Into::into),
        case_number: f.case_number.map(Into::into),
        external_funding: f.external_funding.get(),
        status: Stored(f.status),
        external_ref: f.external_ref.map(Into::into),
        created_by: by.created_by,
        updated_by: by.updated_by,
        import_id: by.import_id,
    }
}
