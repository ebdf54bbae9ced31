use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use veikart_domain::text::Title;
use veikart_domain::{EmbedOrigins, OrgSlug, OrganisationNumber, Role, WebSite};
use veikart_store::organisations::{self as store, NewOrganisation};

use super::Organisation;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::etag;
use crate::json::JsonBody;
use crate::state::AppState;
use crate::tenancy::require_role;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganisation {
    pub slug: OrgSlug,
    pub name: Title,
    pub org_number: OrganisationNumber,
    /// The organisation's own web site.
    #[serde(default)]
    pub website: Option<WebSite>,
    /// The origins allowed to frame the embed widget (absent or null: the web site's origin).
    #[serde(default)]
    pub embed_origins: Option<EmbedOrigins>,
}

/// Create an organisation (`platform_admin`).
#[utoipa::path(
    post, path = "/orgs", tag = "organisations",
    request_body = CreateOrganisation,
    security(("bearer_auth" = [])),
    responses((status = 201, body = Organisation, headers(
        ("ETag" = String, description = "The version, for If-Match"),
        ("Location" = String, description = "The new organisation's URL"),
    )))
)]
#[post("/orgs")]
pub async fn create_organisation(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<CreateOrganisation>,
) -> Result<HttpResponse, ApiError> {
    require_role(&auth.0, Role::PlatformAdmin)?;
    let body = body.0;
    let new = NewOrganisation {
        website: body.website.map(String::from),
        embed_origins: body.embed_origins.as_ref().map(store::stored_origins),
        ..NewOrganisation::new(body.slug.into(), body.name.into(), body.org_number.into())
    };
    let actor = auth.0.sub;
    let org = Organisation::try_from(
        state
            .write(move |tx| store::create(tx, &actor, new))
            .await?,
    )?;
    Ok(etag::created(
        &req,
        org.version,
        &org,
        &format!("/api/v1/orgs/{}", org.slug),
    ))
}
