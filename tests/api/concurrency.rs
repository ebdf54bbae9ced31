//! Concurrent editors never overwrite each other: a write naming a stale version in
//! `If-Match` gets 412 and changes nothing.

use serde_json::json;
use veikart_domain::Role;
use veikart_tests::TestApp;

#[test]
fn a_stale_if_match_gets_412_and_changes_nothing() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let plan = app.create_plan(&org, "Plan");
    let path = format!("/api/v1/orgs/{org}/plans/{}", plan["id"]);
    let editor = app.token(&org, Role::Editor);
    let admin = app.token(&org, Role::Admin);

    let read = app.get(&path).bearer(&editor).send();
    let etag = read.header("etag").unwrap().to_owned();
    assert_eq!(etag, "\"v1\"");

    // First editor wins.
    let first = app
        .patch(&path)
        .bearer(&editor)
        .header("If-Match", &etag)
        .json(&json!({"title": "First"}))
        .send();
    assert_eq!(first.status, 200);
    assert_eq!(first.header("etag"), Some("\"v2\""));
    // Second editor, holding v1, loses.
    app.patch(&path)
        .bearer(&editor)
        .header("If-Match", &etag)
        .json(&json!({"title": "Second"}))
        .send()
        .problem(412);
    app.delete(&path)
        .bearer(&admin)
        .header("If-Match", &etag)
        .send()
        .problem(412);
    app.patch(&path)
        .bearer(&editor)
        .header("If-Match", "not-an-etag")
        .json(&json!({"title": "Third"}))
        .send()
        .problem(412);
    assert_eq!(
        app.get(&path).bearer(&editor).send().json()["title"],
        "First"
    );

    // `*` and the current version both match.
    let publish = format!("{path}/publish");
    assert_eq!(
        app.post(&publish)
            .bearer(&editor)
            .header("If-Match", "*")
            .send()
            .status,
        200
    );
    assert_eq!(
        app.delete(&path)
            .bearer(&admin)
            .header("If-Match", "\"v3\"")
            .send()
            .status,
        204
    );
}

#[test]
fn an_organisation_honours_if_match_too() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let path = format!("/api/v1/orgs/{org}");
    let admin = app.token(&org, Role::Admin);
    app.patch(&path)
        .bearer(&admin)
        .header("If-Match", "\"v7\"")
        .json(&json!({"name": "x"}))
        .send()
        .problem(412);
    assert_eq!(
        app.patch(&path)
            .bearer(&admin)
            .header("If-Match", "\"v1\"")
            .json(&json!({"name": "x"}))
            .send()
            .status,
        200
    );
    app.delete(&path)
        .bearer(&app.platform_admin())
        .header("If-Match", "\"v1\"")
        .send()
        .problem(412);
}

#[test]
fn if_none_match_with_the_current_etag_answers_304() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let plan = app.create_plan(&org, "Plan");
    let path = format!("/api/v1/orgs/{org}/plans/{}", plan["id"]);
    let viewer = app.token(&org, Role::Viewer);
    let cached = app
        .get(&path)
        .bearer(&viewer)
        .header("If-None-Match", "\"v1\"")
        .send();
    assert_eq!(cached.status, 304);
    assert_eq!(cached.body, "");
    assert_eq!(
        app.get(&path)
            .bearer(&viewer)
            .header("If-None-Match", "\"v0\"")
            .send()
            .status,
        200
    );
}

#[test]
fn an_invalid_change_is_reported_before_a_stale_version() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let plan = app.create_plan(&org, "Plan");
    let path = format!("/api/v1/orgs/{org}/plans/{}", plan["id"]);
    let reply = app
        .patch(&path)
        .bearer(&app.token(&org, Role::Editor))
        .header("If-Match", "\"v9\"")
        .json(&json!({"title": "nul\u{0}"}))
        .send();
    reply.problem(422);
    assert_eq!(reply.error_fields(), ["title"]);
}
