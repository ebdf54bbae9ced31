//! What every handler shares: the database pool and the token verifier.

use std::sync::Arc;

use veikart_store::{DbConnection, Pool, StoreError, Tx};

use crate::auth::Authenticator;
use crate::error::ApiError;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub auth: Arc<Authenticator>,
}

impl AppState {
    /// Runs storage code on a blocking thread with a pooled connection, so that diesel's
    /// synchronous calls never block an actix worker.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let result = actix_web::web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?;
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
}
