//! What an import leaves besides its records: its log row (`GET …/imports`), the import's
//! id on every record it wrote, the `Idempotency-Key` answers. (That a killed server leaves
//! nothing of an import is tested beside the binary: `crates/cli/tests/killed_import.rs`.)

use serde_json::{Value, json};
use veikart_domain::Role;
use veikart_store::imports::{IdempotencyKey, take_key};
use veikart_tests::{Reply, TestApp, csv_of, member_org_number, record_body};

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
