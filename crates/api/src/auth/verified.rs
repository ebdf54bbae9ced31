//! Tokens verified before ([`VerifiedTokens`]), so that a caller sending the same token
//! again — a dashboard polling, a script paging — is not verified again: decoding the
//! header twice, checking the signature and parsing the claims were 8 % of a read's CPU
//! (docs/benchmarks.md, "CPU per request").
//!
//! The same bytes verify the same way with the same keys, so what a token's check found
//! can change only with time. A remembered token is used only before its `exp`; the full
//! check accepts it for a minute's leeway after that, so the cache never accepts a token
//! the check would refuse. The cache belongs to one [`Authenticator`](super::Authenticator)
//! (one set of keys), holds only tokens that passed, and forgets everything when full.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::claims::Claims;

/// At most this many tokens are remembered; the next one clears them all.
pub(super) const MAX_REMEMBERED: usize = 4096;

#[derive(Default)]
pub(super) struct VerifiedTokens {
    by_token: Mutex<HashMap<Box<str>, Claims>>,
}

impl VerifiedTokens {
    /// The claims of `token` if it passed the full check before and `now` (seconds since
    /// the epoch) is before its `exp`.
    pub(super) fn get(&self, token: &str, now: u64) -> Option<Claims> {
        let by_token = self.by_token.lock().ok()?;
        by_token
            .get(token)
            .filter(|claims| now < claims.exp)
            .cloned()
    }

    /// Remembers a token that passed the full check.
    pub(super) fn remember(&self, token: &str, claims: &Claims) {
        let Ok(mut by_token) = self.by_token.lock() else {
            return;
        };
        if by_token.len() >= MAX_REMEMBERED {
            by_token.clear();
        }
        by_token.insert(token.into(), claims.clone());
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.by_token.lock().map_or(0, |by_token| by_token.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use veikart_domain::Role;

    fn claims(exp: u64) -> Claims {
        Claims {
            sub: "someone".into(),
            org: Some("org".into()),
            role: Role::Viewer,
            exp,
            iat: None,
            iss: None,
            aud: None,
        }
    }

    #[test]
    fn a_remembered_token_is_used_only_before_its_expiry() {
        let verified = VerifiedTokens::default();
        verified.remember("t", &claims(100));
        assert_eq!(verified.get("t", 99), Some(claims(100)));
        assert_eq!(verified.get("t", 100), None);
        assert_eq!(verified.get("other", 99), None);
    }

    #[test]
    fn the_cache_forgets_everything_when_full() {
        let verified = VerifiedTokens::default();
        for i in 0..=MAX_REMEMBERED {
            verified.remember(&i.to_string(), &claims(100));
        }
        assert_eq!(verified.len(), 1);
        assert_eq!(
            verified.get(&MAX_REMEMBERED.to_string(), 0),
            Some(claims(100))
        );
    }
}
