//! Host names, DNS names, ports and `host:port`.
//!
//! | rule | accepts |
//! | --- | --- |
//! | [`hostname`] | RFC 1123 host name: LDH labels of 1–63 octets, no edge hyphen, at most 253 octets, no trailing dot |
//! | [`dns_name`] | a DNS name as resolvers take it: also `_` in labels (`_sip._tcp.example.com`) and one trailing dot |
//! | [`port`] | a decimal port 1–65535, no sign, no leading zero |
//! | [`host_port`] | `host:port` with a host name or IPv4 address, or `[IPv6]:port` |
//!
//! ```
//! use pillars_utils::validate::{is_host_port, is_hostname};
//!
//! assert!(is_hostname("api.example.com"));
//! assert!(!is_hostname("-bad.example.com"));
//! assert!(is_host_port("[2001:db8::1]:8443"));
//! assert!(!is_host_port("example.com:0"));
//! ```

use std::net::{Ipv4Addr, Ipv6Addr};

use super::format::Format;

/// Longest host name, in octets (the 255-octet wire form less its length
/// and root octets).
pub const MAX_HOSTNAME_LEN: usize = 253;

fn labels_ok(s: &str, underscore: bool) -> bool {
    if s.is_empty() || s.len() > MAX_HOSTNAME_LEN {
        return false;
    }
    s.split('.').all(|l| {
        let b = l.as_bytes();
        !b.is_empty()
            && b.len() <= 63
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
            && b.iter()
                .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || (underscore && c == b'_'))
    })
}

/// Whether `s` is an RFC 1123 host name.
///
/// ```
/// assert!(pillars_utils::validate::is_hostname("localhost"));
/// assert!(!pillars_utils::validate::is_hostname("a..b"));
/// ```
#[must_use]
pub fn is_hostname(s: &str) -> bool {
    labels_ok(s, false)
}

/// Whether `s` is a DNS name (underscores allowed, one optional trailing dot).
///
/// ```
/// assert!(pillars_utils::validate::is_dns_name("_dmarc.example.com."));
/// assert!(!pillars_utils::validate::is_dns_name("example..com"));
/// ```
#[must_use]
pub fn is_dns_name(s: &str) -> bool {
    labels_ok(s.strip_suffix('.').unwrap_or(s), true)
}

/// Parses a port: 1–65535, ASCII digits only, no leading zero.
///
/// ```
/// assert_eq!(pillars_utils::validate::parse_port("8080"), Some(8080));
/// assert_eq!(pillars_utils::validate::parse_port("080"), None);
/// assert_eq!(pillars_utils::validate::parse_port("+80"), None);
/// ```
#[must_use]
pub fn parse_port(s: &str) -> Option<u16> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 5 || b[0] == b'0' || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.parse::<u16>().ok()
}

/// Whether `s` is a port.
///
/// ```
/// assert!(pillars_utils::validate::is_port("443"));
/// assert!(!pillars_utils::validate::is_port("65536"));
/// ```
#[must_use]
pub fn is_port(s: &str) -> bool {
    parse_port(s).is_some()
}

/// Whether `s` is `host:port` (host name or IPv4) or `[IPv6]:port`.
///
/// ```
/// assert!(pillars_utils::validate::is_host_port("db:5432"));
/// assert!(pillars_utils::validate::is_host_port("10.0.0.1:80"));
/// assert!(!pillars_utils::validate::is_host_port("2001:db8::1:80"));
/// ```
#[must_use]
pub fn is_host_port(s: &str) -> bool {
    if let Some(rest) = s.strip_prefix('[') {
        let Some((host, port)) = rest.split_once("]:") else {
            return false;
        };
        return host.parse::<Ipv6Addr>().is_ok() && is_port(port);
    }
    let Some((host, port)) = s.rsplit_once(':') else {
        return false;
    };
    (host.parse::<Ipv4Addr>().is_ok() || is_hostname(host)) && is_port(port)
}

/// Rule: [`is_hostname`] (code `hostname`).
///
/// ```
/// use pillars_utils::validate::{hostname, Rule};
/// assert!(hostname().check("example.com").is_ok());
/// ```
#[must_use]
pub const fn hostname() -> Format {
    Format::new("hostname", is_hostname)
}

/// Rule: [`is_dns_name`] (code `dns_name`).
///
/// ```
/// use pillars_utils::validate::{dns_name, Rule};
/// assert!(dns_name().check("_sip._tcp.example.com").is_ok());
/// ```
#[must_use]
pub const fn dns_name() -> Format {
    Format::new("dns_name", is_dns_name)
}

/// Rule: [`is_port`] (code `port`).
///
/// ```
/// use pillars_utils::validate::{port, Rule};
/// assert!(port().check("0").is_err());
/// ```
#[must_use]
pub const fn port() -> Format {
    Format::new("port", is_port)
}

/// Rule: [`is_host_port`] (code `host_port`).
///
/// ```
/// use pillars_utils::validate::{host_port, Rule};
/// assert!(host_port().check("example.com:443").is_ok());
/// ```
#[must_use]
pub const fn host_port() -> Format {
    Format::new("host_port", is_host_port)
}
