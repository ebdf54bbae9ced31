//! A prototype for measuring, not a part of the service: the service's two simplest reads
//! — GET plan by id and GET plans?limit=50 — on actix-web with an asynchronous
//! PostgreSQL client, so that `bench/cpu-per-request` (with `BENCH_PROTOTYPE`) can set the
//! CPU and the context switches per request of that design beside the service's.
//!
//! Each actix worker keeps one tokio-postgres connection, driven by the worker's own
//! event loop, with both statements prepared once. With `PROTOTYPE_CLIENT=blocking` it
//! keeps one diesel `PgConnection` instead and runs the statement (the same, written with
//! diesel's DSL, prepared once per connection) on the worker, blocking it until PostgreSQL
//! answers — the service's own way for a short read — so that the two modes part the
//! client's share of a read from the service's own work. A request decodes the bearer token
//! (HS256, as the service's tokens), runs one statement — the same SQL the service sends,
//! the organisation found by its slug inside it — and writes the row(s) as JSON. It does
//! none of the service's other work (request ids, metrics, roles beyond the
//! organisation, API keys, problem answers): the figures are a floor for the design.
//!
//! `DATABASE_URL=postgres://… VEIKART_JWT_SECRET=… veikart-async-read-prototype 127.0.0.1:18384`

use std::cell::RefCell;
use std::rc::Rc;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use tokio_postgres::{Client, NoTls, Row, Statement};
use veikart_store::schema::{organisations, plans};

const PLAN_COLUMNS: &str = "plans.id, plans.org_id, plans.title, plans.period_start, \
    plans.period_end, plans.status, plans.adopted_on, plans.adopted_by, plans.published, \
    plans.intro, plans.created_at, plans.updated_at, plans.version, plans.strategy_id, \
    plans.revision";
const IN_ORG: &str = "plans.org_id IN (SELECT organisations.id FROM organisations \
    WHERE organisations.slug = $1)";

/// A worker's connection and its prepared statements.
struct Db {
    client: Client,
    by_id: Statement,
    page: Statement,
}

thread_local! {
    static DB: RefCell<Option<Rc<Db>>> = const { RefCell::new(None) };
    static BLOCKING: RefCell<Option<PgConnection>> = const { RefCell::new(None) };
}

struct Settings {
    url: String,
    blocking: bool,
    key: DecodingKey,
    validation: Validation,
}

#[derive(Deserialize)]
struct Claims {
    #[allow(dead_code)]
    sub: String,
    org: Option<String>,
}

#[derive(Serialize, Queryable, Selectable)]
#[diesel(table_name = plans)]
struct Plan {
    id: i64,
    org_id: i64,
    title: String,
    period_start: NaiveDate,
    period_end: NaiveDate,
    status: String,
    adopted_on: Option<NaiveDate>,
    adopted_by: Option<String>,
    published: bool,
    intro: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
    strategy_id: Option<i64>,
    revision: i32,
}

#[derive(Serialize)]
struct PlanPage {
    items: Vec<Plan>,
    next_cursor: Option<String>,
}

impl Plan {
    fn of(row: &Row) -> Plan {
        Plan {
            id: row.get(0),
            org_id: row.get(1),
            title: row.get(2),
            period_start: row.get(3),
            period_end: row.get(4),
            status: row.get(5),
            adopted_on: row.get(6),
            adopted_by: row.get(7),
            published: row.get(8),
            intro: row.get(9),
            created_at: row.get(10),
            updated_at: row.get(11),
            version: row.get(12),
            strategy_id: row.get(13),
            revision: row.get(14),
        }
    }
}

/// This worker's connection, opened and prepared on its first request.
async fn db(settings: &Settings) -> Result<Rc<Db>, String> {
    if let Some(db) = DB.with(|db| db.borrow().clone()) {
        return Ok(db);
    }
    let (client, connection) = tokio_postgres::connect(&settings.url, NoTls)
        .await
        .map_err(|e| e.to_string())?;
    actix_web::rt::spawn(connection);
    let by_id = client
        .prepare(&by_id_sql())
        .await
        .map_err(|e| e.to_string())?;
    let page = client
        .prepare(&page_sql())
        .await
        .map_err(|e| e.to_string())?;
    let db = Rc::new(Db {
        client,
        by_id,
        page,
    });
    DB.with(|slot| *slot.borrow_mut() = Some(db.clone()));
    Ok(db)
}

/// Runs `read` on this worker's blocking connection, opened on its first request.
fn blocking<T>(
    settings: &Settings,
    read: impl FnOnce(&mut PgConnection) -> QueryResult<T>,
) -> Result<T, String> {
    BLOCKING.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            *slot = Some(PgConnection::establish(&settings.url).map_err(|e| e.to_string())?);
        }
        let conn = slot.as_mut().ok_or("no connection")?;
        read(conn).map_err(|e| e.to_string())
    })
}

fn by_id_sql() -> String {
    format!("SELECT {PLAN_COLUMNS} FROM plans WHERE {IN_ORG} AND plans.id = $2 LIMIT 1")
}

fn page_sql() -> String {
    format!(
        "SELECT {PLAN_COLUMNS} FROM plans WHERE {IN_ORG} AND plans.id > $2 ORDER BY plans.id LIMIT $3"
    )
}

/// The organisation the bearer token is for, if it is valid and for `org`.
fn authorised(request: &HttpRequest, settings: &Settings, org: &str) -> bool {
    let Some(token) = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    jsonwebtoken::decode::<Claims>(token, &settings.key, &settings.validation)
        .is_ok_and(|data| data.claims.org.as_deref() == Some(org))
}

/// The id of the organisation `slug`, as a subquery (diesel; the statement is prepared once
/// per connection: the query's type has a static id).
fn of_org(
    slug: &str,
) -> diesel::dsl::Select<
    diesel::dsl::Filter<organisations::table, diesel::dsl::Eq<organisations::slug, &str>>,
    organisations::id,
> {
    organisations::table
        .filter(organisations::slug.eq(slug))
        .select(organisations::id)
}

/// Plan `id` of `org`, by the client this prototype runs with.
async fn one_plan(settings: &Settings, org: String, id: i64) -> Result<Option<Plan>, String> {
    if settings.blocking {
        return blocking(settings, |conn| {
            plans::table
                .filter(plans::org_id.eq_any(of_org(&org)))
                .filter(plans::id.eq(id))
                .select(Plan::as_select())
                .first(conn)
                .optional()
        });
    }
    let db = db(settings).await?;
    let row = db
        .client
        .query_opt(&db.by_id, &[&org, &id])
        .await
        .map_err(|e| e.to_string())?;
    Ok(row.as_ref().map(Plan::of))
}

/// The first `limit` plans of `org` and one more, by the client this prototype runs with.
async fn first_plans(settings: &Settings, org: String, limit: i64) -> Result<Vec<Plan>, String> {
    if settings.blocking {
        return blocking(settings, |conn| {
            plans::table
                .filter(plans::org_id.eq_any(of_org(&org)))
                .filter(plans::id.gt(0))
                .order(plans::id)
                .limit(limit + 1)
                .select(Plan::as_select())
                .load(conn)
        });
    }
    let db = db(settings).await?;
    let rows = db
        .client
        .query(&db.page, &[&org, &0i64, &(limit + 1)])
        .await
        .map_err(|e| e.to_string())?;
    Ok(rows.iter().map(Plan::of).collect())
}

async fn plan(
    request: HttpRequest,
    path: web::Path<(String, i64)>,
    settings: web::Data<Settings>,
) -> HttpResponse {
    let (org, id) = path.into_inner();
    if !authorised(&request, &settings, &org) {
        return HttpResponse::Unauthorized().finish();
    }
    match one_plan(&settings, org, id).await {
        Ok(Some(plan)) => HttpResponse::Ok()
            .insert_header(("etag", format!("\"{}\"", plan.version)))
            .json(plan),
        Ok(None) => HttpResponse::NotFound().finish(),
        Err(e) => HttpResponse::InternalServerError().body(e),
    }
}

#[derive(Deserialize)]
struct PageQuery {
    limit: Option<i64>,
}

async fn plans(
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
    settings: web::Data<Settings>,
) -> HttpResponse {
    let org = path.into_inner();
    if !authorised(&request, &settings, &org) {
        return HttpResponse::Unauthorized().finish();
    }
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    match first_plans(&settings, org, limit).await {
        Ok(mut items) => {
            let more = items.len() as i64 > limit;
            items.truncate(limit as usize);
            let next_cursor = more
                .then(|| items.last().map(|p| p.id.to_string()))
                .flatten();
            HttpResponse::Ok().json(PlanPage { items, next_cursor })
        }
        Err(e) => HttpResponse::InternalServerError().body(e),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18384".to_owned());
    let url = std::env::var("DATABASE_URL").map_err(std::io::Error::other)?;
    let secret = std::env::var("VEIKART_JWT_SECRET").map_err(std::io::Error::other)?;
    let workers = std::env::var("VEIKART_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(2);
    let blocking = std::env::var("PROTOTYPE_CLIENT").is_ok_and(|c| c == "blocking");
    let settings = web::Data::new(Settings {
        url,
        blocking,
        key: DecodingKey::from_secret(secret.as_bytes()),
        validation: Validation::new(Algorithm::HS256),
    });
    HttpServer::new(move || {
        App::new()
            .app_data(settings.clone())
            .route("/api/v1/orgs/{org}/plans/{id}", web::get().to(plan))
            .route("/api/v1/orgs/{org}/plans", web::get().to(plans))
            .route("/readyz", web::get().to(HttpResponse::Ok))
    })
    .workers(workers)
    .bind(bind)?
    .run()
    .await
}
