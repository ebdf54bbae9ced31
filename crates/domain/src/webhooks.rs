//! Webhooks' rules: which URL an endpoint may have ([`WebhookUrl`]), which addresses the
//! service never sends to ([`refused_address`], the one classification used when an
//! endpoint is saved and again at connect time, for every address a name resolves to),
//! and which events an endpoint wants ([`EventSelection`]).
//!
//! A URL is read by the `url` crate, which follows the WHATWG URL standard: a host written
//! as one number (`https://167772161/`), in octal (`012.0.0.1`), in hex (`0xa.0.0.1`) or
//! shortened (`10.1`) is read as the IPv4 address it names, and so refused like the dotted
//! form.

use std::collections::HashSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize, Serializer};

use crate::events::EventType;

/// What an endpoint URL may be, beyond `https` to a public address: the instance's
/// `VEIKART_WEBHOOKS_ALLOW_HTTP` and `VEIKART_WEBHOOKS_ALLOW_LOOPBACK`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UrlPolicy {
    /// Plain `http` is accepted.
    pub allow_http: bool,
    /// 127.0.0.0/8 and ::1 (and `localhost`) are accepted: for tests and development,
    /// never in production.
    pub allow_loopback: bool,
}

/// An endpoint's URL: absolute, `https` (or `http` when allowed), no user info, a host
/// that is not a refused address nor `localhost`, at most [`WebhookUrl::MAX_CHARS`]
/// characters. Kept as the `url` crate writes it back (host lowercased, numbers in
/// dotted form).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub const MAX_CHARS: usize = 2048;
    /// The URL's shape, for the schema: `https://` or `http://`, a host without user info,
    /// then a path, query or fragment. The rest of the rule is in [`WebhookUrl::parse`].
    pub const PATTERN: &'static str = r"^https?://[^\s/?#@]+([/?#]\S*)?$";

    /// The URL if the policy accepts it, else why not (a sentence for the field `url`).
    pub fn parse(value: &str, policy: UrlPolicy) -> Result<Self, String> {
        if value.chars().count() > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        let url = url::Url::parse(value.trim()).map_err(|e| {
            format!("must be an absolute URL such as https://example.com/hooks ({e})")
        })?;
        check_scheme(&url, policy)?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not contain user info (`user:password@`)".into());
        }
        check_host(&url, policy)?;
        // The URL is kept as the standard writes it (a path `/` added, a host's number
        // form as an address, characters escaped), which may be longer than what was sent.
        if url.as_str().chars().count() > Self::MAX_CHARS {
            return Err(format!(
                "must be at most {} characters as written out ({} here)",
                Self::MAX_CHARS,
                url.as_str().chars().count()
            ));
        }
        Ok(Self(url.into()))
    }

    /// A URL as stored (checked when it was saved).
    pub fn stored(value: String) -> Self {
        Self(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for WebhookUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

fn check_scheme(url: &url::Url, policy: UrlPolicy) -> Result<(), String> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if policy.allow_http => Ok(()),
        "http" => Err("must use https (plain http is not accepted by this instance)".into()),
        other => Err(format!("must use https, not `{other}`")),
    }
}

fn check_host(url: &url::Url, policy: UrlPolicy) -> Result<(), String> {
    let ip = match url.host() {
        None => return Err("must have a host".into()),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.');
            if (name == "localhost" || name.ends_with(".localhost")) && !policy.allow_loopback {
                return Err(
                    "must not name localhost: webhooks are sent to public addresses only".into(),
                );
            }
            return Ok(());
        }
    };
    match refusal(ip, policy.allow_loopback) {
        Some(range) => Err(format!(
            "must not be {range} ({ip}): webhooks are sent to public addresses only"
        )),
        None => Ok(()),
    }
}

/// Whether the service refuses to connect to `ip`: loopback (unless `allow_loopback`,
/// which lets 127.0.0.0/8 and ::1 through and nothing else), private, carrier-grade NAT,
/// link-local, unique-local, unspecified, multicast, broadcast, reserved, documentation
/// and benchmarking ranges, and IPv6 forms that carry such an IPv4 address (IPv4-mapped,
/// IPv4-compatible, NAT64, 6to4). The delivery's resolver asks this for every address it
/// would connect to.
pub fn refused_address(ip: IpAddr, allow_loopback: bool) -> bool {
    refusal(ip, allow_loopback).is_some()
}

/// The range `ip` is refused for, in words, or `None` when it may be connected to.
pub fn refusal(ip: IpAddr, allow_loopback: bool) -> Option<&'static str> {
    if allow_loopback && is_allowed_loopback(ip) {
        return None;
    }
    match ip {
        IpAddr::V4(v4) => v4_refusal(v4),
        IpAddr::V6(v6) => v6_refusal(v6),
    }
}

/// The only addresses `allow_loopback` lets through.
fn is_allowed_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.octets()[0] == 127,
        IpAddr::V6(v6) => v6 == Ipv6Addr::LOCALHOST,
    }
}

/// IPv4 ranges never connected to: (first address, prefix length, name).
const V4_REFUSED: &[([u8; 4], u8, &str)] = &[
    (
        [0, 0, 0, 0],
        8,
        "an unspecified or \"this network\" address (0.0.0.0/8)",
    ),
    ([10, 0, 0, 0], 8, "a private address (10.0.0.0/8)"),
    (
        [100, 64, 0, 0],
        10,
        "a carrier-grade NAT address (100.64.0.0/10)",
    ),
    ([127, 0, 0, 0], 8, "a loopback address (127.0.0.0/8)"),
    (
        [169, 254, 0, 0],
        16,
        "a link-local address (169.254.0.0/16)",
    ),
    ([172, 16, 0, 0], 12, "a private address (172.16.0.0/12)"),
    (
        [192, 0, 0, 0],
        24,
        "an IETF protocol address (192.0.0.0/24)",
    ),
    ([192, 0, 2, 0], 24, "a documentation address (192.0.2.0/24)"),
    ([192, 168, 0, 0], 16, "a private address (192.168.0.0/16)"),
    (
        [198, 18, 0, 0],
        15,
        "a benchmarking address (198.18.0.0/15)",
    ),
    (
        [198, 51, 100, 0],
        24,
        "a documentation address (198.51.100.0/24)",
    ),
    (
        [203, 0, 113, 0],
        24,
        "a documentation address (203.0.113.0/24)",
    ),
    ([224, 0, 0, 0], 4, "a multicast address (224.0.0.0/4)"),
    (
        [240, 0, 0, 0],
        4,
        "a reserved or broadcast address (240.0.0.0/4)",
    ),
];

fn v4_refusal(ip: Ipv4Addr) -> Option<&'static str> {
    let bits = u32::from(ip);
    V4_REFUSED
        .iter()
        .find(|(first, len, _)| {
            let mask = u32::MAX << (32 - u32::from(*len));
            bits & mask == u32::from_be_bytes(*first)
        })
        .map(|(_, _, name)| *name)
}

/// IPv6 ranges never connected to: (first address, prefix length, name).
const V6_REFUSED: &[(u128, u8, &str)] = &[
    (0, 128, "the unspecified address (::)"),
    (1, 128, "a loopback address (::1)"),
    (
        0x0064_ff9b_0001 << 80,
        48,
        "a local NAT64 address (64:ff9b:1::/48)",
    ),
    (0x0100 << 112, 64, "a discard address (100::/64)"),
    (0x2001 << 112, 32, "a Teredo address (2001::/32)"),
    (
        0x2001_0db8 << 96,
        32,
        "a documentation address (2001:db8::/32)",
    ),
    (0xfc << 120, 7, "a unique-local address (fc00::/7)"),
    (0xfe80 << 112, 10, "a link-local address (fe80::/10)"),
    (0xfec0 << 112, 10, "a site-local address (fec0::/10)"),
    (0xff << 120, 8, "a multicast address (ff00::/8)"),
];

fn v6_refusal(ip: Ipv6Addr) -> Option<&'static str> {
    let bits = u128::from(ip);
    if let Some((_, _, name)) = V6_REFUSED.iter().find(|(first, len, _)| {
        let mask = u128::MAX << (128 - u32::from(*len));
        bits & mask == *first
    }) {
        return Some(name);
    }
    embedded_v4(bits).and_then(|v4| v4_refusal(v4).map(|_| embedded_name(bits)))
}

/// The IPv4 address an IPv6 address carries: IPv4-mapped (`::ffff:a.b.c.d`),
/// IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) or 6to4 (`2002:aabb:ccdd::`).
fn embedded_v4(bits: u128) -> Option<Ipv4Addr> {
    let low = Ipv4Addr::from(bits as u32);
    match bits >> 32 {
        0xffff | 0 => Some(low),
        0x0064_ff9b_0000_0000_0000_0000 => Some(low),
        _ if bits >> 112 == 0x2002 => Some(Ipv4Addr::from((bits >> 80) as u32)),
        _ => None,
    }
}

fn embedded_name(bits: u128) -> &'static str {
    match bits >> 32 {
        0xffff => "an IPv4-mapped form of a refused IPv4 address",
        0 => "an IPv4-compatible form of a refused IPv4 address",
        _ if bits >> 112 == 0x2002 => "a 6to4 form of a refused IPv4 address",
        _ => "a NAT64 form of a refused IPv4 address",
    }
}

/// Which events an endpoint wants: every type (`["*"]` on the wire), or a list of types,
/// each once, at least one.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "Vec<SelectedName>")]
pub enum EventSelection {
    All,
    Only(Vec<EventType>),
}

impl EventSelection {
    /// The name that selects every type.
    pub const ALL: &'static str = "*";

    /// The selection the names make, else why not.
    pub fn parse(names: &[String]) -> Result<Self, String> {
        if names.is_empty() {
            return Err("must name at least one event type, or be [\"*\"] for all".into());
        }
        if names.iter().any(|n| n == Self::ALL) {
            return match names.len() {
                1 => Ok(Self::All),
                _ => Err("\"*\" selects every event type and must be alone".into()),
            };
        }
        let mut seen = HashSet::new();
        let mut types = Vec::with_capacity(names.len());
        for name in names {
            let ty: EventType = name.parse().map_err(|_| unknown_type(name))?;
            if !seen.insert(ty) {
                return Err(format!("names `{name}` more than once"));
            }
            types.push(ty);
        }
        Ok(Self::Only(types))
    }

    /// Whether an event of this type is sent.
    pub fn wants(&self, ty: EventType) -> bool {
        match self {
            Self::All => true,
            Self::Only(types) => types.contains(&ty),
        }
    }

    /// Whether an event of the type named `name` is sent (a name that is no type is
    /// wanted only by `["*"]`).
    pub fn wants_name(&self, name: &str) -> bool {
        match self {
            Self::All => true,
            Self::Only(types) => types.iter().any(|t| t.as_str() == name),
        }
    }

    /// The names, as on the wire and as stored.
    pub fn names(&self) -> Vec<String> {
        match self {
            Self::All => vec![Self::ALL.to_owned()],
            Self::Only(types) => types.iter().map(|t| t.as_str().to_owned()).collect(),
        }
    }
}

fn unknown_type(name: &str) -> String {
    let known: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
    format!(
        "`{name}` is not an event type; use \"*\" or some of: {}",
        known.join(", ")
    )
}

/// One name of a selection as read: `*` or an event type's (so that an unknown name is
/// refused naming its place in the list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedName(String);

impl<'de> Deserialize<'de> for SelectedName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        if name != EventSelection::ALL && name.parse::<EventType>().is_err() {
            return Err(serde::de::Error::custom(unknown_type(&name)));
        }
        Ok(Self(name))
    }
}

impl TryFrom<Vec<SelectedName>> for EventSelection {
    type Error = String;
    fn try_from(names: Vec<SelectedName>) -> Result<Self, String> {
        let names: Vec<String> = names.into_iter().map(|n| n.0).collect();
        Self::parse(&names)
    }
}

impl Serialize for EventSelection {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.names().serialize(serializer)
    }
}

#[cfg(feature = "openapi")]
mod schema {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaFormat, Type};
    use utoipa::{PartialSchema, ToSchema};

    use super::{EventSelection, EventType, WebhookUrl};

    impl PartialSchema for WebhookUrl {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::Custom("uri".into())))
                .max_length(Some(WebhookUrl::MAX_CHARS))
                .pattern(Some(WebhookUrl::PATTERN))
                .description(Some(
                    "Where events are sent: an absolute `https` URL (plain `http` only when the instance allows it), without user info, whose host is not a loopback, private, carrier-grade NAT, link-local, unique-local, unspecified, multicast, broadcast or reserved address (in any notation, IPv4-mapped forms included). A host name that resolves to such an address is refused when connecting.",
                ))
                .examples(["https://intranett.example.no/hooks/veikart"])
                .into()
        }
    }

    impl ToSchema for WebhookUrl {}

    impl PartialSchema for EventSelection {
        fn schema() -> RefOr<Schema> {
            let mut names: Vec<String> = vec![EventSelection::ALL.to_owned()];
            names.extend(EventType::ALL.iter().map(|t| t.as_str().to_owned()));
            let item = ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(names));
            ArrayBuilder::new()
                .items(item)
                .min_items(Some(1))
                .unique_items(true)
                .description(Some(
                    "The event types sent to the endpoint, each once; `[\"*\"]` for every type, now and later.",
                ))
                .into()
        }
    }

    impl ToSchema for EventSelection {}
}

#[cfg(test)]
mod tests;
