//! Email address syntax: an HTML5-compatible default profile and a strict
//! RFC 5321 `Mailbox` profile, by hand parser (no regex, no DNS).
//!
//! | | [`Email::html5`] (default, [`email()`]) | [`Email::strict`] ([`email_strict()`]) |
//! | --- | --- | --- |
//! | local part | dot-atom of RFC 5322 `atext` (the HTML5 set), no leading, trailing or doubled dot | the same (RFC 5321 `Dot-string`) |
//! | quoted local part (`"a b"@x`) | option, RFC 5321 `Quoted-string` | option, RFC 5321 `Quoted-string` |
//! | domain | LDH labels, 1–63 octets, no edge hyphen; one label is allowed (`a@localhost`) | the same |
//! | address literal (`[1.2.3.4]`, `[IPv6:...]`) | option | option, RFC 5321 grammar: `::` stands for two or more groups, at most 6 (or 4 + IPv4) other groups |
//! | internationalised domain (`ü.example`) | accepted: UTS 46 to ASCII, then the rules above (what a browser does) | option ([`Email::allow_idna`]) |
//! | limits | local part 64, domain 255, address 254 octets (in ASCII form) | the same |
//! | comments, folding white space, obsolete syntax | rejected | rejected |
//!
//! HTML5's own pattern accepts `John..Doe@example.com` and has no length
//! limit; this profile fixes both, so everything it accepts is also accepted
//! by a browser's `<input type=email>` (after the browser's IDN conversion).
//! What [`Email::strict`] accepts, [`Email::html5`] accepts too, for the
//! same options (a fuzz target asserts it).
//!
//! ```
//! use pillars_utils::validate::{Email, EmailError};
//!
//! assert!(Email::html5().is_valid("ada@example.com"));
//! assert_eq!(Email::html5().parse("John..Doe@example.com"), Err(EmailError::InvalidLocalPart));
//! let rfc = Email::strict().allow_quoted_local(true).allow_ip_literal(true);
//! assert!(rfc.is_valid("\"john doe\"@[IPv6:2001:db8::1]"));
//! assert!(!rfc.is_valid("a@[IPv6:1:2:3:4:5:6::8]")); // "::" for one group: RFC 5321 says no
//! ```

use std::borrow::Cow;

use super::error::{Error, Violation};
use super::rules::Rule;

/// Longest local part, in octets (RFC 5321 §4.5.3.1.1).
pub const MAX_LOCAL_LEN: usize = 64;
/// Longest domain, in octets (RFC 5321 §4.5.3.1.2).
pub const MAX_DOMAIN_LEN: usize = 255;
/// Longest address, in octets: the 256-octet `Path` less its angle brackets
/// (RFC 5321 §4.5.3.1.3, erratum 1690).
pub const MAX_ADDRESS_LEN: usize = 254;

/// Which grammar [`Email`] follows; see the module table.
///
/// ```
/// use pillars_utils::validate::{Email, EmailProfile};
/// assert_eq!(Email::default().profile(), EmailProfile::Html5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EmailProfile {
    /// HTML5 `<input type=email>` syntax with RFC length limits and no
    /// stray dots; IDN domains accepted.
    #[default]
    Html5,
    /// RFC 5321 `Mailbox`; IDN domains only with [`Email::allow_idna`].
    Strict,
}

/// Why an address was rejected: the `reason` param of an `email` violation.
///
/// ```
/// use pillars_utils::validate::{Email, EmailError};
/// assert_eq!(Email::html5().parse("a@b@c"), Err(EmailError::InvalidDomain));
/// assert_eq!(EmailError::InvalidDomain.reason(), "invalid_domain");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EmailError {
    /// No `@`.
    #[error("missing @")]
    MissingAt,
    /// Nothing before the `@`.
    #[error("empty local part")]
    EmptyLocalPart,
    /// Nothing after the `@`.
    #[error("empty domain")]
    EmptyDomain,
    /// The local part breaks the dot-atom (or quoted-string) grammar.
    #[error("invalid local part")]
    InvalidLocalPart,
    /// A quoted local part, not enabled.
    #[error("quoted local part not allowed")]
    QuotedLocalPartNotAllowed,
    /// The domain is not a valid host name.
    #[error("invalid domain")]
    InvalidDomain,
    /// An address literal, not enabled.
    #[error("address literal not allowed")]
    AddressLiteralNotAllowed,
    /// A malformed `[...]` address literal.
    #[error("invalid address literal")]
    InvalidAddressLiteral,
    /// Local part over 64 octets.
    #[error("local part too long")]
    LocalPartTooLong,
    /// Domain over 255 octets, or a label over 63.
    #[error("domain too long")]
    DomainTooLong,
    /// Address over 254 octets.
    #[error("address too long")]
    TooLong,
}

impl EmailError {
    /// A stable snake-case name for the `reason` param.
    ///
    /// ```
    /// use pillars_utils::validate::EmailError;
    /// assert_eq!(EmailError::TooLong.reason(), "too_long");
    /// ```
    #[must_use]
    pub fn reason(self) -> &'static str {
        match self {
            Self::MissingAt => "missing_at",
            Self::EmptyLocalPart => "empty_local_part",
            Self::EmptyDomain => "empty_domain",
            Self::InvalidLocalPart => "invalid_local_part",
            Self::QuotedLocalPartNotAllowed => "quoted_local_part_not_allowed",
            Self::InvalidDomain => "invalid_domain",
            Self::AddressLiteralNotAllowed => "address_literal_not_allowed",
            Self::InvalidAddressLiteral => "invalid_address_literal",
            Self::LocalPartTooLong => "local_part_too_long",
            Self::DomainTooLong => "domain_too_long",
            Self::TooLong => "too_long",
        }
    }
}

/// An email rule: a profile and its options. Code `email`, param `reason`.
///
/// ```
/// use pillars_utils::validate::{Email, Rule};
/// let e = Email::strict().check("a@-x.com").unwrap_err();
/// assert_eq!(e.violations()[0].param("reason"), Some(&serde_json::json!("invalid_domain")));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)]
pub struct Email {
    profile: EmailProfile,
    quoted_local: bool,
    ip_literal: bool,
    idna: bool,
}

impl Default for Email {
    fn default() -> Self {
        Self::html5()
    }
}

/// The default email rule ([`Email::html5`]).
///
/// ```
/// use pillars_utils::validate::{email, Rule};
/// assert!(email().check("ada@example.com").is_ok());
/// ```
#[must_use]
pub fn email() -> Email {
    Email::html5()
}

/// The strict RFC 5321 email rule ([`Email::strict`]).
///
/// ```
/// use pillars_utils::validate::{email_strict, Rule};
/// assert!(email_strict().check("ada@example.com").is_ok());
/// ```
#[must_use]
pub fn email_strict() -> Email {
    Email::strict()
}

/// Whether `s` is an email address for the default profile.
///
/// ```
/// assert!(pillars_utils::validate::is_email("a@b.co"));
/// assert!(!pillars_utils::validate::is_email("a@b..co"));
/// ```
#[must_use]
pub fn is_email(s: &str) -> bool {
    Email::html5().is_valid(s)
}

const fn is_atext(b: u8) -> bool {
    matches!(b,
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
        | b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'/'
        | b'=' | b'?' | b'^' | b'_' | b'`' | b'{' | b'|' | b'}' | b'~')
}

impl Email {
    /// The HTML5-compatible default profile (IDN domains on; quoted local
    /// parts and address literals off).
    ///
    /// ```
    /// use pillars_utils::validate::Email;
    /// assert!(Email::html5().is_valid("ada@bücher.example"));
    /// ```
    #[must_use]
    pub const fn html5() -> Self {
        Self {
            profile: EmailProfile::Html5,
            quoted_local: false,
            ip_literal: false,
            idna: true,
        }
    }

    /// The strict RFC 5321 profile (quoted local parts, address literals and
    /// IDN domains off; turn them on with the `allow_*` options).
    ///
    /// ```
    /// use pillars_utils::validate::Email;
    /// assert!(!Email::strict().is_valid("ada@bücher.example"));
    /// assert!(Email::strict().allow_idna(true).is_valid("ada@bücher.example"));
    /// ```
    #[must_use]
    pub const fn strict() -> Self {
        Self {
            profile: EmailProfile::Strict,
            quoted_local: false,
            ip_literal: false,
            idna: false,
        }
    }

    /// The profile.
    ///
    /// ```
    /// use pillars_utils::validate::{Email, EmailProfile};
    /// assert_eq!(Email::strict().profile(), EmailProfile::Strict);
    /// ```
    #[must_use]
    pub const fn profile(&self) -> EmailProfile {
        self.profile
    }

    /// Accepts RFC 5321 quoted local parts (`"john doe"@example.com`).
    ///
    /// ```
    /// use pillars_utils::validate::Email;
    /// assert!(Email::html5().allow_quoted_local(true).is_valid("\"a b\"@x.org"));
    /// ```
    #[must_use]
    pub const fn allow_quoted_local(mut self, yes: bool) -> Self {
        self.quoted_local = yes;
        self
    }

    /// Accepts address literals (`[192.0.2.1]`, `[IPv6:2001:db8::1]`).
    ///
    /// ```
    /// use pillars_utils::validate::Email;
    /// assert!(Email::strict().allow_ip_literal(true).is_valid("a@[192.0.2.1]"));
    /// ```
    #[must_use]
    pub const fn allow_ip_literal(mut self, yes: bool) -> Self {
        self.ip_literal = yes;
        self
    }

    /// Accepts internationalised domain names (converted with UTS 46 by the
    /// `idna` crate, then checked in their ASCII form).
    ///
    /// ```
    /// use pillars_utils::validate::Email;
    /// assert!(!Email::html5().allow_idna(false).is_valid("a@bücher.de"));
    /// ```
    #[must_use]
    pub const fn allow_idna(mut self, yes: bool) -> Self {
        self.idna = yes;
        self
    }

    /// Whether `s` is valid for this rule.
    ///
    /// ```
    /// use pillars_utils::validate::Email;
    /// assert!(!Email::strict().is_valid(" a@b.c"));
    /// ```
    #[must_use]
    pub fn is_valid(&self, s: &str) -> bool {
        self.parse(s).is_ok()
    }

    /// Checks `s`, saying why it was rejected.
    ///
    /// # Errors
    /// The first [`EmailError`] found.
    ///
    /// ```
    /// use pillars_utils::validate::{Email, EmailError};
    /// let long = format!("{}@example.com", "a".repeat(65));
    /// assert_eq!(Email::strict().parse(&long), Err(EmailError::LocalPartTooLong));
    /// ```
    pub fn parse(&self, s: &str) -> Result<(), EmailError> {
        let bytes = s.as_bytes();
        // Local part.
        let local_end = if bytes.first() == Some(&b'"') {
            if !self.quoted_local {
                return Err(EmailError::QuotedLocalPartNotAllowed);
            }
            quoted_string_end(bytes).ok_or(EmailError::InvalidLocalPart)?
        } else {
            let at = bytes
                .iter()
                .position(|&b| b == b'@')
                .ok_or(EmailError::MissingAt)?;
            if at == 0 {
                return Err(EmailError::EmptyLocalPart);
            }
            if !is_dot_atom(&bytes[..at]) {
                return Err(EmailError::InvalidLocalPart);
            }
            at
        };
        if bytes.get(local_end) != Some(&b'@') {
            return Err(if local_end >= bytes.len() {
                EmailError::MissingAt
            } else {
                EmailError::InvalidLocalPart
            });
        }
        if local_end > MAX_LOCAL_LEN {
            return Err(EmailError::LocalPartTooLong);
        }
        let domain = &s[local_end + 1..];
        if domain.is_empty() {
            return Err(EmailError::EmptyDomain);
        }
        let domain_len = if domain.starts_with('[') {
            if !self.ip_literal {
                return Err(EmailError::AddressLiteralNotAllowed);
            }
            let inner = domain
                .strip_prefix('[')
                .and_then(|d| d.strip_suffix(']'))
                .ok_or(EmailError::InvalidAddressLiteral)?;
            if !is_address_literal(inner) {
                return Err(EmailError::InvalidAddressLiteral);
            }
            domain.len()
        } else if domain.is_ascii() {
            check_hostname(domain)?;
            domain.len()
        } else {
            if !self.idna {
                return Err(EmailError::InvalidDomain);
            }
            let ascii: Cow<'_, str> = Cow::Owned(
                idna::domain_to_ascii_strict(domain).map_err(|_| EmailError::InvalidDomain)?,
            );
            check_hostname(&ascii)?;
            ascii.len()
        };
        if local_end + 1 + domain_len > MAX_ADDRESS_LEN {
            return Err(EmailError::TooLong);
        }
        Ok(())
    }
}

/// RFC 5321 `Dot-string`: atoms of atext joined by single dots.
fn is_dot_atom(b: &[u8]) -> bool {
    let mut prev_dot = true; // no leading dot
    for &c in b {
        if c == b'.' {
            if prev_dot {
                return false;
            }
            prev_dot = true;
        } else if is_atext(c) {
            prev_dot = false;
        } else {
            return false;
        }
    }
    !prev_dot
}

/// RFC 5321 `Quoted-string`: returns the index just past the closing quote.
fn quoted_string_end(b: &[u8]) -> Option<usize> {
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'"' => return Some(i + 1),
            b'\\' => {
                // quoted-pairSMTP = %d92 %d32-126
                let next = *b.get(i + 1)?;
                if !(32..=126).contains(&next) {
                    return None;
                }
                i += 2;
            }
            // qtextSMTP = %d32-33 / %d35-91 / %d93-126
            32..=126 => i += 1,
            _ => return None,
        }
    }
    None
}

/// RFC 1123 host name (LDH labels), with the RFC 5321 domain limit.
fn check_hostname(d: &str) -> Result<(), EmailError> {
    if d.len() > MAX_DOMAIN_LEN {
        return Err(EmailError::DomainTooLong);
    }
    // One pass over the bytes, label by label: a bad byte makes its label
    // invalid (which wins over the label's length), so it can return at
    // once; the label's ends and length are judged at its dot (or the end).
    let b = d.as_bytes();
    let mut start = 0;
    for i in 0..=b.len() {
        let c = b.get(i).copied().unwrap_or(b'.');
        if c == b'.' {
            let l = &b[start..i];
            if l.is_empty() || l[0] == b'-' || l[l.len() - 1] == b'-' {
                return Err(EmailError::InvalidDomain);
            }
            if l.len() > 63 {
                return Err(EmailError::DomainTooLong);
            }
            start = i + 1;
        } else if !(c.is_ascii_alphanumeric() || c == b'-') {
            return Err(EmailError::InvalidDomain);
        }
    }
    Ok(())
}

/// RFC 5321 `address-literal` contents: an IPv4 literal or `IPv6:` + an
/// RFC 5321 IPv6 address. General (other-tag) literals are not accepted:
/// no other tag is registered.
fn is_address_literal(inner: &str) -> bool {
    match inner.strip_prefix("IPv6:") {
        Some(v6) => is_rfc5321_ipv6(v6),
        None => is_rfc5321_ipv4(inner),
    }
}

/// `Snum 3("." Snum)`, `Snum = 1*3DIGIT` in 0..=255.
pub(crate) fn is_rfc5321_ipv4(s: &str) -> bool {
    let mut n = 0;
    for part in s.split('.') {
        n += 1;
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
        if part.parse::<u16>().map_or(true, |v| v > 255) {
            return false;
        }
    }
    n == 4
}

fn hex_groups(s: &str) -> Option<usize> {
    if s.is_empty() {
        return Some(0);
    }
    let mut n = 0;
    for g in s.split(':') {
        if g.is_empty() || g.len() > 4 || !g.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        n += 1;
    }
    Some(n)
}

/// RFC 5321 §4.1.3 `IPv6-addr`: full (8 groups), compressed (`::` standing
/// for at least two groups, so at most 6 others), and the v4-mapped forms
/// (6 groups + IPv4, or compressed with at most 4 others).
fn is_rfc5321_ipv6(s: &str) -> bool {
    // Split off a trailing IPv4 part.
    let (hex, v4) = match s.rfind(':') {
        Some(i) if s[i + 1..].contains('.') => {
            if !is_rfc5321_ipv4(&s[i + 1..]) {
                return false;
            }
            // Keep the ':' before the IPv4 if it belongs to a "::".
            let head = &s[..i];
            if head.ends_with(':') {
                (&s[..=i], true)
            } else {
                (head, true)
            }
        }
        _ => (s, false),
    };
    let full = if v4 { 6 } else { 8 };
    let max_comp = if v4 { 4 } else { 6 };
    if let Some(pos) = hex.find("::") {
        let (left, right) = (&hex[..pos], &hex[pos + 2..]);
        if right.contains("::") {
            return false;
        }
        match (hex_groups(left), hex_groups(right)) {
            (Some(a), Some(b)) => a + b <= max_comp,
            _ => false,
        }
    } else {
        hex_groups(hex) == Some(full) && !hex.is_empty()
    }
}

impl<S: AsRef<str> + ?Sized> Rule<S> for Email {
    fn check(&self, value: &S) -> Result<(), Error> {
        self.parse(value.as_ref())
            .map_err(|e| Violation::error_with_reason("email", "reason", e.reason()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The label-by-label definition `check_hostname` implements in one pass.
    fn check_hostname_by_labels(d: &str) -> Result<(), EmailError> {
        if d.len() > MAX_DOMAIN_LEN {
            return Err(EmailError::DomainTooLong);
        }
        for label in d.split('.') {
            let l = label.as_bytes();
            if l.is_empty() || l[0] == b'-' || l[l.len() - 1] == b'-' {
                return Err(EmailError::InvalidDomain);
            }
            if !l.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-') {
                return Err(EmailError::InvalidDomain);
            }
            if l.len() > 63 {
                return Err(EmailError::DomainTooLong);
            }
        }
        Ok(())
    }

    #[test]
    fn one_pass_hostname_matches_label_definition() {
        let mut inputs = vec![String::new()];
        for _ in 0..6 {
            let longer: Vec<String> = inputs
                .iter()
                .flat_map(|s| ['a', '-', '.', '1', '_'].map(|c| format!("{s}{c}")))
                .collect();
            inputs.extend(longer);
        }
        let long = "a".repeat(64);
        let max = "b".repeat(63);
        for extra in [
            format!("{long}.com"),
            format!("{max}.com"),
            format!("x.{long}"),
            format!("{long}_.com"),
            format!("-{long}.com"),
            format!("a.{long}.-b"),
            format!("{}.{}.{}.{}", max, max, max, "c".repeat(61)),
            format!("{}.{}.{}.{}", max, max, max, "c".repeat(62)),
        ] {
            inputs.push(extra);
        }
        for d in &inputs {
            assert_eq!(check_hostname(d), check_hostname_by_labels(d), "{d:?}");
        }
    }

    #[test]
    fn ipv6_literals() {
        for ok in [
            "::",
            "1::",
            "::1",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5::8",
            "::3:4:5:6:7:8",
            "1:2:3:4::1.2.3.4",
            "::1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
        ] {
            assert!(is_rfc5321_ipv6(ok), "{ok}");
        }
        for bad in [
            "",
            ":",
            "1:2:3:4:5:6::8",
            "1:2:3:4:5:6::7:8",
            ":3:4:5:6:7:8:9",
            "1::2::3",
            "1::2:",
            "1:2:3:4:5:1.2.3.4",
            "1:2:3:4:5::1.2.3.4",
            "12345::",
            "g::",
            "1.2.3.4",
        ] {
            assert!(!is_rfc5321_ipv6(bad), "{bad}");
        }
    }

    #[test]
    fn quoted_and_limits() {
        let rfc = Email::strict().allow_quoted_local(true);
        assert!(rfc.is_valid("\"\"@x.org"));
        assert!(rfc.is_valid("\"a\\\"b\"@x.org"));
        assert!(!rfc.is_valid("\"a\"b@x.org"));
        assert!(!rfc.is_valid("\"a\"\"b\"@x.org"));
        assert!(!rfc.is_valid("\"a"));
        let long_domain = format!("a@{}.com", vec!["a".repeat(63); 4].join("."));
        assert_eq!(rfc.parse(&long_domain), Err(EmailError::DomainTooLong));
    }
}
