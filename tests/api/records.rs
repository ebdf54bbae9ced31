//! The six kinds of record (members, activities, surveys, projects, observations,
//! milestones): what they share is tried on every kind from one table, what is their own
//! kind by kind — the life of a record, its rules, paging in date order, the filters, the
//! CSV export, roles and organisation isolation.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use veikart_domain::Role;
use veikart_tests::{RECORD_KINDS, Reply, TestApp, record_body, small_document};

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

fn collection(org: &str, kind: &str) -> String {
    format!("/api/v1/orgs/{org}/{kind}")
}

fn item(org: &str, kind: &str, record: i64) -> String {
    format!("/api/v1/orgs/{org}/{kind}/{record}")
}

/// Day `n` of 2022 counted from 2022-01-01 (day 10 is 2022-01-11), as `record_body` has it.
fn day(n: i64) -> String {
    (chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap() + chrono::Duration::days(n))
        .format("%Y-%m-%d")
        .to_string()
}

/// The date a kind is listed by (a milestone's `achieved_on` when it has one).
fn date_field(kind: &str) -> &'static str {
    match kind {
        "members" => "joined_on",
        "activities" => "date",
        "surveys" => "conducted_on",
        "projects" => "start_on",
        "observations" => "observed_on",
        "milestones" => "achieved_on",
        other => panic!("no record kind {other}"),
    }
}

/// A required text or number of the kind, which `null` may not clear.
fn required_field(kind: &str) -> &'static str {
    match kind {
        "members" => "name",
        "observations" => "value",
        _ => "title",
    }
}

/// One change per kind, as a PATCH body: a field and a value unlike `record_body`'s.
fn a_change(kind: &str) -> Value {
    match kind {
        "members" => json!({"employees": 40}),
        "activities" => json!({"participants": 45}),
        "surveys" => json!({"responses": 60}),
        "projects" => json!({"status": "running"}),
        "observations" => json!({"value": 1234.5}),
        "milestones" => json!({"title": "Fordelsprogram lansert"}),
        other => panic!("no record kind {other}"),
    }
}

/// `base` with `changes` laid over it.
fn with(mut base: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

/// A valid body of the kind, distinct by `n`, dated `on` (an observation gets a dimension
/// of its own, so that several may share a day).
fn dated(kind: &str, n: u32, on: &str) -> Value {
    let mut body = with(record_body(kind, n), json!({ date_field(kind): on }));
    if kind == "observations" {
        body["dimension"] = json!(format!("kanal-{n}"));
    }
    body
}

/// Whether two JSON values are the same, numbers compared as numbers (`1` is `1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// Creates a record of the kind as an editor of `org`, failing unless it is created.
fn add(app: &TestApp, org: &str, kind: &str, body: Value) -> Value {
    app.create(org, &format!("/{kind}"), body)
}

/// The path of a new record of the kind.
fn a_record(app: &TestApp, org: &str, kind: &str) -> String {
    item(org, kind, id(&add(app, org, kind, record_body(kind, 1))))
}

/// One record of the kind per change, in order: `record_body(kind, n)` for the n-th
/// (counting from 1) with its change laid over it.
fn add_each<const N: usize>(
    app: &TestApp,
    org: &str,
    kind: &str,
    changes: [Value; N],
) -> [Value; N] {
    let mut n = 0;
    changes.map(|change| {
        n += 1;
        add(app, org, kind, with(record_body(kind, n), change))
    })
}

fn post(app: &TestApp, org: &str, kind: &str, body: &Value) -> Reply {
    app.post(&collection(org, kind))
        .bearer(&app.token(org, Role::Editor))
        .json(body)
        .send()
}

/// The stored version of the record at `path`.
fn version(app: &TestApp, org: &str, path: &str) -> Value {
    let reply = app.get(path).bearer(&app.token(org, Role::Viewer)).send();
    assert_eq!(reply.status, 200, "GET {path}: {}", reply.body);
    reply.json()["version"].clone()
}

/// Asserts a problem with `status` whose `errors` name exactly `field`.
fn assert_refused(reply: &Reply, status: u16, field: &str, context: &str) {
    reply.problem(status);
    assert_eq!(reply.error_fields(), [field], "{context}: {}", reply.body);
}

/// Every item of the list at `url` (a query string may follow), page after page.
fn all_items(app: &TestApp, org: &str, url: &str) -> Vec<Value> {
    let viewer = app.token(org, Role::Viewer);
    let joiner = if url.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut cursor = String::new();
    loop {
        let reply = app
            .get(&format!("{url}{joiner}limit=500{cursor}"))
            .bearer(&viewer)
            .send();
        assert_eq!(reply.status, 200, "GET {url}: {}", reply.body);
        let page = reply.json();
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return items,
        }
    }
}

/// Asserts that each query lists exactly its records, in date order.
fn assert_filters(app: &TestApp, org: &str, kind: &str, cases: &[(&str, Vec<&Value>)]) {
    for (query, expected) in cases {
        let url = match *query {
            "" => collection(org, kind),
            query => format!("{}?{query}", collection(org, kind)),
        };
        let listed: Vec<i64> = all_items(app, org, &url).iter().map(id).collect();
        let expected: Vec<i64> = expected.iter().map(|v| id(v)).collect();
        assert_eq!(listed, expected, "{kind}?{query}");
    }
}

/// The organisation's one measure (from the small plan document).
fn measure_of(app: &TestApp, org: &str) -> i64 {
    let plan = id(&app.import_plan(org, &small_document()));
    id(&all_items(
        app,
        org,
        &format!("/api/v1/orgs/{org}/plans/{plan}/measures"),
    )[0])
}

/// The list at `url` as CSV: its header and its rows, each as its cells by column name.
fn csv_list(app: &TestApp, org: &str, url: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let reply = app
        .get(url)
        .bearer(&app.token(org, Role::Viewer))
        .header("Accept", "text/csv")
        .send();
    assert_eq!(reply.status, 200, "CSV of {url}: {}", reply.body);
    let media = reply.header("content-type").unwrap_or_default();
    assert!(media.starts_with("text/csv"), "content type {media}");
    let mut reader = csv::Reader::from_reader(reply.body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|row| {
            header
                .iter()
                .cloned()
                .zip(row.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect();
    (header, rows)
}

/// A JSON value as its CSV cell: a string as itself, `null` as nothing, else its JSON text.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

// --- The life of a record ---------------------------------------------------------------

#[test]
fn every_kind_is_created_with_its_provenance_and_read_back_alone_and_in_its_list() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let viewer = app.token(&org, Role::Viewer);
    for kind in RECORD_KINDS {
        let body = record_body(kind, 1);
        let reply = post(&app, &org, kind, &body);
        assert_eq!(reply.status, 201, "POST {kind}: {}", reply.body);
        let created = reply.json();
        let path = item(&org, kind, id(&created));
        assert_eq!(reply.header("location"), Some(path.as_str()), "{kind}");
        assert_eq!(reply.header("etag"), Some("\"v1\""), "{kind}");
        for (field, value) in body.as_object().unwrap() {
            assert!(same(&created[field], value), "{kind}.{field}: {created}");
        }
        let editor = format!("editor@{org}");
        assert_eq!(created["external_ref"], Value::Null, "{kind}");
        assert_eq!(created["created_by"], editor, "{kind}");
        assert_eq!(created["updated_by"], editor, "{kind}");
        assert_eq!(created["version"], 1, "{kind}");
        for stamp in ["created_at", "updated_at"] {
            let text = created[stamp].as_str().unwrap_or_default();
            let parsed = chrono::DateTime::parse_from_rfc3339(text);
            assert!(parsed.is_ok(), "{kind}.{stamp}: {created}");
        }

        let read = app.get(&path).bearer(&viewer).send();
        assert_eq!(read.status, 200, "GET {kind}: {}", read.body);
        assert_eq!(read.header("etag"), Some("\"v1\""), "{kind}");
        assert_eq!(read.json(), created, "{kind}");
        let listed = all_items(&app, &org, &collection(&org, kind));
        assert_eq!(listed, [created], "{kind}");
    }
}

#[test]
fn a_change_to_any_kind_sets_the_field_bumps_the_version_and_names_who_changed_it() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let admin = app.token(&org, Role::Admin);
    for kind in RECORD_KINDS {
        let created = add(&app, &org, kind, record_body(kind, 1));
        let change = a_change(kind);
        let reply = app
            .patch(&item(&org, kind, id(&created)))
            .bearer(&admin)
            .header("If-Match", "\"v1\"")
            .json(&change)
            .send();
        assert_eq!(reply.status, 200, "PATCH {kind}: {}", reply.body);
        assert_eq!(reply.header("etag"), Some("\"v2\""), "{kind}");
        let changed = reply.json();
        assert_eq!(changed["version"], 2, "{kind}");
        assert_eq!(changed["updated_by"], format!("admin@{org}"), "{kind}");
        let (field, value) = change.as_object().unwrap().iter().next().unwrap();
        assert!(same(&changed[field], value), "{kind}.{field}: {changed}");
        // Every field the change left out, provenance included, is as it was.
        for (name, before) in created.as_object().unwrap() {
            if ![field.as_str(), "version", "updated_by", "updated_at"].contains(&name.as_str()) {
                assert_eq!(&changed[name], before, "{kind}.{name}");
            }
        }
    }
}

#[test]
fn null_clears_an_optional_field_of_any_kind_and_is_refused_for_a_required_one() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let editor = app.token(&org, Role::Editor);
    for kind in RECORD_KINDS {
        let body = with(record_body(kind, 1), json!({"external_ref": "ekstern-1"}));
        let path = item(&org, kind, id(&add(&app, &org, kind, body)));
        let cleared = app.patch(&path).bearer(&editor);
        let cleared = cleared.json(&json!({"external_ref": null})).send();
        assert_eq!(cleared.status, 200, "PATCH {kind}: {}", cleared.body);
        assert_eq!(cleared.json()["external_ref"], Value::Null, "{kind}");

        let required = required_field(kind);
        let refused = app.patch(&path).bearer(&editor);
        let refused = refused.json(&json!({ required: null })).send();
        assert_refused(&refused, 422, required, kind);
        assert_eq!(version(&app, &org, &path), 2, "{kind}: left as it was");
    }
}

#[test]
fn a_change_or_a_delete_naming_a_stale_version_of_any_kind_is_refused() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let editor = app.token(&org, Role::Editor);
    for kind in RECORD_KINDS {
        let path = a_record(&app, &org, kind);
        let first = app
            .patch(&path)
            .bearer(&editor)
            .json(&a_change(kind))
            .send();
        assert_eq!(first.status, 200, "PATCH {kind}: {}", first.body);
        let stale = app
            .patch(&path)
            .bearer(&editor)
            .header("If-Match", "\"v1\"");
        stale.json(&a_change(kind)).send().problem(412);
        let stale = app
            .delete(&path)
            .bearer(&editor)
            .header("If-Match", "\"v1\"");
        stale.send().problem(412);
        assert_eq!(version(&app, &org, &path), 2, "{kind}");
    }
}

#[test]
fn any_kind_deleted_with_its_current_version_is_gone() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let editor = app.token(&org, Role::Editor);
    for kind in RECORD_KINDS {
        let path = a_record(&app, &org, kind);
        let deleted = app
            .delete(&path)
            .bearer(&editor)
            .header("If-Match", "\"v1\"");
        let deleted = deleted.send();
        assert_eq!(deleted.status, 204, "DELETE {kind}: {}", deleted.body);
        app.get(&path).bearer(&editor).send().problem(404);
        app.patch(&path)
            .bearer(&editor)
            .json(&a_change(kind))
            .send()
            .problem(404);
        app.delete(&path).bearer(&editor).send().problem(404);
        assert!(
            all_items(&app, &org, &collection(&org, kind)).is_empty(),
            "{kind}"
        );
    }
}

// --- Rules ------------------------------------------------------------------------------

#[test]
fn every_field_rule_of_every_kind_is_refused_naming_the_field() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    // (kind, field, a value that breaks its rule); `record_body` dates a body 2022-01-02.
    let mut cases = vec![
        ("members", "org_number", json!("923609017")),
        ("members", "left_on", json!("2022-01-01")),
        ("members", "municipality", json!("333")),
        ("members", "name", json!("   ")),
        ("activities", "municipality", json!("30a3")),
        ("activities", "title", json!("  ")),
        ("surveys", "responses", json!(101)),
        ("surveys", "mean_score", json!(5.5)),
        ("surveys", "mean_score", json!(0.5)),
        ("surveys", "nps", json!(101)),
        ("surveys", "nps", json!(-101)),
        ("surveys", "title", json!("")),
        ("projects", "end_on", json!("2022-01-01")),
        ("projects", "external_funding", json!(-1)),
        ("projects", "title", json!(" ")),
        ("observations", "metric_key", json!("Social Followers")),
        ("milestones", "title", json!("\t")),
        ("milestones", "municipality", json!("Ullensaker")),
    ];
    for kind in RECORD_KINDS {
        cases.push((kind, "colour", json!("blå")));
    }
    for (kind, field, bad) in cases {
        let reply = post(
            &app,
            &org,
            kind,
            &with(record_body(kind, 1), json!({ field: bad })),
        );
        assert_refused(&reply, 422, field, &format!("{kind} with {field} {bad}"));
    }
    for kind in RECORD_KINDS {
        assert!(
            all_items(&app, &org, &collection(&org, kind)).is_empty(),
            "{kind}"
        );
    }
}

#[test]
fn a_change_that_breaks_a_rule_is_refused_and_leaves_the_record_as_it_was() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let editor = app.token(&org, Role::Editor);
    let cases = [
        ("members", json!({"left_on": "2022-01-01"}), "left_on"),
        ("surveys", json!({"invited": 10}), "responses"),
        ("projects", json!({"end_on": "2022-01-01"}), "end_on"),
        ("observations", json!({"metric_key": "x..y"}), "metric_key"),
        ("activities", json!({"colour": "blå"}), "colour"),
    ];
    for (kind, change, field) in cases {
        let path = a_record(&app, &org, kind);
        let reply = app.patch(&path).bearer(&editor).json(&change).send();
        assert_refused(&reply, 422, field, &format!("{kind} {change}"));
        assert_eq!(version(&app, &org, &path), 1, "{kind}");
    }
}

#[test]
fn an_external_ref_is_taken_once_per_kind_but_may_repeat_across_kinds() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let editor = app.token(&org, Role::Editor);
    let keyed = |kind, n| with(record_body(kind, n), json!({"external_ref": "import-1"}));
    for kind in RECORD_KINDS {
        add(&app, &org, kind, keyed(kind, 1));
        assert_refused(
            &post(&app, &org, kind, &keyed(kind, 2)),
            409,
            "external_ref",
            kind,
        );
        let other = item(&org, kind, id(&add(&app, &org, kind, record_body(kind, 3))));
        let renamed = app.patch(&other).bearer(&editor);
        let renamed = renamed.json(&json!({"external_ref": "import-1"})).send();
        assert_refused(&renamed, 409, "external_ref", kind);
    }
}

#[test]
fn a_member_org_number_is_taken_once_per_organisation() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let neighbour = app.create_org("nabo");
    let first = add(&app, &org, "members", record_body("members", 1));
    let same_company = with(
        record_body("members", 2),
        json!({"org_number": first["org_number"]}),
    );
    let reply = post(&app, &org, "members", &same_company);
    assert_refused(
        &reply,
        409,
        "org_number",
        "a second member with one org_number",
    );
    // Another organisation may have the same company as a member.
    add(&app, &neighbour, "members", same_company);
}

#[test]
fn a_second_observation_of_a_metric_dimension_and_day_names_the_one_that_exists() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let names = |reply: &Reply, existing: i64| {
        let problem = reply.problem(409);
        let detail = problem["detail"].as_str().unwrap();
        let numbers: Vec<&str> = detail.split(|c: char| !c.is_ascii_digit()).collect();
        assert!(numbers.contains(&existing.to_string().as_str()), "{detail}");
    };
    let first = id(&add(
        &app,
        &org,
        "observations",
        record_body("observations", 1),
    ));
    let twin = with(record_body("observations", 1), json!({"value": 7}));
    names(&post(&app, &org, "observations", &twin), first);
    // Another dimension that day is another observation, until it is changed into a twin.
    let facebook = with(twin, json!({"dimension": "facebook"}));
    let second = item(
        &org,
        "observations",
        id(&add(&app, &org, "observations", facebook)),
    );
    let changed = app.patch(&second).bearer(&app.token(&org, Role::Editor));
    names(
        &changed.json(&json!({"dimension": "linkedin"})).send(),
        first,
    );
}

#[test]
fn activities_and_milestones_take_only_a_measure_of_their_own_organisation() {
    let app = TestApp::spawn();
    let a = app.create_org("org-a");
    let b = app.create_org("org-b");
    let (a_measure, b_measure) = (measure_of(&app, &a), measure_of(&app, &b));
    let editor = app.token(&a, Role::Editor);
    for kind in ["activities", "milestones"] {
        let measured = |n, measure| with(record_body(kind, n), json!({"measure_id": measure}));
        let own = add(&app, &a, kind, measured(1, a_measure));
        assert_eq!(own["measure_id"], a_measure, "{kind}");
        for foreign in [b_measure, 987_654_321] {
            let reply = post(&app, &a, kind, &measured(2, foreign));
            assert_refused(&reply, 422, "measure_id", &format!("{kind} with {foreign}"));
        }
        let moved = app.patch(&item(&a, kind, id(&own))).bearer(&editor);
        let moved = moved.json(&json!({"measure_id": b_measure})).send();
        assert_refused(&moved, 422, "measure_id", kind);
        assert_eq!(all_items(&app, &a, &collection(&a, kind)), [own], "{kind}");
    }
}

// --- Paging -----------------------------------------------------------------------------

#[test]
fn every_list_pages_in_date_order_missing_and_repeating_nothing_while_rows_are_added() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let viewer = app.token(&org, Role::Viewer);
    for kind in RECORD_KINDS {
        let date_of = |v: &Value| v[date_field(kind)].as_str().unwrap().to_owned();
        // Out of date order, with two pairs on one day.
        let mut expected: Vec<Value> = [40, 10, 70, 10, 55, 25, 40]
            .into_iter()
            .zip(1..)
            .map(|(on, n)| add(&app, &org, kind, dated(kind, n, &day(on))))
            .collect();
        let mut before_the_page = Vec::new();
        let (mut seen, mut pages, mut cursor, mut n) = (Vec::new(), 0, String::new(), 100);
        loop {
            let url = format!("{}?limit=2{cursor}", collection(&org, kind));
            let reply = app.get(&url).bearer(&viewer).send();
            assert_eq!(reply.status, 200, "GET {url}: {}", reply.body);
            let page = reply.json();
            let items = page["items"].as_array().unwrap();
            assert!(!items.is_empty() && items.len() <= 2, "{kind}: {page}");
            seen.extend(items.iter().cloned());
            pages += 1;
            assert!(pages < 20, "{kind}: the pages do not end");
            let Some(next) = page["next_cursor"].as_str() else {
                break;
            };
            cursor = format!("&cursor={next}");
            // Between two reads: a row on the day of the page's last row (its id is larger,
            // so it comes after the page: it is listed later), and one on the first day of
            // the year (before the page: it is not).
            let on_last_day = date_of(seen.last().unwrap());
            expected.push(add(&app, &org, kind, dated(kind, n, &on_last_day)));
            before_the_page.push(id(&add(&app, &org, kind, dated(kind, n + 1, &day(0)))));
            n += 2;
        }
        assert!(pages >= 3, "{kind}: only {pages} pages");
        expected.sort_by_key(|v| (date_of(v), id(v)));
        let seen: Vec<i64> = seen.iter().map(id).collect();
        let expected: Vec<i64> = expected.iter().map(id).collect();
        assert_eq!(
            seen, expected,
            "{kind}: every row once, in (date, id) order"
        );
        assert!(seen.iter().all(|i| !before_the_page.contains(i)), "{kind}");
    }
}

// --- Filters ----------------------------------------------------------------------------

#[test]
fn every_kind_is_filtered_by_its_date_range_and_external_ref() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    for kind in RECORD_KINDS {
        let on = |day: &str| json!({ date_field(kind): day });
        let [early, middle, late] = add_each(
            &app,
            &org,
            kind,
            [
                on("2022-01-10"),
                with(on("2022-01-20"), json!({"external_ref": "midt"})),
                on("2022-01-30"),
            ],
        );
        assert_filters(
            &app,
            &org,
            kind,
            &[
                ("from=2022-01-20", vec![&middle, &late]),
                ("from=2022-01-31", vec![]),
                ("to=2022-01-20", vec![&early, &middle]),
                ("to=2022-01-09", vec![]),
                ("from=2022-01-11&to=2022-01-29", vec![&middle]),
                ("external_ref=midt", vec![&middle]),
                ("external_ref=ingen", vec![]),
            ],
        );
    }
}

#[test]
fn members_are_filtered_by_municipality_membership_type_and_the_day_they_are_on_the_roll() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let [left, associated, late] = add_each(
        &app,
        &org,
        "members",
        [
            json!({"joined_on": "2022-01-10", "left_on": "2022-02-10"}),
            json!({"joined_on": "2022-01-20", "municipality": "3240", "membership_type": "associated"}),
            json!({"joined_on": "2022-03-01", "membership_type": "associated"}),
        ],
    );
    assert_filters(
        &app,
        &org,
        "members",
        &[
            ("municipality=3033", vec![&left, &late]),
            ("municipality=0301", vec![]),
            ("membership_type=associated", vec![&associated, &late]),
            ("membership_type=ordinary", vec![&left]),
            ("active_on=2022-02-09", vec![&left, &associated]),
            ("active_on=2022-02-10", vec![&associated]),
            ("active_on=2022-01-09", vec![]),
            ("active_on=2022-03-01&municipality=3033", vec![&late]),
        ],
    );
}

#[test]
fn activities_are_filtered_by_one_or_more_kinds_status_municipality_and_measure() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let measure = measure_of(&app, &org);
    let [meeting, network, promotion] = add_each(
        &app,
        &org,
        "activities",
        [
            json!({"municipality": "3033", "measure_id": measure}),
            json!({"kind": "network_meeting", "status": "planned"}),
            json!({"kind": "promotion", "status": "cancelled", "municipality": "3240"}),
        ],
    );
    let of_measure = format!("measure_id={measure}");
    let of_another = format!("measure_id={}", measure + 1);
    assert_filters(
        &app,
        &org,
        "activities",
        &[
            ("kind=member_meeting", vec![&meeting]),
            (
                "kind=member_meeting&kind=promotion",
                vec![&meeting, &promotion],
            ),
            ("kind=other_arena", vec![]),
            ("status=planned", vec![&network]),
            ("status=held", vec![&meeting]),
            ("municipality=3240", vec![&promotion]),
            ("municipality=0301", vec![]),
            (&of_measure, vec![&meeting]),
            (&of_another, vec![]),
        ],
    );
}

#[test]
fn surveys_are_filtered_by_audience() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let [internal, external] = add_each(
        &app,
        &org,
        "surveys",
        [json!({}), json!({"audience": "external"})],
    );
    assert_filters(
        &app,
        &org,
        "surveys",
        &[
            ("audience=internal", vec![&internal]),
            ("audience=external", vec![&external]),
        ],
    );
}

#[test]
fn projects_are_filtered_by_one_or_more_roles_and_status() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let [owned, led, partnered] = add_each(
        &app,
        &org,
        "projects",
        [
            json!({}),
            json!({"role": "leader", "status": "running"}),
            json!({"role": "partner", "status": "completed", "end_on": "2022-06-30"}),
        ],
    );
    assert_filters(
        &app,
        &org,
        "projects",
        &[
            ("role=leader", vec![&led]),
            ("role=owner&role=partner", vec![&owned, &partnered]),
            ("status=running", vec![&led]),
            ("status=rejected", vec![]),
            ("role=owner&status=completed", vec![]),
        ],
    );
}

#[test]
fn observations_are_filtered_by_metric_key_and_dimension() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let [linkedin, facebook, employees] = add_each(
        &app,
        &org,
        "observations",
        [
            json!({}),
            json!({"dimension": "facebook"}),
            json!({"metric_key": "members.employees", "dimension": "", "value": 4100.5}),
        ],
    );
    assert_filters(
        &app,
        &org,
        "observations",
        &[
            ("metric_key=social.followers", vec![&linkedin, &facebook]),
            ("metric_key=members.employees", vec![&employees]),
            ("metric_key=web.visits", vec![]),
            ("dimension=facebook", vec![&facebook]),
            ("dimension=tiktok", vec![]),
            (
                "metric_key=social.followers&dimension=linkedin",
                vec![&linkedin],
            ),
        ],
    );
}

#[test]
fn milestones_are_listed_by_achieved_or_due_day_and_filtered_by_kind_and_achievement() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let started = "business_association_started";
    let [late, launched, pending] = add_each(
        &app,
        &org,
        "milestones",
        [
            json!({"kind": started, "due_on": "2022-01-05", "achieved_on": "2022-01-30"}),
            json!({"achieved_on": "2022-01-10"}),
            json!({"kind": started, "due_on": "2022-01-20", "achieved_on": null}),
        ],
    );
    assert_filters(
        &app,
        &org,
        "milestones",
        &[
            ("", vec![&launched, &pending, &late]),
            ("from=2022-01-20&to=2022-01-20", vec![&pending]),
            ("kind=business_association_started", vec![&pending, &late]),
            ("kind=nothing_like_it", vec![]),
            ("achieved=true", vec![&launched, &late]),
            ("achieved=false", vec![&pending]),
        ],
    );
}

// --- CSV --------------------------------------------------------------------------------

#[test]
fn the_csv_export_of_every_kind_holds_the_same_records_as_its_json_list() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let awkward = "Møte, \"stort\" og\nsmått: ÆØÅ æøå";
    for kind in RECORD_KINDS {
        let text = match kind {
            "members" => "name",
            "observations" => "dimension",
            _ => "title",
        };
        let odd = json!({ text: awkward, "external_ref": "nøkkel, \"1\"" });
        add(&app, &org, kind, with(record_body(kind, 1), odd));
        add(&app, &org, kind, record_body(kind, 2));
        add(&app, &org, kind, record_body(kind, 3));
        let url = collection(&org, kind);
        let items = all_items(&app, &org, &url);
        let (header, rows) = csv_list(&app, &org, &url);

        let columns: BTreeSet<&String> = header.iter().collect();
        let fields: BTreeSet<&String> = items[0].as_object().unwrap().keys().collect();
        assert_eq!(
            columns, fields,
            "{kind}: the header is the JSON field names"
        );
        assert_eq!(header.len(), columns.len(), "{kind}: a column twice");
        assert_eq!(rows.len(), items.len(), "{kind}");
        for (row, item) in rows.iter().zip(&items) {
            for (field, value) in item.as_object().unwrap() {
                assert_eq!(row[field], cell(value), "{kind}.{field} of {}", id(item));
            }
        }
        assert!(rows.iter().any(|row| row[text] == awkward), "{kind}");
    }
}

#[test]
fn the_csv_export_holds_every_matching_record_not_one_page() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    for n in 1..=55 {
        add(&app, &org, "observations", record_body("observations", n));
    }
    let url = collection(&org, "observations");
    let first_page = app
        .get(&url)
        .bearer(&app.token(&org, Role::Viewer))
        .send()
        .json();
    assert!(
        first_page["next_cursor"].is_string(),
        "the JSON list is paged"
    );
    let (_, rows) = csv_list(&app, &org, &url);
    let ids: Vec<String> = rows.iter().map(|row| row["id"].clone()).collect();
    let listed: Vec<String> = all_items(&app, &org, &url)
        .iter()
        .map(|v| id(v).to_string())
        .collect();
    assert_eq!(ids.len(), 55);
    assert_eq!(ids, listed);
}

#[test]
fn a_filtered_csv_export_holds_only_the_matching_records() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let [meeting, _, promotion, _] = add_each(
        &app,
        &org,
        "activities",
        [
            json!({}),
            json!({"kind": "network_meeting"}),
            json!({"kind": "promotion"}),
            json!({"kind": "promotion", "status": "planned"}),
        ],
    );
    let list = collection(&org, "activities");
    let (_, rows) = csv_list(
        &app,
        &org,
        &format!("{list}?kind=member_meeting&kind=promotion&status=held"),
    );
    let ids: Vec<&str> = rows.iter().map(|row| row["id"].as_str()).collect();
    assert_eq!(ids, [id(&meeting).to_string(), id(&promotion).to_string()]);
    let (header, rows) = csv_list(&app, &org, &format!("{list}?kind=other_arena"));
    assert!(
        header.iter().any(|c| c == "title"),
        "an empty export keeps its header"
    );
    assert!(rows.is_empty());
}

// --- Roles and isolation ----------------------------------------------------------------

#[test]
fn a_viewer_reads_every_kind_but_writes_none() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    let viewer = app.token(&org, Role::Viewer);
    for kind in RECORD_KINDS {
        let created = add(&app, &org, kind, record_body(kind, 1));
        let (list, path) = (collection(&org, kind), item(&org, kind, id(&created)));
        assert_eq!(app.get(&list).bearer(&viewer).send().status, 200, "{kind}");
        assert_eq!(app.get(&path).bearer(&viewer).send().status, 200, "{kind}");
        for request in [
            app.post(&list).json(&record_body(kind, 2)),
            app.patch(&path).json(&a_change(kind)),
            app.delete(&path),
        ] {
            request.bearer(&viewer).send().problem(403);
        }
        assert_eq!(all_items(&app, &org, &list), [created], "{kind}");
    }
}

#[test]
fn an_anonymous_caller_is_refused_on_every_record_path() {
    let app = TestApp::spawn();
    let org = app.create_org("ig");
    for kind in RECORD_KINDS {
        let (list, path) = (collection(&org, kind), a_record(&app, &org, kind));
        for request in [
            app.get(&list),
            app.get(&list).header("Accept", "text/csv"),
            app.post(&list).json(&record_body(kind, 2)),
            app.get(&path),
            app.patch(&path).json(&a_change(kind)),
            app.delete(&path),
        ] {
            request.send().problem(401);
        }
        assert_eq!(version(&app, &org, &path), 1, "{kind}");
    }
}

#[test]
fn a_token_for_org_a_gets_404_for_every_verb_on_every_record_path_of_org_b() {
    let app = TestApp::spawn();
    let a = app.create_org("org-a");
    let b = app.create_org("org-b");
    let a_admin = app.token(&a, Role::Admin);
    for kind in RECORD_KINDS {
        let b_record = add(&app, &b, kind, record_body(kind, 1));
        let (b_list, b_item) = (collection(&b, kind), item(&b, kind, id(&b_record)));
        // B's id under A's own slug is not A's record either.
        let borrowed = item(&a, kind, id(&b_record));
        for request in [
            app.get(&b_list),
            app.get(&b_list).header("Accept", "text/csv"),
            app.post(&b_list).json(&record_body(kind, 2)),
            app.get(&b_item),
            app.patch(&b_item).json(&a_change(kind)),
            app.delete(&b_item),
            app.get(&borrowed),
            app.patch(&borrowed).json(&a_change(kind)),
            app.delete(&borrowed),
        ] {
            request.bearer(&a_admin).send().problem(404);
        }
        assert_eq!(
            all_items(&app, &b, &b_list),
            [b_record],
            "{kind}: B's is untouched"
        );
        assert!(
            all_items(&app, &a, &collection(&a, kind)).is_empty(),
            "{kind}"
        );
    }
}

#[test]
fn a_filter_given_without_a_value_is_refused_rather_than_ignored() {
    let app = TestApp::spawn();
    let org = app.create_org("empty-filters");
    let viewer = app.token(&org, Role::Viewer);
    for query in [
        "to=",
        "cursor=",
        "limit=",
        "external_ref=",
        "status=",
        "measure_id=",
    ] {
        let url = format!("/api/v1/orgs/{org}/activities?{query}");
        app.get(&url).bearer(&viewer).send().problem(400);
    }
}

#[test]
fn an_empty_dimension_filter_selects_the_observations_without_a_dimension() {
    let app = TestApp::spawn();
    let org = app.create_org("dimensions");
    let mut plain = record_body("observations", 1);
    plain["dimension"] = json!("");
    plain["metric_key"] = json!("members.employees");
    app.create(&org, "/observations", plain);
    app.create(&org, "/observations", record_body("observations", 2));
    let viewer = app.token(&org, Role::Viewer);
    let list = app
        .get(&format!("/api/v1/orgs/{org}/observations?dimension="))
        .bearer(&viewer)
        .send()
        .json();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["metric_key"], "members.employees");
}
