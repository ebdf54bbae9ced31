//! Rendered pages kept per data version in this instance: a page asked for again, before
//! the organisation's data changes, costs the one statement that reads the data version
//! and a copy of the bytes — as a warm scorecard does. The version is read from the
//! shared database on every request, so no instance serves a page older than the data.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use veikart_store::plans::DataVersion;

use super::http::Rendered;
use super::lang::Lang;
use crate::cache::CacheCounts;

/// Which page: of which plan, which kind (with its focus area or KPI), date and language.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub org_id: i64,
    pub plan_id: i64,
    pub kind: PageKind,
    pub as_of: NaiveDate,
    pub lang: Lang,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageKind {
    Progress,
    Report,
    Embed { focus_area: Option<i64> },
    Badge { kpi_id: i64 },
}

impl PageKind {
    /// The kind as it appears in the page's ETag.
    pub fn tag(self) -> String {
        match self {
            PageKind::Progress => "page".into(),
            PageKind::Report => "report".into(),
            PageKind::Embed { focus_area: None } => "embed".into(),
            PageKind::Embed {
                focus_area: Some(id),
            } => format!("embed{id}"),
            PageKind::Badge { kpi_id } => format!("badge{kpi_id}"),
        }
    }
}

/// More pages than this and the cache starts afresh.
const MAX_PAGES: usize = 4096;

/// The pages this instance has rendered, each for one data version.
#[derive(Default)]
pub struct PageCache {
    pages: Mutex<HashMap<PageKey, (DataVersion, Arc<Rendered>)>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl PageCache {
    /// The page rendered for `version`, if this instance has it.
    pub fn get(&self, key: &PageKey, version: DataVersion) -> Option<Arc<Rendered>> {
        let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        let page = match pages.get(key) {
            Some((v, page)) if *v == version => Some(page.clone()),
            _ => None,
        };
        let counter = if page.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        page
    }

    pub fn put(&self, key: PageKey, version: DataVersion, page: Arc<Rendered>) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if pages.len() >= MAX_PAGES {
            pages.clear();
        }
        pages.insert(key, (version, page));
    }
}

impl CacheCounts for PageCache {
    /// How many pages were answered from memory.
    fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// How many pages were asked for and not in memory.
    fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }
}
