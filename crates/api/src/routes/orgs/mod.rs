//! `/api/v1/orgs`: organisations (tenants). Creating, listing and deleting them is for
//! `platform_admin`; an organisation's own `admin` may change its name, number and web
//! settings.

mod create;
mod delete;
mod get;
mod list;
mod update;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veikart_domain::{EmbedOrigins, WebSite};
use veikart_store::organisations as store;

use crate::error::ApiError;
use crate::time::utc;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create::create_organisation)
        .service(list::list_organisations)
        .service(get::get_organisation)
        .service(update::update_organisation)
        .service(delete::delete_organisation);
}

/// An organisation as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Organisation {
    /// URL name, used as `{org}` in paths; fixed at creation.
    pub slug: String,
    pub name: String,
    /// Norwegian organisation number (nine digits, MOD11-checked).
    pub org_number: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the ETag is `"v<version>"`.
    pub version: i32,
    /// The organisation's own web site; null when unset.
    pub website: Option<WebSite>,
    /// The origins allowed to frame the published plan's embed widget; null when unset,
    /// which allows the web site's origin (none without a web site).
    pub embed_origins: Option<EmbedOrigins>,
}

impl TryFrom<store::Organisation> for Organisation {
    type Error = ApiError;
    fn try_from(o: store::Organisation) -> Result<Self, ApiError> {
        Ok(Self {
            website: o.parsed_website()?,
            embed_origins: o.parsed_embed_origins()?,
            slug: o.slug,
            name: o.name,
            org_number: o.org_number,
            created_at: utc(o.created_at),
            updated_at: utc(o.updated_at),
            version: o.version,
        })
    }
}

/// `{org}` in a path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OrgPath {
    /// The organisation's slug (an unknown slug is 404).
    pub org: String,
}

pub const NAME_MAX: usize = 200;
