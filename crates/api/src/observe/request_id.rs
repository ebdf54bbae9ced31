//! Request ids: each request is named by the client's `X-Request-Id` when it sent a sane
//! one (printable ASCII without spaces, at most 128 characters), else by a new UUID v4.
//! The id is echoed in the response, written in the access log line, put in every
//! problem+json body as `instance` and prefixed to the lines logged while the request
//! is handled, so one request can be followed from a user's support mail to the logs.
//!
//! While a request is handled its id is a task-local ([`current`]): the error
//! responses are rendered without the request at hand (`ApiError::error_response`).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::http::header::HeaderValue;

/// The header a client may send and every response carries.
pub const HEADER: &str = "x-request-id";

/// The longest client id kept; a longer one is replaced.
pub const MAX_LEN: usize = 128;

tokio::task_local! {
    static CURRENT: RequestId;
}

/// The id of one request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestId(String);

impl RequestId {
    /// The client's id when it is sane, else a new one.
    pub fn from_client(header: Option<&HeaderValue>) -> Self {
        match header.map(HeaderValue::as_bytes) {
            Some(bytes) if is_sane(bytes) => Self(String::from_utf8_lossy(bytes).into_owned()),
            _ => Self::generate(),
        }
    }

    /// A new random UUID (version 4, RFC 9562).
    pub fn generate() -> Self {
        let mut bytes = random_bytes().unwrap_or_else(fallback_bytes);
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = String::with_capacity(36);
        for (i, byte) in bytes.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                text.push('-');
            }
            text.push(char::from(HEX[usize::from(byte >> 4)]));
            text.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as a problem's `instance`: `urn:veikart:request:<id>`.
    pub fn instance(&self) -> String {
        format!("urn:veikart:request:{}", self.0)
    }

    /// Runs `f` (the handling of the request) with this id as [`current`].
    pub async fn scope<F: Future>(self, f: F) -> F::Output {
        CURRENT.scope(self, f).await
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The id of the request being handled, if any (none outside a request, e.g. at start).
pub fn current() -> Option<RequestId> {
    CURRENT.try_with(Clone::clone).ok()
}

/// `request_id=<id>` for a log line, or `request_id=-` outside a request.
pub fn log_field() -> String {
    match current() {
        Some(id) => format!("request_id={id}"),
        None => "request_id=-".to_owned(),
    }
}

/// Printable ASCII (0x21–0x7E), 1 to [`MAX_LEN`] characters: safe in a header, a log
/// line and a URN, and short enough to keep.
pub fn is_sane(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.len() <= MAX_LEN && bytes.iter().all(|b| (0x21..=0x7e).contains(b))
}

/// How many ids' random bytes one call to the OS fetches.
const IDS_PER_FILL: usize = 64;

/// The worker thread's stock of random bytes and how many of them are used.
struct RandomStock {
    bytes: [u8; 16 * IDS_PER_FILL],
    used: usize,
}

thread_local! {
    static STOCK: std::cell::RefCell<RandomStock> = const {
        std::cell::RefCell::new(RandomStock { bytes: [0; 16 * IDS_PER_FILL], used: 16 * IDS_PER_FILL })
    };
}

/// 16 random bytes from the OS, fetched for [`IDS_PER_FILL`] ids at a time (a system call
/// per request showed in the profile of a read); each handed out once.
fn random_bytes() -> Option<[u8; 16]> {
    STOCK.with_borrow_mut(|stock| {
        if stock.used == stock.bytes.len() {
            getrandom::fill(&mut stock.bytes).ok()?;
            stock.used = 0;
        }
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&stock.bytes[stock.used..stock.used + 16]);
        stock.used += 16;
        Some(bytes)
    })
}

/// Unique bytes for the (never seen) case that the OS has no randomness to give: the
/// time and a counter, still unique within this process.
fn fallback_bytes() -> [u8; 16] {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&nanos.to_be_bytes());
    bytes[8..].copy_from_slice(&COUNTER.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sane_ids_are_kept_and_others_replaced() {
        let kept = RequestId::from_client(Some(&HeaderValue::from_static("abc-123_x.y:z")));
        assert_eq!(kept.as_str(), "abc-123_x.y:z");
        for bad in ["", "has space", "tab\there", &"x".repeat(129)] {
            let header = HeaderValue::from_str(bad).unwrap();
            assert_ne!(RequestId::from_client(Some(&header)).as_str(), bad);
        }
        assert!(is_sane("x".repeat(128).as_bytes()));
        assert!(!is_sane("ø".as_bytes()));
    }

    #[test]
    fn new_ids_are_version_4_uuids() {
        let id = RequestId::generate();
        let text = id.as_str();
        assert_eq!(text.len(), 36);
        let parts: Vec<&str> = text.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
        assert_ne!(RequestId::generate(), id);
    }

    #[test]
    fn ids_stay_unique_across_refills_of_the_random_stock() {
        let ids: std::collections::HashSet<RequestId> = (0..IDS_PER_FILL * 3 + 1)
            .map(|_| RequestId::generate())
            .collect();
        assert_eq!(ids.len(), IDS_PER_FILL * 3 + 1);
    }

    #[actix_web::test]
    async fn the_id_is_current_only_inside_its_scope() {
        assert_eq!(current(), None);
        let id = RequestId::generate();
        let seen = id.clone().scope(async { current() }).await;
        assert_eq!(seen, Some(id));
    }
}
