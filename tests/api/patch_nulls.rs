//! What `null` means in a PATCH body is in the contract: a field the document declares
//! nullable is cleared by `null`; any other field refuses `null` with 422 naming it and
//! changes nothing (the version stays). Every PATCH operation of the document is tried,
//! so a new one is covered without being listed here.

use serde_json::{Value, json};
use veikart_domain::Role;
use veikart_tests::{Everything, TestApp};

fn is_nullable(property: &Value) -> bool {
    property["type"]
        .as_array()
        .is_some_and(|types| types.iter().any(|t| t == "null"))
        || property["oneOf"]
            .as_array()
            .is_some_and(|items| items.iter().any(|i| i["type"] == "null"))
}

#[test]
fn null_is_refused_for_every_patch_field_the_contract_declares_not_nullable() {
    let app = TestApp::spawn();
    let everything = Everything::create(&app, "nulls");
    let admin = app.token(&everything.org, Role::Admin);
    let doc = serde_json::to_value(veikart_api::openapi()).unwrap();

    let mut refused = 0;
    let mut cleared = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        let Some(operation) = item.get("patch") else {
            continue;
        };
        let reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap();
        let name = reference.rsplit('/').next().unwrap();
        let schema = &doc["components"]["schemas"][name];
        let url = everything.concrete(&app, template, &admin);
        for (field, property) in schema["properties"].as_object().unwrap() {
            let etag = |app: &TestApp| {
                let reply = app.get(&url).bearer(&admin).send();
                assert_eq!(reply.status, 200, "GET {url}: {}", reply.body);
                reply.header("etag").unwrap().to_owned()
            };
            let before = etag(&app);
            let reply = app
                .patch(&url)
                .bearer(&admin)
                .json(&json!({ field: null }))
                .send();
            if is_nullable(property) {
                let refused_null = reply.status == 422
                    && reply.body.contains("must not be null")
                    && reply.error_fields().contains(field);
                assert!(!refused_null, "{name}.{field} is nullable but refused null");
                cleared += 1;
            } else {
                let problem = reply.problem(422);
                assert_eq!(
                    reply.error_fields(),
                    vec![field.clone()],
                    "PATCH {url} {{{field}: null}}: {problem}"
                );
                assert_eq!(etag(&app), before, "{name}.{field}: the version moved");
                refused += 1;
            }
        }
    }
    assert!(
        refused >= 28,
        "only {refused} non-nullable fields were tried"
    );
    assert!(cleared >= 10, "only {cleared} nullable fields were tried");
}
