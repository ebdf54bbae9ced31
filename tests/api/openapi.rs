use serde_json::Value;
use veikart_tests::TestApp;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[test]
fn the_served_document_equals_the_committed_one() {
    let app = TestApp::spawn();
    let served = app.get("/api-docs/openapi.json").send();
    assert_eq!(served.status, 200);
    let committed: Value = serde_json::from_str(COMMITTED).expect("openapi/openapi.json is JSON");
    assert!(
        served.json() == committed,
        "openapi/openapi.json is out of date: regenerate it with \
         `cargo run -p veikart-cli -- openapi > openapi/openapi.json`"
    );
    // The committed file is exactly what `veikart openapi` prints.
    let generated = serde_json::to_string_pretty(&veikart_api::openapi()).unwrap() + "\n";
    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is not formatted as `veikart openapi` prints it"
    );
}

#[test]
fn the_document_is_openapi_3_1_with_bearer_security_and_problem_errors() {
    let doc: Value = serde_json::to_value(veikart_api::openapi()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer_auth"]["scheme"],
        "bearer"
    );
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.contains_key("/api/v1/orgs/{org}/plans/{id}"));
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let reference = response["$ref"].as_str().unwrap_or_default();
                    assert!(
                        reference.starts_with("#/components/responses/Problem"),
                        "{method} {path} {status} is not a problem response"
                    );
                }
            }
            if path.starts_with("/api/v1") {
                assert!(
                    responses.contains_key("401"),
                    "{method} {path} documents no 401"
                );
                assert!(
                    responses.contains_key("503"),
                    "{method} {path} documents no 503"
                );
            }
        }
    }
    let problem =
        &doc["components"]["responses"]["Problem422"]["content"]["application/problem+json"];
    assert_eq!(problem["schema"]["$ref"], "#/components/schemas/Problem");
}
