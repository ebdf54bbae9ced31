//! `kpi.status_changed`: the KPI status evaluator writes one event when a KPI of an
//! adopted or published plan has another status than at its last evaluation — after
//! writes (coalesced per organisation) and daily, as time passes — computed as the
//! scorecard computes it, and nothing for refused writes or draft plans.
//!
//! The plan runs through 2022 and the servers' date is fixed (`KpiStatusSettings::clock`,
//! `VEIKART_TODAY` in production settings): on 2022-06-30, 181 of 365 days have passed.
//! - `A`: at least 10 held activities. Expected 10 × 181/365 = 4.96 on 30 June: 4 held is
//!   `at_risk` (0.96 behind, within the tolerance of 1), 5 is `on_track`; on 31 July
//!   (expected 5.81) 5 held is `at_risk` again.
//! - `B`: at least one project: none is `off_track`, one is `achieved`.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde_json::{Value, json};
use veikart_domain::Role;
use veikart_store::kpi_statuses::KeptStatus;
use veikart_tests::{TestApp, TestDb};

const JUNE_30: &str = "2022-06-30";
const JULY_31: &str = "2022-07-31";

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A server whose today is `today`, evaluating 100 ms after a write.
fn spawn_at(db: TestDb, today: &str) -> TestApp {
    let today = day(today);
    TestApp::spawn_on(db, move |s| {
        s.kpi_status.clock.fixed = Some(today);
        s.kpi_status.settle = Duration::from_millis(100);
    })
}

/// Stops `app` and starts a server on its database whose today is `today` (its
/// evaluation at start has run when this returns).
fn restart_at(mut app: TestApp, today: &str) -> TestApp {
    let shared = app.db.shared();
    let db = std::mem::replace(&mut app.db, shared);
    drop(app);
    spawn_at(db, today)
}

fn plan_document(title: &str) -> Value {
    let kpi = |code: &str, entity: &str, filters: Value, target: i32| {
        json!({"code": code, "title": format!("KPI {code}"), "direction": "at_least",
               "target": target,
               "source": {"entity": entity, "aggregate": "count", "filters": filters}})
    };
    json!({
        "title": title, "period_start": "2022-01-01", "period_end": "2022-12-31",
        "kpis": [
            kpi("A", "activity", json!({"status": "held"}), 10),
            kpi("B", "project", json!({}), 1),
        ]
    })
}

fn activity(n: u32) -> Value {
    json!({"kind": "member_meeting", "title": format!("Medlemsmøte {n}"),
           "date": format!("2022-02-{:02}", n % 28 + 1), "status": "held", "participants": 20})
}

fn project() -> Value {
    json!({"title": "Klyngeprosjekt", "role": "owner", "start_on": "2022-03-01",
           "external_funding": 450000, "status": "granted"})
}

/// An organisation with a plan of KPIs `A` and `B`.
struct Org {
    slug: String,
    plan: i64,
    a: i64,
    b: i64,
}

impl Org {
    /// The organisation with `held` held activities and a draft plan.
    fn create(app: &TestApp, slug: &str, held: u32) -> Self {
        let slug = app.create_org(slug);
        for n in 0..held {
            app.create(&slug, "/activities", activity(n));
        }
        Self::with_plan(app, slug, "Handlingsplan 2022")
    }

    fn with_plan(app: &TestApp, slug: String, title: &str) -> Self {
        let plan = app.import_plan(&slug, &plan_document(title))["id"]
            .as_i64()
            .unwrap();
        let kpis = app
            .get(&format!("/api/v1/orgs/{slug}/plans/{plan}/kpis?limit=100"))
            .bearer(&app.token(&slug, Role::Viewer))
            .send()
            .json();
        let id = |code: &str| {
            kpis["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|k| k["code"] == code)
                .unwrap()["id"]
                .as_i64()
                .unwrap()
        };
        let (a, b) = (id("A"), id("B"));
        Org { slug, plan, a, b }
    }

    fn adopt(&self, app: &TestApp) {
        let reply = app
            .post(&format!(
                "/api/v1/orgs/{}/plans/{}/adopt",
                self.slug, self.plan
            ))
            .bearer(&app.token(&self.slug, Role::Admin))
            .json(&json!({"adopted_on": "2022-03-24", "adopted_by": "årsmøtet"}))
            .send();
        assert_eq!(reply.status, 200, "adopt: {}", reply.body);
    }

    /// The organisation's `kpi.status_changed` events, oldest first.
    fn changes(&self, app: &TestApp) -> Vec<Value> {
        let reply = app
            .get(&format!(
                "/api/v1/orgs/{}/events?type=kpi.status_changed&limit=500",
                self.slug
            ))
            .bearer(&app.token(&self.slug, Role::Viewer))
            .send();
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()["items"].as_array().unwrap().clone()
    }

    /// The KPI's result on the scorecard at `as_of`.
    fn scorecard_result(&self, app: &TestApp, kpi: i64, as_of: &str) -> Value {
        let card = app
            .get(&format!(
                "/api/v1/orgs/{}/plans/{}/scorecard?as_of={as_of}",
                self.slug, self.plan
            ))
            .bearer(&app.token(&self.slug, Role::Viewer))
            .send()
            .json();
        let kpis = card["plan_kpis"].as_array().unwrap();
        kpis.iter().find(|k| k["kpi_id"] == kpi).unwrap()["result"].clone()
    }
}

/// The statuses the evaluator keeps, by KPI id.
fn kept(app: &TestApp) -> Vec<(i64, String)> {
    let mut conn = veikart_store::db::connect(app.db.url()).unwrap();
    let rows: Vec<KeptStatus> = veikart_store::kpi_statuses::all(&mut conn).unwrap();
    rows.into_iter()
        .map(|r| (r.kpi_id, r.status.0.as_str().to_owned()))
        .collect()
}

/// Waits (up to 20 s) until the kept statuses are `expected`.
fn wait_for_kept(app: &TestApp, expected: &[(i64, &str)]) {
    let expected: Vec<(i64, String)> = expected
        .iter()
        .map(|(id, s)| (*id, (*s).to_owned()))
        .collect();
    let start = Instant::now();
    loop {
        let now = kept(app);
        if now == expected {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "kept statuses {now:?}, waiting for {expected:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-9)
}

#[test]
fn records_that_move_a_kpi_from_at_risk_to_on_track_write_one_event() {
    let app = spawn_at(TestDb::create(), JUNE_30);
    let org = Org::create(&app, "ig", 4);
    org.adopt(&app);
    // The first evaluation records the statuses without an event.
    wait_for_kept(&app, &[(org.a, "at_risk"), (org.b, "off_track")]);
    assert_eq!(
        org.changes(&app),
        Vec::<Value>::new(),
        "adopting tells none"
    );

    app.create(&org.slug, "/activities", activity(5));
    wait_for_kept(&app, &[(org.a, "on_track"), (org.b, "off_track")]);

    let changes = org.changes(&app);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let data = &changes[0]["data"];
    let expected = 10.0 * 181.0 / 365.0;
    assert_eq!(
        (
            &data["kpi_id"],
            &data["plan_id"],
            &data["from"],
            &data["to"]
        ),
        (
            &json!(org.a),
            &json!(org.plan),
            &json!("at_risk"),
            &json!("on_track")
        )
    );
    assert_eq!(data["as_of"], JUNE_30);
    assert_eq!(data["actual"], json!(5.0));
    assert!(close(&data["expected"], expected), "{data}");
    // The same computation as the scorecard of that date.
    let card = org.scorecard_result(&app, org.a, JUNE_30);
    assert_eq!(
        (&card["status"], &card["actual"], &card["expected"]),
        (&data["to"], &data["actual"], &data["expected"])
    );
}

#[test]
fn a_burst_of_writes_writes_one_event_per_real_change() {
    let app = spawn_at(TestDb::create(), JUNE_30);
    let org = Org::create(&app, "ig", 4);
    org.adopt(&app);
    wait_for_kept(&app, &[(org.a, "at_risk"), (org.b, "off_track")]);

    // Five writes in a row: A moves once (at 5 held) and stays on track up to 9; B
    // does not move.
    for n in 5..10 {
        app.create(&org.slug, "/activities", activity(n));
    }
    wait_for_kept(&app, &[(org.a, "on_track"), (org.b, "off_track")]);
    let statuses = |events: &[Value]| -> Vec<(i64, String, String)> {
        events
            .iter()
            .map(|e| {
                let d = &e["data"];
                let s = |v: &Value| v.as_str().unwrap().to_owned();
                (d["kpi_id"].as_i64().unwrap(), s(&d["from"]), s(&d["to"]))
            })
            .collect()
    };
    assert_eq!(
        statuses(&org.changes(&app)),
        [(org.a, "at_risk".to_owned(), "on_track".to_owned())]
    );

    // A write that moves both tells both, once each.
    app.create(&org.slug, "/projects", project());
    wait_for_kept(&app, &[(org.a, "on_track"), (org.b, "achieved")]);
    let events = org.changes(&app);
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(
        statuses(&events[1..]),
        [(org.b, "off_track".to_owned(), "achieved".to_owned())]
    );
}

#[test]
fn the_daily_evaluation_writes_a_change_of_time_once() {
    let app = spawn_at(TestDb::create(), JUNE_30);
    let org = Org::create(&app, "ig", 5);
    org.adopt(&app);
    wait_for_kept(&app, &[(org.a, "on_track"), (org.b, "off_track")]);

    // A month later, with no write: A has fallen behind its pace. The evaluation at
    // start (the same as at each midnight) tells it.
    let app = restart_at(app, JULY_31);
    let changes = org.changes(&app);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let data = &changes[0]["data"];
    assert_eq!(
        (&data["kpi_id"], &data["from"], &data["to"], &data["as_of"]),
        (
            &json!(org.a),
            &json!("on_track"),
            &json!("at_risk"),
            &json!(JULY_31)
        )
    );
    assert!(close(&data["expected"], 10.0 * 212.0 / 365.0), "{data}");
    assert_eq!(
        kept(&app),
        [(org.a, "at_risk".into()), (org.b, "off_track".into())]
    );

    // The next run on the same day finds nothing new.
    let app = restart_at(app, JULY_31);
    assert_eq!(org.changes(&app).len(), 1);
}

#[test]
fn a_refused_write_writes_no_change() {
    let app = spawn_at(TestDb::create(), JUNE_30);
    let org = Org::create(&app, "ig", 4);
    org.adopt(&app);
    wait_for_kept(&app, &[(org.a, "at_risk"), (org.b, "off_track")]);
    let editor = app.token(&org.slug, Role::Editor);

    // The fifth held activity would move A, but it is refused, alone or in an import.
    let mut bad = activity(5);
    bad["participants"] = json!(-1);
    let refused = app
        .post(&format!("/api/v1/orgs/{}/activities", org.slug))
        .bearer(&editor)
        .json(&bad)
        .send();
    assert_eq!(refused.status, 422, "{}", refused.body);
    let mut bad = activity(7);
    bad["status"] = json!("happened");
    let import = app
        .post(&format!("/api/v1/orgs/{}/imports/activities", org.slug))
        .bearer(&editor)
        .json(&json!([activity(6), bad]))
        .send();
    assert_eq!(import.status, 422, "{}", import.body);

    // A write that moves B, after them: once it is told, so would they have been.
    app.create(&org.slug, "/projects", project());
    wait_for_kept(&app, &[(org.a, "at_risk"), (org.b, "achieved")]);
    let changes = org.changes(&app);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["data"]["kpi_id"], json!(org.b));
}

#[test]
fn a_draft_plans_kpis_write_no_change() {
    let app = spawn_at(TestDb::create(), JUNE_30);
    let adopted = Org::create(&app, "ig", 4);
    let draft = Org::with_plan(&app, adopted.slug.clone(), "Utkast 2022");
    adopted.adopt(&app);
    wait_for_kept(&app, &[(adopted.a, "at_risk"), (adopted.b, "off_track")]);

    // One project moves B in both plans; only the adopted plan's B is told.
    app.create(&adopted.slug, "/projects", project());
    wait_for_kept(&app, &[(adopted.a, "at_risk"), (adopted.b, "achieved")]);
    let changes = adopted.changes(&app);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(
        (
            &changes[0]["data"]["kpi_id"],
            &changes[0]["data"]["plan_id"]
        ),
        (&json!(adopted.b), &json!(adopted.plan))
    );
    // The draft's B has moved on its scorecard, but it is not watched.
    assert_eq!(
        draft.scorecard_result(&app, draft.b, JUNE_30)["status"],
        "achieved"
    );
}

/// The organisation's id, as stored.
fn org_id(app: &TestApp, slug: &str) -> i64 {
    let mut conn = veikart_store::db::connect(app.db.url()).unwrap();
    veikart_store::organisations::find_by_slug(&mut conn, slug)
        .unwrap()
        .id
}

#[test]
fn instances_evaluating_at_once_tell_a_change_once() {
    let app = spawn_at(TestDb::create(), JUNE_30);
    let org = Org::create(&app, "ig", 5);
    org.adopt(&app);
    wait_for_kept(&app, &[(org.a, "on_track"), (org.b, "off_track")]);

    // Two instances start together a month later; each evaluates at start.
    let mut app = app;
    let shared = app.db.shared();
    let db = std::mem::replace(&mut app.db, shared);
    drop(app);
    let (first, second) = (db.shared(), db.shared());
    let (first, second) = std::thread::scope(|s| {
        let first = s.spawn(|| spawn_at(first, JULY_31));
        let second = s.spawn(|| spawn_at(second, JULY_31));
        (first.join().unwrap(), second.join().unwrap())
    });
    wait_for_kept(&first, &[(org.a, "at_risk"), (org.b, "off_track")]);
    // One that found the other evaluating tries again after its settle time.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(org.changes(&second).len(), 1, "{:?}", org.changes(&second));
    drop((first, second, db));
}

/// On PostgreSQL, an instance that finds another evaluating the organisation (holding its
/// advisory lock) neither evaluates nor waits, and tries again when the lock is free.
/// SQLite has one process evaluating, whose `BEGIN IMMEDIATE` serialises writers, so
/// there is no lock to hold there: the restart evaluates at once, and the change of time is
/// told once on both databases.
#[test]
fn an_organisation_being_evaluated_elsewhere_is_evaluated_after_it() {
    use diesel::{Connection, RunQueryDsl};
    let app = spawn_at(TestDb::create(), JUNE_30);
    let org = Org::create(&app, "ig", 5);
    org.adopt(&app);
    wait_for_kept(&app, &[(org.a, "on_track"), (org.b, "off_track")]);
    // On PostgreSQL another instance holds the organisation's evaluation lock while this
    // one restarts a month later; on SQLite one process evaluates, so nothing holds it.
    let key = veikart_store::db::kpi_evaluation_lock_key(org_id(&app, &org.slug));
    let mut elsewhere = (app.db.backend() == veikart_store::Backend::Postgres).then(|| {
        let mut other = diesel::PgConnection::establish(app.db.url().as_str()).unwrap();
        diesel::sql_query(format!("SELECT pg_advisory_lock({key})"))
            .execute(&mut other)
            .unwrap();
        other
    });

    let app = restart_at(app, JULY_31);
    if let Some(other) = elsewhere.as_mut() {
        assert_eq!(
            org.changes(&app),
            Vec::<Value>::new(),
            "busy: not evaluated"
        );
        assert_eq!(
            kept(&app),
            [(org.a, "on_track".into()), (org.b, "off_track".into())]
        );
        diesel::sql_query(format!("SELECT pg_advisory_unlock({key})"))
            .execute(other)
            .unwrap();
    }
    wait_for_kept(&app, &[(org.a, "at_risk"), (org.b, "off_track")]);
    assert_eq!(org.changes(&app).len(), 1, "the change of time, told once");
}
