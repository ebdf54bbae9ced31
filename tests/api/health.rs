use veikart_tests::TestApp;

#[test]
fn healthz_and_readyz_answer_when_the_database_is_up() {
    let app = TestApp::spawn();
    let health = app.get("/healthz").send();
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    let ready = app.get("/readyz").send();
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["status"], "ready");
}

#[test]
fn the_docs_page_is_served_without_the_internet() {
    let app = TestApp::spawn();
    let page = app.get("/docs/").send();
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("swagger-ui"),
        "{}",
        &page.body[..page.body.len().min(300)]
    );
    // Every script the page loads is served by Veikart itself.
    assert!(
        !page.body.contains("cdn"),
        "the docs page must not load from a CDN"
    );
    let script = app.get("/docs/swagger-ui-bundle.js").send();
    assert_eq!(script.status, 200);
    assert!(script.body.len() > 100_000);
    let initializer = app.get("/docs/swagger-initializer.js").send();
    assert!(initializer.body.contains("/api-docs/openapi.json"));
    assert!(
        initializer.body.contains("\"validatorUrl\": \"none\"")
            || initializer.body.contains("\"validatorUrl\":\"none\"")
    );
    let redirect = app.get("/docs").send();
    assert_eq!(redirect.status, 200, "/docs redirects to /docs/");
}
