use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, patch, web};
use serde::Deserialize;
use utoipa::ToSchema;
use veikart_domain::Date;
use veikart_domain::text::{LongText, Title};
use veikart_domain::{PlanFields, Role};
use veikart_store::plans as store;

use super::{Plan, PlanPath, check_strategy, checked_values, ensure_open_structure, stored_fields};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::etag;
use crate::json::JsonBody;
use crate::routes::patch::{apply, nullable};
use crate::state::AppState;
use crate::tenancy::OrgAccess;
use veikart_store::TenantTable;

/// The fields to change; absent fields stay as they are, `null` clears a nullable one.
/// The lifecycle (adopt, publish, archive, revise) has its own actions. An adopted or
/// archived plan's period is frozen with its structure.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePlan {
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub title: Option<Title>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub period_start: Option<Date>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub period_end: Option<Date>,
    #[serde(default, deserialize_with = "nullable")]
    pub intro: Option<Option<LongText>>,
    #[serde(default, deserialize_with = "nullable")]
    pub strategy_id: Option<Option<i64>>,
}

/// Change a plan (`editor`); honours `If-Match`.
#[utoipa::path(
    patch, path = "/{id}", tag = "plans",
    params(PlanPath, ("If-Match" = Option<String>, Header, description = "The ETag of the version being changed; 412 when stale")),
    request_body = UpdatePlan,
    security(("bearer_auth" = [])),
    responses((status = 200, body = Plan, headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/{id}")]
pub async fn update_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<PlanPath>,
    body: JsonBody<UpdatePlan>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Editor)?.sub.clone();
    let expected = etag::if_match(&req)?;
    let change = body.0;
    let id = path.id;

    let plan = state
        .write(move |tx| {
            let org_id = access.org_id(tx)?;
            store::Rows::update(
                tx,
                org_id,
                id,
                &actor,
                expected.as_deref(),
                |tx, current| {
                    let now = stored_fields(current)?;
                    let moves_period = change
                        .period_start
                        .is_some_and(|d| d.get() != now.period_start)
                        || change.period_end.is_some_and(|d| d.get() != now.period_end);
                    if moves_period {
                        ensure_open_structure(current)?;
                    }
                    if let Some(new) = change.strategy_id {
                        check_strategy(tx, org_id, new)?;
                    }
                    let strategy_id = apply(change.strategy_id, current.strategy_id);
                    let merged = PlanFields {
                        title: change.title.unwrap_or(now.title),
                        period_start: change.period_start.map_or(now.period_start, Date::get),
                        period_end: change.period_end.map_or(now.period_end, Date::get),
                        intro: apply(change.intro, now.intro),
                        ..now
                    };
                    checked_values(merged, strategy_id, current.revision)
                },
            )
        })
        .await?;
    let plan = Plan::try_from(plan)?;
    Ok(etag::versioned(&req, StatusCode::OK, plan.version, &plan))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_is_changed_by_lifecycle_actions_only() {
        assert!(serde_json::from_str::<UpdatePlan>(r#"{"status": "adopted"}"#).is_err());
        let change: UpdatePlan = serde_json::from_str(r#"{"strategy_id": null}"#).unwrap();
        assert_eq!(change.strategy_id, Some(None));
    }
}
