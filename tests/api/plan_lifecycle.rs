//! A plan's lifecycle: adopting freezes its structure until it is revised, and a revised
//! plan keeps its adopted version readable.

use serde_json::{Value, json};
use veikart_domain::Role;
use veikart_tests::{TestApp, small_document};

fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("an id")
}

#[test]
fn an_adopted_plan_is_frozen_until_it_is_revised() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let plan = id(&app.import_plan(&org, &small_document()));
    let admin = app.token(&org, Role::Admin);
    let editor = app.token(&org, Role::Editor);
    let api = |rest: &str| format!("/api/v1/orgs/{org}/plans/{plan}{rest}");
    let document_before = app.export_plan(&org, plan);

    let adopted = app
        .post(&api("/adopt"))
        .bearer(&admin)
        .json(&json!({"adopted_on": "2022-03-24", "adopted_by": "årsmøtet"}))
        .send();
    assert_eq!(adopted.status, 200, "{}", adopted.body);
    let areas = app.get(&api("/focus-areas")).bearer(&editor).send().json();
    let area = areas["items"][0]["id"].as_i64().unwrap();
    let kpis = app.get(&api("/kpis")).bearer(&editor).send().json();
    let kpi = kpis["items"][0]["id"].as_i64().unwrap();

    // Structure: refused with 409.
    app.post(&api("/focus-areas"))
        .bearer(&editor)
        .json(&json!({"number": 2, "title": "Ny"}))
        .send()
        .problem(409);
    app.patch(&api(&format!("/focus-areas/{area}")))
        .bearer(&editor)
        .json(&json!({"title": "Endret"}))
        .send()
        .problem(409);
    app.delete(&api(&format!("/focus-areas/{area}")))
        .bearer(&editor)
        .send()
        .problem(409);
    app.patch(&api(&format!("/kpis/{kpi}")))
        .bearer(&editor)
        .json(&json!({"target": 50}))
        .send()
        .problem(409);
    app.post(&api("/kpis"))
        .bearer(&editor)
        .json(&json!({"title": "Ny", "source": {"entity": "member", "aggregate": "count"}, "direction": "at_least", "target": 1}))
        .send()
        .problem(409);
    app.delete(&api(&format!("/kpis/{kpi}")))
        .bearer(&editor)
        .send()
        .problem(409);
    app.patch(&api(""))
        .bearer(&editor)
        .json(&json!({"period_end": "2023-03-31"}))
        .send()
        .problem(409);
    // Follow-up through the year goes on: measures, budget, title, publishing.
    let measures = app.get(&api("/measures")).bearer(&editor).send().json();
    let measure = measures["items"][0]["id"].as_i64().unwrap();
    let done = app
        .patch(&api(&format!("/measures/{measure}")))
        .bearer(&editor)
        .json(&json!({"status": "done"}))
        .send();
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(
        app.patch(&api(""))
            .bearer(&editor)
            .json(&json!({"title": "Handlingsplan 2022 (vedtatt)"}))
            .send()
            .status,
        200
    );
    assert_eq!(
        app.post(&api("/publish")).bearer(&editor).send().json()["published"],
        true
    );
    assert_eq!(
        app.post(&api("/unpublish")).bearer(&editor).send().json()["published"],
        false
    );

    // Revising returns it to draft and keeps the adopted version.
    app.post(&api("/revise"))
        .bearer(&editor)
        .send()
        .problem(403);
    let revised = app.post(&api("/revise")).bearer(&admin).send();
    assert_eq!(revised.status, 200, "{}", revised.body);
    let revised = revised.json();
    assert_eq!(revised["status"], "draft");
    assert_eq!(revised["revision"], 1);
    assert_eq!(revised["adopted_on"], Value::Null);
    let revisions = app.get(&api("/revisions")).bearer(&editor).send().json();
    assert_eq!(revisions[0]["revision"], 1);
    assert_eq!(revisions[0]["adopted_by"], "årsmøtet");
    let kept = app.get(&api("/revisions/1")).bearer(&editor).send();
    assert_eq!(kept.status, 200, "{}", kept.body);
    let kept = kept.json();
    assert_eq!(kept["adopted_on"], "2022-03-24");
    assert_eq!(kept["document"]["title"], "Handlingsplan 2022 (vedtatt)");
    assert_eq!(
        kept["document"]["focus_areas"],
        document_before["focus_areas"].clone().with_done_measure()
    );
    app.get(&api("/revisions/2"))
        .bearer(&editor)
        .send()
        .problem(404);
    // ... and the structure is open again.
    let changed = app
        .patch(&api(&format!("/kpis/{kpi}")))
        .bearer(&editor)
        .json(&json!({"target": 50}))
        .send();
    assert_eq!(changed.status, 200, "{}", changed.body);
    app.post(&api("/revise")).bearer(&admin).send().problem(409);
}

#[test]
fn archiving_freezes_a_plan_for_good_reading() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let plan = id(&app.create_plan(&org, "Plan"));
    let admin = app.token(&org, Role::Admin);
    let api = |rest: &str| format!("/api/v1/orgs/{org}/plans/{plan}{rest}");
    let archived = app.post(&api("/archive")).bearer(&admin).send();
    assert_eq!(archived.status, 200);
    assert_eq!(archived.json()["status"], "archived");
    app.post(&api("/archive"))
        .bearer(&admin)
        .send()
        .problem(409);
    app.post(&api("/focus-areas"))
        .bearer(&admin)
        .json(&json!({"number": 1, "title": "A"}))
        .send()
        .problem(409);
    app.post(&api("/adopt"))
        .bearer(&admin)
        .json(&json!({"adopted_on": "2022-03-24", "adopted_by": "årsmøtet"}))
        .send()
        .problem(409);
    app.post(&api("/revise")).bearer(&admin).send().problem(409);
    assert_eq!(app.get(&api("/document")).bearer(&admin).send().status, 200);
}

#[test]
fn lifecycle_actions_honour_if_match() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let plan = id(&app.create_plan(&org, "Plan"));
    let publish = format!("/api/v1/orgs/{org}/plans/{plan}/publish");
    let editor = app.token(&org, Role::Editor);
    app.post(&publish)
        .bearer(&editor)
        .header("If-Match", "\"v7\"")
        .send()
        .problem(412);
    let published = app
        .post(&publish)
        .bearer(&editor)
        .header("If-Match", "\"v1\"")
        .send();
    assert_eq!(published.status, 200);
    assert_eq!(published.header("etag"), Some("\"v2\""));
}

/// The measure the test marked done, as the adopted snapshot recorded it.
trait WithDoneMeasure {
    fn with_done_measure(self) -> Self;
}

impl WithDoneMeasure for Value {
    fn with_done_measure(mut self) -> Self {
        self[0]["measures"][0]["status"] = json!("done");
        self
    }
}
