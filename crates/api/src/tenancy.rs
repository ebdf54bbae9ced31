//! Organisation isolation: turns the `{org}` of a path and the caller's token into an
//! [`OrgAccess`], or a 404 when the token is for another organisation (so that a caller
//! can never learn whether another organisation's resources exist).

use veikart_domain::Role;
use veikart_store::organisations::{self, Organisation};

use crate::auth::Claims;
use crate::error::ApiError;
use crate::state::AppState;

/// A caller's access to one organisation: the organisation row, and who is calling.
#[derive(Debug)]
pub struct OrgAccess {
    pub org: Organisation,
    caller: Option<Claims>,
}

impl OrgAccess {
    /// Resolves `slug` for `caller` (`None` for an anonymous reader). A token may only
    /// reach its own organisation, except a `platform_admin` token, which reaches all.
    pub async fn resolve(
        state: &AppState,
        caller: Option<Claims>,
        slug: &str,
    ) -> Result<Self, ApiError> {
        if let Some(claims) = &caller
            && claims.role != Role::PlatformAdmin
            && claims.org.as_deref() != Some(slug)
        {
            return Err(ApiError::NotFound);
        }
        let slug = slug.to_owned();
        let org = state
            .db(move |conn| organisations::find_by_slug(conn, &slug))
            .await?;
        Ok(Self { org, caller })
    }

    pub fn org_id(&self) -> i64 {
        self.org.id
    }

    /// Whether the caller is anonymous (may read published plans only).
    pub fn is_anonymous(&self) -> bool {
        self.caller.is_none()
    }

    /// The caller's claims if their role includes `needed`: 401 for an anonymous caller,
    /// 403 for a role below it.
    pub fn require(&self, needed: Role) -> Result<&Claims, ApiError> {
        let claims = self.caller.as_ref().ok_or_else(|| {
            ApiError::Unauthorized(
                "this request needs an `Authorization: Bearer <token>` header".into(),
            )
        })?;
        require_role(claims, needed)?;
        Ok(claims)
    }
}

/// 403 unless `claims` carries `needed` or a higher role.
pub fn require_role(claims: &Claims, needed: Role) -> Result<(), ApiError> {
    if claims.role.allows(needed) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "this needs the {needed} role; the token has {}",
            claims.role
        )))
    }
}
