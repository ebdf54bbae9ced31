//! A token for one organisation never reaches another's data: every verb on every path
//! of organisation B answers 404 to a token for organisation A, as if B did not exist.

use serde_json::json;
use veikart_domain::Role;
use veikart_tests::{PlanBuilder, TestApp};

#[test]
fn a_token_for_org_a_gets_404_for_every_verb_on_org_b() {
    let app = TestApp::spawn();
    let a = app.create_org("org-a");
    let b = app.create_org("org-b");
    let b_plan = app.create_plan(&b, "B's plan")["id"].as_i64().unwrap();
    let a_admin = app.token(&a, Role::Admin);

    let requests = [
        app.get(&format!("/api/v1/orgs/{b}")),
        app.patch(&format!("/api/v1/orgs/{b}"))
            .json(&json!({"name": "taken over"})),
        app.delete(&format!("/api/v1/orgs/{b}")),
        app.get(&format!("/api/v1/orgs/{b}/plans")),
        app.post(&format!("/api/v1/orgs/{b}/plans"))
            .json(&PlanBuilder::new("intruder").build()),
        app.get(&format!("/api/v1/orgs/{b}/plans/{b_plan}")),
        app.patch(&format!("/api/v1/orgs/{b}/plans/{b_plan}"))
            .json(&json!({"title": "mine"})),
        app.delete(&format!("/api/v1/orgs/{b}/plans/{b_plan}")),
        app.get(&format!("/api/v1/orgs/{b}/audit")),
        // B's plan id under A's own slug is not A's plan either.
        app.get(&format!("/api/v1/orgs/{a}/plans/{b_plan}")),
        app.patch(&format!("/api/v1/orgs/{a}/plans/{b_plan}"))
            .json(&json!({"title": "mine"})),
        app.delete(&format!("/api/v1/orgs/{a}/plans/{b_plan}")),
    ];
    for request in requests {
        request.bearer(&a_admin).send().problem(404);
    }

    // An organisation that does not exist looks exactly the same (but for the request's
    // own id).
    let mut ghost = app
        .get("/api/v1/orgs/no-such-org")
        .bearer(&a_admin)
        .send()
        .problem(404);
    let mut real = app
        .get(&format!("/api/v1/orgs/{b}"))
        .bearer(&a_admin)
        .send()
        .problem(404);
    for problem in [&mut ghost, &mut real] {
        if let Some(fields) = problem.as_object_mut() {
            fields.remove("instance");
        }
    }
    assert_eq!(ghost, real);

    // B's data is untouched.
    let b_admin = app.token(&b, Role::Admin);
    let plan = app
        .get(&format!("/api/v1/orgs/{b}/plans/{b_plan}"))
        .bearer(&b_admin)
        .send()
        .json();
    assert_eq!(plan["title"], "B's plan");
    assert_eq!(
        app.get(&format!("/api/v1/orgs/{b}"))
            .bearer(&b_admin)
            .send()
            .json()["name"],
        "Org org-b"
    );
    let listed = app
        .get(&format!("/api/v1/orgs/{a}/plans"))
        .bearer(&a_admin)
        .send()
        .json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
}

#[test]
fn the_plan_tree_of_org_b_is_invisible_to_a_token_for_org_a() {
    let app = TestApp::spawn();
    let a = app.create_org("org-a");
    let b = app.create_org("org-b");
    let plan = app.import_plan(&b, &veikart_tests::small_document())["id"]
        .as_i64()
        .unwrap();
    let b_viewer = app.token(&b, Role::Viewer);
    let first = |path: &str| -> i64 {
        let reply = app
            .get(&format!("/api/v1/orgs/{b}{path}"))
            .bearer(&b_viewer)
            .send()
            .json();
        reply["items"][0]["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{path}: {reply}"))
    };
    let strategy = first("/strategies");
    let goal = first(&format!("/goals?plan_id={plan}"));
    let area = first(&format!("/plans/{plan}/focus-areas"));
    let kpi = first(&format!("/plans/{plan}/kpis"));
    let measure = first(&format!("/plans/{plan}/measures"));
    let line = first(&format!("/plans/{plan}/budget-lines"));
    let a_admin = app.token(&a, Role::Admin);
    let b_path = |rest: &str| format!("/api/v1/orgs/{b}{rest}");
    let a_path = |rest: &str| format!("/api/v1/orgs/{a}{rest}");
    let empty = json!({});

    let mut requests = vec![
        app.get(&b_path("/strategies")),
        app.post(&b_path("/strategies"))
            .json(&json!({"title": "x", "period_start": "2020-01-01", "period_end": "2020-12-31"})),
        app.get(&b_path("/goals")),
        app.post(&b_path("/goals"))
            .json(&json!({"plan_id": plan, "key": "x", "title": "x", "measurable": true})),
        app.get(&b_path(&format!("/goals/{goal}/check-ins"))),
        app.post(&b_path("/plans/import"))
            .json(&veikart_tests::small_document()),
        app.get(&b_path(&format!("/plans/{plan}/document"))),
        app.get(&b_path(&format!("/plans/{plan}/revisions"))),
        app.post(&b_path(&format!("/plans/{plan}/adopt")))
            .json(&json!({"adopted_on": "2022-01-01", "adopted_by": "x"})),
        app.post(&b_path(&format!("/plans/{plan}/copy")))
            .json(&json!({"years": 1})),
    ];
    for action in ["publish", "unpublish", "archive", "revise"] {
        requests.push(app.post(&b_path(&format!("/plans/{plan}/{action}"))));
    }
    let kpi_body = json!({"title": "x", "source": {"entity": "member", "aggregate": "count"}, "direction": "at_least", "target": 1});
    for (collection, item, valid_body) in [
        ("focus-areas", area, json!({"number": 9, "title": "x"})),
        ("kpis", kpi, kpi_body),
        (
            "measures",
            measure,
            json!({"focus_area_id": area, "number": 9, "title": "x"}),
        ),
        (
            "budget-lines",
            line,
            json!({"code": "x", "title": "x", "amount": 1}),
        ),
    ] {
        requests.push(app.get(&b_path(&format!("/plans/{plan}/{collection}"))));
        requests.push(
            app.post(&b_path(&format!("/plans/{plan}/{collection}")))
                .json(&valid_body),
        );
        requests.push(app.get(&b_path(&format!("/plans/{plan}/{collection}/{item}"))));
        requests.push(
            app.patch(&b_path(&format!("/plans/{plan}/{collection}/{item}")))
                .json(&empty),
        );
        requests.push(app.delete(&b_path(&format!("/plans/{plan}/{collection}/{item}"))));
        // B's ids under A's own slug are not A's either.
        requests.push(app.get(&a_path(&format!("/plans/{plan}/{collection}/{item}"))));
    }
    for (collection, item) in [("strategies", strategy), ("goals", goal)] {
        requests.push(app.get(&b_path(&format!("/{collection}/{item}"))));
        requests.push(
            app.patch(&b_path(&format!("/{collection}/{item}")))
                .json(&empty),
        );
        requests.push(app.delete(&b_path(&format!("/{collection}/{item}"))));
        requests.push(app.get(&a_path(&format!("/{collection}/{item}"))));
        requests.push(app.delete(&a_path(&format!("/{collection}/{item}"))));
    }
    requests.push(app.get(&a_path(&format!("/plans/{plan}/document"))));
    requests.push(
        app.post(&a_path(&format!("/plans/{plan}/copy")))
            .json(&json!({"years": 1})),
    );
    requests.push(
        app.post(&a_path(&format!("/goals/{goal}/check-ins")))
            .json(&json!({"checked_on": "2022-01-01", "status": "on_track", "confidence": 5})),
    );
    for request in requests {
        request.bearer(&a_admin).send().problem(404);
    }
    // A goal, focus area or budget line of B cannot be referenced from A's plan.
    let a_plan = app.create_plan(&a, "A's plan")["id"].as_i64().unwrap();
    let borrowed = app
        .post(&a_path(&format!("/plans/{a_plan}/kpis")))
        .bearer(&a_admin)
        .json(&json!({"goal_id": goal, "focus_area_id": area, "title": "x",
                      "source": {"entity": "member", "aggregate": "count"}, "direction": "at_least", "target": 1}))
        .send();
    borrowed.problem(422);
    let mut fields = borrowed.error_fields();
    fields.sort();
    assert_eq!(fields, ["focus_area_id", "goal_id"]);
    // B's tree is intact.
    assert_eq!(
        app.export_plan(&b, plan)["focus_areas"][0]["title"],
        "Medlemsaktiviteter"
    );
}

/// A valid body for each POST of the document, so that the request reaches the
/// organisation check (an invalid body is refused before it, whatever the organisation).
fn post_body(template: &str, plan_id: i64) -> Option<serde_json::Value> {
    let kind = template.rsplit('/').next()?;
    if veikart_tests::RECORD_KINDS.contains(&kind) {
        return Some(veikart_tests::record_body(kind, 7));
    }
    Some(match kind {
        "orgs" => return None,
        "strategies" => {
            json!({"title": "x", "period_start": "2020-01-01", "period_end": "2020-12-31"})
        }
        "goals" => json!({"plan_id": plan_id, "key": "x", "title": "x", "measurable": true}),
        "check-ins" => json!({"checked_on": "2022-06-30", "status": "on_track", "confidence": 5}),
        "plans" => PlanBuilder::new("x").build(),
        "import" => veikart_tests::small_document(),
        "{kind}" => json!([veikart_tests::record_body("members", 7)]),
        "adopt" => json!({"adopted_on": "2022-01-01", "adopted_by": "x"}),
        "copy" => json!({"years": 1}),
        "publish" | "unpublish" | "archive" | "revise" => return Some(json!(null)),
        "focus-areas" => json!({"number": 9, "title": "x"}),
        "kpis" => json!({"title": "x", "source": {"entity": "member", "aggregate": "count"},
            "direction": "at_least", "target": 1}),
        "measures" => json!({"focus_area_id": 1, "number": 9, "title": "x"}),
        "budget-lines" => json!({"code": "9", "title": "x", "amount": 1}),
        "api-keys" => json!({"name": "x", "role": "viewer",
            "expires_at": (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339()}),
        "roll" => json!({}),
        "webhooks" => {
            json!({"url": "http://127.0.0.1:9/x", "event_types": ["*"], "enabled": false})
        }
        "rotate-secret" | "ping" | "redeliver" => return Some(json!(null)),
        other => panic!("POST …/{other} is new: give it a valid body in post_body"),
    })
}

#[test]
fn every_operation_of_the_document_answers_404_to_another_organisations_token_or_key() {
    let app = TestApp::spawn();
    let b = veikart_tests::Everything::create(&app, "org-b");
    let a = app.create_org("org-a");
    let a_admin = app.token(&a, Role::Admin);
    let (_, a_key) = app.create_key(&a, Role::Editor);
    let b_admin = app.token(&b.org, Role::Admin);
    let doc = serde_json::to_value(veikart_api::openapi()).unwrap();

    let mut tried = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        if !template.starts_with("/api/v1/orgs/{org}") {
            continue;
        }
        let url = b.concrete(&app, template, &b_admin);
        for method in item.as_object().unwrap().keys() {
            for (caller, credential) in [("token", &a_admin), ("key", &a_key)] {
                let request = match method.as_str() {
                    "get" => app.get(&url),
                    "delete" => app.delete(&url),
                    "patch" => app.patch(&url).json(&json!({})),
                    "post" => match post_body(template, b.plan_id) {
                        Some(serde_json::Value::Null) => app.post(&url),
                        Some(body) => app.post(&url).json(&body),
                        None => continue,
                    },
                    other => panic!("{other} {template}: a method this test does not know"),
                };
                let reply = request.bearer(credential).send();
                assert_eq!(
                    reply.status, 404,
                    "{method} {url} with org A's {caller}: {}",
                    reply.body
                );
                tried += 1;
            }
        }
    }
    assert!(tried >= 160, "only {tried} operations were tried");
    // B's data is all still there.
    let members = app
        .get(&format!("/api/v1/orgs/{}/members", b.org))
        .bearer(&b_admin)
        .send()
        .json();
    // One created, one imported.
    assert_eq!(members["items"].as_array().unwrap().len(), 2);
    let keys = app
        .get(&format!("/api/v1/orgs/{}/api-keys", b.org))
        .bearer(&b_admin)
        .send()
        .json();
    assert_eq!(keys["items"][0]["revoked_at"], serde_json::Value::Null);
}
