//! Metric observations; listed by `observed_on`. One per (metric_key, dimension,
//! observed_on) in an organisation.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use veikart_domain::records::{
    Dimension, ExternalRef, MetricKey, ObservationFields, ObservationFilter,
};

use super::{Provenance, day, parsed, parsed_opt, record_table, record_values};
use crate::db::{DbConnection, MultiBackend};
use crate::error::StoreError;
use crate::rows::tenant_rows;
use crate::schema::observations;

#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct Observation {
    pub id: i64,
    pub org_id: i64,
    pub metric_key: String,
    pub dimension: String,
    pub observed_on: NaiveDate,
    pub value: f64,
    pub external_ref: Option<String>,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub import_id: Option<i64>,
}

record_values! {
    observations,
    #[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
    #[diesel(table_name = observations, treat_none_as_null = true, treat_none_as_default_value = false)]
    pub struct ObservationValues {
        pub metric_key: String,
        pub dimension: String,
        pub observed_on: NaiveDate,
        pub value: f64,
        pub external_ref: Option<String>,
        pub created_by: String,
        pub updated_by: String,
        pub import_id: Option<i64>,
    }
}

tenant_rows!(observations, Observation, ObservationValues, "observation");
record_table!(Observations, observations, Observation, ObservationValues, ObservationFields, ObservationFilter, date: observed_on, own_key);

/// An observation is also found by its metric, dimension and day (reported under
/// `observed_on`, like the uniqueness rule).
fn own_key(fields: &ObservationFields) -> Option<super::RecordKey> {
    Some(super::RecordKey {
        field: "observed_on",
        value: format!(
            "{} ({}) on {}",
            fields.metric_key,
            fields.dimension.as_str(),
            fields.observed_on
        ),
    })
}

/// The observations on the days of `fields` of their metrics: a superset of those with
/// their keys, read in one statement per batch of days.
fn holding_own_key(
    conn: &mut DbConnection,
    org_id: i64,
    fields: &[&ObservationFields],
) -> Result<Vec<Observation>, StoreError> {
    let metrics: std::collections::BTreeSet<&str> =
        fields.iter().map(|f| f.metric_key.as_str()).collect();
    let metrics: Vec<&str> = metrics.into_iter().collect();
    let days: std::collections::BTreeSet<NaiveDate> =
        fields.iter().map(|f| f.observed_on.get()).collect();
    let days: Vec<NaiveDate> = days.into_iter().collect();
    let mut rows = Vec::new();
    for metrics in metrics.chunks(super::BATCH) {
        for days in days.chunks(super::BATCH) {
            rows.extend(
                observations::table
                    .filter(observations::org_id.eq(org_id))
                    .filter(observations::metric_key.eq_any(metrics))
                    .filter(observations::observed_on.eq_any(days))
                    .load::<Observation>(conn)?,
            );
        }
    }
    Ok(rows)
}

fn narrow<'a>(
    mut query: observations::BoxedQuery<'a, MultiBackend>,
    filter: &ObservationFilter,
) -> observations::BoxedQuery<'a, MultiBackend> {
    if let Some(key) = &filter.metric_key {
        query = query.filter(observations::metric_key.eq(key.as_str().to_owned()));
    }
    if let Some(dimension) = &filter.dimension {
        query = query.filter(observations::dimension.eq(dimension.as_str().to_owned()));
    }
    query
}

/// The id of another observation of the organisation with the same metric, dimension and
/// day, if there is one.
pub fn same_key(
    conn: &mut DbConnection,
    org_id: i64,
    fields: &ObservationFields,
    except_id: Option<i64>,
) -> Result<Option<i64>, StoreError> {
    Ok(observations::table
        .filter(observations::org_id.eq(org_id))
        .filter(observations::metric_key.eq(fields.metric_key.as_str()))
        .filter(observations::dimension.eq(fields.dimension.as_str()))
        .filter(observations::observed_on.eq(fields.observed_on.get()))
        .filter(observations::id.ne(except_id.unwrap_or(0)))
        .select(observations::id)
        .first::<i64>(conn)
        .optional()?)
}

fn fields(row: &Observation) -> Result<ObservationFields, StoreError> {
    Ok(ObservationFields {
        metric_key: parsed(&row.metric_key, MetricKey::parse)?,
        dimension: parsed(&row.dimension, Dimension::parse)?,
        observed_on: day(row.observed_on)?,
        value: row.value,
        external_ref: parsed_opt(row.external_ref.as_deref(), ExternalRef::parse)?,
    })
}

fn values(f: ObservationFields, by: Provenance) -> ObservationValues {
    ObservationValues {
        metric_key: f.metric_key.into(),
        dimension: f.dimension.into(),
        observed_on: f.observed_on.get(),
        value: f.value,
        external_ref: f.external_ref.map(Into::into),
        created_by: by.created_by,
        updated_by: by.updated_by,
        import_id: by.import_id,
    }
}
