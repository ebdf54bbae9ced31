//! The metrics listener (`VEIKART_METRICS_BIND`): off unless set; when on, `GET /metrics`
//! answers valid Prometheus text format that counts requests under their route
//! templates (never a raw path: 1,000 unknown paths add at most one series), and the
//! service's own figures (pool, imports, scorecard cache, build).

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use exposition::Exposition;
use veikart_domain::Role;
use veikart_store::DatabaseUrl;
use veikart_tests::{TestApp, TestDb, csv_of, random_hex, record_body};

const HTTP: &str = "http_server_request_duration_seconds";

/// A server with its metrics on a free port of its own.
fn spawn_with_metrics() -> (TestApp, String) {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let app = TestApp::spawn_with(|s| s.metrics_bind = Some(format!("127.0.0.1:{port}")));
    (app, format!("http://127.0.0.1:{port}/metrics"))
}

/// The exposition, parsed strictly (see [`exposition`]).
fn scrape(url: &str) -> Exposition {
    let mut response = ureq::get(url).call().unwrap();
    let content_type = response.headers().get("content-type").unwrap();
    let content_type = content_type.to_str().unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    exposition::parse(&response.body_mut().read_to_string().unwrap())
}

/// The value of `metric` with these labels among its own (0 when absent).
fn find(scrape: &Exposition, metric: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.name == metric)
        .find(|s| {
            labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map_or(0.0, |s| s.value)
}

/// Requests counted for a route template, method and status.
fn requests(scrape: &Exposition, route: &str, method: &str, status: &str) -> f64 {
    let labels = [
        ("http_route", route),
        ("http_request_method", method),
        ("http_response_status_code", status),
    ];
    find(scrape, &format!("{HTTP}_count"), &labels)
}

/// Every series of the request histogram, by its labels (sorted).
fn http_series(scrape: &Exposition) -> HashSet<Vec<(String, String)>> {
    scrape
        .samples
        .iter()
        .filter(|s| s.name == format!("{HTTP}_count"))
        .map(|s| s.labels.clone().into_iter().collect())
        .collect()
}

/// A request with a method no client library sends (`BREW`), over a bare connection.
fn brew(app: &TestApp) -> String {
    let address = app.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "BREW /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn requests_are_counted_under_their_route_templates() {
    let (app, metrics) = spawn_with_metrics();
    let org = app.create_org("maalt");
    let plan = app.create_plan(&org, "Plan");
    let id = plan["id"].as_i64().unwrap();
    let token = app.token(&org, Role::Viewer);
    for _ in 0..3 {
        let reply = app
            .get(&format!("/api/v1/orgs/{org}/plans/{id}"))
            .bearer(&token)
            .send();
        assert_eq!(reply.status, 200);
    }
    assert_eq!(
        app.get(&format!("/api/v1/orgs/{org}/plans/999999"))
            .bearer(&token)
            .send()
            .status,
        404
    );
    assert_eq!(app.get("/healthz").send().status, 200);
    assert_eq!(app.get("/healthz").send().status, 200);
    let brewed = brew(&app);
    assert!(brewed.starts_with("HTTP/1.1 405"), "{brewed}");
    let scorecard = format!("/api/v1/orgs/{org}/plans/{id}/scorecard?as_of=2022-06-30");
    for _ in 0..2 {
        assert_eq!(app.get(&scorecard).bearer(&token).send().status, 200);
    }
    let rows: Vec<_> = (1..=3).map(|n| record_body("members", n)).collect();
    let import = app
        .post(&format!("/api/v1/orgs/{org}/imports/members"))
        .bearer(&app.token(&org, Role::Editor))
        .raw("text/csv", csv_of(&rows))
        .send();
    assert_eq!(import.status, 201, "{}", import.body);

    let scrape = scrape(&metrics);
    let plan_route = "/api/v1/orgs/{org}/plans/{id}";
    assert_eq!(requests(&scrape, plan_route, "GET", "200"), 3.0);
    assert_eq!(requests(&scrape, plan_route, "GET", "404"), 1.0);
    assert_eq!(requests(&scrape, "/healthz", "GET", "200"), 2.0);
    assert_eq!(requests(&scrape, "/api/v1/orgs", "POST", "201"), 1.0);
    assert_eq!(
        requests(&scrape, "/api/v1/orgs/{org}/plans", "POST", "201"),
        1.0
    );
    // The path names a route, but not with this method.
    assert_eq!(requests(&scrape, "/healthz", "_OTHER", "405"), 1.0);
    // Every bucket the conventions name, and no label with an organisation or an id.
    let bounds: Vec<String> = scrape
        .samples
        .iter()
        .filter(|s| s.name == format!("{HTTP}_bucket"))
        .filter(|s| s.labels.get("http_route").map(String::as_str) == Some(plan_route))
        .filter(|s| {
            s.labels
                .get("http_response_status_code")
                .map(String::as_str)
                == Some("200")
        })
        .map(|s| s.labels["le"].clone())
        .collect();
    let conventions = [
        "0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.25", "0.5", "0.75", "1", "2.5", "5",
        "7.5", "10", "+Inf",
    ];
    assert_eq!(bounds, conventions);
    for (_, value) in http_series(&scrape).iter().flatten() {
        assert!(
            !value.contains(&org) && !value.contains(&format!("/{id}")),
            "{value}"
        );
    }

    let members = |outcome| {
        find(
            &scrape,
            "veikart_import_rows_total",
            &[("kind", "members"), ("outcome", outcome)],
        )
    };
    assert_eq!(
        (members("created"), members("updated"), members("unchanged")),
        (3.0, 0.0, 0.0)
    );
    let imports = [("kind", "members"), ("result", "written")];
    assert_eq!(
        find(&scrape, "veikart_import_duration_seconds_count", &imports),
        1.0
    );
    assert_eq!(
        find(&scrape, "veikart_scorecard_cache_misses_total", &[]),
        1.0
    );
    assert_eq!(
        find(&scrape, "veikart_scorecard_cache_hits_total", &[]),
        1.0
    );
    assert_eq!(
        find(
            &scrape,
            "veikart_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0
    );
    assert_eq!(find(&scrape, "veikart_db_pool_connections_max", &[]), 4.0);
    assert_eq!(
        find(&scrape, "veikart_db_pool_connections_in_use", &[]),
        0.0
    );
    assert!(find(&scrape, "veikart_db_pool_connections_idle", &[]) >= 1.0);
    assert_eq!(
        find(&scrape, "veikart_unavailable_responses_total", &[]),
        0.0
    );
    assert_eq!(scrape.types[HTTP], "histogram");
    assert!(scrape.helps.contains(HTTP));
}

#[test]
fn a_thousand_unknown_paths_add_at_most_one_series() {
    let (app, metrics) = spawn_with_metrics();
    let org = app.create_org("ukjent");
    assert_eq!(app.get("/healthz").send().status, 200);
    let before = http_series(&scrape(&metrics));
    for n in 0..1000 {
        let path = match n % 3 {
            0 => format!("/{}", random_hex(6)),
            1 => format!("/api/v1/orgs/{org}/{}/{n}", random_hex(4)),
            _ => format!("/api/v1/{}?q={n}", random_hex(4)),
        };
        assert_eq!(app.get(&path).send().status, 404, "{path}");
    }
    let after = scrape(&metrics);
    let added: Vec<_> = http_series(&after).difference(&before).cloned().collect();
    assert!(added.len() <= 1, "{added:?}");
    assert_eq!(requests(&after, "unmatched", "GET", "404"), 1000.0);
}

#[test]
fn the_metrics_listener_is_off_unless_set() {
    let db = TestDb::create();
    let settings = |bind: Option<&str>| {
        let jwt = veikart_api::auth::JwtConfig {
            secret: Some(veikart_tests::SECRET.to_vec()),
            ..Default::default()
        };
        let url: DatabaseUrl = db.url().clone();
        let mut settings = veikart_api::Settings::new(url, "127.0.0.1:0", jwt);
        settings.metrics_bind = bind.map(str::to_owned);
        settings
    };
    let off = veikart_api::Application::build(settings(None)).unwrap();
    assert_eq!(off.metrics_port(), None);
    let on = veikart_api::Application::build(settings(Some("127.0.0.1:0"))).unwrap();
    assert!(on.metrics_port().is_some_and(|port| port != on.port()));
    // And a server without it answers no /metrics of its own either.
    let app = TestApp::spawn();
    assert_eq!(app.get("/metrics").send().status, 404);
}

/// A strict reader of the Prometheus text format (0.0.4): every line is a `# HELP`, a
/// `# TYPE`, another comment or a sample (`name{label="value",…} value [timestamp]`, label
/// values with `\\`, `\"` and `\n` escapes); every sample belongs to a family with a
/// `TYPE` given before it, at most once; a histogram's buckets are cumulative and its
/// `+Inf` bucket equals its `_count`. (The text-format parser crates split labels on
/// commas and braces, so they cannot read a route template such as `{org}`.)
mod exposition {
    use std::collections::{BTreeMap, HashMap, HashSet};

    pub struct Sample {
        pub name: String,
        pub labels: BTreeMap<String, String>,
        pub value: f64,
    }

    #[derive(Default)]
    pub struct Exposition {
        pub types: HashMap<String, String>,
        pub helps: HashSet<String>,
        pub samples: Vec<Sample>,
    }

    pub fn parse(text: &str) -> Exposition {
        let mut out = Exposition::default();
        for line in text.lines().filter(|l| !l.is_empty()) {
            if let Some(comment) = line.strip_prefix('#') {
                comment_line(&mut out, comment.trim_start(), line);
            } else {
                let sample = sample_line(line).unwrap_or_else(|| panic!("not a sample: {line}"));
                let family = family(&out, &sample.name);
                assert!(out.types.contains_key(&family), "no TYPE before {line}");
                out.samples.push(sample);
            }
        }
        check_histograms(&out);
        out
    }

    fn comment_line(out: &mut Exposition, comment: &str, line: &str) {
        let mut words = comment.splitn(3, ' ');
        match (words.next(), words.next(), words.next()) {
            (Some("TYPE"), Some(name), Some(kind)) => {
                assert!(is_name(name), "{line}");
                let kinds = ["counter", "gauge", "histogram", "summary", "untyped"];
                assert!(kinds.contains(&kind), "{line}");
                assert!(
                    out.types.insert(name.to_owned(), kind.to_owned()).is_none(),
                    "{line}"
                );
            }
            (Some("HELP"), Some(name), _) => {
                assert!(is_name(name) && out.helps.insert(name.to_owned()), "{line}");
            }
            (Some("TYPE" | "HELP"), _, _) => panic!("incomplete: {line}"),
            _ => {}
        }
    }

    fn is_name(name: &str) -> bool {
        let mut chars = name.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    }

    /// The family a sample belongs to (a histogram's `_bucket`, `_sum` and `_count`).
    fn family(out: &Exposition, name: &str) -> String {
        for suffix in ["_bucket", "_sum", "_count"] {
            if let Some(base) = name.strip_suffix(suffix)
                && out
                    .types
                    .get(base)
                    .is_some_and(|t| t == "histogram" || t == "summary")
            {
                return base.to_owned();
            }
        }
        name.to_owned()
    }

    fn sample_line(line: &str) -> Option<Sample> {
        let name_end = line.find(['{', ' ']).unwrap_or(line.len());
        let name = &line[..name_end];
        let mut rest = &line[name_end..];
        let mut labels = BTreeMap::new();
        if let Some(after) = rest.strip_prefix('{') {
            rest = label_list(after, &mut labels)?;
        }
        let mut fields = rest.strip_prefix(' ')?.split(' ');
        let value = match fields.next()? {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            "NaN" => f64::NAN,
            number => number.parse().ok()?,
        };
        if let Some(timestamp) = fields.next() {
            timestamp.parse::<i64>().ok()?;
        }
        (is_name(name) && fields.next().is_none()).then(|| Sample {
            name: name.to_owned(),
            labels,
            value,
        })
    }

    /// Reads `label="value",…}` into `labels`; returns what follows the `}`.
    fn label_list<'a>(mut rest: &'a str, labels: &mut BTreeMap<String, String>) -> Option<&'a str> {
        loop {
            if let Some(after) = rest.strip_prefix('}') {
                return Some(after);
            }
            let (label, after) = rest.split_once("=\"")?;
            let valid = label
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return None;
            }
            let mut value = String::new();
            let mut chars = after.char_indices();
            let end = loop {
                match chars.next()? {
                    (i, '"') => break i,
                    (_, '\\') => match chars.next()?.1 {
                        'n' => value.push('\n'),
                        c @ ('\\' | '"') => value.push(c),
                        _ => return None,
                    },
                    (_, '\n') => return None,
                    (_, c) => value.push(c),
                }
            };
            if labels.insert(label.to_owned(), value).is_some() {
                return None;
            }
            rest = &after[end + 1..];
            if let Some(after) = rest.strip_prefix(',') {
                rest = after;
            } else if !rest.starts_with('}') {
                return None;
            }
        }
    }

    /// Buckets never decrease, and `+Inf` holds as many as `_count`.
    fn check_histograms(out: &Exposition) {
        type Series = (String, Vec<(String, String)>);
        let mut series: HashMap<Series, Vec<f64>> = HashMap::new();
        for sample in &out.samples {
            if let Some(base) = sample.name.strip_suffix("_bucket") {
                let mut labels = sample.labels.clone();
                labels.remove("le").expect("a bucket without le");
                let key = (base.to_owned(), labels.into_iter().collect());
                series.entry(key).or_default().push(sample.value);
            }
        }
        for ((base, labels), buckets) in series {
            assert!(
                buckets.windows(2).all(|w| w[0] <= w[1]),
                "{base} {labels:?}"
            );
            let count = out
                .samples
                .iter()
                .find(|s| {
                    s.name == format!("{base}_count")
                        && s.labels.clone().into_iter().collect::<Vec<_>>() == labels
                })
                .expect("a histogram without _count");
            assert_eq!(buckets.last(), Some(&count.value), "{base} {labels:?}");
        }
    }
}
