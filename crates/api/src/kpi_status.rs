//! When the KPIs' statuses are evaluated (`veikart_store::kpi_statuses` says how): after
//! writes, coalesced per organisation, and once a day at midnight in Europe/Oslo, when
//! time alone moves a KPI (it falls behind its pace on a quiet day, its period ends).
//!
//! - **After writes.** Every committed write tells [`Changed`] which organisations'
//!   data it changed ([`crate::state::AppState::write`]). The evaluator waits for a mark,
//!   then [`KpiStatusSettings::settle`] more (2 s), and evaluates each organisation
//!   marked by then once: a burst of writes is one evaluation, and one event per KPI
//!   whose status really changed.
//! - **Daily**, at each Oslo midnight ([`crate::time::oslo::next_midnight`]), and once
//!   when the instance starts (before it serves): every organisation with an adopted or
//!   published plan.
//!
//! The evaluator has its own connection, so it never takes one a request waits for. Of
//! several instances on one PostgreSQL database, one evaluates an organisation at a time
//! (`veikart_store::db::try_lock_kpi_evaluation`); one that finds the organisation being
//! evaluated marks it again and tries once more after the settle time (so does one that
//! finds the database unavailable).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use veikart_store::kpi_statuses::{self, Evaluation};
use veikart_store::{Database, DatabaseUrl, PoolOptions, StoreError};

use crate::time::{Clock, oslo};

/// When and at which date KPIs are evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KpiStatusSettings {
    /// How long after a write its organisation is evaluated (the writes in between are
    /// evaluated with it).
    pub settle: Duration,
    /// What today is.
    pub clock: Clock,
}

impl Default for KpiStatusSettings {
    fn default() -> Self {
        Self {
            settle: Duration::from_secs(2),
            clock: Clock::default(),
        }
    }
}

/// The organisations whose data changed since their last evaluation, shared by the
/// writers (who mark them) and the evaluator (who takes them).
#[derive(Clone, Default)]
pub struct Changed(Arc<Marks>);

#[derive(Default)]
struct Marks {
    orgs: Mutex<BTreeSet<i64>>,
    wake: Notify,
}

impl Changed {
    /// Marks `orgs` for evaluation.
    pub fn mark(&self, orgs: &[i64]) {
        if orgs.is_empty() {
            return;
        }
        self.orgs().extend(orgs.iter().copied());
        self.0.wake.notify_one();
    }

    fn orgs(&self) -> std::sync::MutexGuard<'_, BTreeSet<i64>> {
        self.0.orgs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Returns once an organisation is marked.
    async fn marked(&self) {
        while self.orgs().is_empty() {
            self.0.wake.notified().await;
        }
    }

    /// The marked organisations, unmarked.
    fn take(&self) -> BTreeSet<i64> {
        std::mem::take(&mut *self.orgs())
    }
}

/// Evaluates organisations' KPIs when their data changed and every day.
#[derive(Clone)]
pub struct KpiStatusEvaluator {
    database: Database,
    changed: Changed,
    settings: KpiStatusSettings,
}

impl KpiStatusEvaluator {
    /// An evaluator on a pool of one connection of its own to `url`.
    pub fn new(
        url: &DatabaseUrl,
        pool: &PoolOptions,
        changed: Changed,
        settings: KpiStatusSettings,
    ) -> Self {
        let options = PoolOptions {
            max_connections: 1,
            statement_counter: None,
            ..pool.clone()
        };
        Self {
            database: veikart_store::db::database(url, options),
            changed,
            settings,
        }
    }

    /// Evaluates every organisation with an adopted or published plan, now; returns how
    /// many KPIs changed status.
    pub fn evaluate_all_now(&self) -> Result<usize, StoreError> {
        let orgs = self.database.run(kpi_statuses::watched_orgs)?;
        Ok(self.evaluate(orgs))
    }

    /// Evaluates each of `orgs` in its own transaction. One that another instance is
    /// evaluating, or that found the database unavailable or locked, is marked to be
    /// tried again after the settle time; any other failure is logged (the organisation
    /// is evaluated again at its next write, or at midnight). Returns how many KPIs
    /// changed.
    fn evaluate(&self, orgs: BTreeSet<i64>) -> usize {
        let today = self.settings.clock.today();
        let mut changes = 0;
        for org_id in orgs {
            let evaluated = self.database.run(|conn| {
                veikart_store::write_transaction(conn, |tx| {
                    kpi_statuses::evaluate(tx, org_id, today)
                })
            });
            match evaluated {
                Ok(Evaluation::Done(changed)) => changes += changed.len(),
                Ok(Evaluation::Busy) => self.changed.mark(&[org_id]),
                Err(e @ StoreError::Unavailable(_)) => {
                    log::warn!("KPI statuses of organisation {org_id}, tried again: {e}");
                    self.changed.mark(&[org_id]);
                }
                Err(e) => log::warn!("KPI statuses of organisation {org_id}: {e}"),
            }
        }
        changes
    }

    /// Evaluates the organisations marked, a settle time after the first mark of each
    /// round, for as long as the server runs.
    pub async fn after_writes(self) {
        loop {
            self.changed.marked().await;
            actix_web::rt::time::sleep(self.settings.settle).await;
            let orgs = self.changed.take();
            let evaluator = self.clone();
            if let Err(e) = actix_web::web::block(move || evaluator.evaluate(orgs)).await {
                log::warn!("KPI statuses: an evaluation was cancelled: {e}");
            }
        }
    }

    /// Evaluates every watched organisation at each midnight in Oslo, for as long as the
    /// server runs.
    pub async fn daily(self) {
        loop {
            let now = chrono::Utc::now();
            let wait = (oslo::next_midnight(now) - now)
                .to_std()
                .unwrap_or_default();
            // A second past midnight, so that the clock surely reads the new day.
            actix_web::rt::time::sleep(wait + Duration::from_secs(1)).await;
            let evaluator = self.clone();
            match actix_web::web::block(move || evaluator.evaluate_all_now()).await {
                Ok(Ok(n)) => log::info!("KPI statuses: the daily evaluation found {n} change(s)"),
                Ok(Err(e)) => log::warn!("KPI statuses: the daily evaluation failed: {e}"),
                Err(e) => log::warn!("KPI statuses: the daily evaluation was cancelled: {e}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_gather_until_taken_once_per_organisation() {
        let changed = Changed::default();
        changed.mark(&[3, 1]);
        changed.mark(&[]);
        changed.mark(&[1, 2]);
        assert_eq!(changed.take(), BTreeSet::from([1, 2, 3]));
        assert_eq!(changed.take(), BTreeSet::new());
    }

    #[test]
    fn a_mark_made_before_the_evaluator_waits_is_not_lost() {
        let changed = Changed::default();
        changed.mark(&[7]);
        actix_web::rt::System::new().block_on(async {
            let waited = actix_web::rt::time::timeout(Duration::from_secs(5), changed.marked());
            assert!(waited.await.is_ok(), "the mark wakes the evaluator");
        });
        assert_eq!(changed.take(), BTreeSet::from([7]));
    }
}
