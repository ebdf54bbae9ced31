//! The messages Veikart sends to webhook endpoints, in the document's `webhooks` section
//! (OpenAPI 3.1): one entry for the events an endpoint subscribes to and one for a ping,
//! each a `POST` whose body is a named schema (`WebhookEvent`, `WebhookPing`) and whose
//! headers are the Standard Webhooks ones. The bodies are built by
//! `crate::webhooks::payload`; the test `tests/api/webhook_delivery.rs` checks what is
//! sent against these schemas' fields.

use serde_json::{Value, json};

/// Adds the `webhooks` section and its two schemas to `doc`.
pub fn describe(doc: &mut Value) {
    let schemas = &mut doc["components"]["schemas"];
    schemas["WebhookEvent"] = event_schema();
    schemas["WebhookPing"] = ping_schema();
    doc["webhooks"] = json!({
        "event": message(
            "receiveWebhookEvent",
            "An event of a type the endpoint subscribes to",
            "Sent once per event and endpoint, in sequence order while the endpoint is healthy, \
             and again on failure by the retry schedule (docs/webhooks.md); `webhook-id` is the \
             event's id on every attempt.",
            "WebhookEvent",
        ),
        "webhook.ping": message(
            "receiveWebhookPing",
            "A ping",
            "Sent when an admin asks for one (`POST …/webhooks/{id}/ping`); tried once.",
            "WebhookPing",
        ),
    });
}

fn event_schema() -> Value {
    json!({
        "type": "object",
        "description": "The body of an event delivery: what happened, when, and its data (the event feed's `type` and `data`).",
        "required": ["type", "timestamp", "data"],
        "properties": {
            "type": {"$ref": "#/components/schemas/EventType"},
            "timestamp": {"type": "string", "format": "date-time", "description": "When the event happened (UTC)."},
            "data": {"$ref": "#/components/schemas/EventData"}
        }
    })
}

fn ping_schema() -> Value {
    json!({
        "type": "object",
        "description": "The body of a ping.",
        "required": ["type", "timestamp", "data"],
        "properties": {
            "type": {"type": "string", "enum": ["webhook.ping"]},
            "timestamp": {"type": "string", "format": "date-time", "description": "When the ping was sent (UTC)."},
            "data": {
                "type": "object",
                "required": ["endpoint_id"],
                "properties": {"endpoint_id": {"type": "integer", "format": "int64", "description": "The pinged endpoint's id."}}
            }
        }
    })
}

/// A `POST` to the endpoint with the Standard Webhooks headers and a body of `schema`. It
/// names no security scheme: the receiver authenticates the message by its signature.
fn message(operation_id: &str, summary: &str, description: &str, schema: &str) -> Value {
    json!({
        "post": {
            "operationId": operation_id,
            "summary": summary,
            "security": [],
            "description": description,
            "parameters": [
                header("webhook-id", "The message's id: the event's id, the same on every attempt (deduplicate by it)."),
                header("webhook-timestamp", "When this attempt was signed, in whole seconds since 1970-01-01 UTC (refuse stale ones)."),
                header("webhook-signature", "`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` under the endpoint's secret; during a secret rotation two, separated by a space.")
            ],
            "requestBody": {
                "required": true,
                "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}
            },
            "responses": {
                "2XX": {"description": "Received. Any other answer, or none within 10 s, is a failure: retried by the schedule, `Retry-After` honoured on 429 and 503, and `410 Gone` disables the endpoint."}
            }
        }
    })
}

fn header(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "header", "required": true, "description": description, "schema": {"type": "string"}})
}
