//! Veikart's storage: one diesel code base that runs on PostgreSQL (production) and on an
//! embedded SQLite file (the zero-set-up default).
//!
//! - [`db`] chooses the backend from `DATABASE_URL`, builds the connection pool and runs the
//!   migrations embedded from `migrations/postgres` and `migrations/sqlite`.
//! - [`schema`] is the hand-kept diesel schema, using only column types both backends have.
//! - One module per entity ([`organisations`], [`strategies`], [`goals`], [`check_ins`],
//!   [`plans`], [`focus_areas`], [`kpis`], [`measures`], [`budget_lines`], [`revisions`],
//!   [`audit`]) holds its row types and every query on it; the standard ones are the
//!   traits [`TenantTable`], [`ChildTable`] and [`PlanParts`], implemented for each table's
//!   `Rows` by the `tenant_rows!` macro in `rows.rs`. Every query on a tenant table takes the organisation
//!   ([`Org`]: its id, or its slug resolved inside the same statement) and filters by it:
//!   there is no way to read a row without naming its organisation.
//! - [`scorecards`] reads everything a plan's scorecard is made of (the KPIs measured at
//!   its date among it), for the API to assemble the card without the database.
//! - [`kpi_statuses`] keeps the last status of every KPI of every adopted or published
//!   plan and writes `kpi.status_changed` when the scorecard's computation disagrees.
//! - [`StoreError`] classifies database failures (not found, conflict, unavailable, ...) so
//!   that the API can answer with the right status without knowing diesel.
//!
//! All functions are synchronous; the API calls them on a blocking thread. Every write
//! takes a [`Tx`], so it happens inside a transaction together with its audit entry.

mod rows;

pub mod api_keys;
pub mod audit;
pub mod budget_lines;
pub mod check_ins;
pub mod db;
pub mod documents;
pub mod error;
pub mod events;
pub mod facts;
pub mod facts_by_day;
pub mod focus_areas;
pub mod goals;
pub mod imports;
pub mod kpi_statuses;
pub mod kpis;
pub mod measures;
pub mod organisations;
pub mod page;
pub mod plans;
pub mod published;
pub mod records;
pub mod revisions;
pub mod schema;
pub mod scope;
pub mod scorecards;
pub mod stored;
pub mod strategies;
pub mod webhook_delivery;
pub mod webhooks;

pub use db::{
    Backend, Database, DatabaseUrl, DbConnection, PoolOptions, StatementCounter, Tx,
    by_index_each_time, read_snapshot, write_transaction, write_transaction_telling,
};
pub use error::StoreError;
pub use page::{Page, PageRequest};
pub use rows::{ChildRow, ChildTable, PlanParts, TenantRow, TenantTable};
pub use scope::{KeyGate, Org};
pub use stored::Stored;

/// The current time as stored: UTC, whole microseconds (PostgreSQL's precision), so
/// that both backends store and return the same value.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}
