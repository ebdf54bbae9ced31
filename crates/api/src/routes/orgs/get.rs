use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};

use veikart_store::organisations;

use super::{OrgPath, Organisation};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::etag;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// Get an organisation (any role of that organisation).
#[utoipa::path(
    get, path = "/orgs/{org}", tag = "organisations",
    params(OrgPath, ("If-None-Match" = Option<String>, Header, description = "An ETag; 304 when it is current")),
    security(("bearer_auth" = [])),
    responses(
        (status = 200, body = Organisation, headers(("ETag" = String, description = "The version, for If-Match"))),
        (status = 304, description = "The copy named by If-None-Match is current"),
    )
)]
#[get("/orgs/{org}")]
pub async fn get_organisation(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<OrgPath>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let org = state
        .db(move |conn| organisations::find_by_slug(conn, access.slug()))
        .await?;
    let org = Organisation::try_from(org)?;
    Ok(etag::versioned(&req, StatusCode::OK, org.version, &org))
}
