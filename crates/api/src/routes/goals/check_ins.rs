//! Check-ins of qualitative goals, `/orgs/{org}/goals/{goal_id}/check-ins`: an
//! [`OrgChild`] under its goal, reached only through it, and never changed once made (a
//! new check-in records a new assessment).

use std::convert::Infallible;

use actix_web::{delete, get, post};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veikart_domain::Date;
use veikart_domain::number::Confidence;
use veikart_domain::text::LongText;
use veikart_domain::tree::CheckInStatus;
use veikart_store::check_ins::{self as store, CheckInValues};
use veikart_store::{DbConnection, Org, PageRequest, StoreError, Stored, Tx, goals};

use crate::error::ApiError;
use crate::pagination::Page;
use crate::routes::resource::org::{NoFilter, OrgChild, OrgItem, OrgScoped};
use crate::routes::resource::resource_handlers;
use crate::time::utc;
use veikart_store::{ChildTable, TenantTable};

/// A dated assessment of a qualitative goal.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckIn {
    pub id: i64,
    pub goal_id: i64,
    pub checked_on: NaiveDate,
    pub status: CheckInStatus,
    /// 0 (no confidence) to 10 (certain).
    pub confidence: i32,
    pub comment: Option<String>,
    /// Who checked in (the token's `sub`).
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCheckIn {
    #[schema(example = "2022-06-30")]
    pub checked_on: Date,
    pub status: CheckInStatus,
    pub confidence: Confidence,
    pub comment: Option<LongText>,
}

/// `{org}` and `{goal_id}` in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct GoalCheckInsPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
    /// The goal's id.
    pub goal_id: i64,
}

/// `{org}`, `{goal_id}` and `{id}` in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CheckInPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
    /// The goal's id.
    pub goal_id: i64,
    /// The check-in's id.
    pub id: i64,
}

impl OrgScoped for GoalCheckInsPath {
    type Parent = i64;
    fn org(&self) -> &str {
        &self.org
    }
    fn parent(&self) -> i64 {
        self.goal_id
    }
}

impl OrgScoped for CheckInPath {
    type Parent = i64;
    fn org(&self) -> &str {
        &self.org
    }
    fn parent(&self) -> i64 {
        self.goal_id
    }
}

impl OrgItem for CheckInPath {
    fn id(&self) -> i64 {
        self.id
    }
}

/// Check-ins as an [`OrgChild`] whose parent is the goal's id.
pub struct CheckIns;

impl OrgChild for CheckIns {
    type Rows = store::Rows;
    type Wire = CheckIn;
    type Create = CreateCheckIn;
    type Update = Infallible;
    type Filter = NoFilter;
    type Parent = i64;
    const SEGMENT: &'static str = "check-ins";

    fn collection(goal_id: i64) -> String {
        format!("goals/{goal_id}/{}", Self::SEGMENT)
    }
    /// One statement; an empty page asks whether the goal is there at all.
    fn page(
        conn: &mut DbConnection,
        org: Org<'_>,
        goal_id: i64,
        _: NoFilter,
        page: PageRequest,
    ) -> Result<veikart_store::Page<store::CheckIn>, StoreError> {
        let page = store::Rows::list_for(conn, org, goal_id, page)?;
        if page.items.is_empty() {
            goals::Rows::get(conn, org, goal_id)?;
        }
        Ok(page)
    }
    fn holds(goal_id: i64, check_in: &store::CheckIn) -> bool {
        check_in.goal_id == goal_id
    }
    fn wire(c: store::CheckIn) -> Result<CheckIn, ApiError> {
        Ok(CheckIn {
            status: c.status.0,
            id: c.id,
            goal_id: c.goal_id,
            checked_on: c.checked_on,
            confidence: c.confidence,
            comment: c.comment,
            author: c.author,
            created_at: utc(c.created_at),
            version: c.version,
        })
    }
    /// The goal: 404 when it is not there, 409 when it is measurable (its KPIs measure
    /// it); the body's fields carry their own rules. The author is the caller.
    fn created(
        tx: &mut Tx<'_>,
        org_id: i64,
        goal_id: i64,
        actor: &str,
        body: CreateCheckIn,
    ) -> Result<CheckInValues, StoreError> {
        if goals::Rows::get(tx, org_id, goal_id)?.measurable {
            return Err(StoreError::Conflict {
                field: None,
                message: "the goal is measurable: its KPIs measure it, it takes no check-ins"
                    .into(),
            });
        }
        Ok(CheckInValues {
            goal_id,
            checked_on: body.checked_on.get(),
            status: Stored(body.status),
            confidence: body.confidence.get(),
            comment: body.comment.map(String::from),
            author: actor.to_owned(),
        })
    }
    fn changed(
        _tx: &mut Tx<'_>,
        _org_id: i64,
        _current: &store::CheckIn,
        body: Infallible,
    ) -> Result<CheckInValues, StoreError> {
        match body {}
    }
}

resource_handlers! {
    scope: org, resource: CheckIns, wire: CheckIn, filter: NoFilter, tag: "goals",
    collection: "/{goal_id}/check-ins" (GoalCheckInsPath),
    item: "/{goal_id}/check-ins/{id}" (CheckInPath),
    list: list_check_ins = "A goal's check-ins, oldest first (`viewer`).",
    create: create_check_in (CreateCheckIn) = "Record how a qualitative goal is doing (`editor`); the author is the token's `sub`. A measurable goal takes no check-ins: its KPIs measure it (409).",
    get: get_check_in = "Get a check-in (`viewer`).",
    delete: delete_check_in = "Delete a check-in (`editor`); honours `If-Match`.",
}
