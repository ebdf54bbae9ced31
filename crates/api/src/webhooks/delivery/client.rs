//! The HTTP client of webhook deliveries: HTTP/1.1 over rustls, no redirects followed, no
//! proxy, a 10 s timeout for the whole exchange, and a resolver that refuses every name
//! resolving to an address webhooks may not reach (`veikart_domain::webhooks::refused_address`,
//! the classification the management API checks saved URLs with) — checked at
//! connect time on every attempt, so a name that resolves to a private address later than
//! when the endpoint was saved is refused too. A URL whose host is a literal address is
//! checked before any connection ([`check_literal_host`]).

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::{Client, Url};

use veikart_domain::webhooks::refused_address;

/// How long one attempt may take, from connecting to the end of the answer's headers.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Finds the addresses of a host name (the system's resolver, or a stub in tests).
pub trait Lookup: Send + Sync + 'static {
    fn lookup(&self, host: String) -> LookupFuture;
}

pub type LookupFuture = Pin<Box<dyn Future<Output = std::io::Result<Vec<SocketAddr>>> + Send>>;

/// The system's resolver (`getaddrinfo` on a blocking thread).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemLookup;

impl Lookup for SystemLookup {
    fn lookup(&self, host: String) -> LookupFuture {
        Box::pin(async move { Ok(tokio::net::lookup_host((host, 0)).await?.collect()) })
    }
}

/// A name that resolves to an address webhooks may not reach.
#[derive(Debug, thiserror::Error)]
#[error("`{host}` resolves to {ip}, an address webhooks are not sent to")]
pub struct RefusedAddress {
    pub host: String,
    pub ip: IpAddr,
}

/// The resolver of the client: the lookup's answer, refused as a whole when any address in
/// it is refused (so that no connection is ever tried to such an address).
struct GuardedResolver {
    lookup: Arc<dyn Lookup>,
    allow_loopback: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let lookup = self.lookup.clone();
        let allow_loopback = self.allow_loopback;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = lookup.lookup(host.clone()).await?;
            if let Some(refused) = addrs
                .iter()
                .find(|a| refused_address(a.ip(), allow_loopback))
            {
                return Err(Box::new(RefusedAddress {
                    host,
                    ip: refused.ip(),
                })
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The client deliveries are sent with, resolving names with `lookup`.
pub fn client(lookup: Arc<dyn Lookup>, allow_loopback: bool) -> Result<Client, reqwest::Error> {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .user_agent(concat!("Veikart-Webhooks/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(GuardedResolver {
            lookup,
            allow_loopback,
        }))
        .build()
}

/// Refuses a URL whose host is a literal address webhooks may not reach (a name is
/// checked by the resolver when it is connected to).
pub fn check_literal_host(url: &Url, allow_loopback: bool) -> Result<(), RefusedAddress> {
    // The URL parser writes any address form (`167772161`, `0x0a.0.0.1`, octal) as a
    // dotted quad, and an IPv6 address between brackets.
    let host = url.host_str().unwrap_or_default();
    let Ok(ip) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    else {
        return Ok(());
    };
    if refused_address(ip, allow_loopback) {
        return Err(RefusedAddress {
            host: ip.to_string(),
            ip,
        });
    }
    Ok(())
}
