use serde_json::json;
use veikart_domain::Role;
use veikart_tests::{PlanBuilder, TestApp};

#[test]
fn an_editor_creates_reads_changes_and_lists_plans() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let editor = app.token(&org, Role::Editor);
    let created = app
        .post(&format!("/api/v1/orgs/{org}/plans"))
        .bearer(&editor)
        .json(
            &PlanBuilder::new("Handlingsplan 2022")
                .with("intro", json!("Vedtas av årsmøtet."))
                .build(),
        )
        .send();
    assert_eq!(created.status, 201, "{}", created.body);
    let plan = created.json();
    assert_eq!(plan["status"], "draft");
    assert_eq!(plan["published"], false);
    assert_eq!(plan["period_start"], "2022-04-01");
    let id = plan["id"].as_i64().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/orgs/{org}/plans/{id}").as_str())
    );

    let changed = app
        .patch(&format!("/api/v1/orgs/{org}/plans/{id}"))
        .bearer(&editor)
        .json(&json!({"title": "Handlingsplan for 2022", "intro": null}))
        .send();
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.json()["intro"], serde_json::Value::Null);
    let adopted = app
        .post(&format!("/api/v1/orgs/{org}/plans/{id}/adopt"))
        .bearer(&app.token(&org, Role::Admin))
        .json(&json!({"adopted_on": "2022-03-24", "adopted_by": "årsmøtet"}))
        .send();
    assert_eq!(adopted.status, 200, "{}", adopted.body);
    let adopted = adopted.json();
    assert_eq!(adopted["status"], "adopted");
    assert_eq!(adopted["adopted_by"], "årsmøtet");
    assert_eq!(adopted["title"], "Handlingsplan for 2022");

    let viewer = app.token(&org, Role::Viewer);
    let list = app
        .get(&format!("/api/v1/orgs/{org}/plans?status=adopted"))
        .bearer(&viewer)
        .send();
    assert_eq!(list.status, 200);
    assert_eq!(list.json()["items"][0]["id"], id);
    let drafts = app
        .get(&format!("/api/v1/orgs/{org}/plans?status=draft"))
        .bearer(&viewer)
        .send();
    assert_eq!(drafts.json()["items"].as_array().unwrap().len(), 0);
}

#[test]
fn a_period_that_ends_before_it_starts_is_refused_on_create_and_on_update() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let editor = app.token(&org, Role::Editor);
    let bad = app
        .post(&format!("/api/v1/orgs/{org}/plans"))
        .bearer(&editor)
        .json(
            &PlanBuilder::new("Bad")
                .with("period_end", json!("2022-01-01"))
                .build(),
        )
        .send();
    bad.problem(422);
    assert_eq!(bad.error_fields(), ["period_end"]);

    let plan = app.create_plan(&org, "Good");
    let moved = app
        .patch(&format!("/api/v1/orgs/{org}/plans/{}", plan["id"]))
        .bearer(&editor)
        .json(&json!({"period_start": "2023-01-01"}))
        .send();
    moved.problem(422);
    assert_eq!(moved.error_fields(), ["period_end"]);
}

#[test]
fn adopting_needs_a_date_and_an_adopter_and_happens_once() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let plan = app.create_plan(&org, "Plan");
    let adopt = format!("/api/v1/orgs/{org}/plans/{}/adopt", plan["id"]);
    let admin = app.token(&org, Role::Admin);
    let missing = app
        .post(&adopt)
        .bearer(&admin)
        .json(&json!({"adopted_by": "årsmøtet"}))
        .send();
    missing.problem(422);
    assert_eq!(missing.error_fields(), ["adopted_on"]);
    let blank = app
        .post(&adopt)
        .bearer(&admin)
        .json(&json!({"adopted_on": "2022-03-24", "adopted_by": " "}))
        .send();
    blank.problem(422);
    assert_eq!(blank.error_fields(), ["adopted_by"]);
    let body = json!({"adopted_on": "2022-03-24", "adopted_by": "årsmøtet"});
    app.post(&adopt)
        .bearer(&app.token(&org, Role::Editor))
        .json(&body)
        .send()
        .problem(403);
    assert_eq!(
        app.post(&adopt).bearer(&admin).json(&body).send().status,
        200
    );
    app.post(&adopt)
        .bearer(&admin)
        .json(&body)
        .send()
        .problem(409);
    // The status changes through the lifecycle actions only.
    let patch = app
        .patch(&format!("/api/v1/orgs/{org}/plans/{}", plan["id"]))
        .bearer(&admin)
        .json(&json!({"status": "draft"}))
        .send();
    patch.problem(422);
    assert_eq!(patch.error_fields(), ["status"]);
}

#[test]
fn missing_and_mistyped_fields_are_named() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let editor = app.token(&org, Role::Editor);
    let missing = app
        .post(&format!("/api/v1/orgs/{org}/plans"))
        .bearer(&editor)
        .json(&json!({"title": "No dates"}))
        .send();
    missing.problem(422);
    let wrong_date = app
        .post(&format!("/api/v1/orgs/{org}/plans"))
        .bearer(&editor)
        .json(
            &PlanBuilder::new("x")
                .with("period_start", json!("1. april 2022"))
                .build(),
        )
        .send();
    wrong_date.problem(422);
    assert_eq!(wrong_date.error_fields(), ["period_start"]);
}

#[test]
fn anonymous_readers_see_published_plans_only() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let hidden = app.create_plan(&org, "Utkast");
    let editor = app.token(&org, Role::Editor);
    let public = app
        .post(&format!("/api/v1/orgs/{org}/plans"))
        .bearer(&editor)
        .json(
            &PlanBuilder::new("Publisert")
                .with("published", json!(true))
                .build(),
        )
        .send()
        .json();

    let list = app.get(&format!("/api/v1/orgs/{org}/plans")).send();
    assert_eq!(list.status, 200);
    let ids: Vec<_> = list.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    assert_eq!(ids, [public["id"].clone()]);
    assert_eq!(
        app.get(&format!("/api/v1/orgs/{org}/plans/{}", public["id"]))
            .send()
            .status,
        200
    );
    app.get(&format!("/api/v1/orgs/{org}/plans/{}", hidden["id"]))
        .send()
        .problem(404);
    // Writing still needs a token.
    app.post(&format!("/api/v1/orgs/{org}/plans"))
        .json(&PlanBuilder::new("x").build())
        .send()
        .problem(401);
}

#[test]
fn plans_are_listed_page_by_page_and_filtered_by_period() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let editor = app.token(&org, Role::Editor);
    for year in 2021..=2024 {
        app.post(&format!("/api/v1/orgs/{org}/plans"))
            .bearer(&editor)
            .json(
                &PlanBuilder::new(&format!("Plan {year}"))
                    .with("period_start", json!(format!("{year}-01-01")))
                    .with("period_end", json!(format!("{year}-12-31")))
                    .build(),
            )
            .send();
    }
    let mut titles = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/orgs/{org}/plans?limit=3&cursor={c}"),
            None => format!("/api/v1/orgs/{org}/plans?limit=3"),
        };
        let page = app.get(&path).bearer(&editor).send().json();
        titles.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["title"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(titles, ["Plan 2021", "Plan 2022", "Plan 2023", "Plan 2024"]);

    let in_2022_2023 = app
        .get(&format!(
            "/api/v1/orgs/{org}/plans?from=2022-06-01&to=2023-02-01"
        ))
        .bearer(&editor)
        .send()
        .json();
    let titles: Vec<_> = in_2022_2023["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].clone())
        .collect();
    assert_eq!(titles, ["Plan 2022", "Plan 2023"]);
}

#[test]
fn plans_are_filtered_by_strategy_and_status_each_alone_and_together() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let editor = app.token(&org, Role::Editor);
    let strategy = app.create(
        &org,
        "/strategies",
        json!({"title": "Strategi", "period_start": "2020-01-01", "period_end": "2023-12-31"}),
    )["id"]
        .as_i64()
        .unwrap();
    let following = app.create(
        &org,
        "/plans",
        PlanBuilder::new("Følger strategien")
            .with("strategy_id", json!(strategy))
            .build(),
    )["id"]
        .as_i64()
        .unwrap();
    let alone = app.create_plan(&org, "Uten strategi")["id"]
        .as_i64()
        .unwrap();
    let ids = |query: &str| -> Vec<i64> {
        let page = app
            .get(&format!("/api/v1/orgs/{org}/plans{query}"))
            .bearer(&editor)
            .send();
        assert_eq!(page.status, 200, "{query}: {}", page.body);
        page.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(""), [following, alone]);
    assert_eq!(ids(&format!("?strategy_id={strategy}")), [following]);
    assert_eq!(
        ids(&format!("?strategy_id={}", strategy + 1000)),
        Vec::<i64>::new()
    );
    assert_eq!(ids("?status=draft"), [following, alone]);
    assert_eq!(
        ids(&format!("?status=draft&strategy_id={strategy}")),
        [following]
    );
    assert_eq!(
        ids(&format!("?status=adopted&strategy_id={strategy}")),
        Vec::<i64>::new()
    );
}

#[test]
fn a_date_is_four_digit_year_month_day_in_0001_to_9999_wherever_it_is_sent() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let editor = app.token(&org, Role::Editor);
    let plan = app.create_plan(&org, "Plan");
    for bad in [
        "-0040-03-13",
        "+12345-01-01",
        "0000-01-01",
        "2022-1-5",
        "2022-02-30",
    ] {
        let created = app
            .post(&format!("/api/v1/orgs/{org}/plans"))
            .bearer(&editor)
            .json(
                &PlanBuilder::new("x")
                    .with("period_start", json!(bad))
                    .build(),
            )
            .send();
        created.problem(422);
        assert_eq!(created.error_fields(), ["period_start"], "{bad}");
        let changed = app
            .patch(&format!("/api/v1/orgs/{org}/plans/{}", plan["id"]))
            .bearer(&editor)
            .json(&json!({"period_end": bad}))
            .send();
        changed.problem(422);
        assert_eq!(changed.error_fields(), ["period_end"], "{bad}");
        app.get(&format!("/api/v1/orgs/{org}/plans?from={bad}"))
            .bearer(&editor)
            .send()
            .problem(400);
    }
    let listed = app
        .get(&format!(
            "/api/v1/orgs/{org}/plans?from=0001-01-01&to=9999-12-31"
        ))
        .bearer(&editor)
        .send()
        .json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
}
