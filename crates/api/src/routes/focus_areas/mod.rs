//! `/api/v1/orgs/{org}/plans/{plan_id}/focus-areas`: a plan's focus areas
//! (innsatsområder). Part of the plan's structure: frozen once the plan is adopted.
//! Deleting one is refused while KPIs or measures are in it.

mod handlers;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use veikart_domain::number::Ordinal;
use veikart_domain::text::{LongText, Title};
use veikart_store::focus_areas::{self as store, FocusAreaValues};
use veikart_store::plans::Plan;
use veikart_store::{StoreError, Tx, kpis, measures};

use super::patch::{apply, nullable, texts};
use super::resource::{PlanChild, refuse_while};
use crate::error::ApiError;
use crate::time::utc;

pub use handlers::configure;

#[derive(Debug, Serialize, ToSchema)]
pub struct FocusArea {
    pub id: i64,
    pub plan_id: i64,
    /// The area's number in the plan (1, 2, ...).
    pub number: i32,
    pub title: String,
    pub description: Option<String>,
    /// Order among the plan's focus areas.
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFocusArea {
    pub number: Ordinal,
    pub title: Title,
    pub description: Option<LongText>,
    /// Order among the plan's focus areas (default: the number).
    pub position: Option<i32>,
}

/// The fields to change; absent fields stay as they are, `null` clears the description.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFocusArea {
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub number: Option<Ordinal>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub title: Option<Title>,
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<LongText>>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub position: Option<i32>,
}

/// Focus areas as a [`PlanChild`].
pub struct FocusAreas;

impl PlanChild for FocusAreas {
    type Rows = store::Rows;
    type Wire = FocusArea;
    type Create = CreateFocusArea;
    type Update = UpdateFocusArea;
    const SEGMENT: &'static str = "focus-areas";
    const STRUCTURAL: bool = true;

    fn wire(r: store::FocusArea) -> Result<FocusArea, ApiError> {
        Ok(FocusArea {
            id: r.id,
            plan_id: r.plan_id,
            number: r.number,
            title: r.title,
            description: r.description,
            position: r.position,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            version: r.version,
        })
    }
    fn created(
        _tx: &mut Tx<'_>,
        plan: &Plan,
        body: CreateFocusArea,
    ) -> Result<FocusAreaValues, StoreError> {
        Ok(FocusAreaValues {
            plan_id: plan.id,
            number: body.number.get(),
            title: body.title.into(),
            description: body.description.map(String::from),
            position: body.position.unwrap_or(body.number.get()),
        })
    }
    fn changed(
        _tx: &mut Tx<'_>,
        _plan: &Plan,
        current: &store::FocusArea,
        body: UpdateFocusArea,
    ) -> Result<FocusAreaValues, StoreError> {
        Ok(FocusAreaValues {
            plan_id: current.plan_id,
            number: body.number.map_or(current.number, Ordinal::get),
            title: body
                .title
                .map_or_else(|| current.title.clone(), String::from),
            description: apply(texts(body.description), current.description.clone()),
            position: body.position.unwrap_or(current.position),
        })
    }
    fn deletable(tx: &mut Tx<'_>, area: &store::FocusArea) -> Result<(), StoreError> {
        refuse_while(
            kpis::count_in_focus_area(tx, area.org_id, area.id)?,
            "KPI(s)",
        )?;
        refuse_while(
            measures::count_in_focus_area(tx, area.org_id, area.id)?,
            "measure(s)",
        )
    }
}
