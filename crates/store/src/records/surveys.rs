//! Customer surveys; listed by `conducted_on`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use veikart_domain::kpi::SurveyAudience;
use veikart_domain::records::{ExternalRef, SurveyFields, SurveyFilter, Title};

use super::{
    Provenance, Stored, count, day, parsed, parsed_opt, record_table, record_values, stored_count,
};
use crate::db::MultiBackend;
use crate::error::{StoreError, stored_number};
use crate::rows::tenant_rows;
use crate::schema::surveys;
use veikart_domain::number::NetPromoterScore;

#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct Survey {
    pub id: i64,
    pub org_id: i64,
    pub audience: Stored<SurveyAudience>,
    pub title: String,
    pub conducted_on: NaiveDate,
    pub invited: i64,
    pub responses: i64,
    pub scale_min: f64,
    pub scale_max: f64,
    pub mean_score: Option<f64>,
    pub nps: Option<i32>,
    pub external_ref: Option<String>,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub import_id: Option<i64>,
}

record_values! {
    surveys,
    #[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
    #[diesel(table_name = surveys, treat_none_as_null = true, treat_none_as_default_value = false)]
    pub struct SurveyValues {
        pub audience: Stored<SurveyAudience>,
        pub title: String,
        pub conducted_on: NaiveDate,
        pub invited: i64,
        pub responses: i64,
        pub scale_min: f64,
        pub scale_max: f64,
        pub mean_score: Option<f64>,
        pub nps: Option<i32>,
        pub external_ref: Option<String>,
        pub created_by: String,
        pub updated_by: String,
        pub import_id: Option<i64>,
    }
}

tenant_rows!(surveys, Survey, SurveyValues, "survey");
record_table!(Surveys, surveys, Survey, SurveyValues, SurveyFields, SurveyFilter, date: conducted_on);

fn narrow<'a>(
    mut query: surveys::BoxedQuery<'a, MultiBackend>,
    filter: &SurveyFilter,
) -> surveys::BoxedQuery<'a, MultiBackend> {
    if let Some(audience) = filter.audience {
        query = query.filter(surveys::audience.eq(Stored(audience)));
    }
    query
}

fn fields(row: &Survey) -> Result<SurveyFields, StoreError> {
    Ok(SurveyFields {
        audience: row.audience.0,
        title: parsed(&row.title, Title::parse)?,
        conducted_on: day(row.conducted_on)?,
        invited: count(row.invited)?,
        responses: count(row.responses)?,
        scale_min: row.scale_min,
        scale_max: row.scale_max,
        mean_score: row.mean_score,
        nps: row.nps.map(stored_number).transpose()?,
        external_ref: parsed_opt(row.external_ref.as_deref(), ExternalRef::parse)?,
    })
}

fn values(f: SurveyFields, by: Provenance) -> SurveyValues {
    SurveyValues {
        audience: Stored(f.audience),
        title: f.title.into(),
        conducted_on: f.conducted_on.get(),
        invited: stored_count(f.invited),
        responses: stored_count(f.responses),
        scale_min: f.scale_min,
        scale_max: f.scale_max,
        mean_score: f.mean_score,
        nps: f.nps.map(NetPromoterScore::get),
        external_ref: f.external_ref.map(Into::into),
        created_by: by.created_by,
        updated_by: by.updated_by,
        import_id: by.import_id,
    }
}
