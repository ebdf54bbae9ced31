//! The last status of every KPI of every adopted or published plan, and the evaluation
//! that compares it with the status today and writes `kpi.status_changed` when they differ.
//!
//! The status today is the scorecard's: each plan's KPIs are measured by
//! [`scorecards::measured_kpis`] and evaluated by [`scorecards::MeasuredKpi::result`], the
//! very functions the scorecard is made with, so an event never says what the scorecard
//! of the same date does not.
//!
//! One evaluation is one write transaction of one organisation ([`evaluate`]):
//! 1. the evaluation's lock ([`db::try_lock_kpi_evaluation`]): on PostgreSQL another
//!    instance evaluating the organisation makes this one give up at once (`Busy`);
//! 2. the organisation's row, locked as every audited write locks it: no change to the
//!    organisation's data commits until the evaluation does, so every statement after it
//!    reads the same data (and the events it writes take their `seq` in commit order, as
//!    `events` requires);
//! 3. every KPI's result today, against the status kept: a KPI with another status writes
//!    its event and its new status; one without a kept status is recorded silently (the
//!    first evaluation of a plan's KPIs, at its adoption, tells no changes); the statuses
//!    of KPIs no longer in an adopted or published plan are forgotten.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use veikart_domain::PlanStatus;
use veikart_domain::engine::{KpiResult, KpiStatus};
use veikart_domain::events::{Event, KpiStatusChanged};

use crate::db::{self, DbConnection, Tx};
use crate::error::StoreError;
use crate::plans::Plan;
use crate::schema::{kpi_statuses, organisations, plans};
use crate::scorecards;
use crate::stored::Stored;

/// A KPI's status as kept from its last evaluation that changed it.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = kpi_statuses)]
pub struct KeptStatus {
    pub kpi_id: i64,
    pub org_id: i64,
    pub plan_id: i64,
    pub status: Stored<KpiStatus>,
    /// The date of the evaluation that set `status`.
    pub as_of: NaiveDate,
    pub changed_at: chrono::NaiveDateTime,
}

/// What an evaluation of an organisation did.
#[derive(Debug, Clone, PartialEq)]
pub enum Evaluation {
    /// Another instance is evaluating the organisation now; nothing was read or written.
    Busy,
    /// The KPIs were evaluated; these changed status (and wrote their events).
    Done(Vec<KpiStatusChanged>),
}

/// Evaluates every KPI of the organisation's adopted or published plans at `as_of`, in
/// the caller's transaction: see the module's note for the steps.
pub fn evaluate(tx: &mut Tx<'_>, org_id: i64, as_of: NaiveDate) -> Result<Evaluation, StoreError> {
    if !db::try_lock_kpi_evaluation(tx, org_id)? {
        return Ok(Evaluation::Busy);
    }
    hold_organisation(tx, org_id)?;
    let results = results_at(tx, org_id, as_of)?;
    let kept = kept(tx, org_id)?;
    let changes = record(tx, org_id, &kept, &results)?;
    forget_unwatched(tx, &kept, &results)?;
    Ok(Evaluation::Done(changes))
}

/// The organisations that have an adopted or published plan, or statuses kept from one
/// (which may have to be forgotten): those a daily evaluation visits.
pub fn watched_orgs(conn: &mut DbConnection) -> Result<BTreeSet<i64>, StoreError> {
    let with_plans: Vec<i64> = plans::table
        .filter(watched())
        .select(plans::org_id)
        .distinct()
        .load(conn)?;
    let with_statuses: Vec<i64> = kpi_statuses::table
        .select(kpi_statuses::org_id)
        .distinct()
        .load(conn)?;
    Ok(with_plans.into_iter().chain(with_statuses).collect())
}

/// The plans whose KPIs are watched: adopted, or published.
#[diesel::dsl::auto_type]
fn watched() -> _ {
    let adopted: Stored<PlanStatus> = Stored(PlanStatus::Adopted);
    plans::status.eq(adopted).or(plans::published.eq(true))
}

/// Locks the organisation's row as an audited write does, without changing its data
/// version: the organisation's data stays as read until this transaction ends.
fn hold_organisation(tx: &mut Tx<'_>, org_id: i64) -> Result<(), StoreError> {
    diesel::update(organisations::table.find(org_id))
        .set(organisations::data_version.eq(organisations::data_version))
        .execute(&mut **tx)?;
    Ok(())
}

/// Every KPI of the organisation's watched plans with its plan and result at `as_of`,
/// in plan and KPI order: the scorecard's measurement and evaluation.
fn results_at(
    conn: &mut DbConnection,
    org_id: i64,
    as_of: NaiveDate,
) -> Result<Vec<(i64, KpiResult)>, StoreError> {
    let plans: Vec<Plan> = plans::table
        .filter(plans::org_id.eq(org_id))
        .filter(watched())
        .order(plans::id.asc())
        .select(Plan::as_select())
        .load(conn)?;
    let mut results = Vec::new();
    for plan in &plans {
        for kpi in scorecards::measured_kpis(conn, plan, as_of)? {
            results.push((plan.id, kpi.result(as_of)));
        }
    }
    Ok(results)
}

/// The statuses kept for the organisation's KPIs, by KPI id.
fn kept(conn: &mut DbConnection, org_id: i64) -> Result<HashMap<i64, KpiStatus>, StoreError> {
    let rows: Vec<(i64, Stored<KpiStatus>)> = kpi_statuses::table
        .filter(kpi_statuses::org_id.eq(org_id))
        .select((kpi_statuses::kpi_id, kpi_statuses::status))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, s)| (id, s.0)).collect())
}

/// Writes what differs from the kept statuses: a new KPI's status silently, a changed
/// one's status with its event. Returns the changes.
fn record(
    tx: &mut Tx<'_>,
    org_id: i64,
    kept: &HashMap<i64, KpiStatus>,
    results: &[(i64, KpiResult)],
) -> Result<Vec<KpiStatusChanged>, StoreError> {
    let mut changes = Vec::new();
    for (plan_id, result) in results {
        let before = kept.get(&result.kpi_id).copied();
        if before == Some(result.status) {
            continue;
        }
        let row = KeptStatus {
            kpi_id: result.kpi_id,
            org_id,
            plan_id: *plan_id,
            status: Stored(result.status),
            as_of: result.as_of,
            changed_at: crate::now(),
        };
        match KpiStatusChanged::between(before, *plan_id, result) {
            None => {
                diesel::insert_into(kpi_statuses::table)
                    .values(&row)
                    .execute(&mut **tx)?;
            }
            Some(change) => {
                diesel::update(kpi_statuses::table.find(row.kpi_id))
                    .set((
                        kpi_statuses::status.eq(row.status),
                        kpi_statuses::as_of.eq(row.as_of),
                        kpi_statuses::changed_at.eq(row.changed_at),
                    ))
                    .execute(&mut **tx)?;
                crate::events::emit(tx, org_id, &Event::KpiStatusChanged(change.clone()))?;
                changes.push(change);
            }
        }
    }
    Ok(changes)
}

/// Forgets the kept statuses of KPIs no longer in a watched plan (their plan went back to
/// draft, or was archived unpublished): should it be watched again, its first evaluation
/// is silent again.
fn forget_unwatched(
    tx: &mut Tx<'_>,
    kept: &HashMap<i64, KpiStatus>,
    results: &[(i64, KpiResult)],
) -> Result<(), StoreError> {
    let watched: BTreeSet<i64> = results.iter().map(|(_, r)| r.kpi_id).collect();
    let gone: Vec<i64> = kept
        .keys()
        .filter(|id| !watched.contains(id))
        .copied()
        .collect();
    if !gone.is_empty() {
        diesel::delete(kpi_statuses::table.filter(kpi_statuses::kpi_id.eq_any(gone)))
            .execute(&mut **tx)?;
    }
    Ok(())
}

/// Every kept status, by KPI id (for diagnostics and tests).
pub fn all(conn: &mut DbConnection) -> Result<Vec<KeptStatus>, StoreError> {
    Ok(kpi_statuses::table
        .order(kpi_statuses::kpi_id.asc())
        .select(KeptStatus::as_select())
        .load(conn)?)
}
