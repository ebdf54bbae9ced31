//! Results: a KPI's result, series and counted records, and the plan's scorecard, on a
//! small hand-built plan whose expected figures are worked out here from the rules of the
//! product's "KPI semantics" — and on the demo year, against the domain's in-memory
//! measurer.

use serde_json::{Value, json};
use veikart_api::demo_year::DemoRecord;
use veikart_domain::Role;
use veikart_domain::engine::{self, Need, memory};
use veikart_tests::TestApp;

/// A plan for 2022 with one focus area and five KPIs, and the records below.
struct Small {
    org: String,
    plan: String,
    /// KPI ids by letter: A held activities ≥ 10, B new members ≥ 2, C mean survey score
    /// ≥ 4, D a milestone, E growth of `social.followers` ≥ 20 %.
    kpis: Vec<(char, i64)>,
}

impl Small {
    fn create(app: &TestApp, slug: &str) -> Small {
        let org = app.create_org(slug);
        let plan = app
            .post(&format!("/api/v1/orgs/{org}/plans"))
            .bearer(&app.token(&org, Role::Admin))
            .json(&json!({"title": "Handlingsplan 2022", "period_start": "2022-01-01", "period_end": "2022-12-31"}))
            .send()
            .json();
        let plan_id = plan["id"].as_i64().unwrap();
        let area = app.create(
            &org,
            &format!("/plans/{plan_id}/focus-areas"),
            json!({"number": 1, "title": "Medlemsaktiviteter"}),
        )["id"]
            .as_i64()
            .unwrap();
        let kpi = |code: &str, focus: Option<i64>, source: Value, target: f64| {
            app.create(
                &org,
                &format!("/plans/{plan_id}/kpis"),
                json!({"code": code, "title": format!("KPI {code}"), "focus_area_id": focus,
                       "source": source, "direction": "at_least", "target": target}),
            )["id"]
                .as_i64()
                .unwrap()
        };
        let kpis = vec![
            (
                'A',
                kpi(
                    "A",
                    Some(area),
                    json!({"entity": "activity", "aggregate": "count", "filters": {"status": "held"}}),
                    10.0,
                ),
            ),
            (
                'B',
                kpi(
                    "B",
                    Some(area),
                    json!({"entity": "member", "aggregate": "count"}),
                    2.0,
                ),
            ),
            (
                'C',
                kpi(
                    "C",
                    None,
                    json!({"entity": "survey", "aggregate": "mean", "field": "mean_score"}),
                    4.0,
                ),
            ),
            (
                'D',
                kpi(
                    "D",
                    None,
                    json!({"entity": "milestone", "aggregate": "milestone", "filters": {"milestone_kind": "association_started"}}),
                    1.0,
                ),
            ),
            (
                'E',
                kpi(
                    "E",
                    None,
                    json!({"entity": "metric", "aggregate": "growth_pct", "filters": {"metric_key": "social.followers"}}),
                    20.0,
                ),
            ),
        ];
        for (on, status) in [
            ("2022-01-10", "held"),
            ("2022-02-10", "held"),
            ("2022-03-10", "held"),
            ("2022-04-10", "held"),
            ("2022-05-01", "cancelled"),
            ("2022-09-01", "planned"),
            ("2022-10-01", "planned"),
        ] {
            app.create(
                &org,
                "/activities",
                json!({"kind": "member_meeting", "title": format!("Møte {on}"), "date": on, "status": status}),
            );
        }
        for (n, joined) in [
            (1, "2019-05-01"),
            (2, "2021-03-01"),
            (3, "2022-02-01"),
            (4, "2022-03-01"),
        ] {
            let mut body = veikart_tests::record_body("members", n);
            body["joined_on"] = json!(joined);
            app.create(&org, "/members", body);
        }
        app.create(
            &org,
            "/surveys",
            json!({"audience": "internal", "title": "Medlemsundersøkelse", "conducted_on": "2022-03-15",
                   "invited": 100, "responses": 40, "scale_min": 1, "scale_max": 5, "mean_score": 3.7}),
        );
        for (on, value) in [("2021-12-31", 100), ("2022-05-31", 112)] {
            app.create(
                &org,
                "/observations",
                json!({"metric_key": "social.followers", "dimension": "linkedin", "observed_on": on, "value": value}),
            );
        }
        Small {
            plan: format!("/api/v1/orgs/{org}/plans/{plan_id}"),
            org,
            kpis,
        }
    }

    fn id(&self, letter: char) -> i64 {
        self.kpis.iter().find(|(l, _)| *l == letter).unwrap().1
    }

    fn result(&self, app: &TestApp, letter: char, as_of: &str) -> Value {
        let reply = app
            .get(&format!(
                "{}/kpis/{}/result?as_of={as_of}",
                self.plan,
                self.id(letter)
            ))
            .bearer(&app.token(&self.org, Role::Viewer))
            .send();
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()
    }
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-9)
}

/// 181 of 365 days on 2022-06-30.
const JUNE: f64 = 181.0 / 365.0;

#[test]
fn a_small_plan_computes_as_the_rules_say() {
    let app = TestApp::spawn();
    let s = Small::create(&app, "liten");

    // A: 4 held by 30 June against 10 × 181/365 = 4.96; 0.96 behind is within the
    // tolerance of 1 (10 % of 10 − 0).
    let a = s.result(&app, 'A', "2022-06-30");
    assert_eq!(a["kpi_id"], json!(s.id('A')));
    assert_eq!(a["status"], "at_risk");
    assert_eq!(a["actual"], json!(4.0));
    assert!(close(&a["expected"], 10.0 * JUNE), "{a}");
    assert!(close(&a["progress"], 0.4));
    assert!(close(&a["forecast"]["run_rate"], 4.0 / JUNE));
    assert_eq!(
        a["forecast"]["with_planned"],
        json!(6.0),
        "two planned after June"
    );
    assert!(close(&a["needed_per_month"], 6.0 * 30.4375 / 184.0));
    assert_eq!(a["records_counted"], 4);
    assert_eq!(a["last_record_on"], "2022-04-10");
    assert_eq!(a["start_value"], json!(0.0));
    assert_eq!(
        (a["period_start"].as_str(), a["period_end"].as_str()),
        (Some("2022-01-01"), Some("2022-12-31"))
    );
    // The answer has exactly the fields of a result.
    let mut fields: Vec<&String> = a.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "actual",
            "as_of",
            "expected",
            "forecast",
            "kpi_id",
            "last_record_on",
            "needed_per_month",
            "period_end",
            "period_start",
            "progress",
            "records_counted",
            "start_value",
            "status"
        ]
    );

    // B: two joined in 2022 by March: the target is met before the end.
    assert_eq!(s.result(&app, 'B', "2022-06-30")["status"], "achieved");
    assert_eq!(
        s.result(&app, 'B', "2022-02-28")["status"],
        "on_track",
        "1 ≥ 2 × 59/365"
    );
    // C: a mean of 3.7 against 4: 0.3 behind, within 10 % of 4.
    let c = s.result(&app, 'C', "2022-06-30");
    assert_eq!(
        (c["status"].as_str(), c["expected"].as_f64()),
        (Some("at_risk"), Some(4.0))
    );
    assert!(close(&c["progress"], 3.7 / 4.0));
    assert_eq!(c["needed_per_month"], Value::Null);
    // ... and no data before the survey.
    assert_eq!(s.result(&app, 'C', "2022-03-14")["status"], "no_data");
    // D: no milestone: 0 against 0.50 is off track; missed at the end.
    assert_eq!(s.result(&app, 'D', "2022-06-30")["status"], "off_track");
    assert_eq!(s.result(&app, 'D', "2022-12-31")["status"], "missed");
    // E: followers 100 → 112 is 12 % growth against 20 × 181/365 = 9.92.
    let e = s.result(&app, 'E', "2022-06-30");
    assert!(close(&e["actual"], 12.0), "{e}");
    assert_eq!(e["status"], "on_track");
    assert_eq!(s.result(&app, 'E', "2022-12-31")["status"], "missed");
    // Before the period nothing is known; after it, the result at the end stands.
    let before = s.result(&app, 'A', "2021-12-31");
    assert_eq!(
        (before["status"].as_str(), &before["actual"]),
        (Some("not_started"), &Value::Null)
    );
    let after = s.result(&app, 'A', "2024-02-29");
    let end = s.result(&app, 'A', "2022-12-31");
    assert_eq!(end["status"], "missed");
    for field in [
        "actual",
        "expected",
        "progress",
        "status",
        "forecast",
        "records_counted",
    ] {
        assert_eq!(after[field], end[field], "{field}");
    }

    // The scorecard: the same results, grouped, with rollups.
    let reply = app
        .get(&format!("{}/scorecard?as_of=2022-06-30", s.plan))
        .bearer(&app.token(&s.org, Role::Viewer))
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    let card = reply.json();
    assert_eq!(card["as_of"], "2022-06-30");
    let statuses = &card["rollup"]["statuses"];
    assert_eq!(
        [
            statuses["at_risk"].clone(),
            statuses["achieved"].clone(),
            statuses["off_track"].clone(),
            statuses["on_track"].clone()
        ],
        [json!(2), json!(1), json!(1), json!(1)],
        "{statuses}"
    );
    assert_eq!(card["rollup"]["kpis"], 5);
    // Mean progress, each capped at 1: A 0.4, B 1 (2/2), C 0.925, D 0, E 0.6.
    assert!(
        close(
            &card["rollup"]["mean_progress"],
            (0.4 + 1.0 + 0.925 + 0.0 + 0.6) / 5.0
        ),
        "{}",
        card["rollup"]
    );
    let area = &card["focus_areas"][0];
    assert_eq!(area["kpis"].as_array().unwrap().len(), 2);
    assert_eq!(area["kpis"][0]["result"], a);
    assert_eq!(area["rollup"]["statuses"]["achieved"], 1);
    let plan_kpis: Vec<&str> = card["plan_kpis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["code"].as_str().unwrap())
        .collect();
    assert_eq!(plan_kpis, ["C", "D", "E"]);

    // As CSV: one row per KPI, the same figures.
    let csv = app
        .get(&format!("{}/scorecard?as_of=2022-06-30", s.plan))
        .bearer(&app.token(&s.org, Role::Viewer))
        .header("Accept", "text/csv")
        .send();
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][column("code")], "A");
    assert_eq!(&rows[0][column("status")], "at_risk");
    assert_eq!(&rows[0][column("actual")], "4");
    assert_eq!(&rows[2][column("status")], "at_risk");
}

#[test]
fn a_series_gives_the_result_at_every_month_end() {
    let app = TestApp::spawn();
    let s = Small::create(&app, "serie");
    let viewer = app.token(&s.org, Role::Viewer);
    let reply = app
        .get(&format!("{}/kpis/{}/series", s.plan, s.id('A')))
        .bearer(&viewer)
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    let series = reply.json();
    let points = series["points"].as_array().unwrap();
    assert_eq!(points.len(), 12);
    assert_eq!(
        (series["from"].as_str(), series["to"].as_str()),
        (Some("2022-01-01"), Some("2022-12-31"))
    );
    let actuals: Vec<f64> = points
        .iter()
        .map(|p| p["actual"].as_f64().unwrap())
        .collect();
    assert_eq!(
        actuals,
        [1.0, 2.0, 3.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    );
    assert_eq!(points[1]["as_of"], "2022-02-28");
    assert_eq!(points[11]["status"], "missed");
    // Each point is the result at its date.
    assert_eq!(points[5], s.result(&app, 'A', "2022-06-30"));
    // A range of its own, ending mid-month.
    let short = app
        .get(&format!(
            "{}/kpis/{}/series?from=2022-03-01&to=2022-04-15",
            s.plan,
            s.id('A')
        ))
        .bearer(&viewer)
        .send()
        .json();
    let dates: Vec<&str> = short["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["as_of"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2022-03-31", "2022-04-15"]);
    // A range backwards or too long is refused, naming `to`.
    for range in [
        "from=2022-05-01&to=2022-04-15",
        "from=2000-01-01&to=2022-04-15",
    ] {
        let refused = app
            .get(&format!("{}/kpis/{}/series?{range}", s.plan, s.id('A')))
            .bearer(&viewer)
            .send();
        refused.problem(422);
        assert_eq!(refused.error_fields(), ["to"], "{range}");
    }
}

#[test]
fn the_records_a_result_counted_can_be_listed() {
    let app = TestApp::spawn();
    let s = Small::create(&app, "drill");
    let viewer = app.token(&s.org, Role::Viewer);
    let url = format!(
        "{}/kpis/{}/records?as_of=2022-06-30&limit=3",
        s.plan,
        s.id('A')
    );
    let first = app.get(&url).bearer(&viewer).send().json();
    let items = first["items"].as_array().unwrap();
    let days: Vec<&str> = items.iter().map(|i| i["on"].as_str().unwrap()).collect();
    assert_eq!(days, ["2022-01-10", "2022-02-10", "2022-03-10"]);
    assert!(items.iter().all(|i| i["kind"] == "activity"));
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .get(&format!("{url}&cursor={cursor}"))
        .bearer(&viewer)
        .send()
        .json();
    assert_eq!(
        second["items"].as_array().unwrap().len(),
        1,
        "4 held, the cancelled one not counted"
    );
    assert!(second.get("next_cursor").is_none());
    // Each item is the record: its id reads back as that activity.
    let id = items[0]["id"].as_i64().unwrap();
    let activity = app
        .get(&format!("/api/v1/orgs/{}/activities/{id}", s.org))
        .bearer(&viewer)
        .send()
        .json();
    assert_eq!(activity["date"], "2022-01-10");
    // A growth counts each dimension's latest observation.
    let e = app
        .get(&format!(
            "{}/kpis/{}/records?as_of=2022-06-30",
            s.plan,
            s.id('E')
        ))
        .bearer(&viewer)
        .send()
        .json();
    assert_eq!(
        e["items"],
        json!([{"kind": "observation", "id": e["items"][0]["id"], "on": "2022-05-31", "label": "linkedin", "value": 112.0}])
    );
    // A level over some dimensions counts only theirs.
    app.create(&s.org, "/observations", json!({"metric_key": "social.followers", "dimension": "facebook", "observed_on": "2022-04-30", "value": 50}));
    let facebook = app.create(
        &s.org,
        &format!(
            "{}/kpis",
            s.plan
                .trim_start_matches(&format!("/api/v1/orgs/{}", s.org))
        ),
        json!({"title": "Følgere på Facebook", "source": {"entity": "metric", "aggregate": "level",
               "filters": {"metric_key": "social.followers", "dimensions": ["facebook"]}},
               "direction": "at_least", "target": 100}),
    )["id"]
        .clone();
    let both = app
        .get(&format!(
            "{}/kpis/{}/result?as_of=2022-06-30",
            s.plan,
            s.id('E')
        ))
        .bearer(&viewer)
        .send()
        .json();
    assert!(
        close(&both["actual"], (112.0 + 50.0 - 100.0) / 100.0 * 100.0),
        "{both}"
    );
    let one = app
        .get(&format!(
            "{}/kpis/{facebook}/result?as_of=2022-06-30",
            s.plan
        ))
        .bearer(&viewer)
        .send()
        .json();
    assert_eq!(
        (one["actual"].as_f64(), one["records_counted"].as_u64()),
        (Some(50.0), Some(1))
    );
    let counted = app
        .get(&format!(
            "{}/kpis/{facebook}/records?as_of=2022-06-30",
            s.plan
        ))
        .bearer(&viewer)
        .send()
        .json();
    assert_eq!(counted["items"].as_array().unwrap().len(), 1);
    assert_eq!(counted["items"][0]["label"], "facebook");
    // Before the period nothing was counted.
    let none = app
        .get(&format!(
            "{}/kpis/{}/records?as_of=2021-06-30",
            s.plan,
            s.id('A')
        ))
        .bearer(&viewer)
        .send()
        .json();
    assert_eq!(none["items"], json!([]));
}

#[test]
fn an_etag_answers_304_until_the_data_changes() {
    let app = TestApp::spawn();
    let s = Small::create(&app, "polling");
    let viewer = app.token(&s.org, Role::Viewer);
    for path in [
        "scorecard?as_of=2022-06-30".to_owned(),
        format!("kpis/{}/result?as_of=2022-06-30", s.id('A')),
        format!("kpis/{}/series", s.id('A')),
    ] {
        let url = format!("{}/{path}", s.plan);
        let first = app.get(&url).bearer(&viewer).send();
        let tag = first.header("etag").unwrap().to_owned();
        let again = app
            .get(&url)
            .bearer(&viewer)
            .header("If-None-Match", &tag)
            .send();
        assert_eq!(again.status, 304, "{url}");
        assert_eq!(again.header("etag"), Some(tag.as_str()));
        // Another date is another answer.
        if path.contains("as_of") {
            let other = app
                .get(&url.replace("06-30", "07-31"))
                .bearer(&viewer)
                .header("If-None-Match", &tag)
                .send();
            assert_eq!(other.status, 200, "{url}");
        }
    }
    let url = format!("{}/scorecard?as_of=2022-06-30", s.plan);
    let before = app.get(&url).bearer(&viewer).send();
    let tag = before.header("etag").unwrap().to_owned();
    assert_eq!(
        before.json()["focus_areas"][0]["kpis"][0]["result"]["actual"],
        json!(4.0)
    );
    // A new held activity: a new ETag and a new result.
    app.create(
        &s.org,
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
    assert_eq!(
        after.json()["focus_areas"][0]["kpis"][0]["result"]["actual"],
        json!(5.0)
    );
    assert_eq!(
        s.result(&app, 'A', "2022-06-30")["status"],
        "on_track",
        "5 ≥ 4.96"
    );
    // A changed KPI definition changes it too.
    let tag = after.header("etag").unwrap().to_owned();
    let kpi_url = format!("{}/kpis/{}", s.plan, s.id('A'));
    let editor = app.token(&s.org, Role::Editor);
    let changed = app
        .patch(&kpi_url)
        .bearer(&editor)
        .json(&json!({"target": 20}))
        .send();
    assert_eq!(changed.status, 200, "{}", changed.body);
    let later = app
        .get(&url)
        .bearer(&viewer)
        .header("If-None-Match", &tag)
        .send();
    assert_eq!(later.status, 200);
    assert_eq!(
        later.json()["focus_areas"][0]["kpis"][0]["target"],
        json!(20.0)
    );
    // The CSV has its own ETag.
    let csv = app
        .get(&url)
        .bearer(&viewer)
        .header("Accept", "text/csv")
        .header("If-None-Match", later.header("etag").unwrap())
        .send();
    assert_eq!(csv.status, 200);
}

#[test]
fn a_published_plans_results_are_public_and_others_are_not() {
    let app = TestApp::spawn();
    let s = Small::create(&app, "offentlig");
    let paths = [
        "scorecard".to_owned(),
        format!("kpis/{}/result", s.id('A')),
        format!("kpis/{}/series", s.id('A')),
        format!("kpis/{}/records", s.id('A')),
    ];
    for path in &paths {
        app.get(&format!("{}/{path}", s.plan)).send().problem(404);
    }
    let published = app
        .post(&format!("{}/publish", s.plan))
        .bearer(&app.token(&s.org, Role::Editor))
        .send();
    assert_eq!(published.status, 200, "{}", published.body);
    for path in &paths {
        let reply = app.get(&format!("{}/{path}", s.plan)).send();
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    }
    // Another organisation's token sees nothing, published or not.
    let other = app.create_org("annen");
    let stranger = app.token(&other, Role::Admin);
    for path in &paths {
        app.get(&format!("{}/{path}", s.plan))
            .bearer(&stranger)
            .send()
            .problem(404);
    }
    // A KPI of another plan is not reached through this one.
    let second = app.create_plan(&s.org, "Annen plan")["id"]
        .as_i64()
        .unwrap();
    app.get(&format!(
        "/api/v1/orgs/{}/plans/{second}/kpis/{}/result",
        s.org,
        s.id('A')
    ))
    .bearer(&app.token(&s.org, Role::Viewer))
    .send()
    .problem(404);
}

/// Equal, numbers to within rounding (JSON reading may differ in the last bit).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            (a - b).abs() <= 1e-9 * a.abs().max(1.0)
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Every KPI of the demo plan, at every month end of 2022 and a few days around its
/// edges: what the API computes in the database equals what the domain's in-memory
/// measurer computes from the same records.
#[test]
fn the_demo_plans_results_equal_the_in_memory_measure_of_the_demo_year() {
    let app = TestApp::spawn_with(|settings| {
        veikart_api::demo::load_if_empty(&settings.database_url).unwrap();
    });
    let org = veikart_api::demo::DEMO_ORG;
    let viewer = app.token(org, Role::Viewer);
    let demo = veikart_api::demo_year::records(|_, _| None).unwrap();
    let mut members = Vec::new();
    let mut activities = Vec::new();
    let mut surveys = Vec::new();
    let mut projects = Vec::new();
    let mut observations = Vec::new();
    let mut milestones = Vec::new();
    for record in demo {
        match record {
            DemoRecord::Member(fields) => members.push(fields),
            DemoRecord::Activity(fields) => activities.push(fields),
            DemoRecord::Survey(fields) => surveys.push(fields),
            DemoRecord::Project(fields) => projects.push(fields),
            DemoRecord::Observation(fields) => observations.push(fields),
            DemoRecord::Milestone(fields) => milestones.push(fields),
        }
    }
    let records = memory::Records {
        members: &members,
        activities: &activities,
        surveys: &surveys,
        projects: &projects,
        observations: &observations,
        milestones: &milestones,
    };

    let plans = app
        .get(&format!("/api/v1/orgs/{org}/plans"))
        .bearer(&viewer)
        .send()
        .json();
    let plan = &plans["items"][0];
    let plan_id = plan["id"].as_i64().unwrap();
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let (plan_start, plan_end) = (
        day(plan["period_start"].as_str().unwrap()),
        day(plan["period_end"].as_str().unwrap()),
    );
    let kpis = app
        .get(&format!(
            "/api/v1/orgs/{org}/plans/{plan_id}/kpis?limit=500"
        ))
        .bearer(&viewer)
        .send()
        .json();
    let mut dates = engine::month_ends(day("2022-01-01"), day("2022-12-31"));
    dates.extend(
        [
            "2021-12-31",
            "2022-01-01",
            "2022-03-31",
            "2022-04-01",
            "2022-06-15",
            "2023-01-01",
        ]
        .map(day),
    );
    let mut compared = 0;
    for kpi in kpis["items"].as_array().unwrap() {
        let definition = veikart_domain::kpi::KpiDefinition {
            source: serde_json::from_value(kpi["source"].clone()).unwrap(),
            direction: serde_json::from_value(kpi["direction"].clone()).unwrap(),
            target: kpi["target"].as_f64().unwrap(),
            baseline: kpi["baseline"].as_f64(),
            period_start: kpi["period_start"].as_str().map(day),
            period_end: kpi["period_end"].as_str().map(day),
            tolerance: kpi["tolerance"].as_f64().unwrap(),
        };
        let period = definition.period(plan_start, plan_end);
        for &as_of in &dates {
            let need = Need::of(&definition, period, as_of);
            let expected = engine::evaluate(
                kpi["id"].as_i64().unwrap(),
                &definition,
                period,
                as_of,
                &memory::measure(&definition.source, &need, &records),
            );
            let got = app
                .get(&format!(
                    "/api/v1/orgs/{org}/plans/{plan_id}/kpis/{}/result?as_of={as_of}",
                    kpi["id"]
                ))
                .bearer(&viewer)
                .send()
                .json();
            let expected = serde_json::to_value(expected).unwrap();
            for (field, value) in expected.as_object().unwrap() {
                assert!(
                    same(value, &got[field]),
                    "KPI {} at {as_of}: {field} is {} in the database, {value} in memory",
                    kpi["code"],
                    got[field]
                );
            }
            compared += 1;
        }
    }
    assert_eq!(compared, 12 * dates.len());
}

/// The KPI table of docs/demo.md is what the scorecard answers on both dates.
#[test]
fn docs_demo_md_states_the_demo_scorecard() {
    let app = TestApp::spawn_with(|settings| {
        veikart_api::demo::load_if_empty(&settings.database_url).unwrap();
    });
    let org = veikart_api::demo::DEMO_ORG;
    let card = |as_of: &str| {
        // The demo plan is published: no token needed.
        let reply = app
            .get(&format!(
                "/api/v1/orgs/{org}/plans/1/scorecard?as_of={as_of}"
            ))
            .send();
        assert_eq!(reply.status, 200, "{}", reply.body);
        let card = reply.json();
        let mut by_code = std::collections::HashMap::new();
        for kpi in card["focus_areas"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|a| a["kpis"].as_array().unwrap().iter())
            .chain(card["plan_kpis"].as_array().unwrap())
        {
            by_code.insert(
                kpi["code"].as_str().unwrap().to_owned(),
                kpi["result"].clone(),
            );
        }
        by_code
    };
    let (june, december) = (card("2022-06-30"), card("2022-12-31"));
    let doc = include_str!("../../docs/demo.md");
    let rows: Vec<Vec<&str>> = doc
        .lines()
        .skip_while(|l| !l.starts_with("| KPI |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    assert_eq!(rows.len(), 12, "docs/demo.md lists the twelve KPIs");
    let two = |v: &Value| format!("{:.2}", v.as_f64().unwrap());
    for row in rows {
        let (code, jun_actual, jun_expected, jun_status, dec_actual, dec_status) =
            (row[0], row[4], row[5], row[6], row[7], row[8]);
        let (j, d) = (&june[code], &december[code]);
        assert_eq!(j["status"], jun_status, "{code} on 2022-06-30");
        assert_eq!(d["status"], dec_status, "{code} on 2022-12-31");
        assert_eq!(
            two(&j["actual"]).parse::<f64>().unwrap(),
            jun_actual.parse::<f64>().unwrap(),
            "{code} actual in June"
        );
        assert_eq!(
            two(&j["expected"]).parse::<f64>().unwrap(),
            jun_expected.parse::<f64>().unwrap(),
            "{code} expected in June"
        );
        assert_eq!(
            two(&d["actual"]).parse::<f64>().unwrap(),
            dec_actual.parse::<f64>().unwrap(),
            "{code} actual in December"
        );
    }
}

/// Two instances on one database: a write through one is in the next scorecard the other
/// answers, although the other had the scorecard in its memory.
#[test]
fn a_write_through_one_instance_is_in_the_next_scorecard_of_another() {
    let first = TestApp::spawn();
    let shared = first.db.url().clone();
    let second = TestApp::spawn_with(move |settings| settings.database_url = shared);
    let s = Small::create(&first, "instanser");
    let viewer = first.token(&s.org, Role::Viewer);
    let url = format!("{}/scorecard?as_of=2022-06-30", s.plan);
    let held = |reply: &veikart_tests::Reply| {
        reply.json()["focus_areas"][0]["kpis"][0]["result"]["actual"].clone()
    };
    let before = second.get(&url).bearer(&viewer).send();
    assert_eq!(held(&before), json!(4.0));
    assert_eq!(
        held(&second.get(&url).bearer(&viewer).send()),
        json!(4.0),
        "from memory"
    );
    first.create(
        &s.org,
        "/activities",
        json!({"kind": "promotion", "title": "Stand", "date": "2022-06-01", "status": "held"}),
    );
    let after = second
        .get(&url)
        .bearer(&viewer)
        .header("If-None-Match", before.header("etag").unwrap())
        .send();
    assert_eq!(after.status, 200);
    assert_eq!(held(&after), json!(5.0));
}
