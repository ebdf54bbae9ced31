//! Black-box tests of the whole service over HTTP, one binary for every suite. They run
//! on SQLite by default and on PostgreSQL when `VEIKART_TEST_POSTGRES_URL` is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation must fail the test loudly"
)]

mod api_keys;
mod audit;
mod auth;
mod concurrency;
mod contract_rules;
mod errors;
mod events;
mod health;
mod import_log;
mod imports;
mod isolation;
mod kpi_status_events;
mod metrics;
mod openapi;
mod organisations;
mod outage;
mod pages;
mod patch_nulls;
mod plan_documents;
mod plan_lifecycle;
mod plan_series;
mod plan_tree;
mod plans;
mod records;
mod request_ids;
mod results;
mod roles;
mod statements;
mod webhook_delivery;
mod webhooks;
