use actix_web::{HttpResponse, get, web};
use veikart_domain::Role;
use veikart_store::organisations as store;

use super::Organisation;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::pagination::{Page, PageParams};
use crate::query::Query;
use crate::state::AppState;
use crate::tenancy::require_role;

/// List all organisations (`platform_admin`), oldest first.
#[utoipa::path(
    get, path = "/orgs", tag = "organisations",
    params(PageParams),
    security(("bearer_auth" = [])),
    responses((status = 200, body = Page<Organisation>))
)]
#[get("/orgs")]
pub async fn list_organisations(
    state: web::Data<AppState>,
    auth: Auth,
    page: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    require_role(&auth.0, Role::PlatformAdmin)?;
    let request = page.request()?;
    let page = state.db(move |conn| store::list(conn, request)).await?;
    Ok(HttpResponse::Ok().json(Page::try_from_store(page, Organisation::try_from)?))
}
