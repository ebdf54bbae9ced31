//! Imports of records (`POST /orgs/{org}/imports/{kind}`) from JSON, NDJSON and CSV: every
//! kind and format, CSV as offices write it, upserts by the kinds' keys, all or nothing
//! with every bad row named, dry runs, and who may import where.

use serde_json::{Value, json};
use veikart_api::json::BodyLimit;
use veikart_api::routes::imports::ImportBodyLimit;
use veikart_domain::Role;
use veikart_tests::{RECORD_KINDS, Reply, TestApp, csv_of, member_org_number, record_body};

/// A record body of `kind` with the key `ref-<n>`.
fn keyed(kind: &str, n: u32) -> Value {
    let mut body = record_body(kind, n);
    body["external_ref"] = json!(format!("ref-{n}"));
    body
}

fn ndjson(rows: &[Value]) -> Vec<u8> {
    rows.iter()
        .map(|r| format!("{r}\n"))
        .collect::<String>()
        .into_bytes()
}

struct Importer<'a> {
    app: &'a TestApp,
    org: String,
    token: String,
}

impl<'a> Importer<'a> {
    fn new(app: &'a TestApp, slug: &str) -> Self {
        let org = app.create_org(slug);
        let token = app.token(&org, Role::Editor);
        Self { app, org, token }
    }

    fn send(&self, kind: &str, query: &str, content_type: &str, body: Vec<u8>) -> Reply {
        self.app
            .post(&format!("/api/v1/orgs/{}/imports/{kind}{query}", self.org))
            .bearer(&self.token)
            .raw(content_type, body)
            .send()
    }

    /// Imports and expects 201 (200 for a dry run); returns the summary.
    fn ok(&self, kind: &str, query: &str, content_type: &str, body: Vec<u8>) -> Value {
        let reply = self.send(kind, query, content_type, body);
        let expected = if query.contains("dry_run=true") {
            200
        } else {
            201
        };
        assert_eq!(reply.status, expected, "{kind}: {}", reply.body);
        reply.json()
    }

    fn list(&self, kind: &str) -> Vec<Value> {
        let reply = self
            .app
            .get(&format!("/api/v1/orgs/{}/{kind}?limit=100", self.org))
            .bearer(&self.token)
            .send();
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()["items"].as_array().unwrap().clone()
    }

    fn count(&self, kind: &str) -> usize {
        let reply = self
            .app
            .get(&format!("/api/v1/orgs/{}/{kind}", self.org))
            .bearer(&self.token)
            .header("Accept", "text/csv")
            .send();
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.body.lines().count() - 1
    }

    fn audit_imports(&self) -> usize {
        let admin = self.app.token(&self.org, Role::Admin);
        let reply = self
            .app
            .get(&format!("/api/v1/orgs/{}/audit?entity=import", self.org))
            .bearer(&admin)
            .send();
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()["items"].as_array().unwrap().len()
    }
}

fn counts(summary: &Value) -> (u64, u64, u64, u64) {
    let n = |f: &str| summary[f].as_u64().unwrap();
    (n("rows"), n("created"), n("updated"), n("unchanged"))
}

/// `(row, field)` of each error of a 422.
fn row_errors(reply: &Reply) -> Vec<(u64, String)> {
    reply.problem(422)["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap_or(0),
                e["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_kind_imports_from_json_ndjson_and_csv_and_a_reimport_changes_nothing() {
    let app = TestApp::spawn();
    let import = Importer::new(&app, "importer");
    for kind in RECORD_KINDS {
        let json_rows: Vec<Value> = (1..=3).map(|n| keyed(kind, n)).collect();
        let ndjson_rows: Vec<Value> = (4..=6).map(|n| keyed(kind, n)).collect();
        let csv_rows: Vec<Value> = (7..=9).map(|n| keyed(kind, n)).collect();
        let body = serde_json::to_vec(&json_rows).unwrap();
        let summary = import.ok(kind, "", "application/json", body.clone());
        assert_eq!(counts(&summary), (3, 3, 0, 0), "{kind}: {summary}");
        assert_eq!(summary["kind"], kind);
        assert_eq!(summary["format"], "json");
        assert_eq!(summary["dry_run"], false);
        let summary = import.ok(kind, "", "application/x-ndjson", ndjson(&ndjson_rows));
        assert_eq!(counts(&summary), (3, 3, 0, 0), "{kind}: {summary}");
        assert_eq!(summary["format"], "ndjson");
        let summary = import.ok(kind, "", "text/csv", csv_of(&csv_rows));
        assert_eq!(counts(&summary), (3, 3, 0, 0), "{kind}: {summary}");
        assert_eq!(summary["format"], "csv");

        let listed = import.list(kind);
        assert_eq!(listed.len(), 9, "{kind}");
        for (row, record) in json_rows
            .iter()
            .chain(&ndjson_rows)
            .chain(&csv_rows)
            .zip(&listed)
        {
            for (field, value) in row.as_object().unwrap() {
                let stored = &record[field.as_str()];
                match (value.as_f64(), stored.as_f64()) {
                    (Some(a), Some(b)) => assert_eq!(a, b, "{kind}.{field}"),
                    _ => assert_eq!(stored, value, "{kind}.{field}"),
                }
            }
            assert_eq!(record["version"], 1);
        }

        // The same rows again, in any format: nothing changes, no version moves.
        let summary = import.ok(kind, "", "text/csv", csv_of(&json_rows));
        assert_eq!(counts(&summary), (3, 0, 0, 3), "{kind}: {summary}");
        let summary = import.ok(kind, "", "application/json", body);
        assert_eq!(counts(&summary), (3, 0, 0, 3), "{kind}: {summary}");
        assert!(import.list(kind).iter().all(|r| r["version"] == 1));
    }
    // One audit entry per import, whatever it changed: five per kind.
    assert_eq!(import.audit_imports(), 5 * RECORD_KINDS.len());
}

#[test]
fn what_a_list_exports_as_csv_imports_back_unchanged() {
    let app = TestApp::spawn();
    let import = Importer::new(&app, "round-trip");
    for kind in RECORD_KINDS {
        let rows: Vec<Value> = (1..=5)
            .map(|n| {
                if n % 2 == 0 {
                    keyed(kind, n)
                } else {
                    record_body(kind, n)
                }
            })
            .collect();
        let rows: Vec<Value> = match kind {
            // Members and observations have keys of their own; the others are found by
            // `external_ref` only, so all of theirs carry one.
            "members" | "observations" => rows,
            _ => (1..=5).map(|n| keyed(kind, n)).collect(),
        };
        import.ok(
            kind,
            "",
            "application/json",
            serde_json::to_vec(&rows).unwrap(),
        );
        let export = app
            .get(&format!("/api/v1/orgs/{}/{kind}", import.org))
            .bearer(&import.token)
            .header("Accept", "text/csv")
            .send();
        assert_eq!(export.status, 200);
        let summary = import.ok(kind, "", "text/csv", export.body.into_bytes());
        assert_eq!(counts(&summary), (5, 0, 0, 5), "{kind}: {summary}");
    }
}

#[test]
fn csv_is_read_as_offices_write_it() {
    let app = TestApp::spawn();
    let import = Importer::new(&app, "kontoret");
    // Semicolons, a byte-order mark, CRLF, header names in any case with spaces, decimal
    // commas, DD.MM.YYYY, a quoted cell with the delimiter and a line break, empty cells.
    let body = "\u{feff} Audience ;TITLE;conducted_on;invited;responses;scale_min;scale_max;\
                mean_score;nps;external_ref\r\n\
                internal;\"Medlemsundersøkelse;\r\nvår 2022\";15.05.2022;170;61;1;5;3,8;;s-1\r\n\
                external;Kundeundersøkelse;1.9.2022;1 200;300;1;5;4,25;12;s-2\r\n";
    let summary = import.ok("surveys", "", "text/csv", body.as_bytes().to_vec());
    assert_eq!(counts(&summary), (2, 2, 0, 0), "{summary}");
    let listed = import.list("surveys");
    assert_eq!(listed[0]["title"], "Medlemsundersøkelse;\r\nvår 2022");
    assert_eq!(listed[0]["conducted_on"], "2022-05-15");
    assert_eq!(listed[0]["mean_score"], 3.8);
    assert_eq!(listed[0]["nps"], Value::Null);
    assert_eq!(listed[1]["conducted_on"], "2022-09-01");
    assert_eq!(listed[1]["invited"], 1200);
    assert_eq!(listed[1]["mean_score"], 4.25);

    // Tab-delimited, LF, with a column mapping from another system's names.
    let number = member_org_number(1);
    let body = format!(
        "organisasjonsnummer\tnavn\tkommune\tmembership_type\tjoined_on\n\
         {number}\t\"Bedrift, AS\"\t3033\tordinary\t01.02.2022\n"
    );
    let query = "?columns=organisasjonsnummer:org_number,navn:name,kommune:municipality";
    let summary = import.ok("members", query, "text/csv", body.into_bytes());
    assert_eq!(counts(&summary), (1, 1, 0, 0), "{summary}");
    let member = &import.list("members")[0];
    assert_eq!(member["org_number"], number.as_str());
    assert_eq!(member["name"], "Bedrift, AS");
    assert_eq!(member["joined_on"], "2022-02-01");
    assert_eq!(member["left_on"], Value::Null);
}

#[test]
fn unknown_columns_are_refused_by_name_unless_skipped() {
    let app = TestApp::spawn();
    let import = Importer::new(&app, "columns");
    let mut row = keyed("activities", 1);
    row["colour"] = json!("blue");
    row["Size"] = json!(3);
    let reply = import.send("activities", "", "text/csv", csv_of(&[row.clone()]));
    let mut errors = row_errors(&reply);
    errors.sort();
    assert_eq!(errors, [(1, "colour".into()), (1, "size".into())]);
    // A JSON record has the kind's fields only, whatever the CSV options say.
    let reply = import.send(
        "activities",
        "?ignore_unknown_columns=true&columns=colour:title",
        "application/json",
        serde_json::to_vec(&[&row]).unwrap(),
    );
    let mut errors = row_errors(&reply);
    errors.sort();
    assert_eq!(errors, [(1, "Size".into()), (1, "colour".into())]);
    assert_eq!(import.count("activities"), 0);

    // A header with no field of the kind is another file, whatever is skipped.
    let reply = import.send(
        "activities",
        "?ignore_unknown_columns=true",
        "text/csv",
        b"colour;size\nblue;3\n".to_vec(),
    );
    assert_eq!(reply.problem(422)["errors"][0]["field"], "body");
    let summary = import.ok(
        "activities",
        "?ignore_unknown_columns=true",
        "text/csv",
        csv_of(&[row]),
    );
    assert_eq!(counts(&summary), (1, 1, 0, 0));
}

#[test]
fn rows_matching_stored_records_update_them_by_their_keys() {
    let app = TestApp::spawn();
    let import = Importer::new(&app, "upserts");
    // Members by organisation number (no external_ref), observations by their key.
    for kind in ["members", "observations"] {
        let rows: Vec<Value> = (1..=4).map(|n| record_body(kind, n)).collect();
        import.ok(
            kind,
            "",
            "application/json",
            serde_json::to_vec(&rows).unwrap(),
        );
        let mut changed = rows.clone();
        match kind {
            "members" => changed[1]["employees"] = json!(99),
            _ => changed[1]["value"] = json!(4242.5),
        }
        changed.push(record_body(kind, 5));
        let before = import.list(kind);
        let summary = import.ok(kind, "", "application/x-ndjson", ndjson(&changed));
        assert_eq!(counts(&summary), (5, 1, 1, 3), "{kind}: {summary}");
        let listed = import.list(kind);
        assert_eq!(listed.len(), 5);
        assert_eq!(listed[1]["version"], 2);
        assert_eq!(listed[0]["version"], 1);
        // The record replaced is the same record: its id and creation kept, its change
        // stamped with the import.
        for field in ["id", "created_at", "created_by"] {
            assert_eq!(listed[1][field], before[1][field], "{kind}.{field}");
        }
        assert_eq!(listed[1]["import_id"], summary["id"]);
        assert_ne!(listed[1]["updated_at"], before[1]["updated_at"]);
        match kind {
            "members" => assert_eq!(listed[1]["employees"], 99),
            _ => assert_eq!(listed[1]["value"], 4242.5),
        }
    }
    // A row without any key is always new.
    let row = record_body("activities", 1);
    for _ in 0..2 {
        let summary = import.ok(
            "activities",
            "",
            "application/json",
            serde_json::to_vec(&[&row]).unwrap(),
        );
        assert_eq!(counts(&summary), (1, 1, 0, 0));
    }
    // A row matching one member by external_ref and another by org_number is refused.
    let a = keyed("members", 1);
    import.ok(
        "members",
        "",
        "application/json",
        serde_json::to_vec(&[&a]).unwrap(),
    );
    let mut both = keyed("members", 2);
    both["external_ref"] = json!("ref-1");
    let reply = import.send(
        "members",
        "",
        "application/json",
        serde_json::to_vec(&[&both]).unwrap(),
    );
    assert_eq!(row_errors(&reply), [(1, "org_number".into())]);
}

#[test]
fn one_bad_row_among_ten_thousand_writes_nothing_and_is_named() {
    let app = TestApp::spawn();
    let import = Importer::new(&app, "big");
    let mut rows: Vec<Value> = (0..10_000).map(|n| record_body("members", n)).collect();
    rows[6_000]["org_number"] = json!("923609017");
    let reply = import.send("members", "", "text/csv", csv_of(&rows));
    let problem = reply.problem(422);
    // The header is line 1, so the row of n = 6,000 is line 6,002.
    assert_eq!(
        row_errors(&reply),
        [(6_002, "org_number".into())],
        "{problem}"
    );
    assert_eq!(problem["error_count"], 1);
    assert_eq!(import.count("members"), 0);
    assert_eq!(import.audit_imports(), 0);

    rows[6_000]["org_number"] = json!(member_org_number(6_000));
    let summary = import.ok("members", "", "text/csv", csv_of(&rows));
    assert_eq!(counts(&summary), (10_000, 10_000, 0, 0));
    assert_eq!(import.count("members"), 10_000);
    assert_eq!(import.audit_imports(), 1);
}

#[test]
fn every_bad_row_is_listed_up_to_a_thousand_with_the_count() {
    let app = TestApp::spawn();
    let import = Importer::new(&app, "many-errors");
    let rows: Vec<Value> = (0..1_500)
        .map(|n| {
            let mut row = record_body("activities", n);
            row["participants"] = json!(-1);
            row
        })
        .collect();
    let reply = import.send(
        "activities",
        "",
        "application/json",
        serde_json::to_vec(&rows).unwrap(),
    );
    let problem = reply.problem(422);
    assert_eq!(problem["error_count"], 1_500);
    let errors = row_errors(&reply);
    assert_eq!(errors.len(), 1_000);
    assert_eq!(errors[0], (1, "participants".into()));
    assert_eq!(errors[999], (1_000, "participants".into()));
    // NDJSON counts lines; a line that is not JSON is a row error too.
    let body = format!("{}\n\nnot json\n", keyed("activities", 1));
    let reply = import.send("activities", "", "application/x-ndjson", body.into_bytes());
    assert_eq!(row_errors(&reply), [(3, "body".into())]);
    assert_eq!(import.count("activities"), 0);
}

#[test]
fn two_rows_of_a_file_with_one_key_name_each_other() {
    let app = TestApp::spawn();
    let import = Importer::new(&app, "duplicates");
    let rows = [
        keyed("projects", 1),
        keyed("projects", 2),
        keyed("projects", 1),
    ];
    let reply = import.send(
        "projects",
        "",
        "application/json",
        serde_json::to_vec(&rows).unwrap(),
    );
    let problem = reply.problem(422);
    assert_eq!(row_errors(&reply), [(3, "external_ref".into())]);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("rows 1 and 3"),
        "{problem}"
    );
    let members = [
        record_body("members", 1),
        record_body("members", 2),
        record_body("members", 1),
    ];
    let reply = import.send("members", "", "text/csv", csv_of(&members));
    let problem = reply.problem(422);
    assert_eq!(row_errors(&reply), [(4, "org_number".into())]);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("rows 2 and 4")
    );
    assert_eq!(import.count("projects") + import.count("members"), 0);
}

#[test]
fn a_dry_run_checks_and_counts_but_writes_nothing() {
    let app = TestApp::spawn();
    let import = Importer::new(&app, "dry");
    let rows: Vec<Value> = (1..=3).map(|n| keyed("milestones", n)).collect();
    let summary = import.ok(
        "milestones",
        "?dry_run=true",
        "application/json",
        serde_json::to_vec(&rows).unwrap(),
    );
    assert_eq!(counts(&summary), (3, 3, 0, 0));
    assert_eq!(summary["dry_run"], true);
    assert_eq!(import.count("milestones"), 0);
    assert_eq!(import.audit_imports(), 0);
    // A dry run reports bad rows like an import.
    let mut bad = rows.clone();
    bad[1]["achieved_on"] = json!("31.02.2022");
    let reply = import.send("milestones", "?dry_run=true", "text/csv", csv_of(&bad));
    assert_eq!(row_errors(&reply), [(3, "achieved_on".into())]);

    import.ok(
        "milestones",
        "",
        "application/json",
        serde_json::to_vec(&rows).unwrap(),
    );
    let mut changed = rows.clone();
    changed[0]["title"] = json!("Ny tittel");
    let summary = import.ok("milestones", "?dry_run=true", "text/csv", csv_of(&changed));
    assert_eq!(counts(&summary), (3, 0, 1, 2));
    assert_eq!(import.list("milestones")[0]["title"], rows[0]["title"]);
    assert_eq!(import.audit_imports(), 1);
}

#[test]
fn a_reference_to_a_measure_of_no_plan_is_a_row_error() {
    let app = TestApp::spawn();
    let import = Importer::new(&app, "measures");
    let mut rows: Vec<Value> = (1..=3).map(|n| keyed("activities", n)).collect();
    rows[2]["measure_id"] = json!(987_654);
    let reply = import.send(
        "activities",
        "",
        "application/json",
        serde_json::to_vec(&rows).unwrap(),
    );
    assert_eq!(row_errors(&reply), [(3, "measure_id".into())]);
}

#[test]
fn imports_are_for_editors_of_their_own_organisation() {
    let app = TestApp::spawn();
    let import = Importer::new(&app, "mine");
    let other = app.create_org("theirs");
    let body = serde_json::to_vec(&[keyed("members", 1)]).unwrap();
    let post = |org: &str, token: &str, content_type: &str| {
        app.post(&format!("/api/v1/orgs/{org}/imports/members"))
            .bearer(token)
            .raw(content_type, body.clone())
            .send()
    };
    post(&other, &import.token, "application/json").problem(404);
    let viewer = app.token(&import.org, Role::Viewer);
    post(&import.org, &viewer, "application/json").problem(403);
    post(&import.org, &import.token, "text/plain").problem(415);
    post(&import.org, &import.token, "text/csv; charset=utf-16").problem(415);
    post(
        &import.org,
        &import.token,
        "application/json; charset=windows-1252",
    )
    .problem(415);
    app.post(&format!("/api/v1/orgs/{}/imports/members", import.org))
        .raw("application/json", body.clone())
        .send()
        .problem(401);
    app.post(&format!("/api/v1/orgs/{}/imports/unicorns", import.org))
        .bearer(&import.token)
        .raw("application/json", body.clone())
        .send()
        .problem(400);
    assert_eq!(import.count("members"), 0);
    let theirs = app.token(&other, Role::Viewer);
    let listed = app
        .get(&format!("/api/v1/orgs/{other}/members"))
        .bearer(&theirs)
        .send()
        .json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
}

#[test]
fn an_import_has_its_own_body_limit() {
    let app = TestApp::spawn_with(|settings| {
        settings.body_limit = BodyLimit(300);
        settings.import_body_limit = ImportBodyLimit(20_000);
    });
    let import = Importer::new(&app, "limits");
    let rows: Vec<Value> = (1..=20).map(|n| keyed("activities", n)).collect();
    let body = serde_json::to_vec(&rows).unwrap();
    assert!(body.len() > 300 && body.len() < 20_000);
    let summary = import.ok("activities", "", "application/json", body);
    assert_eq!(counts(&summary), (20, 20, 0, 0));
    let rows: Vec<Value> = (1..=200).map(|n| keyed("activities", n)).collect();
    import
        .send(
            "activities",
            "",
            "application/json",
            serde_json::to_vec(&rows).unwrap(),
        )
        .problem(413);
}

#[test]
fn an_import_writes_in_batches_not_a_statement_per_row() {
    let app = TestApp::spawn();
    let import = Importer::new(&app, "batches");
    let rows: Vec<Value> = (0..2_000).map(|n| keyed("members", n)).collect();
    let body = csv_of(&rows);
    let (statements, summary) =
        app.statements_during(|| import.ok("members", "", "text/csv", body.clone()));
    assert_eq!(counts(&summary), (2_000, 2_000, 0, 0));
    // The organisation, the import's log row, whether any member is stored (none: no
    // lookups), the rows in one COPY (PostgreSQL) or eight INSERTs of 250 (SQLite), the
    // log row's counts, the audit entry and its data version, and the transaction's own
    // statements.
    assert!(
        (4..=18).contains(&statements),
        "{statements} statements for 2,000 rows"
    );
    let (statements, summary) =
        app.statements_during(|| import.ok("members", "", "text/csv", body));
    assert_eq!(counts(&summary), (2_000, 0, 0, 2_000));
    // Now four lookups per key sort (on PostgreSQL two more around them: their plan
    // mode), and nothing written.
    assert!(
        (2..=20).contains(&statements),
        "{statements} statements for 2,000 unchanged rows"
    );
    // Changed rows: each batch of 500 out and in again, two statements (and the
    // statements of the unchanged import above).
    let changed: Vec<Value> = rows
        .iter()
        .map(|row| {
            let mut row = row.clone();
            row["employees"] = json!(13);
            row
        })
        .collect();
    let (statements, summary) =
        app.statements_during(|| import.ok("members", "", "text/csv", csv_of(&changed)));
    assert_eq!(counts(&summary), (2_000, 0, 2_000, 0));
    assert!(
        (2..=28).contains(&statements),
        "{statements} statements for 2,000 changed rows"
    );
    assert!(
        import
            .list("members")
            .iter()
            .all(|m| m["version"] == 2 && m["employees"] == 13)
    );
}

#[test]
fn the_contract_describes_all_three_bodies_and_rows_in_problems() {
    let doc = serde_json::to_value(veikart_api::openapi()).unwrap();
    let operation = &doc["paths"]["/api/v1/orgs/{org}/imports/{kind}"]["post"];
    let content = operation["requestBody"]["content"].as_object().unwrap();
    let mut media: Vec<&str> = content.keys().map(String::as_str).collect();
    media.sort();
    assert_eq!(
        media,
        ["application/json", "application/x-ndjson", "text/csv"]
    );
    assert_eq!(
        content["application/json"]["schema"]["$ref"],
        "#/components/schemas/ImportRows"
    );
    let columns = operation["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "columns")
        .unwrap();
    assert_eq!(
        columns["schema"]["pattern"],
        veikart_api::routes::imports::read::COLUMNS_PATTERN
    );
    let kinds = &doc["components"]["schemas"]["ImportKind"]["enum"];
    assert_eq!(kinds, &json!(RECORD_KINDS));
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["ProblemField"]["properties"]["row"].is_object());
    assert!(schemas["Problem"]["properties"]["error_count"].is_object());
    // Absent unless an import reports rows: never required.
    let required = schemas["ProblemField"]["required"].as_array().unwrap();
    assert!(!required.contains(&json!("row")));
}

/// Text as Windows-1252 bytes (the characters these tests use all have one).
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'Æ' => 0xc6,
            'Ø' => 0xd8,
            'Å' => 0xc5,
            'æ' => 0xe6,
            'ø' => 0xf8,
            'å' => 0xe5,
            c if c.is_ascii() => c as u8,
            c => panic!("{c} is not in this test's Windows-1252"),
        })
        .collect()
}

#[test]
fn windows_1252_csv_is_stored_as_its_letters_whether_declared_or_found() {
    let app = TestApp::spawn();
    let import = Importer::new(&app, "tegnsett");
    let file = |first: u32| {
        windows_1252(&format!(
            "org_number;name;municipality;membership_type;joined_on\r\n\
             {};Ærlige Øystein og Åse AS;3033;ordinary;01.02.2022\r\n\
             {};Blåbær og Smørbrød;3034;ordinary;15.03.2022\r\n",
            member_org_number(first),
            member_org_number(first + 1)
        ))
    };
    // Not UTF-8, so found to be Windows-1252.
    let summary = import.ok("members", "", "text/csv", file(1));
    assert_eq!(counts(&summary), (2, 2, 0, 0), "{summary}");
    assert_eq!(summary["charset"], "windows-1252");
    // Declared, in any of its names.
    let summary = import.ok("members", "", "text/csv; charset=windows-1252", file(3));
    assert_eq!(counts(&summary), (2, 2, 0, 0), "{summary}");
    let summary = import.ok("members", "", "text/csv; charset=ISO-8859-1", file(5));
    assert_eq!(counts(&summary), (2, 2, 0, 0), "{summary}");
    let names: Vec<String> = import
        .list("members")
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "Ærlige Øystein og Åse AS",
            "Ærlige Øystein og Åse AS",
            "Ærlige Øystein og Åse AS",
            "Blåbær og Smørbrød",
            "Blåbær og Smørbrød",
            "Blåbær og Smørbrød"
        ]
    );
    // The same letters in UTF-8 are UTF-8.
    let utf8 = format!(
        "org_number,name,municipality,membership_type,joined_on\n{},Ærlig Ås,3033,ordinary,2022-05-01\n",
        member_org_number(7)
    );
    let summary = import.ok("members", "", "text/csv", utf8.into_bytes());
    assert_eq!(summary["charset"], "utf-8");

    // Declared UTF-8 but not: refused with the offset of the first bad byte, not stored
    // as mojibake. Bytes Windows-1252 has no letter for: neither, refused.
    let reply = import.send("members", "", "text/csv; charset=utf-8", file(9));
    let problem = reply.problem(422);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("byte"),
        "{problem}"
    );
    let mut neither = file(11);
    neither.push(0x81);
    import.send("members", "", "text/csv", neither).problem(422);
    assert_eq!(import.count("members"), 7);
}

/// The mapping that imports a business-register export as members (docs/imports.md
/// shows it; this test holds it to what the service does).
const REGISTER_MAPPING: &str = "columns=organisasjonsnummer:org_number,navn:name,\
forretningsadresse.kommunenummer:municipality,antallAnsatte:employees\
&defaults=membership_type:ordinary,joined_on:2022-01-01&ignore_unknown_columns=true";

#[test]
fn a_business_register_export_imports_as_members_with_one_mapping() {
    let app = TestApp::spawn();
    let import = Importer::new(&app, "register");
    let export = format!(
        "\"organisasjonsnummer\";\"navn\";\"organisasjonsform.kode\";\"hjemmeside\";\
         \"forretningsadresse.adresse\";\"forretningsadresse.postnummer\";\
         \"forretningsadresse.poststed\";\"forretningsadresse.kommunenummer\";\
         \"forretningsadresse.kommune\";\"antallAnsatte\";\"naeringskode1.kode\"\r\n\
         \"{}\";\"GARDERMOEN LOGISTIKK AS\";\"AS\";\"\";\"Industrivegen 1\";\"2060\";\
         \"GARDERMOEN\";\"3033\";\"ULLENSAKER\";\"45\";\"52.291\"\r\n\
         \"{}\";\"NANNESTAD SNEKKERI\";\"ENK\";\"www.snekker.no\";\"Bygdevegen 5; bakgården\";\
         \"2030\";\"NANNESTAD\";\"3036\";\"NANNESTAD\";\"\";\"16.230\"\r\n",
        member_org_number(1),
        member_org_number(2)
    );
    let query = format!("?{REGISTER_MAPPING}");
    let summary = import.ok("members", &query, "text/csv", export.clone().into_bytes());
    assert_eq!(counts(&summary), (2, 2, 0, 0), "{summary}");
    let members = import.list("members");
    assert_eq!(members[0]["org_number"], member_org_number(1));
    assert_eq!(members[0]["name"], "GARDERMOEN LOGISTIKK AS");
    assert_eq!(members[0]["municipality"], "3033");
    assert_eq!(members[0]["employees"], 45);
    assert_eq!(members[0]["membership_type"], "ordinary");
    assert_eq!(members[0]["joined_on"], "2022-01-01");
    assert_eq!(members[1]["name"], "NANNESTAD SNEKKERI");
    assert_eq!(members[1]["employees"], Value::Null);
    // Next year's export again: matched by organisation number, nothing changes.
    let summary = import.ok("members", &query, "text/csv", export.into_bytes());
    assert_eq!(counts(&summary), (2, 0, 0, 2), "{summary}");
    let docs = include_str!("../../docs/imports.md");
    assert!(
        docs.contains(REGISTER_MAPPING),
        "docs/imports.md shows the business-register mapping"
    );
    // A default for a field the kind does not have is refused by name (422, like a
    // column the kind does not have).
    let reply = import.send(
        "members",
        "?defaults=medlemstype:ordinary",
        "text/csv",
        csv_of(&[keyed("members", 3)]),
    );
    let problem = reply.problem(422);
    assert_eq!(problem["errors"][0]["field"], "defaults");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("medlemstype")
    );
    // So is a default that is not a value of its field.
    let reply = import.send(
        "members",
        "?defaults=employees:many",
        "text/csv",
        csv_of(&[keyed("members", 3)]),
    );
    assert_eq!(reply.problem(422)["errors"][0]["field"], "defaults");
}
