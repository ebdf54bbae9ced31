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
}

impl AppState {
    /// Runs storage code on a blocking thread with a pooled connection, so that diesel's
    /// synchronous calls never block an actix worker.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
    {
        let database = self.database.clone();
        let result = actix_web::web::block(move || database.run(f)).await?;
        Ok(result?)
    }

    /// Runs storage code in one write transaction on a blocking thread: everything it
    /// writes commits together, or nothing does.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        self.db(move |conn| veikart_store::write_transaction(conn, f))
            .await
    }

    /// [`AppState::write`] for work that may also fail for reasons of its own (an
    /// [`ApiError`]): any error undoes the whole transaction.
    pub async fn write_or_undo<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        let database = self.database.clone();
        let result = actix_web::web::block(move || {
            database.run(move |conn| Ok(veikart_store::write_transaction(conn, f)))
        })
        .await?;
        result?
    }
}
