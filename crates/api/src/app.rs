//! Building and starting the service: one registration makes both the routes and the
//! OpenAPI document; the same [`Application`] runs in production and in the black-box tests.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Logger, Next, from_fn};
use actix_web::{App, HttpResponse, HttpServer, ResponseError as _, web};
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::auth::{self, AuthSetupError, Authenticator};
use crate::config::Settings;
use crate::error::ApiError;
use crate::event_retention::EventRetention;
use crate::fallback::{RouteTable, not_found_or_not_allowed};
use crate::kpi_status::{Changed, KpiStatusEvaluator};
use crate::observe::metrics::{self, Metrics};
use crate::observe::{MetricsSwitch, around_request};
use crate::openapi::{ApiDoc, apply_conventions};
use crate::routes::{self, health};
use crate::state::{AppState, Placement};
use crate::webhooks::delivery::{Wake, Worker};

pub const OPENAPI_PATH: &str = "/api-docs/openapi.json";
pub const DOCS_PATH: &str = "/docs/";

/// The app with every documented route, and the document those routes make (before the
/// conventions of [`openapi`] are applied: each worker builds the app, and only the
/// document served needs them).
fn documented_app() -> (
    App<
        impl ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<BoxBody>,
            Error = actix_web::Error,
            InitError = (),
        >,
    >,
    OpenApi,
) {
    App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(health::healthz)
        .service(health::readyz)
        .service(scope::scope("/api/v1").configure(routes::configure_v1))
        .split_for_parts()
}

/// The OpenAPI document, as served at `/api-docs/openapi.json` and committed as
/// `openapi/openapi.json`.
pub fn openapi() -> OpenApi {
    let mut doc = documented_app().1;
    apply_conventions(&mut doc);
    doc
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Database(#[from] veikart_store::StoreError),
    #[error("tokens: {0}")]
    Auth(#[from] AuthSetupError),
    #[error("cannot listen on {bind}: {source}")]
    Bind {
        bind: String,
        source: std::io::Error,
    },
    #[error("metrics: {0}")]
    Metrics(#[from] metrics_exporter_prometheus::BuildError),
    #[error("webhooks: the HTTP client cannot be built: {0}")]
    WebhookClient(reqwest::Error),
}

/// A configured, listening server (not yet running).
pub struct Application {
    server: Server,
    port: u16,
    migrations: Vec<String>,
    metrics: Option<MetricsListener>,
    /// The events' retention, applied while the server runs.
    retention: (EventRetention, veikart_store::Database),
    /// The webhook delivery worker, run while the server runs (unless turned off).
    deliveries: Option<Worker>,
    /// Evaluates KPI statuses after writes and daily while the server runs.
    evaluator: KpiStatusEvaluator,
}

/// The webhook settings with their sealing key (a warning when there is none).
fn webhooks_of(settings: &Settings) -> crate::webhooks::WebhookSettings {
    let webhooks = settings
        .webhooks
        .clone()
        .with_key_from(settings.jwt.secret.as_deref());
    if webhooks.key.is_none() {
        log::warn!(
            "webhooks: no VEIKART_WEBHOOK_KEY and no JWT secret to derive one from; \
             webhook endpoints cannot be created or rotated"
        );
    }
    webhooks
}

/// The webhook delivery worker, on a pool of its own: deliveries never wait for a
/// request's connection nor a request for theirs, and the statements they send are not
/// counted with the requests'.
fn delivery_worker(
    settings: &Settings,
    webhooks: &crate::webhooks::WebhookSettings,
    wake: Wake,
) -> Result<Option<Worker>, StartupError> {
    let delivery = settings.webhook_delivery.clone();
    if !delivery.enabled {
        return Ok(None);
    }
    let pool = veikart_store::PoolOptions {
        max_connections: u32::try_from(delivery.concurrency + 1).unwrap_or(u32::MAX),
        statement_counter: None,
        ..settings.pool.clone()
    };
    let database = veikart_store::db::database(&settings.database_url, pool);
    Worker::new(database, delivery, webhooks, wake)
        .map(Some)
        .map_err(StartupError::WebhookClient)
}

/// The second server, for `GET /metrics` only.
struct MetricsListener {
    server: Server,
    port: u16,
    metrics: Arc<Metrics>,
}

/// How often the histograms are compacted when no one scrapes them.
const METRICS_UPKEEP: std::time::Duration = std::time::Duration::from_secs(5);

impl Application {
    /// Migrates the database, checks the token keys and binds the listener. Fails with a
    /// clear error when the database is unreachable or no usable key is configured.
    pub fn build(settings: Settings) -> Result<Self, StartupError> {
        let mut conn = veikart_store::db::connect(&settings.database_url)?;
        let migrations = veikart_store::db::migrate(&mut conn)?;
        drop(conn);

        let auth = Arc::new(Authenticator::new(&settings.jwt)?);
        let database = veikart_store::db::database(&settings.database_url, settings.pool.clone());
        // Once before serving (so no request meets it), then periodically while running.
        if let Err(e) = settings.event_retention.prune_now(&database) {
            log::warn!("events: pruning at start failed, tried again later: {e}");
        }
        let retention = (settings.event_retention, database.clone());
        let webhooks = webhooks_of(&settings);
        let wake = Wake::default();
        let deliveries = delivery_worker(&settings, &webhooks, wake.clone())?;
        let changed = Changed::default();
        let evaluator = start_evaluator(&settings, changed.clone());
        let mut state = AppState {
            database,
            auth,
            caches: Default::default(),
            metrics: MetricsSwitch::default(),
            webhooks,
            deliveries: wake,
            changed,
            reads: settings.reads,
        };
        let metrics = match &settings.metrics_bind {
            Some(bind) => Some(MetricsListener::bind(bind, &state)?),
            None => None,
        };
        state.metrics = MetricsSwitch(metrics.as_ref().map(|m| m.metrics.clone()));

        let bind_error = |source| StartupError::Bind {
            bind: settings.bind.clone(),
            source,
        };
        let listener = TcpListener::bind(&settings.bind).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();

        let server = http_server(&settings, listener, state).map_err(bind_error)?;
        Ok(Self {
            server,
            port,
            migrations,
            metrics,
            retention,
            deliveries,
            evaluator,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port `GET /metrics` listens on, when the metrics are on.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|m| m.port)
    }

    /// The migrations applied at start (empty when the database was current).
    pub fn applied_migrations(&self) -> &[String] {
        &self.migrations
    }

    pub fn server_handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until the API server stops (the metrics listener, the pruning of old events
    /// and the KPI status evaluator stop with it).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let (retention, database) = self.retention;
        let pruning = actix_web::rt::spawn(retention.prune_periodically(database));
        let deliveries = self.deliveries.map(|w| actix_web::rt::spawn(w.run()));
        let after_writes = actix_web::rt::spawn(self.evaluator.clone().after_writes());
        let daily = actix_web::rt::spawn(self.evaluator.daily());
        let result = serve(self.server, self.metrics).await;
        pruning.abort();
        after_writes.abort();
        daily.abort();
        if let Some(deliveries) = deliveries {
            deliveries.abort();
        }
        result
    }
}

/// The KPI status evaluator, after it has evaluated every watched organisation once
/// (before the server serves, so that a change while it was down is told now).
fn start_evaluator(settings: &Settings, changed: Changed) -> KpiStatusEvaluator {
    let evaluator = KpiStatusEvaluator::new(
        &settings.database_url,
        &settings.pool,
        changed,
        settings.kpi_status,
    );
    match evaluator.evaluate_all_now() {
        Ok(0) => {}
        Ok(n) => log::info!("KPI statuses: {n} change(s) at start"),
        Err(e) => log::warn!("KPI statuses: the evaluation at start failed: {e}"),
    }
    evaluator
}

/// Serves the API until it stops, and the metrics beside it when they are on.
async fn serve(server: Server, metrics: Option<MetricsListener>) -> std::io::Result<()> {
    let Some(listener) = metrics else {
        return server.await;
    };
    let handle = listener.server.handle();
    let metrics_server = actix_web::rt::spawn(listener.server);
    let metrics = listener.metrics;
    let upkeep = actix_web::rt::spawn(async move {
        loop {
            actix_web::rt::time::sleep(METRICS_UPKEEP).await;
            metrics.upkeep();
        }
    });
    let result = server.await;
    handle.stop(true).await;
    upkeep.abort();
    let _ = metrics_server.await;
    result
}

impl MetricsListener {
    fn bind(bind: &str, state: &AppState) -> Result<Self, StartupError> {
        let bind_error = |source| StartupError::Bind {
            bind: bind.to_owned(),
            source,
        };
        let listener = TcpListener::bind(bind).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        let metrics = Arc::new(Metrics::new(metrics::Sources {
            database: state.database.clone(),
            scorecards: state.caches.get::<routes::results::ScorecardCache>(),
            pages: state.caches.get::<routes::pages::cache::PageCache>(),
        })?);
        let server = metrics::serve(listener, metrics.clone()).map_err(bind_error)?;
        Ok(Self {
            server,
            port,
            metrics,
        })
    }
}

/// The access log: one line per request, ending with the request's id (the response's
/// `X-Request-Id`), as every line logged while handling it does.
const ACCESS_LOG: &str = "%a \"%r\" %s %b %Dms request_id=%{X-Request-Id}o";

/// A path parameter that does not parse: 400, except that a literal route
/// (`/plans/import`) read as a parameter (`/plans/{id}`) with the wrong method is a 405.
fn bad_path(e: actix_web::error::PathError, req: &actix_web::HttpRequest) -> actix_web::Error {
    let not_allowed = req
        .app_data::<web::Data<RouteTable>>()
        .and_then(|table| table.method_not_allowed(req));
    not_allowed
        .unwrap_or_else(|| ApiError::BadRequest(format!("invalid path parameter: {e}")))
        .into()
}

fn bad_query(
    e: actix_web::error::QueryPayloadError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::BadRequest(format!("invalid query parameter: {e}")).into()
}

/// The HTTP server of the API and the pages on `listener`: every route, the docs, the
/// shared state and the middleware around each request, on the configured workers.
fn http_server(
    settings: &Settings,
    listener: TcpListener,
    state: AppState,
) -> std::io::Result<Server> {
    let doc = openapi();
    let routes = web::Data::new(RouteTable::from_openapi(&doc));
    let doc_json = web::Bytes::from(serde_json::to_vec(&doc).map_err(std::io::Error::other)?);
    drop(doc);
    let state = web::Data::new(state);
    let body_limit = web::Data::new(settings.body_limit);
    let import_body_limit = web::Data::new(settings.import_body_limit);
    let mut server = HttpServer::new(move || {
        let (app, _) = documented_app();
        app.app_data(state.clone())
            .app_data(body_limit.clone())
            .app_data(import_body_limit.clone())
            .app_data(routes.clone())
            .app_data(web::PathConfig::default().error_handler(bad_path))
            .app_data(web::QueryConfig::default().error_handler(bad_query))
            .configure(|cfg| docs(cfg, doc_json.clone()))
            .configure(routes::pages::configure)
            .default_service(web::to(not_found_or_not_allowed))
            .wrap(from_fn(auth::deferred::verify_after_handler))
            .wrap(from_fn(refuse_nul_in_url))
            .wrap(from_fn(around_request))
            .wrap(Logger::new(ACCESS_LOG))
    })
    .listen(listener)?;
    let workers = settings
        .workers
        .unwrap_or_else(|| default_workers(settings.reads));
    server = server.workers(workers);
    Ok(server.run())
}

/// Worker threads when none are configured: one per core when reads are handed off; two
/// per core when short reads run on the worker, so that a worker waiting for its
/// statement's answer leaves its core to another (docs/benchmarks.md, "CPU per request").
fn default_workers(reads: Placement) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match reads {
        Placement::InlineWhenIdle => 2 * cores,
        Placement::HandedOff => cores,
    }
}

/// The interactive API docs at `/docs/` (and `/docs` redirecting there), offline, and the
/// OpenAPI document they read, written once for every worker (`doc_json`).
fn docs(cfg: &mut web::ServiceConfig, doc_json: web::Bytes) {
    cfg.service(
        SwaggerUi::new("/docs/{_:.*}").config(Config::new([OPENAPI_PATH]).validator_url("none")),
    )
    .route(
        OPENAPI_PATH,
        web::get().to(move || {
            let body = doc_json.clone();
            async move {
                HttpResponse::Ok()
                    .content_type(actix_web::http::header::ContentType::json())
                    .body(body)
            }
        }),
    )
    .route(
        "/docs",
        web::get().to(|| async {
            HttpResponse::PermanentRedirect()
                .insert_header(("Location", DOCS_PATH))
                .finish()
        }),
    );
}

/// A NUL character (`%00`) in the path or query can never name anything, and PostgreSQL
/// cannot even compare text containing one: refuse it up front for every route (with an
/// answer rather than an error, so the access log has its line).
async fn refuse_nul_in_url(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let uri = req.uri().to_string().to_ascii_lowercase();
    if uri.contains("%00") || uri.contains('\0') {
        let refusal = ApiError::BadRequest(match parameter_with_nul(req.query_string()) {
            Some(name) => {
                format!("the query parameter `{name}` must not contain NUL characters (%00)")
            }
            None => "the URL must not contain NUL characters (%00)".into(),
        });
        return Ok(req
            .into_response(refusal.error_response())
            .map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// The first query parameter whose value holds a NUL character, by its name.
fn parameter_with_nul(query: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(_, value)| value.contains('\0'))
        .map(|(name, _)| name.into_owned())
}
