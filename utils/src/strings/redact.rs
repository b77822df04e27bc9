//! Redaction of secrets and personal data in free text such as log lines.
//!
//! All enabled rules are compiled into **one multi-pattern regex**
//! (`regex-automata`'s meta engine, the engine behind the `regex` crate:
//! linear time in the input, literal prefilters where a rule has them), so
//! a line is scanned once, left to right, whatever the number of rules.
//! Only when a rule matched is its pattern run again, anchored on the match,
//! to find the secret's capture group, and checked (Luhn for card numbers,
//! a real address parse for IPv6). When nothing matched the input is
//! returned borrowed.
//!
//! Rules are tried leftmost first; where two rules match at the same place,
//! the one listed first in [`Kind::ALL`] wins (custom rules come before all
//! built-in ones). The rules and what each replaces:
//!
//! | [`Kind`] | matches | replaced |
//! | --- | --- | --- |
//! | `Jwt` | `eyJ…​.…​.…` (three base64url segments, header starting `{"`) | the token |
//! | `AuthorizationHeader` | `Authorization: <scheme> <credentials>` (also `Proxy-Authorization`, `=` forms) | the credentials |
//! | `Cookie` | `Cookie:` / `Set-Cookie:` headers | the rest of the line |
//! | `BearerToken` | `Bearer <token>` anywhere | the token |
//! | `AwsAccessKeyId` | `AKIA` / `ASIA` / `ABIA` / `ACCA` + 16 upper-case letters or digits | the key id |
//! | `AwsSecretKey` | `aws_secret_access_key = <40 chars>` and spellings | the key |
//! | `UrlPassword` | `scheme://user:password@host` | the password |
//! | `SecretParam` | `key=value` / `key: value` / `"key": "value"` where the key contains password, passwd, pwd, secret, token, `api_key`, `access_key`, `private_key`, credential, `session_id`, signature | the value |
//! | `Email` | ASCII `local@domain.tld` | the address |
//! | `CardNumber` | 13–19 digits starting 2–6 (the card networks' ranges), spaces or dashes between, **Luhn-valid** | the number |
//! | `Ipv4` | dotted quad, each octet 0–255 | the address |
//! | `Ipv6` | any form `std::net::Ipv6Addr` parses (`::1`, `fe80::1`, `::ffff:1.2.3.4`), standing alone, with at least one decimal digit (so `a::b` paths are left alone) | the address |
//!
//! Known limits: non-ASCII emails are not matched; a card number glued to
//! more digits (`4111…1111 2`) is one longer, Luhn-invalid run and is left
//! alone; version strings that look like IPv4 (`1.2.3.4`) are redacted.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex_automata::meta::Regex;
use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input, Span};

use super::Error;

/// A kind of secret or personal data that [`Redactor`] finds.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::{Kind, Redactor};
///
/// let r = Redactor::builder().only(&[Kind::Email]).build().unwrap();
/// assert_eq!(r.redact("ana@example.com from 10.0.0.1"), "[EMAIL] from 10.0.0.1");
/// assert_eq!(Kind::Email.default_replacement(), "[EMAIL]");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// A JSON Web Token.
    Jwt,
    /// The credentials of an `Authorization` header.
    AuthorizationHeader,
    /// A `Cookie` or `Set-Cookie` header's value.
    Cookie,
    /// A bearer token.
    BearerToken,
    /// An AWS access key id (`AKIA...`).
    AwsAccessKeyId,
    /// An AWS secret access key written as `aws_secret_access_key=...`.
    AwsSecretKey,
    /// The password in a URL's userinfo.
    UrlPassword,
    /// The value of a secret-named parameter (`password=`, `token=`, ...).
    SecretParam,
    /// An email address.
    Email,
    /// A Luhn-valid payment card number.
    CardNumber,
    /// An IPv4 address.
    Ipv4,
    /// An IPv6 address.
    Ipv6,
}

impl Kind {
    /// Every kind, in priority order (earlier wins at the same position).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::Kind;
    ///
    /// assert_eq!(Kind::ALL.len(), 12);
    /// ```
    pub const ALL: [Kind; 12] = [
        Kind::Jwt,
        Kind::AuthorizationHeader,
        Kind::Cookie,
        Kind::BearerToken,
        Kind::AwsAccessKeyId,
        Kind::AwsSecretKey,
        Kind::UrlPassword,
        Kind::SecretParam,
        Kind::Email,
        Kind::CardNumber,
        Kind::Ipv4,
        Kind::Ipv6,
    ];

    /// The text written in place of this kind unless the builder sets
    /// another: `[REDACTED]` for credentials, `[EMAIL]`, `[CARD]`, `[IPV4]`
    /// and `[IPV6]` for personal data.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::Kind;
    ///
    /// assert_eq!(Kind::Jwt.default_replacement(), "[REDACTED]");
    /// assert_eq!(Kind::CardNumber.default_replacement(), "[CARD]");
    /// ```
    #[must_use]
    pub const fn default_replacement(self) -> &'static str {
        match self {
            Kind::Email => "[EMAIL]",
            Kind::CardNumber => "[CARD]",
            Kind::Ipv4 => "[IPV4]",
            Kind::Ipv6 => "[IPV6]",
            _ => "[REDACTED]",
        }
    }

    /// The rule's pattern. A group named `secret`, when present, is what
    /// gets replaced; otherwise the whole match is.
    const fn pattern(self) -> &'static str {
        match self {
            Kind::Jwt => r"(?-u:\b)eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*",
            Kind::AuthorizationHeader => {
                r#"(?i)(?-u:\b)(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?(?:(?:bearer|basic|digest|token|negotiate|ntlm|aws4-hmac-sha256)[ \t]+)?(?P<secret>[^\s"',;]+)"#
            }
            Kind::Cookie => {
                r#"(?i)(?-u:\b)(?:set-)?cookie["']?[ \t]*[:=][ \t]*["']?(?P<secret>[^\r\n"']+)"#
            }
            Kind::BearerToken => r"(?i)(?-u:\b)bearer[ \t]+(?P<secret>[A-Za-z0-9._~+/-]{4,}=*)",
            Kind::AwsAccessKeyId => {
                r"(?-u:\b)(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?-u:\b)"
            }
            Kind::AwsSecretKey => {
                r#"(?i)(?-u:\b)aws[_.-]?secret[_.-]?(?:access[_.-]?)?key["']?[ \t]*[:=][ \t]*["']?(?P<secret>[A-Za-z0-9/+=]{40})"#
            }
            Kind::UrlPassword => {
                r"(?i)(?-u:\b)[a-z][a-z0-9+.-]*://[^\s/?#@:]*:(?P<secret>[^\s/?#]+)@"
            }
            Kind::SecretParam => {
                r#"(?i)(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|session[_-]?id|signature)[a-z0-9_.-]*["']?[ \t]*[:=][ \t]*(?:(?P<secret>"[^"\r\n]*"|'[^'\r\n]*')(?:[\s,;&)\]}]|$)|(?P<secret2>["']?[^\s"'&,;<>]+))"#
            }
            Kind::Email => {
                r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?-u:\b)"
            }
            Kind::CardNumber => r"(?-u:\b)[2-6](?:[ -]?[0-9]){12,}(?-u:\b)",
            Kind::Ipv4 => r"(?-u:\b)[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?-u:\b)",
            Kind::Ipv6 => r"(?i)(?:(?-u:\b)[0-9a-f]{1,4}|(?-u:\B):)(?::[0-9a-f]*)+(?:\.[0-9]+)*",
        }
    }

    fn has_secret_group(self) -> bool {
        self.pattern().contains("(?P<secret>")
    }
}

/// What a compiled rule does with its match.
#[derive(Debug, Clone)]
struct Rule {
    /// `None` for custom rules.
    kind: Option<Kind>,
    replacement: String,
    secret_group: bool,
}

/// A compiled set of redaction rules. Build one with [`Redactor::builder`]
/// (or take the defaults with [`Redactor::new`] or the free function
/// [`redact`]) and reuse it: compiling costs far more than redacting.
///
/// `Redactor` is `Send + Sync`; share it between threads freely.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::Redactor;
///
/// let r = Redactor::new();
/// let line = r#"login ok user=ana password="p w" ip=2001:db8::7 card=4111-1111-1111-1111"#;
/// assert_eq!(r.redact(line), "login ok user=ana password=[REDACTED] ip=[IPV6] card=[CARD]");
/// // Nothing to hide: the input comes back borrowed.
/// assert!(matches!(r.redact("all clear"), std::borrow::Cow::Borrowed(_)));
/// ```
#[derive(Debug, Clone)]
pub struct Redactor {
    /// `None` when every rule is disabled.
    re: Option<Regex>,
    rules: Vec<Rule>,
}

impl Default for Redactor {
    fn default() -> Self {
        Self::new()
    }
}

impl Redactor {
    /// The default rule set: every [`Kind`], default replacements.
    ///
    /// # Panics
    ///
    /// Never: the built-in patterns are fixed and compiled in tests.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::Redactor;
    ///
    /// assert_eq!(Redactor::new().redact("key AKIAIOSFODNN7EXAMPLE"), "key [REDACTED]");
    /// ```
    pub fn new() -> Self {
        DEFAULT.clone()
    }

    /// A builder starting from every built-in rule enabled.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::{Kind, Redactor};
    ///
    /// let r = Redactor::builder()
    ///     .disable(Kind::Ipv4)
    ///     .replacement(Kind::Email, "<email>")
    ///     .rule("ticket", r"TICKET-[0-9]+", "TICKET-?")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(r.redact("TICKET-42 from bo@x.io at 10.0.0.1"), "TICKET-? from <email> at 10.0.0.1");
    /// ```
    #[must_use]
    pub fn builder() -> RedactorBuilder {
        RedactorBuilder::default()
    }

    /// Replaces every secret and personal datum found in `text`.
    ///
    /// Returns the input borrowed when nothing was found. Never panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::Redactor;
    ///
    /// let r = Redactor::new();
    /// assert_eq!(
    ///     r.redact("GET https://bob:pa55@db.internal/x?api_key=k1&page=2"),
    ///     "GET https://bob:[REDACTED]@db.internal/x?api_key=[REDACTED]&page=2",
    /// );
    /// ```
    #[must_use]
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let Some(re) = &self.re else {
            return Cow::Borrowed(text);
        };
        let mut out = String::new();
        let mut copied = 0;
        let mut at = 0;
        let mut caps: Option<Captures> = None;
        while at <= text.len() {
            let Some(m) = re.search(&Input::new(text).span(at..text.len())) else {
                break;
            };
            let Some(rule) = self.rules.get(m.pattern().as_usize()) else {
                break;
            };
            let mut secret = m.span();
            if rule.secret_group {
                let caps = caps.get_or_insert_with(|| re.create_captures());
                re.search_captures(
                    &Input::new(text)
                        .span(m.range())
                        .anchored(Anchored::Pattern(m.pattern())),
                    caps,
                );
                if let Some(span) = caps
                    .get_group_by_name("secret")
                    .or_else(|| caps.get_group_by_name("secret2"))
                {
                    secret = span;
                }
            }
            if secret.is_empty() || !accept(rule.kind, text, secret) {
                at = resume_after_rejection(rule.kind, text, m.span());
                continue;
            }
            let (Some(before), true) = (
                text.get(copied..secret.start),
                text.is_char_boundary(secret.end),
            ) else {
                at = next_char(text, m.start());
                continue;
            };
            out.push_str(before);
            out.push_str(&rule.replacement);
            copied = secret.end;
            at = if m.is_empty() {
                next_char(text, m.end())
            } else {
                m.end()
            };
        }
        if copied == 0 && out.is_empty() {
            return Cow::Borrowed(text);
        }
        out.push_str(text.get(copied..).unwrap_or_default());
        Cow::Owned(out)
    }
}

/// Where to search again after a candidate was rejected: past the last
/// separator inside it, where another secret may begin (a digits-only email
/// after a date, the embedded IPv4 of an IPv6 candidate), or the next
/// character. Candidates are scanned a bounded number of times, so the whole
/// pass stays linear even on adversarial input (a megabyte of `1 2 3 ...`).
fn resume_after_rejection(kind: Option<Kind>, text: &str, m: Span) -> usize {
    let seps: &[u8] = match kind {
        Some(Kind::CardNumber) => b" -",
        Some(Kind::Ipv6) => b":",
        _ => return next_char(text, m.start),
    };
    let cand = text.as_bytes().get(m.range()).unwrap_or_default();
    match cand.iter().rposition(|b| seps.contains(b)) {
        Some(i) if m.start + i + 1 > m.start => m.start + i + 1,
        _ => m.end.max(next_char(text, m.start)),
    }
}

/// The byte index after the character starting at (or containing) `i`;
/// past the end when `i` is the end.
fn next_char(text: &str, i: usize) -> usize {
    let mut j = i + 1;
    while j < text.len() && !text.is_char_boundary(j) {
        j += 1;
    }
    j
}

/// The checks a pattern alone cannot make.
fn accept(kind: Option<Kind>, text: &str, span: Span) -> bool {
    let Some(s) = text.get(span.range()) else {
        return false;
    };
    match kind {
        Some(Kind::CardNumber) => {
            let digits = s.bytes().filter(u8::is_ascii_digit).count();
            (13..=19).contains(&digits) && luhn(s)
        }
        Some(Kind::Ipv4) => s.split('.').all(|o| o.parse::<u8>().is_ok()),
        Some(Kind::Ipv6) => {
            let word = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
            let before = text.get(..span.start).and_then(|t| t.chars().next_back());
            let after = text.get(span.end..).and_then(|t| t.chars().next());
            !before.is_some_and(|c| word(c) || c == '.')
                && !after.is_some_and(word)
                && s.bytes().filter(|&b| b == b':').count() >= 2
                && s.bytes().any(|b| b.is_ascii_digit())
                && s.parse::<std::net::Ipv6Addr>().is_ok()
        }
        _ => true,
    }
}

/// The Luhn checksum over the ASCII digits of `s` (other characters skipped).
fn luhn(s: &str) -> bool {
    let mut sum = 0u32;
    let mut count = 0u32;
    for b in s.bytes().rev().filter(u8::is_ascii_digit) {
        let d = u32::from(b - b'0');
        sum += if count % 2 == 1 {
            let d2 = d * 2;
            if d2 > 9 { d2 - 9 } else { d2 }
        } else {
            d
        };
        count += 1;
    }
    count > 0 && sum.is_multiple_of(10)
}

static DEFAULT: LazyLock<Redactor> = LazyLock::new(|| {
    RedactorBuilder::default()
        .build()
        .unwrap_or_else(|_| Redactor {
            re: None,
            rules: Vec::new(),
        })
});

/// Redacts `text` with the default rules (see [`Redactor`]); the rule set is
/// compiled once, on first use.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::redact;
///
/// assert_eq!(
///     redact("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"),
///     "Authorization: Bearer [REDACTED]",
/// );
/// assert_eq!(redact("paid with 4242 4242 4242 4242"), "paid with [CARD]");
/// assert_eq!(redact("order 4242 4242 4242 4241"), "order 4242 4242 4242 4241"); // not Luhn-valid
/// ```
pub fn redact(text: &str) -> Cow<'_, str> {
    DEFAULT.redact(text)
}

/// Configures a [`Redactor`]: which built-in rules run, what each writes,
/// and custom rules.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::{Kind, Redactor};
///
/// let r = Redactor::builder().disable(Kind::Email).build().unwrap();
/// assert_eq!(r.redact("ana@example.com token=x1"), "ana@example.com token=[REDACTED]");
/// ```
#[derive(Debug, Clone)]
pub struct RedactorBuilder {
    kinds: Vec<(Kind, bool, String)>,
    custom: Vec<(String, String, String)>,
}

impl Default for RedactorBuilder {
    fn default() -> Self {
        Self {
            kinds: Kind::ALL
                .iter()
                .map(|&k| (k, true, k.default_replacement().to_owned()))
                .collect(),
            custom: Vec::new(),
        }
    }
}

impl RedactorBuilder {
    /// Turns a built-in rule on.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::{Kind, Redactor};
    ///
    /// let r = Redactor::builder().only(&[]).enable(Kind::Ipv4).build().unwrap();
    /// assert_eq!(r.redact("a@b.io 1.2.3.4"), "a@b.io [IPV4]");
    /// ```
    #[must_use]
    pub fn enable(self, kind: Kind) -> Self {
        self.set(kind, true)
    }

    /// Turns a built-in rule off.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::{Kind, Redactor};
    ///
    /// let r = Redactor::builder().disable(Kind::Ipv4).build().unwrap();
    /// assert_eq!(r.redact("1.2.3.4"), "1.2.3.4");
    /// ```
    #[must_use]
    pub fn disable(self, kind: Kind) -> Self {
        self.set(kind, false)
    }

    /// Enables exactly these built-in rules (custom rules are kept).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::{Kind, Redactor};
    ///
    /// let r = Redactor::builder().only(&[Kind::CardNumber]).build().unwrap();
    /// assert_eq!(r.redact("x@y.io 5555555555554444"), "x@y.io [CARD]");
    /// ```
    #[must_use]
    pub fn only(mut self, kinds: &[Kind]) -> Self {
        for (k, on, _) in &mut self.kinds {
            *on = kinds.contains(k);
        }
        self
    }

    /// Sets the text written in place of `kind`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::{Kind, Redactor};
    ///
    /// let r = Redactor::builder().replacement(Kind::SecretParam, "***").build().unwrap();
    /// assert_eq!(r.redact("pwd=abc"), "pwd=***");
    /// ```
    #[must_use]
    pub fn replacement(mut self, kind: Kind, text: impl Into<String>) -> Self {
        let text = text.into();
        for (k, _, r) in &mut self.kinds {
            if *k == kind {
                r.clone_from(&text);
            }
        }
        self
    }

    /// Adds a custom rule, tried before the built-in ones. `pattern` is
    /// regex syntax (the `regex` crate's); if it has a group named `secret`
    /// (or `secret2`, for a second alternative branch), only the group that
    /// took part in the match is replaced, otherwise the whole match.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::Redactor;
    ///
    /// let r = Redactor::builder()
    ///     .rule("iban", r"\bDE[0-9]{2}(?: ?[0-9]{4}){4} ?[0-9]{2}\b", "[IBAN]")
    ///     .rule("pin", r"pin (?P<secret>[0-9]{4})", "****")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(r.redact("DE89 3704 0044 0532 0130 00 pin 1234"), "[IBAN] pin ****");
    /// ```
    #[must_use]
    pub fn rule(
        mut self,
        name: impl Into<String>,
        pattern: impl Into<String>,
        replacement: impl Into<String>,
    ) -> Self {
        self.custom
            .push((name.into(), pattern.into(), replacement.into()));
        self
    }

    fn set(mut self, kind: Kind, on: bool) -> Self {
        for (k, enabled, _) in &mut self.kinds {
            if *k == kind {
                *enabled = on;
            }
        }
        self
    }

    /// Compiles the rules.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRule`] naming the first custom rule whose pattern
    /// does not compile (or the set, if it grows past the engine's size
    /// limits).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_utils::strings::{Error, Redactor};
    ///
    /// let err = Redactor::builder().rule("bad", "(", "x").build().unwrap_err();
    /// assert!(matches!(err, Error::InvalidRule { ref name, .. } if name == "bad"));
    /// ```
    pub fn build(self) -> Result<Redactor, Error> {
        let mut patterns = Vec::new();
        let mut rules = Vec::new();
        for (name, pattern, replacement) in self.custom {
            let one = Regex::new(&pattern).map_err(|e| Error::InvalidRule {
                name: name.clone(),
                reason: e.to_string(),
            })?;
            let info = one.group_info();
            let secret_group = ["secret", "secret2"]
                .iter()
                .any(|g| info.to_index(regex_automata::PatternID::ZERO, g).is_some());
            patterns.push(pattern);
            rules.push(Rule {
                kind: None,
                replacement,
                secret_group,
            });
        }
        for (kind, on, replacement) in self.kinds {
            if on {
                patterns.push(kind.pattern().to_owned());
                rules.push(Rule {
                    kind: Some(kind),
                    replacement,
                    secret_group: kind.has_secret_group(),
                });
            }
        }
        if patterns.is_empty() {
            return Ok(Redactor { re: None, rules });
        }
        let re = Regex::new_many(&patterns).map_err(|e| Error::InvalidRule {
            name: "<rule set>".to_owned(),
            reason: e.to_string(),
        })?;
        Ok(Redactor {
            re: Some(re),
            rules,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        redact(s).into_owned()
    }

    #[test]
    fn builtin_patterns_compile() {
        assert!(DEFAULT.re.is_some());
        for k in Kind::ALL {
            assert!(Regex::new(k.pattern()).is_ok(), "{k:?}");
        }
    }

    #[test]
    fn each_kind() {
        let cases = [
            (
                "jwt eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0. end",
                "jwt [REDACTED] end",
            ),
            (
                "Authorization: Basic dXNlcjpwYXNz",
                "Authorization: Basic [REDACTED]",
            ),
            (
                r#"{"authorization":"Bearer abc.def"}"#,
                r#"{"authorization":"Bearer [REDACTED]"}"#,
            ),
            (
                "Cookie: sid=1; theme=dark\nnext",
                "Cookie: [REDACTED]\nnext",
            ),
            ("sent bearer abcd1234efgh", "sent bearer [REDACTED]"),
            ("id=AKIAIOSFODNN7EXAMPLE.", "id=[REDACTED]."),
            (
                "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "aws_secret_access_key = [REDACTED]",
            ),
            ("redis://:pw@cache:6379", "redis://:[REDACTED]@cache:6379"),
            ("postgres://u:p@ss@h/db", "postgres://u:[REDACTED]@h/db"),
            ("?client_secret=a&x=1", "?client_secret=[REDACTED]&x=1"),
            (
                r#""db_password": "two words""#,
                r#""db_password": [REDACTED]"#,
            ),
            ("X-Amz-Signature=abc123", "X-Amz-Signature=[REDACTED]"),
            ("mail a.b+c@sub.example.co.uk.", "mail [EMAIL]."),
            ("cc 378282246310005 ok", "cc [CARD] ok"),
            ("cc 5105-1051-0510-5100", "cc [CARD]"),
            ("from 192.168.0.1:80", "from [IPV4]:80"),
            (
                "v6 ::1 and fe80::1ff:fe23:4567:890a.",
                "v6 [IPV6] and [IPV6].",
            ),
            ("mapped ::ffff:192.0.2.1 x", "mapped [IPV6] x"),
        ];
        for (input, want) in cases {
            assert_eq!(r(input), want, "{input}");
        }
    }

    #[test]
    fn leaves_lookalikes() {
        for s in [
            "at 12:30:45.123 done",
            "std::fmt::Display and a::b",
            "mac aa:bb:cc:dd:ee:ff",
            "epoch 1763906714000 ms",
            "order 4111 1111 1111 1112",
            "999.1.1.1",
            "author=Bob",
            "bearer of bad news",
            "user@localhost",
            "",
            "plain text",
        ] {
            assert_eq!(r(s), s);
            assert!(matches!(redact(s), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn rejected_candidates_do_not_hide_later_secrets() {
        assert_eq!(r("2026-11-23 1234567@x.com"), "2026-11-23 [EMAIL]");
        assert_eq!(r("12:30:45 ::1"), "12:30:45 [IPV6]");
        let long = "1 ".repeat(50_000);
        assert_eq!(r(&long), long);
    }

    #[test]
    fn luhn_known_values() {
        assert!(luhn("4111111111111111"));
        assert!(luhn("79927398713"));
        assert!(!luhn("79927398710"));
        assert!(!luhn(""));
    }

    #[test]
    fn disabled_everything_borrows() {
        let r = Redactor::builder().only(&[]).build().unwrap_or_default();
        assert!(matches!(r.redact("a@b.io"), Cow::Borrowed("a@b.io")));
    }

    #[test]
    fn empty_custom_matches_do_not_loop() {
        let r = Redactor::builder()
            .only(&[])
            .rule("empty", "x*", "_")
            .build()
            .unwrap_or_default();
        assert_eq!(r.redact("axxb"), "a_b");
        assert_eq!(r.redact("é"), "é");
    }

    #[test]
    fn non_ascii_around_secrets() {
        assert_eq!(r("é token=ü€ é"), "é token=[REDACTED] é");
        assert_eq!(r("日本 ana@example.com 日本"), "日本 [EMAIL] 日本");
    }
}
