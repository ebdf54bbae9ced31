use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::*;

const STRICT: UrlPolicy = UrlPolicy {
    allow_http: false,
    allow_loopback: false,
};

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn every_listed_ipv4_range_is_refused_at_its_edges() {
    for (first, last) in [
        ("0.0.0.0", "0.255.255.255"),
        ("10.0.0.0", "10.255.255.255"),
        ("100.64.0.0", "100.127.255.255"),
        ("127.0.0.0", "127.255.255.255"),
        ("169.254.0.0", "169.254.255.255"),
        ("172.16.0.0", "172.31.255.255"),
        ("192.168.0.0", "192.168.255.255"),
        ("224.0.0.0", "239.255.255.255"),
        ("240.0.0.0", "255.255.255.255"),
    ] {
        assert!(refused_address(ip(first), false), "{first}");
        assert!(refused_address(ip(last), false), "{last}");
    }
}

#[test]
fn addresses_just_outside_the_ranges_are_public() {
    for public in [
        "9.255.255.255",
        "11.0.0.0",
        "100.63.255.255",
        "100.128.0.0",
        "126.255.255.255",
        "128.0.0.0",
        "169.253.255.255",
        "169.255.0.0",
        "172.15.255.255",
        "172.32.0.0",
        "192.167.255.255",
        "192.169.0.0",
        "223.255.255.255",
        "1.1.1.1",
        "8.8.8.8",
        "2a00:1450:4001:80b::200e",
        "2606:4700:4700::1111",
    ] {
        assert!(!refused_address(ip(public), false), "{public}");
    }
}

#[test]
fn every_listed_ipv6_range_is_refused() {
    for refused in [
        "::",
        "::1",
        "fe80::1",
        "febf:ffff::1",
        "fc00::1",
        "fdff:ffff::1",
        "ff02::1",
        "ff0e::1",
        "fec0::1",
        "2001:db8::1",
    ] {
        assert!(refused_address(ip(refused), false), "{refused}");
    }
    assert!(!refused_address(ip("fe00::1"), false));
    assert!(!refused_address(ip("fbff::1"), false));
}

#[test]
fn ipv6_forms_of_refused_ipv4_addresses_are_refused() {
    for refused in [
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:192.168.1.1",
        "::ffff:100.64.0.1",
        "::ffff:0.0.0.0",
        "::10.0.0.1",
        "64:ff9b::10.0.0.1",
        "2002:0a00:0001::1",
    ] {
        assert!(refused_address(ip(refused), false), "{refused}");
    }
    assert!(!refused_address(ip("::ffff:8.8.8.8"), false));
    assert!(!refused_address(ip("64:ff9b::8.8.8.8"), false));
    assert!(!refused_address(ip("2002:0808:0808::1"), false));
}

#[test]
fn allowing_loopback_lets_127_8_and_1_through_and_nothing_else() {
    assert!(!refused_address(IpAddr::V4(Ipv4Addr::LOCALHOST), true));
    assert!(!refused_address(ip("127.255.0.9"), true));
    assert!(!refused_address(IpAddr::V6(Ipv6Addr::LOCALHOST), true));
    for still in [
        "10.0.0.1",
        "0.0.0.0",
        "::",
        "169.254.169.254",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
        "192.168.0.1",
    ] {
        assert!(refused_address(ip(still), true), "{still}");
    }
    assert!(refused_address(IpAddr::V4(Ipv4Addr::LOCALHOST), false));
}

#[test]
fn urls_naming_refused_addresses_in_any_notation_are_refused() {
    for url in [
        "https://10.0.0.1/",
        "https://167772161/",
        "https://012.0.0.1/",
        "https://0xa.0.0.1/",
        "https://0x0a000001/",
        "https://10.1/",
        "https://0177.1/",
        "https://2130706433/",
        "https://127.1/",
        "https://0/",
        "https://[::1]/",
        "https://[::ffff:10.0.0.1]/",
        "https://[::ffff:a00:1]/",
        "https://[fe80::1]/",
        "https://[fd12:3456::1]/",
        "https://[::]/",
        "https://172.16.0.1:8443/hook",
        "https://192.168.1.10/hook",
        "https://100.64.0.1/",
        "https://169.254.169.254/latest/meta-data",
        "https://224.0.0.1/",
        "https://255.255.255.255/",
        "https://localhost/",
        "https://api.localhost./",
    ] {
        let refused = WebhookUrl::parse(url, STRICT);
        assert!(refused.is_err(), "{url} was accepted");
        assert!(refused.unwrap_err().contains("must not"), "{url}");
    }
}

#[test]
fn the_url_crate_reads_number_forms_as_the_address_they_name() {
    for (url, host) in [
        ("https://167772161/", "10.0.0.1"),
        ("https://012.0.0.1/", "10.0.0.1"),
        ("https://0xa.0.0.1/", "10.0.0.1"),
        ("https://10.1/", "10.0.0.1"),
    ] {
        let parsed = url::Url::parse(url).unwrap();
        assert_eq!(
            parsed.host(),
            Some(url::Host::Ipv4(host.parse().unwrap())),
            "{url}"
        );
    }
}

#[test]
fn user_info_other_schemes_and_plain_http_are_refused() {
    for (url, why) in [
        ("https://user@example.com/", "user info"),
        ("https://user:pw@example.com/", "user info"),
        ("https://:pw@example.com/", "user info"),
        ("http://example.com/", "https"),
        ("ftp://example.com/", "https"),
        ("file:///etc/passwd", "https"),
        ("example.com/hook", "absolute URL"),
        ("", "absolute URL"),
    ] {
        let error = WebhookUrl::parse(url, STRICT).unwrap_err();
        assert!(error.contains(why), "{url}: {error}");
    }
}

#[test]
fn the_settings_widen_only_what_they_name() {
    let http = UrlPolicy {
        allow_http: true,
        allow_loopback: false,
    };
    let loopback = UrlPolicy {
        allow_http: true,
        allow_loopback: true,
    };
    assert!(WebhookUrl::parse("http://example.com/", http).is_ok());
    assert!(WebhookUrl::parse("http://127.0.0.1:9000/", http).is_err());
    assert!(WebhookUrl::parse("http://127.0.0.1:9000/", loopback).is_ok());
    assert!(WebhookUrl::parse("http://[::1]:9000/", loopback).is_ok());
    assert!(WebhookUrl::parse("http://localhost:9000/", loopback).is_ok());
    assert!(WebhookUrl::parse("http://10.0.0.1/", loopback).is_err());
    assert!(WebhookUrl::parse("http://[::ffff:127.0.0.1]/", loopback).is_err());
}

#[test]
fn public_urls_are_kept_as_the_url_crate_writes_them() {
    let url = WebhookUrl::parse("HTTPS://Hooks.Example.COM:443/in?x=1", STRICT).unwrap();
    assert_eq!(url.as_str(), "https://hooks.example.com/in?x=1");
    assert!(WebhookUrl::parse("https://[2606:4700:4700::1111]/", STRICT).is_ok());
    assert!(WebhookUrl::parse("https://8.8.8.8/", STRICT).is_ok());
    let long = format!("https://example.com/{}", "a".repeat(2100));
    assert!(WebhookUrl::parse(&long, STRICT).is_err());
}

#[test]
fn a_selection_is_every_type_or_a_list_of_known_types_each_once() {
    let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        EventSelection::parse(&names(&["*"])),
        Ok(EventSelection::All)
    );
    let some = EventSelection::parse(&names(&["plan.adopted", "record.created"])).unwrap();
    assert!(some.wants(EventType::PlanAdopted));
    assert!(!some.wants(EventType::RecordDeleted));
    assert!(some.wants_name("record.created"));
    assert!(!some.wants_name("webhook.ping"));
    assert_eq!(some.names(), names(&["plan.adopted", "record.created"]));
    assert!(EventSelection::All.wants_name("anything.new"));
    for bad in [
        names(&[]),
        names(&["*", "plan.adopted"]),
        names(&["plan.adopted", "plan.adopted"]),
        names(&["plan.nope"]),
    ] {
        assert!(EventSelection::parse(&bad).is_err(), "{bad:?}");
    }
}

#[test]
fn a_selection_reads_and_writes_as_a_json_array() {
    let all: EventSelection = serde_json::from_str(r#"["*"]"#).unwrap();
    assert_eq!(serde_json::to_string(&all).unwrap(), r#"["*"]"#);
    let error = serde_json::from_str::<EventSelection>(r#"["nope"]"#).unwrap_err();
    assert!(
        error.to_string().contains("is not an event type"),
        "{error}"
    );
}

#[test]
fn a_url_longer_than_the_limit_once_written_out_is_refused() {
    // 2,048 characters as sent; the standard adds the path `/`, which makes 2,049.
    let host = format!(
        "{}.example.no",
        "a".repeat(2048 - "https://.example.no".len())
    );
    let sent = format!("https://{host}");
    assert_eq!(sent.chars().count(), WebhookUrl::MAX_CHARS);
    let refused = WebhookUrl::parse(&sent, STRICT).unwrap_err();
    assert!(refused.contains("as written out"), "{refused}");
    let shorter = format!("https://{}/", &host[1..]);
    let kept = WebhookUrl::parse(&shorter, STRICT).unwrap();
    assert!(kept.as_str().chars().count() <= WebhookUrl::MAX_CHARS);
}
