//! IP addresses, CIDR blocks and MAC addresses.
//!
//! IP parsing is the standard library's: dotted-quad IPv4 with no leading
//! zeros (so `010.0.0.1` is rejected, not read as octal) and RFC 4291 IPv6
//! text, with no zone (`%eth0`).
//!
//! ```
//! use pillars_utils::validate::{is_cidr, is_ip, is_mac};
//!
//! assert!(is_ip("2001:db8::1"));
//! assert!(!is_ip("010.0.0.1"));
//! assert!(is_cidr("10.0.0.0/8"));
//! assert!(!is_cidr("10.0.0.0/33"));
//! assert!(is_mac("00:1a:2b:3c:4d:5e"));
//! ```

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::format::Format;

/// Whether `s` is an IPv4 or IPv6 address.
///
/// ```
/// assert!(pillars_utils::validate::is_ip("192.0.2.1"));
/// ```
#[must_use]
pub fn is_ip(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok()
}

/// Whether `s` is a dotted-quad IPv4 address.
///
/// ```
/// assert!(!pillars_utils::validate::is_ipv4("1.2.3"));
/// ```
#[must_use]
pub fn is_ipv4(s: &str) -> bool {
    s.parse::<Ipv4Addr>().is_ok()
}

/// Whether `s` is an IPv6 address.
///
/// ```
/// assert!(pillars_utils::validate::is_ipv6("::ffff:192.0.2.1"));
/// ```
#[must_use]
pub fn is_ipv6(s: &str) -> bool {
    s.parse::<Ipv6Addr>().is_ok()
}

/// Parses a CIDR block `address/prefix` (prefix 0–32 or 0–128, decimal, no
/// leading zero). Host bits may be set, as in Go's `net.ParseCIDR`; use
/// [`is_cidr_network`] to require them clear.
///
/// ```
/// use std::net::IpAddr;
/// let (ip, len) = pillars_utils::validate::parse_cidr("2001:db8::/32").unwrap();
/// assert_eq!((ip, len), ("2001:db8::".parse::<IpAddr>().unwrap(), 32));
/// assert!(pillars_utils::validate::parse_cidr("10.0.0.0/08").is_none());
/// ```
#[must_use]
pub fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (addr, len) = s.split_once('/')?;
    let ip: IpAddr = addr.parse().ok()?;
    let b = len.as_bytes();
    if b.is_empty()
        || b.len() > 3
        || (b.len() > 1 && b[0] == b'0')
        || !b.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let n: u8 = len.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (n <= max).then_some((ip, n))
}

/// Whether `s` is a CIDR block.
///
/// ```
/// assert!(pillars_utils::validate::is_cidr("192.0.2.7/24"));
/// ```
#[must_use]
pub fn is_cidr(s: &str) -> bool {
    parse_cidr(s).is_some()
}

/// Whether `s` is a CIDR block whose host bits are all zero.
///
/// ```
/// assert!(pillars_utils::validate::is_cidr_network("192.0.2.0/24"));
/// assert!(!pillars_utils::validate::is_cidr_network("192.0.2.7/24"));
/// ```
#[must_use]
pub fn is_cidr_network(s: &str) -> bool {
    match parse_cidr(s) {
        Some((IpAddr::V4(a), n)) => u32::from(a).checked_shl(u32::from(n)).unwrap_or(0) == 0,
        Some((IpAddr::V6(a), n)) => u128::from(a).checked_shl(u32::from(n)).unwrap_or(0) == 0,
        None => false,
    }
}

/// Parses a MAC address: EUI-48 or EUI-64 as hex octet pairs separated
/// consistently by `:` or `-`, or as dotted 4-digit groups (`0000.5e00.5301`).
///
/// ```
/// let mac = pillars_utils::validate::parse_mac("00-00-5E-00-53-01").unwrap();
/// assert_eq!(mac, vec![0x00, 0x00, 0x5e, 0x00, 0x53, 0x01]);
/// assert!(pillars_utils::validate::parse_mac("00:00-5e:00:53:01").is_none());
/// ```
#[must_use]
pub fn parse_mac(s: &str) -> Option<Vec<u8>> {
    let hex2 = |p: &str| -> Option<u8> {
        (p.len() == 2 && p.bytes().all(|c| c.is_ascii_hexdigit()))
            .then(|| u8::from_str_radix(p, 16).ok())
            .flatten()
    };
    let out: Vec<u8> = if s.contains('.') {
        let groups: Vec<&str> = s.split('.').collect();
        if !matches!(groups.len(), 3 | 4) {
            return None;
        }
        let mut v = Vec::with_capacity(groups.len() * 2);
        for g in groups {
            if g.len() != 4 {
                return None;
            }
            v.push(hex2(g.get(..2)?)?);
            v.push(hex2(g.get(2..)?)?);
        }
        v
    } else {
        let sep = if s.contains(':') { ':' } else { '-' };
        s.split(sep).map(hex2).collect::<Option<Vec<u8>>>()?
    };
    matches!(out.len(), 6 | 8).then_some(out)
}

/// Whether `s` is a MAC address.
///
/// ```
/// assert!(pillars_utils::validate::is_mac("0000.5e00.5301"));
/// ```
#[must_use]
pub fn is_mac(s: &str) -> bool {
    parse_mac(s).is_some()
}

/// Rule: [`is_ip`] (code `ip`).
///
/// ```
/// use pillars_utils::validate::{ip, Rule};
/// assert!(ip().check("::1").is_ok());
/// ```
#[must_use]
pub const fn ip() -> Format {
    Format::new("ip", is_ip)
}

/// Rule: [`is_ipv4`] (code `ipv4`).
///
/// ```
/// use pillars_utils::validate::{ipv4, Rule};
/// assert!(ipv4().check("::1").is_err());
/// ```
#[must_use]
pub const fn ipv4() -> Format {
    Format::new("ipv4", is_ipv4)
}

/// Rule: [`is_ipv6`] (code `ipv6`).
///
/// ```
/// use pillars_utils::validate::{ipv6, Rule};
/// assert!(ipv6().check("::1").is_ok());
/// ```
#[must_use]
pub const fn ipv6() -> Format {
    Format::new("ipv6", is_ipv6)
}

/// Rule: [`is_cidr`] (code `cidr`).
///
/// ```
/// use pillars_utils::validate::{cidr, Rule};
/// assert!(cidr().check("::/0").is_ok());
/// ```
#[must_use]
pub const fn cidr() -> Format {
    Format::new("cidr", is_cidr)
}

/// Rule: [`is_cidr_network`] (code `cidr`).
///
/// ```
/// use pillars_utils::validate::{cidr_network, Rule};
/// assert!(cidr_network().check("10.1.0.0/16").is_ok());
/// ```
#[must_use]
pub const fn cidr_network() -> Format {
    Format::new("cidr", is_cidr_network)
}

/// Rule: [`is_mac`] (code `mac`).
///
/// ```
/// use pillars_utils::validate::{mac, Rule};
/// assert!(mac().check("00:1A:2B:3C:4D:5E").is_ok());
/// ```
#[must_use]
pub const fn mac() -> Format {
    Format::new("mac", is_mac)
}
