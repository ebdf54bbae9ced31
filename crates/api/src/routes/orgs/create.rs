use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use veikart_domain::{EmbedOrigins, OrgSlug, OrganisationNumber, Role, Validator, WebSite};
use veikart_store::organisations::{self as store, NewOrganisation};

use super::{NAME_MAX, Organisation};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::etag;
use crate::json::JsonBody;
use crate::state::AppState;
use crate::tenancy::require_role;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganisation {
    /// URL name: 2–63 characters of a-z, 0-9 and '-', starting with a letter.
    #[schema(
        pattern = "^[a-z][a-z0-9-]{0,61}[a-z0-9]$",
        example = "innovasjon-gardermoen"
    )]
    pub slug: String,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$",
        example = "Innovasjon Gardermoen"
    )]
    pub name: String,
    /// Nine digits with a valid MOD11 check digit.
    #[schema(pattern = "^[0-9]{9}$", example = "923609016")]
    pub org_number: String,
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
    let mut v = Validator::new();
    let slug = v.parsed("slug", OrgSlug::parse(&body.slug));
    let number = v.parsed("org_number", OrganisationNumber::parse(&body.org_number));
    v.text("name", &body.name, true, NAME_MAX);
    v.finish().map_err(ApiError::Validation)?;
    let (Some(slug), Some(number)) = (slug, number) else {
        return Err(ApiError::Internal("validated fields missing".into()));
    };

    let new = NewOrganisation {
        website: body.website.map(String::from),
        embed_origins: body.embed_origins.as_ref().map(store::stored_origins),
        ..NewOrganisation::new(
            slug.to_string(),
            body.name.trim().to_owned(),
            number.to_string(),
        )
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
