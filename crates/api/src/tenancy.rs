//! Organisation isolation: turns the `{org}` of a path and the caller's token into an
//! [`OrgAccess`], or a 404 when the token is for another organisation (so that a caller
//! can never learn whether another organisation's resources exist).
//!
//! The check needs no database: a token names its organisation by slug. The organisation
//! itself is resolved by the query that reads (as a subquery of the same statement, see
//! [`veikart_store::Org`]) or, for a write, once inside its transaction
//! ([`OrgAccess::org_id`]); an unknown slug is a 404 either way.

use veikart_domain::Role;
use veikart_store::{DbConnection, Org, StoreError};

use std::sync::Arc;

use crate::claims::Claims;
use crate::error::ApiError;
use crate::state::owed;

/// A caller's access to one organisation: its slug, and who is calling.
#[derive(Debug, Clone)]
pub struct OrgAccess {
    slug: String,
    caller: Option<Claims>,
    /// For a caller with an API key whose validity the request still owes: the key as a
    /// condition of every lookup of the organisation, so a read's own statement is the
    /// check ([`owed::Gate`]).
    key_gate: Option<Arc<owed::Gate>>,
}

impl OrgAccess {
    /// The access of `caller` (`None` for an anonymous reader) to the organisation `slug`.
    /// A token may only reach its own organisation, except a `platform_admin` token, which
    /// reaches all.
    pub fn check(caller: Option<Claims>, slug: &str) -> Result<Self, ApiError> {
        if let Some(claims) = &caller
            && claims.role != Role::PlatformAdmin
            && claims.org.as_deref() != Some(slug)
        {
            return Err(ApiError::NotFound);
        }
        let key_gate = caller.as_ref().and_then(|_| owed::gate());
        Ok(Self {
            slug: slug.to_owned(),
            caller,
            key_gate,
        })
    }

    /// The organisation, for queries: by slug, resolved inside the query that uses it —
    /// for a caller with an API key, only while the key is valid.
    pub fn org(&self) -> Org<'_> {
        match &self.key_gate {
            Some(gate) => gate.org(&self.slug),
            None => Org::Slug(&self.slug),
        }
    }

    /// The organisation's id (one query; `NotFound` for an unknown slug). Writes call it
    /// once inside their transaction.
    pub fn org_id(&self, conn: &mut DbConnection) -> Result<i64, StoreError> {
        self.org().id(conn)
    }

    pub fn slug(&self) -> &str {
        &self.slug
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
