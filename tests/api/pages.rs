//! The public web pages, from outside: what a published plan's pages show and to whom,
//! in which language, with which headers, and that they never show what is not
//! published or run what an organisation typed. The browser suite (`tests/browser/`)
//! checks what a browser makes of them: accessibility, keyboard, print.

use serde_json::{Value, json};
use veikart_domain::Role;
use veikart_tests::{PlanBuilder, Reply, TestApp};

const ORG: &str = veikart_api::demo::DEMO_ORG;
const PLAN: &str = "/p/innovasjon-gardermoen/plans/1";

fn demo() -> TestApp {
    TestApp::spawn_with(|settings| {
        veikart_api::demo::load_if_empty(&settings.database_url).unwrap();
    })
}

/// Every `data-kpi-id`, `data-status` and `data-actual` of an HTML page, in order.
fn kpi_figures(html: &str) -> Vec<(i64, String, String)> {
    let attr = |tag: &str, name: &str| -> String {
        let key = format!("{name}=\"");
        let start = tag.find(&key).map(|i| i + key.len()).unwrap_or_default();
        let end = tag[start..].find('"').map_or(start, |e| start + e);
        tag[start..end].to_owned()
    };
    html.match_indices("data-kpi-id=\"")
        .map(|(i, _)| {
            let tag_start = html[..i].rfind('<').unwrap();
            let tag_end = i + html[i..].find('>').unwrap();
            let tag = &html[tag_start..tag_end];
            (
                attr(tag, "data-kpi-id").parse().unwrap(),
                attr(tag, "data-status"),
                attr(tag, "data-actual"),
            )
        })
        .collect()
}

/// Every KPI's id, status and actual in a scorecard's JSON, in its order.
fn scorecard_figures(card: &Value) -> Vec<(i64, String, String)> {
    let areas = card["focus_areas"].as_array().unwrap();
    areas
        .iter()
        .flat_map(|a| a["kpis"].as_array().unwrap().iter())
        .chain(card["plan_kpis"].as_array().unwrap().iter())
        .map(|k| {
            let actual = match &k["result"]["actual"] {
                Value::Null => String::new(),
                n => n.as_f64().unwrap().to_string(),
            };
            (
                k["kpi_id"].as_i64().unwrap(),
                k["result"]["status"].as_str().unwrap().to_owned(),
                actual,
            )
        })
        .collect()
}

fn assert_html(reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(reply.body.starts_with("<!DOCTYPE html>"), "{}", reply.body);
    assert!(!reply.body.contains("<script"), "a page has no script");
}

#[test]
fn every_kpi_on_the_progress_page_and_the_report_equals_the_scorecard_json() {
    let app = demo();
    for as_of in ["2022-06-30", "2022-12-31", "2021-12-31"] {
        let card = app
            .get(&format!(
                "/api/v1/orgs/{ORG}/plans/1/scorecard?as_of={as_of}"
            ))
            .send()
            .json();
        let expected = scorecard_figures(&card);
        assert_eq!(expected.len(), 12);
        for page in ["", "/report", "/embed"] {
            let reply = app.get(&format!("{PLAN}{page}?as_of={as_of}")).send();
            assert_html(&reply, 200);
            assert_eq!(kpi_figures(&reply.body), expected, "{page} at {as_of}");
        }
    }
}

#[test]
fn a_page_is_sent_with_the_headers_a_web_site_needs_and_answers_304() {
    let app = demo();
    let page = app.get(&format!("{PLAN}?as_of=2022-06-30")).send();
    assert_html(&page, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("script-src"),
        "{csp}"
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert!(page.header("referrer-policy").is_some());
    assert_eq!(page.header("cache-control"), Some("public, max-age=60"));
    let tag = page.header("etag").unwrap().to_owned();

    let (statements, again) = app.statements_during(|| {
        app.get(&format!("{PLAN}?as_of=2022-06-30"))
            .header("If-None-Match", &tag)
            .send()
    });
    assert_eq!((again.status, statements), (304, 1), "{}", again.body);
    // Another date, language or page is another ETag.
    for other in [
        format!("{PLAN}?as_of=2022-07-01"),
        format!("{PLAN}?as_of=2022-06-30&lang=en"),
        format!("{PLAN}/report?as_of=2022-06-30"),
    ] {
        let reply = app.get(&other).header("If-None-Match", &tag).send();
        assert_eq!(reply.status, 200, "{other}");
        assert_ne!(reply.header("etag"), Some(tag.as_str()), "{other}");
    }
    // A warm page costs the one statement that reads the data version.
    let (statements, warm) =
        app.statements_during(|| app.get(&format!("{PLAN}?as_of=2022-06-30")).send());
    assert_eq!((warm.status, statements), (200, 1));
    assert_eq!(warm.body, page.body);
}

#[test]
fn a_change_to_the_records_changes_the_page() {
    let app = demo();
    let before = app.get(&format!("{PLAN}?as_of=2022-12-31")).send();
    let tag = before.header("etag").unwrap().to_owned();
    app.create(
        ORG,
        "/activities",
        json!({"kind": "member_meeting", "title": "Ekstra medlemsmøte", "date": "2022-12-20", "status": "held"}),
    );
    let after = app
        .get(&format!("{PLAN}?as_of=2022-12-31"))
        .header("If-None-Match", &tag)
        .send();
    assert_eq!(after.status, 200);
    let count = |html: &str| kpi_figures(html).into_iter().find(|k| k.0 == 1).unwrap().2;
    assert_eq!(
        (count(&before.body), count(&after.body)),
        ("43".into(), "44".into())
    );
}

#[test]
fn the_language_is_bokmal_unless_english_is_asked_for() {
    let app = demo();
    let lang_of = |reply: &Reply| {
        assert_html(reply, 200);
        reply.body.split("<html lang=\"").nth(1).unwrap()[..2].to_owned()
    };
    let page = format!("{PLAN}?as_of=2022-06-30");
    assert_eq!(lang_of(&app.get(&page).send()), "nb");
    assert_eq!(lang_of(&app.get(&format!("{page}&lang=en")).send()), "en");
    let english = app
        .get(&page)
        .header("Accept-Language", "en-GB,en;q=0.9")
        .send();
    assert_eq!(lang_of(&english), "en");
    let norwegian = app
        .get(&page)
        .header("Accept-Language", "de, nb;q=0.8, en;q=0.5")
        .send();
    assert_eq!(lang_of(&norwegian), "nb");
    // `lang` wins over the header.
    let asked = app
        .get(&format!("{page}&lang=nb"))
        .header("Accept-Language", "en")
        .send();
    assert_eq!(lang_of(&asked), "nb");
    assert_eq!(
        app.get(&page).send().header("vary"),
        Some("Accept-Language")
    );
}

#[test]
fn numbers_and_dates_are_written_for_the_language() {
    let app = demo();
    let nb = app.get(&format!("{PLAN}?as_of=2022-06-30")).send().body;
    let en = app
        .get(&format!("{PLAN}?as_of=2022-06-30&lang=en"))
        .send()
        .body;
    // KPI 1a expects 19.8 held activities by 30 June (40 × 181/365).
    assert!(nb.contains("19,8\u{a0}aktiviteter"), "nb decimal comma");
    assert!(en.contains("19.8\u{a0}aktiviteter"), "en decimal point");
    assert!(nb.contains("Status per 30.06.2022"));
    assert!(en.contains("Status as of 30 Jun 2022"));
    // Counts are whole numbers; percentages carry a space before the sign.
    assert!(nb.contains(">19\u{a0}aktiviteter<"));
    assert!(nb.contains("\u{a0}%"));
}

#[test]
fn a_malformed_query_is_a_400_page_in_the_asked_language() {
    let app = demo();
    for query in [
        "as_of=30.06.2022",
        "as_of=2022-13-01",
        "lang=de",
        "as_of=2022-06-30&lang=en&as_of=x",
    ] {
        let reply = app.get(&format!("{PLAN}?{query}")).send();
        assert_html(&reply, 400);
    }
    let english = app.get(&format!("{PLAN}?as_of=yesterday&lang=en")).send();
    assert!(english.body.contains("YYYY-MM-DD"), "{}", english.body);
    let embed = app.get(&format!("{PLAN}/embed?focus_area=999999")).send();
    assert_html(&embed, 400);
    // An empty date (the form sent without one) is today.
    assert_html(&app.get(&format!("{PLAN}?as_of=")).send(), 200);
}

#[test]
fn an_unpublished_or_unknown_plan_is_the_same_404_and_shows_nothing_of_it() {
    let app = TestApp::spawn();
    let org = app.create_org("hemmelig");
    let plan = app.create_plan(&org, "Hemmelig plan 2030");
    let id = plan["id"].as_i64().unwrap();
    let paths = |id: &str| {
        [
            format!("/p/{org}/plans/{id}"),
            format!("/p/{org}/plans/{id}/report"),
            format!("/p/{org}/plans/{id}/embed"),
            format!("/p/{org}/plans/{id}/kpis/1/badge.svg"),
        ]
    };
    // Every page is asked under one request id, so that the pages can be compared whole;
    // the 404 page shows it, for a support mail.
    const ID: &str = "support-mail-404";
    let not_found = app
        .get("/p/no-such-org/plans/1")
        .header("X-Request-Id", ID)
        .send();
    assert_html(&not_found, 404);
    assert!(
        not_found.body.contains(&format!("<code>{ID}</code>")),
        "{}",
        not_found.body
    );
    for path in paths(&id.to_string())
        .into_iter()
        .chain(paths("999999"))
        .chain(paths("abc"))
        .chain([
            format!("/p/{org}"),
            "/p/no-such-org".into(),
            format!("/p/{org}/plans"),
        ])
    {
        let reply = app.get(&path).header("X-Request-Id", ID).send();
        assert_html(&reply, 404);
        assert!(
            !reply.body.contains("Hemmelig plan"),
            "{path} leaks the title"
        );
        assert_eq!(reply.body, not_found.body, "{path}: one 404 page for all");
    }
    // Published, it shows; unpublished again, it is gone again.
    let editor = app.token(&org, Role::Editor);
    let plan_path = format!("/api/v1/orgs/{org}/plans/{id}");
    assert_eq!(
        app.post(&format!("{plan_path}/publish"))
            .bearer(&editor)
            .send()
            .status,
        200
    );
    let shown = app.get(&format!("/p/{org}/plans/{id}")).send();
    assert_html(&shown, 200);
    assert!(shown.body.contains("Hemmelig plan 2030"));
    assert!(
        app.get(&format!("/p/{org}"))
            .send()
            .body
            .contains("Hemmelig plan 2030")
    );
    assert_eq!(
        app.post(&format!("{plan_path}/unpublish"))
            .bearer(&editor)
            .send()
            .status,
        200
    );
    assert_html(&app.get(&format!("/p/{org}/plans/{id}")).send(), 404);
}

#[test]
fn what_an_organisation_typed_is_shown_as_text_never_run() {
    let app = TestApp::spawn();
    let org = app.create_org("skript");
    let title = "<script>alert(1)</script> & \"quotes\"";
    let reply = app
        .post(&format!("/api/v1/orgs/{org}/plans"))
        .bearer(&app.token(&org, Role::Admin))
        .json(
            &PlanBuilder::new(title)
                .with("intro", json!("<img src=x onerror=alert(2)>"))
                .build(),
        )
        .send();
    assert_eq!(reply.status, 201, "{}", reply.body);
    let id = reply.json()["id"].as_i64().unwrap();
    let editor = app.token(&org, Role::Editor);
    app.post(&format!("/api/v1/orgs/{org}/plans/{id}/publish"))
        .bearer(&editor)
        .send();
    for path in [
        format!("/p/{org}/plans/{id}"),
        format!("/p/{org}/plans/{id}/report"),
        format!("/p/{org}"),
    ] {
        let page = app.get(&path).send();
        assert_html(&page, 200);
        assert!(
            page.body
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp;"),
            "{path}"
        );
        assert!(
            page.body.contains("&lt;img src=x onerror=alert(2)&gt;") || path.ends_with(&org),
            "{path}"
        );
        assert!(!page.body.contains("<img"), "{path}");
    }
}

#[test]
fn the_badge_is_well_formed_svg_with_a_text_alternative() {
    let app = demo();
    let reply = app
        .get(&format!("{PLAN}/kpis/1/badge.svg?as_of=2022-06-30&lang=en"))
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("image/svg+xml"));
    let doc = roxmltree::Document::parse(&reply.body).expect("the badge is XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert_eq!(root.attribute("role"), Some("img"));
    let label = root.attribute("aria-label").unwrap();
    assert!(label.contains("At risk") && label.contains("19"), "{label}");
    let title = root.children().find(|n| n.has_tag_name("title")).unwrap();
    assert_eq!(title.text(), Some(label));
    // A KPI of another plan, or none, is the 404 page.
    assert_html(&app.get(&format!("{PLAN}/kpis/999/badge.svg")).send(), 404);
}

#[test]
fn only_the_embed_may_be_framed_and_only_where_the_organisation_allows() {
    let app = demo();
    let embed = || app.get(&format!("{PLAN}/embed?as_of=2022-06-30")).send();
    let ancestors = |reply: &Reply| {
        let csp = reply.header("content-security-policy").unwrap().to_owned();
        csp.split("frame-ancestors ")
            .nth(1)
            .unwrap()
            .trim()
            .to_owned()
    };
    // By default, the organisation's own web site (the demo has one).
    assert_eq!(ancestors(&embed()), "https://www.innovasjongardermoen.no");
    let admin = app.token(ORG, Role::Admin);
    let patch = |body: Value| {
        let reply = app
            .patch(&format!("/api/v1/orgs/{ORG}"))
            .bearer(&admin)
            .json(&body)
            .send();
        assert_eq!(reply.status, 200, "{}", reply.body);
    };
    patch(json!({"embed_origins": ["https://intranett.example.no", "http://localhost:3000"]}));
    assert_eq!(
        ancestors(&embed()),
        "https://intranett.example.no http://localhost:3000"
    );
    patch(json!({"embed_origins": ["*"]}));
    assert_eq!(ancestors(&embed()), "*");
    patch(json!({"embed_origins": null, "website": null}));
    assert_eq!(ancestors(&embed()), "'none'");
    // Every other page may never be framed.
    for path in [
        PLAN.to_owned(),
        format!("{PLAN}/report"),
        "/".into(),
        format!("/p/{ORG}"),
    ] {
        assert_eq!(ancestors(&app.get(&path).send()), "'none'", "{path}");
    }
    // One focus area alone.
    let one = app
        .get(&format!("{PLAN}/embed?as_of=2022-06-30&focus_area=1"))
        .send();
    assert_html(&one, 200);
    assert_eq!(kpi_figures(&one.body).len(), 2);
}

#[test]
fn the_stylesheet_is_served_under_its_hash_for_a_year_and_the_page_weighs_little() {
    let app = demo();
    let page = app.get(&format!("{PLAN}?as_of=2022-06-30")).send();
    let href = page
        .body
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .unwrap();
    let href = &href[..href.find('"').unwrap()];
    assert!(
        href.starts_with("/p/assets/") && href.ends_with(".css"),
        "{href}"
    );
    let css = app.get(href).send();
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(
        css.header("cache-control")
            .unwrap()
            .contains("max-age=31536000")
    );
    assert_html(&app.get("/p/assets/0000000000000000.css").send(), 404);
    // The demo's progress page, HTML and CSS, in at most 100 kB uncompressed.
    let weight = page.body.len() + css.body.len();
    assert!(
        weight <= 100_000,
        "the demo's progress page weighs {weight} bytes"
    );
}

#[test]
fn the_front_page_leads_to_the_demo_plan_in_two_clicks() {
    let app = demo();
    let front = app.get("/").send();
    assert_html(&front, 200);
    assert!(front.body.contains("href=\"/docs/\""));
    assert!(front.body.contains(&format!("href=\"/p/{ORG}\"")));
    let org = app.get(&format!("/p/{ORG}")).send();
    assert_html(&org, 200);
    assert!(
        org.body.contains(&format!("href=\"{PLAN}\"")),
        "{}",
        org.body
    );
    assert!(org.body.contains("Handlingsplan 2022"));
}

#[test]
fn the_page_links_to_the_same_figures_as_csv_and_json() {
    let app = demo();
    let page = app.get(&format!("{PLAN}?as_of=2022-06-30")).send().body;
    let link = |name: &str| {
        let at = page.find(&format!("data-link=\"{name}\" href=\"")).unwrap();
        let rest = &page[at..];
        let start = rest.find("href=\"").unwrap() + 6;
        rest[start..start + rest[start..].find('"').unwrap()].replace("&amp;", "&")
    };
    let csv = app.get(&link("scorecard-csv")).send();
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert_eq!(csv.body.lines().count(), 13, "a header and 12 KPIs");
    let json = app.get(&link("scorecard-json")).send().json();
    assert_eq!(json["as_of"], "2022-06-30");
    let report = app.get(&link("report")).send();
    assert_html(&report, 200);
}

#[test]
fn the_report_sums_the_budget_and_the_activities_held() {
    let app = demo();
    let report = app.get(&format!("{PLAN}/report?as_of=2022-12-31")).send();
    assert_html(&report, 200);
    // The 43 activities held in 2022 (KPI 1a's year), by kind and month.
    let activities = report.body.split("class=\"activities\"").nth(1).unwrap();
    let total_row = activities.split("<tfoot>").nth(1).unwrap();
    assert!(
        total_row.contains("<td class=\"num\">43</td></tr>"),
        "{total_row}"
    );

    let app = TestApp::spawn();
    let org = app.create_org("budsjett");
    let plan = app.create_plan(&org, "Plan med budsjett")["id"]
        .as_i64()
        .unwrap();
    for (code, amount, spent) in [
        ("4000", 100_000, json!(40_000)),
        ("5000", 50_000, Value::Null),
    ] {
        app.create(
            &org,
            &format!("/plans/{plan}/budget-lines"),
            json!({"code": code, "title": format!("Post {code}"), "amount": amount, "actual_spent": spent}),
        );
    }
    let editor = app.token(&org, Role::Editor);
    app.post(&format!("/api/v1/orgs/{org}/plans/{plan}/publish"))
        .bearer(&editor)
        .send();
    let report = app.get(&format!("/p/{org}/plans/{plan}/report")).send();
    assert_html(&report, 200);
    let budget = report.body.split("class=\"budget\"").nth(1).unwrap();
    let totals = budget.split("<tfoot>").nth(1).unwrap();
    for total in [
        "150\u{a0}000\u{a0}kr",
        "40\u{a0}000\u{a0}kr",
        "110\u{a0}000\u{a0}kr",
    ] {
        assert!(totals.contains(total), "{total} in {totals}");
    }
}

#[test]
fn the_header_says_who_adopted_the_plan_and_when() {
    let app = demo();
    let before = app.get(&format!("{PLAN}?as_of=2022-06-30")).send().body;
    assert!(!before.contains("Vedtatt av"), "a draft is not adopted");
    let adopted = app
        .post(&format!("/api/v1/orgs/{ORG}/plans/1/adopt"))
        .bearer(&app.token(ORG, Role::Admin))
        .json(&json!({"adopted_on": "2022-03-24", "adopted_by": "årsmøtet"}))
        .send();
    assert_eq!(adopted.status, 200, "{}", adopted.body);
    let nb = app.get(&format!("{PLAN}?as_of=2022-06-30")).send().body;
    assert!(nb.contains("Vedtatt av årsmøtet 24.03.2022"), "{nb}");
    let en = app
        .get(&format!("{PLAN}?as_of=2022-06-30&lang=en"))
        .send()
        .body;
    assert!(en.contains("Adopted by årsmøtet 24 Mar 2022"));
}

#[test]
fn a_cold_page_costs_as_many_statements_for_a_month_as_for_a_year() {
    let app = demo();
    let cold = |as_of: &str| {
        let (statements, reply) =
            app.statements_during(|| app.get(&format!("{PLAN}?as_of={as_of}")).send());
        assert_html(&reply, 200);
        statements
    };
    // The charts read every KPI's months through the plan-wide series, whose statements
    // do not grow with the months. (The scorecard's depend on what each KPI needs at the
    // date — nothing before its start, planned activities only while it is open — so
    // both dates are inside every KPI's period: 2 and 11 months of charts.)
    assert_eq!(cold("2022-04-30"), cold("2022-11-30"));
}
