//! Killing the server while it delivers webhooks loses no event: the real `veikart`
//! binary delivers 1,000 events to a slow receiver on loopback (started by this test), is
//! killed with SIGKILL part-way, and is started again on the same database; the receiver
//! then has every event at least once. On SQLite by default, on PostgreSQL when
//! `VEIKART_TEST_POSTGRES_URL` is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation must fail the test loudly"
)]

use std::collections::HashSet;
use std::process::{Child, Stdio};
use std::time::Duration;

use chrono::Utc;
use serde_json::json;
use veikart_tests::receiver::{Receiver, Reply};
use veikart_tests::webhooks::{insert_endpoint, insert_events};
use veikart_tests::{SECRET, TestDb, org_number_for, sign};

mod common;

/// The real server on `db`, allowed to deliver to loopback receivers.
fn start_server(db: &TestDb) -> (Child, String) {
    let (mut command, base) = common::serve(db);
    let child = command
        .env("VEIKART_WEBHOOKS_ALLOW_LOOPBACK", "true")
        .env("VEIKART_WEBHOOKS_ALLOW_HTTP", "true")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    common::wait_until_ready(&base);
    (child, base)
}

#[test]
fn killing_the_server_mid_delivery_loses_no_event() {
    let db = TestDb::create();
    let (mut server, base) = start_server(&db);
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

    // A slow receiver: 5 ms an answer, so 1,000 events take seconds.
    let receiver = Receiver::answering(|_, _| Reply::status(200).after(Duration::from_millis(5)));
    insert_endpoint(&db, "drept", &receiver.url, &["*"]);
    let sent = insert_events(&db, "drept", 1000);

    receiver.wait_until(Duration::from_secs(60), |r| r.len() >= 200);
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    let before_restart = receiver.received().len();
    assert!(
        before_restart < 1000,
        "killed after every event was delivered"
    );

    // Restarted: once the dead instance's lease runs out, delivery resumes after the last
    // acknowledged event.
    let (mut server, _base) = start_server(&db);
    let received = receiver.wait_until(Duration::from_secs(120), |r| {
        r.iter()
            .map(|r| r.header("webhook-id"))
            .collect::<HashSet<_>>()
            .len()
            >= 1000
    });
    let distinct: HashSet<&str> = received.iter().map(|r| r.header("webhook-id")).collect();
    let expected: HashSet<&str> = sent.iter().map(String::as_str).collect();
    assert_eq!(distinct, expected);
    // At least once, and sent again only what was acknowledged but not yet recorded (at
    // most one group) and the attempt in flight at the kill.
    let at_most = 1000 + veikart_api::webhooks::delivery::ACK_GROUP + 1;
    assert!(
        received.len() <= at_most,
        "{} requests, at most {at_most}",
        received.len()
    );
    server.kill().unwrap();
    server.wait().unwrap();
}
