//! The body a webhook delivers, per the Standard Webhooks specification:
//! `{"type", "timestamp", "data"}` — built here for events, pings and redeliveries alike.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use veikart_store::StoreError;
use veikart_store::events::StoredEvent;

use crate::time::utc;

/// The type of the message a ping sends.
pub const PING: &str = "webhook.ping";

/// The body of a message of type `event_type` that happened at `timestamp`.
pub fn body(event_type: &str, timestamp: DateTime<Utc>, data: Value) -> String {
    json!({
        "type": event_type,
        "timestamp": timestamp.to_rfc3339_opts(SecondsFormat::Micros, true),
        "data": data,
    })
    .to_string()
}

/// The body of a stored event (`Corrupt` when its stored data is not JSON).
pub fn of_event(event: &StoredEvent) -> Result<String, StoreError> {
    let data: Value = serde_json::from_str(&event.data)
        .map_err(|e| StoreError::Corrupt(format!("event {}: {e}", event.seq)))?;
    Ok(body(&event.event_type, utc(event.occurred_at), data))
}

/// The body of a ping to endpoint `endpoint_id` at `now`.
pub fn ping(endpoint_id: i64, now: DateTime<Utc>) -> String {
    body(PING, now, json!({ "endpoint_id": endpoint_id }))
}

/// A new message id: `msg_` and 32 hex digits of the operating system's randomness.
pub fn message_id() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Corrupt(format!("no random bytes for a message id: {e}")))?;
    Ok(bytes.iter().fold(String::from("msg_"), |mut id, b| {
        id.push_str(&format!("{b:02x}"));
        id
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ping_is_type_timestamp_and_data() {
        let now = DateTime::from_timestamp(1_800_000_000, 5_000).unwrap();
        let sent: Value = serde_json::from_str(&ping(7, now)).unwrap();
        assert_eq!(sent["type"], "webhook.ping");
        assert_eq!(sent["timestamp"], "2027-01-15T08:00:00.000005Z");
        assert_eq!(sent["data"], json!({"endpoint_id": 7}));
    }

    #[test]
    fn message_ids_are_msg_and_32_hex_digits_each_new() {
        let (a, b) = (message_id().unwrap(), message_id().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert!(a[4..].chars().all(|c| c.is_ascii_hexdigit()));
    }
}
