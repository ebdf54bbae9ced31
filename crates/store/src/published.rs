//! What the public web pages read beyond the scorecard: which organisations have published
//! plans, an organisation's published plans, and the activities held per kind and day for
//! the annual report. Every query reads published plans only: a page never shows a draft.

use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;
use veikart_domain::kpi::ActivityStatus;

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::plans::Plan;
use crate::records::Stored;
use crate::schema::{activities, organisations, plans};
use crate::scope::{Org, in_org};

/// An organisation that has at least one published plan.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct PublishingOrganisation {
    pub slug: String,
    pub name: String,
}

/// The organisations with a published plan, by name. One statement.
pub fn organisations_with_published_plans(
    conn: &mut DbConnection,
    limit: i64,
) -> Result<Vec<PublishingOrganisation>, StoreError> {
    let publishing = plans::table
        .filter(plans::published.eq(true))
        .select(plans::org_id);
    Ok(organisations::table
        .filter(organisations::id.eq_any(publishing))
        .order((organisations::name.asc(), organisations::id.asc()))
        .select((organisations::slug, organisations::name))
        .limit(limit)
        .load(conn)?)
}

/// The organisation's published plans, newest period first. One statement.
pub fn published_plans(conn: &mut DbConnection, org: Org<'_>) -> Result<Vec<Plan>, StoreError> {
    Ok(in_org!(plans, org)
        .filter(plans::published.eq(true))
        .order((
            plans::period_start.desc(),
            plans::period_end.desc(),
            plans::id.desc(),
        ))
        .load::<Plan>(conn)?)
}

/// How many activities of one kind were held on one day.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct HeldOnDay {
    pub kind: String,
    pub date: NaiveDate,
    pub held: i64,
}

/// The activities held from `from` to `to`, counted per kind and day (the report sums
/// them up by month). One statement.
pub fn activities_held_per_day(
    conn: &mut DbConnection,
    org_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<HeldOnDay>, StoreError> {
    Ok(activities::table
        .filter(activities::org_id.eq(org_id))
        .filter(activities::status.eq(Stored(ActivityStatus::Held)))
        .filter(activities::date.ge(from))
        .filter(activities::date.le(to))
        .group_by((activities::kind, activities::date))
        .select((activities::kind, activities::date, count_star()))
        .order((activities::date.asc(), activities::kind.asc()))
        .load(conn)?)
}
