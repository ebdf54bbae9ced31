//! Every way a request can be wrong gets a 4xx problem+json, never a 500 or a panic.

use serde_json::json;
use veikart_api::json::BodyLimit;
use veikart_domain::Role;
use veikart_tests::{PlanBuilder, TestApp};

#[test]
fn malformed_json_wrong_content_types_and_nul_bytes_are_client_errors() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let editor = app.token(&org, Role::Editor);
    let plans = format!("/api/v1/orgs/{org}/plans");

    app.post(&plans)
        .bearer(&editor)
        .raw("application/json", b"{\"title\": ".to_vec())
        .send()
        .problem(400);
    app.post(&plans)
        .bearer(&editor)
        .raw("application/json", b"[1, 2]".to_vec())
        .send()
        .problem(422);
    app.post(&plans)
        .bearer(&editor)
        .raw(
            "text/plain",
            serde_json::to_vec(&PlanBuilder::new("x").build()).unwrap(),
        )
        .send()
        .problem(415);
    app.post(&plans).bearer(&editor).send().problem(415);

    let nul = app
        .post(&plans)
        .bearer(&editor)
        .json(&PlanBuilder::new("nul\u{0}byte").build())
        .send();
    nul.problem(422);
    assert_eq!(nul.error_fields(), ["title"]);
    app.get(&format!("/api/v1/orgs/{org}/audit?entity=pl%00an"))
        .bearer(&app.token(&org, Role::Admin))
        .send()
        .problem(400);
    app.get("/api/v1/orgs/i%00g")
        .bearer(&editor)
        .send()
        .problem(400);

    // Nothing was written by any of these.
    let listed = app.get(&plans).bearer(&editor).send().json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
}

#[test]
fn an_oversized_body_gets_413() {
    let app = TestApp::spawn_with(|s| s.body_limit = BodyLimit(2048));
    let org = app.create_org("ig");
    let big = PlanBuilder::new("big")
        .with("intro", json!("x".repeat(4096)))
        .build();
    let reply = app
        .post(&format!("/api/v1/orgs/{org}/plans"))
        .bearer(&app.token(&org, Role::Editor))
        .json(&big)
        .send();
    reply.problem(413);
}

#[test]
fn unknown_routes_wrong_methods_and_bad_parameters_are_problems() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let viewer = app.token(&org, Role::Viewer);
    app.get("/api/v1/nothing-here").send().problem(404);
    let not_allowed = app
        .request("PUT", &format!("/api/v1/orgs/{org}/plans"))
        .bearer(&viewer)
        .send();
    not_allowed.problem(405);
    assert_eq!(not_allowed.header("allow"), Some("GET, POST"));
    app.get(&format!("/api/v1/orgs/{org}/plans/not-a-number"))
        .bearer(&viewer)
        .send()
        .problem(400);
    app.get(&format!("/api/v1/orgs/{org}/plans?limit=0"))
        .bearer(&viewer)
        .send()
        .problem(400);
    app.get(&format!("/api/v1/orgs/{org}/plans?limit=501"))
        .bearer(&viewer)
        .send()
        .problem(400);
    app.get(&format!("/api/v1/orgs/{org}/plans?limit=many"))
        .bearer(&viewer)
        .send()
        .problem(400);
    app.get(&format!("/api/v1/orgs/{org}/plans?cursor=Forged"))
        .bearer(&viewer)
        .send()
        .problem(400);
    app.get(&format!("/api/v1/orgs/{org}/plans?status=finished"))
        .bearer(&viewer)
        .send()
        .problem(400);
    app.get(&format!("/api/v1/orgs/{org}/plans/999999"))
        .bearer(&viewer)
        .send()
        .problem(404);
}

#[test]
fn a_literal_route_with_the_wrong_method_is_405_not_a_bad_parameter() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let editor = app.token(&org, Role::Editor);
    for method in ["GET", "PATCH", "DELETE"] {
        let reply = app
            .request(method, &format!("/api/v1/orgs/{org}/plans/import"))
            .bearer(&editor)
            .json(&json!({}))
            .send();
        reply.problem(405);
        assert_eq!(reply.header("allow"), Some("POST"), "{method}");
    }
}

/// A query parameter sent with an empty value is read by its type, never taken as absent:
/// `to=` is not a date, so the filter is refused naming it rather than silently dropped.
#[test]
fn an_empty_query_value_is_read_by_its_parameters_type() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let admin = app.token(&org, Role::Admin);
    for (path, parameter) in [
        (format!("/api/v1/orgs/{org}/plans?to="), "to"),
        (
            format!("/api/v1/orgs/{org}/plans?strategy_id="),
            "strategy_id",
        ),
        (format!("/api/v1/orgs/{org}/goals?plan_id="), "plan_id"),
        (format!("/api/v1/orgs/{org}/audit?entity="), "entity"),
    ] {
        let problem = app.get(&path).bearer(&admin).send().problem(400);
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(parameter), "{path}: {problem}");
    }
    assert_eq!(
        app.get(&format!("/api/v1/orgs/{org}/plans?to=2022-12-31"))
            .bearer(&admin)
            .send()
            .status,
        200
    );
}
