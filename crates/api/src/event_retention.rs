//! How long events are kept: at least [`EventRetention::keep`] (30 days by default), after
//! which the service removes them. Each instance prunes once when it starts and then every
//! [`EventRetention::every`]; pruning is one short transaction (see
//! `veikart_store::events::prune`), so instances sharing a database may prune at the same
//! time: one removes, the other finds nothing left (or fails its round, and logs it).

use std::time::Duration;

use veikart_store::{Database, StoreError};

/// The retention of events and how often it is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRetention {
    /// Events older than this are removed (`VEIKART_EVENTS_RETENTION_DAYS`, default 30).
    pub keep: Duration,
    /// How often an instance prunes after its start (hourly).
    pub every: Duration,
}

impl Default for EventRetention {
    fn default() -> Self {
        Self {
            keep: Duration::from_secs(DEFAULT_DAYS * DAY),
            every: Duration::from_secs(3600),
        }
    }
}

const DEFAULT_DAYS: u64 = 30;
const DAY: u64 = 86_400;
/// The environment variable that sets [`EventRetention::keep`], in whole days.
pub const RETENTION_DAYS_ENV: &str = "VEIKART_EVENTS_RETENTION_DAYS";

impl EventRetention {
    /// The default retention, with `keep` from `VEIKART_EVENTS_RETENTION_DAYS` when set
    /// (whole days; 0 keeps no event past the next pruning, for tests).
    pub fn from_env() -> Result<Self, String> {
        let Ok(days) = std::env::var(RETENTION_DAYS_ENV) else {
            return Ok(Self::default());
        };
        let days: u64 = days.trim().parse().map_err(|_| {
            format!("{RETENTION_DAYS_ENV} must be a whole number of days, not `{days}`")
        })?;
        let keep = days
            .checked_mul(DAY)
            .map(Duration::from_secs)
            .ok_or_else(|| format!("{RETENTION_DAYS_ENV} is too large"))?;
        Ok(Self {
            keep,
            ..Self::default()
        })
    }

    /// Removes the events older than the retention, now; returns how many.
    pub fn prune_now(&self, database: &Database) -> Result<usize, StoreError> {
        let keep = chrono::Duration::from_std(self.keep).unwrap_or(chrono::Duration::MAX);
        let cutoff = veikart_store::now()
            .checked_sub_signed(keep)
            .unwrap_or(chrono::NaiveDateTime::MIN);
        database.run(|conn| veikart_store::events::prune(conn, cutoff))
    }

    /// Prunes every [`EventRetention::every`], for as long as the server runs (the task is
    /// dropped with it). A failed round is logged and tried again at the next.
    pub async fn prune_periodically(self, database: Database) {
        loop {
            actix_web::rt::time::sleep(self.every).await;
            let database = database.clone();
            let pruned = actix_web::web::block(move || self.prune_now(&database)).await;
            match pruned {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => log::info!("events: removed {n} older than the retention"),
                Ok(Err(e)) => log::warn!("events: pruning failed, tried again later: {e}"),
                Err(e) => log::warn!("events: pruning was cancelled: {e}"),
            }
        }
    }
}
