//! What every handler shares: the database pool, the token verifier and the instance's
//! caches. It knows no route and not `auth`: the verifier is held as a
//! [`VerifyToken`], the caches by type ([`Caches`]).
//!
//! A handler's database work runs in one closure, on one pooled connection: resolving the
//! organisation, the access rules that need stored data, and the read or write itself.
//! Where it runs depends on what it is ([`Work`]):
//!
//! - a short read ([`AppState::db`]: the indexed statement or two of a resource read, a
//!   page of a list, a data version) runs on the request's own worker thread when a pooled
//!   connection is idle ([`Placement::InlineWhenIdle`], the default): handing a 100 µs
//!   statement to another thread and back costs more CPU than the statement's wait;
//! - a computation from records ([`AppState::compute`]: a scorecard, a series, a KPI's
//!   result, an export) and every write ([`AppState::write`]) are handed to a blocking
//!   thread, so that the worker keeps serving other requests meanwhile.

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
    /// Which endpoint URLs webhooks accept, and the key their secrets are sealed with.
    pub webhooks: crate::webhooks::WebhookSettings,
    /// Wakes this instance's webhook delivery worker after every committed write, so that
    /// the events it wrote go out at once rather than at the next poll.
    pub deliveries: crate::webhooks::delivery::Wake,
    /// Where short reads run (`VEIKART_INLINE_READS`).
    pub reads: Placement,
}

/// Where a short read runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Placement {
    /// On the request's worker thread when a pooled connection is idle, else handed off.
    #[default]
    InlineWhenIdle,
    /// Always handed to a blocking thread (`VEIKART_INLINE_READS=false`): a worker never
    /// waits on the database, at the cost of the hand-off's CPU on every read.
    HandedOff,
}

impl AppState {
    /// Runs a short read (a few indexed statements) with a pooled connection: on this
    /// worker thread when a connection is idle and [`Placement::InlineWhenIdle`] is set,
    /// else on a blocking thread.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
    {
        let owed = owed::take();
        let work = move |conn: &mut DbConnection| {
            checked(owed, Work::Read, conn, move |conn| f(conn).map(Ok))
        };
        if self.reads == Placement::InlineWhenIdle {
            match self.database.run_if_idle(work) {
                Ok(result) => return result?,
                Err(work) => return self.on_blocking_thread(work).await,
            }
        }
        self.on_blocking_thread(work).await
    }

    /// Runs a read that may take long (computing from records, exporting) on a blocking
    /// thread with a pooled connection, so that the worker serves other requests meanwhile.
    pub async fn compute<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
    {
        self.hand_off(Work::Read, move |conn| f(conn).map(Ok)).await
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
            .hand_off(Work::Write, move |conn| {
                veikart_store::write_transaction_telling(conn, f).map(Ok)
            })
            .await?;
        self.changed.mark(&changed);
        self.deliveries.wake();
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
            .hand_off(Work::Write, move |conn| {
                Ok(veikart_store::write_transaction_telling(conn, f))
            })
            .await?;
        self.changed.mark(&changed);
        self.deliveries.wake();
        Ok(value)
    }

    /// The hand-off of storage code to a blocking thread with a pooled connection, with
    /// the check the request may still owe ([`owed`]: an API key's validity) made on the
    /// same connection — see [`owed::Owed::around`].
    async fn hand_off<T, W>(&self, kind: Work, work: W) -> Result<T, ApiError>
    where
        T: Send + 'static,
        W: FnOnce(&mut DbConnection) -> Result<Result<T, ApiError>, StoreError> + Send + 'static,
    {
        let owed = owed::take();
        self.on_blocking_thread(move |conn| checked(owed, kind, conn, work))
            .await
    }

    /// Runs `work` on a blocking thread with a pooled connection. A store error of `work`
    /// reaches the pool (an outage marks older connections for a probe).
    async fn on_blocking_thread<T, W>(&self, work: W) -> Result<T, ApiError>
    where
        T: Send + 'static,
        W: FnOnce(&mut DbConnection) -> Result<Result<T, ApiError>, StoreError> + Send + 'static,
    {
        let database = self.database.clone();
        let result = actix_web::web::block(move || database.run(work)).await?;
        result?
    }
}

/// Runs `work` with the check the request owes, if any, on the same connection.
fn checked<T, W>(
    owed: Option<owed::Owed>,
    kind: Work,
    conn: &mut DbConnection,
    work: W,
) -> Result<Result<T, ApiError>, StoreError>
where
    W: FnOnce(&mut DbConnection) -> Result<Result<T, ApiError>, StoreError>,
{
    match owed {
        Some(owed) => owed.around(kind, conn, work),
        None => work(conn),
    }
}

/// Whether a hand-off may write: a read's own statements can carry an owed key check, a
/// write's cannot (the check comes first, so nothing is written for a key that is not
/// valid).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    Read,
    Write,
}

/// A check a request owes before any of its database work: an API key whose identity is
/// known but whose validity is not yet checked (`auth::deferred`). The request's first
/// hand-off ([`AppState::db`] and its kin) takes it and makes it on its own connection, so
/// the check costs no hand-off of its own — and for a read whose statements name the
/// organisation through the check's [`Gate`], no statement of its own either.
pub mod owed {
    use std::cell::RefCell;
    use std::future::Future;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use chrono::NaiveDateTime;
    use veikart_store::{DbConnection, KeyGate, Org, StoreError};

    use super::Work;
    use crate::error::ApiError;

    /// The check: `Ok(Err(refusal))` when the request must be refused.
    pub type Check =
        Box<dyn FnOnce(&mut DbConnection) -> Result<Result<(), ApiError>, StoreError> + Send>;

    /// What a request owes: the check, and the gate through which a read's own statements
    /// can make it instead.
    pub struct Owed {
        pub check: Check,
        pub gate: Option<Arc<Gate>>,
    }

    /// An API key as a condition of the organisation's lookup ([`Org::SlugForKey`]): a read
    /// whose statements named the organisation through it and succeeded has found the
    /// organisation, so the key was valid — the statement was the check.
    #[derive(Debug)]
    pub struct Gate {
        digest: String,
        at: NaiveDateTime,
        used: AtomicBool,
    }

    impl Gate {
        pub fn new(digest: String, at: NaiveDateTime) -> Self {
            Self {
                digest,
                at,
                used: AtomicBool::new(false),
            }
        }

        /// The organisation `slug`, found only while the key is valid; from now on the
        /// request's reads carry the check.
        pub fn org<'a>(&'a self, slug: &'a str) -> Org<'a> {
            self.used.store(true, Ordering::Relaxed);
            Org::SlugForKey {
                slug,
                key: KeyGate {
                    digest: &self.digest,
                    at: self.at,
                },
            }
        }

        /// Whether [`Gate::org`] was asked since the last call (the current hand-off's
        /// work named the organisation through the gate).
        fn take_used(&self) -> bool {
            self.used.swap(false, Ordering::Relaxed)
        }
    }

    impl Owed {
        /// Runs `work` with the check made on the same connection. A write, or a read that
        /// does not name the organisation through the gate, makes the check first and a
        /// refusal is the answer (`work` never runs). A read through the gate runs at once:
        /// when it succeeds, its own statement has shown the key valid; when it fails (a
        /// 404 for an organisation the gate hid, or any other error) the check is made
        /// after it, and a refusal is the answer.
        pub fn around<T, W>(
            self,
            kind: Work,
            conn: &mut DbConnection,
            work: W,
        ) -> Result<Result<T, ApiError>, StoreError>
        where
            W: FnOnce(&mut DbConnection) -> Result<Result<T, ApiError>, StoreError>,
        {
            let Owed { check, gate } = self;
            if kind == Work::Write || gate.is_none() {
                if let Err(refused) = check(conn)? {
                    return Ok(Err(refused));
                }
                return work(conn);
            }
            if let Some(gate) = &gate {
                gate.take_used();
            }
            let answer = work(conn);
            let carried = gate.is_some_and(|gate| gate.take_used());
            if carried && matches!(answer, Ok(Ok(_))) {
                return answer;
            }
            match check(conn)? {
                Err(refused) => Ok(Err(refused)),
                Ok(()) => answer,
            }
        }
    }

    tokio::task_local! {
        static OWED: RefCell<Option<Owed>>;
    }

    /// Runs `f` (the handling of one request) with a place for the check it may owe.
    pub async fn scope<F: Future>(f: F) -> F::Output {
        OWED.scope(RefCell::new(None), f).await
    }

    /// Whether the current task is handling a request that can owe a check.
    pub fn can_owe() -> bool {
        OWED.try_with(|_| ()).is_ok()
    }

    /// Leaves `owed` to the request's first database hand-off (dropped outside [`scope`]:
    /// ask [`can_owe`] first).
    pub fn owe(owed: Owed) {
        let _ = OWED.try_with(|place| *place.borrow_mut() = Some(owed));
    }

    /// The gate of the check the current request owes, if it has one.
    pub fn gate() -> Option<Arc<Gate>> {
        OWED.try_with(|place| place.borrow().as_ref().and_then(|owed| owed.gate.clone()))
            .ok()
            .flatten()
    }

    /// The check the current request still owes, taken so that it is made once.
    pub fn take() -> Option<Owed> {
        OWED.try_with(|place| place.borrow_mut().take())
            .ok()
            .flatten()
    }
}
