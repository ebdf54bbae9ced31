//! API keys: made and managed by an organisation's admins, shown once, stored only as a
//! digest, used as `Authorization: Bearer vk_…` with the key's own role in its own
//! organisation, refused (the same 401 for every reason) when malformed, unknown, expired
//! or revoked — by every instance, at once — and named as the author of what they write.

use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};
use veikart_domain::{ApiKeySecret, Role};
use veikart_tests::{TestApp, record_body};

fn keys_path(org: &str) -> String {
    format!("/api/v1/orgs/{org}/api-keys")
}

fn in_days(days: i64) -> String {
    (Utc::now() + chrono::Duration::days(days)).to_rfc3339()
}

/// What a refusal says, without what differs from request to request.
fn refusal(reply: &veikart_tests::Reply) -> Value {
    let problem = reply.problem(401);
    json!([problem["type"], problem["title"], problem["detail"]])
}

fn plans_of(app: &TestApp, org: &str, key: &str) -> veikart_tests::Reply {
    app.get(&format!("/api/v1/orgs/{org}/plans"))
        .bearer(key)
        .send()
}

#[test]
fn a_key_reads_and_an_editor_key_writes_with_itself_as_author() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    app.create_plan(&org, "Plan");
    let (viewer_id, viewer) = app.create_key(&org, Role::Viewer);
    let (editor_id, editor) = app.create_key(&org, Role::Editor);

    let read = plans_of(&app, &org, &viewer);
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.json()["items"].as_array().unwrap().len(), 1);
    let members = format!("/api/v1/orgs/{org}/members");
    app.post(&members)
        .bearer(&viewer)
        .json(&record_body("members", 1))
        .send()
        .problem(403);

    let created = app
        .post(&members)
        .bearer(&editor)
        .json(&record_body("members", 1))
        .send();
    assert_eq!(created.status, 201, "{}", created.body);
    let author = format!("key:{editor_id}");
    assert_eq!(created.json()["created_by"], author);
    assert_eq!(created.json()["updated_by"], author);

    let imported = app
        .post(&format!("/api/v1/orgs/{org}/imports/members"))
        .bearer(&editor)
        .json(&json!([record_body("members", 2)]))
        .send();
    assert_eq!(imported.status, 201, "{}", imported.body);
    assert_eq!(imported.json()["imported_by"], author);
    let listed = app.get(&members).bearer(&viewer).send().json();
    let by: Vec<&Value> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["created_by"])
        .collect();
    assert_eq!(by, [&json!(author), &json!(author)]);

    let audit = app
        .get(&format!("/api/v1/orgs/{org}/audit?entity=member"))
        .bearer(&app.token(&org, Role::Admin))
        .send()
        .json();
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor"] == author),
        "{audit}"
    );
    assert_ne!(viewer_id, editor_id);
}

#[test]
fn a_key_is_shown_once_and_stored_only_as_its_digest() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let admin = app.token(&org, Role::Admin);
    let created = app
        .post(&keys_path(&org))
        .bearer(&admin)
        .json(&json!({"name": "nightly import", "role": "editor", "expires_at": in_days(90)}))
        .send();
    assert_eq!(created.status, 201, "{}", created.body);
    let shown = created.json();
    let key = shown["key"].as_str().unwrap().to_owned();
    let id = shown["id"].as_i64().unwrap();
    assert!(ApiKeySecret::parse(&key).is_some(), "{key}");
    assert_eq!(
        created.header("location"),
        Some(format!("{}/{id}", keys_path(&org)).as_str())
    );
    assert_eq!(shown["prefix"], format!("{}…", &key[..7]));
    assert_eq!(shown["role"], "editor");
    assert_eq!(shown["created_by"], format!("admin@{org}"));
    assert_eq!(shown["last_used_at"], Value::Null);
    assert_eq!(shown["revoked_at"], Value::Null);

    assert_eq!(plans_of(&app, &org, &key).status, 200);
    let listed = app.get(&keys_path(&org)).bearer(&admin).send().json();
    let item = &listed["items"][0];
    assert_eq!(item["id"], id);
    assert!(item.get("key").is_none(), "{item}");
    assert!(item["last_used_at"].is_string(), "{item}");
    let one = app
        .get(&format!("{}/{id}", keys_path(&org)))
        .bearer(&admin)
        .send()
        .json();
    assert!(one.get("key").is_none(), "{one}");
    assert_eq!(&one, item);

    // The database holds the prefix (the search works) and nothing more of the key.
    assert!(app.db.holds(&key[..7]));
    assert!(!app.db.holds(&key), "the key is stored");
    assert!(!app.db.holds(&key[7..]), "part of the key is stored");
}

#[test]
fn a_key_with_a_bad_checksum_is_refused_without_a_statement() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let (_, key) = app.create_key(&org, Role::Viewer);
    let last = key.chars().last().unwrap();
    let typo = format!("{}{}", &key[..38], if last == 'a' { 'b' } else { 'a' });

    let (statements, reply) = app.statements_during(|| plans_of(&app, &org, &typo));
    assert_eq!(statements, 0);
    let bad_checksum = refusal(&reply);
    let (statements, reply) = app.statements_during(|| plans_of(&app, &org, "vk_short"));
    assert_eq!(statements, 0);
    assert_eq!(refusal(&reply), bad_checksum);

    // A well-formed key nobody made costs its one lookup, and is refused the same way.
    let unknown = ApiKeySecret::generate(getrandom::fill).unwrap();
    let (statements, reply) = app.statements_during(|| plans_of(&app, &org, unknown.expose()));
    assert_eq!(statements, 1);
    assert_eq!(refusal(&reply), bad_checksum);
    assert_eq!(plans_of(&app, &org, &key).status, 200);
}

#[test]
fn an_expired_or_revoked_key_is_refused_by_every_instance_at_once() {
    let app = TestApp::spawn();
    let other = app.spawn_beside();
    let org = app.create_org("ig");
    let admin = app.token(&org, Role::Admin);
    let (id, key) = app.create_key(&org, Role::Viewer);
    assert_eq!(plans_of(&app, &org, &key).status, 200);
    assert_eq!(plans_of(&other, &org, &key).status, 200);

    let revoke = app
        .delete(&format!("{}/{id}", keys_path(&org)))
        .bearer(&admin)
        .send();
    assert_eq!(revoke.status, 204, "{}", revoke.body);
    let revoked = refusal(&plans_of(&other, &org, &key));
    assert_eq!(refusal(&plans_of(&app, &org, &key)), revoked);
    // Another organisation's path is answered without the database (404 for a valid
    // key): the revoked key is still refused, by the check made before any answer leaves.
    let elsewhere = app.create_org("elsewhere");
    assert_eq!(refusal(&plans_of(&app, &elsewhere, &key)), revoked);
    let listed = app.get(&keys_path(&org)).bearer(&admin).send().json();
    assert!(listed["items"][0]["revoked_at"].is_string(), "{listed}");
    // Revoking again changes nothing.
    let again = app
        .delete(&format!("{}/{id}", keys_path(&org)))
        .bearer(&admin)
        .send();
    assert_eq!(again.status, 204);

    let (expiring_id, expiring) = app.create_key(&org, Role::Viewer);
    assert_eq!(plans_of(&other, &org, &expiring).status, 200);
    expire_now(&app, expiring_id);
    assert_eq!(refusal(&plans_of(&other, &org, &expiring)), revoked);
    assert_eq!(refusal(&plans_of(&app, &org, &expiring)), revoked);
}

/// Moves a key's expiry to a second ago, as time passing would.
fn expire_now(app: &TestApp, id: i64) {
    use diesel::prelude::*;
    use veikart_store::schema::api_keys;
    let mut conn = veikart_store::db::connect(app.db.url()).unwrap();
    let past = veikart_store::now() - chrono::Duration::seconds(1);
    let changed = diesel::update(api_keys::table.find(id))
        .set(api_keys::expires_at.eq(past))
        .execute(&mut conn)
        .unwrap();
    assert_eq!(changed, 1);
}

#[test]
fn a_rolled_key_works_until_its_grace_ends() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let admin = app.token(&org, Role::Admin);
    let (id, old) = app.create_key(&org, Role::Editor);
    let roll = |body: Value| {
        app.post(&format!("{}/{id}/roll", keys_path(&org)))
            .bearer(&admin)
            .json(&body)
            .send()
    };
    roll(json!({"grace_seconds": 7 * 24 * 3600 + 1})).problem(422);
    assert_eq!(
        roll(json!({"grace_seconds": 7 * 24 * 3600 + 1})).error_fields(),
        ["grace_seconds"]
    );
    assert_eq!(
        roll(json!({"expires_at": in_days(400)})).error_fields(),
        ["expires_at"]
    );

    let rolled = roll(json!({"grace_seconds": 2}));
    assert_eq!(rolled.status, 201, "{}", rolled.body);
    let rolled = rolled.json();
    let new = rolled["key"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert_eq!(rolled["role"], "editor");
    assert_eq!(plans_of(&app, &org, &old).status, 200);
    assert_eq!(plans_of(&app, &org, &new).status, 200);
    std::thread::sleep(Duration::from_millis(2_300));
    plans_of(&app, &org, &old).problem(401);
    assert_eq!(plans_of(&app, &org, &new).status, 200);
    // A key that no longer works cannot be rolled.
    roll(json!({})).problem(409);

    // By default the old key keeps working for 24 hours.
    let new_id = rolled["id"].as_i64().unwrap();
    let again = app
        .post(&format!("{}/{new_id}/roll", keys_path(&org)))
        .bearer(&admin)
        .json(&json!({}))
        .send();
    assert_eq!(again.status, 201, "{}", again.body);
    let previous = app
        .get(&format!("{}/{new_id}", keys_path(&org)))
        .bearer(&admin)
        .send()
        .json();
    let ends = chrono::DateTime::parse_from_rfc3339(previous["expires_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc);
    let grace = ends - Utc::now();
    assert!(
        grace > chrono::Duration::hours(23) && grace <= chrono::Duration::hours(24),
        "{grace}"
    );

    // The trail: created, rolled (the old key changed, a new one made) twice.
    let audit = app
        .get(&format!("/api/v1/orgs/{org}/audit?entity=api_key"))
        .bearer(&admin)
        .send()
        .json();
    let actions: Vec<(&str, i64)> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["entity_id"].as_i64().unwrap(),
            )
        })
        .collect();
    let newest = again.json()["id"].as_i64().unwrap();
    assert_eq!(
        actions,
        [
            ("create", id),
            ("update", id),
            ("create", new_id),
            ("update", new_id),
            ("create", newest)
        ]
    );
}

#[test]
fn revocation_is_in_the_audit_trail() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let admin = app.token(&org, Role::Admin);
    let (id, _) = app.create_key(&org, Role::Viewer);
    let revoke = app
        .delete(&format!("{}/{id}", keys_path(&org)))
        .bearer(&admin)
        .send();
    assert_eq!(revoke.status, 204);
    let audit = app
        .get(&format!("/api/v1/orgs/{org}/audit?entity=api_key"))
        .bearer(&admin)
        .send()
        .json();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "delete"]);
    assert_eq!(audit["items"][1]["actor"], format!("admin@{org}"));
}

#[test]
fn a_key_expires_within_366_days_and_has_a_role_below_admin() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let admin = app.token(&org, Role::Admin);
    let create = |body: Value| app.post(&keys_path(&org)).bearer(&admin).json(&body).send();
    for (body, field) in [
        (
            json!({"name": "x", "role": "viewer", "expires_at": in_days(367)}),
            "expires_at",
        ),
        (
            json!({"name": "x", "role": "viewer", "expires_at": in_days(-1)}),
            "expires_at",
        ),
        (json!({"name": "x", "role": "viewer"}), "expires_at"),
        (
            json!({"name": "x", "role": "admin", "expires_at": in_days(1)}),
            "role",
        ),
        (
            json!({"name": " ", "role": "viewer", "expires_at": in_days(1)}),
            "name",
        ),
    ] {
        let reply = create(body.clone());
        reply.problem(422);
        assert_eq!(reply.error_fields(), [field], "{body}");
    }
    let longest = create(json!({"name": "x", "role": "viewer", "expires_at": in_days(365)}));
    assert_eq!(longest.status, 201, "{}", longest.body);
    // A platform admin makes keys for any organisation.
    let made = app
        .post(&keys_path(&org))
        .bearer(&app.platform_admin())
        .json(&json!({"name": "x", "role": "editor", "expires_at": in_days(1)}))
        .send();
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.json()["created_by"], "platform");
}

#[test]
fn a_key_cannot_manage_keys_or_the_organisation() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let (id, key) = app.create_key(&org, Role::Editor);
    let body = json!({"name": "x", "role": "viewer", "expires_at": in_days(1)});
    let item = format!("{}/{id}", keys_path(&org));
    let requests = [
        app.post(&keys_path(&org)).json(&body),
        app.get(&keys_path(&org)),
        app.get(&item),
        app.delete(&item),
        app.post(&format!("{item}/roll")).json(&json!({})),
        app.patch(&format!("/api/v1/orgs/{org}"))
            .json(&json!({"name": "taken"})),
        app.delete(&format!("/api/v1/orgs/{org}")),
        app.get(&format!("/api/v1/orgs/{org}/audit")),
        app.get("/api/v1/orgs"),
    ];
    for request in requests {
        request.bearer(&key).send().problem(403);
    }
    // Editors and viewers with tokens cannot either.
    let editor = app.token(&org, Role::Editor);
    app.post(&keys_path(&org))
        .bearer(&editor)
        .json(&body)
        .send()
        .problem(403);
    app.get(&keys_path(&org))
        .bearer(&editor)
        .send()
        .problem(403);
    assert_eq!(plans_of(&app, &org, &key).status, 200);
}

#[test]
fn a_key_reaches_only_its_own_organisation() {
    let app = TestApp::spawn();
    let a = app.create_org("org-a");
    let b = app.create_org("org-b");
    let b_plan = app.create_plan(&b, "B")["id"].as_i64().unwrap();
    let (a_key_id, a_key) = app.create_key(&a, Role::Editor);
    let (b_key_id, _) = app.create_key(&b, Role::Editor);

    for path in [
        format!("/api/v1/orgs/{b}/plans"),
        format!("/api/v1/orgs/{b}/plans/{b_plan}"),
        format!("/api/v1/orgs/{b}"),
        "/api/v1/orgs/no-such-org/plans".to_owned(),
    ] {
        app.get(&path).bearer(&a_key).send().problem(404);
    }
    app.post(&format!("/api/v1/orgs/{b}/members"))
        .bearer(&a_key)
        .json(&record_body("members", 1))
        .send()
        .problem(404);
    // Keys are managed only in their own organisation.
    let a_admin = app.token(&a, Role::Admin);
    app.get(&format!("{}/{b_key_id}", keys_path(&a)))
        .bearer(&a_admin)
        .send()
        .problem(404);
    app.delete(&format!("{}/{b_key_id}", keys_path(&a)))
        .bearer(&a_admin)
        .send()
        .problem(404);
    app.post(&format!("{}/{b_key_id}/roll", keys_path(&a)))
        .bearer(&a_admin)
        .json(&json!({}))
        .send()
        .problem(404);
    for request in [
        app.get(&keys_path(&b)),
        app.get(&format!("{}/{b_key_id}", keys_path(&b))),
        app.delete(&format!("{}/{b_key_id}", keys_path(&b))),
    ] {
        request.bearer(&a_admin).send().problem(404);
    }
    let b_admin = app.token(&b, Role::Admin);
    let b_keys = app.get(&keys_path(&b)).bearer(&b_admin).send().json();
    assert_eq!(b_keys["items"].as_array().unwrap().len(), 1);
    assert_eq!(b_keys["items"][0]["revoked_at"], Value::Null);
    assert_ne!(a_key_id, b_key_id);
}

#[test]
fn keys_are_listed_newest_first_in_pages() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let admin = app.token(&org, Role::Admin);
    let ids: Vec<i64> = (0..3)
        .map(|_| app.create_key(&org, Role::Viewer).0)
        .collect();
    let first = app
        .get(&format!("{}?limit=2", keys_path(&org)))
        .bearer(&admin)
        .send()
        .json();
    let page_ids = |page: &Value| -> Vec<i64> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(page_ids(&first), [ids[2], ids[1]]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .get(&format!("{}?limit=2&cursor={cursor}", keys_path(&org)))
        .bearer(&admin)
        .send()
        .json();
    assert_eq!(page_ids(&second), [ids[0]]);
    assert!(second.get("next_cursor").is_none());
}
