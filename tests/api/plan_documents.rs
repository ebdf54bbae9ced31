//! Whole plans as documents: export, import, copy, and the Innovasjon Gardermoen seed.

use serde_json::{Value, json};
use veikart_domain::Role;
use veikart_tests::{TestApp, TestDb, seed_document, small_document};

fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("an id")
}

#[test]
fn an_exported_document_imports_to_an_equal_tree() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let first = id(&app.import_plan(&org, &small_document()));
    let exported = app.export_plan(&org, first);
    assert_eq!(
        exported["focus_areas"][0]["measures"][0]["budget_line"],
        "5400"
    );
    assert_eq!(exported["kpis"][0]["goal"], "synlighet");
    assert_eq!(exported["strategy"]["goals"].as_array().unwrap().len(), 2);

    let second = id(&app.import_plan(&org, &exported));
    assert_ne!(first, second);
    assert_eq!(app.export_plan(&org, second), exported);
    // The second import reused the organisation's strategy instead of duplicating it.
    let strategies = app
        .get(&format!("/api/v1/orgs/{org}/strategies"))
        .bearer(&app.token(&org, Role::Viewer))
        .send();
    assert_eq!(strategies.json()["items"].as_array().unwrap().len(), 1);

    // Another organisation gets the same tree from the same document.
    let other = app.create_org("other");
    let elsewhere = id(&app.import_plan(&other, &exported));
    assert_eq!(app.export_plan(&other, elsewhere), exported);
}

#[test]
fn an_invalid_document_is_refused_whole_with_every_error_located() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let mut document = small_document();
    document["focus_areas"][0]["kpis"][0]["source"]["aggregate"] = json!("sum");
    document["focus_areas"][0]["measures"][0]["budget_line"] = json!("9999");
    document["kpis"][0]["goal"] = json!("kredibilitet");
    document["budget_lines"][0]["amount"] = json!(-5);
    let reply = app
        .post(&format!("/api/v1/orgs/{org}/plans/import"))
        .bearer(&app.token(&org, Role::Editor))
        .json(&document)
        .send();
    reply.problem(422);
    let mut pointers: Vec<String> = reply.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap().to_owned())
        .collect();
    pointers.sort();
    assert_eq!(
        pointers,
        [
            "/budget_lines/0/amount",
            "/focus_areas/0/kpis/0/source/field",
            "/focus_areas/0/measures/0/budget_line",
            "/kpis/0/goal",
        ]
    );
    // Nothing was written: no plan, no strategy.
    let viewer = app.token(&org, Role::Viewer);
    assert_eq!(
        app.get(&format!("/api/v1/orgs/{org}/plans"))
            .bearer(&viewer)
            .send()
            .json()["items"],
        json!([])
    );
    assert_eq!(
        app.get(&format!("/api/v1/orgs/{org}/strategies"))
            .bearer(&viewer)
            .send()
            .json()["items"],
        json!([])
    );
}

#[test]
fn a_copy_is_next_years_draft_with_shifted_dates() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let original = id(&app.import_plan(&org, &small_document()));
    let admin = app.token(&org, Role::Admin);
    app.post(&format!("/api/v1/orgs/{org}/plans/{original}/adopt"))
        .bearer(&admin)
        .json(&json!({"adopted_on": "2022-03-24", "adopted_by": "årsmøtet"}))
        .send();
    let copy = app.create(
        &org,
        &format!("/plans/{original}/copy"),
        json!({"title": "Handlingsplan 2023", "years": 1}),
    );
    assert_eq!(copy["status"], "draft");
    assert_eq!(copy["published"], false);
    assert_eq!(copy["period_start"], "2023-04-01");
    assert_eq!(copy["period_end"], "2023-12-31");
    let original_document = app.export_plan(&org, original);
    assert_eq!(
        copy["strategy_id"],
        app.get(&format!("/api/v1/orgs/{org}/plans/{original}"))
            .bearer(&admin)
            .send()
            .json()["strategy_id"]
    );
    let document = app.export_plan(&org, id(&copy));
    let kpi = &document["focus_areas"][0]["kpis"][0];
    assert_eq!(kpi["period_start"], "2023-01-01");
    assert_eq!(kpi["period_end"], "2023-12-31");
    let measure = &document["focus_areas"][0]["measures"][0];
    assert_eq!(measure["due_on"], "2023-06-30");
    assert_eq!(measure["status"], "planned", "the copy starts over");
    assert_eq!(document["budget_lines"][0]["actual_spent"], Value::Null);
    assert_eq!(
        document["budget_lines"][0]["amount"],
        original_document["budget_lines"][0]["amount"]
    );
    assert_eq!(document["goals"], original_document["goals"]);
    assert_eq!(document["strategy"], original_document["strategy"]);
    // The original is untouched.
    assert_eq!(original_document["period_start"], "2022-04-01");
    let bad = app
        .post(&format!("/api/v1/orgs/{org}/plans/{original}/copy"))
        .bearer(&app.token(&org, Role::Editor))
        .json(&json!({"years": 1000}))
        .send();
    bad.problem(422);
    assert_eq!(bad.error_fields(), ["years"]);
}

#[test]
fn a_copy_that_would_leave_the_years_0001_to_9999_is_refused_and_leaves_nothing() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let editor = app.token(&org, Role::Editor);
    let mut early = small_document();
    early["title"] = json!("Early");
    early["period_start"] = json!("0018-03-13");
    early["period_end"] = json!("0018-12-31");
    early["strategy"]["period_start"] = json!("0017-01-01");
    early["strategy"]["title"] = json!("Early strategy");
    for area in early["focus_areas"].as_array_mut().unwrap() {
        for kpi in area["kpis"].as_array_mut().unwrap() {
            kpi["period_start"] = Value::Null;
            kpi["period_end"] = Value::Null;
        }
        for measure in area["measures"].as_array_mut().unwrap() {
            measure["due_on"] = Value::Null;
        }
    }
    let original = id(&app.import_plan(&org, &early));
    let plans_before = app
        .get(&format!("/api/v1/orgs/{org}/plans"))
        .bearer(&editor)
        .send()
        .json();
    for (years, days) in [(-58, -670), (-17, -72), (-18, 0)] {
        let refused = app
            .post(&format!("/api/v1/orgs/{org}/plans/{original}/copy"))
            .bearer(&editor)
            .json(&json!({"years": years, "days": days}))
            .send();
        refused.problem(422);
        assert_eq!(refused.error_fields(), ["years"], "{years} {days}");
    }
    let plans_after = app
        .get(&format!("/api/v1/orgs/{org}/plans"))
        .bearer(&editor)
        .send()
        .json();
    assert_eq!(plans_after["items"], plans_before["items"]);
    let mut late = small_document();
    late["title"] = json!("Late");
    late["period_start"] = json!("9950-01-01");
    late["period_end"] = json!("9950-12-31");
    late["focus_areas"][0]["kpis"][0]["period_start"] = Value::Null;
    late["focus_areas"][0]["kpis"][0]["period_end"] = Value::Null;
    late["focus_areas"][0]["measures"][0]["due_on"] = json!("9999-12-31");
    let late = id(&app.import_plan(&org, &late));
    let refused = app
        .post(&format!("/api/v1/orgs/{org}/plans/{late}/copy"))
        .bearer(&editor)
        .json(&json!({"days": 1}))
        .send();
    refused.problem(422);
    assert!(
        refused.json()["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("9999-12-31"))
    );
    let earliest = app.create(
        &org,
        &format!("/plans/{original}/copy"),
        json!({"years": -17, "days": -71}),
    );
    assert_eq!(earliest["period_start"], "0001-01-01");
}

#[test]
fn the_innovasjon_gardermoen_seed_imports_with_every_result_target_as_a_kpi() {
    let app = TestApp::spawn();
    let org = app.create_org("innovasjon-gardermoen");
    let plan = app.import_plan(&org, &seed_document());
    assert_eq!(plan["period_start"], "2022-04-01");
    let document = app.export_plan(&org, id(&plan));

    let areas = document["focus_areas"].as_array().unwrap();
    let titles: Vec<_> = areas.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "Medlemsaktiviteter",
            "Medlemsfokus",
            "Næringsforening",
            "Ny informasjonsstrategi",
            "Prosjektledelse innovasjonsprosjekter"
        ]
    );
    let measures: usize = areas
        .iter()
        .map(|a| a["measures"].as_array().unwrap().len())
        .sum();
    assert_eq!(measures, 11, "every measure (tiltak) of section 3");

    // Section 2.3: one KPI per result target, with the aggregate that computes it.
    let kpi = |code: &str| {
        areas
            .iter()
            .flat_map(|a| a["kpis"].as_array().unwrap())
            .chain(document["kpis"].as_array().unwrap())
            .find(|k| k["code"] == code)
            .unwrap_or_else(|| panic!("no KPI {code}"))
            .clone()
    };
    let expect = [
        ("1a", "activity", "count", 40.0),
        ("1b", "member", "count", 15.0),
        ("2a", "survey", "count", 2.0),
        ("2b", "milestone", "milestone", 1.0),
        ("3a", "milestone", "milestone", 1.0),
        ("4a", "metric", "growth_pct", 30.0),
        ("5a", "project", "count", 3.0),
        ("S1", "member", "growth_pct", 10.0),
    ];
    for (code, entity, aggregate, target) in expect {
        let k = kpi(code);
        assert_eq!(k["source"]["entity"], entity, "{code}");
        assert_eq!(k["source"]["aggregate"], aggregate, "{code}");
        assert_eq!(k["target"], target, "{code}");
        assert_eq!(k["direction"], "at_least", "{code}");
    }
    assert_eq!(kpi("1a")["source"]["filters"]["status"], "held");
    assert_eq!(
        kpi("1a")["period_start"],
        "2022-01-01",
        "\"in 2022\" is the calendar year"
    );
    assert_eq!(
        kpi("2b")["source"]["filters"]["milestone_kind"],
        "benefit_programme_launched"
    );
    assert_eq!(
        kpi("3a")["source"]["filters"]["milestone_kind"],
        "business_association_started"
    );
    assert_eq!(
        kpi("4a")["source"]["filters"]["metric_key"],
        "social.followers"
    );
    assert_eq!(
        kpi("5a")["source"]["filters"]["roles"],
        json!(["owner", "leader"])
    );
    assert_eq!(kpi("5a")["source"]["filters"]["external_funding"], true);

    // Section 2.1: the seven strategy goals, measurable ones measured by KPIs.
    let goals = document["strategy"]["goals"].as_array().unwrap();
    assert_eq!(goals.len(), 7);
    let measured: Vec<_> = document["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["goal"].as_str().unwrap())
        .collect();
    for goal in goals.iter().filter(|g| g["measurable"] == true) {
        assert!(
            measured.contains(&goal["key"].as_str().unwrap()),
            "goal {} has a KPI",
            goal["key"]
        );
    }
    assert_eq!(goals.iter().filter(|g| g["measurable"] == false).count(), 2);
}

#[test]
fn the_demo_loads_once_into_an_empty_database() {
    let db = TestDb::create();
    let plan = veikart_api::demo::load_if_empty(db.url()).unwrap();
    assert!(plan.is_some());
    assert_eq!(
        veikart_api::demo::load_if_empty(db.url()).unwrap(),
        None,
        "a second start loads nothing"
    );
}

#[test]
fn the_demo_year_answers_with_the_counts_docs_demo_md_states() {
    let app = veikart_tests::TestApp::spawn_with(|settings| {
        veikart_api::demo::load_if_empty(&settings.database_url).unwrap();
    });
    let org = veikart_api::demo::DEMO_ORG;
    let viewer = app.token(org, veikart_domain::Role::Viewer);
    let count = |query: &str| {
        let reply = app
            .get(&format!("/api/v1/orgs/{org}/{query}&limit=500"))
            .bearer(&viewer)
            .send();
        assert_eq!(reply.status, 200, "{query}: {}", reply.body);
        let page = reply.json();
        assert!(page.get("next_cursor").is_none());
        page["items"].as_array().unwrap().len()
    };
    let doc = include_str!("../../docs/demo.md");
    for (query, expected) in [
        ("members?active_on=2022-12-31", 176),
        ("activities?status=held&from=2022-01-01&to=2022-12-31", 43),
    ] {
        assert!(
            doc.contains(&format!("**{expected}**")),
            "docs/demo.md does not state {expected} for {query}"
        );
        assert_eq!(count(query), expected, "{query}");
    }
}
