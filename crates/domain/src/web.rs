//! An organisation's place on the web, as its published pages need it: the address of its
//! own web site, and the origins allowed to frame its embed widget. Each value is checked
//! here once (a value that exists is a valid one), and [`frame_ancestors`] turns the two
//! settings into the embed's `Content-Security-Policy: frame-ancestors` source list.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

/// `scheme://host[:port]`: http or https, a host of lowercase DNS labels (an IPv4 address
/// is one too), and a port from 1 to 65535. The same rule as `split_origin`.
macro_rules! origin_pattern {
    () => {
        concat!(
            "https?://",
            "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*",
            "(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?"
        )
    };
}

const ORIGIN_RULE: &str = "http:// or https://, a lowercase host name and an optional port";

/// The origin at the start of `value` and what follows it (a path, query or fragment, or
/// nothing), if `value` starts with one.
fn split_origin(value: &str) -> Result<(&str, &str), String> {
    let Some(after_scheme) = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
    else {
        return Err(format!(
            "must start with https:// or http:// (in lowercase): {ORIGIN_RULE}"
        ));
    };
    let authority_end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let (authority, rest) = after_scheme.split_at(authority_end);
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if !is_host(host) {
        return Err(format!(
            "must have a host name of lowercase letters, digits, '-' and '.' (e.g. www.example.no), not `{host}`"
        ));
    }
    if port.is_some_and(|p| !is_port(p)) {
        return Err("must have a port from 1 to 65535 (or none)".into());
    }
    let origin_len = value.len() - rest.len();
    Ok((&value[..origin_len], rest))
}

/// Dot-separated labels of 1–63 characters of `a-z`, `0-9` and `-`, not starting or ending
/// with `-`.
fn is_host(host: &str) -> bool {
    !host.is_empty()
        && host.split('.').all(|label| {
            let bytes = label.as_bytes();
            (1..=63).contains(&bytes.len())
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
                && bytes.first() != Some(&b'-')
                && bytes.last() != Some(&b'-')
        })
}

/// A decimal number from 1 to 65535 without leading zeros.
fn is_port(port: &str) -> bool {
    (1..=5).contains(&port.len())
        && port.bytes().all(|b| b.is_ascii_digit())
        && !port.starts_with('0')
        && port.parse::<u32>().is_ok_and(|p| p <= 65535)
}

/// A character an address may hold after its origin: anything but blanks and control
/// characters (the schema's pattern excludes the same).
fn is_url_char(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && c != '\u{feff}'
}

/// The address of an organisation's own web site: an absolute `https://` or `http://` URL
/// with a lowercase host name, e.g. `https://www.example.no/om-oss`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WebSite {
    url: String,
    origin_len: usize,
}

impl WebSite {
    pub const MAX_CHARS: usize = 2000;
    pub const PATTERN: &'static str = concat!(
        "^",
        origin_pattern!(),
        "([/?#][^\\s\\u0000-\\u001f\\u007f-\\u009f\\ufeff]*)?$"
    );

    pub fn parse(value: &str) -> Result<Self, String> {
        if value.chars().count() > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        let (origin, rest) = split_origin(value)?;
        if !rest.chars().all(is_url_char) {
            return Err("must not contain blanks or control characters".into());
        }
        Ok(Self {
            url: value.to_owned(),
            origin_len: origin.len(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The site's origin, `scheme://host[:port]`: what a browser compares a framing page
    /// with.
    pub fn origin(&self) -> &str {
        &self.url[..self.origin_len]
    }
}

impl TryFrom<String> for WebSite {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<WebSite> for String {
    fn from(value: WebSite) -> String {
        value.url
    }
}

impl fmt::Display for WebSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

/// One origin allowed to frame the embed widget: `scheme://host[:port]` (http or https, a
/// lowercase host, no path, query or fragment), or `*` for any.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmbedOrigin(String);

impl EmbedOrigin {
    pub const ANY: &'static str = "*";
    pub const MAX_CHARS: usize = 300;
    pub const PATTERN: &'static str = concat!("^(\\*|", origin_pattern!(), ")$");

    pub fn parse(value: &str) -> Result<Self, String> {
        if value == Self::ANY {
            return Ok(Self(value.to_owned()));
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        let (origin, rest) = split_origin(value).map_err(|e| format!("{e}; or *"))?;
        if !rest.is_empty() {
            return Err(format!(
                "must be an origin without a path, query or fragment (not even a trailing /), e.g. {origin}"
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_any(&self) -> bool {
        self.0 == Self::ANY
    }
}

impl TryFrom<String> for EmbedOrigin {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<EmbedOrigin> for String {
    fn from(value: EmbedOrigin) -> String {
        value.0
    }
}

/// The origins allowed to frame the embed widget: at most 20, no duplicates, and `*` only
/// alone. An empty list allows none. Written space-separated (`Display`, [`parse`]) it is
/// a CSP source list.
///
/// [`parse`]: EmbedOrigins::parse
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<EmbedOrigin>", into = "Vec<EmbedOrigin>")]
pub struct EmbedOrigins(Vec<EmbedOrigin>);

impl EmbedOrigins {
    pub const MAX_ITEMS: usize = 20;

    pub fn new(origins: Vec<EmbedOrigin>) -> Result<Self, String> {
        if origins.len() > Self::MAX_ITEMS {
            return Err(format!("must hold at most {} origins", Self::MAX_ITEMS));
        }
        if origins.len() > 1 && origins.iter().any(EmbedOrigin::is_any) {
            return Err("* allows any origin and must be the only entry".into());
        }
        let mut seen = HashSet::new();
        if let Some(twice) = origins.iter().find(|o| !seen.insert(o.as_str())) {
            return Err(format!("holds {} twice", twice.as_str()));
        }
        Ok(Self(origins))
    }

    /// Reads the space-separated form.
    pub fn parse(value: &str) -> Result<Self, String> {
        let origins = value
            .split_whitespace()
            .map(EmbedOrigin::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(origins)
    }

    pub fn iter(&self) -> impl Iterator<Item = &EmbedOrigin> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl TryFrom<Vec<EmbedOrigin>> for EmbedOrigins {
    type Error = String;
    fn try_from(value: Vec<EmbedOrigin>) -> Result<Self, String> {
        Self::new(value)
    }
}

impl From<EmbedOrigins> for Vec<EmbedOrigin> {
    fn from(value: EmbedOrigins) -> Self {
        value.0
    }
}

/// Space-separated, as in a CSP source list.
impl fmt::Display for EmbedOrigins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, origin) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(origin.as_str())?;
        }
        Ok(())
    }
}

/// The embed widget's `frame-ancestors` source list: the embed origins when they are set
/// (`*` stays `*`; an empty list allows none), else the web site's origin when it is set,
/// else `'none'`.
pub fn frame_ancestors(website: Option<&WebSite>, embed_origins: Option<&EmbedOrigins>) -> String {
    match (embed_origins, website) {
        (Some(origins), _) if !origins.is_empty() => origins.to_string(),
        (Some(_), _) | (None, None) => "'none'".to_owned(),
        (None, Some(site)) => site.origin().to_owned(),
    }
}

#[cfg(feature = "openapi")]
mod schema {
    use std::borrow::Cow;

    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
    use utoipa::openapi::{Ref, RefOr};
    use utoipa::{PartialSchema, ToSchema};

    use super::{EmbedOrigin, EmbedOrigins, WebSite};

    impl PartialSchema for WebSite {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(Self::MAX_CHARS))
                .pattern(Some(Self::PATTERN))
                .description(Some(
                    "The organisation's own web site: an absolute https:// or http:// URL with a lowercase host name, e.g. `https://www.example.no`.",
                ))
                .into()
        }
    }

    impl ToSchema for WebSite {}

    impl PartialSchema for EmbedOrigin {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(Self::MAX_CHARS))
                .pattern(Some(Self::PATTERN))
                .description(Some(
                    "An origin allowed to frame the embed widget: `scheme://host[:port]` (http or https, a lowercase host, no path, query or fragment, e.g. `https://intranett.example.no`), or `*` for any.",
                ))
                .into()
        }
    }

    impl ToSchema for EmbedOrigin {}

    impl PartialSchema for EmbedOrigins {
        fn schema() -> RefOr<Schema> {
            ArrayBuilder::new()
                .items(Ref::from_schema_name(EmbedOrigin::name()))
                .max_items(Some(Self::MAX_ITEMS))
                .unique_items(true)
                .description(Some(
                    "The origins allowed to frame the embed widget: at most 20, each once, and `*` only alone; an empty list allows none.",
                ))
                .into()
        }
    }

    impl ToSchema for EmbedOrigins {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("EmbedOrigins")
        }

        fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
            schemas.push((EmbedOrigin::name().into_owned(), EmbedOrigin::schema()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(list: &[&str]) -> Result<EmbedOrigins, String> {
        EmbedOrigins::new(
            list.iter()
                .map(|o| EmbedOrigin::parse(o))
                .collect::<Result<_, _>>()?,
        )
    }

    #[test]
    fn a_web_site_is_an_absolute_http_or_https_address() {
        for ok in [
            "https://www.innovasjongardermoen.no",
            "http://example.no/",
            "https://a.no/om-oss/årsmøte?x=1#plan",
            "https://10.0.0.1:8443/intranett",
            "http://localhost:8080",
        ] {
            assert_eq!(WebSite::parse(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "ftp://x",
            "www.example.no",
            "https://",
            "https:///path",
            "HTTPS://a.no",
            "https://A.no",
            "https://a..no",
            "https://-a.no",
            "https://a.no:0",
            "https://a.no:65536",
            "https://a.no:08",
            "https://user@a.no",
            "https://a.no/a b",
            "https://a.no/\u{7}",
            " https://a.no",
        ] {
            assert!(WebSite::parse(bad).is_err(), "{bad}");
        }
        assert!(WebSite::parse(&format!("https://a.no/{}", "x".repeat(2000))).is_err());
    }

    #[test]
    fn the_messages_say_what_is_wrong() {
        let message = |v: &str| WebSite::parse(v).unwrap_err();
        assert!(message("ftp://x").contains("https://"));
        assert!(message("https://Www.no").contains("lowercase"));
        assert!(message("https://a.no:99999").contains("port"));
        let path = EmbedOrigin::parse("https://a.no/path").unwrap_err();
        assert!(path.contains("without a path") && path.contains("https://a.no"));
    }

    #[test]
    fn a_web_site_knows_its_origin() {
        let origin = |v: &str| WebSite::parse(v).unwrap().origin().to_owned();
        assert_eq!(origin("https://www.example.no"), "https://www.example.no");
        assert_eq!(
            origin("https://www.example.no/om?x#y"),
            "https://www.example.no"
        );
        assert_eq!(origin("http://a.no:8080?x"), "http://a.no:8080");
        assert_eq!(origin("http://a.no#top"), "http://a.no");
    }

    #[test]
    fn an_embed_origin_has_no_path_or_is_any() {
        for ok in ["*", "https://a.no", "http://intranett.example.no:8080"] {
            assert_eq!(EmbedOrigin::parse(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "ftp://x",
            "https://a.no/",
            "https://a.no/path",
            "https://a.no?x",
            "https://a.no#x",
            "https://*.a.no",
            "**",
            "",
            "a.no",
        ] {
            assert!(EmbedOrigin::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn embed_origins_are_few_distinct_and_any_only_alone() {
        assert!(origins(&[]).unwrap().is_empty());
        assert!(origins(&["*"]).is_ok());
        assert!(origins(&["https://a.no", "https://b.no"]).is_ok());
        assert!(
            origins(&["*", "https://a.no"])
                .unwrap_err()
                .contains("only")
        );
        assert!(origins(&["*", "*"]).is_err());
        let twice = origins(&["https://a.no", "https://a.no"]).unwrap_err();
        assert!(twice.contains("https://a.no twice"), "{twice}");
        let many: Vec<String> = (0..21).map(|i| format!("https://a{i}.no")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(origins(&many[..20]).is_ok());
        assert!(origins(&many).unwrap_err().contains("at most 20"));
    }

    #[test]
    fn embed_origins_read_back_from_their_space_separated_form() {
        let list = origins(&["https://a.no", "http://b.no:8080"]).unwrap();
        assert_eq!(list.to_string(), "https://a.no http://b.no:8080");
        assert_eq!(EmbedOrigins::parse(&list.to_string()).unwrap(), list);
        assert_eq!(EmbedOrigins::parse("").unwrap(), EmbedOrigins::default());
        assert!(EmbedOrigins::parse("* https://a.no").is_err());
    }

    #[test]
    fn embed_origins_are_a_json_list_of_strings() {
        let list: EmbedOrigins =
            serde_json::from_str(r#"["https://a.no", "https://b.no"]"#).unwrap();
        assert_eq!(
            serde_json::to_string(&list).unwrap(),
            r#"["https://a.no","https://b.no"]"#
        );
        assert!(serde_json::from_str::<EmbedOrigins>(r#"["*", "https://a.no"]"#).is_err());
        assert!(serde_json::from_str::<EmbedOrigins>(r#"["ftp://x"]"#).is_err());
    }

    #[test]
    fn frame_ancestors_prefers_the_embed_origins_then_the_web_site_then_none() {
        let site = WebSite::parse("https://www.example.no/om-oss").unwrap();
        let list = origins(&["https://a.no", "https://b.no:8443"]).unwrap();
        let any = origins(&["*"]).unwrap();
        let empty = origins(&[]).unwrap();
        assert_eq!(
            frame_ancestors(Some(&site), Some(&list)),
            "https://a.no https://b.no:8443"
        );
        assert_eq!(frame_ancestors(None, Some(&any)), "*");
        assert_eq!(frame_ancestors(Some(&site), Some(&empty)), "'none'");
        assert_eq!(frame_ancestors(Some(&site), None), "https://www.example.no");
        assert_eq!(frame_ancestors(None, None), "'none'");
    }
}
