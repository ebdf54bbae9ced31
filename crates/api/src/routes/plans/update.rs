use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, patch, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;
use veikart_domain::{PlanFields, PlanStatus, Role};
use veikart_store::StoreError;
use veikart_store::plans as store;

use super::{Plan, PlanPath, checked_values, stored_fields};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::etag;
use crate::json::JsonBody;
use crate::routes::patch::{apply, nullable};
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// The fields to change; absent fields stay as they are, `null` clears a nullable one.
/// The result is checked whole: e.g. `status: adopted` needs `adopted_on` and `adopted_by`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePlan {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*\\S[^\\u0000]*$"
    )]
    pub title: Option<String>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub status: Option<PlanStatus>,
    #[serde(default, deserialize_with = "nullable")]
    pub adopted_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*\\S[^\\u0000]*$"
    )]
    pub adopted_by: Option<Option<String>>,
    pub published: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 20000, pattern = "^[^\\u0000]*$")]
    pub intro: Option<Option<String>>,
}

/// Change a plan (`editor`); honours `If-Match`.
#[utoipa::path(
    patch, path = "/orgs/{org}/plans/{id}", tag = "plans",
    params(PlanPath, ("If-Match" = Option<String>, Header, description = "The ETag of the version being changed; 412 when stale")),
    request_body = UpdatePlan,
    security(("bearer_auth" = [])),
    responses((status = 200, body = Plan, headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/orgs/{org}/plans/{id}")]
pub async fn update_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<PlanPath>,
    body: JsonBody<UpdatePlan>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::resolve(&state, Some(auth.0), &path.org).await?;
    let actor = access.require(Role::Editor)?.sub.clone();
    let expected = etag::if_match(&req)?;
    let change = body.0;
    let (org_id, id) = (access.org_id(), path.id);

    let plan = state
        .db(move |conn| {
            store::update(conn, org_id, id, &actor, expected.as_deref(), |current| {
                let now = stored_fields(current)?;
                let merged = PlanFields {
                    title: change.title.unwrap_or(now.title),
                    period_start: change.period_start.unwrap_or(now.period_start),
                    period_end: change.period_end.unwrap_or(now.period_end),
                    status: change.status.unwrap_or(now.status),
                    adopted_on: apply(change.adopted_on, now.adopted_on),
                    adopted_by: apply(change.adopted_by, now.adopted_by),
                    published: change.published.unwrap_or(now.published),
                    intro: apply(change.intro, now.intro),
                };
                checked_values(merged).map_err(StoreError::Invalid)
            })
        })
        .await?;
    let plan = Plan::try_from(plan)?;
    Ok(etag::versioned(&req, StatusCode::OK, plan.version, &plan))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_are_the_wire_names() {
        let change: UpdatePlan = serde_json::from_str(r#"{"status": "adopted"}"#).unwrap();
        assert_eq!(change.status, Some(PlanStatus::Adopted));
    }
}
