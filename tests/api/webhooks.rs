//! Webhook endpoints' management: the secret shown once and stored sealed, rotation,
//! changes, roles and isolation, the refusal of URLs that name private addresses (at save
//! time: nothing here connects anywhere), pings and redeliveries queued as messages, and
//! the delivery log.

use base64::Engine as _;
use diesel::prelude::*;
use serde_json::{Value, json};
use veikart_domain::Role;
use veikart_store::schema::{webhook_deliveries, webhook_endpoints};
use veikart_store::webhooks::{self as store, Endpoint};
use veikart_store::{DbConnection, Org};
use veikart_tests::{Reply, TestApp, record_body};

const URL: &str = "http://127.0.0.1:9/hooks";

fn webhooks(org: &str) -> String {
    format!("/api/v1/orgs/{org}/webhooks")
}

fn create(app: &TestApp, org: &str, body: &Value) -> Reply {
    app.post(&webhooks(org))
        .bearer(&app.token(org, Role::Admin))
        .json(body)
        .send()
}

/// A new endpoint of `org` (as its admin): its answer, with the secret.
fn created(app: &TestApp, org: &str) -> Value {
    let reply = create(app, org, &json!({"url": URL, "event_types": ["*"]}));
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()
}

fn connection(app: &TestApp) -> DbConnection {
    veikart_store::db::connect(app.db.url()).unwrap()
}

fn stored(app: &TestApp, id: i64) -> Endpoint {
    webhook_endpoints::table
        .find(id)
        .select(Endpoint::as_select())
        .first(&mut connection(app))
        .unwrap()
}

fn secret_bytes(secret: &str) -> Vec<u8> {
    let b64 = secret.strip_prefix("whsec_").expect("a whsec_ secret");
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

#[test]
fn creating_shows_the_secret_once_and_stores_it_sealed() {
    let app = TestApp::spawn();
    let org = app.create_org("hooks");
    let reply = create(
        &app,
        &org,
        &json!({"url": "http://127.0.0.1:9/in", "description": " intranet ", "event_types": ["plan.adopted", "record.created"]}),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let body = reply.json();
    let id = body["id"].as_i64().unwrap();
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/orgs/{org}/webhooks/{id}").as_str())
    );
    assert_eq!(reply.header("etag"), Some("\"v1\""));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(body["description"], "intranet");
    assert_eq!(
        body["event_types"],
        json!(["plan.adopted", "record.created"])
    );
    assert_eq!(body["enabled"], true);
    let secret = body["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret_bytes(&secret).len(), 32);

    let admin = app.token(&org, Role::Admin);
    let one = app
        .get(&format!("{}/{id}", webhooks(&org)))
        .bearer(&admin)
        .send();
    let list = app.get(&webhooks(&org)).bearer(&admin).send();
    for read in [&one, &list] {
        assert_eq!(read.status, 200, "{}", read.body);
        assert!(!read.body.contains(&secret), "{}", read.body);
        assert!(!read.body.contains("secret\""), "{}", read.body);
    }
    assert_eq!(list.json()["items"][0]["id"], id);
    assert_eq!(one.json()["url"], "http://127.0.0.1:9/in");
    // Neither the shown form nor its bytes' base64 is stored; the sealed form is.
    let b64 = secret.trim_start_matches("whsec_");
    assert!(!app.db.holds(&secret));
    assert!(!app.db.holds(b64));
    let row = stored(&app, id);
    assert!(
        row.secret_sealed.starts_with("v1."),
        "{}",
        row.secret_sealed
    );
    assert!(app.db.holds(&row.secret_sealed));
    assert_eq!(row.attempts, 0);
    assert_eq!(row.created_by, "admin@hooks");
}

#[test]
fn a_new_endpoint_receives_the_events_after_its_creation() {
    let app = TestApp::spawn();
    let org = app.create_org("later");
    app.create(&org, "/members", record_body("members", 1));
    app.create(&org, "/members", record_body("members", 2));
    let id = created(&app, &org)["id"].as_i64().unwrap();
    let mut conn = connection(&app);
    let org_id = Org::Slug(&org).id(&mut conn).unwrap();
    let latest = store::latest_seq(&mut conn, org_id).unwrap();
    assert!(latest > 0);
    assert_eq!(stored(&app, id).delivered_through, latest);
}

#[test]
fn rotating_shows_a_new_secret_and_keeps_the_old_one_signing_for_a_day() {
    let app = TestApp::spawn();
    let org = app.create_org("rotate");
    let first = created(&app, &org);
    let id = first["id"].as_i64().unwrap();
    let before = stored(&app, id);
    let reply = app
        .post(&format!("{}/{id}/rotate-secret", webhooks(&org)))
        .bearer(&app.token(&org, Role::Admin))
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("etag"), Some("\"v2\""));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let rotated = reply.json();
    let (old, new) = (
        first["secret"].as_str().unwrap(),
        rotated["secret"].as_str().unwrap(),
    );
    assert_ne!(old, new);
    assert_eq!(secret_bytes(new).len(), 32);
    let until: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(rotated["previous_secret_until"].clone()).unwrap();
    let ahead = until - chrono::Utc::now();
    assert!(
        ahead > chrono::Duration::hours(23) && ahead <= chrono::Duration::hours(24),
        "{ahead}"
    );
    let after = stored(&app, id);
    assert_eq!(
        after.previous_secret_sealed.as_deref(),
        Some(before.secret_sealed.as_str())
    );
    assert_ne!(after.secret_sealed, before.secret_sealed);
    assert!(!app.db.holds(new) && !app.db.holds(old));
}

#[test]
fn an_endpoint_is_changed_with_if_match_and_deleted() {
    let app = TestApp::spawn();
    let org = app.create_org("change");
    let id = created(&app, &org)["id"].as_i64().unwrap();
    let url = format!("{}/{id}", webhooks(&org));
    let admin = app.token(&org, Role::Admin);
    let stale = app
        .patch(&url)
        .bearer(&admin)
        .header("if-match", "\"v9\"")
        .json(&json!({"description": "x"}))
        .send();
    stale.problem(412);
    let reply = app
        .patch(&url)
        .bearer(&admin)
        .header("if-match", "\"v1\"")
        .json(&json!({"description": "dashboards", "event_types": ["import.completed"], "url": "http://[::1]:9/b"}))
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("etag"), Some("\"v2\""));
    let changed = reply.json();
    assert_eq!(changed["description"], "dashboards");
    assert_eq!(changed["event_types"], json!(["import.completed"]));
    assert_eq!(changed["url"], "http://[::1]:9/b");
    app.patch(&url)
        .bearer(&admin)
        .json(&json!({"enabled": null}))
        .send()
        .problem(422);

    let deleted = app.delete(&url).bearer(&admin).send();
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    app.get(&url).bearer(&admin).send().problem(404);
    app.delete(&url).bearer(&admin).send().problem(404);
}

#[test]
fn re_enabling_clears_why_it_was_disabled_and_its_failing_streak() {
    let app = TestApp::spawn();
    let org = app.create_org("revive");
    let id = created(&app, &org)["id"].as_i64().unwrap();
    let now = veikart_store::now();
    diesel::update(webhook_endpoints::table.find(id))
        .set((
            webhook_endpoints::enabled.eq(false),
            webhook_endpoints::disabled_reason.eq(Some("the receiver answered 410 Gone")),
            webhook_endpoints::failing_since.eq(Some(now)),
            webhook_endpoints::next_attempt_at.eq(Some(now)),
            webhook_endpoints::attempts.eq(4),
            webhook_endpoints::delivered_through.eq(7),
        ))
        .execute(&mut connection(&app))
        .unwrap();
    let url = format!("{}/{id}", webhooks(&org));
    let admin = app.token(&org, Role::Admin);
    let disabled = app.get(&url).bearer(&admin).send().json();
    assert_eq!(
        disabled["disabled_reason"],
        "the receiver answered 410 Gone"
    );
    assert!(disabled["failing_since"].is_string());

    let reply = app
        .patch(&url)
        .bearer(&admin)
        .json(&json!({"enabled": true}))
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    let enabled = reply.json();
    assert_eq!(enabled["enabled"], true);
    assert_eq!(enabled["disabled_reason"], Value::Null);
    assert_eq!(enabled["failing_since"], Value::Null);
    let row = stored(&app, id);
    assert_eq!((row.attempts, row.next_attempt_at), (0, None));
    // Its events resume where they stopped.
    assert_eq!(row.delivered_through, 7);
}

#[test]
fn only_admins_manage_webhooks_and_never_with_a_key() {
    let app = TestApp::spawn();
    let org = app.create_org("roles");
    let id = created(&app, &org)["id"].as_i64().unwrap();
    let (_, editor_key) = app.create_key(&org, Role::Editor);
    let (_, viewer_key) = app.create_key(&org, Role::Viewer);
    let body = json!({"url": URL, "event_types": ["*"]});
    let base = webhooks(&org);
    for credential in [
        app.token(&org, Role::Viewer),
        app.token(&org, Role::Editor),
        editor_key,
        viewer_key,
    ] {
        for request in [
            app.get(&base),
            app.post(&base).json(&body),
            app.get(&format!("{base}/{id}")),
            app.patch(&format!("{base}/{id}"))
                .json(&json!({"enabled": false})),
            app.delete(&format!("{base}/{id}")),
            app.post(&format!("{base}/{id}/rotate-secret")),
            app.post(&format!("{base}/{id}/ping")),
            app.get(&format!("{base}/{id}/deliveries")),
        ] {
            request.bearer(&credential).send().problem(403);
        }
    }
    app.get(&base).send().problem(401);
    app.post(&base).json(&body).send().problem(401);
    // A platform admin manages any organisation's.
    let reply = app
        .post(&base)
        .bearer(&app.platform_admin())
        .json(&body)
        .send();
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(stored(&app, id).version, 1);
}

#[test]
fn another_organisations_endpoints_are_not_found() {
    let app = TestApp::spawn();
    let a = app.create_org("org-a");
    let b = app.create_org("org-b");
    let b_id = created(&app, &b)["id"].as_i64().unwrap();
    let a_admin = app.token(&a, Role::Admin);
    for base in [webhooks(&b), webhooks(&a)] {
        app.get(&format!("{base}/{b_id}"))
            .bearer(&a_admin)
            .send()
            .problem(404);
        app.post(&format!("{base}/{b_id}/ping"))
            .bearer(&a_admin)
            .send()
            .problem(404);
        app.get(&format!("{base}/{b_id}/deliveries"))
            .bearer(&a_admin)
            .send()
            .problem(404);
        app.post(&format!("{base}/{b_id}/rotate-secret"))
            .bearer(&a_admin)
            .send()
            .problem(404);
    }
    assert_eq!(stored(&app, b_id).version, 1);
    let mut conn = connection(&app);
    assert!(
        veikart_store::webhook_delivery::unsent_messages(&mut conn, b_id, i64::MAX)
            .unwrap()
            .is_empty()
    );
}

/// URLs no instance accepts: every refused range, in every notation.
const REFUSED: &[&str] = &[
    // Loopback, private, CGNAT, link-local, unspecified, multicast, broadcast.
    "https://127.0.0.1/",
    "https://10.0.0.1/",
    "https://172.16.0.1/",
    "https://172.31.255.254/",
    "https://192.168.1.1/",
    "https://100.64.0.1/",
    "https://169.254.169.254/latest/meta-data/",
    "https://0.0.0.0/",
    "https://224.0.0.1/",
    "https://255.255.255.255/",
    // One number, octal, hex and shortened forms of 10.0.0.1 and 127.0.0.1.
    "https://167772161/",
    "https://012.0.0.1/",
    "https://0xa.0.0.1/",
    "https://10.1/",
    "https://2130706433/",
    "https://0177.0.0.1/",
    // IPv6: loopback, unspecified, link-local, unique-local, multicast.
    "https://[::1]/",
    "https://[::]/",
    "https://[fe80::1]/",
    "https://[fc00::1]/",
    "https://[fd00:ec2::254]/",
    "https://[ff02::1]/",
    // IPv4-mapped forms.
    "https://[::ffff:10.0.0.1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:a9fe:a9fe]/",
    "https://[::ffff:192.168.0.1]/",
    "https://localhost/",
    // User info.
    "https://user@hooks.example.com/",
    "https://user:password@hooks.example.com/",
    // Plain http, not allowed on this instance.
    "http://hooks.example.com/",
    // Not a URL to send to at all.
    "ftp://hooks.example.com/",
    "hooks.example.com",
];

#[test]
fn urls_naming_private_addresses_are_refused_when_saved() {
    let app = TestApp::spawn_with(|settings| {
        settings.webhooks.allow_http = false;
        settings.webhooks.allow_loopback = false;
    });
    let org = app.create_org("ssrf");
    for url in REFUSED {
        let reply = create(&app, &org, &json!({"url": url, "event_types": ["*"]}));
        let problem = reply.problem(422);
        assert_eq!(reply.error_fields(), ["url"], "{url}: {problem}");
    }
    // A public URL is accepted, and the same refusals hold when changing it.
    let reply = create(
        &app,
        &org,
        &json!({"url": "https://hooks.example.com/veikart", "event_types": ["*"], "enabled": false}),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let id = reply.json()["id"].as_i64().unwrap();
    let admin = app.token(&org, Role::Admin);
    for url in [
        "https://167772161/",
        "https://[::ffff:10.0.0.1]/",
        "http://hooks.example.com/",
    ] {
        let reply = app
            .patch(&format!("{}/{id}", webhooks(&org)))
            .bearer(&admin)
            .json(&json!({"url": url}))
            .send();
        reply.problem(422);
        assert_eq!(reply.error_fields(), ["url"]);
    }
    let listed = app.get(&webhooks(&org)).bearer(&admin).send().json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        listed["items"][0]["url"],
        "https://hooks.example.com/veikart"
    );
}

#[test]
fn loopback_is_refused_unless_allowed_and_then_only_loopback() {
    let strict = TestApp::spawn_with(|settings| settings.webhooks.allow_loopback = false);
    let org = strict.create_org("strict");
    for url in [
        "http://127.0.0.1:9/",
        "http://[::1]:9/",
        "http://localhost:9/",
    ] {
        let reply = create(&strict, &org, &json!({"url": url, "event_types": ["*"]}));
        reply.problem(422);
    }
    let app = TestApp::spawn();
    let org = app.create_org("loose");
    for url in [
        "http://127.0.0.1:9/",
        "http://127.8.9.10:9/",
        "http://[::1]:9/",
    ] {
        let reply = create(&app, &org, &json!({"url": url, "event_types": ["*"]}));
        assert_eq!(reply.status, 201, "{url}: {}", reply.body);
    }
    for url in [
        "http://10.0.0.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://169.254.169.254/",
    ] {
        let reply = create(&app, &org, &json!({"url": url, "event_types": ["*"]}));
        reply.problem(422);
    }
}

#[test]
fn event_types_are_a_list_of_known_types_each_once_or_star_alone() {
    let app = TestApp::spawn();
    let org = app.create_org("types");
    for (types, field) in [
        (json!([]), "event_types"),
        (json!(["*", "plan.adopted"]), "event_types"),
        (json!(["plan.adopted", "plan.adopted"]), "event_types"),
        (json!(["plan.adopted", "plan.nope"]), "event_types[1]"),
        (json!("*"), "event_types"),
    ] {
        let reply = create(&app, &org, &json!({"url": URL, "event_types": types}));
        reply.problem(422);
        assert_eq!(reply.error_fields(), [field], "{types}: {}", reply.body);
    }
}

/// A delivery attempt as the delivery worker records it.
fn attempt(app: &TestApp, endpoint_id: i64, event_id: &str, seq: Option<i64>, kind: &str) -> i64 {
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::endpoint_id.eq(endpoint_id),
            webhook_deliveries::event_id.eq(event_id),
            webhook_deliveries::event_seq.eq(seq),
            webhook_deliveries::event_type.eq(kind),
            webhook_deliveries::attempted_at.eq(veikart_store::now()),
            webhook_deliveries::succeeded.eq(false),
            webhook_deliveries::status_code.eq(Some(500)),
            webhook_deliveries::error.eq(None::<String>),
            webhook_deliveries::latency_ms.eq(12),
            webhook_deliveries::response_excerpt.eq("oops"),
        ))
        .returning(webhook_deliveries::id)
        .get_result(&mut connection(app))
        .unwrap()
}

#[test]
fn a_ping_is_queued_as_a_message() {
    let app = TestApp::spawn();
    let org = app.create_org("ping");
    let id = created(&app, &org)["id"].as_i64().unwrap();
    let reply = app
        .post(&format!("{}/{id}/ping", webhooks(&org)))
        .bearer(&app.token(&org, Role::Admin))
        .send();
    assert_eq!(reply.status, 202, "{}", reply.body);
    let queued = reply.json();
    assert_eq!(queued["event_type"], "webhook.ping");
    let messages =
        veikart_store::webhook_delivery::unsent_messages(&mut connection(&app), id, i64::MAX)
            .unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].event_id, queued["event_id"].as_str().unwrap());
    assert!(messages[0].event_id.starts_with("msg_"));
    let body: Value = serde_json::from_str(&messages[0].body).unwrap();
    assert_eq!(body["type"], "webhook.ping");
    assert_eq!(body["data"], json!({"endpoint_id": id}));
    assert!(body["timestamp"].is_string());
}

#[test]
fn the_delivery_log_reads_newest_first_and_an_attempt_can_be_redelivered() {
    let app = TestApp::spawn();
    let org = app.create_org("redo");
    let id = created(&app, &org)["id"].as_i64().unwrap();
    let member = app.create(&org, "/members", record_body("members", 1));
    let admin = app.token(&org, Role::Admin);
    let feed = app
        .get(&format!("/api/v1/orgs/{org}/events"))
        .bearer(&admin)
        .send()
        .json();
    let event = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "record.created" && e["data"]["id"] == member["id"])
        .unwrap()
        .clone();
    let event_id = event["id"].as_str().unwrap();
    let sent = attempt(&app, id, event_id, event["seq"].as_i64(), "record.created");
    let pruned = attempt(&app, id, "evt_gone", Some(987_654), "record.created");
    let ping = attempt(&app, id, "msg_0123", None, "webhook.ping");

    let base = format!("{}/{id}/deliveries", webhooks(&org));
    let log = app.get(&format!("{base}?limit=2")).bearer(&admin).send();
    assert_eq!(log.status, 200, "{}", log.body);
    let log = log.json();
    let ids: Vec<i64> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [ping, pruned]);
    let cursor = log["next_cursor"].as_str().unwrap();
    let rest = app
        .get(&format!("{base}?cursor={cursor}"))
        .bearer(&admin)
        .send()
        .json();
    let last = &rest["items"][0];
    assert_eq!(last["id"], sent);
    assert_eq!(last["event_id"], event_id);
    assert_eq!(last["status_code"], 500);
    assert_eq!(last["response_excerpt"], "oops");
    assert_eq!(last["latency_ms"], 12);
    assert_eq!(last["succeeded"], false);

    let redo = |delivery: i64| {
        app.post(&format!("{base}/{delivery}/redeliver"))
            .bearer(&admin)
            .send()
    };
    let reply = redo(sent);
    assert_eq!(reply.status, 202, "{}", reply.body);
    assert_eq!(reply.json()["event_id"], event_id);
    redo(pruned).problem(410);
    assert_eq!(redo(ping).status, 202);
    redo(999_999).problem(404);

    let messages =
        veikart_store::webhook_delivery::unsent_messages(&mut connection(&app), id, i64::MAX)
            .unwrap();
    let queued: Vec<&str> = messages.iter().map(|m| m.event_id.as_str()).collect();
    assert_eq!(queued, [event_id, "msg_0123"]);
    let body: Value = serde_json::from_str(&messages[0].body).unwrap();
    assert_eq!(body["type"], "record.created");
    assert_eq!(body["data"], event["data"]);

    // Another organisation's admin sees no log and redelivers nothing.
    let other = app.create_org("other");
    let other_admin = app.token(&other, Role::Admin);
    app.get(&base).bearer(&other_admin).send().problem(404);
    let foreign = format!("{}/{id}/deliveries/{sent}/redeliver", webhooks(&other));
    app.post(&foreign).bearer(&other_admin).send().problem(404);
}
