//! What every handler shares: the database pool, the token verifier and the instance's
//! caches. It knows no route and not `auth`: the verifier is held as a
//! [`VerifyToken`], the caches by type ([`Caches`]).
//!
//! A handler's database work runs in one closure, on one pooled connection, in one
//! hand-off to a blocking thread ([`AppState::db`] or [`AppState::write`]): resolving the
//! organisation, the access rules that need stored data, and the read or write itself.

use std::sync::Arc;

use veikart_store::{Database, DbConnection, StoreError, Tx};

use crate::cache::Caches;
use crate::claims::VerifyToken;
use crate::error::ApiError;

#[derive(Clone)]
pub struct AppState {
    pub database: Database,
    /// Verifies bearer tokens (`auth::Authenticator`).
    pub auth: Arc<dyn VerifyToken>,
    /// What this instance keeps between requests (the scorecards it has computed, the web
    /// pages it has rendered), shared by its workers.
    pub caches: Caches,
    /// The service's metrics, when they are on.
    pub metrics: crate::observe::MetricsSwitch,
    /// The organisations whose data changed, for the KPI status evaluator: every write
    /// marks the ones it changed once it has committed.
    pub changed: crate::kpi_status::Changed,
}

impl AppState {
    /// Runs storage code on a blocking thread with a pooled connection, so that diesel's
    /// synchronous calls never block an actix worker.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
    {
        self.hand_off(move |conn| f(conn).map(Ok)).await
    }

    /// Runs storage code in one write transaction on a blocking thread: everything it
    /// writes commits together, or nothing does. Once committed, the organisations whose
    /// data it changed are marked for the KPI status evaluator.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let (value, changed) = self
            .db(move |conn| veikart_store::write_transaction_telling(conn, f))
            .await?;
        self.changed.mark(&changed);
        Ok(value)
    }

    /// [`AppState::write`] for work that may also fail for reasons of its own (an
    /// [`ApiError`]): any error undoes the whole transaction.
    pub async fn write_or_undo<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        let (value, changed) = self
            .hand_off(move |conn| Ok(veikart_store::write_transaction_telling(conn, f)))
            .await?;
        self.changed.mark(&changed);
        Ok(value)
    }

    /// The one hand-off of storage code to a blocking thread with a pooled connection.
    /// When the request still owes a check ([`owed`]: an API key's validity), the check
    /// runs first on the same connection, and a refusal is the answer: `work` never runs. A store error of `work` or of the check reaches the pool
    /// (an outage marks older connections for a probe).
    async fn hand_off<T, W>(&self, work: W) -> Result<T, ApiError>
    where
        T: Send + 'static,
        W: FnOnce(&mut DbConnection) -> Result<Result<T, ApiError>, StoreError> + Send + 'static,
    {
        let owed = owed::take();
        let database = self.database.clone();
        let result = actix_web::web::block(move || {
            database.run(move |conn| {
                if let Some(check) = owed
                    && let Err(refused) = check(conn)?
                {
                    return Ok(Err(refused));
                }
                work(conn)
            })
        })
        .await?;
        result?
    }
}

/// A check a request owes before any of its database work: an API key whose identity is
/// known but whose validity is not yet checked (`auth::deferred`). The request's first
/// hand-off ([`AppState::db`] and its kin) takes it and runs it on its own connection, so
/// the check costs a statement but no hand-off of its own.
pub mod owed {
    use std::cell::RefCell;
    use std::future::Future;

    use veikart_store::{DbConnection, StoreError};

    use crate::error::ApiError;

    /// The check: `Ok(Err(refusal))` when the request must be refused.
    pub type Check =
        Box<dyn FnOnce(&mut DbConnection) -> Result<Result<(), ApiError>, StoreError> + Send>;

    tokio::task_local! {
        static OWED: RefCell<Option<Check>>;
    }

    /// Runs `f` (the handling of one request) with a place for the check it may owe.
    pub async fn scope<F: Future>(f: F) -> F::Output {
        OWED.scope(RefCell::new(None), f).await
    }

    /// Whether the current task is handling a request that can owe a check.
    pub fn can_owe() -> bool {
        OWED.try_with(|_| ()).is_ok()
    }

    /// Leaves `check` to the request's first database hand-off (dropped outside
    /// [`scope`]: ask [`can_owe`] first).
    pub fn owe(check: Check) {
        let _ = OWED.try_with(|owed| *owed.borrow_mut() = Some(check));
    }

    /// The check the current request still owes, taken so that it is made once.
    pub fn take() -> Option<Check> {
        OWED.try_with(|owed| owed.borrow_mut().take())
            .ok()
            .flatten()
    }
}
