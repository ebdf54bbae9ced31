//! `/api/v1/orgs/{org}/plans/{plan_id}/measures`: measures (tiltak) in a plan's focus
//! areas, optionally financed under a budget line. They stay editable after adoption: a
//! measure's status and owner change through the year.

mod handlers;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use veikart_domain::Date;
use veikart_domain::number::Ordinal;
use veikart_domain::text::{LongText, Owner, Title};
use veikart_domain::tree::MeasureStatus;
use veikart_store::measures::{self as store, MeasureValues};
use veikart_store::plans::Plan;
use veikart_store::{DbConnection, StoreError, Stored, Tx, budget_lines, focus_areas};

use super::patch::{apply, nullable, texts};
use super::resource::PlanChild;
use super::resource::plan::same_plan;
use crate::error::ApiError;
use crate::time::utc;

pub use handlers::configure;
use veikart_store::TenantTable;

#[derive(Debug, Serialize, ToSchema)]
pub struct Measure {
    pub id: i64,
    pub plan_id: i64,
    pub focus_area_id: i64,
    pub budget_line_id: Option<i64>,
    /// The measure's number within its focus area.
    pub number: i32,
    pub title: String,
    pub description: Option<String>,
    /// Who is responsible.
    pub owner: Option<String>,
    pub status: MeasureStatus,
    pub due_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMeasure {
    /// The focus area (of this plan).
    pub focus_area_id: i64,
    /// The budget line (of this plan) that finances it.
    pub budget_line_id: Option<i64>,
    pub number: Ordinal,
    pub title: Title,
    pub description: Option<LongText>,
    pub owner: Option<Owner>,
    /// Default `planned`.
    pub status: Option<MeasureStatus>,
    pub due_on: Option<Date>,
}

/// The fields to change; absent fields stay as they are, `null` clears a nullable one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeasure {
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub focus_area_id: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    pub budget_line_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub number: Option<Ordinal>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub title: Option<Title>,
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<LongText>>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner: Option<Option<Owner>>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub status: Option<MeasureStatus>,
    #[serde(default, deserialize_with = "nullable")]
    pub due_on: Option<Option<Date>>,
}

/// Checks the fields and that the focus area and budget line are the plan's.
fn checked(
    conn: &mut DbConnection,
    plan: &Plan,
    values: MeasureValues,
) -> Result<MeasureValues, StoreError> {
    let mut errors = Vec::new();
    let area = focus_areas::Rows::get(conn, plan.org_id, values.focus_area_id);
    if let Err(StoreError::Invalid(e)) =
        same_plan(area, |a| a.plan_id, plan, "focus_area_id", "focus area")
    {
        errors.extend(e);
    }
    if let Some(id) = values.budget_line_id {
        let line = budget_lines::Rows::get(conn, plan.org_id, id);
        if let Err(StoreError::Invalid(e)) =
            same_plan(line, |l| l.plan_id, plan, "budget_line_id", "budget line")
        {
            errors.extend(e);
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    Ok(values)
}

/// Measures as a [`PlanChild`].
pub struct Measures;

impl PlanChild for Measures {
    type Rows = store::Rows;
    type Wire = Measure;
    type Create = CreateMeasure;
    type Update = UpdateMeasure;
    const SEGMENT: &'static str = "measures";
    const STRUCTURAL: bool = false;

    fn wire(r: store::Measure) -> Result<Measure, ApiError> {
        Ok(Measure {
            status: r.status.0,
            id: r.id,
            plan_id: r.plan_id,
            focus_area_id: r.focus_area_id,
            budget_line_id: r.budget_line_id,
            number: r.number,
            title: r.title,
            description: r.description,
            owner: r.owner,
            due_on: r.due_on,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            version: r.version,
        })
    }
    fn created(
        tx: &mut Tx<'_>,
        plan: &Plan,
        body: CreateMeasure,
    ) -> Result<MeasureValues, StoreError> {
        checked(
            tx,
            plan,
            MeasureValues {
                plan_id: plan.id,
                focus_area_id: body.focus_area_id,
                budget_line_id: body.budget_line_id,
                number: body.number.get(),
                title: body.title.into(),
                description: body.description.map(String::from),
                owner: body.owner.map(String::from),
                status: Stored(body.status.unwrap_or_default()),
                due_on: body.due_on.map(Date::get),
            },
        )
    }
    fn changed(
        tx: &mut Tx<'_>,
        plan: &Plan,
        current: &store::Measure,
        body: UpdateMeasure,
    ) -> Result<MeasureValues, StoreError> {
        let values = MeasureValues {
            plan_id: current.plan_id,
            focus_area_id: body.focus_area_id.unwrap_or(current.focus_area_id),
            budget_line_id: apply(body.budget_line_id, current.budget_line_id),
            number: body.number.map_or(current.number, Ordinal::get),
            title: body
                .title
                .map_or_else(|| current.title.clone(), String::from),
            description: apply(texts(body.description), current.description.clone()),
            owner: apply(texts(body.owner), current.owner.clone()),
            status: body.status.map_or(current.status, Stored),
            due_on: apply(body.due_on.map(|d| d.map(Date::get)), current.due_on),
        };
        checked(tx, plan, values)
    }
}
