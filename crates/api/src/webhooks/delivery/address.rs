//! Which addresses a webhook may never be sent to: loopback, private (10/8, 172.16/12,
//! 192.168/16), carrier-grade NAT (100.64/10), link-local (169.254/16, fe80::/10),
//! unique-local (fc00::/7), unspecified, multicast, broadcast and reserved addresses, and
//! the IPv4-mapped forms of those. Loopback (127/8, ::1) is allowed only with
//! `VEIKART_WEBHOOKS_ALLOW_LOOPBACK=true`, for tests and development.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether a webhook must not be sent to `ip`.
pub fn refused_address(ip: IpAddr, allow_loopback: bool) -> bool {
    match ip {
        IpAddr::V4(v4) => refused_v4(v4, allow_loopback),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => refused_v4(v4, allow_loopback),
            None => refused_v6(v6, allow_loopback),
        },
    }
}

fn refused_v4(ip: Ipv4Addr, allow_loopback: bool) -> bool {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        return !allow_loopback;
    }
    ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240
}

fn refused_v6(ip: Ipv6Addr, allow_loopback: bool) -> bool {
    if ip.is_loopback() {
        return !allow_loopback;
    }
    let first = ip.segments()[0];
    ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        // IPv4-compatible (::a.b.c.d, deprecated) and NAT64 (64:ff9b::/96) forms.
        || ip.segments()[..6] == [0; 6]
        || ip.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str, allow_loopback: bool) -> bool {
        refused_address(text.parse().unwrap(), allow_loopback)
    }

    #[test]
    fn private_and_special_ranges_are_refused() {
        for ip in [
            "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1",
            "100.127.255.255", "169.254.169.254", "0.0.0.0", "224.0.0.1", "255.255.255.255",
            "127.0.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12::1", "ff02::1",
            "::ffff:10.0.0.1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a00:1",
        ] {
            assert!(refused(ip, false), "{ip}");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for ip in ["93.184.216.34", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(!refused(ip, false), "{ip}");
        }
    }

    #[test]
    fn allowing_loopback_allows_loopback_only() {
        for ip in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            assert!(!refused(ip, true), "{ip}");
        }
        for ip in ["10.0.0.1", "0.0.0.0", "::", "fe80::1", "169.254.169.254"] {
            assert!(refused(ip, true), "{ip}");
        }
    }
}
