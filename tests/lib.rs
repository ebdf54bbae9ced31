//! The black-box test harness: [`TestApp::spawn`] starts the real server on a random port
//! with a database of its own, and talks HTTP to it.
//!
//! The backend is chosen by `VEIKART_TEST_POSTGRES_URL`: unset, every test gets a fresh
//! SQLite file in a temporary folder; set (e.g. `postgres://postgres@127.0.0.1:5432`),
//! every test creates a fresh PostgreSQL database on that server and drops it when done.
//! A set variable with an unreachable server fails the tests: it never falls back.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test harness: a failed set-up must fail the test loudly"
)]

use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use veikart_api::Settings;
use veikart_api::auth::JwtConfig;
use veikart_domain::Role;
use veikart_store::{Backend, DatabaseUrl, StatementCounter};

pub const POSTGRES_ENV: &str = "VEIKART_TEST_POSTGRES_URL";
pub const SECRET: &[u8] = b"veikart-test-secret-that-is-long-enough-0123456789";
pub const ED25519_PRIVATE_PEM: &str = include_str!("fixtures/ed25519-private.pem");
pub const ED25519_PUBLIC_PEM: &str = include_str!("fixtures/ed25519-public.pem");

/// A database for one test, removed when dropped.
pub enum TestDb {
    Sqlite {
        _dir: tempfile::TempDir,
        url: DatabaseUrl,
    },
    Postgres {
        server: String,
        name: String,
        url: DatabaseUrl,
    },
}

impl TestDb {
    pub fn create() -> Self {
        match std::env::var(POSTGRES_ENV) {
            Ok(server) if !server.trim().is_empty() => {
                let server = server.trim().trim_end_matches('/').to_owned();
                let name = format!("veikart_test_{}", random_hex(8));
                let mut admin = admin_connection(&server);
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
                let url = DatabaseUrl::parse(Some(&format!("{server}/{name}")));
                TestDb::Postgres { server, name, url }
            }
            _ => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let path = dir.path().join("veikart-test.db");
                let url = DatabaseUrl::parse(Some(path.to_str().expect("utf-8 path")));
                TestDb::Sqlite { _dir: dir, url }
            }
        }
    }

    pub fn url(&self) -> &DatabaseUrl {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }

    pub fn backend(&self) -> Backend {
        self.url().backend()
    }

    /// Another handle on this database that removes nothing when dropped (this one
    /// does): a SQLite-shaped handle with an empty folder of its own, whatever the
    /// database's backend, since only the PostgreSQL handle drops its database.
    pub fn shared(&self) -> TestDb {
        TestDb::Sqlite {
            _dir: tempfile::tempdir().expect("temporary folder"),
            url: self.url().clone(),
        }
    }

    /// Whether any stored value of any table holds `needle`. On PostgreSQL every row of
    /// every table is read as text; on SQLite the database file and its write-ahead log
    /// are searched byte by byte (which also finds deleted rows not yet overwritten).
    pub fn holds(&self, needle: &str) -> bool {
        match self {
            TestDb::Sqlite { url, .. } => {
                let path = url.sqlite_path().expect("a SQLite path").to_owned();
                ["", "-wal"].iter().any(|suffix| {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    std::fs::read(&file).is_ok_and(|bytes| {
                        bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
                    })
                })
            }
            TestDb::Postgres { url, .. } => postgres_holds(url.as_str(), needle),
        }
    }
}

#[derive(diesel::QueryableByName)]
struct TableName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
}

#[derive(diesel::QueryableByName)]
struct Found {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn postgres_holds(url: &str, needle: &str) -> bool {
    use diesel::RunQueryDsl;
    let mut conn = PgConnection::establish(url).expect("the test database");
    let tables: Vec<TableName> = diesel::sql_query(
        "SELECT table_name::text AS table_name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .load(&mut conn)
    .expect("the tables");
    assert!(tables.len() > 10, "only {} tables", tables.len());
    tables.iter().any(|t| {
        let found: Found = diesel::sql_query(format!(
            "SELECT COUNT(*) AS n FROM \"{}\" AS r WHERE strpos(r::text, $1) > 0",
            t.table_name
        ))
        .bind::<diesel::sql_types::Text, _>(needle)
        .get_result(&mut conn)
        .expect("a table's rows as text");
        found.n > 0
    })
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { server, name, .. } = self {
            let mut admin = admin_connection(server);
            // Undo an outage test that failed half-way, then drop whatever is connected.
            let _ = admin.batch_execute(&format!("ALTER DATABASE {name}_away RENAME TO {name}"));
            let _ = admin.batch_execute(&format!(
                "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true"
            ));
            if let Err(e) =
                admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            {
                eprintln!("could not drop test database {name}: {e}");
            }
        }
    }
}

/// A connection to the server's `postgres` database, for creating and dropping test
/// databases. Panics with the reason when the server cannot be reached.
pub fn admin_connection(server: &str) -> PgConnection {
    let url = format!("{server}/postgres");
    PgConnection::establish(&url).unwrap_or_else(|e| {
        panic!("{POSTGRES_ENV} is set but PostgreSQL at {server} is not reachable: {e}")
    })
}

pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("random bytes");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// The running server of one test.
pub struct TestApp {
    pub base: String,
    agent: ureq::Agent,
    handle: actix_web::dev::ServerHandle,
    thread: Option<JoinHandle<()>>,
    /// `iss` and `aud` the server expects, added to the tokens the helpers mint.
    issuer: Option<String>,
    audience: Option<String>,
    /// Every statement the server's connections have sent.
    statements: StatementCounter,
    // Dropped after the server has stopped (see Drop).
    pub db: TestDb,
}

impl TestApp {
    /// A server with the default test settings.
    pub fn spawn() -> Self {
        Self::spawn_with(|_| {})
    }

    /// A server whose settings `configure` adjusts (issuer, body limit, ...).
    pub fn spawn_with(configure: impl FnOnce(&mut Settings)) -> Self {
        Self::spawn_on(TestDb::create(), configure)
    }

    /// A second server on this server's database, as a second instance of the service
    /// would run (the first server keeps the database; it goes when the first is dropped).
    pub fn spawn_beside(&self) -> Self {
        Self::spawn_on(self.db.shared(), |_| {})
    }

    /// A server on `db`, with the default test settings that `configure` adjusts.
    pub fn spawn_on(db: TestDb, configure: impl FnOnce(&mut Settings)) -> Self {
        let jwt = JwtConfig {
            secret: Some(SECRET.to_vec()),
            ..JwtConfig::default()
        };
        let mut settings = Settings::new(db.url().clone(), "127.0.0.1:0", jwt);
        settings.workers = Some(2);
        settings.pool.max_connections = 4;
        settings.pool.connection_timeout = Duration::from_secs(2);
        settings.pool.sqlite_busy_timeout = Duration::from_millis(500);
        let statements = StatementCounter::default();
        settings.pool.statement_counter = Some(statements.clone());
        // Tests send webhooks only to receivers they start on loopback, over plain http.
        settings.webhooks.allow_http = true;
        settings.webhooks.allow_loopback = true;
        configure(&mut settings);
        let (issuer, audience) = (settings.jwt.issuer.clone(), settings.jwt.audience.clone());

        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            let system = actix_web::rt::System::new();
            let app = match veikart_api::Application::build(settings) {
                Ok(app) => app,
                Err(e) => {
                    sender.send(Err(e.to_string())).expect("report start-up");
                    return;
                }
            };
            sender
                .send(Ok((app.port(), app.server_handle())))
                .expect("report start-up");
            let _ = system.block_on(app.run_until_stopped());
        });
        let (port, handle) = receiver
            .recv()
            .expect("server thread")
            .unwrap_or_else(|e| panic!("the server did not start: {e}"));
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .new_agent();
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            agent,
            handle,
            thread: Some(thread),
            issuer,
            audience,
            statements,
            db,
        }
    }

    /// How many statements the server sent to the database while `request` ran (the
    /// test's own requests are the only traffic its server gets).
    pub fn statements_during<T>(&self, request: impl FnOnce() -> T) -> (u64, T) {
        let before = self.statements.get();
        let result = request();
        (self.statements.get() - before, result)
    }

    pub fn request(&self, method: &str, path: &str) -> Req<'_> {
        Req {
            app: self,
            method: method.to_owned(),
            path: path.to_owned(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn get(&self, path: &str) -> Req<'_> {
        self.request("GET", path)
    }

    pub fn post(&self, path: &str) -> Req<'_> {
        self.request("POST", path)
    }

    pub fn patch(&self, path: &str) -> Req<'_> {
        self.request("PATCH", path)
    }

    pub fn delete(&self, path: &str) -> Req<'_> {
        self.request("DELETE", path)
    }

    /// A valid HS256 token for `org` with `role`.
    pub fn token(&self, org: &str, role: Role) -> String {
        self.sign_for_server(claims(org, role))
    }

    pub fn platform_admin(&self) -> String {
        self.sign_for_server(
            json!({"sub": "platform", "role": "platform_admin", "exp": in_an_hour()}),
        )
    }

    fn sign_for_server(&self, mut claims: Value) -> String {
        if let Some(issuer) = &self.issuer {
            claims["iss"] = json!(issuer);
        }
        if let Some(audience) = &self.audience {
            claims["aud"] = json!(audience);
        }
        sign(&claims, Algorithm::HS256, SECRET)
    }

    /// Creates an organisation (as platform admin) and returns its slug.
    pub fn create_org(&self, slug: &str) -> String {
        let reply = self
            .post("/api/v1/orgs")
            .bearer(&self.platform_admin())
            .json(&json!({"slug": slug, "name": format!("Org {slug}"), "org_number": org_number_for(slug)}))
            .send();
        assert_eq!(reply.status, 201, "create org {slug}: {}", reply.body);
        slug.to_owned()
    }

    /// Creates a plan in `org` (as admin) and returns its JSON.
    pub fn create_plan(&self, org: &str, title: &str) -> Value {
        let reply = self
            .post(&format!("/api/v1/orgs/{org}/plans"))
            .bearer(&self.token(org, Role::Admin))
            .json(&PlanBuilder::new(title).build())
            .send();
        assert_eq!(reply.status, 201, "create plan: {}", reply.body);
        reply.json()
    }
}

impl TestApp {
    /// Creates an API key in `org` with `role` (as the organisation's admin), valid for
    /// 30 days, and returns its id and the key.
    pub fn create_key(&self, org: &str, role: Role) -> (i64, String) {
        let expires = chrono::Utc::now() + chrono::Duration::days(30);
        let reply = self
            .post(&format!("/api/v1/orgs/{org}/api-keys"))
            .bearer(&self.token(org, Role::Admin))
            .json(&json!({"name": format!("{role} key"), "role": role, "expires_at": expires}))
            .send();
        assert_eq!(reply.status, 201, "create key: {}", reply.body);
        let key = reply.json();
        (
            key["id"].as_i64().unwrap(),
            key["key"].as_str().unwrap().to_owned(),
        )
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let stop = self.handle.stop(false);
        actix_web::rt::System::new().block_on(stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl TestApp {
    /// Sends `body` to `path` as an editor of `org` and returns the created resource,
    /// failing the test unless it answers 201.
    pub fn create(&self, org: &str, path: &str, body: Value) -> Value {
        let reply = self
            .post(&format!("/api/v1/orgs/{org}{path}"))
            .bearer(&self.token(org, Role::Editor))
            .json(&body)
            .send();
        assert_eq!(reply.status, 201, "POST {path}: {}", reply.body);
        reply.json()
    }

    /// Imports a plan document into `org` and returns the new plan.
    pub fn import_plan(&self, org: &str, document: &Value) -> Value {
        self.create(org, "/plans/import", document.clone())
    }

    /// The plan's document, as exported.
    pub fn export_plan(&self, org: &str, plan_id: i64) -> Value {
        let reply = self
            .get(&format!("/api/v1/orgs/{org}/plans/{plan_id}/document"))
            .bearer(&self.token(org, Role::Viewer))
            .send();
        assert_eq!(reply.status, 200, "export: {}", reply.body);
        reply.json()
    }
}

/// The Innovasjon Gardermoen seed, the plan document `serve --demo` loads.
pub fn seed_document() -> Value {
    serde_json::from_str(veikart_api::demo::SEED_DOCUMENT).expect("the seed is JSON")
}

/// An organisation with one of everything the API serves: the seed plan (strategy, goals,
/// focus areas, KPIs, measures), a budget line, a qualitative goal with a check-in, a
/// revision of the plan, a record of each kind, an API key and a (disabled) webhook endpoint. Tests that walk every path of the
/// OpenAPI document fill the paths' parameters from it.
pub struct Everything {
    pub org: String,
    pub plan_id: i64,
    pub goal_id: i64,
}

impl Everything {
    pub fn create(app: &TestApp, slug: &str) -> Self {
        let org = app.create_org(slug);
        let plan_id = app.import_plan(&org, &seed_document())["id"]
            .as_i64()
            .unwrap();
        app.create(
            &org,
            &format!("/plans/{plan_id}/budget-lines"),
            json!({"code": "100", "title": "Drift", "amount": 1000}),
        );
        let goal_id = app.create(
            &org,
            "/goals",
            json!({"plan_id": plan_id, "key": "synlighet", "title": "Synlighet", "measurable": false}),
        )["id"]
            .as_i64()
            .unwrap();
        app.create(
            &org,
            &format!("/goals/{goal_id}/check-ins"),
            json!({"checked_on": "2022-06-30", "status": "on_track", "confidence": 7}),
        );
        for kind in RECORD_KINDS {
            app.create(&org, &format!("/{kind}"), record_body(kind, 1));
        }
        let imported = app
            .post(&format!("/api/v1/orgs/{org}/imports/members"))
            .bearer(&app.token(&org, Role::Editor))
            .json(&json!([record_body("members", 2)]))
            .send();
        assert_eq!(imported.status, 201, "{}", imported.body);
        app.create_key(&org, Role::Viewer);
        let admin = app.token(&org, Role::Admin);
        // Disabled, and on a loopback port where nothing listens: nothing is ever sent.
        let webhook = app
            .post(&format!("/api/v1/orgs/{org}/webhooks"))
            .bearer(&admin)
            .json(&json!({"url": "http://127.0.0.1:9/everything", "event_types": ["*"], "enabled": false}))
            .send();
        assert_eq!(webhook.status, 201, "{}", webhook.body);
        let plan = format!("/api/v1/orgs/{org}/plans/{plan_id}");
        let adopt = app
            .post(&format!("{plan}/adopt"))
            .bearer(&admin)
            .json(&json!({"adopted_on": "2022-03-24", "adopted_by": "årsmøtet"}))
            .send();
        assert_eq!(adopt.status, 200, "{}", adopt.body);
        let revise = app.post(&format!("{plan}/revise")).bearer(&admin).send();
        assert_eq!(revise.status, 200, "{}", revise.body);
        Everything {
            org,
            plan_id,
            goal_id,
        }
    }

    /// A path of the OpenAPI document with its parameters filled in: `{org}`, `{plan_id}`,
    /// `{goal_id}`, `{revision}` (1), `{kind}` (`members`), `{delivery_id}` (1), and `{id}` — at the end, the first item of the list
    /// one level up (read with `token`); under a webhook, the first webhook; elsewhere, the
    /// plan.
    pub fn concrete(&self, app: &TestApp, template: &str, token: &str) -> String {
        let template = match template.split_once("/webhooks/{id}/") {
            Some((org, rest)) => {
                let webhook = self.concrete(app, &format!("{org}/webhooks/{{id}}"), token);
                format!("{webhook}/{rest}")
            }
            None => template.to_owned(),
        };
        let filled = template
            .replace("{org}", &self.org)
            .replace("{plan_id}", &self.plan_id.to_string())
            .replace("{goal_id}", &self.goal_id.to_string())
            .replace("{revision}", "1")
            .replace("{kind}", "members")
            .replace("{delivery_id}", "1");
        if let Some(collection) = filled.strip_suffix("/{id}") {
            let list = app.get(collection).bearer(token).send();
            assert_eq!(list.status, 200, "GET {collection}: {}", list.body);
            let list = list.json();
            let items = list.get("items").unwrap_or(&list);
            let id = &items[0]["id"];
            assert!(id.is_i64(), "{collection} has no item");
            return format!("{collection}/{id}");
        }
        filled.replace("{id}", &self.plan_id.to_string())
    }
}

/// The record kinds, by the path segment of their collection.
pub const RECORD_KINDS: [&str; 6] = [
    "members",
    "activities",
    "surveys",
    "projects",
    "observations",
    "milestones",
];

/// A valid create body of the kind, made distinct by `n` (its unique fields and its date
/// vary with `n`: day `n` of 2022, counted from 2022-01-01).
pub fn record_body(kind: &str, n: u32) -> Value {
    let day = chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap()
        + chrono::Duration::days(i64::from(n % 365));
    let day = day.format("%Y-%m-%d").to_string();
    match kind {
        "members" => json!({
            "org_number": member_org_number(n), "name": format!("Bedrift {n} AS"),
            "municipality": "3033", "membership_type": "ordinary", "joined_on": day,
            "employees": 12,
        }),
        "activities" => json!({
            "kind": "member_meeting", "title": format!("Medlemsmøte {n}"), "date": day,
            "status": "held", "participants": 30,
        }),
        "surveys" => json!({
            "audience": "internal", "title": format!("Undersøkelse {n}"),
            "conducted_on": day, "invited": 100, "responses": 40, "scale_min": 1,
            "scale_max": 5, "mean_score": 3.9, "nps": 20,
        }),
        "projects" => json!({
            "title": format!("Prosjekt {n}"), "role": "owner", "start_on": day,
            "external_funding": 450000, "status": "granted",
        }),
        "observations" => json!({
            "metric_key": "social.followers", "dimension": "linkedin", "observed_on": day,
            "value": 1000 + n,
        }),
        "milestones" => json!({
            "kind": "benefit_programme_launched", "title": format!("Milepæl {n}"),
            "achieved_on": day,
        }),
        other => panic!("no record kind {other}"),
    }
}

/// Rows as CSV with the fields of the first row as the header (`,`, LF), values as JSON
/// writes them.
pub fn csv_of(rows: &[Value]) -> Vec<u8> {
    let header: Vec<String> = rows[0].as_object().unwrap().keys().cloned().collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header).unwrap();
    for row in rows {
        out.write_record(header.iter().map(|h| match &row[h.as_str()] {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }))
        .unwrap();
    }
    out.into_inner().unwrap()
}

/// A MOD11-valid organisation number in the range no registered company has (1xxxxxxxx),
/// different for each `n` below 10,000.
pub fn member_org_number(n: u32) -> String {
    const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
    (0u32..)
        .map(|k| 10_000_000 + n * 100 + k)
        .find_map(|base| {
            let digits: Vec<u32> = base
                .to_string()
                .bytes()
                .map(|b| u32::from(b - b'0'))
                .collect();
            let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
            match 11 - sum % 11 {
                11 => Some(format!("{base}0")),
                10 => None,
                check => Some(format!("{base}{check}")),
            }
        })
        .unwrap()
}

/// A small plan document with one of everything.
pub fn small_document() -> Value {
    json!({
        "title": "Handlingsplan 2022",
        "period_start": "2022-04-01",
        "period_end": "2022-12-31",
        "intro": "Vedtas av årsmøtet.",
        "strategy": {
            "title": "Strategi 2020-2023", "period_start": "2020-01-01", "period_end": "2023-12-31",
            "vision": "En utviklingsmotor.", "mission": "Utvikle næringslivet.",
            "goals": [
                {"key": "medlemsvekst", "title": "Årlig økning på 10% medlemmer", "measurable": true},
                {"key": "kredibilitet", "title": "Styrke kredibilitet", "measurable": false}
            ]
        },
        "goals": [{"key": "synlighet", "title": "Synlighet", "description": "Mer synlig", "measurable": true}],
        "focus_areas": [{
            "number": 1, "title": "Medlemsaktiviteter",
            "kpis": [{
                "code": "1a", "title": "Minst 40 medlemsaktiviteter", "goal": "medlemsvekst",
                "source": {"entity": "activity", "aggregate": "count", "filters": {"status": "held"}},
                "direction": "at_least", "target": 40, "period_start": "2022-01-01", "period_end": "2022-12-31"
            }],
            "measures": [{"number": 1, "title": "Medlemsmøter", "owner": "Kari", "status": "in_progress",
                          "due_on": "2022-06-30", "budget_line": "5400"}]
        }],
        "kpis": [{
            "code": "S1", "title": "Synlighet i sosiale medier", "goal": "synlighet",
            "source": {"entity": "metric", "aggregate": "growth_pct", "filters": {"metric_key": "social.followers"}},
            "direction": "at_least", "target": 30, "unit": "%"
        }],
        "budget_lines": [{"code": "5400", "title": "Arrangementer", "amount": 150000, "actual_spent": 20000}]
    })
}

/// Builds a plan body with sensible defaults.
pub struct PlanBuilder {
    body: Value,
}

impl PlanBuilder {
    pub fn new(title: &str) -> Self {
        Self {
            body: json!({"title": title, "period_start": "2022-04-01", "period_end": "2022-12-31"}),
        }
    }

    pub fn with(mut self, field: &str, value: Value) -> Self {
        self.body[field] = value;
        self
    }

    pub fn build(self) -> Value {
        self.body
    }
}

/// A request being built.
pub struct Req<'a> {
    app: &'a TestApp,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Req<'_> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    pub fn json(self, body: &Value) -> Self {
        self.raw("application/json", serde_json::to_vec(body).expect("json"))
    }

    pub fn raw(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.headers
            .push(("Content-Type".into(), content_type.to_owned()));
        self.body = Some(body);
        self
    }

    pub fn send(self) -> Reply {
        let mut builder = ureq::http::Request::builder()
            .method(self.method.as_str())
            .uri(format!("{}{}", self.app.base, self.path));
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        let request = builder
            .body(self.body.unwrap_or_default())
            .expect("request");
        let mut response = self
            .app
            .agent
            .run(request)
            .unwrap_or_else(|e| panic!("{} {} failed: {e}", self.method, self.path));
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        Reply {
            status,
            headers,
            body,
        }
    }
}

/// What the server answered.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts an RFC 9457 problem with `status` and returns it.
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "expected {status}, got {}: {}",
            self.status, self.body
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "content type of a {status}"
        );
        let problem = self.json();
        assert_eq!(problem["status"], status);
        for member in ["type", "title", "detail"] {
            assert!(
                problem[member].is_string(),
                "problem without {member}: {problem}"
            );
        }
        problem
    }

    /// The fields named in a validation problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.json()["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub fn in_an_hour() -> i64 {
    chrono::Utc::now().timestamp() + 3600
}

pub fn claims(org: &str, role: Role) -> Value {
    json!({"sub": format!("{}@{org}", role.as_str()), "org": org, "role": role.as_str(), "exp": in_an_hour()})
}

pub fn sign(claims: &Value, alg: Algorithm, key: &[u8]) -> String {
    let key = match alg {
        Algorithm::EdDSA => EncodingKey::from_ed_pem(key).expect("ed25519 key"),
        _ => EncodingKey::from_secret(key),
    };
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    jsonwebtoken::encode(&Header::new(alg), claims, &key).expect("sign")
}

/// A valid organisation number derived from a slug, so that tests creating many
/// organisations do not collide on the unique number.
pub fn org_number_for(slug: &str) -> String {
    const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
    let mut seed: u32 = slug
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    loop {
        let digits: Vec<u32> = format!("{:08}", 10_000_000 + seed % 89_999_999)
            .bytes()
            .map(|b| u32::from(b - b'0'))
            .collect();
        let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
        let check = match 11 - sum % 11 {
            11 => 0,
            10 => {
                seed = seed.wrapping_add(1);
                continue;
            }
            c => c,
        };
        return digits.iter().map(|d| d.to_string()).collect::<String>() + &check.to_string();
    }
}
