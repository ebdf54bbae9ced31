//! The plan-wide series (`GET …/plans/{plan_id}/series`): every KPI's monthly series in
//! one answer, equal point for point to each KPI's own series, for a fixed number of
//! statements whatever the number of KPIs or months.

use serde_json::{Value, json};
use veikart_domain::Role;
use veikart_tests::TestApp;

fn demo_app() -> TestApp {
    TestApp::spawn_with(|settings| {
        veikart_api::demo::load_if_empty(&settings.database_url).unwrap();
    })
}

fn get_ok(app: &TestApp, url: &str, token: &str) -> Value {
    let reply = app.get(url).bearer(token).send();
    assert_eq!(reply.status, 200, "GET {url}: {}", reply.body);
    reply.json()
}

/// The plan's series over `range`, and each of its KPIs' own series over the same dates:
/// they must be equal, point for point.
fn assert_equal_to_each_kpis_own_series(app: &TestApp, plan: &str, token: &str, range: &str) {
    let all = get_ok(app, &format!("{plan}/series?{range}"), token);
    let (from, to) = (all["from"].as_str().unwrap(), all["to"].as_str().unwrap());
    let kpis = all["kpis"].as_array().unwrap();
    assert!(!kpis.is_empty());
    for series in kpis {
        assert_eq!(
            (series["from"].as_str(), series["to"].as_str()),
            (Some(from), Some(to))
        );
        let own = get_ok(
            app,
            &format!(
                "{plan}/kpis/{}/series?from={from}&to={to}",
                series["kpi_id"]
            ),
            token,
        );
        assert_eq!(
            series, &own,
            "KPI {} over {from}..{to}: the plan's series differs from its own",
            series["kpi_id"]
        );
    }
}

/// The plan's KPIs in the scorecard's order: position, then id.
fn kpi_ids_in_order(app: &TestApp, plan: &str, token: &str) -> Vec<i64> {
    let list = get_ok(app, &format!("{plan}/kpis?limit=500"), token);
    let mut kpis: Vec<(i64, i64)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["position"].as_i64().unwrap(), k["id"].as_i64().unwrap()))
        .collect();
    kpis.sort();
    kpis.into_iter().map(|(_, id)| id).collect()
}

const RANGES: [&str; 4] = [
    "",
    "from=2021-11-15&to=2022-07-10",
    "from=2022-06-30&to=2022-06-30",
    "from=2022-12-31&to=2023-02-15",
];

#[test]
fn the_demo_plans_series_equals_each_kpis_own_series() {
    let app = demo_app();
    let org = veikart_api::demo::DEMO_ORG;
    let viewer = app.token(org, Role::Viewer);
    let plans = get_ok(&app, &format!("/api/v1/orgs/{org}/plans"), &viewer);
    let plan_id = plans["items"][0]["id"].as_i64().unwrap();
    let plan = format!("/api/v1/orgs/{org}/plans/{plan_id}");

    let all = get_ok(&app, &format!("{plan}/series"), &viewer);
    assert_eq!(all["plan_id"], plan_id);
    // The plan's period by default (the demo plan runs from April).
    assert_eq!(
        (all["from"].as_str(), all["to"].as_str()),
        (Some("2022-04-01"), Some("2022-12-31"))
    );
    let ids: Vec<i64> = all["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kpi_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, kpi_ids_in_order(&app, &plan, &viewer));
    assert_eq!(ids.len(), 12);
    assert!(
        all["kpis"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["points"].as_array().unwrap().len() == 9)
    );
    for range in RANGES {
        assert_equal_to_each_kpis_own_series(&app, &plan, &viewer, range);
    }
}

/// A second plan in the demo organisation with a KPI of every shape the demo year can
/// answer: each entity with its aggregates and every filter it reads, own periods and a
/// baseline.
#[test]
fn every_shape_of_kpi_has_the_same_series_both_ways() {
    let app = demo_app();
    let org = veikart_api::demo::DEMO_ORG;
    let admin = app.token(org, Role::Admin);
    let plan_id = app
        .post(&format!("/api/v1/orgs/{org}/plans"))
        .bearer(&admin)
        .json(&json!({"title": "Alle slags", "period_start": "2022-01-01", "period_end": "2022-12-31"}))
        .send()
        .json()["id"]
        .as_i64()
        .unwrap();
    let sources = [
        json!({"entity": "member", "aggregate": "level", "filters": {"municipality": "3033"}}),
        json!({"entity": "member", "aggregate": "mean", "field": "employees", "filters": {"membership_type": "ordinary"}}),
        json!({"entity": "member", "aggregate": "sum", "field": "employees"}),
        json!({"entity": "member", "aggregate": "count", "filters": {"membership_type": "associated"}}),
        json!({"entity": "activity", "aggregate": "sum", "field": "participants", "filters": {"kinds": ["member_meeting"], "municipality": "3033"}}),
        json!({"entity": "activity", "aggregate": "mean", "field": "participants", "filters": {"status": "held"}}),
        json!({"entity": "activity", "aggregate": "count"}),
        json!({"entity": "activity", "aggregate": "count", "filters": {"kinds": ["promotion", "other_arena"], "status": "held", "municipality": "3034"}}),
        json!({"entity": "survey", "aggregate": "sum", "field": "responses", "filters": {"audience": "external"}}),
        json!({"entity": "survey", "aggregate": "mean", "field": "nps"}),
        json!({"entity": "project", "aggregate": "sum", "field": "external_funding", "filters": {"external_funding": true}}),
        json!({"entity": "project", "aggregate": "count", "filters": {"external_funding": false}}),
        json!({"entity": "project", "aggregate": "count", "filters": {"roles": ["partner"], "statuses": ["running"]}}),
        json!({"entity": "metric", "aggregate": "level", "filters": {"metric_key": "social.followers", "dimensions": ["linkedin", "instagram"]}}),
        json!({"entity": "metric", "aggregate": "mean", "field": "value", "filters": {"metric_key": "social.followers", "dimensions": ["facebook"]}}),
        json!({"entity": "metric", "aggregate": "sum", "field": "value", "filters": {"metric_key": "members.employees"}}),
        json!({"entity": "milestone", "aggregate": "milestone", "filters": {"milestone_kind": "information_strategy_adopted"}}),
        json!({"entity": "milestone", "aggregate": "milestone", "filters": {"milestone_kind": "benefit_programme_launched", "municipality": "3033"}}),
    ];
    let body = |code: String, source: &Value| {
        let target = if source["entity"] == "milestone" {
            1
        } else {
            50
        };
        json!({"code": code, "title": format!("KPI {code}"), "source": source,
               "direction": "at_least", "target": target})
    };
    for (i, source) in sources.iter().enumerate() {
        app.create(
            org,
            &format!("/plans/{plan_id}/kpis"),
            body(format!("K{i}"), source),
        );
    }
    // Own periods, a baseline, and a growth measured from the level at its own start.
    let mut own = body(
        "P1".into(),
        &json!({"entity": "member", "aggregate": "level"}),
    );
    own["period_start"] = json!("2022-04-01");
    own["period_end"] = json!("2022-09-30");
    app.create(org, &format!("/plans/{plan_id}/kpis"), own);
    let mut based = body(
        "P2".into(),
        &json!({"entity": "member", "aggregate": "growth_pct"}),
    );
    based["baseline"] = json!(150);
    app.create(org, &format!("/plans/{plan_id}/kpis"), based);
    let mut grown = body(
        "P3".into(),
        &json!({"entity": "metric", "aggregate": "growth_pct", "filters": {"metric_key": "social.followers"}}),
    );
    grown["period_start"] = json!("2022-03-15");
    app.create(org, &format!("/plans/{plan_id}/kpis"), grown);

    let plan = format!("/api/v1/orgs/{org}/plans/{plan_id}");
    let viewer = app.token(org, Role::Viewer);
    let all = get_ok(&app, &format!("{plan}/series"), &viewer);
    assert_eq!(all["kpis"].as_array().unwrap().len(), sources.len() + 3);
    for range in RANGES {
        assert_equal_to_each_kpis_own_series(&app, &plan, &viewer, range);
    }
}

/// The statements of one plan-wide series.
fn statements(app: &TestApp, plan: &str, token: &str, range: &str) -> u64 {
    let url = format!("{plan}/series?{range}");
    let (n, reply) = app.statements_during(|| app.get(&url).bearer(token).send());
    assert_eq!(reply.status, 200, "GET {url}: {}", reply.body);
    n
}

#[test]
fn its_statements_do_not_grow_with_the_kpis_or_the_months() {
    let app = TestApp::spawn();
    let org = app.create_org("telt");
    let admin = app.token(&org, Role::Admin);
    let plan_id = app
        .post(&format!("/api/v1/orgs/{org}/plans"))
        .bearer(&admin)
        .json(&json!({"title": "Telt", "period_start": "2022-01-01", "period_end": "2022-12-31"}))
        .send()
        .json()["id"]
        .as_i64()
        .unwrap();
    let plan = format!("/api/v1/orgs/{org}/plans/{plan_id}");
    let kpi = |code: &str, source: Value| {
        app.create(
            &org,
            &format!("/plans/{plan_id}/kpis"),
            json!({"code": code, "title": code, "source": source, "direction": "at_least", "target": 10}),
        );
    };
    for n in 1..=30 {
        app.create(
            &org,
            "/activities",
            veikart_tests::record_body("activities", n),
        );
    }
    let viewer = app.token(&org, Role::Viewer);
    let ranges = [
        "from=2022-01-01&to=2022-03-31",
        "",
        "from=2021-01-01&to=2022-12-31",
    ];
    // The data version; in one read snapshot (BEGIN, COMMIT) the plan and its KPIs; one
    // grouped statement per record kind the KPIs count.
    kpi(
        "A1",
        json!({"entity": "activity", "aggregate": "count", "filters": {"status": "held"}}),
    );
    for range in ranges {
        assert_eq!(
            statements(&app, &plan, &viewer, range),
            6,
            "one KPI, {range:?}"
        );
    }
    for (i, kinds) in [
        ["member_meeting"],
        ["promotion"],
        ["other_arena"],
        ["network_meeting"],
    ]
    .iter()
    .enumerate()
    {
        kpi(
            &format!("A{}", i + 2),
            json!({"entity": "activity", "aggregate": "count", "filters": {"kinds": kinds}}),
        );
        kpi(
            &format!("B{}", i + 2),
            json!({"entity": "activity", "aggregate": "sum", "field": "participants", "filters": {"kinds": kinds}}),
        );
    }
    for range in ranges {
        assert_eq!(
            statements(&app, &plan, &viewer, range),
            6,
            "nine KPIs, {range:?}"
        );
    }
    // A KPI of every other kind: one statement more for each kind, no more.
    kpi("M", json!({"entity": "member", "aggregate": "level"}));
    kpi("S", json!({"entity": "survey", "aggregate": "count"}));
    kpi("P", json!({"entity": "project", "aggregate": "count"}));
    kpi(
        "O",
        json!({"entity": "metric", "aggregate": "growth_pct", "filters": {"metric_key": "social.followers"}}),
    );
    app.create(
        &org,
        &format!("/plans/{plan_id}/kpis"),
        json!({"code": "L", "title": "L", "direction": "at_least", "target": 1,
               "source": {"entity": "milestone", "aggregate": "milestone", "filters": {"milestone_kind": "x"}}}),
    );
    for range in ranges {
        assert_eq!(
            statements(&app, &plan, &viewer, range),
            11,
            "every kind, {range:?}"
        );
    }
    // The per-KPI series, for comparison, grows with the months.
    let a1 = kpi_ids_in_order(&app, &plan, &viewer)[0];
    let (short, _) = app.statements_during(|| {
        app.get(&format!(
            "{plan}/kpis/{a1}/series?from=2022-01-01&to=2022-03-31"
        ))
        .bearer(&viewer)
        .send()
    });
    let (long, _) = app.statements_during(|| {
        app.get(&format!("{plan}/kpis/{a1}/series"))
            .bearer(&viewer)
            .send()
    });
    assert!(long > short, "{long} > {short}");
}

#[test]
fn an_etag_answers_304_until_the_data_or_the_range_changes() {
    let app = demo_app();
    let org = veikart_api::demo::DEMO_ORG;
    let viewer = app.token(org, Role::Viewer);
    let plan_id = get_ok(&app, &format!("/api/v1/orgs/{org}/plans"), &viewer)["items"][0]["id"]
        .as_i64()
        .unwrap();
    let url = format!("/api/v1/orgs/{org}/plans/{plan_id}/series");
    let first = app.get(&url).bearer(&viewer).send();
    assert_eq!(first.status, 200, "{}", first.body);
    let tag = first.header("etag").unwrap().to_owned();
    let (statements, again) = app.statements_during(|| {
        app.get(&url)
            .bearer(&viewer)
            .header("If-None-Match", &tag)
            .send()
    });
    assert_eq!(again.status, 304);
    assert_eq!(again.header("etag"), Some(tag.as_str()));
    assert_eq!(statements, 1, "a poll reads the data version only");
    // Another range is another answer; so is the per-KPI series of the same range.
    let other = app
        .get(&format!("{url}?from=2022-02-01"))
        .bearer(&viewer)
        .header("If-None-Match", &tag)
        .send();
    assert_eq!(other.status, 200);
    let kpi = first.json()["kpis"][0]["kpi_id"].clone();
    let own = app
        .get(&format!(
            "/api/v1/orgs/{org}/plans/{plan_id}/kpis/{kpi}/series"
        ))
        .bearer(&viewer)
        .send();
    assert_ne!(own.header("etag"), Some(tag.as_str()));
    // A write moves it.
    app.create(
        org,
        "/activities",
        json!({"kind": "promotion", "title": "Stand", "date": "2022-06-01", "status": "held"}),
    );
    let after = app
        .get(&url)
        .bearer(&viewer)
        .header("If-None-Match", &tag)
        .send();
    assert_eq!(after.status, 200);
    assert_ne!(after.header("etag"), Some(tag.as_str()));
}

#[test]
fn only_a_published_plans_series_is_public() {
    let app = TestApp::spawn();
    let org = app.create_org("offentlig");
    let plan_id = app.create_plan(&org, "Plan")["id"].as_i64().unwrap();
    app.create(
        &org,
        &format!("/plans/{plan_id}/kpis"),
        json!({"code": "A", "title": "A", "source": {"entity": "activity", "aggregate": "count"},
               "direction": "at_least", "target": 10}),
    );
    let url = format!("/api/v1/orgs/{org}/plans/{plan_id}/series");
    app.get(&url).send().problem(404);
    let viewer = app.token(&org, Role::Viewer);
    assert_eq!(app.get(&url).bearer(&viewer).send().status, 200);
    let published = app
        .post(&format!("/api/v1/orgs/{org}/plans/{plan_id}/publish"))
        .bearer(&app.token(&org, Role::Editor))
        .send();
    assert_eq!(published.status, 200, "{}", published.body);
    let public = app.get(&url).send();
    assert_eq!(public.status, 200, "{}", public.body);
    assert_eq!(public.json()["kpis"].as_array().unwrap().len(), 1);
    // Another organisation's token sees nothing, published or not; nor does an unknown plan.
    let other = app.create_org("annen");
    app.get(&url)
        .bearer(&app.token(&other, Role::Admin))
        .send()
        .problem(404);
    app.get(&format!(
        "/api/v1/orgs/{org}/plans/{}/series",
        plan_id + 1000
    ))
    .send()
    .problem(404);
}

#[test]
fn a_range_backwards_or_over_121_points_is_422_naming_to() {
    let app = TestApp::spawn();
    let org = app.create_org("lang");
    let plan_id = app.create_plan(&org, "Plan")["id"].as_i64().unwrap();
    let kpi = app.create(
        &org,
        &format!("/plans/{plan_id}/kpis"),
        json!({"code": "A", "title": "A", "source": {"entity": "activity", "aggregate": "count"},
               "direction": "at_least", "target": 10}),
    )["id"]
        .clone();
    let viewer = app.token(&org, Role::Viewer);
    let plan = format!("/api/v1/orgs/{org}/plans/{plan_id}");
    for path in ["series".to_owned(), format!("kpis/{kpi}/series")] {
        // 2012-01 … 2022-01: 121 month ends; one more date is one point too many.
        let longest = app
            .get(&format!("{plan}/{path}?from=2012-01-01&to=2022-01-31"))
            .bearer(&viewer)
            .send();
        assert_eq!(longest.status, 200, "{path}: {}", longest.body);
        for range in [
            "from=2012-01-01&to=2022-02-15",
            "from=2022-05-01&to=2022-04-30",
            // `to` before the plan's start, `from` left to the plan
            "to=2022-01-31",
        ] {
            let refused = app
                .get(&format!("{plan}/{path}?{range}"))
                .bearer(&viewer)
                .send();
            refused.problem(422);
            assert_eq!(refused.error_fields(), ["to"], "{path}?{range}");
        }
    }
    let longest = app
        .get(&format!("{plan}/series?from=2012-01-01&to=2022-01-31"))
        .bearer(&viewer)
        .send()
        .json();
    assert_eq!(longest["kpis"][0]["points"].as_array().unwrap().len(), 121);
}
