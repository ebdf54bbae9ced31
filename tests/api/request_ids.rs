//! Request ids: every response carries `X-Request-Id` — the client's own when sane
//! (printable ASCII without spaces, at most 128 characters), else a new UUID v4 — and
//! the same id is a problem's `instance` and ends the request's access log line.

use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use veikart_tests::{Reply, TestApp, random_hex};

fn is_uuid_v4(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && id.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
        && parts[2].starts_with('4')
        && matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b')
}

fn request_id(reply: &Reply) -> String {
    reply
        .header("x-request-id")
        .expect("X-Request-Id")
        .to_owned()
}

#[test]
fn a_sane_id_is_echoed_and_any_other_replaced() {
    let app = TestApp::spawn();
    let sane = format!("import-2026-12-06/{}:run#1", random_hex(4));
    let longest = "x".repeat(128);
    for id in [
        sane.as_str(),
        longest.as_str(),
        "~!\"$%&'()*+,./<=>?@[\\]^_`{|}",
    ] {
        let reply = app.get("/healthz").header("X-Request-Id", id).send();
        assert_eq!(reply.status, 200);
        assert_eq!(request_id(&reply), id);
    }
    let too_long = "y".repeat(129);
    for bad in [too_long.as_str(), "has\ttab", "has space", ""] {
        let reply = app.get("/healthz").header("X-Request-Id", bad).send();
        let id = request_id(&reply);
        assert!(is_uuid_v4(&id), "{bad:?} was replaced by {id}");
    }
    let first = request_id(&app.get("/healthz").send());
    let second = request_id(&app.get("/healthz").send());
    assert!(is_uuid_v4(&first) && is_uuid_v4(&second));
    assert_ne!(first, second);
}

#[test]
fn problems_name_their_request_as_instance() {
    let app = TestApp::spawn();
    let org = app.create_org("instans");
    let cases = [
        // From a handler's extractor (no token), from the fallback (no route), and from
        // a middleware that refuses before any route (a NUL in the URL).
        format!("/api/v1/orgs/{org}/members"),
        "/no/such/route".to_owned(),
        format!("/api/v1/orgs/{org}/members%00"),
    ];
    for (path, status) in cases.iter().zip([401, 404, 400]) {
        let sent = format!("support-{}", random_hex(6));
        let reply = app.get(path).header("X-Request-Id", &sent).send();
        let problem = reply.problem(status);
        assert_eq!(request_id(&reply), sent);
        assert_eq!(problem["instance"], format!("urn:veikart:request:{sent}"));

        let reply = app.get(path).send();
        let problem = reply.problem(status);
        let made = request_id(&reply);
        assert_eq!(problem["instance"], format!("urn:veikart:request:{made}"));
    }
    // A success has no problem body, but its id all the same.
    let reply = app
        .get(&format!("/api/v1/orgs/{org}"))
        .bearer(&app.platform_admin())
        .send();
    assert_eq!(reply.status, 200);
    assert!(reply.json().get("instance").is_none());
    assert!(is_uuid_v4(&request_id(&reply)));
}

#[test]
fn the_access_log_line_carries_the_id() {
    let log = LogCapture::install();
    let app = TestApp::spawn();
    let sent = format!("log-{}", random_hex(8));
    let reply = app
        .get("/api/v1/orgs/nobody/members")
        .header("X-Request-Id", &sent)
        .send();
    assert_eq!(reply.status, 401);
    let line = log.wait_for(&format!("request_id={sent}"));
    assert!(
        line.contains("\"GET /api/v1/orgs/nobody/members HTTP/1.1\" 401"),
        "{line}"
    );
    let replaced = app.get("/healthz").header("X-Request-Id", "a b").send();
    let made = request_id(&replaced);
    let line = log.wait_for(&format!("request_id={made}"));
    assert!(line.contains("\"GET /healthz HTTP/1.1\" 200"), "{line}");
}

/// The log lines of this test process that carry a request id (the access log, and the
/// service's own lines about a request), kept by a logger installed once.
struct LogCapture {
    lines: Mutex<Vec<String>>,
}

impl LogCapture {
    /// The most lines kept; the oldest go first.
    const MAX_LINES: usize = 50_000;

    fn install() -> &'static LogCapture {
        static CAPTURE: OnceLock<&'static LogCapture> = OnceLock::new();
        CAPTURE.get_or_init(|| {
            let capture: &'static LogCapture = Box::leak(Box::new(LogCapture {
                lines: Mutex::new(Vec::new()),
            }));
            log::set_logger(capture).expect("no other logger in the test process");
            log::set_max_level(log::LevelFilter::Info);
            capture
        })
    }

    /// The line containing `needle`, waiting up to five seconds for it to be logged
    /// (the access log line is written when the response has been sent).
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let found = {
                let lines = self.lines.lock().unwrap();
                lines.iter().find(|l| l.contains(needle)).cloned()
            };
            match found {
                Some(line) => return line,
                None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                None => panic!("no log line contains {needle}"),
            }
        }
    }
}

impl log::Log for LogCapture {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Info
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = record.args().to_string();
        if !line.contains("request_id=") {
            return;
        }
        let mut lines = self.lines.lock().unwrap();
        if lines.len() >= Self::MAX_LINES {
            lines.drain(..Self::MAX_LINES / 2);
        }
        lines.push(line);
    }

    fn flush(&self) {}
}

/// The contract declares the header on every response of every operation, through the
/// one named header whose pattern is the rule the service keeps.
#[test]
fn the_contract_declares_the_header_on_every_response() {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../openapi/openapi.json")).expect("JSON");
    let header = &doc["components"]["headers"]["RequestId"];
    assert_eq!(header["schema"]["maxLength"], 128, "{header}");
    let pattern = header["schema"]["pattern"].as_str().expect("pattern");
    assert_eq!(pattern, "^[!-~]+$");
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            for (status, response) in operation["responses"].as_object().expect("responses") {
                let response = match response["$ref"].as_str() {
                    Some(name) => {
                        &doc["components"]["responses"]
                            [name.trim_start_matches("#/components/responses/")]
                    }
                    None => response,
                };
                assert_eq!(
                    response["headers"]["X-Request-Id"]["$ref"], "#/components/headers/RequestId",
                    "{method} {path} {status}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} responses");
}
