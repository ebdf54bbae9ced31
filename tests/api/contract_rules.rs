//! The contract is the law: every rule the committed `openapi/openapi.json` declares on a
//! request body property or a query parameter (`pattern`, `maxLength`, `minLength`,
//! `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `enum`, `format: date`)
//! is tried both ways. A value that breaks the rule, in a request otherwise valid, must be
//! refused naming the field (422 with the field in `errors`, 400 naming the parameter for
//! a query); a value that keeps it (for a pattern, generated from the regular expression)
//! must not be refused for that field, whatever else the answer says. A string the
//! contract leaves unbounded must not be refused for its length either.
//!
//! The operations are read from the document, so a new field or a new operation is
//! covered without being listed here. What the service does not yet do as the contract
//! says is listed in [`KNOWN_BREACHES`]: the test fails on a breach that is not listed,
//! and on a listed one that no longer occurs, so the list only shrinks.

use std::collections::BTreeMap;
use std::fmt;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Map, Value, json};
use veikart_domain::Role;
use veikart_tests::{Everything, Reply, TestApp, record_body};

/// Which way the service departs from a rule the contract declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Flaw {
    /// A value that breaks the rule is not refused naming the field.
    AcceptsBreaking,
    /// A value that keeps the rule is refused naming the field.
    RefusesKeeping,
    /// A query parameter's value that breaks the rule is refused with 400, but the
    /// answer does not say which parameter (see [`QUERY_REFUSALS_NAME_THE_PARAMETER`]).
    RefusesUnnamed,
}

/// A known departure from the contract: the operation, the field as the service names it
/// (dotted, `[0]` for array items), the rule, and which way.
type Breach = (&'static str, &'static str, &'static str, Flaw);

/// Every departure from the contract the walk finds today: none. A departure found later
/// and not fixed at once is listed here (one a line), and fixing it makes the test fail
/// until its line is removed.
const KNOWN_BREACHES: &[Breach] = &[];

/// A string the contract puts no length on refused for its length.
const UNBOUNDED: &str = "maxLength (none declared)";

/// Whether a 400 for a query parameter names the parameter. Not yet: the service answers
/// with the parser's message alone (`invalid query parameter: must be four digits`), for
/// every parameter of every operation, so the departure is one switch rather than a line
/// per parameter in [`KNOWN_BREACHES`]. While `false`, such refusals are counted and must
/// still occur; once they name the parameter, set it to `true` and they are checked.
const QUERY_REFUSALS_NAME_THE_PARAMETER: bool = true;

/// Operations the walk cannot send generically, each with why. An operation listed here
/// that the contract no longer has fails the test.
const EXCLUDED_OPERATIONS: &[(&str, &str)] = &[(
    "POST /api/v1/orgs/{org}/imports/{kind}",
    "its rows are one of six record schemas chosen by `{kind}` (each walked through the \
     kind's own POST, which reads a row the same way), and its query parameters say how \
     to read a CSV body",
)];

/// Rules a field's description states beyond its pattern, which a generated value must
/// also keep to count as valid.
const RULES_BEYOND_THE_PATTERN: &[(&str, Rule)] = &[("org_number", mod11), ("url", webhook_url)];

/// A check of a string value.
type Rule = fn(&str) -> bool;

/// A day every date field accepts alone: the last day of the fixture's plan, on or after
/// every other date of the fixtures' records.
const ANY_DAY: &str = "2022-12-31";

/// How many times a regular expression's repetition may repeat in a generated value.
const MAX_REPEAT: u32 = 12;

/// How long a string the contract leaves unbounded is tried at.
const UNBOUNDED_LENGTH: usize = 1000;

#[test]
fn every_declared_rule_is_enforced_and_no_valid_value_is_refused() {
    let app = TestApp::spawn();
    let everything = Everything::create(&app, "contract");
    let fixtures = Fixtures::new(&app, &everything);
    let doc = contract();
    let operations = operations(&doc);
    check_exclusions(&operations);

    let mut rng = StdRng::seed_from_u64(2026);
    let mut findings = Vec::new();
    let (mut tried, mut keeping, mut accepted) = (0, 0, 0);
    for operation in &operations {
        for probe in probes(&doc, operation, &mut rng) {
            let (finding, status) = fixtures.try_probe(&app, &doc, operation, &probe, &mut rng);
            tried += 1;
            if !probe.breaks {
                keeping += 1;
                accepted += usize::from(status < 300);
            }
            findings.extend(finding);
        }
    }
    assert!(tried >= 500, "only {tried} probes were sent");
    // A valid value is tried in a valid request: most are simply accepted (the others
    // meet a rule between fields, a taken unique value, or a listed breach).
    assert!(
        accepted * 10 >= keeping * 8,
        "only {accepted} of {keeping} valid values were accepted: the sampled bodies are not valid"
    );
    compare_with_known(&findings);
}

// ---------------------------------------------------------------------------------------
// The contract, read.

/// The committed contract.
fn contract() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let text = std::fs::read_to_string(path).expect("the committed openapi/openapi.json");
    serde_json::from_str(&text).expect("the contract is JSON")
}

/// One operation the walk sends: its method, its path template, its JSON body's schema
/// (unresolved) and its query parameters.
struct Operation {
    method: String,
    template: String,
    body: Option<Value>,
    query: Vec<(String, Value)>,
}

impl Operation {
    fn name(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.template)
    }
}

/// Every POST, PUT and PATCH with a JSON body and every GET with query parameters, less
/// the excluded ones.
fn operations(doc: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let body = matches!(method.as_str(), "post" | "put" | "patch")
                .then(|| operation["requestBody"]["content"]["application/json"]["schema"].clone())
                .filter(|schema| !schema.is_null());
            let query = query_parameters(operation);
            if body.is_some() || !query.is_empty() {
                found.push(Operation {
                    method: method.clone(),
                    template: template.clone(),
                    body,
                    query,
                });
            }
        }
    }
    found
}

fn query_parameters(operation: &Value) -> Vec<(String, Value)> {
    let Some(parameters) = operation["parameters"].as_array() else {
        return Vec::new();
    };
    parameters
        .iter()
        .filter(|p| p["in"] == "query")
        .map(|p| (p["name"].as_str().unwrap().to_owned(), p["schema"].clone()))
        .collect()
}

/// Leaves out the excluded operations, failing on an exclusion the contract no longer has.
fn check_exclusions(operations: &[Operation]) {
    for (excluded, why) in EXCLUDED_OPERATIONS {
        assert!(
            operations.iter().any(|o| &o.name() == excluded),
            "{excluded} is excluded ({why}) but the contract no longer has it: \
             remove it from EXCLUDED_OPERATIONS"
        );
    }
}

fn is_excluded(operation: &Operation) -> bool {
    EXCLUDED_OPERATIONS
        .iter()
        .any(|(name, _)| *name == operation.name())
}

/// A schema with its `$ref`s followed, a `oneOf`/`anyOf` with `null` reduced to its other
/// branch and an `allOf` merged; the outer schema's own keys (a description) are kept.
/// Also gives the name of the last component followed.
fn resolve(doc: &Value, schema: &Value) -> (Option<String>, Value) {
    let mut name = None;
    let mut merged = Map::new();
    let mut current = schema.clone();
    for _ in 0..16 {
        let Some(object) = current.as_object().cloned() else {
            break;
        };
        let next = if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            let component = reference.rsplit('/').next().unwrap().to_owned();
            let target = doc["components"]["schemas"][&component].clone();
            name = Some(component);
            Some(target)
        } else {
            non_null_branch(&object)
        };
        for (key, value) in object {
            if !matches!(key.as_str(), "$ref" | "oneOf" | "anyOf" | "allOf") {
                merged.entry(key).or_insert(value);
            }
        }
        match next {
            Some(next) => current = next,
            None => break,
        }
    }
    (name, Value::Object(merged))
}

/// The one branch of a `oneOf`/`anyOf` besides `null`, or the merged `allOf`.
fn non_null_branch(object: &Map<String, Value>) -> Option<Value> {
    if let Some(all) = object.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in all {
            merged.extend(part.as_object().cloned().unwrap_or_default());
        }
        return Some(Value::Object(merged));
    }
    let branches = object
        .get("oneOf")
        .or_else(|| object.get("anyOf"))
        .and_then(Value::as_array)?;
    let real: Vec<&Value> = branches.iter().filter(|b| b["type"] != "null").collect();
    match real.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

fn types(schema: &Value) -> Vec<String> {
    match &schema["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn is_type(schema: &Value, wanted: &str) -> bool {
    types(schema).iter().any(|t| t == wanted)
}

// ---------------------------------------------------------------------------------------
// The fields and the probes.

/// Where a probed value goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Location {
    Body,
    Query,
}

/// A place in a body: its segments (`"0"` for an array's first item).
#[derive(Debug, Clone)]
struct Field {
    segments: Vec<String>,
    schema: Value,
}

impl Field {
    /// As the service names it in `errors[].field`: `source.filters.dimensions[0]`.
    fn name(&self) -> String {
        let mut name = String::new();
        for segment in &self.segments {
            if segment.parse::<usize>().is_ok() {
                name.push_str(&format!("[{segment}]"));
            } else {
                if !name.is_empty() {
                    name.push('.');
                }
                name.push_str(segment);
            }
        }
        name
    }

    /// As an RFC 6901 pointer into the body.
    fn pointer(&self) -> String {
        self.segments.iter().map(|s| format!("/{s}")).collect()
    }
}

/// Every property of a body schema, nested objects and the first item of arrays included.
fn fields(doc: &Value, schema: &Value, prefix: &[String], depth: usize) -> Vec<Field> {
    let (_, schema) = resolve(doc, schema);
    let mut found = Vec::new();
    if depth > 8 {
        return found;
    }
    if is_type(&schema, "array") {
        let segments = [prefix, &["0".to_owned()]].concat();
        let (_, items) = resolve(doc, &schema["items"]);
        found.push(Field {
            segments: segments.clone(),
            schema: items.clone(),
        });
        found.extend(fields(doc, &schema["items"], &segments, depth + 1));
        return found;
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let segments = [prefix, std::slice::from_ref(name)].concat();
        let (_, resolved) = resolve(doc, property);
        found.push(Field {
            segments: segments.clone(),
            schema: resolved.clone(),
        });
        if is_type(&resolved, "object") || is_type(&resolved, "array") {
            found.extend(fields(doc, property, &segments, depth + 1));
        }
    }
    found
}

/// One request to send: a field, the rule it tries and the value, and whether the value
/// breaks the rule. `control`, for an unbounded string, is a short value that tells a
/// length limit from any other refusal.
struct Probe {
    location: Location,
    field: Field,
    rule: String,
    value: Value,
    breaks: bool,
    control: Option<Value>,
}

/// Every probe of an operation: for each field or query parameter, each declared rule
/// broken and kept.
fn probes(doc: &Value, operation: &Operation, rng: &mut StdRng) -> Vec<Probe> {
    let mut all = Vec::new();
    if is_excluded(operation) {
        return all;
    }
    if let Some(body) = &operation.body {
        for field in fields(doc, body, &[], 0) {
            all.extend(field_probes(&field, Location::Body, rng));
        }
    }
    for (name, schema) in &operation.query {
        let (_, resolved) = resolve(doc, schema);
        let resolved = if is_type(&resolved, "array") {
            resolve(doc, &resolved["items"]).1
        } else {
            resolved
        };
        let field = Field {
            segments: vec![name.clone()],
            schema: resolved,
        };
        all.extend(field_probes(&field, Location::Query, rng));
    }
    all
}

fn field_probes(field: &Field, location: Location, rng: &mut StdRng) -> Vec<Probe> {
    let name = field.segments.last().unwrap().clone();
    let mut probes = Vec::new();
    let mut add = |rule: &str, value: Value, breaks: bool, control: Option<Value>| {
        probes.push(Probe {
            location: location.clone(),
            field: field.clone(),
            rule: rule.to_owned(),
            value,
            breaks,
            control,
        });
    };
    let schema = &field.schema;
    for (rule, value, breaks) in declared_rules(schema, &name, rng) {
        add(rule, value, breaks, None);
    }
    if location == Location::Body && is_unbounded_string(schema) {
        add(
            UNBOUNDED,
            json!("a".repeat(UNBOUNDED_LENGTH)),
            false,
            Some(json!("a")),
        );
    }
    probes
}

/// A plain string the contract puts no rule on.
fn is_unbounded_string(schema: &Value) -> bool {
    types(schema) == ["string"]
        && ["pattern", "maxLength", "enum", "format"]
            .iter()
            .all(|rule| schema.get(*rule).is_none())
}

/// Each rule the schema declares, as (rule, value, whether the value breaks it).
fn declared_rules(
    schema: &Value,
    name: &str,
    rng: &mut StdRng,
) -> Vec<(&'static str, Value, bool)> {
    let mut rules = Vec::new();
    if let Some(pattern) = schema["pattern"].as_str() {
        rules.push(("pattern", json!(breaking_pattern(schema, pattern)), true));
        rules.push((
            "pattern",
            json!(keeping_pattern(schema, pattern, name, rng)),
            false,
        ));
    }
    if let Some(max) = schema["maxLength"].as_u64() {
        let max = usize::try_from(max).unwrap();
        rules.push(("maxLength", json!(of_length(schema, max + 1)), true));
        let at_most = of_length(schema, max);
        let keeping = if schema["pattern"]
            .as_str()
            .is_some_and(|p| !regex_of(p).is_match(&at_most))
        {
            keeping_pattern(schema, schema["pattern"].as_str().unwrap(), name, rng)
        } else {
            at_most
        };
        rules.push(("maxLength", json!(keeping), false));
    }
    if let Some(min) = schema["minLength"].as_u64().filter(|min| *min > 0) {
        let min = usize::try_from(min).unwrap();
        rules.push(("minLength", json!(of_length(schema, min - 1)), true));
        rules.push(("minLength", json!(of_length(schema, min)), false));
    }
    rules.extend(bound_rules(schema));
    if let Some(variants) = schema["enum"].as_array() {
        rules.push(("enum", json!("not_a_variant"), true));
        rules.extend(variants.iter().map(|v| ("enum", v.clone(), false)));
    }
    if schema["format"] == "date" {
        rules.push(("format: date", json!("2022-02-30"), true));
        rules.push(("format: date", json!(ANY_DAY), false));
    }
    rules
}

/// The numeric bounds, each tried just outside and at (or just inside) the bound.
fn bound_rules(schema: &Value) -> Vec<(&'static str, Value, bool)> {
    let integer = is_type(schema, "integer");
    let step = if integer { 1.0 } else { 0.5 };
    let number = |x: f64| {
        if integer {
            #[expect(clippy::cast_possible_truncation, reason = "a bound of the contract")]
            let n = x as i64;
            json!(n)
        } else {
            json!(x)
        }
    };
    let mut rules = Vec::new();
    let bounds = [
        ("minimum", -step, 0.0),
        ("maximum", step, 0.0),
        ("exclusiveMinimum", 0.0, step),
        ("exclusiveMaximum", 0.0, -step),
    ];
    for (rule, outside, inside) in bounds {
        if let Some(bound) = schema[rule].as_f64() {
            rules.push((rule, number(bound + outside), true));
            rules.push((rule, number(bound + inside), false));
        }
    }
    rules
}

fn regex_of(pattern: &str) -> regex::Regex {
    regex::Regex::new(pattern).unwrap_or_else(|e| panic!("pattern {pattern}: {e}"))
}

fn length_fits(schema: &Value, value: &str) -> bool {
    let length = value.chars().count() as u64;
    schema["minLength"].as_u64().is_none_or(|min| length >= min)
        && schema["maxLength"].as_u64().is_none_or(|max| length <= max)
}

/// A value that breaks the pattern and nothing else: the first of a few candidates the
/// pattern refuses whose length the schema allows.
fn breaking_pattern(schema: &Value, pattern: &str) -> String {
    let regex = regex_of(pattern);
    let candidates = [
        "Bad Key!! with spaces",
        " ",
        "nul\u{0}byte",
        "A",
        "-",
        "a.",
        "12a4",
        "00000",
        "",
    ];
    let breaking = candidates.iter().filter(|c| !regex.is_match(c));
    let mut breaking = breaking.peekable();
    let first = **breaking
        .peek()
        .unwrap_or_else(|| panic!("no value breaks {pattern}"));
    breaking
        .find(|c| length_fits(schema, c))
        .map_or(first, |c| *c)
        .to_owned()
}

/// A value generated from the pattern that the schema's lengths and the field's further
/// rules also allow.
fn keeping_pattern(schema: &Value, pattern: &str, name: &str, rng: &mut StdRng) -> String {
    let unanchored = pattern.trim_start_matches('^').trim_end_matches('$');
    let generator = rand_regex::Regex::compile(unanchored, MAX_REPEAT)
        .unwrap_or_else(|e| panic!("cannot generate from {pattern}: {e}"));
    let regex = regex_of(pattern);
    let further = RULES_BEYOND_THE_PATTERN
        .iter()
        .filter(|(field, _)| *field == name)
        .map(|(_, rule)| *rule);
    let further: Vec<Rule> = further.collect();
    (0..1000)
        .map(|_| rng.sample::<String, _>(&generator))
        .find(|v| regex.is_match(v) && length_fits(schema, v) && further.iter().all(|r| r(v)))
        .unwrap_or_else(|| panic!("no value generated from {pattern} fits {schema}"))
}

/// A string of `length` characters, matching the pattern when one of a few fillers does
/// (when none does, the caller keeping the length generates from the pattern instead).
fn of_length(schema: &Value, length: usize) -> String {
    let fillers = ["a", "0", "x"];
    let strings = fillers.iter().map(|f| f.repeat(length));
    let mut strings: Vec<String> = strings.collect();
    if let Some(pattern) = schema["pattern"].as_str() {
        let regex = regex_of(pattern);
        if let Some(i) = strings.iter().position(|s| regex.is_match(s)) {
            return strings.swap_remove(i);
        }
    }
    strings.swap_remove(0)
}

/// A webhook URL the test servers accept: its host, in any notation, is no refused
/// address (the servers allow http and loopback).
fn webhook_url(value: &str) -> bool {
    let policy = veikart_domain::webhooks::UrlPolicy {
        allow_http: true,
        allow_loopback: true,
    };
    veikart_domain::webhooks::WebhookUrl::parse(value, policy).is_ok()
}

/// Nine digits whose last is the MOD11 check digit of the first eight.
fn mod11(value: &str) -> bool {
    const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
    let digits: Vec<u32> = value.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 9 || value.len() != 9 {
        return false;
    }
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    match 11 - sum % 11 {
        11 => digits[8] == 0,
        10 => false,
        check => digits[8] == check,
    }
}

// ---------------------------------------------------------------------------------------
// The fixtures and the requests.

/// What the probes are sent against: the organisation of [`Everything`], its plan (a
/// draft), the ids a body refers to, and a count that keeps generated bodies distinct.
struct Fixtures<'a> {
    everything: &'a Everything,
    admin: String,
    platform: String,
    ids: BTreeMap<&'static str, i64>,
    first_ids: std::cell::RefCell<BTreeMap<String, i64>>,
    serial: std::cell::Cell<u32>,
}

/// The KPI sources a probe of a source field is set in: the first that has the field
/// (with the probed value, for an enum), so that every filter is tried on an entity it
/// applies to.
fn coherent_sources() -> Vec<Value> {
    vec![
        json!({"entity": "member", "aggregate": "count",
               "filters": {"membership_type": "ordinary", "municipality": "3033"}}),
        json!({"entity": "activity", "aggregate": "count",
               "filters": {"status": "held", "kinds": ["member_meeting"]}}),
        json!({"entity": "survey", "aggregate": "mean", "field": "mean_score",
               "filters": {"audience": "internal"}}),
        json!({"entity": "project", "aggregate": "sum", "field": "external_funding",
               "filters": {"roles": ["owner"], "statuses": ["granted"], "external_funding": true}}),
        json!({"entity": "metric", "aggregate": "level",
               "filters": {"metric_key": "social.followers", "dimensions": ["linkedin"]}}),
        json!({"entity": "member", "aggregate": "growth_pct"}),
        json!({"entity": "milestone", "aggregate": "count",
               "filters": {"milestone_kind": "benefit_programme_launched", "municipality": "3033"}}),
        json!({"entity": "milestone", "aggregate": "milestone",
               "filters": {"milestone_kind": "benefit_programme_launched"}}),
    ]
}

/// Components whose valid values depend on one another, with the coherent values a probe
/// is set in.
fn coherent(component: &str) -> Vec<Value> {
    match component {
        "KpiSource" => coherent_sources(),
        // At least one event type, each once.
        "EventSelection" => vec![json!(["*"]), json!(["record.created", "plan.adopted"])],
        _ => Vec::new(),
    }
}

/// The record kind whose fixture body a record schema starts from.
fn record_kind(component: &str) -> Option<&'static str> {
    Some(match component {
        "NewMember" => "members",
        "NewActivity" => "activities",
        "NewSurvey" => "surveys",
        "NewProject" => "projects",
        "NewObservation" => "observations",
        "NewMilestone" => "milestones",
        _ => return None,
    })
}

impl<'a> Fixtures<'a> {
    fn new(app: &TestApp, everything: &'a Everything) -> Self {
        let admin = app.token(&everything.org, Role::Admin);
        let plan = format!(
            "/api/v1/orgs/{}/plans/{}",
            everything.org, everything.plan_id
        );
        let read = app.get(&plan).bearer(&admin).send().json();
        assert_eq!(read["status"], "draft", "the fixture's plan: {read}");
        let areas = app
            .get(&format!("{plan}/focus-areas"))
            .bearer(&admin)
            .send()
            .json();
        let ids = BTreeMap::from([
            ("plan_id", everything.plan_id),
            ("focus_area_id", areas["items"][0]["id"].as_i64().unwrap()),
        ]);
        Fixtures {
            everything,
            admin,
            platform: app.platform_admin(),
            ids,
            first_ids: std::cell::RefCell::default(),
            serial: std::cell::Cell::new(100),
        }
    }

    fn next_serial(&self) -> u32 {
        let n = self.serial.get() + 1;
        self.serial.set(n);
        n
    }

    /// Sends the probe and gives the departure from the contract it shows, if any, and
    /// the answer's status; anything that can never be right (a 5xx) fails at once.
    fn try_probe(
        &self,
        app: &TestApp,
        doc: &Value,
        operation: &Operation,
        probe: &Probe,
        rng: &mut StdRng,
    ) -> (Option<Finding>, u16) {
        let reply = self.send(app, doc, operation, probe, &probe.value, rng);
        let named = names(&reply, &probe.location, &probe.field);
        let expected_status = match probe.location {
            Location::Body => 422,
            Location::Query => 400,
        };
        let flaw = if probe.breaks {
            match (reply.status == expected_status, named) {
                (true, true) => None,
                (true, false) if probe.location == Location::Query => Some(Flaw::RefusesUnnamed),
                _ => Some(Flaw::AcceptsBreaking),
            }
        } else {
            let mut control_refused = || {
                probe.control.as_ref().is_some_and(|control| {
                    let reply = self.send(app, doc, operation, probe, control, rng);
                    names(&reply, &probe.location, &probe.field)
                })
            };
            (named && !control_refused()).then_some(Flaw::RefusesKeeping)
        };
        let finding = flaw.map(|flaw| Finding {
            operation: operation.name(),
            field: probe.field.name(),
            rule: probe.rule.clone(),
            flaw,
            example: format!("{} → {} {}", probe.value, reply.status, reply.body),
        });
        (finding, reply.status)
    }

    fn send(
        &self,
        app: &TestApp,
        doc: &Value,
        operation: &Operation,
        probe: &Probe,
        value: &Value,
        rng: &mut StdRng,
    ) -> Reply {
        let mut url = self.concrete(app, doc, operation, rng);
        let mut request = None;
        match probe.location {
            Location::Query => {
                let text = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned);
                url = format!("{url}?{}={}", probe.field.name(), encode(&text));
            }
            Location::Body => {
                let schema = operation.body.as_ref().unwrap();
                let mut body = self.sample(doc, schema, "", rng);
                self.set(
                    doc,
                    schema,
                    &mut body,
                    &probe.field.segments,
                    value.clone(),
                    rng,
                );
                request = Some(body);
            }
        }
        let token = if operation.template.contains("{org}") {
            &self.admin
        } else {
            &self.platform
        };
        let mut req = app
            .request(&operation.method.to_uppercase(), &url)
            .bearer(token);
        if let Some(body) = &request {
            req = req.json(body);
        }
        let reply = req.send();
        assert!(
            reply.status < 500,
            "{} {url} {request:?}: {} {}",
            operation.name(),
            reply.status,
            reply.body
        );
        reply
    }

    /// The path with its parameters filled in: the fixture's organisation, plan and
    /// qualitative goal, `members` for a kind, revision 1, and each `{id}` the first item
    /// of the collection before it — except, for a request with a body, the last `{id}`:
    /// an item made for the probe by the collection's own POST, so that what a probe
    /// changes or performs (a PATCH, an adoption, a roll) is never what the next one sees.
    fn concrete(
        &self,
        app: &TestApp,
        doc: &Value,
        operation: &Operation,
        rng: &mut StdRng,
    ) -> String {
        let e = self.everything;
        let fill = |template: &str| {
            template
                .replace("{org}", &e.org)
                .replace("{plan_id}", &e.plan_id.to_string())
                .replace("{goal_id}", &e.goal_id.to_string())
                .replace("{revision}", "1")
                .replace("{kind}", "members")
                .replace("{delivery_id}", "1")
        };
        let parts: Vec<&str> = operation.template.split("/{id}").collect();
        let mut template = String::new();
        let mut done = String::new();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                let last = i == parts.len() - 1;
                let id = if last && operation.body.is_some() {
                    self.new_item(app, doc, &template, &done, rng)
                } else {
                    self.first_item(app, &done)
                };
                template.push_str("/{id}");
                done.push_str(&format!("/{id}"));
            }
            template.push_str(part);
            done.push_str(&fill(part));
        }
        done
    }

    fn first_item(&self, app: &TestApp, collection: &str) -> i64 {
        if let Some(id) = self.first_ids.borrow().get(collection) {
            return *id;
        }
        let list = app.get(collection).bearer(&self.admin).send();
        assert_eq!(list.status, 200, "GET {collection}: {}", list.body);
        let list = list.json();
        let id = list["items"][0]["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{collection} is empty"));
        self.first_ids
            .borrow_mut()
            .insert(collection.to_owned(), id);
        id
    }

    /// A new item of the collection, made by its POST from a sampled body.
    fn new_item(
        &self,
        app: &TestApp,
        doc: &Value,
        template: &str,
        collection: &str,
        rng: &mut StdRng,
    ) -> i64 {
        let schema =
            &doc["paths"][template]["post"]["requestBody"]["content"]["application/json"]["schema"];
        assert!(
            !schema.is_null(),
            "{template} has no POST to make an item with"
        );
        let body = self.sample(doc, schema, "", rng);
        let reply = app.post(collection).bearer(&self.admin).json(&body).send();
        assert_eq!(
            reply.status, 201,
            "POST {collection} {body}: {}",
            reply.body
        );
        reply.json()["id"].as_i64().unwrap()
    }

    /// A valid value of the schema: a fixture's body for a record, a coherent value for
    /// components that need one, otherwise the required properties each with a value of
    /// its own (the fixture's ids for the ids).
    fn sample(&self, doc: &Value, schema: &Value, name: &str, rng: &mut StdRng) -> Value {
        let (component, resolved) = resolve(doc, schema);
        if let Some(component) = component.as_deref() {
            if let Some(kind) = record_kind(component) {
                return record_body(kind, self.next_serial());
            }
            if let Some(first) = coherent(component).into_iter().next() {
                return first;
            }
        }
        if is_type(&resolved, "object") || resolved.get("properties").is_some() {
            return self.sample_object(doc, &resolved, component.as_deref(), rng);
        }
        self.sample_scalar(&resolved, name, rng)
    }

    fn sample_object(
        &self,
        doc: &Value,
        schema: &Value,
        component: Option<&str>,
        rng: &mut StdRng,
    ) -> Value {
        let mut object = Map::new();
        let required = schema["required"].as_array().cloned().unwrap_or_default();
        for name in required.iter().filter_map(Value::as_str) {
            let value = match self.ids.get(name) {
                Some(id) => json!(id),
                None => self.sample(doc, &schema["properties"][name], name, rng),
            };
            object.insert(name.to_owned(), value);
        }
        if component == Some("CreateGoal") {
            // A goal belongs to exactly one strategy or plan: the fixture's plan.
            object.insert("plan_id".into(), json!(self.everything.plan_id));
        }
        Value::Object(object)
    }

    fn sample_scalar(&self, schema: &Value, name: &str, rng: &mut StdRng) -> Value {
        if let Some(first) = schema["enum"].as_array().and_then(|v| v.first()) {
            return first.clone();
        }
        match (
            types(schema).first().map(String::as_str),
            schema["format"].as_str(),
        ) {
            (Some("string"), Some("date")) => json!(ANY_DAY),
            (Some("string"), Some("date-time")) => {
                json!(chrono::Utc::now() + chrono::Duration::days(30))
            }
            (Some("string"), _) => match schema["pattern"].as_str() {
                Some(pattern) => json!(keeping_pattern(schema, pattern, name, rng)),
                None => schema["example"]
                    .clone()
                    .as_str()
                    .map_or(json!("x"), |e| json!(e)),
            },
            // An unbounded integer (a number in a plan, an amount) is made distinct.
            (Some("integer"), _) if schema["maximum"].is_null() => {
                json!(
                    schema["minimum"].as_i64().unwrap_or(0).max(1) + i64::from(self.next_serial())
                )
            }
            (Some("integer" | "number"), _) => match &schema["example"] {
                Value::Number(example) => json!(example),
                _ => json!(schema["minimum"].as_i64().unwrap_or(0).max(1)),
            },
            (Some("boolean"), _) => json!(false),
            (Some("array"), _) => json!([]),
            _ => json!("x"),
        }
    }

    /// Puts `value` at `segments` in `body`, making each missing container on the way
    /// from its schema, and replacing a component that needs coherent values by the
    /// first coherent one that has the field.
    fn set(
        &self,
        doc: &Value,
        schema: &Value,
        body: &mut Value,
        segments: &[String],
        value: Value,
        rng: &mut StdRng,
    ) {
        let Some((first, rest)) = segments.split_first() else {
            *body = value;
            return;
        };
        let (_, resolved) = resolve(doc, schema);
        let child_schema = if is_type(&resolved, "array") {
            resolved["items"].clone()
        } else {
            resolved["properties"][first].clone()
        };
        let (component, _) = resolve(doc, &child_schema);
        let coherent = component
            .as_deref()
            .map(coherent)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| lookup(c, rest).is_some())
            .min_by_key(|c| lookup(c, rest) != Some(&value));
        let slot = match body {
            Value::Array(items) => {
                if items.is_empty() {
                    items.push(self.sample(doc, &child_schema, first, rng));
                }
                &mut items[0]
            }
            Value::Object(object) => object
                .entry(first.clone())
                .or_insert_with(|| self.sample(doc, &child_schema, first, rng)),
            other => panic!("cannot set {segments:?} in {other}"),
        };
        if let Some(coherent) = coherent {
            *slot = coherent;
        }
        if slot.is_null() || (slot.is_array() && rest.is_empty()) {
            *slot = self.sample(doc, &child_schema, first, rng);
        }
        self.set(doc, &child_schema, slot, rest, value, rng);
    }
}

fn lookup<'v>(value: &'v Value, segments: &[String]) -> Option<&'v Value> {
    segments.iter().try_fold(value, |v, s| match v {
        Value::Array(items) => items.get(s.parse::<usize>().ok()?),
        Value::Object(object) => object.get(s),
        _ => None,
    })
}

/// Percent-encodes everything but the unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Whether the answer refuses the field's value: a 400 or 422 naming it in `errors` (by
/// field or pointer), or, for a query parameter, in its `detail`. A 409 naming it says
/// the value is taken (unique), not that it breaks a rule.
fn names(reply: &Reply, location: &Location, field: &Field) -> bool {
    if !matches!(reply.status, 400 | 422) {
        return false;
    }
    let problem: Value = serde_json::from_str(&reply.body).unwrap_or_default();
    let (name, pointer) = (field.name(), field.pointer());
    let in_errors = problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|e| e["field"] == name.as_str() || e["pointer"] == pointer.as_str());
    let in_detail = *location == Location::Query
        && problem["detail"]
            .as_str()
            .is_some_and(|detail| mentions(detail, &name));
    in_errors || in_detail
}

/// Whether `text` has `word` with no letter, digit or `_` on either side.
fn mentions(text: &str, word: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

// ---------------------------------------------------------------------------------------
// The verdict.

/// A departure found, with the value and the answer that show it.
struct Finding {
    operation: String,
    field: String,
    rule: String,
    flaw: Flaw,
    example: String,
}

impl Finding {
    fn key(&self) -> (String, String, String, Flaw) {
        (
            self.operation.clone(),
            self.field.clone(),
            self.rule.clone(),
            self.flaw,
        )
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let example: String = self.example.chars().take(300).collect();
        write!(
            f,
            "    (\"{}\", \"{}\", \"{}\", Flaw::{:?}), // {example}",
            self.operation, self.field, self.rule, self.flaw
        )
    }
}

/// Fails on a finding not in [`KNOWN_BREACHES`] and on a listed breach not found.
fn compare_with_known(findings: &[Finding]) {
    let unnamed = findings.iter().filter(|f| f.flaw == Flaw::RefusesUnnamed);
    let unnamed = unnamed.count();
    assert!(
        QUERY_REFUSALS_NAME_THE_PARAMETER || unnamed > 0,
        "every refused query parameter is named now: set QUERY_REFUSALS_NAME_THE_PARAMETER"
    );
    let mut found: BTreeMap<_, &Finding> = BTreeMap::new();
    for finding in findings {
        if finding.flaw != Flaw::RefusesUnnamed || QUERY_REFUSALS_NAME_THE_PARAMETER {
            found.entry(finding.key()).or_insert(finding);
        }
    }
    let known: Vec<_> = KNOWN_BREACHES
        .iter()
        .map(|(o, f, r, flaw)| ((*o).to_owned(), (*f).to_owned(), (*r).to_owned(), *flaw))
        .collect();
    let new: Vec<String> = found
        .iter()
        .filter(|(key, _)| !known.contains(key))
        .map(|(_, finding)| finding.to_string())
        .collect();
    let gone: Vec<String> = known
        .iter()
        .filter(|key| !found.contains_key(*key))
        .map(|(o, f, r, flaw)| format!("    (\"{o}\", \"{f}\", \"{r}\", Flaw::{flaw:?})"))
        .collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "the service departs from its contract in ways KNOWN_BREACHES does not list:\n{}\n\
         and these listed breaches no longer occur (remove them):\n{}",
        new.join("\n"),
        gone.join("\n")
    );
}
