//! What this instance keeps in memory between requests — the scorecards it computed, the
//! pages it rendered — held without being known: one shared value per type, made on first
//! use. A route module owns its cache's type (`routes::results::ScorecardCache`,
//! `routes::pages::cache::PageCache`) and asks for it by type, so the shared state sits
//! below every route. A cache tells how well it does through [`CacheCounts`], which the
//! metrics read without knowing the route that owns it.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One instance-wide value of each type asked for; clones share them.
#[derive(Clone, Default)]
pub struct Caches(Arc<Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>>);

impl Caches {
    /// This instance's `C`, made with `Default` the first time it is asked for.
    pub fn get<C: Default + Send + Sync + 'static>(&self) -> Arc<C> {
        let held = {
            let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
            let made = || Arc::new(C::default()) as Arc<dyn Any + Send + Sync>;
            all.entry(TypeId::of::<C>()).or_insert_with(made).clone()
        };
        // The entry under `C`'s type id always holds a `C`.
        held.downcast::<C>()
            .unwrap_or_else(|_| Arc::new(C::default()))
    }
}

/// How often a cache answered from memory and how often it had to make the answer.
pub trait CacheCounts: Send + Sync {
    /// Answers from memory.
    fn hits(&self) -> u64;
    /// Answers that had to be made.
    fn misses(&self) -> u64;
}

/// A cache that is not there: it never answers, so it counts nothing.
#[derive(Debug, Default)]
pub struct NoCache;

impl CacheCounts for NoCache {
    fn hits(&self) -> u64 {
        0
    }
    fn misses(&self) -> u64 {
        0
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[test]
    fn every_clone_shares_one_value_of_each_type() {
        let caches = Caches::default();
        caches.get::<AtomicU32>().fetch_add(1, Ordering::Relaxed);
        caches
            .clone()
            .get::<AtomicU32>()
            .fetch_add(1, Ordering::Relaxed);
        assert_eq!(caches.get::<AtomicU32>().load(Ordering::Relaxed), 2);
        assert!(caches.get::<Mutex<Vec<u8>>>().lock().unwrap().is_empty());
    }
}
