//! Killing the server part-way through an import leaves nothing of it: the real `veikart`
//! binary (Cargo builds it for this test) imports a large CSV body, is killed with SIGKILL
//! once its log says rows have been written, and is started again on the same database,
//! which then holds no row and no log entry of that import. On SQLite by default, on
//! PostgreSQL when `VEIKART_TEST_POSTGRES_URL` is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation must fail the test loudly"
)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{Value, json};
use veikart_domain::Role;
use veikart_tests::{SECRET, TestDb, claims, org_number_for, sign};

mod common;

/// The real server on `db`, with its log lines sent to the returned receiver.
fn start_server(db: &TestDb) -> (Child, String, std::sync::mpsc::Receiver<String>) {
    let (mut command, base) = common::serve(db);
    let mut child = command
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (lines, receiver) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    common::wait_until_ready(&base);
    (child, base, receiver)
}

#[test]
fn killing_the_server_mid_import_leaves_nothing_of_it() {
    let db = TestDb::create();
    let (mut server, base, log) = start_server(&db);
    let admin = sign(
        &json!({"sub": "platform", "role": "platform_admin", "exp": Utc::now().timestamp() + 3600}),
        jsonwebtoken::Algorithm::HS256,
        SECRET,
    );
    let created = ureq::post(&format!("{base}/api/v1/orgs"))
        .header("Authorization", &format!("Bearer {admin}"))
        .send_json(json!({"slug": "drept", "name": "Drept", "org_number": org_number_for("drept")}))
        .unwrap();
    assert_eq!(created.status(), 201);
    let editor = sign(
        &claims("drept", Role::Editor),
        jsonwebtoken::Algorithm::HS256,
        SECRET,
    );

    // 300,000 activities: long enough to be killed part-way through.
    let mut body = b"kind,title,date,status,participants\n".to_vec();
    for n in 0..300_000u32 {
        body.extend_from_slice(
            format!(
                "member_meeting,Møte {n},2022-{:02}-15,held,{}\n",
                n % 12 + 1,
                n % 90
            )
            .as_bytes(),
        );
    }
    let url = format!("{base}/api/v1/orgs/drept/imports/activities");
    let upload = std::thread::spawn(move || {
        ureq::post(&url)
            .header("Authorization", &format!("Bearer {editor}"))
            .header("Content-Type", "text/csv")
            .send(&body[..])
    });
    // Killed once the import has written rows (its progress line says so).
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let line = log
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("a progress line of the import before the deadline");
        if line.contains("100000 rows read") {
            assert!(!line.contains(" 0 written"), "{line}");
            break;
        }
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    assert!(upload.join().unwrap().is_err(), "the upload was cut off");

    // Restarted on the same database: no activity, no import, no audit entry of it.
    let (mut server, base, _log) = start_server(&db);
    let viewer = sign(
        &claims("drept", Role::Viewer),
        jsonwebtoken::Algorithm::HS256,
        SECRET,
    );
    let count = |path: &str| {
        let mut reply = ureq::get(&format!("{base}{path}"))
            .header("Authorization", &format!("Bearer {viewer}"))
            .call()
            .unwrap();
        let page: Value = reply.body_mut().read_json().unwrap();
        page["items"].as_array().unwrap().len()
    };
    assert_eq!(count("/api/v1/orgs/drept/activities"), 0);
    assert_eq!(count("/api/v1/orgs/drept/imports"), 0);
    server.kill().unwrap();
    server.wait().unwrap();
}
