//! Every `validate` parser on arbitrary text: none panics, each accepts only
//! what its grammar allows, and what the strict email profile accepts the
//! default profile accepts too (for the same options).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pillars_utils::validate::{self as v, Email, HostPolicy, Rule, UrlRule};

#[derive(Arbitrary, Debug)]
struct Input {
    text: String,
    quoted: bool,
    literal: bool,
    idna: bool,
}

fuzz_target!(|input: Input| {
    let s = input.text.as_str();

    // Email: strict is a subset of the default, and only what its options allow.
    let strict = Email::strict()
        .allow_quoted_local(input.quoted)
        .allow_ip_literal(input.literal)
        .allow_idna(input.idna);
    let html5 = Email::html5()
        .allow_quoted_local(input.quoted)
        .allow_ip_literal(input.literal)
        .allow_idna(input.idna);
    let default_ok = html5.is_valid(s);
    if strict.is_valid(s) {
        assert!(default_ok, "strict accepted, default rejected: {s:?}");
        assert!(s.contains('@'));
        assert!(!s.chars().any(char::is_control));
        if !input.quoted {
            assert!(!s.starts_with('"') && !s.contains(' '));
        }
        if !input.literal {
            assert!(!s.ends_with(']'));
        }
        if !input.idna {
            assert!(s.is_ascii() && s.len() <= v::MAX_ADDRESS_LEN);
        }
    }
    if Email::strict().is_valid(s) {
        assert!(Email::html5().is_valid(s));
    }
    if default_ok {
        // The rule reports through the error type without the value.
        assert!(html5.check(s).is_ok());
    } else if let Err(e) = html5.check(s) {
        assert!(e.violations().iter().all(|x| x.value().is_none()));
        assert_eq!(e.violations()[0].code(), "email");
    }

    // URL: nothing with raw white space or controls; the default rule only
    // http(s) with a host.
    let any = UrlRule::any();
    if any.is_valid(s) {
        assert!(!s.chars().any(|c| c.is_whitespace() || c.is_control()));
    }
    if let Ok(u) = v::url().parse_url(s) {
        assert!(matches!(u.scheme(), "http" | "https"));
        assert!(u.host_str().is_some_and(|h| !h.is_empty()));
        assert!(any.is_valid(s));
    }
    if v::url().host_policy(HostPolicy::Public).is_valid(s) {
        assert!(v::url().is_valid(s));
    }

    // Hosts, ports, IPs.
    if v::is_hostname(s) {
        assert!(s.len() <= v::MAX_HOSTNAME_LEN && v::is_dns_name(s));
    }
    if let Some(p) = v::parse_port(s) {
        assert!(p >= 1);
    }
    let _ = v::is_host_port(s);
    if v::is_ipv4(s) || v::is_ipv6(s) {
        assert!(v::is_ip(s));
    }
    if v::is_cidr_network(s) {
        assert!(v::is_cidr(s));
    }
    let _ = v::parse_mac(s);

    // Identifiers and the rest.
    if v::uuid_version_of(s).is_some() {
        assert!(v::is_uuid(s));
    }
    let _ = (v::is_ulid(s), v::is_semver(s), v::is_e164(s), v::is_luhn(s));
    if v::is_card_number(s) {
        let n = s.bytes().filter(u8::is_ascii_digit).count();
        assert!((12..=19).contains(&n));
    }
    let _ = (
        v::is_base64(s),
        v::is_base64url(s),
        v::is_hex(s),
        v::is_hex_color(s),
        v::is_json(s),
    );
    let _ = (v::is_latitude(s), v::is_longitude(s));
    if v::is_datetime(s) {
        assert!(v::is_date(&s[..10]));
    }
    let _ = (v::is_ascii(s), v::is_printable(s), v::is_printable_ascii(s));
    for mode in [
        v::LengthMode::Bytes,
        v::LengthMode::Chars,
        v::LengthMode::Graphemes,
        v::LengthMode::Utf16,
    ] {
        let _ = v::length(1..=64).mode(mode).check(s);
    }
});
