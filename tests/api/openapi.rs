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

#[test]
fn every_response_is_described_every_operation_declares_security_and_pages_reference_their_items() {
    let doc: Value = serde_json::to_value(veikart_api::openapi()).unwrap();
    assert_eq!(doc["servers"][0]["url"], "/");
    assert_eq!(doc["info"]["license"]["identifier"], "MIT OR Apache-2.0");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            assert!(
                operation["security"].is_array(),
                "{method} {path} declares no security"
            );
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{method} {path} has no summary"
            );
            for (status, response) in operation["responses"].as_object().unwrap() {
                let described = response["$ref"].is_string()
                    || response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty());
                assert!(described, "{method} {path} {status} has no description");
            }
        }
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let pages: Vec<_> = schemas.keys().filter(|n| n.starts_with("Page_")).collect();
    assert!(pages.len() >= 10);
    for name in pages {
        let item = name.strip_prefix("Page_").unwrap();
        assert_eq!(
            schemas[name]["properties"]["items"]["items"]["$ref"],
            format!("#/components/schemas/{item}"),
            "{name} does not reference {item}"
        );
        assert!(schemas.contains_key(item));
    }
    // The plan document: always whole when served, with defaults when sent.
    assert_eq!(
        schemas["PlanDocument"]["required"]
            .as_array()
            .unwrap()
            .len(),
        schemas["PlanDocument"]["properties"]
            .as_object()
            .unwrap()
            .len()
    );
    assert_eq!(
        doc["paths"]["/api/v1/orgs/{org}/plans/import"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"]["$ref"],
        "#/components/schemas/PlanDocumentInput"
    );
}
