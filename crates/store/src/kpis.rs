//! KPI definitions (result targets) of a plan, in a focus area and/or under a goal. The
//! source's filters are stored as JSON text; the domain's `KpiDefinition` validates them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use veikart_domain::Date;
use veikart_domain::document::KpiDocument;
use veikart_domain::kpi::{Direction, KpiAggregate, KpiDefinition, KpiEntity, KpiSource};

use crate::db::DbConnection;
use crate::error::{StoreError, stored_date, stored_text, stored_texts};
use crate::rows::tenant_rows;
use crate::schema::kpis;
use crate::stored::Stored;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = kpis)]
pub struct Kpi {
    pub id: i64,
    pub org_id: i64,
    pub plan_id: i64,
    pub focus_area_id: Option<i64>,
    pub goal_id: Option<i64>,
    pub code: Option<String>,
    pub title: String,
    pub entity: Stored<KpiEntity>,
    pub aggregate: Stored<KpiAggregate>,
    pub field: Option<String>,
    /// The source's filters as a JSON object.
    pub filters: String,
    pub direction: Stored<Direction>,
    pub target: f64,
    pub baseline: Option<f64>,
    pub tolerance: f64,
    pub unit: Option<String>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = kpis, treat_none_as_null = true)]
pub struct KpiValues {
    pub plan_id: i64,
    pub focus_area_id: Option<i64>,
    pub goal_id: Option<i64>,
    pub code: Option<String>,
    pub title: String,
    pub entity: Stored<KpiEntity>,
    pub aggregate: Stored<KpiAggregate>,
    pub field: Option<String>,
    pub filters: String,
    pub direction: Stored<Direction>,
    pub target: f64,
    pub baseline: Option<f64>,
    pub tolerance: f64,
    pub unit: Option<String>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub position: i32,
}

tenant_rows!(kpis, Kpi, KpiValues, "kpi", plan_part);

/// How many KPIs are in a focus area.
pub fn count_in_focus_area(
    conn: &mut DbConnection,
    org_id: i64,
    focus_area_id: i64,
) -> Result<i64, StoreError> {
    Ok(kpis::table
        .filter(kpis::org_id.eq(org_id))
        .filter(kpis::focus_area_id.eq(focus_area_id))
        .count()
        .get_result(conn)?)
}

/// How many KPIs measure a goal.
pub fn count_for_goal(
    conn: &mut DbConnection,
    org_id: i64,
    goal_id: i64,
) -> Result<i64, StoreError> {
    Ok(kpis::table
        .filter(kpis::org_id.eq(org_id))
        .filter(kpis::goal_id.eq(goal_id))
        .count()
        .get_result(conn)?)
}

/// A KPI document's values for storage.
pub fn values_from_document(
    plan_id: i64,
    focus_area_id: Option<i64>,
    goal_id: Option<i64>,
    position: i32,
    kpi: &KpiDocument,
) -> Result<KpiValues, StoreError> {
    Ok(KpiValues {
        plan_id,
        focus_area_id,
        goal_id,
        code: kpi.code.as_deref().map(str::to_owned),
        title: kpi.title.to_string(),
        entity: Stored(kpi.source.entity),
        aggregate: Stored(kpi.source.aggregate),
        field: kpi.source.field.clone(),
        filters: serde_json::to_string(&kpi.source.filters)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        direction: Stored(kpi.direction),
        target: kpi.target,
        baseline: kpi.baseline,
        tolerance: kpi.tolerance,
        unit: kpi.unit.as_deref().map(str::to_owned),
        period_start: kpi.period_start.map(Date::get),
        period_end: kpi.period_end.map(Date::get),
        position,
    })
}

/// A stored KPI as a document part; `goal_key` names its goal.
pub fn document_from_row(row: &Kpi, goal_key: Option<String>) -> Result<KpiDocument, StoreError> {
    let corrupt =
        |what: &str, e: String| StoreError::Corrupt(format!("kpi {}: {what}: {e}", row.id));
    Ok(KpiDocument {
        code: stored_texts(row.code.as_deref())?,
        title: stored_text(&row.title)?,
        goal: goal_key,
        source: KpiSource {
            entity: row.entity.0,
            aggregate: row.aggregate.0,
            field: row.field.clone(),
            filters: serde_json::from_str(&row.filters)
                .map_err(|e| corrupt("filters", e.to_string()))?,
        },
        direction: row.direction.0,
        target: row.target,
        baseline: row.baseline,
        period_start: row.period_start.map(stored_date).transpose()?,
        period_end: row.period_end.map(stored_date).transpose()?,
        tolerance: row.tolerance,
        unit: stored_texts(row.unit.as_deref())?,
    })
}

/// A stored KPI's measurable definition, for the KPI engine.
pub fn definition(row: &Kpi) -> Result<KpiDefinition, StoreError> {
    let document = document_from_row(row, None)?;
    Ok(KpiDefinition {
        source: document.source,
        direction: document.direction,
        target: document.target,
        baseline: document.baseline,
        period_start: document.period_start.map(Date::get),
        period_end: document.period_end.map(Date::get),
        tolerance: document.tolerance,
    })
}
