//! `veikart`: run the service and its chores from one binary.
//!
//! - `serve` migrates the database and serves the API (default `127.0.0.1:8080`);
//! - `migrate` only applies the migrations;
//! - `token` mints an HS256 token with the configured or generated secret;
//! - `openapi` prints the OpenAPI document (committed as `openapi/openapi.json`).

use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use veikart_api::auth::{Authenticator, JwtConfig, SecretSource};
use veikart_api::config::{parse_duration, resolve_jwt};
use veikart_api::json::BodyLimit;
use veikart_api::routes::imports::ImportBodyLimit;
use veikart_api::webhooks::{SealingKey, WebhookSettings};
use veikart_api::{Application, Settings};
use veikart_domain::Role;
use veikart_store::{DatabaseUrl, PoolOptions};

#[derive(Parser)]
#[command(
    name = "veikart",
    version,
    about = "Veikart: strategy and action plans as live, measurable goals"
)]
struct Cli {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct DatabaseArgs {
    /// `postgres://…` for PostgreSQL; a file path or `sqlite://path` for SQLite.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "veikart.db",
        global = true
    )]
    database_url: String,
}

#[derive(Args, Clone)]
struct KeyArgs {
    /// HS256 secret (at least 32 bytes). Without any key on SQLite, one is generated and
    /// kept beside the database file.
    #[arg(long, env = "VEIKART_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// PEM public key (RSA → RS256, Ed25519 → EdDSA), or the path of a PEM file.
    #[arg(long, env = "VEIKART_JWT_PUBLIC_KEY")]
    jwt_public_key: Option<String>,
    /// When set, tokens must carry this `iss`.
    #[arg(long, env = "VEIKART_JWT_ISSUER")]
    jwt_issuer: Option<String>,
    /// When set, tokens must carry this `aud`.
    #[arg(long, env = "VEIKART_JWT_AUDIENCE")]
    jwt_audience: Option<String>,
}

#[derive(Args, Clone)]
struct WebhookArgs {
    /// Accept plain `http` webhook endpoint URLs (default: `https` only).
    #[arg(long, env = "VEIKART_WEBHOOKS_ALLOW_HTTP")]
    webhooks_allow_http: bool,
    /// Accept webhook endpoints on 127.0.0.0/8 and ::1 (no other private address), for
    /// tests and development. Never set this in production.
    #[arg(long, env = "VEIKART_WEBHOOKS_ALLOW_LOOPBACK")]
    webhooks_allow_loopback: bool,
    /// The key webhook secrets are sealed with: base64 of 32 bytes. Unset, it is derived
    /// from the JWT secret (rotating that secret then makes stored webhook secrets
    /// unreadable).
    #[arg(long, env = "VEIKART_WEBHOOK_KEY", hide_env_values = true)]
    webhook_key: Option<String>,
}

impl WebhookArgs {
    fn settings(self) -> Result<WebhookSettings, String> {
        let key = match self.webhook_key.filter(|k| !k.trim().is_empty()) {
            Some(key) => Some(SealingKey::from_base64(&key).map_err(|e| e.to_string())?),
            None => None,
        };
        Ok(WebhookSettings {
            allow_http: self.webhooks_allow_http,
            allow_loopback: self.webhooks_allow_loopback,
            key,
        })
    }
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve the API.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "VEIKART_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Largest accepted request body, in bytes.
        #[arg(long, env = "VEIKART_BODY_LIMIT", default_value_t = BodyLimit::default().0)]
        body_limit: usize,
        /// Largest accepted import body (`POST …/imports/{kind}`), in bytes.
        #[arg(long, env = "VEIKART_IMPORT_BODY_LIMIT", default_value_t = ImportBodyLimit::default().0)]
        import_body_limit: usize,
        /// Database connections per instance.
        #[arg(long, env = "VEIKART_DB_POOL_SIZE", default_value_t = PoolOptions::default().max_connections)]
        pool_size: u32,
        /// Worker threads (default: two per core with inline reads, else one per core).
        #[arg(long, env = "VEIKART_WORKERS")]
        workers: Option<usize>,
        /// Serve the metrics (Prometheus text format, `GET /metrics`) on this address,
        /// e.g. 127.0.0.1:9464; unset, there are none.
        #[arg(long, env = "VEIKART_METRICS_BIND")]
        metrics_bind: Option<String>,
        /// Run short reads on the request's worker thread when a database connection is
        /// idle (`true`), or always hand them to a blocking thread (`false`).
        #[arg(long, env = "VEIKART_INLINE_READS", default_value_t = true, action = clap::ArgAction::Set)]
        inline_reads: bool,
        /// Load the demo organisation `innovasjon-gardermoen` with its action plan 2022 and
        /// its records of 2022 when the database is empty, and print an admin token for it.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        webhooks: WebhookArgs,
        #[command(flatten)]
        keys: KeyArgs,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Print a signed token (HS256) on stdout.
    Token {
        /// The organisation's slug (not needed for platform_admin).
        #[arg(long)]
        org: Option<String>,
        /// viewer, editor, admin or platform_admin.
        #[arg(long, value_parser = |s: &str| s.parse::<Role>())]
        role: Role,
        /// Who the token speaks for (recorded in the audit trail).
        #[arg(long, default_value = "veikart-cli")]
        sub: String,
        /// Lifetime, e.g. 90s, 15m, 1h, 7d.
        #[arg(long, default_value = "1h", value_parser = parse_duration)]
        ttl: Duration,
        #[command(flatten)]
        keys: KeyArgs,
    },
    /// Print the OpenAPI document.
    Openapi,
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let url = DatabaseUrl::parse(Some(&cli.database.database_url));
    let result = match cli.command {
        Command::Serve {
            bind,
            body_limit,
            import_body_limit,
            pool_size,
            workers,
            metrics_bind,
            inline_reads,
            demo,
            webhooks,
            keys,
        } => serve(
            url,
            ServeOptions {
                bind,
                body_limit,
                import_body_limit,
                pool_size,
                workers,
                metrics_bind,
                inline_reads,
                demo,
                webhooks,
            },
            keys,
        ),
        Command::Migrate => migrate(&url),
        Command::Token {
            org,
            role,
            sub,
            ttl,
            keys,
        } => token(&url, org, role, &sub, ttl, keys),
        Command::Openapi => serde_json::to_string_pretty(&veikart_api::openapi())
            .map(|json| println!("{json}"))
            .map_err(|e| e.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("veikart: {message}");
            ExitCode::FAILURE
        }
    }
}

fn jwt_config(keys: KeyArgs) -> Result<JwtConfig, String> {
    let public_key_pem = match keys.jwt_public_key {
        Some(value) if value.trim_start().starts_with("-----BEGIN") => Some(value),
        Some(path) => Some(
            std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read the public key file {path}: {e}"))?,
        ),
        None => None,
    };
    Ok(JwtConfig {
        secret: keys.jwt_secret.map(String::into_bytes),
        public_key_pem,
        issuer: keys.jwt_issuer,
        audience: keys.jwt_audience,
    })
}

struct ServeOptions {
    bind: String,
    body_limit: usize,
    import_body_limit: usize,
    pool_size: u32,
    workers: Option<usize>,
    metrics_bind: Option<String>,
    inline_reads: bool,
    demo: bool,
    webhooks: WebhookArgs,
}

/// Builds the application (which migrates the database), loads the demo when asked,
/// says where everything is, and serves until stopped.
fn serve(url: DatabaseUrl, options: ServeOptions, keys: KeyArgs) -> Result<(), String> {
    let (jwt, secret_source) = resolve_jwt(&url, jwt_config(keys)?).map_err(|e| e.to_string())?;
    let demo = options.demo;
    let mut settings = settings(url.clone(), options, jwt.clone())?;
    settings.event_retention = veikart_api::event_retention::EventRetention::from_env()?;
    settings.webhook_delivery = veikart_api::webhooks::delivery::DeliverySettings::from_env()?;
    settings.kpi_status.clock = veikart_api::time::Clock::from_env()?;
    let metrics_bind = settings.metrics_bind.clone();
    let bind = settings.bind.clone();
    let app = Application::build(settings).map_err(|e| e.to_string())?;
    // After the build, which migrated the database.
    let demo_plan = if demo {
        veikart_api::demo::load_if_empty(&url)?
    } else {
        None
    };
    let base = format!("http://{}:{}", host_of(&bind), app.port());
    print_addresses(&base, &app, &url, metrics_bind.as_deref());
    print_token_source(secret_source.as_ref());
    if demo {
        print_demo(&base, demo_plan, secret_source.is_some().then_some(&jwt))?;
    }
    if secret_source.is_some() {
        println!(
            "Mint a token: veikart token --org <slug> --role <viewer|editor|admin|platform_admin>"
        );
        println!(
            "  (from the source tree: cargo run --release -p veikart-cli -- token --role platform_admin)"
        );
    }
    actix_web::rt::System::new()
        .block_on(app.run_until_stopped())
        .map_err(|e| e.to_string())
}

/// The application's settings from the flags and environment (an empty metrics address:
/// no metrics).
fn settings(url: DatabaseUrl, options: ServeOptions, jwt: JwtConfig) -> Result<Settings, String> {
    let mut settings = Settings::new(url, options.bind, jwt);
    settings.body_limit = BodyLimit(options.body_limit);
    settings.import_body_limit = ImportBodyLimit(options.import_body_limit);
    settings.pool.max_connections = options.pool_size;
    settings.workers = options.workers;
    settings.metrics_bind = options.metrics_bind.filter(|b| !b.trim().is_empty());
    settings.webhooks = options.webhooks.settings()?;
    settings.reads = if options.inline_reads {
        veikart_api::state::Placement::InlineWhenIdle
    } else {
        veikart_api::state::Placement::HandedOff
    };
    Ok(settings)
}

/// The host of a `host:port` address (`127.0.0.1` when it has no port).
fn host_of(bind: &str) -> &str {
    bind.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h)
}

/// Where the pages, the docs, the contract and the metrics are served, and the database.
fn print_addresses(base: &str, app: &Application, url: &DatabaseUrl, metrics_bind: Option<&str>) {
    println!("Veikart is listening on {base}");
    println!("  Web pages: {base}/ (published plans, no token needed)");
    println!("  API docs:  {base}/docs/");
    println!("  OpenAPI:   {base}/api-docs/openapi.json");
    if let (Some(bind), Some(port)) = (metrics_bind, app.metrics_port()) {
        println!("  Metrics:   http://{}:{port}/metrics", host_of(bind));
    }
    println!(
        "  Database:  {} ({} migration(s) applied now)",
        url.redacted(),
        app.applied_migrations().len()
    );
}

/// How tokens are verified: with which secret, or with the public key.
fn print_token_source(secret_source: Option<&SecretSource>) {
    match secret_source {
        Some(SecretSource::Generated(path)) => println!(
            "  Tokens:    HS256, secret generated now in {}",
            path.display()
        ),
        Some(SecretSource::File(path)) => {
            println!("  Tokens:    HS256, secret from {}", path.display())
        }
        Some(SecretSource::Environment) => {
            println!("  Tokens:    HS256, secret from VEIKART_JWT_SECRET")
        }
        None => println!("  Tokens:    verified with VEIKART_JWT_PUBLIC_KEY"),
    }
}

/// What the demo loaded and where its page is; with a secret to sign with (`jwt`), an
/// admin token for the demo organisation.
fn print_demo(base: &str, demo_plan: Option<i64>, jwt: Option<&JwtConfig>) -> Result<(), String> {
    let org = veikart_api::demo::DEMO_ORG;
    match demo_plan {
        Some(id) => {
            println!(
                "  Demo:      loaded {org} with its action plan 2022 (plan {id}) and its records of 2022"
            );
            println!("  Its page:  {base}/p/{org}/plans/{id}?as_of=2022-06-30");
        }
        None => println!("  Demo:      the database holds data already; nothing loaded"),
    }
    if let Some(jwt) = jwt {
        let auth = Authenticator::new(jwt).map_err(|e| e.to_string())?;
        let claims = auth.claims_for(
            "demo-admin",
            Some(org),
            Role::Admin,
            Duration::from_secs(24 * 3600),
        );
        let token = auth.mint(&claims).map_err(|e| e.to_string())?;
        println!("Admin token for {org} (24 h):");
        println!("{token}");
        println!("Try: curl -H \"Authorization: Bearer $TOKEN\" {base}/api/v1/orgs/{org}/plans");
    }
    Ok(())
}

fn migrate(url: &DatabaseUrl) -> Result<(), String> {
    let mut conn = veikart_store::db::connect(url).map_err(|e| e.to_string())?;
    let applied = veikart_store::db::migrate(&mut conn).map_err(|e| e.to_string())?;
    if applied.is_empty() {
        println!("{}: up to date", url.redacted());
    }
    for name in applied {
        println!("applied {name}");
    }
    Ok(())
}

fn token(
    url: &DatabaseUrl,
    org: Option<String>,
    role: Role,
    sub: &str,
    ttl: Duration,
    keys: KeyArgs,
) -> Result<(), String> {
    if org.is_none() && role != Role::PlatformAdmin {
        return Err(format!("--org is required for the {role} role"));
    }
    let (jwt, _) = resolve_jwt(url, jwt_config(keys)?).map_err(|e| e.to_string())?;
    let auth = Authenticator::new(&jwt).map_err(|e| e.to_string())?;
    let claims = auth.claims_for(sub, org.as_deref(), role, ttl);
    let token = auth.mint(&claims).map_err(|e| e.to_string())?;
    println!("{token}");
    Ok(())
}
