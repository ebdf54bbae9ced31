//! The plan tree's resources one by one: strategies, goals, check-ins, focus areas, KPI
//! definitions, measures and budget lines.

use serde_json::{Value, json};
use veikart_domain::Role;
use veikart_tests::{PlanBuilder, TestApp};

fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("an id")
}

#[test]
fn strategies_and_their_goals_are_created_read_changed_and_deleted() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let strategy = app.create(
        &org,
        "/strategies",
        json!({"title": "Strategi 2020-2023", "period_start": "2020-01-01", "period_end": "2023-12-31",
               "vision": "En utviklingsmotor"}),
    );
    let path = format!("/api/v1/orgs/{org}/strategies/{}", id(&strategy));
    let editor = app.token(&org, Role::Editor);
    let changed = app
        .patch(&path)
        .bearer(&editor)
        .json(&json!({"mission": "Utvikle næringslivet", "vision": null}))
        .send();
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.json()["mission"], "Utvikle næringslivet");
    assert_eq!(changed.json()["vision"], Value::Null);
    let backwards = app
        .patch(&path)
        .bearer(&editor)
        .json(&json!({"period_end": "2019-01-01"}))
        .send();
    backwards.problem(422);
    assert_eq!(backwards.error_fields(), ["period_end"]);

    let goal = app.create(
        &org,
        "/goals",
        json!({"strategy_id": id(&strategy), "key": "medlemsvekst", "title": "Årlig økning på 10% medlemmer", "measurable": true}),
    );
    let same_key = app
        .post(&format!("/api/v1/orgs/{org}/goals"))
        .bearer(&editor)
        .json(&json!({"strategy_id": id(&strategy), "key": "medlemsvekst", "title": "Igjen", "measurable": true}))
        .send();
    same_key.problem(409);
    assert_eq!(same_key.error_fields(), ["key"]);
    let two_owners = app
        .post(&format!("/api/v1/orgs/{org}/goals"))
        .bearer(&editor)
        .json(&json!({"strategy_id": id(&strategy), "plan_id": 1, "key": "x", "title": "x", "measurable": true}))
        .send();
    two_owners.problem(422);
    let listed = app
        .get(&format!(
            "/api/v1/orgs/{org}/goals?strategy_id={}",
            id(&strategy)
        ))
        .bearer(&editor)
        .send()
        .json();
    assert_eq!(listed["items"][0]["key"], "medlemsvekst");

    // A strategy with goals or plans is not deleted; without, it is.
    let admin = app.token(&org, Role::Admin);
    app.delete(&path).bearer(&admin).send().problem(409);
    assert_eq!(
        app.delete(&format!("/api/v1/orgs/{org}/goals/{}", id(&goal)))
            .bearer(&editor)
            .send()
            .status,
        204
    );
    app.create(
        &org,
        "/plans",
        PlanBuilder::new("Plan")
            .with("strategy_id", json!(id(&strategy)))
            .build(),
    );
    app.delete(&path).bearer(&admin).send().problem(409);
}

#[test]
fn qualitative_goals_take_check_ins_and_measurable_ones_do_not() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let plan = app.create_plan(&org, "Plan");
    let qualitative = app.create(
        &org,
        "/goals",
        json!({"plan_id": id(&plan), "key": "kredibilitet", "title": "Styrke kredibilitet", "measurable": false}),
    );
    let measurable = app.create(
        &org,
        "/goals",
        json!({"plan_id": id(&plan), "key": "vekst", "title": "Vekst", "measurable": true}),
    );
    let check_ins = format!("/api/v1/orgs/{org}/goals/{}/check-ins", id(&qualitative));
    let check_in = app.create(
        &org,
        &format!("/goals/{}/check-ins", id(&qualitative)),
        json!({"checked_on": "2022-06-30", "status": "at_risk", "confidence": 6, "comment": "Lite synlig i media"}),
    );
    assert_eq!(check_in["author"], format!("editor@{org}"));
    assert_eq!(check_in["status"], "at_risk");
    let editor = app.token(&org, Role::Editor);
    let too_sure = app
        .post(&check_ins)
        .bearer(&editor)
        .json(&json!({"checked_on": "2022-07-01", "status": "on_track", "confidence": 11}))
        .send();
    too_sure.problem(422);
    assert_eq!(too_sure.error_fields(), ["confidence"]);
    app.post(&format!(
        "/api/v1/orgs/{org}/goals/{}/check-ins",
        id(&measurable)
    ))
    .bearer(&editor)
    .json(&json!({"checked_on": "2022-07-01", "status": "on_track", "confidence": 5}))
    .send()
    .problem(409);
    let listed = app
        .get(&check_ins)
        .bearer(&app.token(&org, Role::Viewer))
        .send()
        .json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.delete(&format!("{check_ins}/{}", id(&check_in)))
            .bearer(&editor)
            .send()
            .status,
        204
    );
    assert_eq!(
        app.get(&check_ins).bearer(&editor).send().json()["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn focus_areas_kpis_measures_and_budget_lines_form_the_plan() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let plan = id(&app.create_plan(&org, "Plan"));
    let base = format!("/plans/{plan}");
    let area = app.create(
        &org,
        &format!("{base}/focus-areas"),
        json!({"number": 1, "title": "Medlemsaktiviteter"}),
    );
    let line = app.create(
        &org,
        &format!("{base}/budget-lines"),
        json!({"code": "5400", "title": "Arrangementer", "amount": 150000}),
    );
    let measure = app.create(
        &org,
        &format!("{base}/measures"),
        json!({"focus_area_id": id(&area), "budget_line_id": id(&line), "number": 1, "title": "Medlemsmøter", "due_on": "2022-06-30"}),
    );
    assert_eq!(measure["status"], "planned");
    let kpi = app.create(
        &org,
        &format!("{base}/kpis"),
        json!({"focus_area_id": id(&area), "code": "1a", "title": "Minst 40 medlemsaktiviteter",
               "source": {"entity": "activity", "aggregate": "count", "filters": {"status": "held", "kinds": ["member_meeting"]}},
               "direction": "at_least", "target": 40}),
    );
    assert_eq!(kpi["tolerance"], 0.1);
    assert_eq!(kpi["source"]["filters"]["kinds"], json!(["member_meeting"]));

    let editor = app.token(&org, Role::Editor);
    let api = |rest: &str| format!("/api/v1/orgs/{org}{base}/{rest}");
    // Children are listed per plan.
    for (collection, count) in [
        ("focus-areas", 1),
        ("budget-lines", 1),
        ("measures", 1),
        ("kpis", 1),
    ] {
        let listed = app.get(&api(collection)).bearer(&editor).send();
        assert_eq!(listed.status, 200, "{collection}");
        assert_eq!(
            listed.json()["items"].as_array().unwrap().len(),
            count,
            "{collection}"
        );
    }
    // Changes, with references checked within the plan.
    let done = app
        .patch(&api(&format!("measures/{}", id(&measure))))
        .bearer(&editor)
        .json(&json!({"status": "done", "owner": "Kari"}))
        .send();
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.json()["status"], "done");
    let foreign_area = app
        .patch(&api(&format!("measures/{}", id(&measure))))
        .bearer(&editor)
        .json(&json!({"focus_area_id": 999_999}))
        .send();
    foreign_area.problem(422);
    assert_eq!(foreign_area.error_fields(), ["focus_area_id"]);
    let spent = app
        .patch(&api(&format!("budget-lines/{}", id(&line))))
        .bearer(&editor)
        .json(&json!({"actual_spent": 42000}))
        .send();
    assert_eq!(spent.json()["actual_spent"], 42000);
    let duplicate_code = app
        .post(&api("budget-lines"))
        .bearer(&editor)
        .json(&json!({"code": "5400", "title": "Igjen", "amount": 1}))
        .send();
    duplicate_code.problem(409);
    assert_eq!(duplicate_code.error_fields(), ["code"]);
    let duplicate_number = app
        .post(&api("focus-areas"))
        .bearer(&editor)
        .json(&json!({"number": 1, "title": "Igjen"}))
        .send();
    duplicate_number.problem(409);
    assert_eq!(duplicate_number.error_fields(), ["number"]);
    let retargeted = app
        .patch(&api(&format!("kpis/{}", id(&kpi))))
        .bearer(&editor)
        .json(&json!({"target": 45, "unit": "aktiviteter"}))
        .send();
    assert_eq!(retargeted.status, 200, "{}", retargeted.body);
    assert_eq!(retargeted.json()["target"], 45.0);

    // Deleting what others refer to is refused; leaves go first.
    app.delete(&api(&format!("focus-areas/{}", id(&area))))
        .bearer(&editor)
        .send()
        .problem(409);
    app.delete(&api(&format!("budget-lines/{}", id(&line))))
        .bearer(&editor)
        .send()
        .problem(409);
    for leaf in [
        format!("measures/{}", id(&measure)),
        format!("kpis/{}", id(&kpi)),
    ] {
        assert_eq!(
            app.delete(&api(&leaf)).bearer(&editor).send().status,
            204,
            "{leaf}"
        );
    }
    assert_eq!(
        app.delete(&api(&format!("focus-areas/{}", id(&area))))
            .bearer(&editor)
            .send()
            .status,
        204
    );
    assert_eq!(
        app.delete(&api(&format!("budget-lines/{}", id(&line))))
            .bearer(&editor)
            .send()
            .status,
        204
    );
    app.get(&api(&format!("kpis/{}", id(&kpi))))
        .bearer(&editor)
        .send()
        .problem(404);
}

#[test]
fn a_child_is_only_reachable_under_its_own_plan() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let first = id(&app.create_plan(&org, "First"));
    let second = id(&app.create_plan(&org, "Second"));
    let area = app.create(
        &org,
        &format!("/plans/{first}/focus-areas"),
        json!({"number": 1, "title": "A"}),
    );
    let editor = app.token(&org, Role::Editor);
    let under_second = format!(
        "/api/v1/orgs/{org}/plans/{second}/focus-areas/{}",
        id(&area)
    );
    app.get(&under_second).bearer(&editor).send().problem(404);
    app.patch(&under_second)
        .bearer(&editor)
        .json(&json!({"title": "B"}))
        .send()
        .problem(404);
    app.delete(&under_second)
        .bearer(&editor)
        .send()
        .problem(404);
    // Neither a stale If-Match (412) nor the other plan's frozen structure (409) says
    // more than 404 about a part that is not the plan's.
    let adopted = app
        .post(&format!("/api/v1/orgs/{org}/plans/{second}/adopt"))
        .bearer(&app.token(&org, Role::Admin))
        .json(&json!({"adopted_on": "2022-03-24", "adopted_by": "styret"}))
        .send();
    assert_eq!(adopted.status, 200, "{}", adopted.body);
    for method in ["PATCH", "DELETE"] {
        app.request(method, &under_second)
            .bearer(&editor)
            .header("If-Match", "\"v9\"")
            .json(&json!({"title": "B"}))
            .send()
            .problem(404);
    }
    let unchanged = app
        .get(&format!(
            "/api/v1/orgs/{org}/plans/{first}/focus-areas/{}",
            id(&area)
        ))
        .bearer(&editor)
        .send();
    assert_eq!(unchanged.json()["title"], "A");
    assert_eq!(unchanged.header("etag"), Some("\"v1\""));
    // A measure cannot point at another plan's focus area.
    let measure = app
        .post(&format!("/api/v1/orgs/{org}/plans/{second}/measures"))
        .bearer(&editor)
        .json(&json!({"focus_area_id": id(&area), "number": 1, "title": "M"}))
        .send();
    measure.problem(422);
    assert_eq!(measure.error_fields(), ["focus_area_id"]);
}

#[test]
fn each_invalid_kpi_definition_is_refused_naming_its_field() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let plan = id(&app.create_plan(&org, "Plan"));
    let kpis = format!("/api/v1/orgs/{org}/plans/{plan}/kpis");
    let editor = app.token(&org, Role::Editor);
    let kpi = |source: Value, extra: Value| {
        let mut body =
            json!({"title": "KPI", "source": source, "direction": "at_least", "target": 10});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (
            "unknown entity",
            kpi(
                json!({"entity": "customer", "aggregate": "count"}),
                json!({}),
            ),
            "source.entity",
        ),
        (
            "unknown aggregate",
            kpi(
                json!({"entity": "member", "aggregate": "median"}),
                json!({}),
            ),
            "source.aggregate",
        ),
        (
            "unknown filter",
            kpi(
                json!({"entity": "activity", "aggregate": "count", "filters": {"colour": "red"}}),
                json!({}),
            ),
            "source.filters.colour",
        ),
        (
            "unknown field",
            kpi(
                json!({"entity": "activity", "aggregate": "sum", "field": "budget"}),
                json!({}),
            ),
            "source.field",
        ),
        (
            "sum over a text field",
            kpi(
                json!({"entity": "activity", "aggregate": "sum", "field": "title"}),
                json!({}),
            ),
            "source.field",
        ),
        (
            "sum without a field",
            kpi(json!({"entity": "survey", "aggregate": "mean"}), json!({})),
            "source.field",
        ),
        (
            "growth without a stock",
            kpi(
                json!({"entity": "activity", "aggregate": "growth_pct"}),
                json!({}),
            ),
            "source.entity",
        ),
        (
            "filter of another entity",
            kpi(
                json!({"entity": "member", "aggregate": "count", "filters": {"kinds": ["promotion"]}}),
                json!({}),
            ),
            "source.filters.kinds",
        ),
        (
            "metric without a key",
            kpi(json!({"entity": "metric", "aggregate": "level"}), json!({})),
            "source.filters.metric_key",
        ),
        (
            "period outside the plan",
            kpi(
                json!({"entity": "member", "aggregate": "count"}),
                json!({"period_start": "2021-01-01", "period_end": "2021-12-31"}),
            ),
            "period_start",
        ),
        (
            "period ending before it starts",
            kpi(
                json!({"entity": "member", "aggregate": "count"}),
                json!({"period_start": "2022-06-01", "period_end": "2022-05-01"}),
            ),
            "period_end",
        ),
        (
            "tolerance above 1",
            kpi(
                json!({"entity": "member", "aggregate": "count"}),
                json!({"tolerance": 2}),
            ),
            "tolerance",
        ),
        (
            "a goal that does not exist",
            kpi(
                json!({"entity": "member", "aggregate": "count"}),
                json!({"goal_id": 999999}),
            ),
            "goal_id",
        ),
        (
            "a direction that does not exist",
            kpi(
                json!({"entity": "member", "aggregate": "count"}),
                json!({"direction": "around"}),
            ),
            "direction",
        ),
    ];
    for (what, body, field) in cases {
        let reply = app.post(&kpis).bearer(&editor).json(&body).send();
        reply.problem(422);
        assert_eq!(reply.error_fields(), [field], "{what}");
        let pointer = reply.json()["errors"][0]["pointer"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(pointer, format!("/{}", field.replace('.', "/")), "{what}");
    }
    let listed = app.get(&kpis).bearer(&editor).send().json();
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        0,
        "nothing was stored"
    );
}

#[test]
fn a_check_in_answers_its_location_and_is_deleted_only_at_its_version() {
    let app = TestApp::spawn();
    let org = app.create_org("checks");
    let goal = app.create(
        &org,
        "/goals",
        json!({"strategy_id": null, "plan_id": app.create_plan(&org, "P")["id"], "key": "k",
            "title": "Kvalitativt", "measurable": false}),
    );
    let editor = app.token(&org, Role::Editor);
    let created = app
        .post(&format!(
            "/api/v1/orgs/{org}/goals/{}/check-ins",
            goal["id"]
        ))
        .bearer(&editor)
        .json(&json!({"checked_on": "2022-06-30", "status": "on_track", "confidence": 7}))
        .send();
    assert_eq!(created.status, 201, "{}", created.body);
    let location = created.header("location").unwrap().to_owned();
    let etag = created.header("etag").unwrap().to_owned();
    let read = app.get(&location).bearer(&editor).send();
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.json()["id"], created.json()["id"]);

    app.delete(&location)
        .bearer(&editor)
        .header("If-Match", "\"v99\"")
        .send()
        .problem(412);
    let deleted = app
        .delete(&location)
        .bearer(&editor)
        .header("If-Match", &etag)
        .send();
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    app.get(&location).bearer(&editor).send().problem(404);
}

#[test]
fn organisation_resources_answer_their_location_and_keep_their_roles_and_parents() {
    let app = TestApp::spawn();
    let org = app.create_org("scope");
    let viewer = app.token(&org, Role::Viewer);
    let editor = app.token(&org, Role::Editor);
    let admin = app.token(&org, Role::Admin);
    let post = |path: &str, body: Value| {
        let created = app
            .post(&format!("/api/v1/orgs/{org}{path}"))
            .bearer(&editor)
            .json(&body)
            .send();
        assert_eq!(created.status, 201, "{}", created.body);
        let location = created.header("location").unwrap().to_owned();
        assert_eq!(
            location,
            format!("/api/v1/orgs/{org}{path}/{}", created.json()["id"])
        );
        let etag = created.header("etag").unwrap().to_owned();
        (location, etag)
    };

    // A strategy is changed at its version and deleted only by an admin.
    let (strategy, etag) = post(
        "/strategies",
        json!({"title": "Strategi", "period_start": "2020-01-01", "period_end": "2023-12-31"}),
    );
    assert_eq!(app.get(&strategy).bearer(&viewer).send().status, 200);
    app.patch(&strategy)
        .bearer(&editor)
        .header("If-Match", "\"v99\"")
        .json(&json!({"title": "Ny"}))
        .send()
        .problem(412);
    let changed = app
        .patch(&strategy)
        .bearer(&editor)
        .header("If-Match", &etag)
        .json(&json!({"title": "Ny"}))
        .send();
    assert_eq!(changed.status, 200, "{}", changed.body);
    let etag = changed.header("etag").unwrap().to_owned();
    app.delete(&strategy).bearer(&editor).send().problem(403);
    app.delete(&strategy)
        .bearer(&admin)
        .header("If-Match", "\"v1\"")
        .send()
        .problem(412);
    let deleted = app
        .delete(&strategy)
        .bearer(&admin)
        .header("If-Match", &etag)
        .send();
    assert_eq!(deleted.status, 204, "{}", deleted.body);

    // A check-in is reached only through its own goal, and is never changed.
    let plan = id(&app.create_plan(&org, "P"));
    let goal = |key: &str| {
        let (location, _) = post(
            "/goals",
            json!({"plan_id": plan, "key": key, "title": "Kvalitativt", "measurable": false}),
        );
        location.rsplit('/').next().unwrap().parse::<i64>().unwrap()
    };
    let (own, other) = (goal("own"), goal("other"));
    let (check_in, _) = post(
        &format!("/goals/{own}/check-ins"),
        json!({"checked_on": "2022-06-30", "status": "on_track", "confidence": 7}),
    );
    let check_in_id = check_in.rsplit('/').next().unwrap();
    let elsewhere = format!("/api/v1/orgs/{org}/goals/{other}/check-ins/{check_in_id}");
    app.get(&elsewhere).bearer(&viewer).send().problem(404);
    app.delete(&elsewhere).bearer(&editor).send().problem(404);
    app.delete(&check_in).bearer(&viewer).send().problem(403);
    app.patch(&check_in)
        .bearer(&editor)
        .json(&json!({"confidence": 3}))
        .send()
        .problem(405);
    assert_eq!(app.get(&check_in).bearer(&viewer).send().status, 200);
}

/// A KPI filters on what observations store: its metric key keeps an observation's key
/// rule (a KPI no observation could match is refused), and its dimensions may be as long
/// as an observation's dimension.
#[test]
fn a_metric_kpi_filters_by_the_rules_of_observations() {
    let app = TestApp::spawn();
    let org = app.create_org("metrics");
    let plan = id(&app.create_plan(&org, "Plan"));
    let kpis = format!("/api/v1/orgs/{org}/plans/{plan}/kpis");
    let editor = app.token(&org, Role::Editor);
    let kpi = |filters: Value| {
        json!({"title": "Følgere", "direction": "at_least", "target": 10,
               "source": {"entity": "metric", "aggregate": "level", "filters": filters}})
    };

    let bad_key = app
        .post(&kpis)
        .bearer(&editor)
        .json(&kpi(json!({"metric_key": "Bad Key!! with spaces"})))
        .send();
    bad_key.problem(422);
    assert_eq!(bad_key.error_fields(), ["source.filters.metric_key"]);
    let observation = app
        .post(&format!("/api/v1/orgs/{org}/observations"))
        .bearer(&editor)
        .json(&json!({"metric_key": "Bad Key!! with spaces", "observed_on": "2022-05-01", "value": 1}))
        .send();
    observation.problem(422);

    let long = "d".repeat(100);
    let stored = app
        .post(&format!("/api/v1/orgs/{org}/observations"))
        .bearer(&editor)
        .json(&json!({"metric_key": "social.followers", "dimension": long, "observed_on": "2022-05-01", "value": 7}))
        .send();
    assert_eq!(stored.status, 201, "{}", stored.body);
    let created = app
        .post(&kpis)
        .bearer(&editor)
        .json(&kpi(
            json!({"metric_key": "social.followers", "dimensions": [long]}),
        ))
        .send();
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["source"]["filters"]["dimensions"][0], long);

    let too_long = app
        .post(&kpis)
        .bearer(&editor)
        .json(&kpi(
            json!({"metric_key": "social.followers", "dimensions": ["d".repeat(101)]}),
        ))
        .send();
    too_long.problem(422);
    let fields = too_long.error_fields();
    assert_eq!(fields.len(), 1, "{fields:?}");
    assert!(
        fields[0].starts_with("source.filters.dimensions"),
        "{fields:?}"
    );
}
