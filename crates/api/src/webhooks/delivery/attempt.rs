//! One attempt: a signed message sent to an endpoint, and what came back — the status,
//! or the error that stood for it (a refused address, a connection failure, the timeout),
//! the latency, the first KiB of the answer, and any `Retry-After`.

use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, Utc};
use reqwest::{Client, Url};

use super::client::check_literal_host;
use super::schedule::retry_after;
use super::signature::{SigningSecret, signature_header};

/// How much of an answer's body the delivery log keeps.
pub const EXCERPT_BYTES: usize = 1024;

/// What an attempt met.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub attempted_at: NaiveDateTime,
    /// The answer's status, when one came.
    pub status: Option<u16>,
    /// Why no answer came (or why it was not read to its end).
    pub error: Option<String>,
    pub latency: Duration,
    /// The first KiB of the answer's body, as text.
    pub excerpt: String,
    /// The wait a 429 or 503 asked for.
    pub retry_after: Option<Duration>,
}

impl Answer {
    /// A 2xx: the receiver has the message.
    pub fn acknowledged(&self) -> bool {
        self.error.is_none() && self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// A message to send: its id (the same on every attempt) and its body.
pub struct Message<'a> {
    pub id: &'a str,
    pub body: &'a str,
}

/// Sends `message` to `url`, signed with every secret of `secrets`.
pub async fn send(
    client: &Client,
    url: &str,
    allow_loopback: bool,
    secrets: &[SigningSecret],
    message: Message<'_>,
) -> Answer {
    let attempted_at = veikart_store::now();
    let started = Instant::now();
    let result = exchange(client, url, allow_loopback, secrets, &message).await;
    let latency = started.elapsed();
    match result {
        Ok((status, retry_after, excerpt, error)) => Answer {
            attempted_at,
            status: Some(status),
            error,
            latency,
            excerpt,
            retry_after,
        },
        Err(error) => Answer {
            attempted_at,
            status: None,
            error: Some(error),
            latency,
            excerpt: String::new(),
            retry_after: None,
        },
    }
}

type Exchanged = (u16, Option<Duration>, String, Option<String>);

/// The request and its answer's status, `Retry-After` (on 429 and 503) and excerpt (with
/// the error that cut its reading short, if any); an error when no answer came.
async fn exchange(
    client: &Client,
    url: &str,
    allow_loopback: bool,
    secrets: &[SigningSecret],
    message: &Message<'_>,
) -> Result<Exchanged, String> {
    let url = Url::parse(url).map_err(|e| format!("the URL cannot be read: {e}"))?;
    check_literal_host(&url, allow_loopback).map_err(|e| e.to_string())?;
    let timestamp = Utc::now().timestamp();
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", message.id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            signature_header(secrets, message.id, timestamp, message.body),
        )
        .body(message.body.to_owned())
        .send()
        .await
        .map_err(|e| describe(&e))?;
    let status = response.status().as_u16();
    let retry_after = (status == 429 || status == 503)
        .then(|| response.headers().get("retry-after"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry_after(v, Utc::now()));
    let (excerpt, error) = excerpt(response).await;
    Ok((status, retry_after, excerpt, error))
}

/// The first [`EXCERPT_BYTES`] of the answer's body as text (the rest is not read), and
/// the error that ended the reading early, if one did.
async fn excerpt(mut response: reqwest::Response) -> (String, Option<String>) {
    let mut bytes = Vec::new();
    let mut error = None;
    while bytes.len() < EXCERPT_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => {
                error = Some(describe(&e));
                break;
            }
        }
    }
    bytes.truncate(EXCERPT_BYTES);
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    // A character cut in two by the limit is dropped rather than shown as U+FFFD.
    if text.ends_with('\u{fffd}') && bytes.len() == EXCERPT_BYTES {
        text.pop();
    }
    (text, error)
}

/// An error with its causes, e.g. "error sending request: client error (Connect):
/// `x` resolves to 10.0.0.1, an address webhooks are not sent to".
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    let mut text = kind.to_owned();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
