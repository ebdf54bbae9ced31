//! The database goes away while the server runs: `/readyz` and the API answer 503
//! problem+json (never a 500 or a hang), and everything recovers without a restart once
//! the database is back.
//!
//! PostgreSQL: connections are refused and cut, and the database is renamed away; reads,
//! writes and `/readyz` all answer 503.
//! SQLite (an embedded file cannot vanish from under open connections): another process
//! holds the write lock past the busy timeout; writes answer 503, while reads and
//! `/readyz` go on, as WAL mode lets them.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};
use serde_json::json;
use veikart_domain::Role;
use veikart_store::Backend;
use veikart_tests::{TestApp, TestDb, admin_connection};

/// Makes the test's database unreachable until dropped.
enum Outage {
    Postgres { server: String, name: String },
    Sqlite { _holder: SqliteConnection },
}

impl Outage {
    fn begin(db: &TestDb) -> Self {
        match db {
            TestDb::Postgres { server, name, .. } => {
                let mut admin = admin_connection(server);
                admin
                    .batch_execute(&format!(
                        "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false"
                    ))
                    .unwrap();
                let deadline = Instant::now() + Duration::from_secs(10);
                loop {
                    admin
                        .batch_execute(&format!(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
                        ))
                        .unwrap();
                    match admin
                        .batch_execute(&format!("ALTER DATABASE {name} RENAME TO {name}_away"))
                    {
                        Ok(()) => break,
                        Err(e) if Instant::now() < deadline => {
                            eprintln!("rename not yet possible: {e}");
                            std::thread::sleep(Duration::from_millis(100));
                        }
                        Err(e) => panic!("cannot take the database away: {e}"),
                    }
                }
                Outage::Postgres {
                    server: server.clone(),
                    name: name.clone(),
                }
            }
            TestDb::Sqlite { .. } => {
                let path = db.url().sqlite_path().unwrap().to_str().unwrap().to_owned();
                let mut holder = SqliteConnection::establish(&path).unwrap();
                holder
                    .batch_execute("PRAGMA busy_timeout = 5000; BEGIN IMMEDIATE; UPDATE organisations SET name = name;")
                    .unwrap();
                Outage::Sqlite { _holder: holder }
            }
        }
    }
}

impl Drop for Outage {
    fn drop(&mut self) {
        if let Outage::Postgres { server, name } = self {
            let mut admin = admin_connection(server);
            admin
                .batch_execute(&format!(
                    "ALTER DATABASE {name}_away RENAME TO {name}; \
                     ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true"
                ))
                .unwrap();
        }
        // SQLite: dropping the holding connection releases the lock.
    }
}

#[test]
fn a_database_outage_gives_503_and_recovers_without_a_restart() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let plan = app.create_plan(&org, "Survives the outage");
    let path = format!("/api/v1/orgs/{org}/plans/{}", plan["id"]);
    let viewer = app.token(&org, Role::Viewer);
    assert_eq!(app.get("/readyz").send().status, 200);

    let editor = app.token(&org, Role::Editor);
    let write = || {
        app.patch(&path)
            .bearer(&editor)
            .json(&json!({"title": "Written after the outage"}))
            .send()
    };

    let outage = Outage::begin(&app.db);
    let started = Instant::now();
    let problem = write().problem(503);
    assert!(
        !problem["detail"].as_str().unwrap().contains("locked"),
        "no internals leak: {problem}"
    );
    if app.db.backend() == Backend::Postgres {
        let problem = app.get("/readyz").send().problem(503);
        assert!(
            !problem["detail"].as_str().unwrap().contains("postgres"),
            "no internals leak: {problem}"
        );
        app.get(&path).bearer(&viewer).send().problem(503);
        // A web page says so as a page, with the request's id for a support mail.
        let page = app
            .get(&format!("/p/{org}/plans/{}?lang=en", plan["id"]))
            .header("X-Request-Id", "page-in-outage")
            .send();
        assert_eq!(page.status, 503, "{}", page.body);
        assert!(
            page.header("content-type")
                .unwrap()
                .starts_with("text/html")
        );
        assert!(page.header("retry-after").is_some());
        assert!(
            page.body.contains("The service is unavailable"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("<code>page-in-outage</code>"),
            "{}",
            page.body
        );
    } else {
        assert_eq!(
            app.get(&path).bearer(&viewer).send().status,
            200,
            "WAL readers go on"
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "503s come quickly, not after a hang"
    );
    assert_eq!(
        app.get("/healthz").send().status,
        200,
        "the process itself stays up"
    );
    drop(outage);

    let deadline = Instant::now() + Duration::from_secs(15);
    while app.get("/readyz").send().status != 200 {
        assert!(Instant::now() < deadline, "the service did not recover");
        std::thread::sleep(Duration::from_millis(200));
    }
    let back = app.get(&path).bearer(&viewer).send();
    assert_eq!(back.status, 200, "{}", back.body);
    assert_eq!(
        back.json()["title"],
        "Survives the outage",
        "the refused write changed nothing"
    );
    assert_eq!(write().status, 200, "writes work again");
}
