use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, patch, web};
use serde::Deserialize;
use utoipa::ToSchema;
use veikart_domain::{EmbedOrigins, OrganisationNumber, Role, Validator, WebSite};
use veikart_store::organisations::{self as store, OrganisationChanges};

use super::{NAME_MAX, OrgPath, Organisation};
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
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
    )]
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::routes::patch::not_null")]
    #[schema(nullable = false)]
    #[schema(pattern = "^[0-9]{9}$")]
    pub org_number: Option<String>,
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

    let mut v = Validator::new();
    if let Some(name) = &body.name {
        v.text("name", name, true, NAME_MAX);
    }
    let number = body
        .org_number
        .as_deref()
        .and_then(|n| v.parsed("org_number", OrganisationNumber::parse(n)));
    v.finish().map_err(ApiError::Validation)?;
    let changes = OrganisationChanges {
        name: body.name.map(|n| n.trim().to_owned()),
        org_number: number.map(|n| n.to_string()),
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
