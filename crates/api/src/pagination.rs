//! The one pagination mechanism of every list: `limit` and an opaque `cursor` in the
//! query, `items` and `next_cursor` in the answer.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veikart_domain::number::PageLimit;
use veikart_store::PageRequest;

use crate::error::ApiError;

/// `?limit=&cursor=` of a list request.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to return (1–500, default 50).
    #[param(inline)]
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub limit: Option<PageLimit>,
    /// Where to continue: the `next_cursor` of the previous page.
    #[param(pattern = "^([0-9a-z]{1,12}|1[0-9a-x][0-9a-z]{11})$")]
    #[serde(default, deserialize_with = "veikart_domain::records::present")]
    pub cursor: Option<String>,
}

impl PageParams {
    /// The store's page request, or 400 for a foreign cursor (the limit's range is its
    /// type's, refused as the query is read).
    pub fn request(&self) -> Result<PageRequest, ApiError> {
        let limit = self.limit.unwrap_or_default().get();
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
    #[schema(nullable = false)]
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

    /// [`Page::from_store`] for a conversion that can fail (a stored value out of range).
    pub fn try_from_store<S>(
        page: veikart_store::Page<S>,
        f: impl FnMut(S) -> Result<T, ApiError>,
    ) -> Result<Self, ApiError> {
        Ok(Page {
            items: page.items.into_iter().map(f).collect::<Result<_, _>>()?,
            next_cursor: page.next_after.map(encode_cursor),
        })
    }
}

/// A cursor is the position after which the next page starts, written in base 36. It is
/// opaque to clients (they pass back what they were given), and every string of the
/// documented form is a position, so no well-formed cursor is refused.
fn encode_cursor(after: i64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut n = after.max(0).unsigned_abs();
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[usize::try_from(n % 36).unwrap_or(0)]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn decode_cursor(cursor: &str) -> Result<i64, ApiError> {
    // Up to 12 base-36 digits, or 13 below `1y…` (so that every cursor of the documented
    // form fits in an i64).
    let bytes = cursor.as_bytes();
    let well_formed = match bytes.len() {
        1..=12 => true,
        13 => bytes[0] == b'1' && bytes[1] != b'y' && bytes[1] != b'z',
        _ => false,
    } && bytes
        .iter()
        .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
    well_formed
        .then(|| i64::from_str_radix(cursor, 36).ok())
        .flatten()
        .ok_or_else(|| {
            ApiError::BadRequest("cursor must be the next_cursor of a previous page".into())
        })
}

/// The query string as `T` ([`crate::query::parse`]): 400 naming the parameter whose
/// value does not fit.
pub fn query_params<T: serde::de::DeserializeOwned>(
    req: &actix_web::HttpRequest,
) -> Result<T, ApiError> {
    crate::query::parse(req.query_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let largest_13 = i64::from_str_radix("1xzzzzzzzzzzz", 36).unwrap();
        for n in [0, 1, 35, 36, 42, 1_000_000, 36_i64.pow(12) - 1, largest_13] {
            assert_eq!(decode_cursor(&encode_cursor(n)).unwrap(), n);
        }
        assert_eq!(encode_cursor(36), "10");
    }

    #[test]
    fn malformed_cursors_and_bad_limits_are_refused() {
        for limit in ["0", "501", "-1"] {
            let read = crate::query::parse::<PageParams>(&format!("limit={limit}"));
            let Err(ApiError::BadRequest(detail)) = read else {
                panic!("limit={limit} was not refused");
            };
            assert!(detail.contains("`limit`"), "{detail}");
            assert!(
                limit == "-1" || detail.contains("must be between 1 and 500"),
                "{detail}"
            );
        }
        for bad in [
            "",
            "-1",
            "ABC",
            "a b",
            "\0",
            "zzzzzzzzzzzzz",
            "1yzzzzzzzzzzz",
            "2000000000000",
        ] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
        assert_eq!(PageParams::default().request().unwrap().limit, 50);
    }
}
