//! The OpenAPI document: its frame (info, security scheme, shared schemas) and the
//! conventions every operation follows, applied in one place instead of on each handler.
//!
//! The paths themselves come from the handlers' `#[utoipa::path]` through the same
//! registration that builds the routes (see `app::documented_app`), so the two cannot drift.
//! [`shape`] holds the conventions that make the document usable by generated clients.

mod shape;
mod webhooks;

use utoipa::Modify;
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};

use crate::error::{PROBLEM_JSON, Problem, ProblemField};

/// The licence, as an SPDX expression (also its name in the document; keep equal to the
/// `license(name)` above, which must be a literal).
const LICENCE: &str = "MIT OR Apache-2.0";

/// The security scheme name; handlers name it in `security(("bearer_auth" = []))`.
pub const BEARER: &str = "bearer_auth";
/// The API keys' security scheme: offered beside [`BEARER`] on every operation that
/// names it (a key acts with its own role, so it may still get 403 there).
pub const API_KEY: &str = "api_key";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Veikart API",
        description = "Veikart turns an organisation's strategy and yearly action plans into live, \
measurable goals. Tenant resources live under `/api/v1/orgs/{org}`. Errors are RFC 9457 \
`application/problem+json`. Send `Authorization: Bearer <JWT>` or `Authorization: Bearer vk_…` \
(an API key).",
        license(name = "MIT OR Apache-2.0")
    ),
    components(schemas(Problem, ProblemField)),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "organisations", description = "Organisations (tenants)"),
        (name = "strategies", description = "Multi-year strategies: vision, mission, goals"),
        (name = "goals", description = "Goals of a strategy or a plan, and check-ins of qualitative goals"),
        (name = "plans", description = "Action plans, their lifecycle, documents and revisions"),
        (name = "focus areas", description = "A plan's focus areas (innsatsområder)"),
        (name = "kpis", description = "KPI definitions (result targets) of a plan"),
        (name = "measures", description = "Measures (tiltak) in a plan's focus areas"),
        (name = "budget lines", description = "The budget lines a plan is financed under"),
        (name = "members", description = "Member companies: the roll KPIs count"),
        (name = "activities", description = "Member activities: meetings, network meetings, other arenas, promotion"),
        (name = "surveys", description = "Customer surveys among members and others"),
        (name = "projects", description = "Business-development projects and their funding"),
        (name = "observations", description = "Metric observations, e.g. social-media followers per channel"),
        (name = "milestones", description = "Milestones such as a business association started"),
        (name = "imports", description = "Many records of one kind at once, from JSON, NDJSON or CSV: all or nothing, matched by their keys"),
        (name = "results", description = "How a plan is going: each KPI's result, series and counted records, and the scorecard, computed from the records"),
        (name = "audit", description = "Who changed what, when"),
        (name = "events", description = "What changed, in commit order: the event feed"),
        (name = "api keys", description = "An organisation's keys for scripts and dashboards: shown once, stored hashed, expiring, revocable"),
        (name = "webhooks", description = "Where an organisation's events are sent, signed: endpoints, their secrets (shown once, stored sealed), pings and the delivery log"),
    )
)]
pub struct ApiDoc;

/// The error statuses every operation may answer with, each a problem+json response.
const COMMON_PROBLEMS: [(&str, &str); 12] = [
    (
        "400",
        "The request cannot be read: malformed JSON, or a bad query or path parameter.",
    ),
    (
        "401",
        "No token, or a token that is malformed, forged, expired or not for this service.",
    ),
    ("403", "The token's role may not do this."),
    (
        "404",
        "No such resource in this organisation (or the organisation is not the token's).",
    ),
    (
        "413",
        "The request body is larger than the configured limit.",
    ),
    (
        "415",
        "The request body is not of a media type the operation reads (JSON, unless it says otherwise).",
    ),
    (
        "422",
        "The request body breaks the rules; every invalid field is listed in `errors`.",
    ),
    ("409", "The change conflicts with stored data."),
    (
        "410",
        "What the request names was removed for good (an event feed's cursor older than the \
         feed's retention); `detail` says where to start again.",
    ),
    (
        "412",
        "If-Match names a version that is no longer the stored one.",
    ),
    ("500", "An internal error; its cause is logged, not sent."),
    (
        "503",
        "The database cannot be reached right now; retry later.",
    ),
];

/// Applies the conventions to the document once the handlers' paths are in it: the
/// security scheme and the problem responses each operation can give.
pub fn apply_conventions(openapi: &mut utoipa::openapi::OpenApi) {
    Conventions.modify(openapi);
    let shaped = serde_json::to_value(&*openapi).and_then(|mut doc| {
        shape::apply(&mut doc, LICENCE);
        shape::offer_api_keys(&mut doc, BEARER, API_KEY);
        webhooks::describe(&mut doc);
        serde_json::from_value(doc)
    });
    match shaped {
        Ok(doc) => *openapi = doc,
        // Cannot happen for a document utoipa wrote; the contract tests would show it.
        Err(e) => log::error!("the OpenAPI document could not be shaped: {e}"),
    }
}

struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT with the claims `sub`, `org` (organisation slug), `role` \
                         (`viewer`, `editor`, `admin`, `platform_admin`) and `exp`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            API_KEY,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("vk_…")
                    .description(Some(
                        "An API key made under `/orgs/{org}/api-keys`: `vk_` and 36 letters and \
                         digits. It acts in its own organisation with its own role (`viewer` or \
                         `editor`) and can never manage keys or the organisation.",
                    ))
                    .build(),
            ),
        );
        for (status, description) in COMMON_PROBLEMS {
            let response = ResponseBuilder::new()
                .description(description)
                .content(
                    PROBLEM_JSON,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build();
            components
                .responses
                .insert(problem_response_name(status), RefOr::T(response));
        }

        for (path, item) in openapi.paths.paths.iter_mut() {
            let has_path_parameters = path.contains('{');
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                add_problem_responses(operation, has_path_parameters);
            }
        }
    }
}

fn problem_response_name(status: &str) -> String {
    format!("Problem{status}")
}

/// Adds the problem responses an operation can give. A rarer one (410) is given where the
/// handler declares its status; the shared response replaces the declaration, so every
/// problem is described once.
fn add_problem_responses(operation: &mut Operation, has_path_parameters: bool) {
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = operation.request_body.is_some();
    let writes = has_body
        || operation.parameters.iter().flatten().any(|p| match p {
            RefOr::T(p) => p.name == "If-Match",
            RefOr::Ref(_) => false,
        });
    let responses = &mut operation.responses.responses;
    for (status, _) in COMMON_PROBLEMS {
        let declared = responses.contains_key(status);
        let applies = match status {
            "400" | "500" | "503" => true,
            "401" | "403" => secured,
            "404" => has_path_parameters,
            "413" | "415" | "422" => has_body,
            "409" | "412" => writes,
            _ => false,
        };
        if (applies && !declared) || (status == "410" && declared) {
            responses.insert(
                status.to_owned(),
                RefOr::Ref(Ref::from_response_name(problem_response_name(status))),
            );
        }
    }
}
