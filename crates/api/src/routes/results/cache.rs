//! Each scorecard is computed at most once per data version in this instance: the first
//! request for a plan, date and version computes it while concurrent requests for the
//! same wait for that answer; later requests get it from memory until the organisation's
//! data version moves on. The version is read from the database on every request, so
//! instances sharing a database never serve a scorecard older than the data.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::web::Bytes;
use chrono::NaiveDate;
use tokio::sync::OnceCell;
use veikart_store::plans::DataVersion;

use super::Scorecard;
use crate::cache::CacheCounts;
use crate::error::ApiError;

/// A computed scorecard and its JSON.
pub struct Computed {
    pub card: Scorecard,
    pub json: Bytes,
}

/// Which scorecard: the plan and the date.
type Key = (i64, NaiveDate);

type Slot = (DataVersion, Arc<OnceCell<Arc<Computed>>>);

/// The scorecards of this instance, by plan and date, each for one data version.
#[derive(Default)]
pub struct ScorecardCache {
    slots: Mutex<HashMap<Key, Slot>>,
    computed: AtomicU64,
    /// Answers that computed nothing themselves (from memory, or another request's
    /// computation they waited for).
    hits: AtomicU64,
}

/// More scorecards than this (plans × dates asked for) and the cache starts afresh.
const MAX_SLOTS: usize = 4096;

impl ScorecardCache {
    /// The scorecard of `plan_id` at `as_of` for `version`: from memory, or computed by
    /// `compute` (once, however many requests ask at the same time; a failure is not
    /// kept, so the next request tries again).
    pub async fn get_or_compute<F, Fut>(
        &self,
        plan_id: i64,
        as_of: NaiveDate,
        version: DataVersion,
        compute: F,
    ) -> Result<Arc<Computed>, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Scorecard, ApiError>>,
    {
        let cell = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            let key = (plan_id, as_of);
            match slots.get(&key) {
                Some((v, cell)) if *v == version => cell.clone(),
                _ => {
                    if slots.len() >= MAX_SLOTS {
                        slots.clear();
                    }
                    let cell = Arc::new(OnceCell::new());
                    slots.insert(key, (version, cell.clone()));
                    cell
                }
            }
        };
        let ran = std::cell::Cell::new(false);
        let computed = cell
            .get_or_try_init(|| async {
                ran.set(true);
                let card = compute().await?;
                let json = serde_json::to_vec(&card)
                    .map_err(|e| ApiError::Internal(format!("a scorecard as JSON: {e}")))?;
                self.computed.fetch_add(1, Ordering::Relaxed);
                Ok::<_, ApiError>(Arc::new(Computed {
                    card,
                    json: Bytes::from(json),
                }))
            })
            .await?;
        if !ran.get() {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        Ok(computed.clone())
    }

    /// How many scorecards this instance has computed.
    pub fn computed(&self) -> u64 {
        self.computed.load(Ordering::Relaxed)
    }
}

impl CacheCounts for ScorecardCache {
    /// How many scorecards were answered without computing them.
    fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// How many scorecards had to be computed.
    fn misses(&self) -> u64 {
        self.computed()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU32;

    use veikart_domain::engine::Rollup;

    use super::*;

    fn version(v: i64) -> DataVersion {
        DataVersion {
            org_id: 1,
            org_created_at: chrono::NaiveDateTime::default(),
            version: v,
            changed_at: chrono::NaiveDateTime::default(),
        }
    }

    fn card(data_version: i64) -> Scorecard {
        Scorecard {
            plan_id: 1,
            plan_title: "Plan".into(),
            as_of: NaiveDate::default(),
            data_version,
            rollup: Rollup::default(),
            focus_areas: Vec::new(),
            plan_kpis: Vec::new(),
            goals: Vec::new(),
        }
    }

    #[actix_web::test]
    async fn concurrent_requests_for_one_version_compute_once() {
        let cache = ScorecardCache::default();
        let runs = AtomicU32::new(0);
        let day = NaiveDate::default();
        let runs = &runs;
        let ask = |v: i64| {
            cache.get_or_compute(1, day, version(v), move || async move {
                runs.fetch_add(1, Ordering::SeqCst);
                actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
                Ok(card(v))
            })
        };
        let answers = futures_util::future::join_all((0..8).map(|_| ask(5))).await;
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        let first = answers[0].as_ref().ok().unwrap();
        assert!(
            answers
                .iter()
                .all(|a| Arc::ptr_eq(a.as_ref().ok().unwrap(), first))
        );
        // The same version again comes from memory; a new one is computed.
        ask(5).await.ok().unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(ask(6).await.ok().unwrap().card.data_version, 6);
        assert_eq!((runs.load(Ordering::SeqCst), cache.computed()), (2, 2));
        // Seven waited for the first computation, one found it in memory.
        assert_eq!((cache.hits(), cache.misses()), (8, 2));
    }

    #[actix_web::test]
    async fn a_failed_computation_is_not_kept() {
        let cache = ScorecardCache::default();
        let day = NaiveDate::default();
        let failed = cache
            .get_or_compute(1, day, version(1), || async {
                Err(ApiError::Internal("database gone".into()))
            })
            .await;
        assert!(failed.is_err());
        let card = cache
            .get_or_compute(1, day, version(1), || async { Ok(card(1)) })
            .await;
        assert_eq!(card.ok().unwrap().card.data_version, 1);
    }
}
