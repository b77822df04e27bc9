//! URLs: parsed by the `url` crate (the WHATWG URL Standard), with the checks
//! a service wants on top: a scheme allow-list, no white space or control
//! characters anywhere in the raw input, a required host, a host policy and
//! optionally no credentials.
//!
//! The WHATWG parser strips leading and trailing C0 controls and spaces and
//! removes tabs and newlines anywhere, so `"java\nscript:alert(1)"` parses.
//! A validator must not agree: [`UrlRule`] rejects such input before parsing.
//!
//! ```
//! use pillars_utils::validate::{url, HostPolicy, UrlError, UrlRule};
//!
//! assert!(url().is_valid("https://example.com/a?b#c"));
//! assert_eq!(url().parse("javascript:alert(1)"), Err(UrlError::SchemeNotAllowed));
//! assert_eq!(url().parse(" https://example.com"), Err(UrlError::WhitespaceOrControl));
//! let public = url().host_policy(HostPolicy::Public);
//! assert_eq!(public.parse("http://127.0.0.1/"), Err(UrlError::HostNotAllowed));
//! assert!(UrlRule::any().is_valid("mailto:ada@example.com"));
//! ```

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::error::{Error, Violation};
use super::rules::Rule;

/// Which hosts [`UrlRule`] accepts.
///
/// ```
/// use pillars_utils::validate::{url, HostPolicy};
/// assert!(!url().host_policy(HostPolicy::DomainOnly).is_valid("http://[::1]/"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HostPolicy {
    /// Any host the parser accepts.
    #[default]
    Any,
    /// Domain names only: no IP address hosts.
    DomainOnly,
    /// No loopback, private, link-local, unspecified, multicast or
    /// documentation IP, and no `localhost` / `*.localhost` name (an SSRF
    /// first line; names that resolve to such addresses need a resolver).
    Public,
}

/// Why a URL was rejected: the `reason` param of a `url` violation.
///
/// ```
/// use pillars_utils::validate::{url, UrlError};
/// assert_eq!(url().parse("https://"), Err(UrlError::Syntax));
/// assert_eq!(UrlError::Syntax.reason(), "syntax");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// White space or a control character in the raw input.
    #[error("white space or control character")]
    WhitespaceOrControl,
    /// The WHATWG parser rejected it (or it is relative).
    #[error("not a valid absolute URL")]
    Syntax,
    /// The scheme is not in the allow-list.
    #[error("scheme not allowed")]
    SchemeNotAllowed,
    /// No host, or an empty one.
    #[error("missing host")]
    MissingHost,
    /// The host breaks the [`HostPolicy`].
    #[error("host not allowed")]
    HostNotAllowed,
    /// A user name or password, when credentials are denied.
    #[error("credentials not allowed")]
    CredentialsNotAllowed,
}

impl UrlError {
    /// A stable snake-case name for the `reason` param.
    ///
    /// ```
    /// use pillars_utils::validate::UrlError;
    /// assert_eq!(UrlError::MissingHost.reason(), "missing_host");
    /// ```
    #[must_use]
    pub fn reason(self) -> &'static str {
        match self {
            Self::WhitespaceOrControl => "whitespace_or_control",
            Self::Syntax => "syntax",
            Self::SchemeNotAllowed => "scheme_not_allowed",
            Self::MissingHost => "missing_host",
            Self::HostNotAllowed => "host_not_allowed",
            Self::CredentialsNotAllowed => "credentials_not_allowed",
        }
    }
}

/// A URL rule (code `url`, param `reason`).
///
/// ```
/// use pillars_utils::validate::{url, Rule};
/// assert!(url().schemes(["https"]).check("http://example.com").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlRule {
    schemes: Option<Cow<'static, [Cow<'static, str>]>>,
    require_host: bool,
    host_policy: HostPolicy,
    credentials: bool,
}

/// The default allow-list, static so that [`url()`] allocates nothing.
const HTTP_SCHEMES: &[Cow<'static, str>] = &[Cow::Borrowed("http"), Cow::Borrowed("https")];

/// The WHATWG special schemes: the only ones whose URLs the parser can
/// reject after a valid `scheme:` prefix without `//`.
const SPECIAL_SCHEMES: [&str; 6] = ["http", "https", "ws", "wss", "ftp", "file"];

/// The default URL rule: `http` or `https`, a non-empty host, any host
/// policy, credentials allowed.
///
/// ```
/// use pillars_utils::validate::url;
/// assert!(url().is_valid("http://user:pw@example.com:8080/"));
/// assert!(!url().is_valid("file:///etc/passwd"));
/// ```
#[must_use]
pub fn url() -> UrlRule {
    UrlRule {
        schemes: Some(Cow::Borrowed(HTTP_SCHEMES)),
        require_host: true,
        host_policy: HostPolicy::Any,
        credentials: true,
    }
}

/// Whether `s` passes [`url()`].
///
/// ```
/// assert!(pillars_utils::validate::is_url("https://example.com"));
/// ```
#[must_use]
pub fn is_url(s: &str) -> bool {
    url().is_valid(s)
}

impl UrlRule {
    /// Any absolute URL the WHATWG parser accepts (any scheme, host optional),
    /// still without raw white space or control characters.
    ///
    /// ```
    /// use pillars_utils::validate::UrlRule;
    /// assert!(UrlRule::any().is_valid("urn:isbn:0451450523"));
    /// assert!(!UrlRule::any().is_valid("/relative/path"));
    /// ```
    #[must_use]
    pub fn any() -> Self {
        Self {
            schemes: None,
            require_host: false,
            host_policy: HostPolicy::Any,
            credentials: true,
        }
    }

    /// The scheme allow-list (lower case; compared after parsing, which lower-cases).
    ///
    /// ```
    /// use pillars_utils::validate::url;
    /// assert!(url().schemes(["wss"]).is_valid("WSS://example.com/socket"));
    /// ```
    #[must_use]
    pub fn schemes<I, S>(mut self, schemes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'static, str>>,
    {
        self.schemes = Some(Cow::Owned(schemes.into_iter().map(Into::into).collect()));
        self
    }

    /// Whether a non-empty host is required.
    ///
    /// ```
    /// use pillars_utils::validate::url;
    /// assert!(url().schemes(["file"]).require_host(false).is_valid("file:///tmp/x"));
    /// ```
    #[must_use]
    pub fn require_host(mut self, yes: bool) -> Self {
        self.require_host = yes;
        self
    }

    /// The host policy.
    ///
    /// ```
    /// use pillars_utils::validate::{url, HostPolicy};
    /// assert!(!url().host_policy(HostPolicy::Public).is_valid("http://localhost:8080/"));
    /// ```
    #[must_use]
    pub fn host_policy(mut self, policy: HostPolicy) -> Self {
        self.host_policy = policy;
        self
    }

    /// Rejects URLs with a user name or password.
    ///
    /// ```
    /// use pillars_utils::validate::url;
    /// assert!(!url().deny_credentials().is_valid("https://u:p@example.com"));
    /// ```
    #[must_use]
    pub fn deny_credentials(mut self) -> Self {
        self.credentials = false;
        self
    }

    /// Whether `s` passes.
    ///
    /// ```
    /// use pillars_utils::validate::url;
    /// assert!(!url().is_valid("https://exa mple.com"));
    /// ```
    #[must_use]
    pub fn is_valid(&self, s: &str) -> bool {
        self.parse(s).is_ok()
    }

    /// Checks `s`, saying why it was rejected.
    ///
    /// # Errors
    /// The first [`UrlError`] found.
    ///
    /// ```
    /// use pillars_utils::validate::{url, UrlError};
    /// assert_eq!(url().parse("https://a.com/\tx"), Err(UrlError::WhitespaceOrControl));
    /// ```
    pub fn parse(&self, s: &str) -> Result<(), UrlError> {
        if has_whitespace_or_control(s) {
            return Err(UrlError::WhitespaceOrControl);
        }
        match opaque_scheme(s) {
            Opaque::NoScheme => Err(UrlError::Syntax),
            Opaque::Scheme(scheme) => self.check_opaque(scheme),
            Opaque::NeedsParser => self.parse_full(s),
        }
    }

    /// The parser's verdict and the checks on its result, which is dropped
    /// where it lies (kept out of line: the caller's frame stays small).
    #[inline(never)]
    fn parse_full(&self, s: &str) -> Result<(), UrlError> {
        match url::Url::parse(s) {
            Ok(u) => self.check_url(&u),
            Err(_) => Err(UrlError::Syntax),
        }
    }

    /// The verdict for a URL the parser is known to accept with no host,
    /// no credentials and this scheme (see [`opaque_scheme`]).
    fn check_opaque(&self, scheme: &str) -> Result<(), UrlError> {
        if !self.scheme_allowed(scheme) {
            return Err(UrlError::SchemeNotAllowed);
        }
        if self.require_host {
            return Err(UrlError::MissingHost);
        }
        Ok(())
    }

    fn scheme_allowed(&self, scheme: &str) -> bool {
        self.schemes
            .as_deref()
            .is_none_or(|allowed| allowed.iter().any(|a| a.eq_ignore_ascii_case(scheme)))
    }

    /// Checks `s` and returns the parsed URL.
    ///
    /// # Errors
    /// The first [`UrlError`] found.
    ///
    /// ```
    /// use pillars_utils::validate::url;
    /// assert_eq!(url().parse_url("https://EXAMPLE.com").unwrap().host_str(), Some("example.com"));
    /// ```
    pub fn parse_url(&self, s: &str) -> Result<url::Url, UrlError> {
        if has_whitespace_or_control(s) {
            return Err(UrlError::WhitespaceOrControl);
        }
        let u = url::Url::parse(s).map_err(|_| UrlError::Syntax)?;
        self.check_url(&u)?;
        Ok(u)
    }

    /// The scheme, credential and host checks on a parsed URL (by
    /// reference: [`UrlRule::parse`] drops it where it lies).
    fn check_url(&self, u: &url::Url) -> Result<(), UrlError> {
        if !self.scheme_allowed(u.scheme()) {
            return Err(UrlError::SchemeNotAllowed);
        }
        if !self.credentials && (!u.username().is_empty() || u.password().is_some()) {
            return Err(UrlError::CredentialsNotAllowed);
        }
        match u.host() {
            None => {
                if self.require_host {
                    return Err(UrlError::MissingHost);
                }
            }
            Some(url::Host::Domain(d)) => {
                if d.is_empty() && self.require_host {
                    return Err(UrlError::MissingHost);
                }
                if self.host_policy == HostPolicy::Public {
                    let d = d.trim_end_matches('.');
                    if d == "localhost" || d.ends_with(".localhost") {
                        return Err(UrlError::HostNotAllowed);
                    }
                }
            }
            Some(url::Host::Ipv4(a)) => self.check_ip(IpAddr::V4(a))?,
            Some(url::Host::Ipv6(a)) => self.check_ip(IpAddr::V6(a))?,
        }
        Ok(())
    }

    fn check_ip(&self, ip: IpAddr) -> Result<(), UrlError> {
        match self.host_policy {
            HostPolicy::Any => Ok(()),
            HostPolicy::DomainOnly => Err(UrlError::HostNotAllowed),
            HostPolicy::Public => {
                if is_public_ip(ip) {
                    Ok(())
                } else {
                    Err(UrlError::HostNotAllowed)
                }
            }
        }
    }
}

/// `char::is_whitespace` or `char::is_control` anywhere; for ASCII input
/// both are exactly the bytes up to space, and DEL.
///
/// One pass: 16-byte blocks are tested without branching (the compiler
/// vectorises the fold) until one holds a byte that is a space, a control
/// or not ASCII; from there a precise scan decides, by chars past the first
/// non-ASCII byte.
fn has_whitespace_or_control(s: &str) -> bool {
    let bytes = s.as_bytes();
    let suspect = |b: u8| b <= b' ' || b >= 0x7f;
    let mut start = 0;
    for block in bytes.chunks_exact(16) {
        if block.iter().fold(false, |acc, &b| acc | suspect(b)) {
            break;
        }
        start += 16;
    }
    match bytes[start..].iter().position(|&b| suspect(b)) {
        None => false,
        Some(i) => {
            // Every byte before `start + i` is printable ASCII, so it is a
            // char boundary.
            let i = start + i;
            bytes[i] < 0x80 || s[i..].chars().any(|c| c.is_whitespace() || c.is_control())
        }
    }
}

/// What the raw input says about its parse, before parsing.
enum Opaque<'a> {
    /// No `scheme:` prefix: without a base URL the parser rejects it.
    NoScheme,
    /// A non-special scheme not followed by `//`: the parser accepts it
    /// (an opaque or path-only URL: no host, no credentials).
    Scheme(&'a str),
    /// Anything else: only the parser can tell.
    NeedsParser,
}

/// Classifies `s` (free of white space and controls, so the parser trims
/// and removes nothing) the way the WHATWG scheme state would.
///
/// A URL with a non-special scheme and no `//` after the colon goes to the
/// opaque-path or path state, which report validation errors but never
/// fail; so such input parses, with no host. This skips the parser (and its
/// allocation) for `javascript:`, `mailto:`, `urn:` and the like.
fn opaque_scheme(s: &str) -> Opaque<'_> {
    let bytes = s.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_alphabetic) {
        return Opaque::NoScheme;
    }
    let Some(end) = bytes
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
    else {
        return Opaque::NoScheme;
    };
    if bytes[end] != b':' {
        return Opaque::NoScheme;
    }
    let scheme = &s[..end];
    // The parser's offsets are u32: leave huge input to it (percent
    // encoding can triple the length).
    if s.len() > (u32::MAX / 4) as usize
        || s[end + 1..].starts_with("//")
        || SPECIAL_SCHEMES
            .iter()
            .any(|sp| sp.eq_ignore_ascii_case(scheme))
    {
        return Opaque::NeedsParser;
    }
    Opaque::Scheme(scheme)
}

/// Whether `ip` is a globally routable unicast address (not loopback,
/// private, link-local, unspecified, multicast, broadcast, shared, benchmark
/// or documentation; IPv4-mapped, IPv4-compatible, NAT64 `64:ff9b::/96` and
/// 6to4 `2002::/16` IPv6 judged by the IPv4 address they carry).
///
/// ```
/// use pillars_utils::validate::is_public_ip;
/// assert!(is_public_ip("8.8.8.8".parse().unwrap()));
/// assert!(!is_public_ip("::ffff:10.0.0.1".parse().unwrap()));
/// assert!(!is_public_ip("64:ff9b::7f00:1".parse().unwrap())); // NAT64 of 127.0.0.1
/// assert!(!is_public_ip("2002:a9fe:a9fe::".parse().unwrap())); // 6to4 of 169.254.169.254
/// assert!(is_public_ip("64:ff9b::808:808".parse().unwrap())); // NAT64 of 8.8.8.8
/// ```
#[must_use]
pub fn is_public_ip(ip: IpAddr) -> bool {
    fn v4(a: Ipv4Addr) -> bool {
        let o = a.octets();
        !(a.is_private()
            || a.is_loopback()
            || a.is_link_local()
            || a.is_unspecified()
            || a.is_broadcast()
            || a.is_documentation()
            || a.is_multicast()
            || o[0] == 0
            || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64/10 shared
            || (o[0] == 198 && (o[1] & 0xfe) == 18) // 198.18/15 benchmark
            || o[0] >= 240)
    }
    fn v6(a: Ipv6Addr) -> bool {
        if let Some(m) = a.to_ipv4_mapped() {
            return v4(m);
        }
        let s = a.segments();
        let o = a.octets();
        let embedded = |at: usize| Ipv4Addr::new(o[at], o[at + 1], o[at + 2], o[at + 3]);
        // Addresses that carry an IPv4 address and reach it: NAT64
        // (64:ff9b::/96, RFC 6052), 6to4 (2002::/16, RFC 3056) and the
        // deprecated IPv4-compatible ::a.b.c.d. They are public only when
        // the IPv4 address inside is.
        if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
            return v4(embedded(12));
        }
        if s[0] == 0x2002 {
            return v4(embedded(2));
        }
        if s[..6] == [0; 6] && !a.is_loopback() && !a.is_unspecified() {
            return v4(embedded(12));
        }
        !(a.is_loopback()
            || a.is_unspecified()
            || a.is_multicast()
            || (s[0] & 0xfe00) == 0xfc00 // unique local
            || (s[0] & 0xffc0) == 0xfe80 // link local
            || (s[0] == 0x2001 && s[1] == 0x0db8)) // documentation
    }
    match ip {
        IpAddr::V4(a) => v4(a),
        IpAddr::V6(a) => v6(a),
    }
}

impl<S: AsRef<str> + ?Sized> Rule<S> for UrlRule {
    fn check(&self, value: &S) -> Result<(), Error> {
        self.parse(value.as_ref())
            .map_err(|e| Violation::error_with_reason("url", "reason", e.reason()))
    }
}

#[cfg(test)]
mod tests {
    use super::{HostPolicy, UrlRule, has_whitespace_or_control, url};

    /// The shortcut in `parse` (no parser for opaque non-special URLs,
    /// `Syntax` without a scheme) gives the parser's verdict.
    #[test]
    fn parse_shortcut_agrees_with_the_parser() {
        let rules = [
            url(),
            UrlRule::any(),
            url().schemes(["mailto", "urn", "javascript", "foo", "http"]),
            UrlRule::any().require_host(true).deny_credentials(),
            url()
                .schemes(["foo", "a"])
                .require_host(false)
                .host_policy(HostPolicy::Public),
        ];
        let prefixes = [
            "", "a", "A", "foo", "Foo", "http", "HTTPS", "file", "ws", "wss", "ftp", "mailto",
            "1a", "a+b-c.d", "a_b",
        ];
        let alphabet = [
            'a', ':', '/', '\\', '[', ']', '.', '@', '%', '?', '#', '1', '-', '\u{e9}',
        ];
        let mut suffixes = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = suffixes
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            suffixes.extend(longer);
        }
        suffixes.sort();
        suffixes.dedup();
        let mut checked = 0;
        for p in prefixes {
            for s in &suffixes {
                let input = format!("{p}{s}");
                for r in &rules {
                    let full = r.parse_url(&input).map(|_| ());
                    assert_eq!(r.parse(&input), full, "{input:?} {r:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 100_000);
    }

    #[test]
    fn ascii_fast_path_matches_char_classes() {
        for b in 0u8..=0x7f {
            let c = char::from(b);
            let s = c.to_string();
            assert_eq!(
                has_whitespace_or_control(&s),
                c.is_whitespace() || c.is_control(),
                "{b:#x}"
            );
        }
        // Every position around the 16-byte blocks, after ASCII or not.
        for lead in ["", "é", "aé"] {
            for at in 0..40 {
                for c in [
                    ' ', '\t', '\u{7f}', '\u{85}', '\u{a0}', '\u{2028}', 'é', 'x', '€',
                ] {
                    let s = format!("{lead}{}{c}{}", "a".repeat(at), "b".repeat(40 - at));
                    let expected = s.chars().any(|c| c.is_whitespace() || c.is_control());
                    assert_eq!(has_whitespace_or_control(&s), expected, "{s:?}");
                }
            }
        }
        assert!(has_whitespace_or_control("é\u{a0}"));
        assert!(has_whitespace_or_control("é\u{85}"));
        assert!(!has_whitespace_or_control("é"));
    }
}
