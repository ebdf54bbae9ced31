use serde_json::json;
use veikart_domain::Role;
use veikart_tests::{TestApp, org_number_for};

#[test]
fn a_platform_admin_creates_and_reads_an_organisation() {
    let app = TestApp::spawn();
    let created = app
        .post("/api/v1/orgs")
        .bearer(&app.platform_admin())
        .json(&json!({"slug": "innovasjon-gardermoen", "name": "Innovasjon Gardermoen", "org_number": "923 609 016"}))
        .send();
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.header("location"),
        Some("/api/v1/orgs/innovasjon-gardermoen")
    );
    assert_eq!(created.header("etag"), Some("\"v1\""));
    let body = created.json();
    assert_eq!(body["org_number"], "923609016");
    assert_eq!(body["version"], 1);

    let fetched = app
        .get("/api/v1/orgs/innovasjon-gardermoen")
        .bearer(&app.token("innovasjon-gardermoen", Role::Viewer))
        .send();
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.json()["name"], "Innovasjon Gardermoen");
}

#[test]
fn a_taken_slug_is_a_conflict_naming_the_field() {
    let app = TestApp::spawn();
    app.create_org("taken");
    let again = app
        .post("/api/v1/orgs")
        .bearer(&app.platform_admin())
        .json(&json!({"slug": "taken", "name": "Another", "org_number": org_number_for("other")}))
        .send();
    again.problem(409);
    assert_eq!(again.error_fields(), ["slug"]);
}

#[test]
fn invalid_slugs_names_and_organisation_numbers_are_all_reported() {
    let app = TestApp::spawn();
    let reply = app
        .post("/api/v1/orgs")
        .bearer(&app.platform_admin())
        .json(&json!({"slug": "Not A Slug", "name": "  ", "org_number": "923609017"}))
        .send();
    reply.problem(422);
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["name", "org_number", "slug"]);
}

#[test]
fn organisations_are_listed_page_by_page() {
    let app = TestApp::spawn();
    for slug in ["org-a", "org-b", "org-c"] {
        app.create_org(slug);
    }
    let admin = app.platform_admin();
    let first = app.get("/api/v1/orgs?limit=2").bearer(&admin).send().json();
    let slugs: Vec<_> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["slug"].clone())
        .collect();
    assert_eq!(slugs, ["org-a", "org-b"]);
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let second = app
        .get(&format!("/api/v1/orgs?limit=2&cursor={cursor}"))
        .bearer(&admin)
        .send()
        .json();
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["items"][0]["slug"], "org-c");
    assert!(second.get("next_cursor").is_none());
}

#[test]
fn an_admin_renames_the_organisation_and_the_version_moves_on() {
    let app = TestApp::spawn();
    let org = app.create_org("rename-me");
    let reply = app
        .patch(&format!("/api/v1/orgs/{org}"))
        .bearer(&app.token(&org, Role::Admin))
        .json(&json!({"name": "Nytt navn"}))
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["name"], "Nytt navn");
    assert_eq!(reply.header("etag"), Some("\"v2\""));
    let unknown = app
        .patch(&format!("/api/v1/orgs/{org}"))
        .bearer(&app.token(&org, Role::Admin))
        .json(&json!({"slug": "new-slug"}))
        .send();
    unknown.problem(422);
    assert_eq!(unknown.error_fields(), ["slug"]);
}

#[test]
fn an_organisation_with_plans_cannot_be_deleted_until_they_are_gone() {
    let app = TestApp::spawn();
    let org = app.create_org("to-delete");
    let plan = app.create_plan(&org, "Plan");
    let admin = app.platform_admin();
    app.delete(&format!("/api/v1/orgs/{org}"))
        .bearer(&admin)
        .send()
        .problem(409);
    let removed = app
        .delete(&format!("/api/v1/orgs/{org}/plans/{}", plan["id"]))
        .bearer(&app.token(&org, Role::Admin))
        .send();
    assert_eq!(removed.status, 204);
    assert_eq!(
        app.delete(&format!("/api/v1/orgs/{org}"))
            .bearer(&admin)
            .send()
            .status,
        204
    );
    app.get(&format!("/api/v1/orgs/{org}"))
        .bearer(&admin)
        .send()
        .problem(404);
}

#[test]
fn the_web_site_and_embed_origins_are_set_read_and_cleared() {
    let app = TestApp::spawn();
    let created = app
        .post("/api/v1/orgs")
        .bearer(&app.platform_admin())
        .json(&json!({
            "slug": "on-the-web", "name": "På nett", "org_number": org_number_for("on-the-web"),
            "website": "https://www.example.no/om-oss",
            "embed_origins": ["https://intranett.example.no", "http://localhost:8080"],
        }))
        .send();
    assert_eq!(created.status, 201, "{}", created.body);
    let url = "/api/v1/orgs/on-the-web";
    let admin = app.token("on-the-web", Role::Admin);
    let read = || app.get(url).bearer(&admin).send().json();
    assert_eq!(read()["website"], "https://www.example.no/om-oss");
    assert_eq!(
        read()["embed_origins"],
        json!(["https://intranett.example.no", "http://localhost:8080"])
    );

    let patch = |body: serde_json::Value| {
        let reply = app.patch(url).bearer(&admin).json(&body).send();
        assert_eq!(reply.status, 200, "{body}: {}", reply.body);
        reply.json()
    };
    let any = patch(json!({"embed_origins": ["*"]}));
    assert_eq!(any["embed_origins"], json!(["*"]));
    assert_eq!(any["website"], "https://www.example.no/om-oss");
    assert_eq!(
        patch(json!({"embed_origins": []}))["embed_origins"],
        json!([])
    );
    let cleared = patch(json!({"website": null, "embed_origins": null}));
    assert_eq!(
        (&cleared["website"], &cleared["embed_origins"]),
        (&json!(null), &json!(null))
    );
    assert_eq!(
        (&read()["website"], &read()["embed_origins"]),
        (&json!(null), &json!(null))
    );
}

#[test]
fn an_organisation_without_web_settings_shows_them_as_null() {
    let app = TestApp::spawn();
    let org = app.create_org("plain");
    let body = app
        .get(&format!("/api/v1/orgs/{org}"))
        .bearer(&app.token(&org, Role::Viewer))
        .send()
        .json();
    assert_eq!(body["website"], json!(null));
    assert_eq!(body["embed_origins"], json!(null));
    let listed = app
        .get("/api/v1/orgs")
        .bearer(&app.platform_admin())
        .send()
        .json();
    assert_eq!(listed["items"][0]["website"], json!(null));
}

#[test]
fn invalid_web_settings_are_refused_naming_the_field() {
    let app = TestApp::spawn();
    let org = app.create_org("strict");
    let admin = app.token(&org, Role::Admin);
    let cases = [
        (json!({"website": "ftp://x"}), "website", "https://"),
        (json!({"website": "www.example.no"}), "website", "https://"),
        (
            json!({"embed_origins": ["ftp://x"]}),
            "embed_origins[0]",
            "https://",
        ),
        (
            json!({"embed_origins": ["https://a.no", "https://a.no/path"]}),
            "embed_origins[1]",
            "without a path",
        ),
        (
            json!({"embed_origins": ["*", "https://a.no"]}),
            "embed_origins",
            "only",
        ),
        (
            json!({"embed_origins": ["https://a.no", "https://a.no"]}),
            "embed_origins",
            "twice",
        ),
        (
            json!({"embed_origins": "https://a.no"}),
            "embed_origins",
            "",
        ),
    ];
    for (body, field, says) in cases {
        let reply = app
            .patch(&format!("/api/v1/orgs/{org}"))
            .bearer(&admin)
            .json(&body)
            .send();
        let problem = reply.problem(422);
        assert_eq!(reply.error_fields(), [field], "{body}");
        assert!(problem.to_string().contains(says), "{body}: {problem}");
    }
    let created = app
        .post("/api/v1/orgs")
        .bearer(&app.platform_admin())
        .json(&json!({"slug": "bad-site", "name": "X", "org_number": org_number_for("bad-site"), "website": "https://A.no"}))
        .send();
    created.problem(422);
    assert_eq!(created.error_fields(), ["website"]);
    // Nothing was changed by the refused requests.
    let etag = app
        .get(&format!("/api/v1/orgs/{org}"))
        .bearer(&admin)
        .send();
    assert_eq!(etag.header("etag"), Some("\"v1\""));
}

#[test]
fn a_record_write_moves_the_time_the_data_last_changed() {
    let app = TestApp::spawn();
    let org = app.create_org("fresh");
    let plan = app.create_plan(&org, "Plan");
    let plan_id = plan["id"].as_i64().unwrap();
    let mut conn = veikart_store::db::connect(app.db.url()).unwrap();
    let mut version = || {
        veikart_store::plans::data_version(
            &mut conn,
            veikart_store::Org::Slug(&org),
            plan_id,
            false,
        )
        .unwrap()
    };
    let before = version();
    std::thread::sleep(std::time::Duration::from_millis(5));
    app.create(&org, "/members", veikart_tests::record_body("members", 1));
    let after = version();
    assert_eq!(after.version, before.version + 1);
    assert!(
        after.changed_at > before.changed_at,
        "{before:?} → {after:?}"
    );
    assert!(after.changed_at <= veikart_store::now());
}
