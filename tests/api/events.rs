//! The event feed (`GET /orgs/{org}/events`): every change that matters writes its event
//! in its own transaction — none when it is refused — and the feed reads them oldest
//! first, in commit order, until they are older than the retention.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use veikart_domain::Role;
use veikart_tests::{TestApp, record_body, small_document};

/// A reader of one organisation's feed.
struct Feed<'a> {
    app: &'a TestApp,
    org: String,
    viewer: String,
}

impl<'a> Feed<'a> {
    fn of(app: &'a TestApp, org: &str) -> Self {
        Feed {
            app,
            org: org.to_owned(),
            viewer: app.token(org, Role::Viewer),
        }
    }

    /// One page: `query` is the query string after `?`.
    fn page(&self, query: &str) -> Value {
        let reply = self
            .app
            .get(&format!("/api/v1/orgs/{}/events?{query}", self.org))
            .bearer(&self.viewer)
            .send();
        assert_eq!(reply.status, 200, "events?{query}: {}", reply.body);
        reply.json()
    }

    /// Every event after `after`, following `next_cursor` to the end.
    fn after(&self, after: i64) -> Vec<Value> {
        let mut events = Vec::new();
        let mut query = format!("after={after}&limit=500");
        loop {
            let page = self.page(&query);
            events.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_i64() {
                Some(next) => query = format!("after={next}&limit=500"),
                None => return events,
            }
        }
    }

    fn all(&self) -> Vec<Value> {
        self.after(0)
    }

    /// The types of every event, oldest first.
    fn types(&self) -> Vec<String> {
        types(&self.all())
    }
}

fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

fn seq(event: &Value) -> i64 {
    event["seq"].as_i64().unwrap()
}

#[test]
fn every_change_that_matters_writes_its_event_in_order() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let plan = app.import_plan(&org, &small_document())["id"]
        .as_i64()
        .unwrap();
    let editor = app.token(&org, Role::Editor);
    let admin = app.token(&org, Role::Admin);
    let feed = Feed::of(&app, &org);
    assert_eq!(
        feed.types(),
        Vec::<String>::new(),
        "a plan's import is no event"
    );

    let member = app.create(&org, "/members", record_body("members", 1))["id"]
        .as_i64()
        .unwrap();
    let records = format!("/api/v1/orgs/{org}/members/{member}");
    let changed = app
        .patch(&records)
        .bearer(&editor)
        .json(&json!({"employees": 13}))
        .send();
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(app.delete(&records).bearer(&editor).send().status, 204);
    let imported = app
        .post(&format!("/api/v1/orgs/{org}/imports/activities"))
        .bearer(&editor)
        .json(&json!([
            record_body("activities", 1),
            record_body("activities", 2)
        ]))
        .send();
    assert_eq!(imported.status, 201, "{}", imported.body);
    let import_id = imported.json()["id"].as_i64().unwrap();
    let plan_path = format!("/api/v1/orgs/{org}/plans/{plan}");
    let adopt = json!({"adopted_on": "2022-03-24", "adopted_by": "årsmøtet"});
    for (step, token, body) in [
        ("adopt", &admin, Some(adopt)),
        ("publish", &editor, None),
        ("unpublish", &editor, None),
        ("revise", &admin, None),
        ("archive", &admin, None),
    ] {
        let request = app.post(&format!("{plan_path}/{step}")).bearer(token);
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        let reply = request.send();
        assert_eq!(reply.status, 200, "{step}: {}", reply.body);
    }

    let events = feed.all();
    assert_eq!(
        types(&events),
        [
            "record.created",
            "record.updated",
            "record.deleted",
            "import.completed",
            "plan.adopted",
            "plan.published",
            "plan.unpublished",
            "plan.revised",
            "plan.archived",
        ]
    );
    for event in &events[..3] {
        assert_eq!(event["data"], json!({"kind": "member", "id": member}));
    }
    assert_eq!(
        events[3]["data"],
        json!({"import_id": import_id, "kind": "activity", "rows": 2, "created": 2,
               "updated": 0, "unchanged": 0})
    );
    let plans: Vec<_> = events[4..]
        .iter()
        .map(|e| {
            let d = &e["data"];
            assert_eq!(
                (&d["plan_id"], &d["title"]),
                (&json!(plan), &json!("Handlingsplan 2022"))
            );
            (
                d["status"].as_str().unwrap(),
                d["published"].as_bool().unwrap(),
                d["revision"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        plans,
        [
            ("adopted", false, 0),
            ("adopted", true, 0),
            ("adopted", false, 0),
            ("draft", false, 1),
            ("archived", false, 1),
        ]
    );
    // The envelope: an id of its own, the organisation, the time, a rising sequence.
    let ids: BTreeSet<_> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), events.len());
    assert!(
        ids.iter()
            .all(|id| id.starts_with("evt_") && id.len() == 36)
    );
    assert!(events.iter().all(|e| e["org"] == org));
    assert!(
        events
            .iter()
            .all(|e| e["occurred_at"].as_str().unwrap().ends_with('Z'))
    );
    assert!(events.windows(2).all(|w| seq(&w[0]) < seq(&w[1])));
}

#[test]
fn a_refused_change_writes_no_event() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let plan = app.import_plan(&org, &small_document())["id"]
        .as_i64()
        .unwrap();
    let editor = app.token(&org, Role::Editor);
    let admin = app.token(&org, Role::Admin);
    let member = app.create(&org, "/members", record_body("members", 1));
    let feed = Feed::of(&app, &org);
    let before = feed.all();
    let members = format!("/api/v1/orgs/{org}/members");
    let one = format!("{members}/{}", member["id"]);
    let plan_path = format!("/api/v1/orgs/{org}/plans/{plan}");

    // 422: a record breaking its rules, an import with one bad row among good ones.
    let mut bad = record_body("members", 2);
    bad["employees"] = json!(-1);
    app.post(&members)
        .bearer(&editor)
        .json(&bad)
        .send()
        .problem(422);
    let imported = app
        .post(&format!("/api/v1/orgs/{org}/imports/members"))
        .bearer(&editor)
        .json(&json!([
            record_body("members", 3),
            bad,
            record_body("members", 4)
        ]))
        .send();
    imported.problem(422);
    // A dry run writes nothing, so tells nothing either.
    let dry = app
        .post(&format!("/api/v1/orgs/{org}/imports/members?dry_run=true"))
        .bearer(&editor)
        .json(&json!([record_body("members", 5)]))
        .send();
    assert_eq!(dry.status, 200, "{}", dry.body);
    // 409: a second member with the same organisation number.
    app.post(&members)
        .bearer(&editor)
        .json(&record_body("members", 1))
        .send()
        .problem(409);
    // 412: a change or a deletion of a version that is no longer the stored one.
    app.patch(&one)
        .bearer(&editor)
        .header("If-Match", "\"v9\"")
        .json(&json!({"employees": 2}))
        .send()
        .problem(412);
    app.delete(&one)
        .bearer(&editor)
        .header("If-Match", "\"v9\"")
        .send()
        .problem(412);
    app.post(&format!("{plan_path}/publish"))
        .bearer(&editor)
        .header("If-Match", "\"v9\"")
        .send()
        .problem(412);
    // 409: a lifecycle step the plan's state refuses; 403: a role too low.
    app.post(&format!("{plan_path}/revise"))
        .bearer(&admin)
        .send()
        .problem(409);
    app.post(&format!("{plan_path}/archive"))
        .bearer(&editor)
        .send()
        .problem(403);

    assert_eq!(feed.all(), before);
}

#[test]
fn an_import_writes_one_event_whatever_its_rows() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let editor = app.token(&org, Role::Editor);
    let rows: Vec<Value> = (1..=1200).map(|n| record_body("members", n)).collect();
    let import = |rows: &Vec<Value>| {
        let reply = app
            .post(&format!("/api/v1/orgs/{org}/imports/members"))
            .bearer(&editor)
            .json(&json!(rows))
            .send();
        assert_eq!(reply.status, 201, "{}", reply.body);
    };
    import(&rows);
    import(&rows);

    let events = Feed::of(&app, &org).all();
    assert_eq!(types(&events), ["import.completed", "import.completed"]);
    assert_eq!(events[0]["data"]["created"], 1200);
    assert_eq!(events[1]["data"]["unchanged"], 1200);
}

#[test]
fn paging_while_others_write_sees_every_event_once_in_commit_order() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let feed = Feed::of(&app, &org);
    const WRITERS: u32 = 4;
    const EACH: u32 = 25;

    let (created, seen) = std::thread::scope(|scope| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (app, org) = (&app, &org);
                scope.spawn(move || {
                    (0..EACH)
                        .map(|i| {
                            let body = record_body("activities", w * EACH + i);
                            app.create(org, "/activities", body)["id"].as_i64().unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // Read while they write, each page after the last event read.
        let mut seen: Vec<Value> = Vec::new();
        let expected = usize::try_from(WRITERS * EACH).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while seen.len() < expected && Instant::now() < deadline {
            let after = seen.last().map_or(0, seq);
            let page = feed.page(&format!("after={after}&limit=7"));
            seen.extend(page["items"].as_array().unwrap().iter().cloned());
        }
        let created: Vec<i64> = writers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        (created, seen)
    });

    assert!(
        seen.windows(2).all(|w| seq(&w[0]) < seq(&w[1])),
        "out of order"
    );
    let mut read: Vec<i64> = seen
        .iter()
        .map(|e| e["data"]["id"].as_i64().unwrap())
        .collect();
    let mut written = created;
    read.sort_unstable();
    written.sort_unstable();
    assert_eq!(read, written, "every event once");
    // Nothing more came after the reader stopped.
    assert_eq!(feed.after(seq(seen.last().unwrap())), Vec::<Value>::new());
}

#[test]
fn the_feed_filters_by_type_and_pages_with_its_cursor() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let editor = app.token(&org, Role::Editor);
    for n in 1..=5 {
        let member = app.create(&org, "/members", record_body("members", n));
        let path = format!("/api/v1/orgs/{org}/members/{}", member["id"]);
        assert_eq!(app.delete(&path).bearer(&editor).send().status, 204);
    }
    let feed = Feed::of(&app, &org);

    let first = feed.page("type=record.deleted&limit=2");
    assert_eq!(
        types(first["items"].as_array().unwrap()),
        ["record.deleted"; 2]
    );
    let next = first["next_cursor"].as_i64().unwrap();
    assert_eq!(next, seq(&first["items"][1]));
    let rest = feed.page(&format!("type=record.deleted&after={next}"));
    assert_eq!(rest["items"].as_array().unwrap().len(), 3);
    assert!(rest.get("next_cursor").is_none(), "{rest}");
    let both = feed.page("type=record.created&type=record.deleted");
    assert_eq!(both["items"].as_array().unwrap().len(), 10);
    assert_eq!(feed.page("type=plan.adopted")["items"], json!([]));

    for bad in [
        "limit=0",
        "limit=501",
        "after=-1",
        "after=x",
        "type=record.exploded",
    ] {
        app.get(&format!("/api/v1/orgs/{org}/events?{bad}"))
            .bearer(&feed.viewer)
            .send()
            .problem(400);
    }
}

#[test]
fn the_feed_is_for_viewers_and_keys_of_its_own_organisation() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let other = app.create_org("other");
    app.create(&other, "/members", record_body("members", 1));
    let (_, key) = app.create_key(&org, Role::Viewer);
    let mine = format!("/api/v1/orgs/{org}/events");
    let theirs = format!("/api/v1/orgs/{other}/events");

    let read = app.get(&mine).bearer(&key).send();
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(
        read.json()["items"],
        json!([]),
        "another organisation's events"
    );
    for credential in [&key, &app.token(&org, Role::Admin)] {
        app.get(&theirs).bearer(credential).send().problem(404);
    }
    let ghost = app.token("ghost", Role::Viewer);
    app.get("/api/v1/orgs/ghost/events")
        .bearer(&ghost)
        .send()
        .problem(404);
    app.get(&mine).send().problem(401);
}

#[test]
fn a_cursor_older_than_the_retention_is_gone_and_the_feed_starts_again() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    for n in 1..=3 {
        app.create(&org, "/members", record_body("members", n));
    }
    let feed = Feed::of(&app, &org);
    let events = feed.all();
    let (first, last) = (seq(&events[0]), seq(&events[2]));

    // A second instance that keeps no events prunes them all when it starts.
    let _pruner = TestApp::spawn_on(app.db.shared(), |s| {
        s.event_retention.keep = Duration::ZERO;
    });

    let gone = app
        .get(&format!("/api/v1/orgs/{org}/events?after={first}"))
        .bearer(&feed.viewer)
        .send()
        .problem(410);
    assert_eq!(gone["type"], "urn:veikart:problem:gone");
    let detail = gone["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("starts after seq {last}")),
        "{detail}"
    );
    // The last pruned event's cursor missed nothing; from the start is the same.
    assert_eq!(feed.after(last), Vec::<Value>::new());
    assert_eq!(feed.all(), Vec::<Value>::new());
    let member = app.create(&org, "/members", record_body("members", 4));
    let fresh = feed.after(last);
    assert_eq!(fresh.len(), 1);
    assert_eq!(fresh[0]["data"]["id"], member["id"]);
}

#[test]
fn the_service_prunes_old_events_while_it_runs() {
    let app = TestApp::spawn_with(|s| {
        s.event_retention.keep = Duration::ZERO;
        s.event_retention.every = Duration::from_millis(100);
    });
    let org = app.create_org("ig");
    app.create(&org, "/members", record_body("members", 1));
    let feed = Feed::of(&app, &org);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !feed.all().is_empty() {
        assert!(Instant::now() < deadline, "the event was never pruned");
        std::thread::sleep(Duration::from_millis(50));
    }
}
