//! What an import leaves besides its records: its log row (`GET …/imports`), the import's
//! id on every record it wrote, the `Idempotency-Key` answers — and, when the server is
//! killed part-way, nothing at all.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{Value, json};
use veikart_domain::Role;
use veikart_store::imports::{IdempotencyKey, take_key};
use veikart_tests::{
    Reply, SECRET, TestApp, TestDb, claims, csv_of, member_org_number, org_number_for, record_body,
    sign,
};

fn members(range: std::ops::Range<u32>) -> Vec<Value> {
    range
        .map(|n| {
            let mut m = record_body("members", n);
            m["external_ref"] = json!(format!("m-{n}"));
            m
        })
        .collect()
}

fn post(app: &TestApp, org: &str, token: &str, key: Option<&str>, body: Vec<u8>) -> Reply {
    let mut req = app
        .post(&format!("/api/v1/orgs/{org}/imports/members"))
        .bearer(token);
    if let Some(key) = key {
        req = req.header("Idempotency-Key", key);
    }
    req.raw("text/csv", body).send()
}

#[test]
fn an_import_is_recorded_and_every_record_it_wrote_carries_its_id() {
    let app = TestApp::spawn();
    let org = app.create_org("logg");
    let editor = app.token(&org, Role::Editor);
    let viewer = app.token(&org, Role::Viewer);
    let body = csv_of(&members(1..4));
    let reply = post(&app, &org, &editor, None, body.clone());
    assert_eq!(reply.status, 201, "{}", reply.body);
    let first = reply.json();
    let id = first["id"].as_i64().unwrap();
    let location = reply.header("Location").unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/orgs/{org}/imports/members/{id}"));
    assert_eq!(first["imported_by"], format!("editor@{org}"));
    assert_eq!(first["body_bytes"], body.len());
    let sha = first["body_sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);
    assert!(
        sha.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert!(first["started_at"].as_str().unwrap() <= first["finished_at"].as_str().unwrap());
    assert!(first["duration_ms"].as_i64().unwrap() >= 0);

    // The record as served is the answer; a viewer may read it; not under another kind.
    let served = app.get(&location).bearer(&viewer).send();
    assert_eq!(served.status, 200, "{}", served.body);
    assert_eq!(served.json(), first);
    app.get(&format!("/api/v1/orgs/{org}/imports/activities/{id}"))
        .bearer(&viewer)
        .send()
        .problem(404);

    // Every record carries the import; one changed by the next import carries that one;
    // one changed by hand carries none.
    let mut changed = members(1..4);
    changed[0]["employees"] = json!(99);
    let second = post(&app, &org, &editor, None, csv_of(&changed)).json();
    let second_id = second["id"].as_i64().unwrap();
    assert_ne!(second_id, id);
    assert_ne!(second["body_sha256"], first["body_sha256"]);
    let listed = app
        .get(&format!("/api/v1/orgs/{org}/members"))
        .bearer(&viewer)
        .send()
        .json();
    let import_ids: Vec<&Value> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["import_id"])
        .collect();
    assert_eq!(import_ids, [&json!(second_id), &json!(id), &json!(id)]);
    let member = &listed["items"][1];
    let patched = app
        .patch(&format!("/api/v1/orgs/{org}/members/{}", member["id"]))
        .bearer(&editor)
        .json(&json!({"employees": 7}))
        .send();
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.json()["import_id"], Value::Null);

    // The log, oldest first, paged; the audit trail has one entry per import.
    let page = app
        .get(&format!("/api/v1/orgs/{org}/imports?limit=1"))
        .bearer(&viewer)
        .send()
        .json();
    assert_eq!(page["items"][0]["id"], id);
    let cursor = page["next_cursor"].as_str().unwrap();
    let page = app
        .get(&format!(
            "/api/v1/orgs/{org}/imports?limit=1&cursor={cursor}"
        ))
        .bearer(&viewer)
        .send()
        .json();
    assert_eq!(page["items"][0]["id"], second_id);
    assert_eq!(page["items"][0]["updated"], 1);
    assert_eq!(page["items"][0]["unchanged"], 2);
    let admin = app.token(&org, Role::Admin);
    let audit = app
        .get(&format!("/api/v1/orgs/{org}/audit?entity=import"))
        .bearer(&admin)
        .send()
        .json();
    let entries: Vec<i64> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entity_id"].as_i64().unwrap())
        .collect();
    assert_eq!(entries, [id, second_id]);

    // A dry run and a refused import are not recorded.
    let dry = app
        .post(&format!("/api/v1/orgs/{org}/imports/members?dry_run=true"))
        .bearer(&editor)
        .raw("text/csv", csv_of(&members(10..12)))
        .send();
    assert_eq!(dry.status, 200, "{}", dry.body);
    assert_eq!(dry.json()["id"], Value::Null);
    assert!(dry.header("Location").is_none());
    let mut bad = members(20..22);
    bad[1]["org_number"] = json!("123456789");
    post(&app, &org, &editor, None, csv_of(&bad)).problem(422);
    let all = app
        .get(&format!("/api/v1/orgs/{org}/imports"))
        .bearer(&viewer)
        .send()
        .json();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
}

#[test]
fn an_idempotency_key_replays_its_answer_and_belongs_to_one_request() {
    let app = TestApp::spawn();
    let org = app.create_org("nokkel");
    let editor = app.token(&org, Role::Editor);
    let body = csv_of(&members(1..4));

    let first = post(&app, &org, &editor, Some("import-2022-01"), body.clone());
    assert_eq!(first.status, 201, "{}", first.body);
    assert!(first.header("Idempotent-Replayed").is_none());
    // The same request again: the first answer, status, body and Location, marked as a
    // replay; no second import.
    let again = post(&app, &org, &editor, Some("import-2022-01"), body.clone());
    assert_eq!(again.status, 201);
    assert_eq!(again.header("Idempotent-Replayed"), Some("true"));
    assert_eq!(again.json(), first.json());
    assert_eq!(again.header("Location"), first.header("Location"));
    let imports = |app: &TestApp| {
        app.get(&format!("/api/v1/orgs/{org}/imports"))
            .bearer(&editor)
            .send()
            .json()["items"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(imports(&app), 1);

    // The key with another body, or another query, is refused; without a key the same
    // body is a new import (all unchanged).
    let other = post(
        &app,
        &org,
        &editor,
        Some("import-2022-01"),
        csv_of(&members(5..6)),
    );
    assert_eq!(other.problem(422)["errors"][0]["field"], "Idempotency-Key");
    app.post(&format!("/api/v1/orgs/{org}/imports/members?dry_run=true"))
        .bearer(&editor)
        .header("Idempotency-Key", "import-2022-01")
        .raw("text/csv", body.clone())
        .send()
        .problem(422);
    let plain = post(&app, &org, &editor, None, body.clone());
    assert_eq!(plain.json()["unchanged"], 3);
    assert_eq!(imports(&app), 2);

    // A request that fails keeps no answer: fixed, it may use its key again.
    let mut bad = members(10..12);
    bad[0]["org_number"] = json!("123456789");
    post(&app, &org, &editor, Some("retry-me"), csv_of(&bad)).problem(422);
    bad[0]["org_number"] = json!(member_org_number(10));
    let fixed = post(&app, &org, &editor, Some("retry-me"), csv_of(&bad));
    assert_eq!(fixed.status, 201, "{}", fixed.body);

    // A key whose first request is still running (taken, not answered): 409 — until it
    // counts as abandoned (its server stopped), when the key is free again.
    let mut conn = veikart_store::db::connect(app.db.url()).unwrap();
    let org_id: i64 = veikart_store::Org::Slug(&org).id(&mut conn).unwrap();
    let mut running = |key: &str, age: chrono::TimeDelta| {
        let now = veikart_store::now();
        let stored = IdempotencyKey {
            org_id,
            key: key.to_owned(),
            request_sha256: "a request still running".into(),
            status: None,
            location: None,
            answer: None,
            created_at: now - age,
        };
        veikart_store::write_transaction(&mut conn, |tx| {
            take_key(
                tx,
                stored,
                now - chrono::TimeDelta::hours(24),
                now - chrono::TimeDelta::hours(1),
            )
        })
        .unwrap();
    };
    running("in-flight", chrono::TimeDelta::zero());
    let busy = post(&app, &org, &editor, Some("in-flight"), body.clone());
    assert_eq!(busy.problem(409)["errors"][0]["field"], "Idempotency-Key");
    running("abandoned", chrono::TimeDelta::minutes(16));
    let free = post(&app, &org, &editor, Some("abandoned"), body.clone());
    assert_eq!(free.status, 201, "{}", free.body);

    // Keys are read as given: 1-255 visible ASCII characters.
    post(&app, &org, &editor, Some(&"k".repeat(256)), body.clone()).problem(400);
    post(&app, &org, &editor, Some("two words"), body).problem(400);
}

/// The service's binary beside this test binary (`cargo test --workspace` builds it).
fn veikart_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let binary = dir.join(format!("veikart{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.exists(),
        "{} is missing: the test of a killed import runs the real binary; build it with \
         `cargo build -p veikart-cli` (`cargo test --workspace` does)",
        binary.display()
    );
    binary
}

/// The real server on `db`, with its log lines sent to the returned receiver.
fn start_server(db: &TestDb) -> (Child, String, std::sync::mpsc::Receiver<String>) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(veikart_binary())
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--workers",
            "2",
        ])
        .env("DATABASE_URL", db.url().as_str())
        .env("VEIKART_JWT_SECRET", std::str::from_utf8(SECRET).unwrap())
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
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while ureq::get(&format!("{base}/readyz")).call().is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
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
