//! The one pagination mechanism of every list: `limit` and an opaque `cursor` in the
//! query, `items` and `next_cursor` in the answer.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veikart_store::PageRequest;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// `?limit=&cursor=` of a list request.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to return (1–500, default 50).
    #[param(minimum = 1, maximum = 500, default = 50)]
    pub limit: Option<u32>,
    /// Where to continue: the `next_cursor` of the previous page.
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

impl PageParams {
    /// The store's page request, or 400 for an out-of-range limit or a foreign cursor.
    pub fn request(&self) -> Result<PageRequest, ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::BadRequest(format!(
                "limit must be between 1 and {MAX_LIMIT}"
            )));
        }
        let after = self.cursor.as_deref().map(decode_cursor).transpose()?;
        Ok(PageRequest {
            after,
            limit: i64::from(limit),
        })
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub fn from_store<S>(page: veikart_store::Page<S>, f: impl FnMut(S) -> T) -> Self {
        let next_cursor = page.next_after.map(encode_cursor);
        Page {
            items: page.items.into_iter().map(f).collect(),
            next_cursor,
        }
    }
}

fn encode_cursor(after: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("after:{after}"))
}

fn decode_cursor(cursor: &str) -> Result<i64, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| {
            text.strip_prefix("after:")
                .and_then(|n| n.parse::<i64>().ok())
        })
        .filter(|n| *n >= 0)
        .ok_or_else(|| ApiError::BadRequest("cursor is not one this service issued".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode_cursor(&encode_cursor(42)).unwrap(), 42);
    }

    #[test]
    fn foreign_cursors_and_bad_limits_are_refused() {
        for bad in ["", "42", "!!!", &URL_SAFE_NO_PAD.encode("after:-1")] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
        for limit in [0, 501] {
            let params = PageParams {
                limit: Some(limit),
                cursor: None,
            };
            assert!(params.request().is_err());
        }
        assert_eq!(PageParams::default().request().unwrap().limit, 50);
    }
}
