use serde_json::json;
use veikart_domain::Role;
use veikart_tests::{PlanBuilder, TestApp};

#[test]
fn each_role_may_do_what_its_rank_allows_and_gets_403_beyond() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let plan = app.create_plan(&org, "Plan")["id"].as_i64().unwrap();
    let viewer = app.token(&org, Role::Viewer);
    let editor = app.token(&org, Role::Editor);
    let admin = app.token(&org, Role::Admin);
    let plans = format!("/api/v1/orgs/{org}/plans");
    let one = format!("{plans}/{plan}");

    // viewer: reads, but writes nothing
    assert_eq!(app.get(&one).bearer(&viewer).send().status, 200);
    app.post(&plans)
        .bearer(&viewer)
        .json(&PlanBuilder::new("x").build())
        .send()
        .problem(403);
    app.patch(&one)
        .bearer(&viewer)
        .json(&json!({"title": "x"}))
        .send()
        .problem(403);
    // editor: writes plans, but deletes none and reads no audit trail
    assert_eq!(
        app.patch(&one)
            .bearer(&editor)
            .json(&json!({"title": "y"}))
            .send()
            .status,
        200
    );
    app.delete(&one).bearer(&editor).send().problem(403);
    app.get(&format!("/api/v1/orgs/{org}/audit"))
        .bearer(&editor)
        .send()
        .problem(403);
    app.patch(&format!("/api/v1/orgs/{org}"))
        .bearer(&editor)
        .json(&json!({"name": "x"}))
        .send()
        .problem(403);
    // admin: manages the organisation, but creates, lists and deletes no organisations
    app.get("/api/v1/orgs").bearer(&admin).send().problem(403);
    app.post("/api/v1/orgs")
        .bearer(&admin)
        .json(&json!({"slug": "new-org", "name": "New", "org_number": "923609016"}))
        .send()
        .problem(403);
    app.delete(&format!("/api/v1/orgs/{org}"))
        .bearer(&admin)
        .send()
        .problem(403);
    assert_eq!(app.delete(&one).bearer(&admin).send().status, 204);
}
