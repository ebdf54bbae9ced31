//! Every read costs the statements stated here, and no more: the guard that keeps the
//! request path at database speed. The list of reads comes from the OpenAPI document, so
//! a new GET operation fails this test until its number is stated in [`BUDGETS`].
//!
//! The counts are what the server sends to the database (diesel's instrumentation), the
//! same on SQLite and PostgreSQL. A read resolves the organisation's slug inside its own
//! statement; a list that comes back empty asks once more whether what it lists under
//! exists (404 otherwise), which is stated separately below.

use serde_json::{Value, json};
use veikart_domain::Role;
use veikart_tests::{Everything, TestApp};

/// Statements per read, by path template.
const BUDGETS: [(&str, u64); 50] = [
    ("/healthz", 0),
    ("/readyz", 1),
    ("/api/v1/orgs", 1),
    ("/api/v1/orgs/{org}", 1),
    ("/api/v1/orgs/{org}/audit", 1),
    // The organisation, where its feed starts and its events are one join.
    ("/api/v1/orgs/{org}/events", 1),
    ("/api/v1/orgs/{org}/api-keys", 1),
    ("/api/v1/orgs/{org}/api-keys/{id}", 1),
    ("/api/v1/orgs/{org}/webhooks", 1),
    ("/api/v1/orgs/{org}/webhooks/{id}", 1),
    // An empty log asks once more whether the endpoint is the organisation's.
    ("/api/v1/orgs/{org}/webhooks/{id}/deliveries", 2),
    ("/api/v1/orgs/{org}/strategies", 1),
    ("/api/v1/orgs/{org}/strategies/{id}", 1),
    ("/api/v1/orgs/{org}/goals", 1),
    ("/api/v1/orgs/{org}/goals/{id}", 1),
    ("/api/v1/orgs/{org}/goals/{goal_id}/check-ins", 1),
    ("/api/v1/orgs/{org}/goals/{goal_id}/check-ins/{id}", 1),
    ("/api/v1/orgs/{org}/plans", 1),
    ("/api/v1/orgs/{org}/plans/{id}", 1),
    // The plan, its strategy, the goals of both, and one query per kind of plan part.
    ("/api/v1/orgs/{org}/plans/{id}/document", 7),
    ("/api/v1/orgs/{org}/plans/{id}/revisions", 1),
    ("/api/v1/orgs/{org}/plans/{id}/revisions/{revision}", 1),
    ("/api/v1/orgs/{org}/plans/{plan_id}/focus-areas", 1),
    ("/api/v1/orgs/{org}/plans/{plan_id}/focus-areas/{id}", 1),
    ("/api/v1/orgs/{org}/plans/{plan_id}/kpis", 1),
    ("/api/v1/orgs/{org}/plans/{plan_id}/kpis/{id}", 1),
    ("/api/v1/orgs/{org}/plans/{plan_id}/measures", 1),
    ("/api/v1/orgs/{org}/plans/{plan_id}/measures/{id}", 1),
    ("/api/v1/orgs/{org}/plans/{plan_id}/budget-lines", 1),
    ("/api/v1/orgs/{org}/plans/{plan_id}/budget-lines/{id}", 1),
    ("/api/v1/orgs/{org}/members", 1),
    ("/api/v1/orgs/{org}/members/{id}", 1),
    ("/api/v1/orgs/{org}/activities", 1),
    ("/api/v1/orgs/{org}/activities/{id}", 1),
    ("/api/v1/orgs/{org}/surveys", 1),
    ("/api/v1/orgs/{org}/surveys/{id}", 1),
    ("/api/v1/orgs/{org}/projects", 1),
    ("/api/v1/orgs/{org}/projects/{id}", 1),
    ("/api/v1/orgs/{org}/observations", 1),
    ("/api/v1/orgs/{org}/observations/{id}", 1),
    ("/api/v1/orgs/{org}/milestones", 1),
    ("/api/v1/orgs/{org}/milestones/{id}", 1),
    ("/api/v1/orgs/{org}/imports", 1),
    ("/api/v1/orgs/{org}/imports/{kind}", 1),
    ("/api/v1/orgs/{org}/imports/{kind}/{id}", 1),
    // Results: the data version (1), then in one read snapshot (BEGIN and COMMIT: 2) the
    // plan and the KPI (2) and the KPI's facts (here a count: 1).
    ("/api/v1/orgs/{org}/plans/{plan_id}/kpis/{id}/result", 6),
    // ... at each of the KPI's 12 month ends: a held-activity count needs 2 facts while
    // its period is open (the count, the planned ones ahead) and 1 at its end.
    ("/api/v1/orgs/{org}/plans/{plan_id}/kpis/{id}/series", 28),
    // In one read snapshot (2), the plan and the KPI, then one page of what it counted.
    ("/api/v1/orgs/{org}/plans/{plan_id}/kpis/{id}/records", 5),
    // Every KPI's monthly series: the data version; in one read snapshot (2), the plan and
    // its KPIs (2); one grouped statement per record kind its KPIs count (the seed's
    // twelve KPIs count all six kinds: 6), whatever the number of KPIs or months.
    ("/api/v1/orgs/{org}/plans/{plan_id}/series", 11),
    // The data version; in one read snapshot (2), the plan, its KPIs, focus areas, goals and the qualitative goals'
    // latest check-ins (5); each KPI's facts (the seed's twelve after their period: 15, one
    // per count, sum, mean, milestone or level, two per growth: the level now and at the
    // start).
    ("/api/v1/orgs/{org}/plans/{plan_id}/scorecard", 23),
];

fn budget(template: &str) -> Option<u64> {
    BUDGETS
        .iter()
        .find(|(t, _)| *t == template)
        .map(|(_, n)| *n)
}

#[test]
fn every_read_sends_no_more_statements_than_its_budget() {
    let app = TestApp::spawn();
    let f = Everything::create(&app, "counted");
    let admin = app.platform_admin();
    let doc: Value = serde_json::to_value(veikart_api::openapi()).unwrap();

    let mut measured = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_none() || template.starts_with("/api-docs") {
            continue;
        }
        let budget = budget(template).unwrap_or_else(|| {
            panic!("GET {template} has no statement budget: state it in BUDGETS")
        });
        let url = f.concrete(&app, template, &admin);
        let (statements, reply) = app.statements_during(|| app.get(&url).bearer(&admin).send());
        assert_eq!(reply.status, 200, "GET {url}: {}", reply.body);
        assert_eq!(
            statements, budget,
            "GET {url} sent {statements} statements; its budget is {budget}"
        );
        measured += 1;
    }
    assert_eq!(
        measured,
        BUDGETS.len(),
        "a budget names a read that is gone"
    );
}

#[test]
fn a_read_with_a_key_costs_at_most_one_statement_more_than_with_a_token() {
    let app = TestApp::spawn();
    let f = Everything::create(&app, "counted");
    let admin = app.platform_admin();
    let (_, key) = app.create_key(&f.org, Role::Editor);
    let token = app.token(&f.org, Role::Editor);
    let doc: Value = serde_json::to_value(veikart_api::openapi()).unwrap();

    let mut measured = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_none() || !template.starts_with("/api/v1/orgs/{org}") {
            continue;
        }
        let url = f.concrete(&app, template, &admin);
        // Twice with the key: its first use also writes `last_used_at`, in its lookup.
        for _ in 0..2 {
            let (with_token, by_token) =
                app.statements_during(|| app.get(&url).bearer(&token).send());
            let (with_key, by_key) = app.statements_during(|| app.get(&url).bearer(&key).send());
            assert_eq!(by_key.status, by_token.status, "GET {url}: {}", by_key.body);
            assert!(
                with_key <= with_token + 1,
                "GET {url} sent {with_key} statements with a key, {with_token} with a token"
            );
        }
        measured += 1;
    }
    assert!(measured >= 40, "only {measured} reads were measured");
}

/// Reads whose own statement names the organisation through the key: once the key is
/// remembered (and its `last_used_at` written), the statement that reads is the check.
const READS_THAT_CARRY_THE_KEY: [&str; 6] = [
    "/api/v1/orgs/{org}/plans",
    "/api/v1/orgs/{org}/plans/{id}",
    "/api/v1/orgs/{org}/goals/{id}",
    "/api/v1/orgs/{org}/plans/{plan_id}/kpis/{id}",
    "/api/v1/orgs/{org}/members",
    "/api/v1/orgs/{org}/events",
];

#[test]
fn a_read_that_finds_its_rows_with_a_remembered_key_costs_what_it_costs_with_a_token() {
    let app = TestApp::spawn();
    let f = Everything::create(&app, "carried");
    let admin = app.platform_admin();
    let (key_id, key) = app.create_key(&f.org, Role::Viewer);
    let token = app.token(&f.org, Role::Viewer);
    let urls = READS_THAT_CARRY_THE_KEY.map(|template| f.concrete(&app, template, &admin));
    for url in &urls {
        let first = app.get(url).bearer(&key).send();
        assert_eq!(first.status, 200, "GET {url}: {}", first.body);
        let (with_token, _) = app.statements_during(|| app.get(url).bearer(&token).send());
        let (with_key, by_key) = app.statements_during(|| app.get(url).bearer(&key).send());
        assert_eq!(by_key.status, 200, "GET {url}: {}", by_key.body);
        assert_eq!(
            with_key, with_token,
            "GET {url} sent {with_key} statements with a remembered key, {with_token} with a token"
        );
    }
    // The statement that reads is the check: once the key is revoked, it finds nothing,
    // and the key is asked — 401, not an empty answer or a 404.
    let revoke = app
        .delete(&format!("/api/v1/orgs/{}/api-keys/{key_id}", f.org))
        .bearer(&admin)
        .send();
    assert_eq!(revoke.status, 204, "{}", revoke.body);
    for url in &urls {
        let refused = app.get(url).bearer(&key).send();
        assert_eq!(refused.status, 401, "GET {url}: {}", refused.body);
    }
}

#[test]
fn an_anonymous_read_of_a_published_plan_costs_the_same() {
    let app = TestApp::spawn();
    let f = Everything::create(&app, "counted");
    let editor = app.token(&f.org, Role::Editor);
    let plan = format!("/api/v1/orgs/{}/plans/{}", f.org, f.plan_id);
    let published = app.post(&format!("{plan}/publish")).bearer(&editor).send();
    assert_eq!(published.status, 200, "{}", published.body);
    let kpi = app.get(&format!("{plan}/kpis")).send().json()["items"][0]["id"].clone();

    for (url, budget) in [
        (plan.clone(), 1),
        (format!("{plan}/kpis"), 1),
        (format!("{plan}/kpis/{kpi}"), 1),
        (format!("{plan}/document"), 7),
    ] {
        let (statements, reply) = app.statements_during(|| app.get(&url).send());
        assert_eq!(reply.status, 200, "GET {url}: {}", reply.body);
        assert_eq!(statements, budget, "anonymous GET {url}");
    }
}

#[test]
fn an_empty_list_asks_once_more_whether_its_owner_exists() {
    let app = TestApp::spawn();
    let org = app.create_org("empty");
    let plan_id = app.create_plan(&org, "Tom")["id"].as_i64().unwrap();
    let viewer = app.token(&org, Role::Viewer);
    for path in [
        "/plans?status=archived".to_owned(),
        format!("/plans/{plan_id}/kpis"),
        "/strategies".to_owned(),
    ] {
        let url = format!("/api/v1/orgs/{org}{path}");
        let (statements, reply) = app.statements_during(|| app.get(&url).bearer(&viewer).send());
        assert_eq!(reply.status, 200, "GET {url}: {}", reply.body);
        assert_eq!(reply.json()["items"], json!([]));
        assert_eq!(statements, 2, "GET {url}");
    }
    // And the answer to "no such organisation" is still 404, not an empty list.
    let ghost = app.token("ghost", Role::Viewer);
    app.get("/api/v1/orgs/ghost/plans")
        .bearer(&ghost)
        .send()
        .problem(404);
}
