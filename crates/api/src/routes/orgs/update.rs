use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, patch, web};
use serde::Deserialize;
use utoipa::ToSchema;
use veikart_domain::text::Title;
use veikart_domain::{EmbedOrigins, OrganisationNumber, Role, WebSite};
use veikart_store::organisations::{self as store, OrganisationChanges};

use super::{OrgPath, Organisation};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::etag;
use crate::json::JsonBody;
use crate::state::AppState;
use crate::tenancy::OrgAccess;

/// The fields to change; absent fields stay as they are, `null` clears a nullable one.
/// The slug cannot change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganisation {
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub name: Option<Title>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub org_number: Option<OrganisationNumber>,
    /// The organisation's own web site; null clears it.
    #[serde(default, deserialize_with = "crate::routes::patch::nullable")]
    pub website: Option<Option<WebSite>>,
    /// The origins allowed to frame the embed widget; null clears them (the web site's
    /// origin is then allowed).
    #[serde(default, deserialize_with = "crate::routes::patch::nullable")]
    pub embed_origins: Option<Option<EmbedOrigins>>,
}

/// Change an organisation (`admin`); honours `If-Match`.
#[utoipa::path(
    patch, path = "/orgs/{org}", tag = "organisations",
    params(OrgPath, ("If-Match" = Option<String>, Header, description = "The ETag of the version being changed; 412 when stale")),
    request_body = UpdateOrganisation,
    security(("bearer_auth" = [])),
    responses((status = 200, body = Organisation, headers(("ETag" = String, description = "The new version"))))
)]
#[patch("/orgs/{org}")]
pub async fn update_organisation(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<OrgPath>,
    body: JsonBody<UpdateOrganisation>,
) -> Result<HttpResponse, ApiError> {
    let access = OrgAccess::check(Some(auth.0), &path.org)?;
    let actor = access.require(Role::Admin)?.sub.clone();
    let expected = etag::if_match(&req)?;
    let body = body.0;

    let changes = OrganisationChanges {
        name: body.name.map(String::from),
        org_number: body.org_number.map(String::from),
        website: body.website.map(|w| w.map(String::from)),
        embed_origins: body
            .embed_origins
            .map(|o| o.as_ref().map(store::stored_origins)),
    };

    let org = Organisation::try_from(
        state
            .write(move |tx| {
                let id = access.org_id(tx)?;
                store::update(tx, &actor, id, expected.as_deref(), changes)
            })
            .await?,
    )?;
    Ok(etag::versioned(&req, StatusCode::OK, org.version, &org))
}
