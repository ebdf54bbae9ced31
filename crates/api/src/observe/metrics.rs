//! The service's own metrics in the Prometheus text format, on a listener of their own
//! (`VEIKART_METRICS_BIND`, off unless set), named after the OpenTelemetry HTTP semantic
//! conventions where they apply.
//!
//! Each [`Application`](crate::Application) has its own recorder (no global one): the
//! black-box tests run many servers in one process, and a process-wide recorder would
//! mix their counts or refuse to be installed twice. So nothing here uses the `metrics`
//! macros; the recorder's handles are asked for directly. Figures other parts of the
//! service already keep (the pool's state, the caches' hits and misses) are read when
//! `/metrics` is scraped rather than counted twice.
//!
//! No label ever holds an organisation, a user, an id or a raw path: `http_route` is the
//! route's template, and a path no route matches is `unmatched`.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::http::{Method, StatusCode};
use actix_web::{App, HttpResponse, HttpServer, web};
use metrics::{Key, KeyName, Label, Level, Metadata, Recorder, SharedString, Unit};
use metrics_exporter_prometheus::{
    BuildError, Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use veikart_store::Database;

use crate::cache::CacheCounts;

/// The OpenTelemetry conventions' buckets for `http.server.request.duration`, in seconds.
pub const HTTP_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];
/// Imports take from milliseconds to minutes.
const IMPORT_BUCKETS: [f64; 12] = [
    0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];

pub const HTTP_DURATION: &str = "http_server_request_duration_seconds";
const IMPORT_DURATION: &str = "veikart_import_duration_seconds";
const IMPORT_ROWS: &str = "veikart_import_rows_total";
const OUTAGES: &str = "veikart_unavailable_responses_total";
const BUILD_INFO: &str = "veikart_build_info";
const POOL_MAX: &str = "veikart_db_pool_connections_max";
const POOL_IN_USE: &str = "veikart_db_pool_connections_in_use";
const POOL_IDLE: &str = "veikart_db_pool_connections_idle";
const POOL_WAITS: &str = "veikart_db_pool_waits_total";
const SCORECARD_HITS: &str = "veikart_scorecard_cache_hits_total";
const SCORECARD_MISSES: &str = "veikart_scorecard_cache_misses_total";
const PAGE_HITS: &str = "veikart_page_cache_hits_total";
const PAGE_MISSES: &str = "veikart_page_cache_misses_total";

static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

/// What the metrics read when scraped.
pub struct Sources {
    pub database: Database,
    /// The scorecard cache (`routes::results`), by its counts.
    pub scorecards: Arc<dyn CacheCounts>,
    /// The web pages' cache (`routes::pages`), by its counts.
    pub pages: Arc<dyn CacheCounts>,
}

/// How an import ended, as its duration's `result` label.
#[derive(Debug, Clone, Copy)]
pub enum ImportResult {
    Written,
    DryRun,
    Failed,
}

/// One application's metrics.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    sources: Sources,
}

impl Metrics {
    pub fn new(sources: Sources) -> Result<Self, BuildError> {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), &HTTP_BUCKETS)?
            .set_buckets_for_metric(Matcher::Full(IMPORT_DURATION.into()), &IMPORT_BUCKETS)?
            .build_recorder();
        let handle = recorder.handle();
        let metrics = Self {
            recorder,
            handle,
            sources,
        };
        metrics.describe();
        let version = Label::new("version", env!("CARGO_PKG_VERSION"));
        metrics.gauge(BUILD_INFO, vec![version]).set(1.0);
        // Shown as 0 from the start, so an alert on its rate has a series to watch.
        metrics.counter(OUTAGES, Vec::new()).increment(0);
        Ok(metrics)
    }

    /// One answered request: its route template (`None`: no route matched), method,
    /// status and duration.
    pub fn request(
        &self,
        route: Option<&str>,
        method: &Method,
        status: StatusCode,
        time: Duration,
    ) {
        let labels = vec![
            Label::new(
                "http_route",
                route.map_or_else(|| "unmatched".to_owned(), str::to_owned),
            ),
            Label::new("http_request_method", method_label(method)),
            Label::new("http_response_status_code", status.as_u16().to_string()),
        ];
        let key = Key::from_parts(HTTP_DURATION, labels);
        self.recorder
            .register_histogram(&key, &METADATA)
            .record(time.as_secs_f64());
        if status == StatusCode::SERVICE_UNAVAILABLE {
            self.counter(OUTAGES, Vec::new()).increment(1);
        }
    }

    /// One import of `kind`: how it ended, its rows by outcome (written imports only)
    /// and its duration.
    pub fn import(&self, kind: &'static str, result: ImportResult, rows: [u64; 3], time: Duration) {
        let result_label = match result {
            ImportResult::Written => "written",
            ImportResult::DryRun => "dry_run",
            ImportResult::Failed => "failed",
        };
        let labels = vec![Label::new("kind", kind), Label::new("result", result_label)];
        self.recorder
            .register_histogram(&Key::from_parts(IMPORT_DURATION, labels), &METADATA)
            .record(time.as_secs_f64());
        if let ImportResult::Written = result {
            for (outcome, n) in ["created", "updated", "unchanged"].into_iter().zip(rows) {
                let labels = vec![Label::new("kind", kind), Label::new("outcome", outcome)];
                self.counter(IMPORT_ROWS, labels).increment(n);
            }
        }
    }

    /// The exposition, with the pool and the caches read now.
    pub fn render(&self) -> String {
        self.sample();
        self.handle.render()
    }

    /// Keeps the histograms' memory bounded between scrapes (a few seconds apart).
    pub fn upkeep(&self) {
        self.handle.run_upkeep();
    }

    fn sample(&self) {
        let pool = self.sources.database.pool_stats();
        self.gauge(POOL_MAX, Vec::new())
            .set(f64::from(pool.max_connections));
        self.gauge(POOL_IN_USE, Vec::new())
            .set(f64::from(pool.in_use));
        self.gauge(POOL_IDLE, Vec::new()).set(f64::from(pool.idle));
        self.counter(POOL_WAITS, Vec::new()).absolute(pool.waits);
        let scorecards = &self.sources.scorecards;
        self.counter(SCORECARD_HITS, Vec::new())
            .absolute(scorecards.hits());
        self.counter(SCORECARD_MISSES, Vec::new())
            .absolute(scorecards.misses());
        let pages = &self.sources.pages;
        self.counter(PAGE_HITS, Vec::new()).absolute(pages.hits());
        self.counter(PAGE_MISSES, Vec::new())
            .absolute(pages.misses());
    }

    fn counter(&self, name: &'static str, labels: Vec<Label>) -> metrics::Counter {
        self.recorder
            .register_counter(&Key::from_parts(name, labels), &METADATA)
    }

    fn gauge(&self, name: &'static str, labels: Vec<Label>) -> metrics::Gauge {
        self.recorder
            .register_gauge(&Key::from_parts(name, labels), &METADATA)
    }

    /// Gives each metric its help text and unit, from [`HISTOGRAMS`], [`COUNTERS`] and
    /// [`GAUGES`].
    fn describe(&self) {
        let name = KeyName::from_const_str;
        let text = SharedString::const_str;
        for (metric, unit, help) in HISTOGRAMS {
            self.recorder
                .describe_histogram(name(metric), unit, text(help));
        }
        for (metric, help) in COUNTERS {
            self.recorder
                .describe_counter(name(metric), None, text(help));
        }
        for (metric, help) in GAUGES {
            self.recorder.describe_gauge(name(metric), None, text(help));
        }
    }
}

/// The histograms, with their units and help texts.
const HISTOGRAMS: [(&str, Option<Unit>, &str); 2] = [
    (
        HTTP_DURATION,
        Some(Unit::Seconds),
        "Duration of HTTP requests, by route template, method and status.",
    ),
    (
        IMPORT_DURATION,
        Some(Unit::Seconds),
        "Duration of imports, by kind and result (written, dry_run, failed).",
    ),
];

/// The counters, with their help texts.
const COUNTERS: [(&str, &str); 7] = [
    (
        IMPORT_ROWS,
        "Rows written by imports, by kind and outcome (created, updated, unchanged).",
    ),
    (
        OUTAGES,
        "Answers 503 because the database could not be reached.",
    ),
    (
        POOL_WAITS,
        "Database connection checkouts that found every connection in use.",
    ),
    (
        SCORECARD_HITS,
        "Scorecards answered from this instance's cache.",
    ),
    (
        SCORECARD_MISSES,
        "Scorecards computed (not in this instance's cache).",
    ),
    (PAGE_HITS, "Web pages answered from this instance's cache."),
    (
        PAGE_MISSES,
        "Web pages rendered (not in this instance's cache).",
    ),
];

/// The gauges, with their help texts.
const GAUGES: [(&str, &str); 4] = [
    (
        BUILD_INFO,
        "Always 1; the version of the running build is its label.",
    ),
    (
        POOL_MAX,
        "The most database connections this instance opens.",
    ),
    (POOL_IN_USE, "Database connections in use by a request."),
    (
        POOL_IDLE,
        "Open database connections waiting for a request.",
    ),
];

/// The method as the conventions name it: the standard ones by name, any other `_OTHER`
/// (a client cannot add series by inventing methods).
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ];
    KNOWN
        .into_iter()
        .find(|known| *known == method.as_str())
        .unwrap_or("_OTHER")
}

/// The metrics listener: `GET /metrics` and nothing else, on one worker.
pub fn serve(listener: TcpListener, metrics: Arc<Metrics>) -> std::io::Result<Server> {
    let metrics = web::Data::from(metrics);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(metrics.clone())
            .route("/metrics", web::get().to(scrape))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}

async fn scrape(metrics: web::Data<Metrics>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics() -> Metrics {
        let url = veikart_store::DatabaseUrl::parse(Some("unused.db"));
        let database = veikart_store::db::database(&url, Default::default());
        Metrics::new(Sources {
            database,
            scorecards: Arc::new(crate::cache::NoCache),
            pages: Arc::new(crate::cache::NoCache),
        })
        .unwrap()
    }

    #[test]
    fn outages_and_imports_are_counted() {
        let metrics = metrics();
        let second = Duration::from_secs(1);
        for status in [StatusCode::OK, StatusCode::SERVICE_UNAVAILABLE] {
            metrics.request(Some("/readyz"), &Method::GET, status, second);
        }
        metrics.import("members", ImportResult::Written, [3, 2, 1], second);
        metrics.import("members", ImportResult::DryRun, [9, 9, 9], second);
        let text = metrics.render();
        for line in [
            "veikart_unavailable_responses_total 1",
            "veikart_import_rows_total{kind=\"members\",outcome=\"created\"} 3",
            "veikart_import_rows_total{kind=\"members\",outcome=\"unchanged\"} 1",
            "veikart_import_duration_seconds_count{kind=\"members\",result=\"dry_run\"} 1",
            "veikart_build_info{version=\"0.1.0\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
        }
    }

    #[test]
    fn two_applications_keep_their_own_counts() {
        let (one, two) = (metrics(), metrics());
        one.request(
            None,
            &Method::GET,
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::ZERO,
        );
        assert!(
            one.render()
                .contains("veikart_unavailable_responses_total 1")
        );
        assert!(
            two.render()
                .contains("veikart_unavailable_responses_total 0")
        );
    }

    #[test]
    fn unknown_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        assert_eq!(
            method_label(&Method::from_bytes(b"BREW").unwrap()),
            "_OTHER"
        );
    }
}
