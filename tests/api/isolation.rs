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

    // An organisation that does not exist looks exactly the same.
    let ghost = app
        .get("/api/v1/orgs/no-such-org")
        .bearer(&a_admin)
        .send()
        .problem(404);
    let real = app
        .get(&format!("/api/v1/orgs/{b}"))
        .bearer(&a_admin)
        .send()
        .problem(404);
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
