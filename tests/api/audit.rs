use serde_json::json;
use veikart_domain::Role;
use veikart_tests::TestApp;

#[test]
fn every_write_is_recorded_with_who_what_and_when() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let plan = app.create_plan(&org, "Plan");
    let id = plan["id"].as_i64().unwrap();
    let path = format!("/api/v1/orgs/{org}/plans/{id}");
    let editor = app.token(&org, Role::Editor);
    let admin = app.token(&org, Role::Admin);
    assert_eq!(
        app.patch(&path)
            .bearer(&editor)
            .json(&json!({"title": "Renamed"}))
            .send()
            .status,
        200
    );
    // A refused write leaves no trace.
    app.patch(&path)
        .bearer(&editor)
        .json(&json!({"title": ""}))
        .send()
        .problem(422);
    assert_eq!(app.delete(&path).bearer(&admin).send().status, 204);

    let trail = app
        .get(&format!("/api/v1/orgs/{org}/audit?entity=plan"))
        .bearer(&admin)
        .send();
    assert_eq!(trail.status, 200, "{}", trail.body);
    let entries: Vec<_> = trail.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor"].as_str().unwrap().to_owned(),
                e["entity_id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            ("create".to_owned(), format!("admin@{org}"), id),
            ("update".to_owned(), format!("editor@{org}"), id),
            ("delete".to_owned(), format!("admin@{org}"), id),
        ]
    );
    let all = app
        .get(&format!("/api/v1/orgs/{org}/audit"))
        .bearer(&admin)
        .send()
        .json();
    assert_eq!(all["items"][0]["entity"], "organisation");
    assert_eq!(all["items"][0]["action"], "create");
    assert!(all["items"][0]["at"].as_str().unwrap().ends_with('Z'));
}
