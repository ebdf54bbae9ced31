use actix_web::{HttpRequest, HttpResponse, post, web};
use veikart_domain::document::PlanDocument;
use veikart_domain::{Role, Validator};
use veikart_store::documents::{self, StrategyLink};

use super::{Plan, created};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::routes::orgs::OrgPath;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// Create a plan from a plan document, with its whole tree, in one transaction
/// (`editor`). The new plan is an unpublished draft. Its strategy is the organisation's
/// strategy with the document's strategy title and period, or a new one. Every invalid
/// part of the document is reported (field = its path, pointer = its JSON pointer).
#[utoipa::path(
    post, path = "/import", tag = "plans",
    params(OrgPath),
    request_body = PlanDocument,
    security(("bearer_auth" = [])),
    responses((status = 201, body = Plan, headers(
        ("ETag" = String, description = "The version, for If-Match"),
        ("Location" = String, description = "The new plan's URL"),
    )))
)]
#[post("/import")]
pub async fn import_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<OrgPath>,
    body: JsonBody<PlanDocument>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Editor)?.sub.clone();
    let document = body.0;
    let mut v = Validator::new();
    document.validate(&mut v);
    v.finish().map_err(ApiError::Validation)?;

    let plan = state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            documents::import(tx, org_id, &actor, &document, StrategyLink::FromDocument)
        })
        .await?;
    created(&req, &path.org, plan)
}
