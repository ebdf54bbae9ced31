//! Webhook deliveries: events reach a receiver on loopback signed per the Standard
//! Webhooks specification (checked with its reference verifier), in order, at least once;
//! failures are retried by the schedule with the same `webhook-id`; `410 Gone` disables the
//! endpoint; redirects are not followed; names resolving to private addresses are refused
//! without a connection. Every receiver is a server the test starts on 127.0.0.1.

use std::collections::{HashMap, HashSet};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use veikart_api::Settings;
use veikart_api::webhooks::delivery::client::{Lookup, LookupFuture, check_literal_host, client};
use veikart_api::webhooks::delivery::schedule::Schedule;
use veikart_domain::Role;
use veikart_tests::receiver::{Received, Receiver, Reply};
use veikart_tests::webhooks::{deliveries, endpoint, insert_endpoint, insert_events, rotate};
use veikart_tests::{TestApp, record_body};

const WAIT: Duration = Duration::from_secs(20);

/// Deliveries on, loopback receivers allowed, and a retry schedule a thousand times shorter (5 ms, 0.3 s,
/// 1.8 s, …).
fn delivering(settings: &mut Settings) {
    settings.webhook_delivery.enabled = true;
    settings.webhooks.allow_loopback = true;
    settings.webhooks.allow_http = true;
    settings.webhook_delivery.schedule = Schedule { scale: 0.001 };
}

fn spawn() -> TestApp {
    TestApp::spawn_with(delivering)
}

/// Creates members `first..first + n` in `org`; returns the ids of the organisation's
/// `record.created` events, oldest first, from the feed.
fn create_members(app: &TestApp, org: &str, first: u32, n: u32) -> Vec<String> {
    for i in first..first + n {
        app.create(org, "/members", record_body("members", i));
    }
    let reply = app
        .get(&format!("/api/v1/orgs/{org}/events?limit=500"))
        .bearer(&app.token(org, Role::Viewer))
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "record.created")
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Whether `received` verifies with `secret` by the Standard Webhooks reference code.
fn verifies(received: &Received, secret: &str) -> bool {
    let mut headers = http::HeaderMap::new();
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        headers.insert(name, received.header(name).parse().unwrap());
    }
    standardwebhooks::Webhook::new(secret)
        .unwrap()
        .verify(received.body.as_bytes(), &headers)
        .is_ok()
}

fn ids(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|r| r.header("webhook-id").to_owned())
        .collect()
}

/// The endpoint's delivery log once it has at least `n` attempts (an attempt is recorded
/// just after its answer reaches the receiver's client).
fn wait_for_log(app: &TestApp, endpoint: i64, n: usize) -> Vec<veikart_store::webhooks::Delivery> {
    let deadline = Instant::now() + WAIT;
    loop {
        let log = deliveries(&app.db, endpoint);
        if log.len() >= n {
            return log;
        }
        assert!(
            Instant::now() < deadline,
            "{} attempt(s) logged, not {n}",
            log.len()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The properties of schema `name` in the committed contract, sorted.
fn contract_fields(name: &str) -> Vec<String> {
    let doc: Value = serde_json::to_value(veikart_api::openapi()).unwrap();
    assert!(
        doc["webhooks"]["event"]["post"].is_object(),
        "no webhooks section"
    );
    sorted_keys(&doc["components"]["schemas"][name]["properties"])
}

fn sorted_keys(object: &Value) -> Vec<String> {
    let mut keys: Vec<String> = object.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[test]
fn events_reach_the_receiver_signed_in_order_with_their_data() {
    let app = spawn();
    let org = app.create_org("hooks");
    let receiver = Receiver::ok();
    let hook = insert_endpoint(&app.db, &org, &receiver.url, &["*"]);

    let sent = create_members(&app, &org, 0, 5);
    let received = receiver.wait_until(WAIT, |r| r.len() >= 5);

    assert_eq!(ids(&received), sent, "each event once, in sequence order");
    for r in &received {
        assert!(
            verifies(r, &hook.secret),
            "signature: {}",
            r.header("webhook-signature")
        );
        let other = veikart_api::webhooks::WebhookSecret::generate().unwrap();
        assert!(
            !verifies(r, &other.to_whsec()),
            "a wrong secret must not verify"
        );
        assert_eq!(r.method, "POST");
        assert_eq!(r.header("content-type"), "application/json");
        let body: Value = r.json();
        assert_eq!(body["type"], "record.created");
        assert_eq!(body["data"]["kind"], "member");
        assert!(body["timestamp"].as_str().unwrap().ends_with('Z'), "{body}");
        assert_eq!(
            sorted_keys(&body),
            contract_fields("WebhookEvent"),
            "the body has the fields the contract's `webhooks` section names"
        );
        let age =
            chrono::Utc::now().timestamp() - r.header("webhook-timestamp").parse::<i64>().unwrap();
        assert!((0..60).contains(&age), "webhook-timestamp {age} s old");
    }
    let state = endpoint(&app.db, hook.id);
    assert_eq!(state.attempts, 0);
    let log = wait_for_log(&app, hook.id, 5);
    assert_eq!(log.len(), 5);
    assert!(log.iter().all(|d| d.attempt.succeeded
        && d.attempt.status_code == Some(200)
        && d.attempt.response_excerpt == "ok"));
}

#[test]
fn during_a_rotation_both_secrets_sign_and_each_verifies() {
    let app = spawn();
    let org = app.create_org("rotating");
    let receiver = Receiver::ok();
    let hook = insert_endpoint(&app.db, &org, &receiver.url, &["*"]);
    let new_secret = rotate(&app.db, &hook);

    create_members(&app, &org, 0, 1);
    let received = receiver.wait_until(WAIT, |r| !r.is_empty());

    let r = &received[0];
    let signatures: Vec<&str> = r.header("webhook-signature").split(' ').collect();
    assert_eq!(signatures.len(), 2, "{signatures:?}");
    assert!(signatures.iter().all(|s| s.starts_with("v1,")));
    assert!(verifies(r, &hook.secret), "the previous secret");
    assert!(verifies(r, &new_secret), "the new secret");
    write_samples(&received, &[&hook.secret, &new_secret]);
}

/// Keeps the messages received with their secrets for the Python reference verifier that
/// `.ci/run` runs after the tests (`tests/webhooks/verify.py`).
fn write_samples(received: &[Received], secrets: &[&str]) {
    let samples: Vec<Value> = received
        .iter()
        .map(|r| {
            serde_json::json!({
                "headers": {
                    "webhook-id": r.header("webhook-id"),
                    "webhook-timestamp": r.header("webhook-timestamp"),
                    "webhook-signature": r.header("webhook-signature"),
                },
                "body": r.body,
                "secrets": secrets,
            })
        })
        .collect();
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("webhook-samples.json");
    std::fs::write(path, serde_json::to_vec_pretty(&samples).unwrap()).unwrap();
}

#[test]
fn a_failing_receiver_gets_the_event_again_with_the_same_id_until_it_takes_it() {
    let app = spawn();
    let org = app.create_org("retried");
    let receiver = Receiver::answering(|_, n| Reply::status(if n < 2 { 500 } else { 200 }));
    let hook = insert_endpoint(&app.db, &org, &receiver.url, &["*"]);

    let sent = create_members(&app, &org, 0, 1);
    let received = receiver.wait_until(WAIT, |r| r.len() >= 3);

    assert_eq!(ids(&received), vec![sent[0].clone(); 3]);
    assert!(received.iter().all(|r| r.body == received[0].body));
    assert!(received.iter().all(|r| verifies(r, &hook.secret)));
    let log: Vec<(bool, Option<i32>)> = wait_for_log(&app, hook.id, 3)
        .iter()
        .map(|d| (d.attempt.succeeded, d.attempt.status_code))
        .collect();
    assert_eq!(
        log,
        [(false, Some(500)), (false, Some(500)), (true, Some(200))]
    );
    // The same log through the API, newest first.
    let reply = app
        .get(&format!(
            "/api/v1/orgs/{org}/webhooks/{}/deliveries",
            hook.id
        ))
        .bearer(&app.token(&org, Role::Admin))
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    let shown: Vec<(Value, Value, Value)> = reply.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["event_id"].clone(),
                d["succeeded"].clone(),
                d["status_code"].clone(),
            )
        })
        .collect();
    let id = Value::from(sent[0].as_str());
    assert_eq!(
        shown,
        [
            (id.clone(), Value::from(true), Value::from(200)),
            (id.clone(), Value::from(false), Value::from(500)),
            (id, Value::from(false), Value::from(500)),
        ]
    );
    let state = endpoint(&app.db, hook.id);
    assert_eq!(
        (state.attempts, state.failing_since, state.next_attempt_at),
        (0, None, None)
    );
    assert!(state.enabled);
}

#[test]
fn retry_after_of_a_503_is_honoured() {
    let app = spawn();
    let org = app.create_org("later");
    let receiver = Receiver::answering(|_, n| match n {
        0 => Reply::status(503).header("Retry-After", "2"),
        _ => Reply::status(200),
    });
    insert_endpoint(&app.db, &org, &receiver.url, &["*"]);
    create_members(&app, &org, 0, 1);
    let first = Instant::now();
    receiver.wait_until(WAIT, |r| !r.is_empty());
    receiver.wait_until(WAIT, |r| r.len() >= 2);
    // The schedule alone would retry after 5 ms.
    assert!(
        first.elapsed() >= Duration::from_millis(1800),
        "{:?}",
        first.elapsed()
    );
}

#[test]
fn gone_disables_the_endpoint_and_writes_webhook_disabled() {
    let app = spawn();
    let org = app.create_org("gone");
    let receiver = Receiver::answering(|_, _| Reply::status(410));
    let hook = insert_endpoint(&app.db, &org, &receiver.url, &["*"]);

    create_members(&app, &org, 0, 1);
    receiver.wait_until(WAIT, |r| !r.is_empty());
    let deadline = Instant::now() + WAIT;
    while endpoint(&app.db, hook.id).enabled {
        assert!(Instant::now() < deadline, "the endpoint stayed enabled");
        std::thread::sleep(Duration::from_millis(20));
    }
    let state = endpoint(&app.db, hook.id);
    assert!(state.disabled_reason.unwrap().contains("410"));

    let feed = app
        .get(&format!("/api/v1/orgs/{org}/events?type=webhook.disabled"))
        .bearer(&app.token(&org, Role::Viewer))
        .send()
        .json();
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{feed}");
    assert_eq!(items[0]["data"]["endpoint_id"], hook.id);
    assert_eq!(items[0]["data"]["url"], receiver.url.as_str());

    create_members(&app, &org, 1, 1);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        receiver.received().len(),
        1,
        "a disabled endpoint gets nothing more"
    );
}

#[test]
fn a_redirect_is_not_followed_and_counts_as_a_failure() {
    let app = spawn();
    let org = app.create_org("moved");
    let elsewhere = Receiver::ok();
    let target = elsewhere.url.clone();
    let receiver = Receiver::answering(move |_, _| Reply::status(307).header("Location", &target));
    let hook = insert_endpoint(&app.db, &org, &receiver.url, &["*"]);

    create_members(&app, &org, 0, 1);
    receiver.wait_until(WAIT, |r| r.len() >= 2);

    assert!(elsewhere.received().is_empty(), "the redirect was followed");
    let log = wait_for_log(&app, hook.id, 2);
    assert!(
        log.iter()
            .all(|d| !d.attempt.succeeded && d.attempt.status_code == Some(307))
    );
    assert!(endpoint(&app.db, hook.id).attempts >= 1);
}

#[test]
fn only_the_wanted_types_are_sent_and_the_cursor_passes_the_others() {
    let app = spawn();
    let org = app.create_org("choosy");
    let receiver = Receiver::ok();
    let hook = insert_endpoint(&app.db, &org, &receiver.url, &["record.deleted"]);

    let member = app.create(&org, "/members", record_body("members", 1));
    create_members(&app, &org, 2, 2);
    let reply = app
        .delete(&format!("/api/v1/orgs/{org}/members/{}", member["id"]))
        .bearer(&app.token(&org, Role::Editor))
        .send();
    assert_eq!(reply.status, 204, "{}", reply.body);
    create_members(&app, &org, 4, 1);

    let received = receiver.wait_until(WAIT, |r| !r.is_empty());
    assert_eq!(received[0].json()["type"], "record.deleted");
    // Once the later record.created is passed over, the cursor is the last event.
    let feed = app
        .get(&format!("/api/v1/orgs/{org}/events?limit=500"))
        .bearer(&app.token(&org, Role::Viewer))
        .send()
        .json();
    let last = feed["items"].as_array().unwrap().last().unwrap()["seq"]
        .as_i64()
        .unwrap();
    let deadline = Instant::now() + WAIT;
    while endpoint(&app.db, hook.id).delivered_through != last {
        assert!(
            Instant::now() < deadline,
            "the cursor did not pass the unwanted events"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(receiver.received().len(), 1);
}

#[test]
fn many_events_reach_one_endpoint_once_each_in_order() {
    let app = spawn();
    let org = app.create_org("busy");
    let receiver = Receiver::ok();
    insert_endpoint(&app.db, &org, &receiver.url, &["*"]);
    let sent = insert_events(&app.db, &org, 300);
    let received = receiver.wait_until(WAIT, |r| r.len() >= 300);
    assert_eq!(ids(&received), sent);
}

#[test]
fn two_servers_on_one_database_never_send_an_attempt_twice() {
    let app = spawn();
    let beside = app.spawn_beside_with(delivering);
    let receiver = Receiver::ok();
    let mut sent = Vec::new();
    let mut endpoints = Vec::new();
    for n in 0..4 {
        let org = app.create_org(&format!("pair{n}"));
        endpoints.push(insert_endpoint(&app.db, &org, &receiver.url, &["*"]).id);
        sent.push(insert_events(&app.db, &org, 250));
    }
    receiver.wait_until(Duration::from_secs(60), |r| r.len() >= 1000);
    // Let any attempt sent twice arrive.
    std::thread::sleep(Duration::from_millis(1500));
    let received = receiver.received();
    assert_eq!(received.len(), 1000, "some attempt was sent twice");
    let distinct: HashSet<String> = ids(&received).into_iter().collect();
    assert_eq!(distinct.len(), 1000);
    // In order per endpoint (the events of one organisation go to its one endpoint).
    let mut position: HashMap<&str, usize> = HashMap::new();
    for (i, id) in ids(&received).iter().enumerate() {
        position.insert(sent.iter().flatten().find(|s| *s == id).unwrap(), i);
    }
    for org in &sent {
        let order: Vec<usize> = org.iter().map(|id| position[id.as_str()]).collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "out of order");
    }
    let logged: usize = endpoints
        .iter()
        .map(|id| deliveries(&app.db, *id).len())
        .sum();
    assert_eq!(logged, 1000);
    drop(beside);
}

/// A resolver that answers every name with one address, and counts its questions.
struct Stub {
    answer: SocketAddr,
    asked: Arc<AtomicUsize>,
}

impl Lookup for Stub {
    fn lookup(&self, _host: String) -> LookupFuture {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let answer = self.answer;
        Box::pin(async move { Ok(vec![answer]) })
    }
}

/// Sends one request to `url` with a client resolving every name to `answer`; returns the
/// error, if any, and how often the stub was asked.
fn send_via_stub(url: &str, answer: SocketAddr, allow_loopback: bool) -> (Option<String>, usize) {
    let asked = Arc::new(AtomicUsize::new(0));
    let stub = Arc::new(Stub {
        answer,
        asked: asked.clone(),
    });
    let client = client(stub, allow_loopback).unwrap();
    let result =
        actix_web::rt::System::new().block_on(async move { client.post(url).send().await });
    let error = result.err().map(|e| {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            text.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        text
    });
    (error, asked.load(Ordering::SeqCst))
}

#[test]
fn a_name_resolving_to_a_private_address_is_refused_without_connecting() {
    // The stub answers 10.0.0.1: the refusal comes before any connection is tried.
    let private: SocketAddr = "10.0.0.1:80".parse().unwrap();
    let (error, asked) = send_via_stub("http://intranet.example/hook", private, true);
    assert_eq!(asked, 1, "the stub resolved the name");
    let error = error.expect("refused");
    assert!(
        error.contains("10.0.0.1") && error.contains("not sent to"),
        "{error}"
    );

    // A listener of ours on loopback, which the stub names: refused unless loopback is
    // allowed, and then no connection reaches it.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let local = listener.local_addr().unwrap();
    let (error, _) = send_via_stub("http://receiver.example/hook", local, false);
    assert!(error.expect("refused").contains("not sent to"));
    assert!(
        listener.accept().is_err(),
        "a connection reached the refused address"
    );

    // Allowed, the same stub's answer is connected to: the stub is what was refused.
    let receiver = Receiver::ok();
    let port: u16 = receiver
        .url
        .split(':')
        .nth(2)
        .unwrap()
        .trim_end_matches("/hook")
        .parse()
        .unwrap();
    let (error, _) = send_via_stub(
        "http://receiver.example/hook",
        SocketAddr::from(([127, 0, 0, 1], port)),
        true,
    );
    assert_eq!(error, None);
    assert_eq!(receiver.wait_until(WAIT, |r| !r.is_empty()).len(), 1);
}

#[test]
fn literal_private_addresses_are_refused_before_connecting_in_every_form() {
    for url in [
        "http://10.0.0.1/",
        "http://167772161/",
        "http://0x0a.0.0.1/",
        "http://012.0.0.1/",
        "http://[::ffff:10.0.0.1]/",
        "http://[fd00::1]/",
        "http://169.254.169.254/",
        "http://127.0.0.1/",
    ] {
        let parsed = reqwest::Url::parse(url).unwrap();
        assert!(check_literal_host(&parsed, false).is_err(), "{url}");
    }
    let loopback = reqwest::Url::parse("http://127.0.0.1:9/").unwrap();
    assert!(check_literal_host(&loopback, true).is_ok());
}
