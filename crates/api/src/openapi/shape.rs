//! The conventions that make the document what generated clients need, applied to its
//! JSON form once every handler's path is in. Each pass states one rule for every
//! operation and schema, so a new operation follows them without anyone remembering:
//!
//! - the document names its server and its licence by SPDX identifier;
//! - an operation that declares no security is public (`security: []`);
//! - an operation that accepts a JWT accepts an API key too (a second requirement, `api_key`);
//! - every response has a description, and declares the `X-Request-Id` header every
//!   response carries (one named header, `#/components/headers/RequestId`);
//! - header parameters are strings, never `null` (absent is how a client leaves one out);
//! - an inline object schema equal to a named schema is a `$ref` to it, so a list item is
//!   the same type as the single resource (`Page_Plan.items` → `Plan`);
//! - the plan document, which clients both send (import) and receive (export, revisions),
//!   is two schemas: the response form lists every field as required, because the
//!   service always writes every field; the request form (`…Input`) keeps the defaults;
//! - in a schema that only responses use, a nullable field is required: the service
//!   writes it as `null` rather than leaving it out (a field that may be left out is
//!   declared `nullable = false` on its Rust type, like `Page::next_cursor`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

/// The schemas that clients both send and receive and that the service always writes
/// whole; each gets a request form named `<name>Input`.
const WHOLE_IN_RESPONSES: [&str; 7] = [
    "PlanDocument",
    "StrategyDocument",
    "GoalDocument",
    "FocusAreaDocument",
    "KpiDocument",
    "MeasureDocument",
    "BudgetLineDocument",
];

const SCHEMA_PREFIX: &str = "#/components/schemas/";

pub(super) fn apply(doc: &mut Value, licence: &str) {
    declare_server_and_licence(doc, licence);
    for operation in operations(doc) {
        mark_public(operation);
        describe_responses(operation);
        header_parameters_are_not_null(operation);
    }
    reference_named_schemas(doc);
    split_whole_in_responses(doc);
    require_present_fields(doc);
    declare_request_id(doc);
}

/// The header that names a request, as the components declare it once.
const REQUEST_ID: &str = "RequestId";

/// Every response carries `X-Request-Id`: declared once under `components.headers` and
/// referred to by every response the document defines, inline or named.
fn declare_request_id(doc: &mut Value) {
    doc["components"]["headers"][REQUEST_ID] = json!({
        "description": "The request's id: the client's own `X-Request-Id` when it sent a sane \
            one (printable ASCII without spaces, at most 128 characters), else a new UUID. \
            A problem's `instance` is `urn:veikart:request:<id>`, and the server's log lines \
            about the request carry it.",
        "required": true,
        "schema": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[!-~]+$"}
    });
    let reference = json!({"$ref": format!("#/components/headers/{REQUEST_ID}")});
    if let Some(named) = doc["components"]["responses"].as_object_mut() {
        named
            .values_mut()
            .for_each(|response| name_the_request(response, &reference));
    }
    for operation in operations(doc) {
        if let Some(own) = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        {
            own.values_mut()
                .for_each(|response| name_the_request(response, &reference));
        }
    }
}

/// Declares `X-Request-Id` on a response defined here (a `$ref` is declared where it
/// points).
fn name_the_request(response: &mut Value, reference: &Value) {
    let Some(response) = response.as_object_mut() else {
        return;
    };
    if !response.contains_key("$ref") {
        let headers = response.entry("headers").or_insert_with(|| json!({}));
        headers["X-Request-Id"] = reference.clone();
    }
}

/// Every operation that accepts a JWT (`bearer`) accepts an API key (`api_key`) too, as
/// an alternative requirement.
pub(super) fn offer_api_keys(doc: &mut Value, bearer: &str, api_key: &str) {
    for operation in operations(doc) {
        let Some(security) = operation.get_mut("security").and_then(Value::as_array_mut) else {
            continue;
        };
        let takes_tokens = security.iter().any(|s| s.get(bearer).is_some());
        let takes_keys = security.iter().any(|s| s.get(api_key).is_some());
        if takes_tokens && !takes_keys {
            security.push(json!({ api_key: [] }));
        }
    }
}

fn declare_server_and_licence(doc: &mut Value, licence: &str) {
    doc["servers"] = json!([{"url": "/", "description": "This Veikart instance"}]);
    if let Some(info) = doc.get_mut("info").and_then(Value::as_object_mut) {
        let entry = info.entry("license").or_insert_with(|| json!({}));
        entry["name"] = json!(licence);
        entry["identifier"] = json!(licence);
    }
}

/// Every operation object of the document.
fn operations(doc: &mut Value) -> Vec<&mut Map<String, Value>> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Vec::new();
    };
    paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| {
            item.iter_mut()
                .filter(|(method, _)| METHODS.contains(&method.as_str()))
                .filter_map(|(_, operation)| operation.as_object_mut())
        })
        .collect()
}

fn mark_public(operation: &mut Map<String, Value>) {
    operation.entry("security").or_insert_with(|| json!([]));
}

fn describe_responses(operation: &mut Map<String, Value>) {
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (status, response) in responses.iter_mut() {
        let Some(response) = response.as_object_mut() else {
            continue;
        };
        let described = response
            .get("description")
            .and_then(Value::as_str)
            .is_some_and(|d| !d.is_empty());
        if !response.contains_key("$ref") && !described {
            response.insert("description".into(), json!(default_description(status)));
        }
    }
}

fn default_description(status: &str) -> String {
    match status {
        "200" => "Success.".into(),
        "201" => "Created; `Location` names the new resource.".into(),
        "202" => "Accepted.".into(),
        "204" => "Done; there is nothing to return.".into(),
        other => format!("Status {other}."),
    }
}

fn header_parameters_are_not_null(operation: &mut Map<String, Value>) {
    let Some(parameters) = operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for parameter in parameters {
        if parameter["in"] == "header"
            && let Some(schema) = parameter.get_mut("schema")
        {
            drop_null_type(schema);
        }
    }
}

/// `type: [T, "null"]` becomes `type: T`.
fn drop_null_type(schema: &mut Value) {
    if let Some(types) = schema.get_mut("type").and_then(Value::as_array_mut) {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            schema["type"] = types[0].clone();
        }
    }
}

fn schemas(doc: &mut Value) -> Option<&mut Map<String, Value>> {
    doc.pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
}

/// Replaces every inline object schema that equals a named one with a `$ref` to it.
fn reference_named_schemas(doc: &mut Value) {
    let named: Vec<(String, Value)> = schemas(doc)
        .map(|s| {
            s.iter()
                .filter(|(_, schema)| schema["type"] == "object")
                .map(|(name, schema)| (name.clone(), schema.clone()))
                .collect()
        })
        .unwrap_or_default();
    let replace = |value: &mut Value| replace_copies(value, &named);
    if let Some(schemas) = schemas(doc) {
        for schema in schemas.values_mut() {
            for_each_child(schema, &replace);
        }
    }
    if let Some(paths) = doc.get_mut("paths") {
        for_each_child(paths, &replace);
    }
}

fn replace_copies(value: &mut Value, named: &[(String, Value)]) {
    if let Some((name, _)) = named.iter().find(|(_, schema)| schema == value) {
        *value = schema_ref(name);
    } else {
        for_each_child(value, &|child| replace_copies(child, named));
    }
}

fn for_each_child(value: &mut Value, f: &dyn Fn(&mut Value)) {
    match value {
        Value::Object(map) => map.values_mut().for_each(f),
        Value::Array(items) => items.iter_mut().for_each(f),
        _ => {}
    }
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("{SCHEMA_PREFIX}{name}") })
}

/// Gives each of [`WHOLE_IN_RESPONSES`] a request form (`<name>Input`, as derived from
/// the Rust type) used by request bodies, and marks every field of the response form
/// required.
fn split_whole_in_responses(doc: &mut Value) {
    let renames: BTreeMap<String, String> = WHOLE_IN_RESPONSES
        .iter()
        .map(|name| (ref_string(name), ref_string(&format!("{name}Input"))))
        .collect();
    let Some(schemas) = schemas(doc) else {
        return;
    };
    for name in WHOLE_IN_RESPONSES {
        let Some(schema) = schemas.get_mut(name) else {
            continue;
        };
        let mut input = schema.clone();
        rename_refs(&mut input, &renames);
        require_all_properties(schema);
        schemas.insert(format!("{name}Input"), input);
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in item.values_mut() {
                if let Some(body) = operation.get_mut("requestBody") {
                    rename_refs(body, &renames);
                }
            }
        }
    }
}

fn ref_string(name: &str) -> String {
    format!("{SCHEMA_PREFIX}{name}")
}

fn rename_refs(value: &mut Value, renames: &BTreeMap<String, String>) {
    if let Some(target) = value.get("$ref").and_then(Value::as_str)
        && let Some(renamed) = renames.get(target)
    {
        value["$ref"] = json!(renamed);
        return;
    }
    match value {
        Value::Object(map) => map.values_mut().for_each(|v| rename_refs(v, renames)),
        Value::Array(items) => items.iter_mut().for_each(|v| rename_refs(v, renames)),
        _ => {}
    }
}

fn require_all_properties(schema: &mut Value) {
    let names: Vec<String> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    require(schema, names);
}

/// Adds `names` to the schema's `required`, keeping those it has first.
fn require(schema: &mut Value, names: Vec<String>) {
    let mut required: Vec<Value> = schema
        .get("required")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for name in names {
        let name = json!(name);
        if !required.contains(&name) {
            required.push(name);
        }
    }
    if !required.is_empty() {
        schema["required"] = Value::Array(required);
    }
}

/// In every schema that only responses reach, a nullable property is required.
fn require_present_fields(doc: &mut Value) {
    let graph = reference_graph(doc);
    let mut from_requests = BTreeSet::new();
    let mut from_responses = BTreeSet::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for operation in paths
            .values()
            .filter_map(Value::as_object)
            .flat_map(|i| i.values())
        {
            if let Some(body) = operation.get("requestBody") {
                reach(body, &graph, &mut from_requests);
            }
            if let Some(parameters) = operation.get("parameters") {
                reach(parameters, &graph, &mut from_requests);
            }
            if let Some(responses) = operation.get("responses") {
                reach(responses, &graph, &mut from_responses);
            }
        }
    }
    if let Some(responses) = doc.pointer("/components/responses") {
        reach(responses, &graph, &mut from_responses);
    }
    let Some(schemas) = schemas(doc) else {
        return;
    };
    for name in from_responses.difference(&from_requests) {
        if let Some(schema) = schemas.get_mut(name) {
            let nullable: Vec<String> = schema
                .get("properties")
                .and_then(Value::as_object)
                .map(|properties| {
                    properties
                        .iter()
                        .filter(|(_, p)| is_nullable(p))
                        .map(|(n, _)| n.clone())
                        .collect()
                })
                .unwrap_or_default();
            require(schema, nullable);
        }
    }
}

/// Which named schemas each named schema refers to.
fn reference_graph(doc: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            let mut refs = BTreeSet::new();
            collect_refs(schema, &mut refs);
            graph.insert(name.clone(), refs);
        }
    }
    graph
}

fn collect_refs(value: &Value, refs: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(SCHEMA_PREFIX))
            {
                refs.insert(name.to_owned());
            }
            map.values().for_each(|v| collect_refs(v, refs));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}

/// Adds to `reached` every named schema `value` refers to, directly or through others.
fn reach(
    value: &Value,
    graph: &BTreeMap<String, BTreeSet<String>>,
    reached: &mut BTreeSet<String>,
) {
    let mut pending = BTreeSet::new();
    collect_refs(value, &mut pending);
    while let Some(name) = pending.pop_first() {
        if reached.insert(name.clone())
            && let Some(next) = graph.get(&name)
        {
            pending.extend(next.iter().filter(|n| !reached.contains(*n)).cloned());
        }
    }
}

fn is_nullable(schema: &Value) -> bool {
    let null_type = |s: &Value| {
        s["type"] == "null"
            || s["type"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == "null"))
    };
    null_type(schema)
        || ["oneOf", "anyOf"].iter().any(|key| {
            schema[*key]
                .as_array()
                .is_some_and(|items| items.iter().any(null_type))
        })
}
